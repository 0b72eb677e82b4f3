"""The policy brief: one self-contained HTML file to take to a council meeting.

It holds the question, the method, the KPI table, the charts of the Compare page (with
plotly.js embedded once, ``include_plotlyjs=True``, so it opens with no internet),
the assumptions and the sources of every parameter, and the provenance of the results
(code version, date, seeds). It is written in the language the user was reading.
"""

from __future__ import annotations

import datetime as _dt
import html

import pandas as pd
import plotly.graph_objects as go

from model import sources as source_list
from model.parameters import describe
from scenarios import load_town

from .i18n import format_delta, format_value, metric_label, tr
from .results import Loaded
from .widgets import html_table

CSS = """
body { font-family: 'IPAexGothic','IPAPGothic','Noto Sans CJK JP','Hiragino Sans','Yu Gothic',
       Meiryo, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; line-height: 1.6; }
h1 { font-size: 1.7em; border-bottom: 3px solid #0072b2; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; color: #0b4f7a; }
.kyosei-table th, .kyosei-table td { border-bottom: 1px solid #ddd; padding: 4px 8px; }
.kyosei-table th { background: #f4f6f8; text-align: left; }
.meta { color: #666; font-size: .9em; }
"""


def kpi_rows(kpi: pd.DataFrame, labels: dict[str, str], lang: str) -> list[list[str]]:
    """Rows of the KPI table: outcome, package, value (band), difference (interval)."""
    rows = []
    for _, r in kpi.iterrows():
        metric = str(r["metric"])
        value = f"{format_value(metric, r['median'])} ({format_value(metric, r['lo_value'])}–"
        value += f"{format_value(metric, r['hi_value'])})"
        if r["arm"] == r["reference"] or r["mean_diff"] != r["mean_diff"]:
            diff = "—"
        else:
            diff = f"{format_delta(metric, r['mean_diff'])} ({format_delta(metric, r['lo'])} … "
            diff += f"{format_delta(metric, r['hi'])})"
        rows.append(
            [metric_label(metric, lang), labels.get(str(r["arm"]), str(r["arm"])), value, diff]
        )
    return rows


def source_rows(texts: list[str], lang: str) -> list[list[str]]:
    """[key, title in ``lang``, publisher, year] of every source cited in ``texts``."""
    rows = []
    for key in source_list.cited_in(texts):
        s = source_list.lookup(key)
        rows.append([f"[{key}]", s.title(lang), s.publisher, str(s.year)])
    return rows


def sources(towns: list[str]) -> list[tuple[str, str]]:
    """(parameter, source) of every parameter of the towns, sources not 'assumption' first."""
    seen: dict[str, str] = {}
    for town in towns:
        try:
            params = load_town(town)
        except Exception:  # a town file gone since the run: list what can be read
            continue
        for row in describe(params):
            seen.setdefault(str(row["parameter"]), str(row["source"]))
    return sorted(seen.items(), key=lambda kv: ("assumption" in kv[1].lower(), kv[0]))


def start_year(loaded: Loaded) -> int:
    """Calendar year of the runs' month 0 (stores written before calendar time: 0)."""
    ts = loaded.timeseries
    if "year" not in ts.columns:
        return 0
    first = ts["year"].to_numpy()[ts["month"].to_numpy() == 0]
    return int(first[0]) if first.size else 0


def build(
    loaded: Loaded,
    town: str,
    arms: list[str],
    labels: dict[str, str],
    kpi: pd.DataFrame,
    figures: list[tuple[str, go.Figure]],
    year: float,
    lang: str,
) -> str:
    """The brief as one HTML document (UTF-8 text)."""
    esc = html.escape
    m = loaded.manifest
    today = _dt.date.today().isoformat()
    packages = (
        "、".join(labels[a] for a in arms) if lang == "ja" else ", ".join(labels[a] for a in arms)
    )
    made = tr("brief.made", lang, date=today, version=m.get("code_version", ""))
    start = start_year(loaded)
    years = round(loaded.months / 12)
    question = tr(
        "brief.question", lang, start=start, end=start + years, years=years, packages=packages
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{esc(tr('brief.title', lang, town=town))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{esc(tr('brief.title', lang, town=town))}</h1>",
        f'<p class="meta">{esc(made)} · {esc(loaded.name)}</p>',
        f"<p>{esc(question)}</p>",
        f"<p>{esc(tr('brief.method', lang, reps=loaded.replications()))}</p>",
        f"<h2>{esc(tr('compare.kpi', lang))} — {esc(tr('axis.year', lang))} {start + year:g}</h2>",
        html_table(
            [
                tr("kpi.metric", lang),
                tr("explore.arm", lang),
                tr("col.value", lang),
                tr("kpi.diff", lang),
            ],
            kpi_rows(kpi, labels, lang),
        ),
    ]
    first = True
    for title, fig in figures:
        parts.append(f"<h2>{esc(title)}</h2>")
        # plotly.js goes in once, with the first chart: the file then needs no network.
        parts.append(fig.to_html(full_html=False, include_plotlyjs=first))
        first = False
    parts.append(f"<h2>{esc(tr('brief.assumptions', lang))}</h2><ul>")
    for key in ("brief.assumption.1", "brief.assumption.2", "brief.assumption.3"):
        parts.append(f"<li>{esc(tr(key, lang))}</li>")
    parts.append("</ul>")
    parts.append(f"<h2>{esc(tr('brief.sources', lang))}</h2>")
    cited = sources([loaded.arm(a).town for a in arms])
    parts.append(
        html_table(
            [tr("col.parameter", lang), tr("col.source", lang)],
            [[p, s] for p, s in cited],
        )
    )
    parts.append(
        html_table(
            [
                tr("col.key", lang),
                tr("col.title", lang),
                tr("col.publisher", lang),
                tr("col.year", lang),
            ],
            source_rows([s for _, s in cited], lang),
        )
    )
    parts.append(f"<h2>{esc(tr('brief.provenance', lang))}</h2><ul class='meta'>")
    for key in ("code_version", "git_commit", "created", "identity", "root_seed", "replications"):
        if key in m:
            parts.append(f"<li>{esc(key)}: {esc(str(m[key]))}</li>")
    parts.append(f"<li>results: {esc(str(loaded.path))}</li></ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
