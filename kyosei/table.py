"""Plain-text tables for the terminal, padded correctly around Japanese text."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A table with a header rule; columns listed in ``right`` are right-aligned."""
    cols = len(headers)
    widths = [max(width(str(r[i])) for r in [headers, *rows]) for i in range(cols)]

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - width(str(cell)))
            out.append(pad + str(cell) if i in right else str(cell) + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def default_lang() -> str:
    """The language for terminal output: ja for a Japanese locale (LANG=ja_JP...), else en."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def sources_section(texts: Iterable[str], lang: str = "en", columns: int | None = None) -> str:
    """The sources cited as ``[key]`` in ``texts``: key and title, wrapped to ``columns``."""
    from model import sources  # the model package is heavy: import only when printing

    keys = sources.cited_in(texts)
    if not keys:
        return ""
    head = (
        "出典（docs/sources.md に詳細）:" if lang == "ja" else "Sources (details: docs/sources.md):"
    )
    lines = [head]
    for key, title in sources.table(keys, lang):
        entry = f"  [{key}] {title}"
        lines += wrap(entry, columns, indent="      ") if columns else [entry]
    return "\n".join(lines)


def wrap(text: str, columns: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``columns`` terminal columns (full-width counts two).

    Breaks at spaces; a word wider than a line is broken between characters. Lines after
    the first start with ``indent``.
    """
    lead = text[: len(text) - len(text.lstrip())]
    lines: list[str] = []
    line = ""
    for word in text.split():
        word = lead + word if not line and not lines else word
        candidate = f"{line} {word}" if line else word
        if width(candidate) <= columns - (width(indent) if lines else 0):
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while width(line) > columns - width(indent):  # one word wider than a line
            cut = 0
            while width(line[: cut + 1]) <= columns - width(indent):
                cut += 1
            lines.append(line[:cut])
            line = line[cut:]
    if line or not lines:
        lines.append(line)
    return [lines[0], *(indent + ln for ln in lines[1:])]
