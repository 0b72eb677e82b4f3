"""The public sources Kyosei cites, loaded from ``model/sources.toml``.

A parameter's or calibration target's ``source`` text cites sources by key in square
brackets (``"[nippon-com-minsei-2026] 91.7 % (FY2025)"``). :func:`cited_keys` finds the keys
in a text, :func:`lookup` returns a source and :func:`render` writes it for display in
Japanese or English. The file is read once per process.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

#: A cited key: lowercase words joined by hyphens in square brackets, not a Markdown link
#: (``[text](url)``) and not an index (``x[i-1]``).
CITATION = re.compile(r"(?<![\w\]])\[([a-z][a-z0-9]*(?:-[a-z0-9]+)+)\](?!\()")

_FIELDS = ("title_ja", "title_en", "publisher", "year", "url", "facts")


@dataclass(frozen=True)
class Source:
    """One publication: titles, publisher, year, address and what Kyosei takes from it."""

    key: str
    title_ja: str
    title_en: str
    publisher: str
    year: int
    facts: str
    url: str = ""

    def title(self, lang: str = "en") -> str:
        """The title in ``lang`` ("ja" or "en")."""
        return self.title_ja if lang == "ja" else self.title_en


def _check(key: str, entry: object) -> Source:
    where = f"model/sources.toml: [{key}]"
    if not CITATION.fullmatch(f"[{key}]"):
        raise ValueError(f"{where}: a key is lowercase words joined by hyphens")
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a table")
    unknown = set(entry) - set(_FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}; allowed {_FIELDS}")
    for name in ("title_ja", "title_en", "publisher", "facts"):
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise ValueError(f"{where}: field '{name}' must be non-empty text")
    if not isinstance(entry.get("year"), int):
        raise ValueError(f"{where}: field 'year' must be a whole number")
    url = entry.get("url", "")
    if not isinstance(url, str) or (url and not url.startswith(("http://", "https://"))):
        raise ValueError(f"{where}: field 'url' must be an http(s) address")
    return Source(
        key=key,
        title_ja=entry["title_ja"],
        title_en=entry["title_en"],
        publisher=entry["publisher"],
        year=entry["year"],
        facts=" ".join(entry["facts"].split()),
        url=url,
    )


@functools.cache
def load() -> dict[str, Source]:
    """Every source, by key, in the order of the file."""
    text = resources.files("model").joinpath("sources.toml").read_text(encoding="utf-8")
    return {key: _check(key, entry) for key, entry in tomllib.loads(text).items()}


def lookup(key: str) -> Source:
    """The source with ``key``; a KeyError naming the key if there is none."""
    try:
        return load()[key]
    except KeyError:
        raise KeyError(f"no source '{key}' in model/sources.toml") from None


def cited_keys(text: str) -> list[str]:
    """The keys cited in ``text`` as ``[key]``, in order of first appearance."""
    return list(dict.fromkeys(CITATION.findall(text)))


def cited_in(texts: Iterable[str]) -> list[str]:
    """The keys cited in any of ``texts``, in order of first appearance."""
    keys: dict[str, None] = {}
    for text in texts:
        keys.update(dict.fromkeys(cited_keys(text)))
    return list(keys)


def render(key: str, lang: str = "en", *, facts: bool = False) -> str:
    """One line for display: ``[key] title. publisher, year. url`` (title in ``lang``)."""
    s = lookup(key)
    line = f"[{s.key}] {s.title(lang)}. {s.publisher}, {s.year}."
    if s.url:
        line += f" {s.url}"
    if facts:
        line += f"\n    {s.facts}"
    return line


def table(keys: Iterable[str], lang: str = "en") -> list[tuple[str, str]]:
    """(key, "title — publisher, year") for each known key in ``keys`` (unknown keys say so)."""
    rows = []
    for key in keys:
        try:
            s = lookup(key)
        except KeyError:
            rows.append((key, "(not in model/sources.toml)"))
            continue
        rows.append((key, f"{s.title(lang)} — {s.publisher}, {s.year}"))
    return rows
