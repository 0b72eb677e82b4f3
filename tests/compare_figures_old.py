"""The Compare page's figures as ``go.Figure``s, as they were built before the plain-JSON builders.

Kept only so that a test can check that the page's plain figures
(:mod:`dashboards.figures_compare`) are the same figures: the band chart as of
ebf23ef, the cost, timeline, map and equity charts as of 3559032 (trace by trace,
with ``make_subplots`` and plotly's validation).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from dashboards.figures_common import (
    PAYER_COLOURS,
    empty,
    package_colour,
    rgba,
    share_format,
    style,
)
from dashboards.figures_compare import _axis_format, _fmt, _year_dtick, group_name, panel_title
from dashboards.i18n import YEN_MAN, YEN_OKU, display_scale, metric_label, metric_unit, tr


def band_chart(
    bands: pd.DataFrame,
    arms: list[str],
    labels: dict[str, str],
    metrics: list[str],
    lang: str,
    *,
    starts: dict[str, list[float]] | None = None,
    big: bool = False,
) -> go.Figure:
    """One panel per outcome; per package a median line over a 10–90 % band.

    ``starts`` maps a package to the years its interventions start (dashed lines).
    """
    metrics = [m for m in metrics if m in set(bands["metric"])]
    if not metrics:
        return empty(tr("compare.pick_two", lang))
    cols = 2 if len(metrics) > 1 else 1
    rows = math.ceil(len(metrics) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[panel_title(m, lang) for m in metrics],
        horizontal_spacing=0.08,
        vertical_spacing=0.12 if rows > 1 else 0.1,
    )
    for i, metric in enumerate(metrics):
        r, c = i // cols + 1, i % cols + 1
        for j, arm in enumerate(arms):
            part = bands[(bands["metric"] == metric) & (bands["arm"] == arm)]
            if part.empty:
                continue
            colour = package_colour(arm)
            x = part["year"].to_numpy()
            factor = display_scale(metric, lang)[0]
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=part["lo"].to_numpy() * factor,
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=arm,
                ),
                row=r,
                col=c,
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=part["hi"].to_numpy() * factor,
                    fill="tonexty",
                    fillcolor=rgba(colour, 0.18),
                    line={"width": 0},
                    hoverinfo="skip",
                    showlegend=False,
                    legendgroup=arm,
                ),
                row=r,
                col=c,
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=part["median"].to_numpy() * factor,
                    name=labels.get(arm, arm),
                    line={"color": colour, "width": 2.5 if j else 2, "dash": "solid"},
                    legendgroup=arm,
                    showlegend=i == 0,
                    hovertemplate="%{x:.1f}: %{y:,.4g}<extra>" + labels.get(arm, arm) + "</extra>",
                ),
                row=r,
                col=c,
            )
            for year in (starts or {}).get(arm, []):
                fig.add_vline(
                    x=year, line={"color": colour, "dash": "dash", "width": 1}, row=r, col=c
                )
        fmt = _axis_format(metric)
        if metric_unit(metric) == "share":
            mine = bands[bands["metric"] == metric]
            fmt = {"tickformat": share_format(pd.concat([mine["lo"], mine["hi"]]))}
        fig.update_yaxes(**fmt, row=r, col=c)
        fig.update_xaxes(title_text=tr("axis.year", lang) if r == rows else None, row=r, col=c)
    style(fig, big=big)
    fig.update_layout(height=max(320, 280 * rows))
    return fig


def cost_chart(
    costs: pd.DataFrame, arms: list[str], labels: dict[str, str], lang: str, *, big: bool = False
) -> go.Figure:
    """Cost per year stacked by payer (top, 万円/年) and the running total (bottom, 億円).

    ``costs`` is :func:`dashboards.compare_data.costs`: means over replicates, so the
    payers stacked in a year add up to that year's total. One column per package.
    """
    if costs.empty:
        return empty(tr("compare.costs.missing", lang))
    cols = len(arms)
    fig = make_subplots(
        rows=2,
        cols=cols,
        shared_yaxes="rows",
        subplot_titles=[labels.get(a, a) for a in arms],
        vertical_spacing=0.16,
    )
    payers = list(dict.fromkeys(costs["payer"]))
    year_unit = tr("unit.man_yen_year", lang)
    oku = tr("unit.oku_yen", lang)
    # Collected and added in one go (one by one, each addition re-validated the figure).
    traces: list[go.Bar | go.Scatter] = []
    where_r: list[int] = []
    where_c: list[int] = []
    groups = costs.groupby(["arm", "payer"], sort=False).indices
    for j, arm in enumerate(arms):
        for payer in payers:
            if (arm, payer) not in groups:
                continue
            part = costs.iloc[groups[(arm, payer)]]
            colour = PAYER_COLOURS.get(payer, "#999999")
            name = tr(f"payer.{payer}", lang)
            where_r += [1, 2]
            where_c += [j + 1, j + 1]
            traces.append(
                go.Bar(
                    x=part["year"],
                    y=part["yearly"] / YEN_MAN,
                    name=name,
                    marker={"color": colour},
                    legendgroup=payer,
                    showlegend=j == 0,
                    hovertemplate=f"%{{x}}: %{{y:,.0f}} {year_unit}<extra>{name}</extra>",
                )
            )
            traces.append(
                go.Scatter(
                    x=part["year"],
                    y=part["cumulative"] / YEN_OKU,
                    name=name,
                    stackgroup=f"{arm}-cumulative",
                    line={"color": colour, "width": 0.5},
                    fillcolor=rgba(colour, 0.7),
                    legendgroup=payer,
                    showlegend=False,
                    hovertemplate=f"%{{x}}: %{{y:,.2f}} {oku}<extra>{name}</extra>",
                )
            )
    if traces:
        fig.add_traces(traces, rows=where_r, cols=where_c)
    fig.update_yaxes(title_text=tr("compare.costs.yearly_axis", lang), row=1, col=1)
    fig.update_yaxes(title_text=tr("compare.costs.cumulative_axis", lang), row=2, col=1)
    fig.update_yaxes(tickformat=",.0f", row=1)
    fig.update_yaxes(tickformat=",.2~f", row=2)
    fig.update_xaxes(title_text=tr("axis.year", lang), row=2, dtick=_year_dtick(costs))
    fig.update_xaxes(dtick=_year_dtick(costs), row=1)
    style(fig, big=big)
    fig.update_layout(height=560, barmode="stack", margin={"t": 90})
    return fig


def gantt_chart(
    timeline: pd.DataFrame, labels: dict[str, str], lang: str, *, big: bool = False
) -> go.Figure:
    """Which component of which package is on when (one bar per component)."""
    if timeline.empty:
        return empty(tr("compare.timeline.empty", lang))
    label_col = "label_ja" if lang == "ja" else "label_en"
    arms = list(dict.fromkeys(timeline["arm"]))
    fig = go.Figure()
    rows = []
    for arm in arms:
        part = timeline[timeline["arm"] == arm]
        names = [
            f"{labels.get(arm, arm)} · {lab or kind}"
            for lab, kind in zip(part[label_col], part["kind"], strict=True)
        ]
        rows += names
        start = part["start_month"].to_numpy(float) / 12.0
        end = part["end_month"].to_numpy(float) / 12.0
        fig.add_trace(
            go.Bar(
                y=names,
                x=end - start,
                base=start,
                orientation="h",
                name=labels.get(arm, arm),
                marker={"color": package_colour(arm)},
                customdata=np.stack(
                    [start, end, part["intensity"].to_numpy(float)], axis=1
                ).tolist(),
                hovertemplate="%{y}<br>%{customdata[0]:.1f} – %{customdata[1]:.1f}"
                f"<br>{tr('timeline.intensity', lang)} %{{customdata[2]:g}}<extra></extra>",
            )
        )
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=rows)
    fig.update_xaxes(title_text=tr("axis.year", lang))
    style(fig, big=big)
    fig.update_layout(height=max(220, 40 * len(rows) + 110), barmode="overlay")
    return fig


def district_map(
    values: pd.DataFrame,
    polygons: list[np.ndarray],
    arms: list[str],
    labels: dict[str, str],
    metric: str,
    lang: str,
    *,
    big: bool = False,
) -> go.Figure:
    """Districts coloured by ``metric`` (one map per package, one colour scale)."""
    if values.empty or not polygons:
        return empty(tr("compare.map.missing", lang))
    cols = len(arms)
    fig = make_subplots(rows=1, cols=cols, subplot_titles=[labels.get(a, a) for a in arms])
    lo, hi = float(values["median"].min()), float(values["median"].max())
    span = hi - lo if hi > lo else 1.0
    # Balance (supply − demand): red for a shortfall; other metrics: darker is worse.
    scale = "RdBu" if "balance" in metric else "OrRd"
    for j, arm in enumerate(arms):
        part = values[values["arm"] == arm].set_index("district")["median"]
        for d, poly in enumerate(polygons):
            if d not in part.index or len(poly) < 3:
                continue
            v = float(part[d])
            colour = sample_colorscale(scale, [(v - lo) / span])[0]
            closed = np.vstack([poly, poly[:1]])
            fig.add_trace(
                go.Scatter(
                    x=closed[:, 0],
                    y=closed[:, 1],
                    fill="toself",
                    fillcolor=colour,
                    mode="lines",
                    line={"color": "white", "width": 1.5},
                    name=tr("map.district", lang, n=d + 1),
                    hovertemplate=f"{tr('map.district', lang, n=d + 1)}: "
                    f"{_fmt(metric, v)}<extra></extra>",
                    showlegend=False,
                ),
                row=1,
                col=j + 1,
            )
        fig.update_xaxes(visible=False, row=1, col=j + 1)
        fig.update_yaxes(visible=False, scaleanchor=f"x{j + 1 if j else ''}", row=1, col=j + 1)
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={
                "colorscale": scale,
                "cmin": lo,
                "cmax": hi,
                "color": [lo],
                "showscale": True,
                "colorbar": {
                    "title": {"text": metric_label(metric, lang)},
                    "thickness": 14,
                    **(
                        {"tickformat": share_format([lo, hi])}
                        if metric_unit(metric) == "share"
                        else _axis_format(metric)
                    ),
                },
            },
            showlegend=False,
            hoverinfo="skip",
        )
    )
    style(fig, big=big, legend=False)
    fig.update_layout(height=380)
    return fig


def equity_chart(
    equity: pd.DataFrame, arms: list[str], labels: dict[str, str], lang: str, *, big: bool = False
) -> go.Figure:
    """Unmet share of those in need by group, one bar per package, with the 10–90 % band."""
    if equity.empty:
        return empty(tr("compare.equity.missing", lang))
    fig = go.Figure()
    for arm in arms:
        part = equity[equity["arm"] == arm]
        if part.empty:
            continue
        names = [group_name(g, lang) for g in part["group"]]
        fig.add_trace(
            go.Bar(
                x=names,
                y=part["median"],
                name=labels.get(arm, arm),
                marker={"color": package_colour(arm)},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["hi_band"] - part["median"]).to_numpy(),
                    "arrayminus": (part["median"] - part["lo_band"]).to_numpy(),
                    "thickness": 1,
                },
                hovertemplate="%{x}: %{y:.1%}<extra>" + labels.get(arm, arm) + "</extra>",
            )
        )
    fig.update_yaxes(tickformat=".1%", rangemode="tozero")
    style(fig, big=big)
    fig.update_layout(barmode="group", height=360)
    return fig
