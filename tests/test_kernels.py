"""The compiled kernels and their NumPy twins give bit-identical results.

``model.kernels.USE_NUMBA`` picks the path (``KYOSEI_NUMBA=0`` turns the compiled one
off); each kernel is run both ways on the same inputs, and a short run of the small
town is made both ways and compared output by output.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import CommunityModel, kernels
from model.streams import Streams
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")


@pytest.fixture
def numpy_path(monkeypatch):
    """A context switch between the two paths for one test."""

    def use(flag: bool) -> None:
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)

    return use


def _keys(n: int) -> np.ndarray:
    return Streams(3)["keys"].keys(np.arange(n, dtype=np.uint64), 0)


@pytest.mark.parametrize("salt", [0, 1, 2**63 + 12345, 2**64 - 1])
def test_stream_hash_and_uniforms_are_the_same_on_both_paths(numpy_path, salt):
    keys = _keys(10_001)
    for sample in (keys, keys[::3], keys[:0], keys[-1:]):
        numpy_path(False)
        mixed, u = kernels.mix(sample, salt), kernels.uniform(sample, salt)
        numpy_path(True)
        assert kernels.mix(sample, salt).tobytes() == mixed.tobytes()
        assert kernels.uniform(sample, salt).tobytes() == u.tobytes()
    assert u.size == 0 or (u.min() >= 0.0 and u.max() < 1.0)


@pytest.mark.parametrize("n", [0, 1, 7, 50_000])
def test_counts_per_household_are_the_same_on_both_paths(numpy_path, n):
    """``count_by`` on random groups, masks all false and all true, empty groups at the end.

    Groups are int32 and strided int64 views; the result keeps length ``n_groups``.
    """
    rng = np.random.default_rng(n)
    n_groups = max(1, n // 3) + 5
    wide = rng.integers(0, n_groups, 2 * n)
    for groups in (wide[:n].astype(np.int32), wide[::2].astype(np.int64)):
        for mask in (rng.random(n) < 0.6, np.zeros(n, bool), np.ones(n, bool)):
            numpy_path(False)
            plain = kernels.count_by(groups, mask, n_groups)
            numpy_path(True)
            compiled = kernels.count_by(groups, mask, n_groups)
            assert compiled.dtype == plain.dtype == np.int64
            assert compiled.shape == (n_groups,)
            assert np.array_equal(compiled, plain)
            assert compiled.sum() == mask.sum()


def test_a_short_run_gives_the_same_outputs_on_both_paths(numpy_path):
    scenario = load_scenario(
        "small_town", "jusou_full", scale=20.0, overrides={"switches.warmup_months": 6}
    )
    frames = []
    for flag in (False, True):
        numpy_path(flag)
        model = CommunityModel(scenario, seed=4).run(12)
        frames.append((model.recorder.timeseries(), model.recorder.districts()))
    (town_a, district_a), (town_b, district_b) = frames
    assert town_a.equals(town_b)
    assert district_a.equals(district_b)
    assert town_a["population"].iloc[-1] > 0


@pytest.mark.parametrize(
    "dtype", [np.uint64, np.int32, np.int16, np.int8, np.uint8, np.bool_, np.float32]
)
@pytest.mark.parametrize(("n", "kept_share"), [(0, 0.5), (1, 1.0), (1, 0.0), (20_000, 0.93)])
def test_dropping_rows_is_the_same_on_both_paths(numpy_path, dtype, n, kept_share):
    gen = np.random.default_rng(n)
    row = gen.integers(0, 100, n).astype(dtype)
    mask = gen.random(n) < kept_share
    want = row[mask]
    out = []
    for flag in (False, True):
        numpy_path(flag)
        moved = row.copy()
        k = kernels.compress(moved, mask)
        assert k == want.size
        out.append(moved[:k])
    assert out[0].dtype == out[1].dtype == row.dtype
    assert out[0].tobytes() == out[1].tobytes() == want.tobytes()


def test_dropping_rows_in_a_small_world(numpy_path):
    """Worked by hand: the kept entries move to the front in order."""
    for flag in (False, True):
        numpy_path(flag)
        row = np.array([10, 11, 12, 13, 14], np.int16)
        assert kernels.compress(row, np.array([0, 1, 0, 1, 1], bool)) == 3
        assert row[:3].tolist() == [11, 13, 14]


def test_compaction_keeps_the_living_in_order_on_both_paths(numpy_path):
    """A whole table: every column (1-D and per-field rows) keeps the same rows in order."""
    from model.population import Residents

    ages = np.random.default_rng(2).integers(0, 900, 50)
    tables = []
    for flag in (False, True):
        numpy_path(flag)
        r = Residents(capacity=64)
        r.append(50, pid=np.arange(50, dtype=np.uint64), age_m=ages)
        r.sev[:] = np.arange(50) % 4
        keep = (np.arange(50) % 3) != 0
        r.keep(keep)
        tables.append(r)
        assert r.n == int(keep.sum())
        assert r.pid.tolist() == np.arange(50)[keep].tolist()
        assert r.sev[2].tolist() == (np.arange(50) % 4)[keep].tolist()
        assert r.age_m.tolist() == ages[keep].tolist()
    for name in ("pid", "age_m", "sev", "alive", "hh"):
        assert getattr(tables[0], name).tobytes() == getattr(tables[1], name).tobytes()
