"""Residents by age and sex from a CSV table in the 住民基本台帳 / e-Stat layout.

The layout (documented for users in ``docs/age-tables.md``):

* UTF-8 text (a byte-order mark is fine), comma-separated; numbers may carry thousands
  separators inside quotes ("1,234").
* Lines before the header are notes and are skipped (e-Stat downloads start with some).
  The header is the first line whose first cell is ``年齢`` or ``age``; it names the
  columns ``男`` / ``male`` and ``女`` / ``female``, and optionally ``総数`` / ``計`` /
  ``total`` (then checked to equal men + women on each row).
* One row per age band, youngest first, without gaps or overlaps, starting at 0:
  ``0～4歳``, ``0-4``, ``0~4歳`` (bands of any width, e.g. 5-year bands), ``7歳`` or ``7``
  (single years), and a last open band ``100歳以上`` / ``100+``. A row whose age cell is
  ``総数``, ``計``, ``合計`` or ``total`` is a total row and is skipped.
* An open top band is spread over the years from its first age to 109, falling by a fifth
  each year (few people live past 100); a closed band is spread evenly over its years.

Every problem is reported as a :class:`~model.errors.UsageError` naming the file, the
row (line number) and the column.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

import numpy as np

from .errors import UsageError

TOP_AGE = 110  # ages 0..109 (everyone dies by 110)
AGE_NAMES = ("年齢", "age", "年齢階級", "年齢（各歳）")
MALE_NAMES = ("男", "male", "男性")
FEMALE_NAMES = ("女", "female", "女性")
TOTAL_NAMES = ("総数", "計", "total", "合計", "男女計")
TOTAL_ROWS = ("総数", "計", "合計", "total", "男女計")

_DASH = "[-～~〜－−]"
_BAND = re.compile(rf"^(\d+)\s*(?:歳)?\s*{_DASH}\s*(\d+)\s*(?:歳)?$")
_SINGLE = re.compile(r"^(\d+)\s*(?:歳)?$")
_OPEN = re.compile(r"^(\d+)\s*(?:歳以上|\+|歳\+|以上)$")


def _fail(path: Path, line: int, column: str, value: str, allowed: str) -> UsageError:
    return UsageError(f"{path}: row {line}, column '{column}': {value!r} is not allowed: {allowed}")


def _count(path: Path, line: int, column: str, text: str) -> int:
    cleaned = text.strip().replace(",", "").replace("，", "")
    if cleaned in ("", "-", "－"):
        return 0
    if not re.fullmatch(r"\d+", cleaned):
        raise _fail(path, line, column, text, "a whole number of residents (0 or more)")
    return int(cleaned)


def _band(path: Path, line: int, column: str, text: str) -> tuple[int, int]:
    """First and last age (inclusive) of a band; last = -1 for an open band."""
    cell = text.strip().replace(" ", "")
    for pattern, kind in ((_BAND, "band"), (_OPEN, "open"), (_SINGLE, "single")):
        match = pattern.match(cell)
        if match:
            first = int(match.group(1))
            if kind == "band":
                return first, int(match.group(2))
            return (first, -1) if kind == "open" else (first, first)
    raise _fail(
        path, line, column, text, "an age band such as '0～4歳', '0-4', '7歳' or '100歳以上'"
    )


@functools.lru_cache(maxsize=32)
def _read_cached(path_text: str, mtime: float) -> np.ndarray:
    return _read(Path(path_text))


def read_age_table(path: str | Path) -> np.ndarray:
    """The table's rows as ``(first age, last age, men, women)``; last age -1 = open band."""
    p = Path(path)
    try:
        mtime = p.stat().st_mtime
    except OSError as exc:
        raise UsageError(f"{p}: the age table cannot be read ({exc.strerror})") from None
    return _read_cached(str(p), mtime).copy()


def _read(path: Path) -> np.ndarray:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(
            f"{path}: the age table is not UTF-8 text (save it as UTF-8 CSV)"
        ) from None
    except OSError as exc:
        raise UsageError(f"{path}: the age table cannot be read ({exc.strerror})") from None
    rows = list(csv.reader(text.splitlines()))
    header_at = next(
        (i for i, row in enumerate(rows) if row and row[0].strip().lower() in AGE_NAMES), None
    )
    if header_at is None:
        raise UsageError(
            f"{path}: no header row: the first cell of the header must be 年齢 (or age)"
        )
    header = [c.strip().lower() for c in rows[header_at]]

    def column(names: tuple[str, ...], required: bool) -> int | None:
        found = [i for i, h in enumerate(header) if h in names]
        if not found and required:
            raise _fail(
                path,
                header_at + 1,
                names[0],
                ",".join(rows[header_at]),
                f"a header with a '{names[0]}' column",
            )
        return found[0] if found else None

    col_m = column(MALE_NAMES, True)
    col_f = column(FEMALE_NAMES, True)
    col_t = column(TOTAL_NAMES, False)
    if col_m is None or col_f is None:  # (required columns: column() raised already)
        raise UsageError(f"{path}: the header needs columns 男 and 女")
    out: list[tuple[int, int, int, int]] = []
    next_age = 0
    closed = False
    for index in range(header_at + 1, len(rows)):
        row = rows[index]
        line = index + 1
        if not row or all(not c.strip() for c in row):
            continue
        age_text = row[0].strip()
        if age_text.lower() in TOTAL_ROWS:
            continue
        if closed:
            raise _fail(path, line, header[0], age_text, "no rows after the open top band")
        width = max(col_m, col_f, col_t if col_t is not None else 0) + 1
        if len(row) < width:
            raise _fail(path, line, header[min(len(row), width - 1)], "", "a value in every column")
        first, last = _band(path, line, header[0], age_text)
        if first != next_age:
            raise _fail(
                path, line, header[0], age_text, f"the next band, starting at age {next_age}"
            )
        if last != -1 and (last < first or last >= TOP_AGE):
            raise _fail(path, line, header[0], age_text, f"a band within ages 0-{TOP_AGE - 1}")
        men = _count(path, line, rows[header_at][col_m].strip(), row[col_m])
        women = _count(path, line, rows[header_at][col_f].strip(), row[col_f])
        if col_t is not None:
            total = _count(path, line, rows[header_at][col_t].strip(), row[col_t])
            if total != men + women:
                raise _fail(
                    path,
                    line,
                    rows[header_at][col_t].strip(),
                    row[col_t],
                    f"men + women = {men + women}",
                )
        if last == -1 and first >= TOP_AGE:
            raise _fail(path, line, header[0], age_text, f"an open band from below {TOP_AGE}")
        out.append((first, last, men, women))
        closed = last == -1
        next_age = TOP_AGE if closed else last + 1
    if not out:
        raise UsageError(f"{path}: the age table has a header but no age rows")
    table = np.array(out, dtype=np.int64)
    if table[:, 2:].sum() <= 0:
        raise UsageError(f"{path}: the age table counts no residents")
    return table


def year_weights(first: int, last: int, decay: float) -> tuple[np.ndarray, np.ndarray]:
    """Years of age a band covers and how its residents spread over them (sums to 1).

    An open top band (``last`` = -1) holds ``decay`` times as many at each year of age as
    at the year before.
    """
    if last == -1:
        years = np.arange(first, TOP_AGE)
        weights = decay ** (years - first)
    else:
        years = np.arange(first, last + 1)
        weights = np.ones(years.size)
    return years, weights / weights.sum()
