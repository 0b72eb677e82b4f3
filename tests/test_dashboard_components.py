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
    from dashboards import live as live_session

    live_session.SESSION.pause()
    live_session.SESSION = live_session.LiveSession()
    live.follow.set(False)
    results.clear_cache()


def charts(rc: object) -> dict[str, dict]:
    """Plotly specs of the rendered charts, by chart name."""
    found = rc.find(v.VuetifyTemplate).widgets  # type: ignore[attr-defined]
    return {
        w.name: json.loads(w.spec) if isinstance(w.spec, str) else w.spec
        for w in found
        if hasattr(w, "spec") and hasattr(w, "name")
    }


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
    import dataclasses

    from dashboards import set_summary

    full = results.load(results_root / "compare")
    # The same set as if it had no cost columns, with nothing precomputed.
    loaded = dataclasses.replace(
        full, metrics=[m for m in full.metrics if not m.startswith("cost_")], extra={}
    )
    assert compare_data.costs(loaded, [loaded.arms[0].name]).empty
    # Its summary has no costs either.
    loaded.extra["summary"] = set_summary.compute(loaded)
    assert compare_data.costs(loaded, [loaded.arms[0].name]).empty


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


def live_charts(rc: object) -> dict[str, dict]:
    """Plotly specs of the live page's charts (sent as JSON strings), by chart name."""
    found = rc.find(v.VuetifyTemplate).widgets  # type: ignore[attr-defined]
    return {w.name: json.loads(w.spec_json) for w in found if hasattr(w, "spec_json")}


def test_live_page_steps_and_forks() -> None:
    from dashboards import live as live_session
    from dashboards.pages import live

    charts = live_charts

    _, rc = solara.render(live.LivePage(), handle_error=False)
    assert "town-a" in charts(rc)
    assert "town-b" not in charts(rc)
    town = live_session.SESSION.town
    assert town is not None
    live.step_once()
    assert town.month == 1
    live.toggle_fork()
    live.start_component()  # outreach, into future B
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
    assert set(out["table"]) == {
        "bands",
        "kpi",
        "costs",
        "budget",
        "per_person",
        "timeline",
        "equity",
    }


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


def test_budget_payer_rows_add_up_to_the_total(results_root: Path) -> None:
    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms]
    table = compare_data.budget(loaded, arms)
    payers = set(table["payer"]) - {"cost_total"}
    assert "cost_private" in payers  # donors are a payer row of their own
    for arm, part in table.groupby("arm"):
        total = part.loc[part["payer"] == "cost_total", "total"].iloc[0]
        assert part.loc[part["payer"] != "cost_total", "total"].sum() == pytest.approx(total)
        # The set's own total column over the horizon, averaged over replicates.
        ts = loaded.timeseries.merge(loaded.runs[["run_id", "arm"]], on="run_id")
        mine = ts[(ts["arm"] == arm) & (ts["month"] >= 1)]
        expected = mine.groupby("run_id")["cost_total"].sum().mean()
        assert total == pytest.approx(expected)
    full = table[(table["arm"] == arms[2]) & (table["payer"] == "cost_total")].iloc[0]
    ref = table[(table["arm"] == arms[0]) & (table["payer"] == "cost_total")].iloc[0]
    assert full["increment"] == pytest.approx(full["total"] - ref["total"])
    assert full["per_year"] == pytest.approx(full["total"] / (loaded.months / 12))


def test_yearly_costs_stack_to_the_year_total(results_root: Path) -> None:
    loaded = results.load(results_root / "compare")
    arm = loaded.arms[1].name
    yearly = compare_data.costs(loaded, [arm])
    wide = yearly.pivot_table(index="year", columns="payer", values="yearly")
    assert list(wide.index) == list(range(1, loaded.months // 12 + 1))
    ts = loaded.timeseries[loaded.timeseries["run_id"].isin(compare_data.run_ids(loaded, arm))]
    year1 = ts[(ts["month"] >= 1) & (ts["month"] <= 12)].groupby("run_id")["cost_total"].sum()
    assert wide.loc[1].sum() == pytest.approx(year1.mean())
    last = yearly[yearly["year"] == yearly["year"].max()]
    assert last["cumulative"].sum() == pytest.approx(wide.to_numpy().sum())


def test_money_is_in_man_yen_a_year_and_oku_yen() -> None:
    assert i18n.format_value("cost_total", 1e6, "ja") == "1,200 万円/年"  # ¥1 M a month
    assert i18n.format_value("cost_cumulative", 2.77e8, "ja") == "2.77 億円"
    assert i18n.format_value("cost_per_reconnected", 250_000, "ja") == "25 万円/人"
    assert i18n.format_delta("unmet_share", -0.0105, "ja") == "−1.05 ポイント"
    assert i18n.format_delta("unmet_share", 0.01, "en") == "+1.00 pt"


def test_cost_per_person_reconnected(results_root: Path) -> None:
    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms]
    per = compare_data.cost_per_reconnected(loaded, arms).set_index("arm")
    table = compare_data.budget(loaded, arms)
    total = table[(table["arm"] == arms[2]) & (table["payer"] == "cost_total")]["total"].iloc[0]
    assert per.loc[arms[2], "per_person"] == pytest.approx(total / per.loc[arms[2], "reconnected"])
    assert per.loc[arms[2], "extra"] > 0
    assert np.isnan(per.loc[arms[0], "per_extra"])


def test_verdict_from_the_paired_interval() -> None:
    # unmet_share: lower is better; reconnected: higher is better; population: neither.
    assert compare_data.verdict("unmet_share", -0.02, -0.01) == "better"
    assert compare_data.verdict("unmet_share", 0.01, 0.02) == "worse"
    assert compare_data.verdict("unmet_share", -0.01, 0.005) == "none"
    assert compare_data.verdict("reconnected", 3.0, 9.0) == "better"
    assert compare_data.verdict("population", 3.0, 9.0) == "up"
    assert compare_data.verdict("unmet_share", float("nan"), float("nan")) == ""


def test_kpi_verdicts_match_the_intervals(results_root: Path) -> None:
    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms]
    kpi = compare_data.kpi_table(loaded, arms, 36, ["unmet_share", "population"])
    full = kpi[(kpi["arm"] == arms[2]) & (kpi["metric"] == "unmet_share")].iloc[0]
    assert full["verdict"] == "better"  # the synthetic full package lowers unmet need
    assert (kpi.loc[kpi["arm"] == arms[0], "verdict"] == "").all()
    html = brief.kpi_html(kpi, {a.name: a.label("ja") for a in loaded.arms}, "ja")
    assert "改善" in html
    assert "低いほど良い" in html


def test_package_colour_is_fixed_by_name_not_position() -> None:
    from dashboards.figures_common import package_colour

    a = package_colour("small_town/jusou_full")
    assert a == package_colour("district/jusou_full [x=1]") == package_colour("jusou_full")
    assert a != package_colour("small_town/outreach")
    assert package_colour("small_town/baseline") == "#6b6b6b"
    assert package_colour("my_own_package") == package_colour("x/my_own_package")


def test_band_colours_do_not_follow_the_list_order(results_root: Path) -> None:
    from dashboards.figures_compare import band_chart

    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms]
    labels = {a.name: a.name for a in loaded.arms}
    bands = compare_data.bands(loaded, arms, ["unmet_share"])

    def colours(order: list[str]) -> dict[str, str]:
        fig = band_chart(bands, order, labels, ["unmet_share"], "ja")
        return {t.name: t.line.color for t in fig.data if t.name}

    assert colours(arms) == colours(arms[::-1])


def test_summary_says_what_the_numbers_say(results_root: Path) -> None:
    from dashboards import summary

    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms]
    kpi = compare_data.kpi_table(loaded, arms, 36, ["unmet_share", "population"])
    table = compare_data.budget(loaded, arms)
    for lang in ("ja", "en"):
        labels = {a.name: a.label(lang) for a in loaded.arms}
        text = summary.summary(loaded, "町", arms, labels, kpi, 3, lang, table)
        full = table[(table["arm"] == arms[2]) & (table["payer"] == "cost_total")].iloc[0]
        assert f"{full['total'] / 1e8:,.2f}" in text  # its total in 億円
        assert labels[arms[2]] in text
        assert ("改善" if lang == "ja" else "better") in text
        assert ("4回" if lang == "ja" else "4 times") in text
        assert ("1人＝10人" if lang == "ja" else "= 10 people") in text
    assert "1:10" in summary.set_label(results_root / "compare", "ja")


def test_brief_opens_with_a_summary_and_a_budget_that_adds_up(results_root: Path) -> None:
    import re

    loaded = results.load(results_root / "compare")
    arms = [a.name for a in loaded.arms]
    labels = {a.name: a.label("ja") for a in loaded.arms}
    kpi = compare_data.kpi_table(loaded, arms, 36, ["unmet_share"])
    table = compare_data.budget(loaded, arms)
    text = brief.build(
        loaded, "町", arms, labels, kpi, [], 3, "ja",
        budget=table, per_person=compare_data.cost_per_reconnected(loaded, arms),
        summary="要旨の本文",
    )  # fmt: skip
    assert text.index("要旨") < text.index("KPI")
    assert str(loaded.path) not in text  # no local path in the brief
    body = text[text.index("kyosei-budget") :]
    cells = re.findall(r"<tr>(.*?)</tr>", body[: body.index("</table>")])
    rows = [r for c in cells if (r := re.findall(r"<td[^>]*>(.*?)</td>", c))]
    full = rows[12:18]  # the third package: five payers, then the total
    assert [r[1] for r in full] == ["国", "都道府県", "市町村", "保険料", "寄附・民間", "合計"]
    parts = sum(float(r[3].replace(",", "")) for r in full[:-1])
    # Six figures rounded to 0.01 億円: they add up within the rounding.
    assert parts == pytest.approx(float(full[-1][3].replace(",", "")), abs=0.03)


def test_share_ticks_never_repeat() -> None:
    from dashboards.figures_common import share_format

    for lo, hi in ((0.0201, 0.0204), (0.019, 0.024), (0.1, 0.6), (0.00011, 0.00019)):
        fmt = share_format([lo, hi])
        digits = int(fmt[1:-1])
        ticks = np.linspace(lo, hi, 6)
        labels = [f"{v * 100:.{digits}f}" for v in ticks]
        assert len(set(labels)) == len(labels), (lo, hi, fmt, labels)


def test_explore_advice_speaks_the_readers_language(results_root: Path) -> None:
    from dashboards.pages.explore import advice_sentence
    from experiments import analysis

    loaded = results.load(results_root / "compare")
    arm = loaded.arms[2].name
    advice = analysis.replication_advice(loaded.store, "unmet_share", arm=arm, month=36)
    labels = {a.name: a.label("ja") for a in loaded.arms}
    text = advice_sentence(advice, arm, labels, "ja")
    assert "4反復" in text
    assert "16反復" in text
    assert "ポイント" in text
    assert arm not in text  # the package by its label, not its raw name


@pytest.mark.slow
def test_a_comparison_started_on_one_set_goes_beside_it_and_is_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opened on one set, the dashboard writes a new comparison beside it, never inside.

    The new set is listed with the set the dashboard was opened on, marked as being
    written while its sweep runs, and not the set a new session opens on meanwhile.
    """
    import time

    from dashboards import jobs

    opened = tmp_path / "mine"
    write_synthetic(opened, packages=2, replications=2, years=2)
    inside = sorted(p.relative_to(opened) for p in opened.rglob("*"))
    job = jobs.start(opened, "district", ["baseline", "outreach"], 1, years=1, scale=50)
    assert job.out.parent == tmp_path
    seen_writing = 0
    while job.status == "running":
        if (job.out / "manifest.json").exists():
            sets = results.list_sets(opened)
            states = results.set_states(sets)
            if job.done < job.total:  # runs still to come after the look: it must say so
                assert [s.path for s in states] == [opened, job.out]
                assert states[1].state == "writing", states[1]
                assert results.default_set(sets, states) == opened
                seen_writing += 1
        time.sleep(0.05)
    jobs.wait(job, timeout=300)
    assert job.status == "done", job.message
    assert seen_writing > 0
    assert sorted(p.relative_to(opened) for p in opened.rglob("*")) == inside
    assert results.list_sets(opened) == [opened, job.out]
    assert [s.state for s in results.set_states([job.out])] == ["ready"]
    assert len(results.load(job.out).runs) == 2
    # A folder of sets still gets the new set inside it, as before.
    assert jobs.home_of(tmp_path) == tmp_path


def test_bands_count_calendar_years_like_the_store(tmp_path: Path, results_root: Path) -> None:
    # The bands' year is the calendar year of the month (as in the store's year column and
    # on the Live page), not years since the start.
    from experiments.sweep import run_experiment

    from .experiment_files import write_experiment

    exp = write_experiment(tmp_path, replications=1, design='kind = "none"', uncertainties="")
    run_experiment(exp, tmp_path / "out", workers=1, progress=False)
    loaded = results.load(tmp_path / "out")
    arm = loaded.arms[0].name
    b = compare_data.bands(loaded, [arm], ["population"])
    ts = loaded.timeseries[loaded.timeseries["run_id"] == compare_data.run_ids(loaded, arm)[0]]
    expected = ts["year"] + (ts["calendar_month"] - 1) / 12.0
    assert b["year"].to_numpy() == pytest.approx(expected.to_numpy())
    assert b["year"].iloc[0] == compare_data.calendar_start(loaded, arm) > 1900
    # Opened again, the start comes from the stored summary: no time series is read.
    results.clear_cache()
    again = results.load(tmp_path / "out")
    assert compare_data.calendar_start(again, arm) == compare_data.calendar_start(loaded, arm)
    assert again.data is None
    # A set written before calendar time (year = months / 12) keeps years from the start.
    old = results.load(results_root / "compare")
    assert compare_data.calendar_start(old, old.arms[0].name) == 0.0
