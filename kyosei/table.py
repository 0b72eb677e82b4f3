"""Plain-text tables for the terminal, padded correctly around Japanese text."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


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
