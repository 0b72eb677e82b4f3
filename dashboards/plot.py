"""Plotly charts in the page without the 5 MB-per-chart cost of ``solara.FigurePlotly``.

``solara.FigurePlotly`` builds a ``plotly.FigureWidget``, an anywidget that ships the
whole plotly.js bundle (≈5 MB) over the websocket for every chart: a page of eight
charts took eight seconds to appear. :func:`Chart` instead sends only the figure's
JSON to a small Vue component that loads ``plotly.min.js`` once per page from this
server (the copy inside the installed ``plotly`` package, served under
``/static/assets/`` — see :func:`asset_dir`) and redraws with ``Plotly.react``.

The figure goes to the browser as one JSON text, not as a nested dict: Solara walks
every value of a component's arguments on each render looking for child elements,
which for a four-panel band chart (thousands of numbers) took longer than drawing it.
A chart whose figure did not change is neither re-encoded nor sent again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import solara


def asset_dir() -> Path:
    """Folder holding the ``plotly.min.js`` that matches the installed plotly version."""
    return Path(plotly.__file__).resolve().parent / "package_data"


def figure_spec(fig: go.Figure | dict[str, Any]) -> dict[str, Any]:
    """The figure as plain JSON for the browser.

    A ``dict`` is taken as an already plain figure (``data``/``layout`` of lists and
    numbers): the live view builds those directly, because building and validating
    a ``go.Figure`` took most of a frame's time.
    """
    if isinstance(fig, dict):
        return fig
    spec: dict[str, Any] = json.loads(fig.to_json())
    return spec


def figure_json(fig: go.Figure | dict[str, Any]) -> str:
    """The figure as the JSON text the chart component draws (NaN as null)."""
    if isinstance(fig, dict):
        return str(pio.json.to_json_plotly(fig))
    return str(fig.to_json())


@solara.component_vue("plotly_chart.vue")
def _PlotlyChart(spec: str, name: str, height: int, updating: str) -> None: ...


@solara.component
def Chart(fig: go.Figure | dict[str, Any], name: str = "", height: int = 360) -> solara.Element:
    """Draw ``fig``; ``name`` is set as ``data-chart`` on the element (tests find it by it)."""
    from .i18n import t

    spec = solara.use_memo(lambda: figure_json(fig), dependencies=[fig])
    return _PlotlyChart(spec=spec, name=name, height=height, updating=t("chart.updating"))
