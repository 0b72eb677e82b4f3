"""Figures of the Compare page (and the policy brief): bands, costs, timeline, map, equity.

Each function takes the tidy tables of :mod:`dashboards.compare_data`, the packages'
labels and the language, and returns a Plotly figure; none reads the store itself.
The ``*_spec`` functions build the figure as a plain dict (``data``/``layout`` of lists,
arrays and numbers) without ``plotly.graph_objects``: validating every trace and axis of
a ``go.Figure`` took most of a selection change's time on the server. Their layouts are
made once per grid and titles with ``make_subplots`` (cached), so the plain figure is
the one a ``go.Figure`` built trace by trace would give (tested against that old form);
the ``*_chart`` functions wrap the same figure in a ``go.Figure`` for the brief.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from model.metrics import METRICS

from .figures_common import (
    FONT_FAMILY,
    PAYER_COLOURS,
    empty,
    package_colour,
    rgba,
    share_format,
    style,
)
from .i18n import (
    YEN_MAN,
    YEN_OKU,
    better_text,
    display_scale,
    metric_label,
    metric_unit,
    tr,
    yen_kind,
)


def _axis_format(metric: str) -> dict[str, str]:
    """Tick format of a metric's axis: %, or plain numbers with separators (no 1.5M, 100k)."""
    unit = metric_unit(metric)
    if unit == "share":
        return {"tickformat": ".1%"}
    if yen_kind(metric) == "stock":
        return {"tickformat": ",.2~f"}
    if unit in ("yen", "people", "count", "households", "hours"):
        return {"tickformat": ",~r"}
    return {}


def panel_title(metric: str, lang: str) -> str:
    """A chart panel's title: the outcome, its unit when money, and which way is better."""
    title = metric_label(metric, lang)
    unit = display_scale(metric, lang)[1]
    if unit:
        title += f"（{unit}）" if lang == "ja" else f" ({unit})"
    better = better_text(metric, lang)
    if better:
        title += f" — {better}"
    return title


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
    The figure of :func:`band_spec` (the page draws that plain form directly).
    """
    return _as_figure(band_spec(bands, arms, labels, metrics, lang, starts=starts, big=big))


@functools.lru_cache(maxsize=64)
def _grid(rows: int, cols: int, n: int) -> str:
    """The layout of ``make_subplots`` for this grid with ``n`` panel titles, as JSON."""
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=[f"<{i}>" for i in range(n)],
        horizontal_spacing=0.08,
        vertical_spacing=0.12 if rows > 1 else 0.1,
    )
    return json.dumps(fig.to_plotly_json()["layout"])


def _titled(layout_json: str, titles: tuple[str, ...]) -> dict[str, Any]:
    """A cached layout with its panel titles (its first annotations, in order) filled in.

    ``make_subplots`` took 0.1–0.5 s per call; the layouts are cached by their shape only,
    so new packages or outcomes (new titles) do not make a new one.
    """
    layout: dict[str, Any] = json.loads(layout_json)
    for note, title in zip(layout["annotations"], titles, strict=False):
        note["text"] = title
    return layout


def _numbers(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _typed(traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The traces with their NumPy arrays as plotly.js typed arrays (base64), in place.

    What ``go.Figure.to_json`` sends too: a number takes 8 bytes (≈ 11 characters)
    instead of up to 24 as decimal text, so a 1,000-run band chart is about half the size.
    """
    for trace in traces:
        for key, value in trace.items():
            if isinstance(value, np.ndarray):
                trace[key] = to_typed_array_spec(value)
            elif isinstance(value, dict):
                _typed([value])
    return traces


def band_spec(
    bands: pd.DataFrame,
    arms: list[str],
    labels: dict[str, str],
    metrics: list[str],
    lang: str,
    *,
    starts: dict[str, list[float]] | None = None,
    big: bool = False,
) -> dict[str, Any]:
    """:func:`band_chart` as a plain figure (``data``/``layout`` of lists and numbers).

    Built without ``go.Figure``: validating traces, axes and start lines one by one
    took about a second per redraw of four panels; this takes milliseconds. The layout
    is exactly that of ``make_subplots`` plus :func:`~dashboards.figures_common.style`.
    """
    metrics = [m for m in metrics if m in set(bands["metric"])]
    if not metrics:
        return empty_spec(tr("compare.pick_two", lang))
    cols = 2 if len(metrics) > 1 else 1
    rows = math.ceil(len(metrics) / cols)
    titles = tuple(panel_title(m, lang) for m in metrics)
    layout = _titled(_grid(rows, cols, len(titles)), titles)
    data: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    groups = bands.groupby(["metric", "arm"], sort=False).indices
    for i, metric in enumerate(metrics):
        r, c = i // cols + 1, i % cols + 1
        n = (r - 1) * cols + c
        axis = "" if n == 1 else str(n)
        where = {"xaxis": f"x{axis}", "yaxis": f"y{axis}"}
        factor = display_scale(metric, lang)[0]
        for j, arm in enumerate(arms):
            if (metric, arm) not in groups:
                continue
            part = bands.iloc[groups[(metric, arm)]]
            colour = package_colour(arm)
            x = _numbers(part["year"].to_numpy())
            label = labels.get(arm, arm)
            common = {"type": "scatter", "legendgroup": arm, **where}
            data.append(
                {
                    **common,
                    "x": x,
                    "y": _numbers(part["lo"].to_numpy() * factor),
                    "line": {"width": 0},
                    "hoverinfo": "skip",
                    "showlegend": False,
                }
            )
            data.append(
                {
                    **common,
                    "x": x,
                    "y": _numbers(part["hi"].to_numpy() * factor),
                    "fill": "tonexty",
                    "fillcolor": rgba(colour, 0.18),
                    "line": {"width": 0},
                    "hoverinfo": "skip",
                    "showlegend": False,
                }
            )
            data.append(
                {
                    **common,
                    "x": x,
                    "y": _numbers(part["median"].to_numpy() * factor),
                    "name": label,
                    "line": {"color": colour, "width": 2.5 if j else 2, "dash": "solid"},
                    "showlegend": i == 0,
                    "hovertemplate": "%{x:.1f}: %{y:,.4g}<extra>" + label + "</extra>",
                }
            )
            for year in (starts or {}).get(arm, []):
                # What ``add_vline(row=r, col=c)`` draws: the panel's full height at x.
                shapes.append(
                    {
                        "type": "line",
                        "x0": year,
                        "x1": year,
                        "xref": f"x{axis}",
                        "y0": 0,
                        "y1": 1,
                        "yref": f"y{axis} domain",
                        "line": {"color": colour, "dash": "dash", "width": 1},
                    }
                )
        fmt = _axis_format(metric)
        if metric_unit(metric) == "share":
            mine = bands[bands["metric"] == metric]
            fmt = {"tickformat": share_format(pd.concat([mine["lo"], mine["hi"]]))}
        layout[f"yaxis{axis}"].update(fmt)
        if r == rows:
            layout[f"xaxis{axis}"]["title"] = {"text": tr("axis.year", lang)}
    for key in layout:
        if key.startswith(("xaxis", "yaxis")):  # every panel's axes, empty ones too
            layout[key].update(showgrid=True, gridcolor="#eeeeee", zeroline=False)
    size = 20 if big else 13
    layout.update(
        font={"family": FONT_FAMILY, "size": size},
        margin={"l": 60, "r": 20, "t": 90, "b": 45},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hovermode="closest",
        showlegend=True,
        legend={"orientation": "h", "yref": "container", "yanchor": "top", "y": 0.99, "x": 0},
        height=max(320, 280 * rows),
    )
    if shapes:
        layout["shapes"] = shapes
    return {"data": _typed(data), "layout": layout}


def _as_figure(spec: dict[str, Any]) -> go.Figure:
    """A plain figure as a ``go.Figure`` (for the brief, which embeds figures as HTML)."""
    return go.Figure(spec)


@functools.lru_cache(maxsize=128)
def _layout_json(kind: str, cols: int, lang: str, big: bool, dtick: int) -> str:
    """The layout (everything but the traces and per-selection details) of a figure, as JSON.

    Made once per grid, language and size with ``make_subplots`` and the
    ``update_*axes`` calls the figure needs, exactly as a ``go.Figure`` built trace by
    trace would have it; the plain figures below copy it, put in their panel titles
    (one per column) and add their traces.
    """
    titles = [f"<{i}>" for i in range(cols)]
    if kind == "costs":
        fig = make_subplots(
            rows=2, cols=cols, shared_yaxes="rows", subplot_titles=titles, vertical_spacing=0.16
        )
        fig.update_yaxes(title_text=tr("compare.costs.yearly_axis", lang), row=1, col=1)
        fig.update_yaxes(title_text=tr("compare.costs.cumulative_axis", lang), row=2, col=1)
        fig.update_yaxes(tickformat=",.0f", row=1)
        fig.update_yaxes(tickformat=",.2~f", row=2)
        fig.update_xaxes(title_text=tr("axis.year", lang), row=2, dtick=dtick)
        fig.update_xaxes(dtick=dtick, row=1)
        style(fig, big=big)
        fig.update_layout(height=560, barmode="stack", margin={"t": 90})
    elif kind == "map":
        fig = make_subplots(rows=1, cols=cols, subplot_titles=titles)
        for j in range(cols):
            fig.update_xaxes(visible=False, row=1, col=j + 1)
            fig.update_yaxes(visible=False, scaleanchor=f"x{j + 1 if j else ''}", row=1, col=j + 1)
        style(fig, big=big, legend=False)
        fig.update_layout(height=380)
    elif kind == "timeline":
        fig = go.Figure()
        fig.update_yaxes(autorange="reversed", categoryorder="array")
        fig.update_xaxes(title_text=tr("axis.year", lang))
        style(fig, big=big)
        fig.update_layout(barmode="overlay")
    else:  # equity
        fig = go.Figure()
        fig.update_yaxes(tickformat=".1%", rangemode="tozero")
        style(fig, big=big)
        fig.update_layout(barmode="group", height=360)
    return json.dumps(fig.to_plotly_json()["layout"])


def _layout(
    kind: str,
    cols: int = 1,
    titles: tuple[str, ...] = (),
    lang: str = "ja",
    big: bool = False,
    dtick: int = 0,
) -> dict[str, Any]:
    """The cached layout of ``kind`` as a fresh dict, with these panel titles."""
    text = _layout_json(kind, cols, lang, big, dtick)
    if titles:
        return _titled(text, titles)
    layout: dict[str, Any] = json.loads(text)
    return layout


@functools.lru_cache(maxsize=32)
def _empty_json(message: str) -> str:
    return json.dumps(empty(message).to_plotly_json())


def empty_spec(message: str) -> dict[str, Any]:
    """:func:`~dashboards.figures_common.empty` as a plain figure."""
    spec: dict[str, Any] = json.loads(_empty_json(message))
    return spec


def _cell(row: int, col: int, cols: int) -> dict[str, str]:
    """The axes of a ``make_subplots`` cell, as ``add_trace(row=, col=)`` sets them."""
    n = (row - 1) * cols + col
    axis = "" if n == 1 else str(n)
    return {"xaxis": f"x{axis}", "yaxis": f"y{axis}"}


def cost_chart(
    costs: pd.DataFrame, arms: list[str], labels: dict[str, str], lang: str, *, big: bool = False
) -> go.Figure:
    """Cost per year stacked by payer (top, 万円/年) and the running total (bottom, 億円).

    ``costs`` is :func:`dashboards.compare_data.costs`: means over replicates, so the
    payers stacked in a year add up to that year's total. One column per package.
    The figure of :func:`cost_spec`.
    """
    return _as_figure(cost_spec(costs, arms, labels, lang, big=big))


def cost_spec(
    costs: pd.DataFrame, arms: list[str], labels: dict[str, str], lang: str, *, big: bool = False
) -> dict[str, Any]:
    """:func:`cost_chart` as a plain figure (no ``go.Figure`` validation)."""
    if costs.empty:
        return empty_spec(tr("compare.costs.missing", lang))
    cols = len(arms)
    titles = tuple(labels.get(a, a) for a in arms)
    layout = _layout("costs", cols, titles, lang, big, _year_dtick(costs))
    payers = list(dict.fromkeys(costs["payer"]))
    year_unit = tr("unit.man_yen_year", lang)
    oku = tr("unit.oku_yen", lang)
    data: list[dict[str, Any]] = []
    groups = costs.groupby(["arm", "payer"], sort=False).indices
    for j, arm in enumerate(arms):
        for payer in payers:
            if (arm, payer) not in groups:
                continue
            part = costs.iloc[groups[(arm, payer)]]
            colour = PAYER_COLOURS.get(payer, "#999999")
            name = tr(f"payer.{payer}", lang)
            x = part["year"].to_numpy()
            data.append(
                {
                    "type": "bar",
                    "x": x,
                    "y": part["yearly"].to_numpy() / YEN_MAN,
                    "name": name,
                    "marker": {"color": colour},
                    "legendgroup": payer,
                    "showlegend": j == 0,
                    "hovertemplate": f"%{{x}}: %{{y:,.0f}} {year_unit}<extra>{name}</extra>",
                    **_cell(1, j + 1, cols),
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": part["cumulative"].to_numpy() / YEN_OKU,
                    "name": name,
                    "stackgroup": f"{arm}-cumulative",
                    "line": {"color": colour, "width": 0.5},
                    "fillcolor": rgba(colour, 0.7),
                    "legendgroup": payer,
                    "showlegend": False,
                    "hovertemplate": f"%{{x}}: %{{y:,.2f}} {oku}<extra>{name}</extra>",
                    **_cell(2, j + 1, cols),
                }
            )
    return {"data": _typed(data), "layout": layout}


def _year_dtick(costs: pd.DataFrame) -> int:
    years = int(costs["year"].max()) if not costs.empty else 1
    return 1 if years <= 10 else 5 if years > 25 else 2


def gantt_chart(
    timeline: pd.DataFrame, labels: dict[str, str], lang: str, *, big: bool = False
) -> go.Figure:
    """Which component of which package is on when (one bar per component).

    The figure of :func:`gantt_spec`.
    """
    return _as_figure(gantt_spec(timeline, labels, lang, big=big))


def gantt_spec(
    timeline: pd.DataFrame, labels: dict[str, str], lang: str, *, big: bool = False
) -> dict[str, Any]:
    """:func:`gantt_chart` as a plain figure (no ``go.Figure`` validation)."""
    if timeline.empty:
        return empty_spec(tr("compare.timeline.empty", lang))
    label_col = "label_ja" if lang == "ja" else "label_en"
    arms = list(dict.fromkeys(timeline["arm"]))
    data: list[dict[str, Any]] = []
    rows: list[str] = []
    for arm in arms:
        part = timeline[timeline["arm"] == arm]
        names = [
            f"{labels.get(arm, arm)} · {lab or kind}"
            for lab, kind in zip(part[label_col], part["kind"], strict=True)
        ]
        rows += names
        start = part["start_month"].to_numpy(float) / 12.0
        end = part["end_month"].to_numpy(float) / 12.0
        data.append(
            {
                "type": "bar",
                "y": names,
                "x": end - start,
                "base": start,
                "orientation": "h",
                "name": labels.get(arm, arm),
                "marker": {"color": package_colour(arm)},
                "customdata": np.stack(
                    [start, end, part["intensity"].to_numpy(float)], axis=1
                ).tolist(),
                "hovertemplate": "%{y}<br>%{customdata[0]:.1f} – %{customdata[1]:.1f}"
                f"<br>{tr('timeline.intensity', lang)} %{{customdata[2]:g}}<extra></extra>",
            }
        )
    layout = _layout("timeline", lang=lang, big=big)
    layout["yaxis"]["categoryarray"] = rows
    layout["height"] = max(220, 40 * len(rows) + 110)
    return {"data": _typed(data), "layout": layout}


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
    """Districts coloured by ``metric`` (one map per package, one colour scale).

    The figure of :func:`map_spec`.
    """
    return _as_figure(map_spec(values, polygons, arms, labels, metric, lang, big=big))


def map_spec(
    values: pd.DataFrame,
    polygons: list[np.ndarray],
    arms: list[str],
    labels: dict[str, str],
    metric: str,
    lang: str,
    *,
    big: bool = False,
) -> dict[str, Any]:
    """:func:`district_map` as a plain figure (no ``go.Figure`` validation)."""
    if values.empty or not polygons:
        return empty_spec(tr("compare.map.missing", lang))
    cols = len(arms)
    layout = _layout("map", cols, tuple(labels.get(a, a) for a in arms), big=big)
    lo, hi = float(values["median"].min()), float(values["median"].max())
    span = hi - lo if hi > lo else 1.0
    # Balance (supply − demand): red for a shortfall; other metrics: darker is worse.
    scale = "RdBu" if "balance" in metric else "OrRd"
    closed = [np.vstack([poly, poly[:1]]) if len(poly) >= 3 else None for poly in polygons]
    data: list[dict[str, Any]] = []
    for j, arm in enumerate(arms):
        part = values[values["arm"] == arm]
        mine = dict(zip(part["district"].tolist(), part["median"].tolist(), strict=True))
        for d, ring in enumerate(closed):
            if d not in mine or ring is None:
                continue
            v = float(mine[d])
            district = tr("map.district", lang, n=d + 1)
            data.append(
                {
                    "type": "scatter",
                    "x": ring[:, 0],
                    "y": ring[:, 1],
                    "fill": "toself",
                    "fillcolor": sample_colorscale(scale, [(v - lo) / span])[0],
                    "mode": "lines",
                    "line": {"color": "white", "width": 1.5},
                    "name": district,
                    "hovertemplate": f"{district}: {_fmt(metric, v)}<extra></extra>",
                    "showlegend": False,
                    **_cell(1, j + 1, cols),
                }
            )
    data.append(
        {
            "type": "scatter",
            "x": [None],
            "y": [None],
            "mode": "markers",
            "marker": {
                "colorscale": _colorscale(scale),
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
            "showlegend": False,
            "hoverinfo": "skip",
        }
    )
    return {"data": _typed(data), "layout": layout}


@functools.lru_cache(maxsize=8)
def _colorscale_json(name: str) -> str:
    """A named colour scale as plotly's validation expands it (a list of [stop, colour])."""
    marker = go.scatter.Marker(colorscale=name)
    return json.dumps(marker.to_plotly_json()["colorscale"])


def _colorscale(name: str) -> list[list[Any]]:
    scale: list[list[Any]] = json.loads(_colorscale_json(name))
    return scale


def _fmt(metric: str, value: float) -> str:
    from .i18n import format_value

    return format_value(metric, value)


def equity_chart(
    equity: pd.DataFrame, arms: list[str], labels: dict[str, str], lang: str, *, big: bool = False
) -> go.Figure:
    """Unmet share of those in need by group, one bar per package, with the 10–90 % band.

    The figure of :func:`equity_spec`.
    """
    return _as_figure(equity_spec(equity, arms, labels, lang, big=big))


def equity_spec(
    equity: pd.DataFrame, arms: list[str], labels: dict[str, str], lang: str, *, big: bool = False
) -> dict[str, Any]:
    """:func:`equity_chart` as a plain figure (no ``go.Figure`` validation)."""
    if equity.empty:
        return empty_spec(tr("compare.equity.missing", lang))
    data: list[dict[str, Any]] = []
    for arm in arms:
        part = equity[equity["arm"] == arm]
        if part.empty:
            continue
        median = part["median"].to_numpy()
        data.append(
            {
                "type": "bar",
                "x": [group_name(g, lang) for g in part["group"]],
                "y": median,
                "name": labels.get(arm, arm),
                "marker": {"color": package_colour(arm)},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": part["hi_band"].to_numpy() - median,
                    "arrayminus": median - part["lo_band"].to_numpy(),
                    "thickness": 1,
                },
                "hovertemplate": "%{x}: %{y:.1%}<extra>" + labels.get(arm, arm) + "</extra>",
            }
        )
    return {"data": _typed(data), "layout": _layout("equity", big=big)}


GROUP_NAMES = {
    "0_17": ("0〜17歳", "0–17"),
    "18_39": ("18〜39歳", "18–39"),
    "40_64": ("40〜64歳", "40–64"),
    "65_74": ("65〜74歳", "65–74"),
    "75plus": ("75歳以上", "75+"),
    "single_elderly": ("高齢単身", "Elderly alone"),
}


def group_name(group: str, lang: str) -> str:
    """The catalogue's label of ``unmet_rate_GROUP`` when it has one, else a short name."""
    if f"unmet_rate_{group}" in METRICS:
        return metric_label(f"unmet_rate_{group}", lang)
    pair = GROUP_NAMES.get(group)
    return (pair[0] if lang == "ja" else pair[1]) if pair else group
