"""探索 / Explore: a sweep's inputs against its outcomes, sensitivity, and replication advice.

For researchers: scatter of one input against an outcome, a heatmap over two inputs,
parallel coordinates, sensitivity indices with intervals
(:func:`experiments.sensitivity.sensitivity`), scenario discovery (PRIM's box for the
outcome above a chosen threshold, :func:`experiments.discovery.discover`) and the
replication advisor (:func:`experiments.analysis.replication_advice`).
"""

from __future__ import annotations

import pandas as pd
import solara

from experiments import analysis

from .. import compare_data, server, state
from ..figures_common import empty
from ..figures_explore import advisor_chart, heatmap, parallel, scatter, sensitivity_chart
from ..i18n import format_delta, metric_label, param_label, t, tr
from ..plot import Chart
from ..results import (
    PARTIAL,
    READY,
    Loaded,
    ResultsProblem,
    SetState,
    list_sets,
    load,
    set_states,
)
from ..widgets import (
    Choice,
    Notice,
    PackageChoice,
    Section,
    SetChoice,
    current_set,
    html_table,
    ident,
)

chosen_set = solara.reactive("")
chosen_arm = solara.reactive("")
chosen_metric = solara.reactive("")
chosen_x = solara.reactive("")
chosen_y = solara.reactive("")
chosen_year = solara.reactive(-1)
chosen_threshold = solara.reactive(float("nan"))  # NaN: the 80th percentile of the outcome
chosen_density = solara.reactive(0.8)


def outcomes_at(loaded: Loaded, metric: str, month: int) -> pd.DataFrame:
    """One row per ok run: arm, point, replicate, inputs and ``metric`` at ``month``."""
    ts = loaded.timeseries
    at = ts.loc[ts["month"] == month, ["run_id", metric]]
    cols = ["run_id", "arm", "point", "replicate", *loaded.input_columns()]
    return loaded.runs[cols].merge(at, on="run_id")


@solara.component
def ExplorePage() -> None:
    """The page (see the module docstring)."""
    solara.HTML(tag="h2", unsafe_innerHTML=t("explore.title"), style="margin: 8px 0;")
    try:
        sets = list_sets(server.results_dir())
    except ResultsProblem as problem:
        Notice(problem.message(state.lang.value))
        return
    states = set_states(sets)
    # A sweep is what this page is for: prefer a set whose inputs vary.
    current = current_set(
        chosen_set.value, sets, lambda s: _first_sweep(_usable(states) or [str(p) for p in s])
    )
    SetChoice(current, sets, chosen_set.set, css="kyosei-explore-set")
    try:
        loaded = load(current)
    except ResultsProblem as problem:
        Notice(problem.message(state.lang.value))
        return
    ExploreBody(loaded)


def _usable(states: list[SetState]) -> list[str]:
    """Sets a page may open by default (not being written, not damaged)."""
    return [str(s.path) for s in states if s.state in (READY, PARTIAL)]


def _first_sweep(paths: list[str]) -> str:
    for p in paths:
        try:
            if load(p).input_columns():
                return p
        except ResultsProblem:
            continue
    return paths[-1]


@solara.component
def ExploreBody(loaded: Loaded) -> None:
    """Controls and charts for one set."""
    lang = state.lang.value
    inputs = loaded.input_columns()
    arms = [a.name for a in loaded.arms]
    labels = {a.name: a.label(lang) for a in loaded.arms}
    arm = chosen_arm.value if chosen_arm.value in arms else arms[-1]
    choices = compare_data.outcome_choices(loaded)
    metric = chosen_metric.value if chosen_metric.value in choices else choices[0]
    max_year = loaded.months // 12
    year = chosen_year.value if 0 <= chosen_year.value <= max_year else max_year
    month = compare_data.year_to_month(loaded, year)
    frame = solara.use_memo(
        lambda: outcomes_at(loaded, metric, month), dependencies=[loaded, metric, month]
    )
    with solara.Row(style="flex-wrap: wrap; gap: 16px;"):
        with solara.Column(style="min-width: 260px; flex: 1;"):
            PackageChoice(t("explore.arm"), arm, [(a, labels[a]) for a in arms], chosen_arm.set,
                          css="kyosei-explore-arm")  # fmt: skip
        with solara.Column(style="min-width: 260px; flex: 1;"):
            Choice(
                t("explore.outcome"),
                metric,
                [(m, metric_label(m, lang)) for m in choices],
                chosen_metric.set,
                css="kyosei-explore-metric",
            )
        with solara.Column(style="min-width: 220px; flex: 1;"):
            solara.SliderInt(
                t("explore.month", year=year),
                value=year,
                min=0,
                max=max_year,
                on_value=chosen_year.set,
                thumb_label=False,
            )
    if not inputs:
        Notice(t("explore.no_inputs"), kind="info")
    else:
        x = chosen_x.value if chosen_x.value in inputs else inputs[0]
        y = chosen_y.value if chosen_y.value in inputs else inputs[min(1, len(inputs) - 1)]
        with solara.Row(style="flex-wrap: wrap; gap: 16px;"):
            with solara.Column(style="min-width: 260px; flex: 1;"):
                Choice(t("explore.input_x"), x, [(i, param_label(i, lang)) for i in inputs],
                       chosen_x.set, css="kyosei-explore-x")  # fmt: skip
            with solara.Column(style="min-width: 260px; flex: 1;"):
                Choice(t("explore.input_y"), y, [(i, param_label(i, lang)) for i in inputs],
                       chosen_y.set, css="kyosei-explore-y")  # fmt: skip
        with solara.Columns([1, 1]):
            with solara.Column():
                Section(t("explore.scatter"))
                Chart(scatter(frame, x, metric, labels, lang), name="scatter", height=380)
            with solara.Column():
                Section(t("explore.heatmap"))
                part = frame[frame["arm"] == arm]
                Chart(heatmap(part, x, y, metric, lang), name="heatmap", height=380)
        Section(t("explore.parcoords"))
        Chart(
            parallel(frame[frame["arm"] == arm], inputs, metric, lang),
            name="parcoords",
            height=380,
        )
        SensitivityPanel(loaded, arm, metric, month)
        DiscoveryPanel(loaded, frame, metric, month)
    AdvisorPanel(loaded, arm, metric, month)


@solara.component
def SensitivityPanel(loaded: Loaded, arm: str, metric: str, month: int) -> None:
    """Sensitivity indices of the outcome, from the experiments helper's analysis."""
    lang = state.lang.value

    def compute() -> tuple[pd.DataFrame, str]:
        try:
            from experiments.sensitivity import sensitivity

            return sensitivity(loaded.store, metric, month=month, arms=[arm], resamples=300), ""
        except Exception as exc:  # too few points, no design, ...: a notice, not a traceback
            return pd.DataFrame(), str(exc)

    table, reason = solara.use_memo(compute, dependencies=[loaded, arm, metric, month])
    Section(t("explore.sensitivity"))
    if reason:
        Notice(t("explore.sensitivity.none", reason=reason), kind="info")
    Chart(
        sensitivity_chart(table, lang) if not table.empty else empty("—"),
        name="sensitivity",
        height=340,
    )


def advice_sentence(advice: pd.DataFrame, arm: str, labels: dict[str, str], lang: str) -> str:
    """The replication advice in the reader's language, with packages and outcomes by label."""
    rows = advice[advice["arm"] == arm].sort_values("replicates")
    if rows.empty or not rows["current"].any():
        return ""
    now = rows[rows["current"]].iloc[0]
    metric = str(now["metric"])
    n = int(now["replicates"])
    quad = rows[rows["replicates"] == 4 * n]
    half = float(quad["half_width"].iloc[0]) if not quad.empty else float(now["half_width"]) / 2
    ref = str(now.get("reference") or "")
    return tr(
        "explore.advice" if ref else "explore.advice.mean",
        lang,
        package=labels.get(arm, arm),
        reference=labels.get(ref, ref),
        metric=metric_label(metric, lang),
        n=n,
        now=format_delta(metric, float(now["half_width"]), lang).lstrip("+"),
        n4=4 * n,
        quarter=format_delta(metric, half, lang).lstrip("+"),
    )


@solara.component
def DiscoveryPanel(loaded: Loaded, frame: pd.DataFrame, metric: str, month: int) -> None:
    """PRIM's box for the outcome above a chosen threshold (as ``kyosei discover``)."""
    values = frame[metric].dropna()
    default = float(values.quantile(0.8)) if len(values) else 0.0
    threshold = chosen_threshold.value
    if threshold != threshold:  # NaN: not chosen yet
        threshold = default
    density = chosen_density.value

    def compute() -> tuple[object, str]:
        try:
            from experiments.discovery import discover

            found = discover(
                loaded.store, metric, month=month, above=threshold, min_density=density
            )
            return found, ""
        except Exception as exc:  # EMA not installed, no case above the threshold, ...
            return None, str(exc)

    found, reason = solara.use_memo(
        compute, dependencies=[loaded, metric, month, threshold, density]
    )
    Section(t("explore.discovery"), t("explore.discovery.help"), css="kyosei-discovery")
    with solara.Row(style="flex-wrap: wrap; gap: 16px;"):
        solara.InputFloat(
            t("explore.discovery.threshold"), value=threshold, on_value=chosen_threshold.set
        )
        solara.SliderFloat(
            t("explore.discovery.density"),
            value=density,
            min=0.5,
            max=1.0,
            step=0.05,
            on_value=chosen_density.set,
        )
    if reason or found is None:
        Notice(t("explore.discovery.none", reason=reason), kind="info")
        return
    from experiments.discovery import Discovery

    assert isinstance(found, Discovery)
    solara.Text(
        t(
            "explore.discovery.result",
            cases=found.cases,
            runs=found.runs,
            coverage=f"{found.coverage:.0%}",
            density=f"{found.density:.0%}",
            mass=f"{found.mass:.0%}",
        ),
        classes=["kyosei-discovery-result"],
    )
    head = [t(f"explore.discovery.{k}") for k in ("parameter", "box", "full")]
    # Parameter paths and their values are what a researcher types: shown as code.
    rows = [
        [ident(str(r.parameter)), ident(str(r.box)), ident(str(r.full))]
        for r in found.limits.itertuples()
    ]
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(head, rows, raw=(0, 1, 2)),
        classes=["kyosei-discovery-box"],
    )


@solara.component
def AdvisorPanel(loaded: Loaded, arm: str, metric: str, month: int) -> None:
    """The replication advisor for the chosen package and outcome."""
    lang = state.lang.value

    def compute() -> tuple[pd.DataFrame, str]:
        try:
            advice = analysis.replication_advice(loaded.store, metric, arm=arm, month=month)
            labels = {a.name: a.label(lang) for a in loaded.arms}
            return advice, advice_sentence(advice, arm, labels, lang)
        except Exception as exc:  # e.g. a single replicate: no spread to extrapolate
            return pd.DataFrame(), str(exc)

    advice, text = solara.use_memo(compute, dependencies=[loaded, arm, metric, month, lang])
    Section(t("explore.advisor"), t("explore.advisor.help"))
    if text:
        solara.Text(text, classes=["kyosei-advice"])
    labels = {a.name: a.label(lang) for a in loaded.arms}
    Chart(advisor_chart(advice, metric, lang, labels), name="advisor", height=320)
