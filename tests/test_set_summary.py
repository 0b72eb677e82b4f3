"""The Compare page's precomputed summary: the numbers computed from the runs, kept by content."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from dashboards import compare_data as cd
from dashboards import results, set_summary
from dashboards.synthetic import write_synthetic


@pytest.fixture(scope="module")
def set_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("summary")
    write_synthetic(root / "compare", packages=3, replications=4, years=5)
    return root / "compare"


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in a.columns:
        if pd.api.types.is_numeric_dtype(a[c]) and pd.api.types.is_numeric_dtype(b[c]):
            pd.testing.assert_series_equal(
                a[c].astype(float), b[c].astype(float), check_names=False, rtol=1e-12
            )
        else:
            assert a[c].astype(str).tolist() == b[c].astype(str).tolist(), c


def test_summary_gives_the_numbers_computed_from_the_runs(set_path: Path) -> None:
    results.clear_cache()
    loaded = results.load(set_path)
    assert "summary" in loaded.extra
    raw = dataclasses.replace(loaded, extra={})  # same set, nothing precomputed
    names = [a.name for a in loaded.arms]
    for arms in (names, names[::-1][:2], names[1:2]):
        metrics = loaded.metrics[::3]
        _same(cd.bands(loaded, arms, metrics), cd.bands(raw, arms, metrics))
        for month in set_summary.kpi_months(loaded.months):
            _same(
                cd.kpi_table(loaded, arms, month, metrics),
                cd.kpi_table(raw, arms, month, metrics),
            )
        _same(cd.equity(loaded, arms, 24), cd.equity(raw, arms, 24))
        _same(cd.costs(loaded, arms), cd.costs(raw, arms))
        _same(cd.budget(loaded, arms), cd.budget(raw, arms))
        assert cd.budget(loaded, arms).attrs["years"] == cd.budget(raw, arms).attrs["years"]
        _same(cd.cost_per_reconnected(loaded, arms), cd.cost_per_reconnected(raw, arms))
        _same(cd.timeline(loaded, arms), cd.timeline(raw, arms))
    # A month off the year slider is computed from the runs.
    _same(cd.kpi_table(loaded, names, 7, ["unmet"]), cd.kpi_table(raw, names, 7, ["unmet"]))


def test_a_set_opened_again_reads_its_summary_not_its_runs(set_path: Path) -> None:
    results.clear_cache()
    first = results.load(set_path)
    stored = list((set_path / set_summary.FOLDER).iterdir())
    assert len(stored) == 1
    results.clear_cache()
    again = results.load(set_path)
    assert again.data is None  # the time series were not read
    assert again.metrics == first.metrics
    assert again.months == first.months
    arms = [a.name for a in again.arms]
    _same(
        cd.kpi_table(again, arms, 60, again.metrics), cd.kpi_table(first, arms, 60, first.metrics)
    )
    raw = dataclasses.replace(first, extra={})  # computed from its time series
    assert [cd.calendar_start(again, a) for a in arms] == [cd.calendar_start(raw, a) for a in arms]
    assert again.data is None  # the band chart's start years came from the summary too
    assert not again.timeseries.empty  # still there on demand (explore page, exports)


def test_the_key_follows_the_content(set_path: Path, tmp_path: Path) -> None:
    import shutil

    store = results.load(set_path).store
    runs = store.runs(status="ok")

    def key(runs: pd.DataFrame, path: Path = set_path) -> str:
        return set_summary.content_key(path, store.manifest, runs)

    assert key(runs) == key(runs.iloc[::-1])  # the order runs were read in does not matter
    assert key(runs) != key(runs.iloc[1:])  # one run fewer
    assert key(runs) != key(runs.assign(finished=runs["finished"].astype(str) + "x"))  # rerun
    copy = tmp_path / "copy"
    shutil.copytree(set_path, copy)
    assert key(runs, copy) == key(runs)  # a copied set keeps its summary
    part = next((copy / "timeseries").glob("*.parquet"))
    part.write_bytes(b"damaged")
    assert key(runs, copy) != key(runs)


def test_a_plain_figure_goes_to_the_browser_as_strict_json() -> None:
    import json

    from dashboards.plot import figure_json

    text = figure_json({"data": [{"type": "scatter", "y": [float("nan"), 1.5]}], "layout": {}})
    assert "NaN" not in text  # the browser's JSON.parse rejects NaN
    assert json.loads(text)["data"][0]["y"] == [None, 1.5]
