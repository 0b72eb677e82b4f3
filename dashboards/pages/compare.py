"""比較 / Compare: policy packages side by side for one town, from a results set.

Policy staff pick a results set, a town and 2–4 packages, and get: time series with
median and 10–90 % bands, a KPI table with paired differences from the reference, cost
by payer, the intervention timeline, a district map, the equity panel, and exports
(policy brief, CSV, Parquet). A panel below runs a new comparison in the background.
"""

from __future__ import annotations

import functools
import html
import io
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pandas as pd
import solara
from solara.server import kernel_context

from .. import brief, compare_data, server, state, summary, townmap
from ..figures_compare import (
    band_chart,
    band_spec,
    cost_chart,
    cost_spec,
    equity_chart,
    equity_spec,
    gantt_chart,
    gantt_spec,
    map_spec,
)
from ..i18n import format_value, metric_label, t
from ..plot import Chart
from ..results import (
    Loaded,
    ResultsProblem,
    default_set,
    list_sets,
    load,
    preload,
    set_states,
)
from ..widgets import (
    Choice,
    MultiChoice,
    Notice,
    PackageChoice,
    Section,
    SetChoice,
    current_set,
    town_label,
)
from .run_panel import RunPanel


class Same[T]:
    """A value that hook dependencies and component arguments compare by identity.

    reacton compares them with ``==``, which for a DataFrame compares every cell (and
    then fails to make one truth value of it): that cost a tenth of a second per change.
    The tables here are made by ``use_memo``, so the same table is the same object.
    """

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.value is self.value

    def __hash__(self) -> int:
        return id(self.value)


# The user's choices (one set per browser session).
chosen_set = solara.reactive("")
chosen_town = solara.reactive("")
chosen_arms: solara.Reactive[list[str]] = solara.reactive([])
chosen_outcomes: solara.Reactive[list[str]] = solara.reactive([])
chosen_year = solara.reactive(-1)
chosen_map_metric = solara.reactive("")


def effective_choices(loaded: Loaded) -> tuple[str, list[str], list[str], int, str]:
    """The user's choices made valid for this set (defaults where a choice does not apply)."""
    towns = loaded.towns()
    town = chosen_town.value if chosen_town.value in towns else towns[0]
    names = [a.name for a in loaded.arms_of(town)]
    arms = [a for a in chosen_arms.value if a in names]
    if not arms:
        arms = names[:3]
    outcomes = [m for m in chosen_outcomes.value if m in loaded.metrics]
    if not outcomes:
        outcomes = compare_data.default_outcomes(loaded)
    max_year = loaded.months // 12
    year = chosen_year.value if 0 <= chosen_year.value <= max_year else max_year
    return town, arms, outcomes, year, chosen_map_metric.value


@solara.component
def ComparePage() -> None:
    """The page (see the module docstring)."""
    root = server.results_dir()
    refresh, set_refresh = solara.use_state(0)

    def show_new_set(path: Path) -> None:
        chosen_set.set(str(path))
        set_refresh(refresh + 1)

    solara.HTML(tag="h2", unsafe_innerHTML=t("compare.title"), style="margin: 8px 0;")
    try:
        sets = list_sets(root)
    except ResultsProblem as problem:
        Notice(problem.message(state.lang.value))
        RunPanel(on_done=show_new_set)
        return
    states = set_states(sets)
    current = current_set(chosen_set.value, sets, lambda s: default_set(s, states))
    preload([p for p in sets if str(p) != current])
    SetChoice(current, sets, chosen_set.set, css="kyosei-set")
    try:
        loaded = load(current)
    except ResultsProblem as problem:
        Notice(problem.message(state.lang.value))
    else:
        CompareBody(loaded)
    RunPanel(on_done=show_new_set)


@solara.component
def CompareBody(loaded: Loaded) -> None:
    """Everything below the set selector, for one loaded set."""
    lang = state.lang.value
    big = state.big_screen.value
    started = time.perf_counter()
    town, arms, outcomes, year, map_metric = effective_choices(loaded)
    labels = {a.name: a.label(lang) for a in loaded.arms}
    solara.Text(
        t(
            "results.summary",
            runs=len(loaded.runs),
            arms=len(loaded.arms),
            reps=loaded.replications(),
            years=loaded.months // 12,
            created=str(loaded.manifest.get("created", ""))[:10],
        ),
        style="color: #555;",
    )
    with solara.Row(style="flex-wrap: wrap; gap: 16px; align-items: flex-start;"):
        with solara.Column(style="min-width: 220px; flex: 1;"):
            Choice(
                t("compare.town"),
                town,
                [(tw, _town_label(tw, lang)) for tw in loaded.towns()],
                chosen_town.set,
                css="kyosei-town",
                help=t("compare.town.help"),
            )
        with solara.Column(style="min-width: 380px; flex: 2;"):
            PackageChoice(
                t("compare.packages"),
                arms,
                [(a.name, labels[a.name]) for a in loaded.arms_of(town)],
                lambda v: chosen_arms.set(list(v)[:4]),
                css="kyosei-arms",
                help=t("compare.packages.help"),
            )
        with solara.Column(style="min-width: 380px; flex: 2;"):
            MultiChoice(
                t("compare.outcomes"),
                outcomes,
                [(m, metric_label(m, lang)) for m in compare_data.outcome_choices(loaded)],
                chosen_outcomes.set,
                css="kyosei-outcomes",
                help=t("compare.outcomes.help"),
            )
    if len(arms) < 2:
        Notice(t("compare.pick_two"), kind="info")
    # The band chart answers first. The panels around it (summary, KPIs, costs, budget,
    # timeline, map, equity, exports) follow in a second pass, started from a thread once
    # the first pass has gone to the browser: on the page's first showing and after every
    # change. Until then they show the previous choice, dimmed and marked as updating.
    choices = (town, tuple(arms), tuple(outcomes), year, map_metric)
    shown, set_shown = solara.use_state(cast(tuple[Loaded, tuple[Any, ...]] | None, None))
    stale = shown is None or shown[0] is not loaded or shown[1] != choices

    def catch_up() -> None:
        if not stale:
            return
        if kernel_context.has_current_context():  # served: after this pass is sent
            threading.Thread(target=set_shown, args=((loaded, choices),), daemon=True).start()
        else:  # solara.render without a server (tests): at once
            set_shown((loaded, choices))

    solara.use_effect(catch_up, [Same(loaded), choices])
    later = _details_args(*shown) if shown is not None else None
    with solara.Column(classes=["kyosei-later", "kyosei-stale" if stale else "kyosei-fresh"]):
        if later is not None:
            SummaryPanel(*later[:7])
    bands = solara.use_memo(
        lambda: compare_data.bands(loaded, arms, outcomes),
        dependencies=[Same(loaded), tuple(arms), tuple(outcomes)],
    )
    timeline = solara.use_memo(
        lambda: compare_data.timeline(loaded, arms), dependencies=[Same(loaded), tuple(arms)]
    )

    def band_figure() -> object:
        starts = {  # calendar years, like the bands' x axis
            arm: sorted(
                set(
                    compare_data.calendar_start(loaded, arm)
                    + timeline.loc[timeline["arm"] == arm, "start_month"] / 12.0
                )
            )
            for arm in arms
            if arm != loaded.arm(arm).reference
        }
        return band_spec(bands, arms, labels, outcomes, lang, starts=starts, big=big)

    # Each figure is rebuilt only when its own inputs change: a new year or outcome leaves
    # the other charts as they are (no new figure, nothing sent, no redraw in the browser).
    Section(t("compare.band"), css="kyosei-bands-title")
    Chart(
        solara.use_memo(band_figure, dependencies=[Same(bands), Same(timeline), lang, big]),
        name="bands",
        height=max(340, 300 * ((len(outcomes) + 1) // 2)),
    )
    with solara.Column(classes=["kyosei-later", "kyosei-stale" if stale else "kyosei-fresh"]):
        if later is not None:
            Details(*later)
    elapsed = time.perf_counter() - started
    solara.Text(
        t("compare.render_time", seconds=elapsed),
        style="color: #999; font-size: 0.8em;",
        classes=["kyosei-render-time"],
    )


@solara.component
def Details(
    loaded: Loaded,
    town: str,
    arms: list[str],
    outcomes: list[str],
    year: int,
    month: int,
    labels: dict[str, str],
    map_metric: str,
) -> None:
    """Everything below the band chart: KPIs, costs, budget, timeline, map, equity, exports."""
    lang = state.lang.value
    bands = solara.use_memo(  # the band chart's table (picked from the summary, ≤ 10 ms)
        lambda: compare_data.bands(loaded, arms, outcomes),
        dependencies=[Same(loaded), tuple(arms), tuple(outcomes)],
    )
    timeline = solara.use_memo(
        lambda: compare_data.timeline(loaded, arms), dependencies=[Same(loaded), tuple(arms)]
    )
    big = state.big_screen.value
    KpiPanel(loaded, arms, outcomes, year, month, labels)
    costs = solara.use_memo(
        lambda: compare_data.costs(loaded, arms), dependencies=[loaded, tuple(arms)]
    )
    Section(t("compare.costs"), t("compare.costs.help"))
    Chart(
        solara.use_memo(
            lambda: cost_spec(costs, arms, labels, lang, big=big),
            dependencies=[Same(costs), lang, big],
        ),
        name="costs",
        height=560,
    )
    BudgetPanel(loaded, arms, labels)
    Section(t("compare.timeline"))
    Chart(
        solara.use_memo(
            lambda: gantt_spec(timeline, labels, lang, big=big),
            dependencies=[Same(timeline), lang, big],
        ),
        name="timeline",
        height=max(220, 40 * len(timeline) + 110),
    )
    MapPanel(loaded, town, arms, labels, month, map_metric)
    equity = solara.use_memo(
        lambda: compare_data.equity(loaded, arms, month),
        dependencies=[loaded, tuple(arms), month],
    )
    Section(t("compare.equity"), t("compare.equity.help"))
    Chart(
        solara.use_memo(
            lambda: equity_spec(equity, arms, labels, lang, big=big),
            dependencies=[Same(equity), lang, big],
        ),
        name="equity",
        height=360,
    )
    GiniPanel(loaded, arms, month, labels)
    ExportPanel(
        loaded, town, arms, outcomes, year, month, labels,
        Same(bands), Same(costs), Same(timeline), Same(equity),
    )  # fmt: skip


def _call_latest(latest: Any, name: str) -> bytes:
    data: bytes = latest.current[name]()
    return data


def _details_args(
    loaded: Loaded, choices: tuple[Any, ...]
) -> tuple[Loaded, str, list[str], list[str], int, int, dict[str, str], str]:
    """The arguments of :func:`SummaryPanel` (the first seven) and :func:`Details`."""
    town, arms, outcomes, year, map_metric = choices
    month = compare_data.year_to_month(loaded, year)
    labels = {a.name: a.label(state.lang.value) for a in loaded.arms}
    return loaded, town, list(arms), list(outcomes), year, month, labels, map_metric


def _town_label(town: str, lang: str, with_name: bool = False) -> str:
    """The town's label (``with_name`` adds its file name, for researchers)."""
    label = town_label(town, lang)
    return f"{label} ({Path(town).stem})" if with_name else label


def summary_text(
    loaded: Loaded, town: str, arms: list[str], outcomes: list[str], year: int, month: int,
    labels: dict[str, str], lang: str,
) -> str:  # fmt: skip
    """The 要旨 of these choices (the page and the brief say the same)."""
    kpi = compare_data.kpi_table(loaded, arms, month, outcomes)
    return summary.summary(
        loaded,
        _town_label(town, lang),
        arms,
        labels,
        kpi,
        year,
        lang,
        compare_data.budget(loaded, arms),
    )


@solara.component
def SummaryPanel(
    loaded: Loaded,
    town: str,
    arms: list[str],
    outcomes: list[str],
    year: int,
    month: int,
    labels: dict[str, str],
) -> None:
    """The 要旨: a few sentences written from the KPI table and the budget."""
    lang = state.lang.value
    text = solara.use_memo(
        lambda: summary_text(loaded, town, arms, outcomes, year, month, labels, lang),
        dependencies=[loaded, town, tuple(arms), tuple(outcomes), year, lang],
    )
    Section(t("summary.title"), css="kyosei-summary-title")
    solara.HTML(tag="p", unsafe_innerHTML=html.escape(text), classes=["kyosei-summary"])


@solara.component
def KpiPanel(
    loaded: Loaded,
    arms: list[str],
    outcomes: list[str],
    year: int,
    month: int,
    labels: dict[str, str],
) -> None:
    """The year slider and the KPI table with paired differences."""
    lang = state.lang.value
    Section(t("compare.kpi"), t("compare.kpi.help"))
    solara.SliderInt(
        t("compare.year", year=year),
        value=year,
        min=0,
        max=loaded.months // 12,
        on_value=chosen_year.set,
        thumb_label=False,
    )
    kpi = solara.use_memo(
        lambda: compare_data.kpi_table(loaded, arms, month, outcomes),
        dependencies=[loaded, tuple(arms), month, tuple(outcomes)],
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=brief.kpi_html(kpi, labels, lang),
        classes=["kyosei-kpi"],
    )
    solara.Text(t("verdict.help"), style="color: #555; font-size: 0.85em;")


@solara.component
def GiniPanel(loaded: Loaded, arms: list[str], month: int, labels: dict[str, str]) -> None:
    """The district Gini of unmet need per package, next to the town-wide level, explained."""
    gini = "unmet_gini_districts"
    have = gini in loaded.metrics
    lang = state.lang.value
    level = "unmet_share" if "unmet_share" in loaded.metrics else ""
    table = solara.use_memo(  # before the return below: the same hooks on every render
        lambda: (
            compare_data.kpi_table(loaded, arms, month, [gini] + ([level] if level else []))
            if have
            else None
        ),
        dependencies=[loaded, tuple(arms), month, level],
    )
    if table is None:
        return
    text = t("compare.gini") + ": "
    parts = []
    for arm in arms:
        mine = {
            str(r["metric"]): float(r["median"])
            for r in table[table["arm"] == arm].to_dict("records")
        }
        piece = f"{labels.get(arm, arm)} {mine[gini]:.3f}"
        if level:
            piece += t(
                "compare.gini.level",
                value=format_value(level, mine[level], lang),
            )
        parts.append(piece)
    solara.Text(text + " / ".join(parts), classes=["kyosei-gini"])
    solara.Text(
        t("compare.gini.explain"),
        style="color: #555; font-size: 0.9em;",
        classes=["kyosei-gini-explain"],
    )


@solara.component
def BudgetPanel(loaded: Loaded, arms: list[str], labels: dict[str, str]) -> None:
    """The budget table by payer and the cost per person reconnected."""
    lang = state.lang.value
    table = solara.use_memo(
        lambda: compare_data.budget(loaded, arms), dependencies=[loaded, tuple(arms)]
    )
    per = solara.use_memo(
        lambda: compare_data.cost_per_reconnected(loaded, arms),
        dependencies=[loaded, tuple(arms)],
    )
    if table.empty:
        return
    Section(t("budget.title"), t("budget.help"))
    solara.HTML(
        tag="div",
        unsafe_innerHTML=brief.budget_html(table, per, labels, lang),
        classes=["kyosei-budget-panel"],
    )


@solara.component
def MapPanel(
    loaded: Loaded,
    town: str,
    arms: list[str],
    labels: dict[str, str],
    month: int,
    map_metric: str,
) -> None:
    """The district map of the chosen per-district outcome."""
    lang = state.lang.value
    names = compare_data.map_metrics(loaded)
    metric = map_metric if map_metric in names else (names[0] if names else "")
    values = solara.use_memo(
        lambda: compare_data.district_values(loaded, arms, metric, month),
        dependencies=[loaded, tuple(arms), metric, month],
    )
    big = state.big_screen.value

    def figure() -> object:
        try:
            polys = list(townmap.polygons(town))
        except Exception:  # a town profile that no longer loads: no borders to draw
            polys = []
        return map_spec(values, polys, arms, labels, metric, lang, big=big)

    # Rebuilt only when the map's own inputs change (not for a new outcome in the bands).
    fig = solara.use_memo(figure, dependencies=[Same(values), town, lang, big])
    Section(t("compare.map"), t("compare.map.help"))
    if not names:
        Notice(t("compare.map.missing"), kind="info")
        return
    Choice(
        t("compare.map.metric"),
        metric,
        [(m, metric_label(m, lang)) for m in names],
        chosen_map_metric.set,
        css="kyosei-map-metric",
    )
    Chart(
        fig,
        name="map",
        height=380,
    )


@solara.component
def ExportPanel(
    loaded: Loaded,
    town: str,
    arms: list[str],
    outcomes: list[str],
    year: int,
    month: int,
    labels: dict[str, str],
    same_bands: Same[pd.DataFrame],
    same_costs: Same[pd.DataFrame],
    same_timeline: Same[pd.DataFrame],
    same_equity: Same[pd.DataFrame],
) -> None:
    """Downloads: the policy brief and the shown data; each file is made when clicked."""
    bands, costs = same_bands.value, same_costs.value
    timeline, equity = same_timeline.value, same_equity.value
    lang = state.lang.value

    def tables() -> dict[str, pd.DataFrame]:
        return {
            "bands": bands,
            "kpi": compare_data.kpi_table(loaded, arms, month, outcomes),
            "costs": costs,
            "budget": compare_data.budget(loaded, arms),
            "per_person": compare_data.cost_per_reconnected(loaded, arms),
            "timeline": timeline,
            "equity": equity,
        }

    def csv_bytes() -> bytes:
        return compare_data.export_table(tables()).to_csv(index=False).encode("utf-8-sig")

    def parquet_bytes() -> bytes:
        buf = io.BytesIO()
        compare_data.export_table(tables()).astype({"table": "string"}).to_parquet(buf, index=False)
        return buf.getvalue()

    def brief_bytes() -> bytes:
        big = False
        figures = [
            (t("compare.band"), band_chart(bands, arms, labels, outcomes, lang, big=big)),
            (t("compare.costs"), cost_chart(costs, arms, labels, lang)),
            (t("compare.timeline"), gantt_chart(timeline, labels, lang)),
            (t("compare.equity"), equity_chart(equity, arms, labels, lang)),
        ]
        kpi = compare_data.kpi_table(loaded, arms, month, outcomes)
        town_name = _town_label(town, lang)
        text = brief.build(
            loaded,
            town_name,
            arms,
            labels,
            kpi,
            figures,
            year,
            lang,
            budget=compare_data.budget(loaded, arms),
            per_person=compare_data.cost_per_reconnected(loaded, arms),
            summary=summary_text(loaded, town, arms, outcomes, year, month, labels, lang),
        )
        return text.encode("utf-8")

    # FileDownload gets the same three functions on every render, each calling the latest
    # of the functions above when clicked: a new function per render made every download
    # button reset and start a thread on each selection change (≈ 0.1 s a change).
    latest = solara.use_ref(cast(dict[str, Callable[[], bytes]], {}))
    latest.current = {"brief": brief_bytes, "csv": csv_bytes, "parquet": parquet_bytes}
    made = solara.use_memo(
        lambda: {k: functools.partial(_call_latest, latest, k) for k in latest.current}, []
    )
    stem = f"kyosei-{Path(str(loaded.path)).name}-{Path(town).stem}"
    Section(t("compare.export"))
    with solara.Row(classes=["kyosei-export"]):
        solara.FileDownload(
            made["brief"],
            filename=f"{stem}-brief-{lang}.html",
            label=t("compare.brief"),
            mime_type="text/html",
        )
        solara.FileDownload(
            made["csv"], filename=f"{stem}.csv", label=t("compare.csv"), mime_type="text/csv"
        )
        solara.FileDownload(made["parquet"], filename=f"{stem}.parquet", label=t("compare.parquet"))
