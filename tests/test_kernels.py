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
