"""Figures of the workshop page: the town map with residents, and the outcome lines (A vs B).

These are built as plain Plotly JSON dicts rather than ``go.Figure`` objects: the page
redraws them every month of a playing town, and Plotly's Python-side validation took
~85 ms of a frame, more than the model's step. The dicts follow Plotly's figure schema.

The marks are meant for the back of a hall: colour-blind-safe colours (Okabe–Ito) with
a distinct symbol per resident state, rings around what changed since the last frame
(residents whose state changed, venues opened or closed; residents a policy reached
this month), and on every
line chart a marker where a policy started or the present was forked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from .figures_common import FONT_FAMILY, arm_colour
from .i18n import metric_label, metric_unit, tr
from .live import STATES, Marker, Snapshot

Figure = dict[str, Any]

# Okabe–Ito colours, with a symbol per state so colour is never the only cue.
LIVE_STATE_STYLE = {
    "connected": ("#009e73", "circle"),
    "isolated": ("#7a7a7a", "circle-open"),
    "in_need": ("#d55e00", "triangle-up"),
    "supported": ("#0072b2", "square"),
    "volunteer": ("#e69f00", "diamond"),
}
REACHED_COLOUR = "#cc79a7"
MAP_TRACE = "scattergl"  # WebGL: a third of SVG's time per frame for 1,500 dots
FUTURE_COLOURS = {"a": arm_colour(1), "b": arm_colour(2)}
OUTSIDE = -1.0e4  # km: a point no map shows


def _layout(big: bool, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "font": {"family": FONT_FAMILY, "size": 18 if big else 13},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
    }
    layout.update(extra)
    return layout


def _points(arr: np.ndarray, col: int) -> list[float]:
    # An empty trace gets one point far outside the map: Plotly leaves traces without
    # points out of the legend, and both maps must keep the same legend to stay aligned.
    return np.round(arr[:, col], 3).tolist() if arr.size else [OUTSIDE]


def _marks(
    pts: np.ndarray, name: str, colour: str, symbol: str, size: float, **marker: Any
) -> dict[str, Any]:
    return {
        "type": MAP_TRACE,
        "x": _points(pts, 0),
        "y": _points(pts, 1),
        "mode": "markers",
        "marker": {"size": size, "color": colour, "symbol": symbol, **marker},
        "name": name,
        "hoverinfo": "skip",
    }


def town_figure(
    snap: Snapshot,
    lang: str,
    *,
    title: str = "",
    big: bool = False,
    legend: bool = True,
    dot: float | None = None,
) -> Figure:
    """Districts, venues, counters, groups and a sample of residents coloured by state.

    Every trace is always present (empty when nothing is there), so two maps side by
    side keep the same legend and stay aligned. ``dot`` is a resident mark's size in px
    (the page sizes it to the map's height).
    """
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
    size = dot if dot is not None else (10 if big else 7)  # px: a resident's mark
    for code, state in enumerate(STATES):
        colour, symbol = LIVE_STATE_STYLE[state]
        pts = snap.xy[snap.states == code]
        data.append(
            _marks(
                pts,
                f"{tr('state.' + state, lang)} ({len(pts)})",
                colour,
                symbol,
                size,
                opacity=0.9,
                line={"width": 1.5 if symbol.endswith("open") else 0, "color": colour},
            )
        )
    changed = snap.xy[snap.changed] if snap.changed.size == len(snap.xy) else snap.xy[:0]
    data.append(
        _marks(
            changed,
            f"{tr('map.changed', lang)} ({len(changed)})",
            "#000000",
            "circle-open",
            size * 2.0,
            line={"color": "#000000", "width": 2},
        )
    )
    data.append(
        _marks(
            snap.reached,
            f"{tr('map.reached', lang)} ({len(snap.reached)})",
            REACHED_COLOUR,
            "circle-open",
            size * 2.4,
            line={"color": REACHED_COLOUR, "width": 3},
        )
    )
    scale = 1.4 if big else 1.0
    for arr, key, symbol, colour, marker_size in (
        (snap.venues, "map.venue", "square", "#009e73", 10),
        (snap.counters, "map.agency", "diamond", "#1f3b73", 13),
        (snap.orgs, "map.npo", "triangle-up", "#cc79a7", 11),
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
                    "size": marker_size * scale,
                    "color": colour,
                    "line": {"color": "white", "width": 1},
                },
                "name": f"{tr(key, lang)} ({len(shown)})",
                "hoverinfo": "name",
            }
        )
    for arr, key, symbol, colour in (
        (snap.opened, "map.opened", "star", "#009e73"),
        (snap.closed, "map.closed", "x-thin-open", "#d55e00"),
    ):
        data.append(
            {
                "type": "scatter",
                "x": _points(arr, 0),
                "y": _points(arr, 1),
                "mode": "markers",
                "marker": {
                    "symbol": symbol,
                    "size": 26 * scale,
                    "color": colour,
                    "line": {"color": colour if symbol.endswith("open") else "black", "width": 3},
                },
                "name": f"{tr(key, lang)} ({len(arr)})",
                "hoverinfo": "name",
            }
        )
    side = snap.side_km
    layout = _layout(
        big,
        title={"text": title, "x": 0.01, "y": 0.99, "yanchor": "top"},
        xaxis={"visible": False, "range": [0, side], "fixedrange": True},
        yaxis={"visible": False, "range": [0, side], "scaleanchor": "x", "fixedrange": True},
        showlegend=legend,
        legend={
            "orientation": "h",
            "y": -0.01,
            "yanchor": "top",
            "font": {"size": 12 if big else 10},
            # three fixed columns: the legend's height does not depend on its counts
            "entrywidth": 0.33,
            "entrywidthmode": "fraction",
        },
        margin={"l": 6, "r": 6, "t": 44 if big else 34, "b": 6},
        uirevision="live",  # keep the user's zoom while the town moves on
    )
    return {"data": data, "layout": layout}


def marker_x(marker: Marker) -> float:
    """A marker's calendar date as a decimal year (the x of the line charts)."""
    return round(marker.year + (marker.calendar_month - 1) / 12.0, 3)


def series_figure(
    a: pd.DataFrame,
    b: pd.DataFrame | None,
    metrics: list[str],
    lang: str,
    *,
    big: bool = False,
    markers: Sequence[Marker] = (),
    names: tuple[str, str] | None = None,
    marker_labels: dict[str, str] | None = None,
) -> Figure:
    """One panel per outcome: future A, future B (dashed) and, when forked, B − A.

    ``markers`` draws a vertical line on every panel where a policy started (in the
    colour of its future) or the present was forked (black, dashed); ``names`` are the
    futures' names as the page states them; ``marker_labels`` names components.
    """
    metrics = [m for m in metrics if m in a.columns]
    panels = len(metrics) + (1 if b is not None and metrics else 0)
    if not panels:
        return {"data": [], "layout": _layout(big)}
    gap = 0.1 if big else 0.08
    height = (1 - gap * (panels - 1)) / panels
    layout = _layout(
        big,
        uirevision="series",
        showlegend=True,
        # Fixed margins wide enough for "−0.60%" in big type: Plotly's automargin would
        # lay the chart out several times a frame (a third of a second in a browser).
        margin={"l": 96 if big else 70, "r": 24, "t": 30 if big else 24, "b": 96 if big else 76},
    )
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    data: list[dict[str, Any]] = []
    name_a, name_b = names or (tr("live.future_a", lang), tr("live.future_b", lang))

    def axes(i: int, title: str, share: bool, tickformat: str = ".2%") -> tuple[str, str]:
        top = 1 - i * (height + gap)
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = {
            "anchor": f"y{suffix}",
            "domain": [0, 1],
            "showgrid": True,
            "gridcolor": "#eeeeee",
            "tickformat": "d",
            **({"matches": "x"} if i else {}),
            "showticklabels": i == panels - 1,  # one time axis, under the last panel
        }
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            "domain": [max(0.0, top - height), top],
            "showgrid": True,
            "gridcolor": "#eeeeee",
            "nticks": 5,
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
        for marker in markers:
            fork = marker.kind == "fork"
            colour = "#000000" if fork else FUTURE_COLOURS.get(marker.future, "#000000")
            shapes.append(
                {
                    "type": "line",
                    "xref": f"x{suffix}",
                    "yref": "paper",
                    "x0": marker_x(marker),
                    "x1": marker_x(marker),
                    "y0": max(0.0, top - height),
                    "y1": top,
                    "line": {"color": colour, "width": 2, "dash": "dash" if fork else "dot"},
                }
            )
        return f"x{suffix}", f"y{suffix}"

    for i, metric in enumerate(metrics):
        xa, ya = axes(i, metric_label(metric, lang), metric_unit(metric) == "share")
        data.append(
            {
                "type": "scatter",
                "x": _calendar_x(a),
                "y": a[metric].tolist(),
                "name": name_a,
                "line": {"color": FUTURE_COLOURS["a"], "width": 3},
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
                    "name": name_b,
                    "line": {"color": FUTURE_COLOURS["b"], "width": 3, "dash": "dash"},
                    "legendgroup": "b",
                    "showlegend": i == 0,
                    "xaxis": xa,
                    "yaxis": ya,
                }
            )
    if b is not None:
        first = metrics[0]
        if len(a) == len(b) and np.array_equal(a["month"].to_numpy(), b["month"].to_numpy()):
            # The futures share their months (B was copied from A): no join needed.
            joined = a[["month", "year", "calendar_month"]]
            diff = b[first].to_numpy() - a[first].to_numpy()
        else:
            joined = a[["month", "year", "calendar_month", first]].merge(
                b[["month", first]], on="month", suffixes=("_a", "_b")
            )
            diff = (joined[f"{first}_b"] - joined[f"{first}_a"]).to_numpy()
        title = f"{tr('live.difference', lang)}: {metric_label(first, lang)}"
        xa, ya = axes(panels - 1, title, metric_unit(first) == "share", "+.3%")
        data.append(
            {
                "type": "scatter",
                "x": _calendar_x(joined),
                "y": diff.tolist(),
                "fill": "tozeroy",
                "line": {"color": arm_colour(3), "width": 3},
                "name": tr("live.difference", lang),
                "showlegend": False,
                "xaxis": xa,
                "yaxis": ya,
            }
        )
    # The markers' names, once, above the first panel (one label per month).
    labels = marker_labels or {}
    texts: dict[float, list[str]] = {}
    for marker in markers:
        text = (
            tr("live.marker.fork", lang)
            if marker.kind == "fork"
            else tr("live.marker.start", lang, name=labels.get(marker.kind, marker.kind))
        )
        texts.setdefault(marker_x(marker), []).append(text)
    for x, parts in texts.items():
        annotations.append(
            {
                "text": "・".join(dict.fromkeys(parts)) if lang == "ja" else ", ".join(parts),
                "x": x,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",  # inside the first panel, clear of the legend
                "xshift": 3,
                "showarrow": False,
                "bgcolor": "rgba(255, 255, 255, 0.8)",
                "font": {"size": 13 if big else 10},
            }
        )
    # Whole calendar years on the time axes, about five of them.
    span = float(a["year"].iloc[-1] - a["year"].iloc[0]) if len(a) else 0.0
    for key in [k for k in layout if k.startswith("xaxis")]:
        layout[key]["dtick"] = max(1, round(span / 5))
    layout["annotations"] = annotations
    layout["shapes"] = shapes
    # The futures' names under the time axis, clear of the panels' titles.
    layout["legend"] = {
        "orientation": "h",
        "y": 0,
        "yanchor": "top",
        "x": 0,
        "yshift": -44 if big else -36,
    }
    return {"data": data, "layout": layout}


def _calendar_x(df: pd.DataFrame) -> list[float]:
    """The rows' calendar dates as decimal years (2030.5 = July 2030), for the x axis."""
    year = df["year"].to_numpy(dtype=float)  # NumPy, not pandas: redrawn while playing
    month = df["calendar_month"].to_numpy(dtype=float)
    return np.round(year + (month - 1.0) / 12.0, 3).tolist()
