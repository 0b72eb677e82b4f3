"""The recorder's district frame: stacked column by column, the same as a frame per month."""

from __future__ import annotations

import numpy as np
import pandas as pd

from model import CommunityModel
from model.outputs import Recorder
from scenarios import load_scenario


def test_the_stacked_district_frame_is_the_frame_per_month():
    model = CommunityModel(load_scenario("okazaki", "baseline", scale=50.0), seed=2).run(14)
    got = model.recorder.districts()
    want = model.recorder._districts_per_month()  # the general path, a frame per month
    assert model.n_districts > 1
    assert got.shape == (len(model.recorder._district) * model.n_districts, want.shape[1])
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.index.equals(pd.RangeIndex(len(got)))
    assert got["district"].tolist()[: model.n_districts] == list(range(model.n_districts))


def test_months_with_different_metrics_still_make_one_frame():
    """A month missing a metric (never the model's own reporters) takes the general path."""
    recorder = Recorder([])
    recorder._district = [
        (0, 2025, 1, {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}),
        (1, 2025, 2, {"a": np.array([5.0, 6.0])}),
    ]
    frame = recorder.districts()
    assert frame.shape == (4, 6)
    assert frame["a"].tolist() == [1.0, 2.0, 5.0, 6.0]
    assert frame["b"].iloc[:2].tolist() == [3.0, 4.0]
    assert frame["b"].iloc[2:].isna().all()
