"""Figures of the Explore page: inputs vs outcomes, sensitivity indices, replication advice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .figures_common import arm_colour, empty, package_colour, share_format, style
from .i18n import metric_label, metric_unit, param_label, tr


def scatter(
    frame: pd.DataFrame, x: str, metric: str, labels: dict[str, str], lang: str
) -> go.Figure:
    """One dot per run: input ``x`` against the outcome, coloured by package."""
    fig = go.Figure()
    for arm, part in frame.groupby("arm", sort=False):
        fig.add_trace(
            go.Scatter(
                x=part[x],
                y=part[metric],
                mode="markers",
                name=labels.get(str(arm), str(arm)),
                marker={"color": package_colour(str(arm)), "size": 7, "opacity": 0.75},
            )
        )
    fig.update_xaxes(title_text=param_label(x, lang))
    fig.update_yaxes(
        title_text=metric_label(metric, lang),
        **({"tickformat": share_format(frame[metric])} if metric_unit(metric) == "share" else {}),
    )
    return style(fig)


def _share_ticks(metric: str, values: pd.Series) -> dict[str, str]:
    """``tickformat`` for a share metric (percent, never repeating), else nothing."""
    return {"tickformat": share_format(values)} if metric_unit(metric) == "share" else {}


def heatmap(
    frame: pd.DataFrame, x: str, y: str, metric: str, lang: str, bins: int = 6
) -> go.Figure:
    """Mean outcome over a grid of two inputs (runs binned into ``bins`` × ``bins`` cells)."""
    if x == y or frame.empty:
        return empty(tr("explore.input_y", lang))
    xe = np.linspace(frame[x].min(), frame[x].max(), bins + 1)
    ye = np.linspace(frame[y].min(), frame[y].max(), bins + 1)
    xi = np.clip(np.digitize(frame[x], xe) - 1, 0, bins - 1)
    yi = np.clip(np.digitize(frame[y], ye) - 1, 0, bins - 1)
    sums = np.zeros((bins, bins))
    counts = np.zeros((bins, bins))
    np.add.at(sums, (yi, xi), frame[metric].to_numpy(float))
    np.add.at(counts, (yi, xi), 1)
    with np.errstate(invalid="ignore"):
        mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    fig = go.Figure(
        go.Heatmap(
            x=((xe[:-1] + xe[1:]) / 2).tolist(),
            y=((ye[:-1] + ye[1:]) / 2).tolist(),
            z=mean.tolist(),
            colorscale="Viridis",
            colorbar={
                "title": {"text": metric_label(metric, lang)},
                **_share_ticks(metric, frame[metric]),
            },
        )
    )
    fig.update_xaxes(title_text=param_label(x, lang))
    fig.update_yaxes(title_text=param_label(y, lang))
    return style(fig, legend=False)


def parallel(frame: pd.DataFrame, inputs: list[str], metric: str, lang: str) -> go.Figure:
    """Parallel coordinates: every input and the outcome, lines coloured by the outcome."""
    if frame.empty:
        return empty(tr("explore.no_inputs", lang))
    dims = [{"label": param_label(c, lang), "values": frame[c].tolist()} for c in inputs]
    dims.append(
        {
            "label": metric_label(metric, lang),
            "values": frame[metric].tolist(),
            **_share_ticks(metric, frame[metric]),
        }
    )
    fig = go.Figure(
        go.Parcoords(
            line={
                "color": frame[metric].tolist(),
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": _share_ticks(metric, frame[metric]),
            },
            dimensions=dims,
        )
    )
    return style(fig, legend=False)


INDEX_KEYS = ("S1", "ST", "S2", "mu_star", "mu", "sigma", "rho", "noise_share")


def index_name(index: str, lang: str) -> str:
    """A sensitivity index by its name in ``lang`` (``S1`` → 一次の感度指数 S1)."""
    return tr(f"index.{index}", lang) if index in INDEX_KEYS else index


def parameter_name(parameter: str, lang: str) -> str:
    """An input as shown: the parameter path, or the replicate-noise row in words."""
    if parameter == "(replicate noise)":
        return tr("index.noise_row", lang)
    return " × ".join(param_label(p, lang) for p in parameter.split(" × "))


def sensitivity_chart(table: pd.DataFrame, lang: str) -> go.Figure:
    """Indices per parameter with their bootstrap intervals (replicate noise shown apart)."""
    if table.empty:
        return empty(tr("explore.sensitivity.none", lang, reason="—"))
    fig = go.Figure()
    for j, (index, part) in enumerate(table.groupby("index", sort=False)):
        lo = (part["value"] - part["lo"]).fillna(0).clip(lower=0)
        hi = (part["hi"] - part["value"]).fillna(0).clip(lower=0)
        fig.add_trace(
            go.Bar(
                x=[parameter_name(str(p), lang) for p in part["parameter"]],
                y=part["value"].tolist(),
                name=index_name(str(index), lang),
                marker={"color": arm_colour(j + 1)},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": hi.tolist(),
                    "arrayminus": lo.tolist(),
                },
            )
        )
    fig.update_layout(barmode="group")
    return style(fig)


def advisor_chart(
    advice: pd.DataFrame, metric: str, lang: str, labels: dict[str, str] | None = None
) -> go.Figure:
    """Half-width of the effect's 90 % interval against the number of replicates."""
    if advice.empty:
        return empty(tr("explore.advisor.help", lang))
    fig = go.Figure()
    for arm, part in advice.groupby("arm", sort=False):
        part = part.sort_values("replicates")
        fig.add_trace(
            go.Scatter(
                x=part["replicates"].tolist(),
                y=part["half_width"].tolist(),
                mode="lines+markers",
                name=(labels or {}).get(str(arm), str(arm)),
                line={"color": package_colour(str(arm))},
            )
        )
        now = part[part["current"]]
        fig.add_trace(
            go.Scatter(
                x=now["replicates"].tolist(),
                y=now["half_width"].tolist(),
                mode="markers",
                marker={"size": 14, "symbol": "star", "color": package_colour(str(arm))},
                showlegend=False,
            )
        )
    # Ticks only at the numbers of replicates on the chart: a log axis otherwise reads
    # "…9 10 2 3…".
    ticks = sorted({int(n) for n in advice["replicates"]})
    fig.update_xaxes(
        type="log",
        title_text=tr("run.replicates", lang),
        tickvals=ticks,
        ticktext=[f"{n:,}" for n in ticks],
    )
    fig.update_yaxes(
        title_text="± " + metric_label(metric, lang),
        **(
            {"tickformat": share_format(advice["half_width"])}
            if metric_unit(metric) == "share"
            else {}
        ),
    )
    return style(fig)
