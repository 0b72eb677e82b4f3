"""Read town profiles and policy packages from TOML files and check every value.

A *town profile* (``scenarios/towns/NAME.toml``) has a ``[town]`` table and optional
tables for any parameter section (``[demography]``, ``[needs]``, ...). It may start
from another profile with a top-level ``base = "NAME"`` and change only what differs.

A *policy package* (``scenarios/policies/NAME.toml``) has a ``[policy]`` table and
one ``[[intervention]]`` table per component.

Anything wrong — an unknown key, a wrong type, a value out of range, a missing
required field, a file that does not parse — raises :class:`~model.ParameterError`
naming the file, the field, the value and what is allowed. Nothing is run or written
before a scenario has loaded cleanly.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from model.interventions import ELIGIBILITY_RULES, REGISTRY
from model.parameters import ParameterError, build, with_overrides
from model.scenario import InterventionSpec, Params, PolicyPackage, Scenario

HERE = Path(__file__).resolve().parent
TOWNS_DIR = HERE / "towns"
POLICIES_DIR = HERE / "policies"
REQUIRED_TOWN_FIELDS = ("population", "households", "districts", "area_km2")
INTERVENTION_KEYS = ("kind", "start_month", "end_month", "intensity", "eligibility", "options")


def _names(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.toml"))


def town_names() -> list[str]:
    """Names of the town profiles that ship with Kyosei."""
    return _names(TOWNS_DIR)


def policy_names() -> list[str]:
    """Names of the policy packages that ship with Kyosei."""
    return _names(POLICIES_DIR)


def _resolve(name_or_path: str | Path, folder: Path, what: str) -> Path:
    """A shipped name (``okazaki``) or a path to a file (``my_town.toml``)."""
    text = str(name_or_path)
    if text in _names(folder):
        return folder / f"{text}.toml"
    path = Path(text)
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ParameterError(what, text, "an existing .toml file", file=text)
        return path
    known = ", ".join(_names(folder))
    raise ParameterError(what, text, f"one of {known}, or the path of a .toml file")


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ParameterError("(file)", path.name, f"valid TOML ({exc})", file=str(path)) from None
    except UnicodeDecodeError:
        raise ParameterError(
            "(file)", path.name, "a TOML text file in UTF-8", file=str(path)
        ) from None
    except OSError as exc:
        raise ParameterError("(file)", str(path), f"a readable file ({exc.strerror})") from None


def load_town(name_or_path: str | Path, _seen: tuple[Path, ...] = ()) -> Params:
    """The :class:`~model.scenario.Params` of a town profile (name or file path)."""
    path = _resolve(name_or_path, TOWNS_DIR, "town")
    if path.resolve() in _seen:
        raise ParameterError(
            "base", str(name_or_path), "a profile that does not include itself", file=str(path)
        )
    data = _read(path)
    try:
        base_name = data.pop("base", None)
        if base_name is not None:
            if not isinstance(base_name, str):
                raise ParameterError("base", base_name, "the name of another town profile")
            base = load_town(base_name, (*_seen, path.resolve()))
        else:
            town = data.get("town")
            if not isinstance(town, Mapping):
                raise ParameterError("town", town, "a [town] table")
            for key in REQUIRED_TOWN_FIELDS:
                if key not in town:
                    raise ParameterError(f"town.{key}", "(missing)", "a required field")
            base = Params()
        params = build(Params, data, "", base=base)
        if "town" in data and "name" not in data["town"]:
            params = replace(params, town=replace(params.town, name=path.stem))
        _check_consistency(params)
        return params
    except ParameterError as err:
        raise (err if err.file else err.in_file(str(path))) from None


def _check_consistency(params: Params) -> None:
    """Rules that involve more than one field."""
    t = params.town
    if t.households > t.population:
        raise ParameterError(
            "town.households", t.households, f"at most the population ({t.population})"
        )
    if t.district_weights and len(t.district_weights) != t.districts:
        raise ParameterError(
            "town.district_weights",
            list(t.district_weights),
            f"empty, or one weight per district ({t.districts})",
        )
    if sum(t.age_weights_male) + sum(t.age_weights_female) <= 0:
        raise ParameterError(
            "town.age_weights_male", list(t.age_weights_male), "age weights that are not all zero"
        )


def _intervention(raw: Any, index: int) -> InterventionSpec:
    where = f"intervention[{index}]"
    if not isinstance(raw, Mapping):
        raise ParameterError(where, raw, "a table")
    for key in raw:
        if key not in INTERVENTION_KEYS:
            raise ParameterError(
                f"{where}.{key}",
                raw[key],
                "an unknown name; known: " + ", ".join(INTERVENTION_KEYS),
            )
    kind = raw.get("kind")
    if kind not in REGISTRY:
        raise ParameterError(f"{where}.kind", kind, "one of " + ", ".join(sorted(REGISTRY)))
    start = raw.get("start_month", 0)
    if isinstance(start, bool) or not isinstance(start, int) or start < 0:
        raise ParameterError(f"{where}.start_month", start, "a whole number of months ≥ 0")
    end = raw.get("end_month")
    if end is not None and (isinstance(end, bool) or not isinstance(end, int) or end <= start):
        raise ParameterError(f"{where}.end_month", end, f"a whole number of months > {start}")
    intensity = raw.get("intensity", REGISTRY[kind].default_intensity)
    if isinstance(intensity, bool) or not isinstance(intensity, (int, float)) or intensity < 0:
        raise ParameterError(f"{where}.intensity", intensity, "a number ≥ 0")
    eligibility = raw.get("eligibility", "all")
    if eligibility not in ELIGIBILITY_RULES:
        raise ParameterError(
            f"{where}.eligibility", eligibility, "one of " + ", ".join(sorted(ELIGIBILITY_RULES))
        )
    options = raw.get("options", {})
    if not isinstance(options, Mapping):
        raise ParameterError(f"{where}.options", options, "a table of component settings")
    spec = InterventionSpec(kind, start, end, float(intensity), eligibility, dict(options))
    REGISTRY[kind].check_intensity(spec.intensity, where)
    REGISTRY[kind].check_options(spec, where)
    return spec


def load_policy(name_or_path: str | Path) -> PolicyPackage:
    """A :class:`~model.scenario.PolicyPackage` from a name or a file path."""
    path = _resolve(name_or_path, POLICIES_DIR, "policy")
    data = _read(path)
    try:
        for key in data:
            if key not in ("policy", "intervention"):
                raise ParameterError(key, data[key], "one of: policy, intervention")
        meta = data.get("policy", {})
        if not isinstance(meta, Mapping):
            raise ParameterError("policy", meta, "a [policy] table")
        for key in meta:
            if key not in ("name", "label_ja", "label_en", "description"):
                raise ParameterError(
                    f"policy.{key}", meta[key], "one of: name, label_ja, label_en, description"
                )
        raw = data.get("intervention", [])
        if not isinstance(raw, list):
            raise ParameterError("intervention", raw, "a list of [[intervention]] tables")
        specs = tuple(_intervention(item, i) for i, item in enumerate(raw))
        return PolicyPackage(
            name=str(meta.get("name", path.stem)),
            label_ja=str(meta.get("label_ja", path.stem)),
            label_en=str(meta.get("label_en", path.stem)),
            interventions=specs,
        )
    except ParameterError as err:
        raise (err if err.file else err.in_file(str(path))) from None


def load_scenario(
    town: str | Path,
    policy: str | Path = "baseline",
    *,
    scale: float = 1.0,
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """Town profile + policy package + scale (+ dotted parameter overrides) → Scenario."""
    params = load_town(town)
    if overrides:
        params = with_overrides(params, overrides)
        _check_consistency(params)
    package = load_policy(policy)
    return Scenario(
        name=f"{params.town.name}/{package.name}",
        params=params,
        policy=package,
        scale=scale,
        overrides=tuple(sorted((overrides or {}).items())),
    )


def describe_file(kind: str, name: str) -> dict[str, str]:
    """Name and labels of a shipped town or policy, for listings."""
    if kind == "town":
        t = load_town(name).town
        return {
            "name": name,
            "label_ja": t.label_ja,
            "label_en": t.label_en,
            "population": f"{t.population:,}",
            "districts": str(t.districts),
        }
    p = load_policy(name)
    return {
        "name": name,
        "label_ja": p.label_ja,
        "label_en": p.label_en,
        "components": ", ".join(s.kind for s in p.interventions) or "—",
    }
