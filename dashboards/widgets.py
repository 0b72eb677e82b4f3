"""Small building blocks every page uses: choices with translated labels, notices, help.

The selects show a translated label but hand back the stable name (a metric, an arm,
a town), so switching the language never changes what is selected. Each carries a
CSS class (``kyosei-…``) that the browser tests use to find it.
"""

from __future__ import annotations

import functools
import html as _html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import reacton.ipyvuetify as rv
import solara

from . import state


@solara.component
def Choice(
    label: str,
    value: str | None,
    options: list[tuple[str, str]],
    on_value: Callable[[str], None],
    css: str = "",
    help: str = "",
) -> None:
    """Pick one of ``options`` (value, label); ``help`` becomes the field's hint text."""
    rv.Select(
        label=label,
        items=[{"value": v, "text": t} for v, t in options],
        v_model=value,
        on_v_model=on_value,
        hint=help,
        persistent_hint=bool(help),
        dense=True,
        class_=f"kyosei-select {css}".strip(),
        attach=True,
    )


@solara.component
def MultiChoice(
    label: str,
    values: list[str],
    options: list[tuple[str, str]],
    on_values: Callable[[list[str]], None],
    css: str = "",
    help: str = "",
) -> None:
    """Pick several of ``options`` (value, label), shown as chips."""
    rv.Select(
        label=label,
        items=[{"value": v, "text": t} for v, t in options],
        v_model=values,
        on_v_model=on_values,
        multiple=True,
        chips=True,
        small_chips=True,
        deletable_chips=True,
        hint=help,
        persistent_hint=bool(help),
        dense=True,
        class_=f"kyosei-select {css}".strip(),
        attach=True,
    )


def current_set(chosen: str, sets: list[Path], default: Callable[[list[Path]], Path | str]) -> str:
    """The set a page shows: the user's choice while it exists, else ``default(sets)``.

    ``default`` is called only when needed (Explore's opens sets to find a sweep).
    """
    paths = [str(p) for p in sets]
    return chosen if chosen in paths else str(default(sets))


@solara.component
def SetChoice(current: str, sets: list[Path], on_value: Callable[[str], None], css: str) -> None:
    """The results-set selector of Compare and Explore: each set by name, scale, runs, years."""
    from .i18n import t
    from .results import READY, set_states
    from .summary import set_label

    lang = state.lang.value
    # A set being written or damaged says so; a ready one gives its scale, runs and years.
    options = [
        (str(s.path), set_label(s.path, lang) if s.state == READY else s.label(lang))
        for s in set_states(sets)
    ]
    Choice(
        t("results.set"),
        current,
        options,
        on_value,
        css=css,
        help=t("results.set.help"),
    )


@solara.component
def PackageChoice(
    label: str,
    value: str | list[str],
    options: list[tuple[str, str]],
    on_value: Callable[[Any], None],
    css: str,
    help: str = "",
) -> None:
    """The package selector of Compare (several, as chips) and Explore (one)."""
    if isinstance(value, list):
        MultiChoice(label, value, options, on_value, css=css, help=help)
    else:
        Choice(label, value, options, on_value, css=css, help=help)


def use_job_progress(
    job_id: str,
    progress: solara.Reactive[tuple[int, int, str, str]],
    on_done: Callable[[Path], None] | None = None,
) -> None:
    """Watch the :mod:`dashboards.jobs` job ``job_id`` from this session (a page hook).

    ``progress`` gets (done, total, status, message) every 0.4 s while it runs;
    ``on_done`` the new set's folder when it finishes. The run panel and 私の町 share it.
    """
    import time

    import solara.lab

    from . import jobs

    def poll() -> None:
        job = jobs.get(job_id) if job_id else None
        while job is not None:
            progress.set((job.done, job.total, job.status, job.message))
            if job.status != "running":
                if job.status == "done" and on_done is not None:
                    on_done(job.out)
                return
            time.sleep(0.4)

    solara.lab.use_task(poll, dependencies=[job_id], prefer_threaded=True)


@solara.component
def Notice(text: str, kind: str = "warning") -> None:
    """A readable notice in place of content that cannot be shown (never a traceback)."""
    rv.Alert(
        type=kind,
        text=True,
        outlined=True,
        children=[text],
        class_="kyosei-notice",
        style_="white-space: pre-wrap;",
    )


@solara.component
def Section(title: str, help: str = "", css: str = "") -> None:
    """A section heading with its help line underneath (translated by the caller)."""
    size = "1.6em" if state.big_screen.value else "1.15em"
    with solara.Column(gap="0px", classes=[f"kyosei-section {css}".strip()]):
        solara.HTML(
            tag="h3",
            unsafe_innerHTML=_escape(title),
            style=f"font-size: {size}; margin: 12px 0 2px 0; font-weight: 600;",
        )
        if help:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=_escape(help),
                style="color: #555; font-size: 0.9em; margin-bottom: 4px;",
            )


@functools.lru_cache(maxsize=64)
def _town_labels(town: str) -> tuple[str, str]:
    from scenarios import load_town

    try:
        tp = load_town(town).town
    except Exception:  # a removed or renamed profile: its file name is label enough
        stem = Path(town).stem
        return stem, stem
    return tp.label_ja, tp.label_en


def town_label(town: str, lang: str) -> str:
    """A town profile by its label in ``lang`` (every page names towns this way)."""
    ja, en = _town_labels(town)
    return ja if lang == "ja" else en


def param_value(value: object) -> str:
    """A parameter value as shown everywhere (:func:`model.parameters.value_text`)."""
    from model.parameters import value_text

    return value_text(value)


JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]+")
# A run of English words (with the spaces and punctuation between them).
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*(?:[ ,.;:()/%+–-]+[A-Za-z0-9][A-Za-z0-9'’\-]*)*")
MARKED = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def ident(name: str) -> str:
    """An identifier a researcher types (a metric, a parameter path), shown as code."""
    return f'<code class="kyosei-id">{_html.escape(name)}</code>'


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
        out.append(_html.escape(text[at : m.start()]))
        out.append(f'<span lang="{mark}">{_html.escape(m.group())}</span>')
        at = m.end()
    out.append(_html.escape(text[at:]))
    return "".join(out)


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def html_table(
    headers: list[str],
    rows: list[list[str]],
    css: str = "kyosei-table",
    numeric: tuple[int, ...] = (),
    raw: tuple[int, ...] = (),
) -> str:
    """An escaped HTML table (for KPI and parameter tables).

    Cells of the ``raw`` columns are HTML made by the caller (a verdict badge) and are
    not escaped; every other cell is.
    """
    import html

    def cell(tag: str, i: int, text: str, body: bool = True) -> str:
        align = ' style="text-align:right"' if i in numeric else ""
        inner = text if body and i in raw else html.escape(text)
        return f"<{tag}{align}>{inner}</{tag}>"

    head = "".join(cell("th", i, h, body=False) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    return (
        f'<table class="{css}" style="border-collapse: collapse; width: 100%;">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


TABLE_CSS = """
.kyosei-table th, .kyosei-table td { border-bottom: 1px solid #ddd; padding: 4px 8px; }
.kyosei-table th { background: #f4f6f8; text-align: left; }
.kyosei-big { font-size: 150%; }
.kyosei-chart { position: relative; transition: opacity 0.2s; }
body.kyosei-busy .kyosei-chart .kyosei-plot { opacity: 0.35; }
/* Compare: the panels that follow the band chart, while they still show the previous choice */
.kyosei-stale .kyosei-plot, .kyosei-stale .kyosei-kpi, .kyosei-stale .kyosei-summary,
.kyosei-stale .kyosei-budget-panel, .kyosei-stale .kyosei-gini { opacity: 0.35; }
body.kyosei-busy .kyosei-chart::after, .kyosei-stale .kyosei-chart::after {
  content: attr(data-updating); position: absolute; top: 8px; right: 12px;
  background: #fff3cd; color: #664d03; border: 1px solid #e0c46c; border-radius: 4px;
  padding: 2px 10px; font-weight: 600; z-index: 5;
}
.kyosei-verdict { border-radius: 4px; padding: 1px 8px; font-weight: 600; white-space: nowrap; }
.kyosei-verdict-better { background: #d8f0e3; color: #0b5d33; }
.kyosei-verdict-worse { background: #fbdcdc; color: #8a1c1c; }
.kyosei-verdict-none, .kyosei-verdict-up, .kyosei-verdict-down { background: #eeeeee; color: #444; }
.kyosei-summary { background: #f4f8fb; border-left: 4px solid #0072b2; padding: 8px 14px;
  margin: 8px 0; line-height: 1.7; }
.kyosei-big .v-btn { font-size: 1.1em; height: 48px !important; }
.kyosei-big .v-label, .kyosei-big .v-select__selection, .kyosei-big input { font-size: 1.2em; }
"""
