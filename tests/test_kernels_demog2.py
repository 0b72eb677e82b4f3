"""The cheaper moves-in and mortality-level steps give exactly what the generic calls gave.

Arrivals draw their count with :func:`model.migration.poisson_count` (SciPy's Poisson
inverse without its generic wrapper) and their kinds with :func:`model.migration.choose`
(NumPy's weighted choice without its checks); new rows of the resident and household
columns are not reset one append at a time, because rows past the end always hold the
defaults; the mortality multiplier's search scales a hazard computed once. Each is
compared here with the generic form it replaces: same values, same dtypes, same draws.
"""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
from scipy.stats import poisson

from model import demography
from model.demography import DemographyParams, mortality_multiplier, path_value
from model.migration import (
    FAMILY,
    KIDS,
    KIDS_P,
    UNIT_AGES,
    UNIT_COUPLE_SHARE,
    Units,
    choose,
    make_units,
    poisson_count,
)
from model.population import FEMALE, MALE, ROLE_CHILD, ROLE_HEAD, Households, Residents


def test_poisson_count_is_scipys_inverse():
    gen = np.random.default_rng(11)
    for _ in range(20_000):
        u, lam = float(gen.random()), float(10.0 ** gen.uniform(-8, 5))
        assert poisson_count(u, lam) == int(poisson.ppf(u, lam)), (u, lam)
    for u in (0.0, 5e-324, 1e-300, 0.5, 1.0 - 2.0**-53):
        for lam in (1e-300, 1e-12, 1.0, 3.7, 1e6):
            assert poisson_count(u, lam) == int(poisson.ppf(u, lam)), (u, lam)


def test_choose_is_numpys_weighted_choice():
    gen = np.random.default_rng(12)
    for _ in range(5_000):
        k = int(gen.integers(1, 8))
        w = gen.random(k) * (gen.random(k) < 0.7)
        w[0] += w.sum() == 0
        w /= w.sum()
        size = int(gen.integers(0, 40))
        seed = int(gen.integers(0, 2**63))
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        want, got = a.choice(len(w), size=size, p=w), choose(b, w, size)
        assert got.dtype == want.dtype
        assert np.array_equal(got, want)
        assert a.random() == b.random()  # the generators advanced alike
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    want = a.choice(KIDS, size=50, p=KIDS_P)
    got = np.asarray(KIDS)[choose(b, KIDS_P, 50)]
    assert got.dtype == want.dtype
    assert np.array_equal(got, want)


def _make_units_generic(gen, shares, units, *, parent_gap, child_below) -> Units:
    """make_units as written with np.random.Generator.choice and np.select."""
    w = np.asarray(shares, dtype=float) / sum(shares)
    kind = gen.choice(len(w), size=units, p=w)
    lo = np.array([a for a, _ in UNIT_AGES])[kind] * 12
    hi = np.array([b for _, b in UNIT_AGES])[kind] * 12
    first_age = lo + (gen.random(units) * (hi - lo)).astype(np.int64)
    couple = gen.random(units) < np.asarray(UNIT_COUPLE_SHARE)[kind]
    kids = np.where(kind == FAMILY, gen.choice(KIDS, size=units, p=KIDS_P), 0)
    size = 1 + couple + kids
    unit = np.repeat(np.arange(units), size)
    pos = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
    n = unit.size
    is_partner = couple[unit] & (pos == 1)
    is_kid = pos >= 1 + couple[unit]
    first_sex = gen.integers(0, 2, size=units)
    kid_age = (
        gen.random(n) * np.clip(first_age[unit] - parent_gap * 12, 1, child_below * 12)
    ).astype(np.int64)
    age_m = np.select(
        [is_kid, is_partner],
        [kid_age, first_age[unit] - 12 * (2 * first_sex[unit] - 1)],
        first_age[unit],
    )
    sex = np.select(
        [is_kid, is_partner], [gen.integers(0, 2, size=n), 1 - first_sex[unit]], first_sex[unit]
    )
    role = np.where(is_kid, ROLE_CHILD, ROLE_HEAD).astype(np.int8)
    never_married = is_kid | ~(couple[unit] | (kind[unit] == len(w) - 1))
    return Units(unit, size, age_m, sex, role, never_married)


def test_make_units_draws_what_the_generic_form_drew():
    p = DemographyParams()
    for shares in (p.in_unit_shares, p.foreign_unit_shares, p.return_unit_shares, (0, 0, 1, 0, 0)):
        for count in (1, 2, 7, 60):
            for seed in range(5):
                a, b = np.random.default_rng(seed), np.random.default_rng(seed)
                kw = {"parent_gap": p.family_parent_gap, "child_below": p.family_child_below}
                want = _make_units_generic(a, shares, count, **kw)
                got = make_units(b, shares, count, **kw)
                for f in dataclasses.fields(Units):
                    x, y = getattr(want, f.name), getattr(got, f.name)
                    assert x.dtype == y.dtype, f.name
                    assert np.array_equal(x, y), f.name
                assert a.random() == b.random()


def _multiplier_generic(p: DemographyParams, year: float) -> tuple[float, float]:
    """The mortality multiplier's search over whole tables, as first written."""
    out = []
    for sex, path in ((MALE, p.e0_path_male), (FEMALE, p.e0_path_female)):
        gain = path_value(p.e0_path_years, path, year) - path[0]
        if gain == 0.0:
            out.append(1.0)
            continue
        target = demography._e0_of(demography.monthly_death_table(p)[sex]) + gain
        lo, hi = -6.0, 6.0
        for _ in range(60):
            mid = (lo + hi) / 2.0
            e0 = demography._e0_of(demography.monthly_death_table(p, float(np.exp(mid)))[sex])
            lo, hi = (mid, hi) if e0 > target else (lo, mid)
        out.append(float(np.exp((lo + hi) / 2.0)))
    return out[0], out[1]


def test_mortality_multiplier_is_bit_identical_to_the_whole_table_search():
    base = DemographyParams()
    variants = (
        base,
        dataclasses.replace(base, mort_gompertz_b_male=base.mort_gompertz_b_male * 1.1),
        dataclasses.replace(base, mort_background=base.mort_background * 3.0),
        dataclasses.replace(base, e0_path_female=(base.e0_path_female[0], 70.0)),
    )
    for p in variants:
        for year in (2020.0, 2023.0, 2024.5, 2031.25, 2050.0, 2069.9, 2090.0):
            got = mortality_multiplier.__wrapped__(p, year)
            want = _multiplier_generic(p, year)
            assert [x.hex() for x in got] == [x.hex() for x in want], (p, year)


def _spare_is_default(table) -> bool:
    return all(
        np.all(table._data[col.name][..., table.n :] == col.default) for col in table._schema
    )


def test_rows_past_the_end_always_hold_the_defaults():
    gen = np.random.default_rng(13)
    r = Residents(capacity=64)
    h = Households(capacity=16)
    for step in range(300):
        if gen.random() < 0.7:
            k = int(gen.integers(0, 30))
            new = r.append(k, pid=gen.integers(0, 1000, k).astype(np.uint64), arrival_m=step)
            h.append(int(gen.integers(0, 5)), x=1.5)
            # What an arrival must see: its defaults, except the values given.
            for col in r._schema:
                block = getattr(r, col.name)[..., new]
                if col.name not in ("pid", "arrival_m"):
                    assert np.all(block == col.default), col.name
            # Phases then write all over the rows in use.
            for col in r._schema:
                getattr(r, col.name)[...] = 1
        else:
            r.keep(gen.random(r.n) < 0.6)
            h.keep(gen.random(h.n) < 0.6)
        assert _spare_is_default(r)
        assert _spare_is_default(h)
    # A state whose spare rows were used (as an older Kyosei could save) loads clean.
    r._data["sev"][:, r.n :] = 3
    assert _spare_is_default(pickle.loads(pickle.dumps(r)))
