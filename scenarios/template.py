"""A commented town profile for a newcomer's own town (what ``kyosei new-town`` writes).

The profile starts from a shipped one (``base = "small_town"``) and writes out every
field of the ``[town]`` table and the migration and fertility fields a profile tunes,
each with its meaning, unit, allowed values and source, set to the base's values. It
loads as written; the user changes what they know about their town.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from model.parameters import meta_of

from .loader import TOWNS_DIR, load_town

#: The fields of other sections that a town profile sets for itself.
TUNED = {"demography": ("tfr", "out_scale", "in_rate")}

_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][\w]*)\s*=\s*[^#]*?(?:#\s*(?:[^—]*—\s*)?(.*))?$")


def _toml(value: Any) -> str:
    """``value`` written as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _base_comments(base: str) -> dict[str, str]:
    """``section.field`` → the comment written next to it in the base profile (and its bases)."""
    comments: dict[str, str] = {}
    path: Path | None = TOWNS_DIR / f"{base}.toml"
    if not (path and path.is_file()):
        path = Path(base) if Path(base).is_file() else None
    seen = set()
    while path is not None and path not in seen:
        seen.add(path)
        section, parent = "", None
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("[") and not stripped.startswith("[["):
                section = stripped.strip("[]").strip()
                continue
            m = _ASSIGNMENT.match(line)
            if not m:
                continue
            key, comment = m.group(1), (m.group(2) or "").strip()
            if not section and key == "base":
                parent = line.split("=", 1)[1].split("#")[0].strip().strip("\"'")
            else:  # set by the base: its own comment, or "" (see the base's file)
                comments.setdefault(f"{section}.{key}", comment)
        path = TOWNS_DIR / f"{parent}.toml" if parent else None
    return comments


def _source(meta_source: str, from_base: str | None, base: str) -> str:
    if meta_source.startswith(("profile name", "profile label")):
        return "your choice"
    if from_base:
        return f"{from_base} (as in {base})"
    if from_base == "":
        return f"as set in {base} (explained in its file, scenarios/towns/{base}.toml)"
    if meta_source.startswith("profile"):
        return "your town's own figure (住民基本台帳, 国勢調査 or the municipality's plan)"
    return meta_source


def render(name: str, base: str = "small_town") -> str:
    """The commented profile text for a town called ``name`` starting from ``base``."""
    params = load_town(base)
    comments = _base_comments(base)
    label = params.town.label_en
    lines = [
        f"# {name} — a town profile for Kyosei, written by `kyosei new-town {name}`.",
        "#",
        f"# base = {_toml(base)} starts from the shipped profile '{base}' ({label}):",
        "# every parameter this file does not set takes the base's value (and the base's",
        "# unset ones the model's default). Below, every field a town needs is written out",
        "# with the base's value: change what you know about your town, keep the rest.",
        "# Without a base line, the [town] table must give population, households,",
        "# districts and area_km2 (households at most the population).",
        "#",
        "# Check it:  kyosei scenarios show THIS_FILE   (every parameter, unit and source)",
        "# Run it:    kyosei run THIS_FILE --years 20",
        "# Any other parameter can be set in its own table ([needs], [support], [venues], …):",
        "# the names, units and allowed values are in `kyosei scenarios show THIS_FILE`.",
        "# Sources cited as [key] are in docs/sources.md.",
        "",
        f"base = {_toml(base)}",
    ]
    sections: list[tuple[str, Any, tuple[str, ...] | None]] = [("town", params.town, None)]
    sections += [(s, getattr(params, s), names) for s, names in TUNED.items()]
    values = {"name": name, "label_ja": name, "label_en": name}
    for section, obj, only in sections:
        lines += ["", f"[{section}]"]
        for f in fields(obj):
            meta = meta_of(f)
            if meta is None or (only is not None and f.name not in only):
                continue
            if section == "town" and f.name in values:
                value = values[f.name]
            else:
                value = getattr(obj, f.name)
            meaning = meta.help_en or f.name
            if meta.help_ja:
                meaning += f" ({meta.help_ja})"
            source = _source(meta.source, comments.get(f"{section}.{f.name}"), base)
            facts = [f"unit: {meta.unit}"] if meta.unit else []
            facts.append(
                "allowed: text" if isinstance(value, str) else f"allowed: {meta.allowed()}"
            )
            lines += [
                f"# {meaning}",
                f"#   {'; '.join(facts)}",
                f"#   source: {source}",
                f"{f.name} = {_toml(value)}",
            ]
        if section == "demography":
            lines += [
                "# out_scale and in_rate set the town's migration: change them until",
                "# `kyosei run THIS_FILE --years 10` shows the annual change you expect",
                "# (town.annual_change_target).",
            ]
    return "\n".join(lines) + "\n"
