"""Cheaper demography steps give exactly what the generic forms gave.

New rows of the resident and household columns are not reset one append at a time,
because rows past the end always hold the defaults; the mortality multiplier's search
scales a hazard computed once per sex instead of rebuilding both sexes' tables at each
step. Each is compared here with the form it replaces: same values, same bits.
"""

from __future__ import annotations

import dataclasses
import pickle

import numpy as np
import pytest

from model import demography
from model.demography import DemographyParams, mortality_multiplier, path_value
from model.population import FEMALE, MALE, Households, Residents


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


def test_life_years_are_the_same_on_both_paths(monkeypatch):
    """The compiled life expectancy of a row equals the NumPy one, bit for bit."""
    from model import demography_kernels, kernels

    if not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    p = DemographyParams()
    gen = np.random.default_rng(8)
    rows = [demography.monthly_death_table(p, k)[sex] for k in (0.3, 1.0, 2.7) for sex in (0, 1)]
    rows += [gen.random(n) * 0.05 for n in (0, 1, 7, 8, 129, 1453)]
    rows.append(demography.monthly_death_table(p)[1, 65 * 12 :])  # a row from age 65
    for q in rows:
        monkeypatch.setattr(kernels, "USE_NUMBA", False)
        a = demography_kernels.life_years(q)
        monkeypatch.setattr(kernels, "USE_NUMBA", True)
        b = demography_kernels.life_years(q)
        assert a == b
    assert 75 < demography.life_expectancy(p, 0) < 95


def test_pairwise_sum_is_numpys_sum_bit_for_bit():
    """Every length to 300 (each branch of the split) and some past NumPy's 8192 buffer."""
    from model import demography_kernels, kernels

    if not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    gen = np.random.default_rng(4)
    for n in [*range(300), 1453, 8191, 8192, 8193, 20_001]:
        values = gen.random(n) * 10.0 ** gen.uniform(-3, 3, n)  # wide range: order matters
        assert demography_kernels.pairwise_sum(values) == values.sum(), n
    values = gen.random(1000)
    assert demography_kernels.pairwise_sum(values, 100, 500) == values[100:600].sum()
    # Not a plain running sum (which differs in the last bits for such values).
    running = 0.0
    wide = gen.random(1453) * 10.0 ** gen.uniform(-3, 3, 1453)
    for v in wide:
        running += v
    assert demography_kernels.pairwise_sum(wide) == wide.sum() != running
