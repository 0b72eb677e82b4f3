"""The needs month's compiled loop and its NumPy twin give bit-identical results.

``model.needs_kernels.month`` is run both ways on the same random town (and on an
empty one, an all-dead one and edge parameters), every column and count compared
byte for byte; then a short model run is made both ways and compared output by output.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import CommunityModel, kernels
from model import needs_kernels as nk
from model.population import MAX_SEVERITY
from model.streams import Streams
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")

N_HH = 3000
N_DISTRICTS = 3


@pytest.fixture
def numpy_path(monkeypatch):
    """A context switch between the two paths for one test."""

    def use(flag: bool) -> None:
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)

    return use


def _town(n: int, seed: int, *, frozen: bool = False, alive_share: float = 0.95) -> dict:
    """A random town's columns, facts and parameters, as ``needs.progress`` passes them."""
    gen = np.random.default_rng(seed)
    alive = gen.random(n) < alive_share
    hh = gen.integers(0, N_HH, n).astype(np.int32)
    age_m = gen.integers(0, 1300, n).astype(np.int16)
    age_m[gen.random(n) < 0.02] = 0  # babies born this month
    sev = np.where(gen.random((5, n)) < 0.5, 0, gen.integers(1, 4, (5, n))).astype(np.int8)
    years = np.minimum(age_m // 12, 120).astype(np.int16)
    fp = gen.random(nk.N_FP) * 0.3
    fp[nk.FP_ESC_ISOLATED], fp[nk.FP_ESC_ATTENDING] = 1.4, 0.7
    fp[nk.FP_ESC_SUPPORTED], fp[nk.FP_JOINT] = 0.25, 1.5
    fp[nk.FP_CRISIS_SPAN] = 0.3
    fp[nk.FP_CRISIS_FROM] = 1.0 - fp[nk.FP_CRISIS_SPAN]
    fp[nk.FP_CRISIS_KNOWN] = 0.6
    ff = gen.random((nk.N_FF, nk.N_FIELDS)) * 0.3
    ff[nk.FF_BOUND] = (0.2, 0.25, 0.12, 0.05)
    ff[nk.FF_CRISIS_DEATH] = (0.3, 0.1, 0.0, 0.2)
    keys = Streams(seed)["needs"].keys(np.arange(n, dtype=np.uint64), 0)
    return {
        "pid": keys,
        "alive": alive,
        "sev": sev,
        "onset_m": gen.integers(-1, 60, (5, n)).astype(np.int16),
        "supported": gen.random((5, n)) < 0.4,
        "known": gen.random((5, n)) < 0.5,
        "assistance": gen.random(n) < 0.1,
        "sex": gen.integers(0, 2, n).astype(np.int8),
        "role": gen.integers(0, 3, n).astype(np.int8),
        "working": gen.random(n) < 0.5,
        "hh": hh,
        "district": gen.integers(0, N_DISTRICTS, n).astype(np.int16),
        "case_joint": gen.random(n) < 0.2,
        "venue": np.where(gen.random(n) < 0.3, gen.integers(0, 50, n), -1).astype(np.int32),
        "age_m": age_m,
        "years": years,
        "home": alive & (gen.random(n) < 0.97),
        "isolated": gen.random(n) < 0.2,
        "care": gen.random((2, 121)) * 0.2,
        "disability": gen.random(121) * 0.3,
        "poverty": gen.random(121) * 0.05,
        "quality": 0.5 + 0.5 * gen.random((N_DISTRICTS, nk.N_FIELDS)),
        "fp": fp,
        "ff": ff,
        "ip": np.array([7, frozen, 55, N_HH], dtype=np.int64),
        "salts": Streams(seed + 1)["salts"].keys(np.arange(nk.N_SALTS, dtype=np.uint64), 0),
        "counts": np.zeros(nk.N_COUNTS, np.int64),
        "died": np.zeros(n, np.int64),
        "emerg": np.zeros(n, np.int64),
    }


def _both_ways(numpy_path, town: dict) -> tuple[dict, dict]:
    out = []
    for flag in (False, True):
        numpy_path(flag)
        cols = {k: v.copy() for k, v in town.items()}
        nk.month(*cols.values())
        k, m = cols["counts"][nk.C_DEATHS], cols["counts"][nk.C_EMERG]
        cols["died"] = cols["died"][:k]
        cols["emerg"] = cols["emerg"][:m]
        out.append(cols)
    return out[0], out[1]


def _assert_same(a: dict, b: dict) -> None:
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].tobytes() == b[name].tobytes(), name


@pytest.mark.parametrize("frozen", [False, True])
def test_a_random_month_is_the_same_on_both_paths(numpy_path, frozen):
    town = _town(20_000, 3, frozen=frozen)
    a, b = _both_ways(numpy_path, town)
    _assert_same(a, b)
    c = a["counts"]
    # Every rule acted, so the comparison covered it.
    assert (c[nk.C_ONSETS + nk.CHILDCARE : nk.C_ONSETS + nk.N_FIELDS] > 0).all()
    assert (c[nk.C_ONSETS : nk.C_ONSETS + nk.CHILDCARE] > 0).all() != frozen
    assert c[nk.C_WITHDRAWAL_ONSETS] > 0
    assert c[nk.C_RESOLVED] > 0
    assert (c[nk.C_CRISES : nk.C_CRISES + nk.N_FIELDS] > 0).all()
    assert (c[nk.C_DEATHS] > 0) != frozen
    assert c[nk.C_EMERG] > 0
    assert (a["sev"] != town["sev"]).any(axis=0).sum() > 1000
    assert (a["sev"] > town["sev"]).any()
    assert (a["sev"] < town["sev"]).any()
    if not frozen:
        # Each death once, in resident order; the dead are not brought to a counter.
        assert (np.diff(a["died"]) > 0).all()
        assert not a["alive"][a["died"]].any()
        assert town["alive"][a["died"]].all()
        assert not np.isin(a["emerg"], a["died"]).any()


def test_nobody_alive_and_nobody_at_all_are_the_same_on_both_paths(numpy_path):
    for town in (_town(5_000, 4, alive_share=0.0), _town(0, 5)):
        a, b = _both_ways(numpy_path, town)
        _assert_same(a, b)
        c = a["counts"]
        assert c[: nk.C_RESOLVED].sum() == 0
        assert c[nk.C_RESOLVED + 1 :].sum() == 0
        # Only the dead's withdrawal past 64 ends, as before.
        gone = (town["sev"][nk.WITHDRAWAL] > 0) & (town["years"] >= 65)
        assert not (a["sev"][nk.WITHDRAWAL] > 0)[gone].any()


def test_two_crises_that_kill_in_one_month_are_one_death(numpy_path):
    # Residents at the top of care and of poverty, unsupported, where every crisis kills:
    # both crises happen (and are counted), but each resident dies once, and nobody
    # who died is brought to a counter by the second crisis.
    n = 40
    town = _town(n, 7)
    town["alive"][:] = True
    town["home"][:] = True
    town["sev"][:] = 0
    town["sev"][nk.CARE] = MAX_SEVERITY
    town["sev"][nk.POVERTY] = MAX_SEVERITY
    town["supported"][:] = False
    town["fp"][nk.FP_CRISIS_FROM], town["fp"][nk.FP_CRISIS_SPAN] = 0.0, 1.0
    town["fp"][nk.FP_CRISIS_KNOWN] = 1.0
    town["ff"][nk.FF_CRISIS_DEATH] = 1.0
    a, b = _both_ways(numpy_path, town)
    _assert_same(a, b)
    c = a["counts"]
    assert c[nk.C_CRISES + nk.CARE] == n
    assert c[nk.C_CRISES + nk.POVERTY] == n
    assert c[nk.C_DEATHS] == n
    assert np.array_equal(a["died"], np.arange(n))
    assert not a["alive"].any()
    assert a["emerg"].size == 0


@pytest.mark.parametrize("crisis", [0.0, 1.0])
def test_edge_parameters_are_the_same_on_both_paths(numpy_path, crisis):
    town = _town(10_000, 6)
    town["ff"][nk.FF_BOUND] = 0.25  # the widest band each field's onset may have
    town["fp"][nk.FP_MAX_ONSET] = 0.25
    town["fp"][nk.FP_CRISIS_FROM] = 1.0 - crisis
    town["fp"][nk.FP_CRISIS_SPAN] = max(crisis, 1e-12)
    town["ff"][nk.FF_CRISIS_DEATH] = 1.0
    a, b = _both_ways(numpy_path, town)
    _assert_same(a, b)
    crises = a["counts"][nk.C_CRISES : nk.C_CRISES + nk.N_FIELDS].sum()
    assert (crises > 0) == (crisis > 0)


def test_a_short_run_gives_the_same_needs_on_both_paths(numpy_path):
    scenario = load_scenario(
        "small_town", "baseline", scale=20.0, overrides={"switches.warmup_months": 4}
    )
    frames = []
    for flag in (False, True):
        numpy_path(flag)
        model = CommunityModel(scenario, seed=9).run(12)
        r = model.residents
        frames.append((model.recorder.timeseries(), r.sev.copy(), r.supported.copy()))
    (town_a, sev_a, sup_a), (town_b, sev_b, sup_b) = frames
    assert town_a.equals(town_b)
    assert np.array_equal(sev_a, sev_b)
    assert np.array_equal(sup_a, sup_b)
    assert (sev_a > 0).any()
