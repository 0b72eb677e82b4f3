"""The Explore page's scenario-discovery section (PRIM), rendered without a browser."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from dashboards import state
from dashboards.synthetic import write_synthetic

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("ema_workbench") is None,
        reason="the EMA Workbench is not installed (pip install 'kyosei[ema]'; make test does)",
    ),
]


@pytest.fixture
def sweep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from dashboards.pages import explore

    write_synthetic(tmp_path / "sweep", packages=2, replications=2, years=3, sweep=8)
    monkeypatch.setenv("KYOSEI_RESULTS_DIR", str(tmp_path))
    state.lang.set("en")
    explore.chosen_set.set(str(tmp_path / "sweep"))
    explore.chosen_metric.set("unmet_share")
    explore.chosen_threshold.set(float("nan"))
    explore.chosen_density.set(0.8)
    return tmp_path / "sweep"


def _result(rc: object) -> list[str]:
    found = rc.find(v.Html).widgets  # type: ignore[attr-defined]
    return [str(w.children) for w in found if "kyosei-discovery-result" in str(w.class_)]


def test_explore_shows_prims_box_for_the_chosen_threshold(sweep: Path) -> None:
    from dashboards.pages import explore
    from dashboards.results import load
    from experiments.discovery import discover
    from experiments.store import ResultsStore

    _, rc = solara.render(explore.ExplorePage(), handle_error=False)
    (text,) = _result(rc)
    frame = explore.outcomes_at(load(sweep), "unmet_share", 36)
    threshold = float(frame["unmet_share"].quantile(0.8))
    expected = discover(ResultsStore(sweep), "unmet_share", month=36, above=threshold)
    assert f"{expected.cases} of {expected.runs} runs" in text
    assert f"{expected.coverage:.0%}" in text
    assert f"{expected.density:.0%}" in text


def test_a_threshold_no_run_reaches_gives_a_notice(sweep: Path) -> None:
    from dashboards.pages import explore

    explore.chosen_threshold.set(1e9)
    _, rc = solara.render(explore.ExplorePage(), handle_error=False)
    notices = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)  # type: ignore[attr-defined]
    assert "Scenario discovery is not possible" in notices
    assert "no run has unmet_share > 1e+09" in notices
    assert _result(rc) == []
