"""モデル / About: what the model contains, its outputs, parameters (unit, source), assumptions.

The description comes from ``docs/ODD.md`` when it exists; the tables come from the
model itself (the metric catalogue, :func:`model.parameters.describe` of a town
profile, the registered policy components), so this page cannot drift from the code.
"""

from __future__ import annotations

import html
from pathlib import Path

import solara

from model.metrics import METRICS
from model.parameters import describe
from scenarios import load_town, town_names

from .. import state
from ..brief import source_rows
from ..i18n import TEXT, t, tr, unit_label
from ..live import component_choices
from ..widgets import (
    Choice,
    Notice,
    Section,
    html_table,
    ident,
    model_text,
    param_value,
    town_label,
)

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
about_town = solara.reactive("district")


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
                classes=["kyosei-odd", "kyosei-model-text"],
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
        classes=["kyosei-about-components", "kyosei-model-text"],
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
        classes=["kyosei-about-metrics", "kyosei-model-text"],
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
            model_text(unit_label(str(r["unit"]), lang), lang),
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
        classes=["kyosei-about-parameters", "kyosei-model-text"],
    )
    Section(t("about.sources"))
    solara.HTML(
        tag="div",
        unsafe_innerHTML=html_table(
            [t("col.key"), t("col.title"), t("col.publisher"), t("col.year")],
            [
                [ident(k), model_text(title, lang), model_text(pub, lang), year]
                for k, title, pub, year in source_rows([str(r["source"]) for r in params], lang)
            ],
            css="kyosei-table kyosei-model-text",
            raw=(0, 1, 2),
        ),
        classes=["kyosei-about-sources"],
    )
    Section(t("about.assumptions"))
    items = "".join(
        f"<li>{html.escape(t(k))}</li>"
        for k in ("brief.assumption.1", "brief.assumption.2", "brief.assumption.3")
    )
    solara.HTML(tag="ul", unsafe_innerHTML=items, classes=["kyosei-about-assumptions"])
