"""モデル / About: what the model contains, its outputs, parameters (unit, source), assumptions.

The description comes from ``docs/ODD.md`` when it exists; the tables come from the
model itself (the metric catalogue, :func:`model.parameters.describe` of a town
profile, the registered policy components), so this page cannot drift from the code.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import solara

from model.metrics import METRICS
from model.parameters import describe
from scenarios import load_town, town_names

from .. import state
from ..i18n import TEXT, t, tr
from ..live import component_choices
from ..widgets import Choice, Notice, Section, html_table, param_value, town_label

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
about_town = solara.reactive("district")


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]+")
# A run of English words (with the spaces and punctuation between them).
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*(?:[ ,.;:()/%+–-]+[A-Za-z0-9][A-Za-z0-9'’\-]*)*")
MARKED = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def ident(name: str) -> str:
    """An identifier a researcher types (a metric, a parameter path), shown as code."""
    return f'<code class="kyosei-id">{html.escape(name)}</code>'


def model_text(text: str, lang: str) -> str:
    """Text the model holds in one language only (parameter units, sources), marked as such.

    In Japanese mode the English words of a cell carry ``lang="en"``; in English mode
    the Japanese words (民生委員, ふるさと納税) carry ``lang="ja"``; snake_case names
    inside (``out_rate``) are shown as code. So the browser, a screen reader and the
    language test know which language each part is in.
    """
    other = LATIN_WORD if lang == "ja" else JAPANESE
    mark = "en" if lang == "ja" else "ja"
    out, at = [], 0
    for m in MARKED.finditer(text):
        out.append(_part(text[at : m.start()], other, mark))
        out.append(ident(m.group()))
        at = m.end()
    out.append(_part(text[at:], other, mark))
    return "".join(out)


def _part(text: str, other: re.Pattern[str], mark: str) -> str:
    out, at = [], 0
    for m in other.finditer(text):
        out.append(html.escape(text[at : m.start()]))
        out.append(f'<span lang="{mark}">{html.escape(m.group())}</span>')
        at = m.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


def unit_name(unit: str, lang: str) -> str:
    """A metric's unit word in ``lang`` (``people`` → 人)."""
    key = f"unitname.{unit}"
    return tr(key, lang) if key in TEXT else unit


@solara.component
def AboutPage() -> None:
    """The page (see the module docstring)."""
    lang = state.lang.value
    solara.HTML(tag="h2", unsafe_innerHTML=t("about.title"), style="margin: 8px 0;")
    Section(t("about.contents"))
    if ODD.exists():
        # Shown as text: solara.Markdown pulls KaTeX, which is not among the offline assets.
        with solara.Details(summary=t("about.odd"), expand=False):
            solara.HTML(
                tag="pre",
                attributes={"lang": "en"},
                unsafe_innerHTML=html.escape(ODD.read_text(encoding="utf-8")),
                style="white-space: pre-wrap; font-family: inherit;",
                classes=["kyosei-odd"],
            )
    else:
        Notice(t("about.odd_missing"), kind="info")
    Section(t("about.interventions"))
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            [t("col.name"), t("col.label")],
            [
                [ident(k), model_text(ja if lang == "ja" else en, lang)]
                for k, ja, en in component_choices()
            ],
            raw=(0, 1),
        ),
        classes=["kyosei-about-components"],
    )
    Section(t("about.metrics"))
    rows = [
        [
            ident(m.name),
            model_text(m.ja if lang == "ja" else m.en, lang),
            html.escape(unit_name(m.unit, lang)),
            model_text(m.help_ja if lang == "ja" else m.help_en, lang),
        ]
        for m in METRICS.values()
    ]
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            [t("col.name"), t("col.label"), t("col.unit"), t("col.help")], rows, raw=(0, 1, 2, 3)
        ),
        classes=["kyosei-about-metrics"],
    )
    Section(t("about.parameters"))
    towns = town_names()
    town = about_town.value if about_town.value in towns else towns[0]
    Choice(
        t("about.town"),
        town,
        [(n, town_label(n, lang)) for n in towns],
        about_town.set,
        css="kyosei-about-town",
    )
    try:
        params = describe(load_town(town))
    except Exception as exc:  # a broken profile file: say which and why
        Notice(str(exc))
        return
    prows = [
        [
            ident(str(r["parameter"])),
            model_text(param_value(r["value"]), lang),
            model_text(str(r["unit"]), lang),
            model_text(str(r["source"]), lang),
            model_text(str(r.get("help_ja" if lang == "ja" else "help_en") or ""), lang),
        ]
        for r in params
    ]
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            [t("col.parameter"), t("col.value"), t("col.unit"), t("col.source"), t("col.help")],
            prows,
            raw=(0, 1, 2, 3, 4),
        ),
        classes=["kyosei-about-parameters"],
    )
    Section(t("about.assumptions"))
    items = "".join(
        f"<li>{html.escape(t(k))}</li>"
        for k in ("brief.assumption.1", "brief.assumption.2", "brief.assumption.3")
    )
    solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["kyosei-about-assumptions"])
