"""Read the TOML files users write (towns, policies, experiments), with one set of rules.

A file saved by Windows Notepad starts with a byte-order mark: it is accepted. A file
that is not UTF-8, does not parse, or nests tables or lists deeper than any Kyosei
file needs is refused with a :class:`~model.parameters.ParameterError` naming the file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .parameters import ParameterError, clip

BOM = "\ufeff"
MAX_DEPTH = 32  # Kyosei files nest 3 deep; deeper is a mistake (and would exhaust the stack)
MAX_BYTES = 10_000_000  # the largest shipped file is a few kB


def read_text(path: str | Path) -> str:
    """The UTF-8 text of ``path`` without a leading byte-order mark."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ParameterError(
                "(file)", f"{size:,} bytes", f"a file under {MAX_BYTES:,} bytes", file=str(p)
            )
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ParameterError("(file)", clip(str(p), 100), "an existing file", file=str(p)) from None
    except OSError as exc:
        raise ParameterError(
            "(file)", clip(str(p), 100), f"a readable file ({exc.strerror})", file=str(p)
        ) from None
    try:
        return raw.decode("utf-8").removeprefix(BOM)
    except UnicodeDecodeError:
        raise ParameterError("(file)", p.name, "a TOML text file in UTF-8", file=str(p)) from None


def parse(text: str, file: str = "") -> dict[str, Any]:
    """Parse TOML ``text`` (a leading byte-order mark is ignored); ``file`` names it in errors."""
    try:
        data = tomllib.loads(text.removeprefix(BOM))
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError(
            "(file)", Path(file).name or "(text)", f"valid TOML ({exc})", file=file
        ) from None
    except RecursionError:
        raise ParameterError(
            "(file)",
            Path(file).name or "(text)",
            f"tables and lists nested at most {MAX_DEPTH} deep",
            file=file,
        ) from None
    where = _too_deep(data, 0)
    if where is not None:
        raise ParameterError(
            where, "(nested)", f"at most {MAX_DEPTH} levels of lists and tables", file=file
        )
    return data


def load(path: str | Path) -> dict[str, Any]:
    """Read and parse the TOML file at ``path``."""
    return parse(read_text(path), str(path))


def _too_deep(value: Any, depth: int, path: str = "") -> str | None:
    """The dotted path where ``value`` nests deeper than :data:`MAX_DEPTH`, if it does."""
    if depth > MAX_DEPTH:
        return path or "(top)"
    items: list[tuple[str, Any]]
    if isinstance(value, dict):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(f"[{i}]", v) for i, v in enumerate(value)]
    else:
        return None
    for key, item in items:
        sub = f"{path}{key}" if str(key).startswith("[") else f"{path}.{key}" if path else str(key)
        found = _too_deep(item, depth + 1, sub)
        if found is not None:
            return found
    return None
