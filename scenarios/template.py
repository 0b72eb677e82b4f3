"""A commented town profile for a newcomer's own town (what ``kyosei new-town`` writes).

The profile starts from a shipped one (``base = "small_town"``) and writes out every
field of the ``[town]`` table and the migration and fertility fields a profile tunes,
each with its meaning, unit, allowed values and source, set to the base's values. It
loads as written; the user changes what they know about their town.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from model.interventions import REGISTRY
from model.parameters import ParameterError, check_number, meta_of
from model.venues import KINDS as VENUE_KINDS

from .loader import TOWNS_DIR, load_town

#: The fields of other sections that a town profile sets for itself.
TUNED = {"demography": ("tfr", "out_scale", "in_rate")}

#: A profile's name: letters, digits, ``-`` and ``_`` (it names files and folders).
NAME = re.compile(r"[\w\-]{1,100}")  # also a file name: at most 100 characters

#: The counters' fields, in the order of ``support.staff_per_20k``.
COUNTER_FIELDS = ("care", "disability", "child", "hardship")
#: The residents ``support.staff_per_20k`` and ``venues.per_100k`` count per (their units).
STAFF_PER_RESIDENTS = 20_000
VENUES_PER_RESIDENTS = 100_000


@dataclass(frozen=True)
class Counts:
    """What a municipality counts in its own town, as the counts it publishes.

    Attributes:
        counter_staff: Staff (FTE) at the counters by field (:data:`COUNTER_FIELDS`:
            包括 for care, disability, child, hardship); e.g. 包括3か所 × 7 staff = 21.
        venues: Venues by kind (:data:`model.venues.KINDS`: サロン, 通いの場, 子ども食堂,
            community cafés, multi-generation hubs), e.g. サロン12か所.
        minsei_posts: 民生委員 posts (定数) in the town.
    """

    counter_staff: tuple[float, ...] | None = None
    venues: tuple[float, ...] | None = None
    minsei_posts: int | None = None


def counts_to_parameters(counts: Counts, population: int, households: int) -> dict[str, Any]:
    """The model's parameters (dotted path → value) that ``counts`` stand for.

    Counter staff become staff per 20,000 residents, venues venues per 100,000 residents,
    民生委員 posts households per post. A count that is not allowed raises
    :class:`~model.ParameterError` naming the count (``counts.venues[0]``).
    """
    out: dict[str, Any] = {}
    from model.town import TownParams

    town_fields = {f.name: f for f in fields(TownParams)}
    for name, value in (("population", population), ("households", households)):
        meta = meta_of(town_fields[name])
        low = meta is not None and meta.lo is not None and value < meta.lo
        high = meta is not None and meta.hi is not None and value > meta.hi
        if meta is not None and (low or high):  # refused as the loader refuses it
            raise ParameterError(f"town.{name}", value, meta.allowed())
    if counts.counter_staff is not None:
        staff = _counts(
            "counts.counter_staff", counts.counter_staff, len(COUNTER_FIELDS), whole=False
        )
        out["support.staff_per_20k"] = tuple(
            round(n * STAFF_PER_RESIDENTS / population, 4) for n in staff
        )
    if counts.venues is not None:
        venues = _counts("counts.venues", counts.venues, len(VENUE_KINDS), whole=True)
        out["venues.per_100k"] = tuple(
            round(n * VENUES_PER_RESIDENTS / population, 4) for n in venues
        )
    if counts.minsei_posts is not None:
        posts = check_number("counts.minsei_posts", counts.minsei_posts, lo=1, whole=True)
        out["minsei.households_per_post"] = round(households / posts, 2)
    return out


def parameters_to_counts(params: Any) -> Counts:
    """The counts a town's parameters stand for (the inverse of :func:`counts_to_parameters`).

    Staff to one decimal, venues and posts to whole numbers: what a form shows first.
    """
    population, households = params.town.population, params.town.households
    return Counts(
        counter_staff=tuple(
            round(v * population / STAFF_PER_RESIDENTS, 1) for v in params.support.staff_per_20k
        ),
        venues=tuple(round(v * population / VENUES_PER_RESIDENTS) for v in params.venues.per_100k),
        minsei_posts=max(1, round(households / params.minsei.households_per_post)),
    )


def _counts(where: str, values: tuple[float, ...], n: int, whole: bool) -> list[float]:
    if len(values) != n:
        raise ParameterError(where, list(values), f"{n} counts")
    return [
        float(check_number(f"{where}[{i}]", v, lo=0, whole=whole)) for i, v in enumerate(values)
    ]


def _counts_note(counts: Counts, population: int, households: int) -> dict[str, str]:
    """``section.field`` → a comment saying which counts a converted value comes from."""
    notes = {}
    if counts.counter_staff is not None:
        staff = ", ".join(
            f"{f} {v:g}" for f, v in zip(COUNTER_FIELDS, counts.counter_staff, strict=True)
        )
        notes["support.staff_per_20k"] = (
            f"from your counts: counter staff (FTE) {staff}, for {population:,} residents"
        )
    if counts.venues is not None:
        venues = ", ".join(f"{k} {v:g}" for k, v in zip(VENUE_KINDS, counts.venues, strict=True))
        notes["venues.per_100k"] = (
            f"from your counts: venues {venues}, for {population:,} residents"
        )
    if counts.minsei_posts is not None:
        notes["minsei.households_per_post"] = (
            f"from your counts: {counts.minsei_posts:g} 民生委員 posts "
            f"for {households:,} households"
        )
    return notes


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


def render(
    name: str,
    base: str = "small_town",
    *,
    town: dict[str, Any] | None = None,
    counts: Counts | None = None,
    written_by: str = "",
) -> str:
    """The commented profile text for a town called ``name`` starting from ``base``.

    ``town`` sets fields of the ``[town]`` table (``population``, ``label_ja``, …) to
    the user's values; ``counts`` adds the parameters they convert into
    (:func:`counts_to_parameters`), each with a comment naming the counts.
    ``written_by`` is the first line (what wrote the file).
    """
    params = load_town(base)
    comments = _base_comments(base)
    label = params.town.label_en
    values = {"name": name, "label_ja": name, "label_en": name, **(town or {})}
    population = int(values.get("population", params.town.population))
    households = int(values.get("households", params.town.households))
    converted = counts_to_parameters(counts, population, households) if counts else {}
    notes = _counts_note(counts, population, households) if counts else {}
    lines = [
        written_by or f"# {name} — a town profile for Kyosei, written by `kyosei new-town {name}`.",
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
    for path in converted:
        section, field = path.split(".")
        sections.append((section, getattr(params, section), (field,)))
    for section, obj, only in sections:
        lines += ["", f"[{section}]"]
        for f in fields(obj):
            meta = meta_of(f)
            if meta is None or (only is not None and f.name not in only):
                continue
            if section == "town" and f.name in values:
                value = values[f.name]
            else:
                value = converted.get(f"{section}.{f.name}", getattr(obj, f.name))
            meaning = meta.help_en or f.name
            if meta.help_ja:
                meaning += f" ({meta.help_ja})"
            source = _source(meta.source, comments.get(f"{section}.{f.name}"), base)
            if section == "town" and f.name in (town or {}) and f.name not in ("name",):
                source = "your town's own figure"
            source = notes.get(f"{section}.{f.name}", source)
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


def render_package(
    name: str,
    label_ja: str,
    label_en: str,
    components: list[tuple[str, float, int]],
    first_year: int,
    written_by: str = "",
) -> str:
    """A policy package's TOML: one ``[[intervention]]`` per (kind, intensity, start year).

    The start year is a calendar year (the town starts in ``first_year``, month 0); the
    file holds the month it becomes, with the year and the intensity's unit beside it.
    A start before the town's first year, an unknown kind or an intensity outside the
    component's range raises :class:`~model.ParameterError` as the loader would.
    """
    lines = [
        written_by or f"# {name} — a policy package for Kyosei.",
        "#",
        "# One [[intervention]] per component: its intensity in the unit a town budgets,",
        "# and the month it starts (month 0 is the town's start).",
        "",
        "[policy]",
        f"name = {_toml(name)}",
        f"label_ja = {_toml(label_ja)}",
        f"label_en = {_toml(label_en)}",
    ]
    for i, (kind, intensity, year) in enumerate(components):
        where = f"intervention[{i}]"
        if kind not in REGISTRY:
            raise ParameterError(f"{where}.kind", kind, "one of " + ", ".join(sorted(REGISTRY)))
        component = REGISTRY[kind]
        lo, hi = component.intensity_range
        value = check_number(
            f"{kind}.intensity", intensity, lo=lo, hi=hi, unit=component.intensity_unit
        )
        start = int(check_number(f"{kind}.start_year", year, lo=first_year, whole=True))
        lines += [
            "",
            "[[intervention]]",
            f"kind = {_toml(kind)}  # {component.label_en} ({component.label_ja})",
            f"start_month = {12 * (start - first_year)}  # from {start}",
            f"intensity = {_toml(float(value))}  # {component.intensity_unit}",
        ]
    return "\n".join(lines) + "\n"
