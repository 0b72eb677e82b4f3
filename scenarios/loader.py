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

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from model import tomlfile
from model.agetable import read_age_table
from model.interventions import ELIGIBILITY_RULES, REGISTRY
from model.parameters import (
    ParameterError,
    build,
    check_number,
    check_whole,
    clip,
    with_overrides,
)
from model.scenario import InterventionSpec, Params, PolicyPackage, Scenario

from .policy_paths import apply_policy_overrides, plain, split_overrides

HERE = Path(__file__).resolve().parent
TOWNS_DIR = HERE / "towns"
POLICIES_DIR = HERE / "policies"
REQUIRED_TOWN_FIELDS = ("population", "households", "districts", "area_km2")
MAX_MONTH = 1200  # 100 years: the longest run
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
    try:
        exists, is_file = path.exists(), path.is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte, ...
        exists = is_file = False
    if path.suffix == ".toml" or exists:
        if not is_file:
            raise ParameterError(what, text, "an existing .toml file", file=clip(text, 100))
        return path
    known = ", ".join(_names(folder))
    raise ParameterError(what, text, f"one of {known}, or the path of a .toml file")


def _read(path: Path) -> dict[str, Any]:
    return tomlfile.load(path)


def town_files(name_or_path: str | Path) -> list[Path]:
    """The files a town profile is read from: its own, then each ``base`` it starts from."""
    out: list[Path] = []
    name: Any = name_or_path
    while isinstance(name, (str, Path)):
        path = _resolve(name, TOWNS_DIR, "town")
        if path.resolve() in [p.resolve() for p in out]:
            break  # load_town refuses the loop; here we only list files
        out.append(path)
        try:
            name = _read(path).get("base")
        except ParameterError:
            break
        if isinstance(name, str):
            name = _base_of(name, path)
    return out


def _base_of(name: str, profile: Path) -> str | Path:
    """Where ``base = NAME`` of ``profile`` points: a shipped profile, or a file.

    A relative file path is read from the profile's folder (as ``age_table`` is), so a
    profile works from any working folder; one not found there is taken as given.
    """
    if name in _names(TOWNS_DIR) or Path(name).is_absolute():
        return name
    try:
        beside = profile.parent / name
        return beside if beside.is_file() else name
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte, ...
        return name


def policy_file(name_or_path: str | Path) -> Path:
    """The file a policy package is read from."""
    return _resolve(name_or_path, POLICIES_DIR, "policy")


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
            where = _base_of(base_name, path)
            try:
                base = load_town(where, (*_seen, path.resolve()))
            except ParameterError as err:
                if err.field != "town" or err.value != str(where):
                    raise  # a problem inside the base profile, named there
                raise ParameterError("base", base_name, err.allowed) from None
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
        table = (
            data.get("town", {}).get("age_table") if isinstance(data.get("town"), Mapping) else None
        )
        if table:  # a relative path is read from the profile's folder
            resolved = (path.parent / str(table)).resolve()
            params = replace(params, town=replace(params.town, age_table=str(resolved)))
        if params.town.age_table:
            read_age_table(params.town.age_table)  # a bad table fails here, naming row and column
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
    if t.district_weights and sum(t.district_weights) <= 0:
        raise ParameterError(
            "town.district_weights",
            list(t.district_weights),
            "empty, or weights ≥ 0 with at least one above 0 (their sum must be > 0)",
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
    if not isinstance(kind, str) or kind not in REGISTRY:
        raise ParameterError(f"{where}.kind", kind, "one of " + ", ".join(sorted(REGISTRY)))
    start = check_whole(
        f"{where}.start_month", raw.get("start_month", 0), lo=0, hi=MAX_MONTH, unit="months"
    )
    end = raw.get("end_month")
    if end is not None:
        end = check_whole(f"{where}.end_month", end, lo=start + 1, hi=MAX_MONTH, unit="months")
    component = REGISTRY[kind]
    intensity = check_number(
        f"{where}.intensity",
        raw.get("intensity", component.default_intensity),
        lo=component.intensity_range[0],
        hi=component.intensity_range[1],
        unit=component.intensity_unit,
    )
    eligibility = raw.get("eligibility", "all")
    if not isinstance(eligibility, str) or eligibility not in ELIGIBILITY_RULES:
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


PLAIN_NAME = "a name of 1 to 100 printable characters without / or \\"


def _is_plain_name(name: str) -> bool:
    """Whether ``name`` can name an arm and a folder: short, printable, no path separator."""
    return (
        len(name.strip()) > 0
        and len(name) <= 100
        and name.isprintable()
        and not (set(name) & {"/", "\\"})
    )


def load_policy(name_or_path: str | Path) -> PolicyPackage:
    """A :class:`~model.scenario.PolicyPackage` from a name or a file path."""
    path = _resolve(name_or_path, POLICIES_DIR, "policy")
    data = _read(path)
    try:
        if not data:
            raise ParameterError(
                "(file)",
                path.name,
                "a policy package: a [policy] table and [[intervention]] tables (an empty "
                'file is refused; for no interventions write [policy] name = "...")',
            )
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
            if not isinstance(meta[key], str):
                raise ParameterError(f"policy.{key}", meta[key], 'text in quotes, e.g. "..."')
        name = meta.get("name", path.stem)
        if not _is_plain_name(name):
            raise ParameterError("policy.name", name, PLAIN_NAME)
        raw = data.get("intervention", [])
        if not isinstance(raw, list):
            raise ParameterError("intervention", raw, "a list of [[intervention]] tables")
        specs = tuple(_intervention(item, i) for i, item in enumerate(raw))
        return PolicyPackage(
            name=name,
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
    """Town profile + policy package + scale (+ dotted parameter overrides) → Scenario.

    Overrides are town parameter paths (``demography.tfr``) or policy settings
    (``policy.outreach.intensity``, see :mod:`scenarios.policy_paths`).
    """
    params = load_town(town)
    town_overrides, policy_overrides = split_overrides(overrides or {})
    if town_overrides:
        params = with_overrides(params, town_overrides)
        _check_consistency(params)
    package = load_policy(policy)
    if policy_overrides:
        package = apply_policy_overrides(package, policy_overrides, source=str(policy))
    return Scenario(
        name=f"{params.town.name}/{package.name}",
        params=params,
        policy=package,
        scale=scale,
        overrides=tuple(sorted((k, plain(v)) for k, v in (overrides or {}).items())),
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
