"""Dashboard pages rendered without a browser (``solara.render``), and their data helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pytest
import solara

from dashboards import brief, compare_data, i18n, results, state
from dashboards.synthetic import write_synthetic


@pytest.fixture(scope="module")
def results_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("results")
    write_synthetic(root / "compare", packages=3, replications=4, years=5)
    write_synthetic(root / "sweep", packages=2, replications=2, years=3, sweep=8)
    return root


@pytest.fixture(autouse=True)
def _fresh_session(monkeypatch: pytest.MonkeyPatch, results_root: Path) -> None:
    """Each test starts like a new browser session on ``results_root``."""
    from dashboards.pages import compare, explore, live

    monkeypatch.setenv("KYOSEI_RESULTS_DIR", str(results_root))
    state.lang.set("ja")
    state.big_screen.set(False)
    for r in (compare.chosen_set, compare.chosen_town, explore.chosen_set):
        r.set("")
    compare.chosen_arms.set([])
    compare.chosen_outcomes.set([])
    live.playing.set(False)
    live.live_town.set(None)
    results.clear_cache()


def charts(rc: object) -> dict[str, dict]:
    """Plotly specs of the rendered charts, by chart name."""
    found = rc.find(v.VuetifyTemplate).widgets  # type: ignore[attr-defined]
    return {w.name: w.spec for w in found if hasattr(w, "spec") and hasattr(w, "name")}


def html_text(rc: object) -> str:
    """All the raw HTML the page put out with ``solara.HTML``."""
    found = rc.find(solara.widgets.HTML).widgets  # type: ignore[attr-defined]
    return " ".join(str(w.unsafe_innerHTML) for w in found)


def notices(rc: object) -> list[str]:
    return [str(w.children) for w in rc.find(v.Alert).widgets]  # type: ignore[attr-defined]


def test_compare_page_draws_every_panel(results_root: Path) -> None:
    from dashboards.pages.compare import ComparePage

    _, rc = solara.render(ComparePage(), handle_error=False)
    shown = charts(rc)
    assert {"bands", "costs", "timeline", "map", "equity"} <= set(shown)
    # Bands: per package a lower, upper and median trace in every outcome panel.
    names = {t.get("name") for t in shown["bands"]["data"]}
    assert "現状維持（縦割り）" in names
    assert notices(rc) == []


def test_compare_kpi_has_paired_differences(results_root: Path) -> None:
    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms]
    kpi = compare_data.kpi_table(loaded, arms, 36, ["unmet_share"])
    ref, better = kpi.iloc[0], kpi.iloc[2]
    assert np.isnan(ref["mean_diff"])
    # The synthetic "full" package lowers unmet need in every replicate: the interval is below 0.
    assert better["lo"] <= better["mean_diff"] <= better["hi"] < 0


def test_bands_are_ordered(results_root: Path) -> None:
    loaded = results.load(results_root / "compare")
    b = compare_data.bands(loaded, [loaded.arms[0].name], ["population"])
    assert len(b) == loaded.months + 1
    assert (b["lo"] <= b["median"]).all()
    assert (b["median"] <= b["hi"]).all()


def test_costs_are_missing_gracefully(results_root: Path) -> None:
    loaded = results.load(results_root / "compare")
    saved = loaded.metrics
    loaded.metrics = [m for m in saved if not m.startswith("cost_")]
    try:
        assert compare_data.costs(loaded, [loaded.arms[0].name]).empty
    finally:
        loaded.metrics = saved


def test_language_switch_changes_labels(results_root: Path) -> None:
    from dashboards.pages.compare import ComparePage

    state.lang.set("en")
    _, rc = solara.render(ComparePage(), handle_error=False)
    names = {t.get("name") for t in charts(rc)["bands"]["data"]}
    assert "Baseline (siloed counters)" in names
    assert "Compare policy packages" in html_text(rc)


def test_every_text_has_both_languages() -> None:
    assert i18n.missing_keys("ja") == []
    assert i18n.missing_keys("en") == []


@pytest.mark.parametrize("case", ["missing", "empty", "corrupt_manifest", "corrupt_parquet"])
def test_bad_results_folder_gives_a_notice(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, results_root: Path
) -> None:
    from dashboards.pages.compare import ComparePage
    from dashboards.pages.explore import ExplorePage

    root = tmp_path / "results"
    if case != "missing":
        root.mkdir()
    if case == "corrupt_manifest":
        (root / "broken").mkdir()
        (root / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    if case == "corrupt_parquet":
        import shutil

        shutil.copytree(results_root / "compare", root / "broken")
        for part in (root / "broken" / "timeseries").glob("*.parquet"):
            part.write_bytes(b"not a parquet file")
    monkeypatch.setenv("KYOSEI_RESULTS_DIR", str(root))
    for page in (ComparePage, ExplorePage):
        _, rc = solara.render(page(), handle_error=False)
        text = " ".join(notices(rc))
        assert text, f"{case}: no notice on {page.__name__}"
        assert "Traceback" not in text


def test_explore_page_draws_a_sweep(results_root: Path) -> None:
    from dashboards.pages import explore

    explore.chosen_set.set(str(results_root / "sweep"))
    _, rc = solara.render(explore.ExplorePage(), handle_error=False)
    shown = charts(rc)
    assert {"scatter", "heatmap", "parcoords", "sensitivity", "advisor"} <= set(shown)
    assert shown["parcoords"]["data"][0]["type"] == "parcoords"


def test_live_page_steps_and_forks() -> None:
    from dashboards.pages import live

    _, rc = solara.render(live.LivePage(), handle_error=False)
    assert "town-a" in charts(rc)
    assert "town-b" not in charts(rc)
    town = live.live_town.value
    assert town is not None
    live.step_once()
    assert town.month == 1
    town.fork()
    town.start("outreach", "b")
    live.tick.set(live.tick.value + 1)
    shown = charts(rc)
    assert {"town-a", "town-b", "live-series"} <= set(shown)
    live.step_once()
    assert town.a.month == town.b.month == 2  # type: ignore[union-attr]
    assert "outreach" in town.active("b")
    assert "outreach" not in town.active("a")


def test_about_page_lists_parameters_with_sources() -> None:
    from dashboards.pages.about import AboutPage

    _, rc = solara.render(AboutPage(), handle_error=False)
    html = html_text(rc)
    assert "demography.tfr" in html
    assert "人口" in html
    # the source list names each cited key with its title in the page's language
    assert "[mhlw-life-table-2023]" in html
    en = "Abridged life tables for Japan 2023"
    title = "令和5年簡易生命表" if state.lang.value == "ja" else en
    assert title in html


def test_brief_is_self_contained(results_root: Path) -> None:
    from dashboards.figures_compare import band_chart

    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms]
    labels = {a.name: a.label("ja") for a in loaded.arms}
    metrics = compare_data.default_outcomes(loaded)
    fig = band_chart(compare_data.bands(loaded, arms, metrics), arms, labels, metrics, "ja")
    kpi = compare_data.kpi_table(loaded, arms, 36, metrics)
    text = brief.build(loaded, "町", arms, labels, kpi, [("bands", fig)], 3, "ja")
    assert text.count("<script") >= 2
    assert 'src="http' not in text
    assert "出典" in text
    assert "demography.tfr" in text
    assert "[mhlw-life-table-2023]" in text
    assert "令和5年簡易生命表" in text  # the Japanese title in a Japanese brief
    assert json.dumps(loaded.manifest["code_version"]).strip('"') in text


def test_export_table_has_every_shown_table(results_root: Path) -> None:
    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms][:2]
    tables = compare_data.shown_data(loaded, arms, ["unmet_share"], 24)
    out = compare_data.export_table(tables)
    assert set(out["table"]) == {"bands", "kpi", "costs", "timeline", "equity"}


@pytest.mark.slow
def test_run_comparison_job_writes_a_results_set(tmp_path: Path) -> None:
    from dashboards import jobs

    job = jobs.start(tmp_path, "district", ["baseline", "outreach"], 1, years=1, scale=50)
    jobs.wait(job, timeout=300)
    assert job.status == "done", job.message
    assert job.done == job.total == 2
    loaded = results.load(job.out)
    assert len(loaded.runs) == 2


def test_each_set_is_listed_with_its_own_state_and_a_bad_one_hides_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, results_root: Path
) -> None:
    import shutil
    import socket

    from dashboards.pages.compare import ComparePage

    root = tmp_path / "results"
    root.mkdir()
    for name in ("a_ready", "b_damaged", "c_writing"):
        shutil.copytree(results_root / "compare", root / name)
    for part in (root / "b_damaged" / "runs").glob("*.parquet"):
        part.write_bytes(part.read_bytes()[:50])
    # A sweep at work in this very process: its marker names a live pid.
    (root / "c_writing" / ".writing").write_text(f"{socket.gethostname()} {os.getpid()}\n")
    (root / "d_unreadable").mkdir()
    (root / "d_unreadable" / "manifest.json").write_text("{not json", encoding="utf-8")
    sets = results.list_sets(root)
    states = {s.path.name: s.state for s in results.set_states(sets)}
    assert states == {
        "a_ready": "ready",
        "b_damaged": "damaged",
        "c_writing": "writing",
        "d_unreadable": "damaged",
    }
    assert results.default_set(sets, results.set_states(sets)).name == "a_ready"
    labels = [s.label("en") for s in results.set_states(sets)]
    assert labels[0] == "a_ready"
    assert "being written" in labels[2]
    # The page opens on the ready set and still offers all four.
    monkeypatch.setenv("KYOSEI_RESULTS_DIR", str(root))
    _, rc = solara.render(ComparePage(), handle_error=False)
    assert not [n for n in notices(rc) if "cannot be read" in n or "読み込めません" in n]
    # A stale marker (its process is gone) is a partial or complete set, not a writing one.
    (root / "c_writing" / ".writing").write_text(f"{socket.gethostname()} 999999999\n")
    assert results.set_state(root / "c_writing").state == "ready"
