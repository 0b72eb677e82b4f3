"""The Compare page's plain figures are the figures the old ``go.Figure`` code built.

For a fixed synthetic set, every chart of the page (bands, costs, timeline, map,
equity) is built both ways — the plain ``*_spec`` builders the page sends and the
old trace-by-trace ``go.Figure`` code kept in ``tests/compare_figures_old.py`` — and
the JSON the browser would receive is compared value by value (plotly's base64
arrays decoded, NaN as null), for both languages, both screen sizes and several
choices of packages.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dashboards import compare_data, figures_compare, results, townmap
from dashboards.plot import figure_json
from dashboards.synthetic import write_synthetic
from tests import compare_figures_old as old

DTYPES = {"f8": "<f8", "f4": "<f4", "i1": "i1", "u1": "u1", "i2": "<i2", "u2": "<u2"}
DTYPES |= {"i4": "<i4", "u4": "<u4", "i8": "<i8", "u8": "<u8"}


def plain(value: Any) -> Any:
    """JSON as plain lists and numbers: typed arrays decoded, NaN → None."""
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=DTYPES[value["dtype"]])
            if "shape" in value:
                shape = [int(n) for n in str(value["shape"]).split(",")]
                arr = arr.reshape(shape)
            return plain(arr.tolist())
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    return value


def browser_json(fig: Any) -> Any:
    text = fig.to_json() if hasattr(fig, "to_json") else figure_json(fig)
    return plain(json.loads(text))


def same(new: dict[str, Any], before: Any) -> None:
    a, b = browser_json(new), browser_json(before)
    assert a["layout"] == b["layout"]
    assert len(a["data"]) == len(b["data"])
    for i, (x, y) in enumerate(zip(a["data"], b["data"], strict=True)):
        assert x == y, f"trace {i} differs"
    assert a == b


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> results.Loaded:
    root = tmp_path_factory.mktemp("figures")
    write_synthetic(root / "set", packages=4, replications=4, years=12)
    return results.load(root / "set")


CHOICES = [(0, 1, 2), (0, 3), (2, 1, 0, 3), (1,)]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("big", [False, True])
@pytest.mark.parametrize("pick", CHOICES)
def test_plain_figures_equal_the_go_figures(
    loaded: results.Loaded, lang: str, big: bool, pick: tuple[int, ...]
) -> None:
    arms = [loaded.arms[i].name for i in pick]
    labels = {a.name: a.label(lang) for a in loaded.arms}
    month = loaded.months // 2
    outcomes = compare_data.default_outcomes(loaded)[: len(pick) + 1]
    bands = compare_data.bands(loaded, arms, outcomes)
    starts = {arm: [2027.0 + k, 2030.5] for k, arm in enumerate(arms[1:])}
    same(
        figures_compare.band_spec(bands, arms, labels, outcomes, lang, starts=starts, big=big),
        old.band_chart(bands, arms, labels, outcomes, lang, starts=starts, big=big),
    )
    costs = compare_data.costs(loaded, arms)
    same(
        figures_compare.cost_spec(costs, arms, labels, lang, big=big),
        old.cost_chart(costs, arms, labels, lang, big=big),
    )
    timeline = compare_data.timeline(loaded, arms)
    assert not timeline.empty
    same(
        figures_compare.gantt_spec(timeline, labels, lang, big=big),
        old.gantt_chart(timeline, labels, lang, big=big),
    )
    polys = list(townmap.polygons(loaded.arms[0].town))
    for metric in compare_data.map_metrics(loaded)[:2]:
        values = compare_data.district_values(loaded, arms, metric, month)
        assert not values.empty
        same(
            figures_compare.map_spec(values, polys, arms, labels, metric, lang, big=big),
            old.district_map(values, polys, arms, labels, metric, lang, big=big),
        )
    equity = compare_data.equity(loaded, arms, month)
    assert not equity.empty
    same(
        figures_compare.equity_spec(equity, arms, labels, lang, big=big),
        old.equity_chart(equity, arms, labels, lang, big=big),
    )


def test_empty_tables_give_the_same_explaining_figure(loaded: results.Loaded) -> None:
    arms = [a.name for a in loaded.arms[:2]]
    labels = {a: a for a in arms}
    bands = compare_data.bands(loaded, arms, ["population"])
    none = bands.iloc[0:0]
    same(
        figures_compare.band_spec(none, arms, labels, ["population"], "en"),
        old.band_chart(none, arms, labels, ["population"], "en"),
    )
    costs = compare_data.costs(loaded, arms).iloc[0:0]
    same(
        figures_compare.cost_spec(costs, arms, labels, "ja"),
        old.cost_chart(costs, arms, labels, "ja"),
    )
    timeline = compare_data.timeline(loaded, arms).iloc[0:0]
    same(
        figures_compare.gantt_spec(timeline, labels, "ja"),
        old.gantt_chart(timeline, labels, "ja"),
    )
    values = compare_data.district_values(loaded, arms, "no_such", 12)
    same(
        figures_compare.map_spec(values, [], arms, labels, "no_such", "ja"),
        old.district_map(values, [], arms, labels, "no_such", "ja"),
    )
    equity = compare_data.equity(loaded, arms, 12).iloc[0:0]
    same(
        figures_compare.equity_spec(equity, arms, labels, "en"),
        old.equity_chart(equity, arms, labels, "en"),
    )


def test_a_changed_number_is_seen(loaded: results.Loaded) -> None:
    """The comparison above can fail: one changed value in one trace makes it differ."""
    arms = [a.name for a in loaded.arms[:2]]
    labels = {a: a for a in arms}
    costs = compare_data.costs(loaded, arms)
    spec = figures_compare.cost_spec(costs, arms, labels, "ja")
    y = np.array(plain(spec["data"][3]["y"]), dtype=float)
    y[-1] += 0.5
    spec["data"][3]["y"] = y
    with pytest.raises(AssertionError):
        same(spec, old.cost_chart(costs, arms, labels, "ja"))


def test_old_reference_module_is_only_for_tests() -> None:
    assert Path(old.__file__).parent.name == "tests"
