"""Shared look of every chart: fonts that render Japanese, colours per package, layout defaults."""

from __future__ import annotations

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
}
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
        margin={"l": 60, "r": 20, "t": 50, "b": 45},
        paper_bgcolor="white",
        plot_bgcolor="white",
        hovermode="closest",
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
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
