"""The demography kernels and their NumPy twins give bit-identical results.

Each kernel of ``model.demography_kernels`` is run both ways on the same inputs (random
columns, empty columns, everyone departed, edge ages), and a short run of the small
town with demography on is made both ways and compared output by output.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model import CommunityModel, demography_kernels, kernels
from model.demography import MAX_AGE_M, NET_BAND_OF_YEAR
from model.lifetable import TOP
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")


@pytest.fixture
def numpy_path(monkeypatch):
    """A switch between the two paths for one test."""

    def use(flag: bool) -> None:
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)

    return use


def _columns(gen: np.random.Generator, n: int, n_hh: int, alive_share: float) -> dict:
    return {
        "age_m": gen.integers(0, MAX_AGE_M + 1, n).astype(np.int16),
        "sex": gen.integers(0, 2, n).astype(np.int8),
        "role": gen.integers(0, 3, n).astype(np.int8),
        "alive": gen.random(n) < alive_share,
        "hh": gen.integers(0, max(n_hh, 1), n).astype(np.int32),
        "u": gen.random(n),
    }


def _tables(gen: np.random.Generator, scale: float) -> tuple:
    death = gen.random((2, MAX_AGE_M + 1)) * scale
    death[:, MAX_AGE_M] = 1.0
    return death, gen.random(121) * scale, gen.random(121) * scale, NET_BAND_OF_YEAR


def _both_paths(numpy_path, cols: dict, n_hh: int, tables: tuple) -> list:
    out = []
    for flag in (False, True):
        numpy_path(flag)
        c = {k: v.copy() for k, v in cols.items()}
        exits = demography_kernels.age_and_exit_arrays(
            c["age_m"], c["sex"], c["role"], c["alive"], c["hh"], c["u"], n_hh, MAX_AGE_M,
            *tables, TOP,
        )  # fmt: skip
        out.append((c, exits))
    return out


def _assert_same(runs: list) -> None:
    (cols_a, exits_a), (cols_b, exits_b) = runs
    for name in cols_a:
        assert cols_a[name].tobytes() == cols_b[name].tobytes(), name
    for f in dataclasses.fields(exits_a):
        a, b = getattr(exits_a, f.name), getattr(exits_b, f.name)
        assert np.array_equal(a, b), f.name
        assert np.asarray(a).dtype == np.asarray(b).dtype, f.name


@pytest.mark.parametrize(("n", "n_hh", "alive_share", "scale"), [
    (60_000, 25_000, 0.97, 0.05),  # every kind of exit many times
    (5_000, 4_000, 0.9, 0.5),  # heavy exits: most households move
    (0, 0, 1.0, 0.05),  # an empty town
    (2_000, 800, 0.0, 0.05),  # everyone already departed
    (3_000, 1, 1.0, 0.01),  # one household for everybody
])  # fmt: skip
def test_age_and_exit_is_the_same_on_both_paths(numpy_path, n, n_hh, alive_share, scale):
    gen = np.random.default_rng(n + 7)
    cols = _columns(gen, n, n_hh, alive_share)
    runs = _both_paths(numpy_path, cols, n_hh, _tables(gen, scale))
    _assert_same(runs)
    after, exits = runs[0]
    # Only the living age, nobody passes the last age, and the departed stay departed.
    was = cols["alive"]
    assert np.array_equal(after["age_m"][~was], cols["age_m"][~was])
    assert after["age_m"].max(initial=0) <= MAX_AGE_M
    assert not after["alive"][~was].any()
    assert exits.life_exposure.sum() == was.sum() == exits.band_exposure.sum()
    assert exits.deaths + exits.leavers == was.sum() - after["alive"].sum()
    assert exits.exchange.size <= exits.leavers
    if n >= 5_000:
        assert exits.deaths > 50
        assert exits.exchange.size > 50
        assert exits.leavers - exits.exchange.size > 50


def test_everyone_at_the_last_age_dies(numpy_path):
    gen = np.random.default_rng(3)
    cols = _columns(gen, 1_000, 300, 1.0)
    cols["age_m"][:] = MAX_AGE_M
    runs = _both_paths(numpy_path, cols, 300, _tables(gen, 0.05))
    _assert_same(runs)
    after, exits = runs[1]
    assert exits.deaths == 1_000
    assert not after["alive"].any()
    assert (after["age_m"] == MAX_AGE_M).all()


def test_a_short_run_with_demography_is_the_same_on_both_paths(numpy_path):
    scenario = load_scenario(
        "small_town", "jusou_full", scale=20.0, overrides={"switches.warmup_months": 2}
    )
    frames = []
    for flag in (False, True):
        numpy_path(flag)
        model = CommunityModel(scenario, seed=9).run(14)  # a compaction at month 12
        r = model.residents
        frames.append(
            (
                model.recorder.timeseries(),
                r.pid.tobytes() + r.age_m.tobytes() + r.hh.tobytes() + r.alive.tobytes(),
                model.households.key.tobytes(),
            )
        )
    (town_a, res_a, hh_a), (town_b, res_b, hh_b) = frames
    assert town_a.equals(town_b)
    assert res_a == res_b
    assert hh_a == hh_b
    assert town_a["deaths"].sum() > 0
