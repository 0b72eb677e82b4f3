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

from .i18n import better_text, format_delta, format_value, metric_label, tr
from .results import Loaded
from .widgets import html_table, ident, model_text

CSS = """
body { font-family: 'IPAexGothic','IPAPGothic','Noto Sans CJK JP','Hiragino Sans','Yu Gothic',
       Meiryo, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; line-height: 1.6; }
h1 { font-size: 1.7em; border-bottom: 3px solid #0072b2; padding-bottom: .2em; }
h2 { font-size: 1.25em; margin-top: 1.6em; color: #0b4f7a; }
.kyosei-table th, .kyosei-table td { border-bottom: 1px solid #ddd; padding: 4px 8px; }
.kyosei-table th { background: #f4f6f8; text-align: left; }
.meta { color: #666; font-size: .9em; }
.kyosei-summary { background: #f4f8fb; border-left: 4px solid #0072b2; padding: 8px 14px; }
.kyosei-verdict { border-radius: 4px; padding: 1px 8px; font-weight: 600; white-space: nowrap; }
.kyosei-verdict-better { background: #d8f0e3; color: #0b5d33; }
.kyosei-verdict-worse { background: #fbdcdc; color: #8a1c1c; }
.kyosei-verdict-none, .kyosei-verdict-up, .kyosei-verdict-down { background: #eee; color: #444; }
"""


KPI_RAW = (5,)  # the verdict column holds a badge


def verdict_badge(verdict: str, lang: str) -> str:
    """The 改善 / 悪化 / 差なし badge (HTML) of a KPI row; empty for the reference."""
    if not verdict:
        return ""
    return (
        f'<span class="kyosei-verdict kyosei-verdict-{html.escape(verdict)}">'
        f"{html.escape(tr(f'verdict.{verdict}', lang))}</span>"
    )


def kpi_headers(lang: str) -> list[str]:
    """Headers of the KPI table (the page and the brief show the same table)."""
    return [
        tr("kpi.metric", lang),
        tr("kpi.better", lang),
        tr("explore.arm", lang),
        tr("col.value", lang),
        tr("kpi.diff", lang),
        tr("kpi.verdict", lang),
    ]


def kpi_rows(kpi: pd.DataFrame, labels: dict[str, str], lang: str) -> list[list[str]]:
    """Rows of the KPI table (outcome, direction, package, value, difference, verdict).

    The value carries its 10–90 % band; the difference its paired 90 % interval.
    """
    rows = []
    for r in kpi.to_dict("records"):
        metric = str(r["metric"])
        value = format_value(metric, float(r["median"]), lang)
        lo_v, hi_v = float(r["lo_value"]), float(r["hi_value"])
        if lo_v == lo_v and hi_v == hi_v and lo_v != hi_v:
            value += f" ({format_value(metric, lo_v, lang)}–{format_value(metric, hi_v, lang)})"
        mean = float(r["mean_diff"])
        if r["arm"] == r["reference"] or mean != mean:
            diff = "—"
        else:
            lo, hi = (
                format_delta(metric, float(r["lo"]), lang),
                format_delta(metric, float(r["hi"]), lang),
            )
            diff = f"{format_delta(metric, mean, lang)} [{lo}, {hi}]"
        rows.append(
            [
                metric_label(metric, lang),
                better_text(metric, lang) or "—",
                labels.get(str(r["arm"]), str(r["arm"])),
                value,
                diff,
                verdict_badge(str(r.get("verdict", "") or ""), lang),
            ]
        )
    return rows


def source_rows(texts: list[str], lang: str) -> list[list[str]]:
    """[key, title in ``lang``, publisher, year] of every source cited in ``texts``."""
    rows = []
    for key in source_list.cited_in(texts):
        s = source_list.lookup(key)
        rows.append([f"[{key}]", s.title(lang), s.publisher, str(s.year)])
    return rows


def kpi_html(kpi: pd.DataFrame, labels: dict[str, str], lang: str) -> str:
    """The KPI table as HTML."""
    return html_table(kpi_headers(lang), kpi_rows(kpi, labels, lang), numeric=(3, 4), raw=KPI_RAW)


def budget_rows(
    budget: pd.DataFrame, labels: dict[str, str], lang: str
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the budget table: per package, each payer then the total.

    Money is in 万円/年 (per year) and 億円 (over the horizon); the increment over the
    reference is a paired mean difference with its 90 % interval.
    """
    years = round(float(budget.attrs.get("years", 0)) or 0)
    headers = [
        tr("explore.arm", lang),
        tr("budget.payer", lang),
        tr("budget.per_year", lang),
        tr("budget.total", lang, years=years),
        tr("budget.increment", lang),
    ]
    rows = []
    for r in budget.to_dict("records"):
        arm, payer = str(r["arm"]), str(r["payer"])
        inc = "—"
        if arm != str(r["reference"]) and r["increment"] == r["increment"]:
            inc = _oku(float(r["increment"]), True)
            lo, hi = _oku(float(r["inc_lo"]), True), _oku(float(r["inc_hi"]), True)
            if lo != hi:  # no interval to show when every replicate costs the same
                inc += f" [{lo}, {hi}]"
        per_year = float(r["per_year"])
        rows.append(
            [
                labels.get(arm, arm) if payer == budget_first_payer(budget, arm) else "",
                tr(f"payer.{payer}", lang),
                f"{per_year / 1e4:,.0f}" if per_year == per_year else "—",
                _oku(float(r["total"])),
                inc,
            ]
        )
    return headers, rows


def budget_first_payer(budget: pd.DataFrame, arm: str) -> str:
    """The payer of ``arm``'s first row (where the package's name is written)."""
    part = budget[budget["arm"] == arm]
    return str(part["payer"].iloc[0]) if not part.empty else ""


def _oku(yen: float, signed: bool = False) -> str:
    if yen != yen:
        return "—"
    text = f"{abs(yen) / 1e8:,.2f}" if signed else f"{yen / 1e8:,.2f}"
    if signed:
        text = ("+" if yen > 0 else "−" if yen < 0 else "±") + text
    return text


def budget_html(budget: pd.DataFrame, per: pd.DataFrame, labels: dict[str, str], lang: str) -> str:
    """The budget table and the cost per person reconnected, as HTML."""
    headers, rows = budget_rows(budget, labels, lang)
    out = html_table(headers, rows, css="kyosei-table kyosei-budget", numeric=(2, 3, 4))
    if not per.empty:
        years = round(float(budget.attrs.get("years", 0)) or 0)
        per_rows = []
        for r in per.to_dict("records"):
            extra = float(r["extra"])
            per_extra = float(r["per_extra"])
            per_rows.append(
                [
                    labels.get(str(r["arm"]), str(r["arm"])),
                    f"{float(r['reconnected']):,.0f}",
                    format_value("cost_per_reconnected", float(r["per_person"]), lang),
                    "—"
                    if extra != extra
                    else format_value("cost_per_reconnected", per_extra, lang)
                    if per_extra == per_extra
                    else tr("budget.no_extra", lang),
                ]
            )
        out += html_table(
            [
                tr("explore.arm", lang),
                tr("budget.reconnected", lang, years=years),
                tr("budget.per_person", lang),
                tr("budget.per_extra", lang),
            ],
            per_rows,
            css="kyosei-table kyosei-per-person",
            numeric=(1, 2, 3),
        )
    return out


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
    *,
    budget: pd.DataFrame | None = None,
    per_person: pd.DataFrame | None = None,
    summary: str = "",
) -> str:
    """The brief as one HTML document (UTF-8 text), opening with the 要旨 ``summary``.

    ``budget`` and ``per_person`` are :func:`dashboards.compare_data.budget` and
    :func:`~dashboards.compare_data.cost_per_reconnected` (the cost table is left out
    when they are not given or the set has no costs).
    """
    esc = html.escape
    m = loaded.manifest
    today = _dt.date.today().isoformat()
    packages = (
        "、".join(labels[a] for a in arms) if lang == "ja" else ", ".join(labels[a] for a in arms)
    )
    made = tr("brief.made", lang, date=today)
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
        f'<p class="meta">{esc(made)}{ident(str(m.get("code_version", "")))}'
        f" · {esc(loaded.path.name)}</p>",
        *(
            [
                f"<h2>{esc(tr('summary.title', lang))}</h2>",
                f'<p class="kyosei-summary">{esc(summary)}</p>',
            ]
            if summary
            else []
        ),
        f"<p>{esc(question)}</p>",
        f"<p>{esc(tr('brief.method', lang, reps=loaded.replications()))}</p>",
        f"<h2>{esc(tr('compare.kpi', lang))} — "
        f"{esc(tr('axis.year_n', lang, n=f'{year:g}'))} ({start + year:g})</h2>",
        kpi_html(kpi, labels, lang),
        f"<p class='meta'>{esc(tr('verdict.help', lang))}</p>",
    ]
    if budget is not None and not budget.empty:
        parts.append(f"<h2>{esc(tr('budget.title', lang))}</h2>")
        parts.append(f"<p class='meta'>{esc(tr('budget.help', lang))}</p>")
        per = per_person if per_person is not None else pd.DataFrame()
        parts.append(budget_html(budget, per, labels, lang))
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
            [[ident(p), model_text(s, lang)] for p, s in cited],
            css="kyosei-table kyosei-sources kyosei-model-text",
            raw=(0, 1),
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
            [
                [ident(k), model_text(title, lang), model_text(pub, lang), year]
                for k, title, pub, year in source_rows([s for _, s in cited], lang)
            ],
            css="kyosei-table kyosei-sources kyosei-model-text",
            raw=(0, 1, 2),
        )
    )
    parts.append(f"<h2>{esc(tr('brief.provenance', lang))}</h2><ul class='meta'>")
    for key in ("code_version", "git_commit", "created", "identity", "root_seed", "replications"):
        if key in m:
            value = str(m[key])
            if key in ("git_commit", "identity"):
                value = value[:10]  # enough to find it; the full hash is in the manifest
            shown = (
                ident(value) if key in ("code_version", "git_commit", "identity") else esc(value)
            )
            parts.append(f"<li>{esc(tr(f'prov.{key}', lang))}: {shown}</li>")
    parts.append(f"<li>{esc(tr('prov.set', lang))}: {esc(loaded.path.name)}</li></ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
