"""Shared look of every chart: fonts that render Japanese, colours per package, layout defaults."""

from __future__ import annotations

import zlib
from pathlib import Path

import plotly.graph_objects as go

# Japanese fonts first (IPA in Debian, Hiragino on macOS, Meiryo/Yu Gothic on Windows).
FONT_FAMILY = (
    "'IPAexGothic', 'IPAPGothic', 'IPAGothic', 'Noto Sans CJK JP', 'Hiragino Sans', "
    "'Yu Gothic', Meiryo, Roboto, sans-serif"
)
# Reference first (grey), then distinct colours that stay apart for colour-blind readers.
ARM_COLOURS = ("#6b6b6b", "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
PAYER_COLOURS = {
    "cost_national": "#0072b2",
    "cost_prefecture": "#56b4e9",
    "cost_municipality": "#e69f00",
    "cost_insurance": "#009e73",
    "cost_private": "#cc79a7",
    "cost_other": "#999999",
}
# One colour per package wherever it appears, fixed by its name (not its place in a list).
PACKAGE_COLOURS = {
    "baseline": "#6b6b6b",
    "jusou_full": "#0072b2",
    "outreach": "#d55e00",
    "one_stop": "#009e73",
    "participation": "#cc79a7",
    "community_building": "#e69f00",
    "multi_agency": "#56b4e9",
    "platform": "#8c564b",
    "funding": "#b8860b",
    "cafe_agreement": "#7b3294",
    "okazaki_style": "#1b7837",
}
_SPARE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c564b", "#7b3294")
STATE_COLOURS = {
    "connected": "#4c9f70",
    "isolated": "#7f7f7f",
    "in_need": "#d62728",
    "supported": "#1f77b4",
    "volunteer": "#ff7f0e",
}


def arm_colour(index: int) -> str:
    """Colour of the ``index``-th package on the page (0 is the reference)."""
    return ARM_COLOURS[index % len(ARM_COLOURS)]


def package_of(arm: str) -> str:
    """The package part of an arm name (``town/package [lever=…]`` → ``package``)."""
    name = arm.split(" [", 1)[0].rsplit("/", 1)[-1]
    return Path(name).stem if name.endswith(".toml") else name


def package_colour(arm: str) -> str:
    """The colour of ``arm``'s package: the same on every chart, page and in the brief."""
    name = package_of(arm)
    if name in PACKAGE_COLOURS:
        return PACKAGE_COLOURS[name]
    return _SPARE[zlib.crc32(name.encode("utf-8")) % len(_SPARE)]


def share_format(values: object, ticks: int = 5) -> str:
    """A ``%`` tick format with enough decimals that ``ticks`` ticks never repeat a label.

    ``.1%`` on a range of 0.0201–0.0204 reads "2.0% 2.0% 2.0%"; this picks the decimals
    from the span of ``values`` (a step of span/ticks needs one significant digit).
    """
    import math

    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return ".1%"
    span = float(v.max() - v.min()) * 100  # in percent
    if span <= 0:
        return ".1%"
    step = span / ticks
    digits = max(0, min(4, -math.floor(math.log10(step))))
    return f".{digits}%"


def rgba(hex_colour: str, alpha: float) -> str:
    """``#rrggbb`` → ``rgba(r, g, b, alpha)`` (for translucent bands)."""
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r}, {g}, {b}, {alpha})"


def style(fig: go.Figure, *, big: bool = False, legend: bool = True) -> go.Figure:
    """Apply the common layout: font, margins, white background, legend on top."""
    size = 20 if big else 13
    fig.update_layout(
        font={"family": FONT_FAMILY, "size": size},
        margin={"l": 60, "r": 20, "t": 90 if legend else 50, "b": 45},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hovermode="closest",
        showlegend=legend,
        # At the top of the whole figure, above the panel titles (never over them).
        legend={"orientation": "h", "yref": "container", "yanchor": "top", "y": 0.99, "x": 0},
    )
    fig.update_xaxes(showgrid=True, gridcolor="#eeeeee", zeroline=False)
    fig.update_yaxes(showgrid=True, gridcolor="#eeeeee", zeroline=False)
    return fig


def empty(message: str) -> go.Figure:
    """A blank chart that says why it is blank."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return style(fig, legend=False)
