"""Figures of the workshop page: the town map with residents, and the outcome lines (A vs B).

These are built as plain Plotly JSON dicts rather than ``go.Figure`` objects: the page
redraws them every month of a playing town, and Plotly's Python-side validation took
~85 ms of a frame, more than the model's step. The dicts follow Plotly's figure schema.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .figures_common import FONT_FAMILY, STATE_COLOURS, arm_colour
from .i18n import metric_label, metric_unit, tr
from .live import STATES, Snapshot

Figure = dict[str, Any]


def _layout(big: bool, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": {"family": FONT_FAMILY, "size": 20 if big else 13},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
    }
    layout.update(extra)
    return layout


def _points(arr: np.ndarray, col: int) -> list[float]:
    return np.round(arr[:, col], 3).tolist() if arr.size else []


def town_figure(snap: Snapshot, lang: str, *, title: str = "", big: bool = False) -> Figure:
    """Districts, venues, counters, groups and a sample of residents coloured by state."""
    data: list[dict[str, Any]] = []
    for d, poly in enumerate(snap.polygons):
        closed = np.vstack([poly, poly[:1]])
        data.append(
            {
                "type": "scatter",
                "x": _points(closed, 0),
                "y": _points(closed, 1),
                "mode": "lines",
                "fill": "toself",
                "fillcolor": "rgba(230, 236, 242, 0.5)",
                "line": {"color": "#9aa7b4", "width": 1},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": tr("map.district", lang, n=d + 1),
            }
        )
    size = 6 if big else 4
    for code, state in enumerate(STATES):
        pts = snap.xy[snap.states == code]
        data.append(
            {
                "type": "scattergl",
                "x": _points(pts, 0),
                "y": _points(pts, 1),
                "mode": "markers",
                "marker": {"size": size, "color": STATE_COLOURS[state], "opacity": 0.85},
                "name": f"{tr('state.' + state, lang)} ({len(pts)})",
                "hoverinfo": "skip",
            }
        )
    for arr, key, symbol, colour, marker_size in (
        (snap.venues, "map.venue", "square", "#2ca02c", 9),
        (snap.counters, "map.agency", "diamond", "#1f3b73", 12),
        (snap.orgs, "map.npo", "triangle-up", "#9467bd", 10),
    ):
        shown = arr[arr[:, 2] > 0] if arr.size else arr
        data.append(
            {
                "type": "scatter",
                "x": _points(shown, 0),
                "y": _points(shown, 1),
                "mode": "markers",
                "marker": {
                    "symbol": symbol,
                    "size": marker_size * (1.4 if big else 1),
                    "color": colour,
                    "line": {"color": "white", "width": 1},
                },
                "name": f"{tr(key, lang)} ({len(shown)})",
                "hoverinfo": "name",
            }
        )
    side = snap.side_km
    layout = _layout(
        big,
        title={"text": title, "x": 0.01},
        xaxis={"visible": False, "range": [0, side]},
        yaxis={"visible": False, "range": [0, side], "scaleanchor": "x"},
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
        margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10},
        uirevision="live",  # keep the user's zoom while the town moves on
    )
    return {"data": data, "layout": layout}


def series_figure(
    a: pd.DataFrame, b: pd.DataFrame | None, metrics: list[str], lang: str, *, big: bool = False
) -> Figure:
    """One panel per outcome: future A, future B (dashed) and, when forked, B − A."""
    metrics = [m for m in metrics if m in a.columns]
    panels = len(metrics) + (1 if b is not None and metrics else 0)
    if not panels:
        return {"data": [], "layout": _layout(big)}
    gap = 0.08
    height = (1 - gap * (panels - 1)) / panels
    layout = _layout(big, uirevision="series", showlegend=b is not None)
    annotations = []
    data: list[dict[str, Any]] = []

    def axes(i: int, title: str, share: bool, tickformat: str = ".1%") -> tuple[str, str]:
        top = 1 - i * (height + gap)
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = {
            "anchor": f"y{suffix}",
            "domain": [0, 1],
            "showgrid": True,
            "gridcolor": "#eeeeee",
            # The live town runs in calendar time: its axis is the calendar year.
            **({"title": {"text": tr("axis.calendar_year", lang)}} if i == panels - 1 else {}),
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "domain": [max(0.0, top - height), top],
            "showgrid": True,
            "gridcolor": "#eeeeee",
            **({"tickformat": tickformat} if share else {}),
        }
        annotations.append(
            {
                "text": title,
                "x": 0.5,
                "y": top,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
            }
        )
        return f"x{suffix}", f"y{suffix}"

    name_a = tr("live.future_a", lang)
    for i, metric in enumerate(metrics):
        xa, ya = axes(i, metric_label(metric, lang), metric_unit(metric) == "share")
        data.append(
            {
                "type": "scatter",
                "x": _calendar_x(a),
                "y": a[metric].tolist(),
                "name": name_a,
                "line": {"color": arm_colour(0 if b is not None else 1), "width": 2},
                "legendgroup": "a",
                "showlegend": i == 0,
                "xaxis": xa,
                "yaxis": ya,
            }
        )
        if b is not None and metric in b.columns:
            data.append(
                {
                    "type": "scatter",
                    "x": _calendar_x(b),
                    "y": b[metric].tolist(),
                    "name": tr("live.future_b", lang),
                    "line": {"color": arm_colour(2), "width": 2, "dash": "dash"},
                    "legendgroup": "b",
                    "showlegend": i == 0,
                    "xaxis": xa,
                    "yaxis": ya,
                }
            )
    if b is not None:
        first = metrics[0]
        joined = a[["month", "year", "calendar_month", first]].merge(
            b[["month", first]], on="month", suffixes=("_a", "_b")
        )
        diff = joined[f"{first}_b"] - joined[f"{first}_a"]
        title = f"{tr('live.difference', lang)}: {metric_label(first, lang)}"
        xa, ya = axes(panels - 1, title, metric_unit(first) == "share", ".2%")
        data.append(
            {
                "type": "scatter",
                "x": _calendar_x(joined),
                "y": diff.tolist(),
                "fill": "tozeroy",
                "line": {"color": arm_colour(3)},
                "name": tr("live.difference", lang),
                "showlegend": False,
                "xaxis": xa,
                "yaxis": ya,
            }
        )
    layout["annotations"] = annotations
    return {"data": data, "layout": layout}


def _calendar_x(df: pd.DataFrame) -> list[float]:
    """The rows' calendar dates as decimal years (2030.5 = July 2030), for the x axis."""
    return (df["year"] + (df["calendar_month"] - 1) / 12.0).round(3).tolist()
