"""Experiment files (TOML): towns × policy packages × parameter ranges, read and checked.

An experiment file says *what* to run, never *how* (workers and clusters are command-line
choices, so the same file gives the same results anywhere)::

    [experiment]
    name = "tfr_sweep"
    root_seed = 2024          # every seed of the experiment derives from this one
    replications = 10         # replicate r of every arm and design point shares a seed
    years = 20
    scale = 10                # people per simulated resident
    towns = ["district"]      # profile names or .toml paths (relative to this file)
    policies = ["baseline"]   # policy package names or .toml paths
    reference = "baseline"    # the policy the others are compared with (default: the first)

    [design]                  # how the uncertainties are sampled
    kind = "latin_hypercube"  # none | full_factorial | latin_hypercube | sobol | morris | given
    samples = 16              # LHS points; Sobol base samples (a power of 2); Morris trajectories
    levels = 4                # Morris grid levels; points per range in a full factorial

    [uncertainties]           # X: what nobody controls — sampled by the design
    "demography.tfr" = { min = 1.1, max = 1.6 }
    "demography.in_rate" = { min = 0.01, max = 0.03 }

    [levers]                  # L: parameter choices, crossed with every policy package
    "demography.facility_rate" = [0.002, 0.004]

    [fixed]                   # set in every run
    "demography.out_scale" = 0.6

    [outcomes]
    metrics = ["population", "aging_rate"]   # analysed by default

Uncertainties (X) and levers (L) are kept apart as in the EMA Workbench: an *arm* is a
town × policy package × lever combination; the design samples X; every arm runs at
every design point with every replicate. Parameter paths are the rows of
``model.parameters.describe(params)`` of each town (``kyosei scenarios show TOWN``);
dotted keys may be quoted (``"demography.tfr"``) or written as nested tables.

Every mistake raises :class:`model.ParameterError` naming the experiment file, the
field, the value and what is allowed, before anything is run or written.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import tomlfile
from model.metrics import METRICS
from model.parameters import (
    ParameterError,
    check_number,
    check_whole,
    describe,
    is_number,
    with_overrides,
)
from scenarios import load_policy, load_town
from scenarios.policy_paths import (
    apply_policy_overrides,
    is_policy_path,
    policy_field,
    split_overrides,
)

# An experiment's name is the folder of its results under results/: one plain name.
_FOLDER_NAME = re.compile(r"\w[\w.\- ]{0,99}")

DESIGNS = ("none", "full_factorial", "latin_hypercube", "sobol", "morris", "given")
SECTIONS = ("experiment", "design", "uncertainties", "levers", "fixed", "outcomes")
EXPERIMENT_KEYS = (
    "name",
    "description",
    "root_seed",
    "replications",
    "years",
    "scale",
    "towns",
    "policies",
    "reference",
)
DESIGN_KEYS = ("kind", "samples", "levels", "second_order", "file")
GIVEN_SUFFIXES = (".csv", ".parquet")
DEFAULT_METRICS = ("population", "aging_rate")
_PACKAGES = "\0packages"  # key of the policy packages in the towns mapping given to _try


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain parameter (X): a range ``lo``–``hi`` or a list of ``values``.

    Attributes:
        path: Dotted parameter path, e.g. ``demography.tfr``.
        lo: Lowest value (ranges) or ``None``.
        hi: Highest value (ranges) or ``None``.
        values: The values to try (full factorial only) or ``None``.
        integer: Whether the parameter takes whole numbers (sampled values are rounded).
    """

    path: str
    lo: float | None = None
    hi: float | None = None
    values: tuple[Any, ...] | None = None
    integer: bool = False


@dataclass(frozen=True)
class Lever:
    """One policy lever (L): a parameter and the values policy staff choose between."""

    path: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Design:
    """How the uncertainties are sampled.

    Attributes:
        kind: One of :data:`DESIGNS`.
        samples: LHS points, Sobol base samples or Morris trajectories.
        levels: Morris grid levels; points per range in a full factorial.
        second_order: Sobol second-order indices.
        file: The points file of a ``given`` design (CSV or Parquet), ``""`` otherwise.
        columns: The parameter paths of a ``given`` design's points.
        points: A ``given`` design's points, one tuple of values per point.
    """

    kind: str = "none"
    samples: int = 0
    levels: int = 4
    second_order: bool = False
    file: str = ""
    columns: tuple[str, ...] = ()
    points: tuple[tuple[Any, ...], ...] = ()


@dataclass(frozen=True)
class Experiment:
    """A parsed, checked experiment file.

    Attributes:
        name: Short name (used for default output folders and progress bars).
        file: Where it was read from (``""`` when built in Python).
        text: The file's text, kept verbatim for the manifest.
        root_seed: The seed every replicate seed and the design are derived from.
        replications: Replicates per arm and design point.
        years: Simulated years per run.
        scale: People per simulated resident.
        towns: Town profile names or paths.
        policies: Policy package names or paths.
        reference: The policy package other arms are compared with.
        design: How the uncertainties are sampled.
        uncertainties: X, sampled by the design.
        levers: L, crossed with every policy package.
        fixed: Overrides applied to every run.
        metrics: Outcomes analysed by default.
    """

    name: str
    file: str = ""
    text: str = ""
    description: str = ""
    root_seed: int = 1
    replications: int = 1
    years: int = 20
    scale: float = 1.0
    towns: tuple[str, ...] = ("district",)
    policies: tuple[str, ...] = ("baseline",)
    reference: str = "baseline"
    design: Design = field(default_factory=Design)
    uncertainties: tuple[Uncertainty, ...] = ()
    levers: tuple[Lever, ...] = ()
    fixed: tuple[tuple[str, Any], ...] = ()
    metrics: tuple[str, ...] = DEFAULT_METRICS

    @property
    def months(self) -> int:
        """Steps per run (one step is one month)."""
        return 12 * self.years

    def content(self, *, with_replications: bool = True) -> dict[str, Any]:
        """Everything that decides the runs, as plain JSON-able data (no file text)."""
        data: dict[str, Any] = {
            "name": self.name,
            "root_seed": self.root_seed,
            "years": self.years,
            "scale": self.scale,
            "towns": list(self.towns),
            "policies": list(self.policies),
            "reference": self.reference,
            "design": vars(self.design),
            "uncertainties": [
                {"path": u.path, "min": u.lo, "max": u.hi, "values": u.values, "integer": u.integer}
                for u in self.uncertainties
            ],
            "levers": [{"path": lv.path, "values": list(lv.values)} for lv in self.levers],
            "fixed": {k: v for k, v in self.fixed},
            "metrics": list(self.metrics),
        }
        if with_replications:
            data["replications"] = self.replications
        return data

    def identity(self) -> str:
        """Hash of what decides each run's inputs; replications left out, so a sweep can grow."""
        return digest(self.content(with_replications=False))


def digest(data: Any, length: int = 16) -> str:
    """A stable hex digest of JSON-able ``data`` (key order does not matter)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=_jsonable)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON-able: {type(value).__name__}")


# ---- reading ---------------------------------------------------------------------------


def load_experiment(path: str | Path) -> Experiment:
    """Read and check an experiment file; raises :class:`ParameterError` naming the file."""
    path = Path(path)
    try:
        if not path.is_file():
            raise ParameterError(
                "(file)", str(path), "an existing experiment .toml file", file=str(path)
            )
    except (OSError, ValueError):  # a name the file system cannot hold
        raise ParameterError("(file)", str(path), "an existing experiment .toml file") from None
    text = tomlfile.read_text(path)
    return parse_experiment(text, file=str(path), base_dir=path.parent)


def parse_experiment(text: str, *, file: str = "", base_dir: Path | None = None) -> Experiment:
    """Parse and check experiment TOML ``text`` (``file`` names it in error messages)."""
    text = text.removeprefix(tomlfile.BOM)
    data = tomlfile.parse(text, file)
    try:
        return _parse(data, text, file, base_dir or Path.cwd())
    except ParameterError as err:
        raise (err if err.file else err.in_file(file)) from None


def _parse(data: dict[str, Any], text: str, file: str, base_dir: Path) -> Experiment:
    _known_keys(data, SECTIONS, "")
    meta = _table(data, "experiment", required=True)
    _known_keys(meta, EXPERIMENT_KEYS, "experiment")
    name = meta.get("name", Path(file).stem if file else "experiment")
    if not isinstance(name, str) or not name.strip():
        raise ParameterError("experiment.name", name, "a non-empty text")
    if not _FOLDER_NAME.fullmatch(name.strip()) or name.strip() in (".", ".."):
        raise ParameterError(
            "experiment.name",
            name,
            "a plain folder name (letters, digits, - _ . and no / or \\), at most 100 "
            "characters: the results go to results/NAME",
        )
    root_seed = _int(meta, "root_seed", "experiment", lo=0, hi=2**63 - 1, default=1)
    replications = _int(meta, "replications", "experiment", lo=1, hi=100_000, required=True)
    years = _int(meta, "years", "experiment", lo=1, hi=100, default=20)
    scale = meta.get("scale", 1.0)
    check_number("experiment.scale", scale, lo=1, hi=10_000)
    towns = _names(meta, "towns", "experiment", default=None)
    policies = _names(meta, "policies", "experiment", default=("baseline",))
    reference = meta.get("reference", policies[0])
    if reference not in policies:
        raise ParameterError(
            "experiment.reference",
            reference,
            "one of the experiment's policies: " + ", ".join(policies),
        )
    towns = tuple(_local_path(t, base_dir) for t in towns)
    policies_resolved = tuple(_local_path(p, base_dir) for p in policies)
    town_params = _load_towns(towns)
    packages = {}
    for i, policy in enumerate(policies_resolved):
        try:
            packages[policy] = load_policy(policy)
        except ParameterError as err:
            if err.file and err.field not in ("policy", "(file)"):
                raise  # a bad value inside the policy file: that file is the one to fix
            raise ParameterError(f"experiment.policies[{i}]", policies[i], err.allowed) from None
    rows = {t: {r["parameter"]: r for r in describe(p)} for t, p in town_params.items()}
    town_params[_PACKAGES] = packages

    design = _design(_table(data, "design"))
    uncertainties = _uncertainties(_table(data, "uncertainties"), rows, town_params)
    if design.kind == "given":
        if uncertainties:
            raise ParameterError(
                "uncertainties",
                [u.path for u in uncertainties],
                "no [uncertainties] with a given design: its file's columns are the parameters",
            )
        if not design.file:
            raise ParameterError("design.file", "(missing)", "a .csv or .parquet file of points")
        points_file = _local_file(design.file, base_dir)
        frame = read_points(points_file, "design.file")
        design, uncertainties = _given(frame, design, rows, town_params)
        design = replace(design, file=str(points_file))
    levers = _levers(_table(data, "levers"), rows, town_params)
    fixed = _fixed(_table(data, "fixed"), rows, town_params)
    _no_overlap(uncertainties, levers, fixed)
    _check_design(design, uncertainties)
    outcomes = _table(data, "outcomes")
    _known_keys(outcomes, ("metrics",), "outcomes")
    metrics = _names(outcomes, "metrics", "outcomes", default=DEFAULT_METRICS)
    for i, metric in enumerate(metrics):
        if metric not in METRICS:
            raise ParameterError(
                f"outcomes.metrics[{i}]", metric, "a metric name: " + ", ".join(sorted(METRICS))
            )
    description = meta.get("description", "")
    if not isinstance(description, str):
        raise ParameterError("experiment.description", description, "text")
    return Experiment(
        name=name.strip(),
        file=file,
        text=text,
        description=description,
        root_seed=root_seed,
        replications=replications,
        years=years,
        scale=float(scale),
        towns=towns,
        policies=policies_resolved,
        reference=policies_resolved[policies.index(reference)],
        design=design,
        uncertainties=uncertainties,
        levers=levers,
        fixed=fixed,
        metrics=metrics,
    )


# ---- sections ----------------------------------------------------------------------------


def _design(raw: Mapping[str, Any]) -> Design:
    _known_keys(raw, DESIGN_KEYS, "design")
    kind = raw.get("kind", "none")
    if kind not in DESIGNS:
        raise ParameterError("design.kind", kind, "one of " + ", ".join(DESIGNS))
    samples = _int(raw, "samples", "design", lo=1, hi=1_000_000, default=0)
    levels = _int(raw, "levels", "design", lo=2, hi=1000, default=4)
    second_order = raw.get("second_order", False)
    if not isinstance(second_order, bool):
        raise ParameterError("design.second_order", second_order, "true or false")
    file = raw.get("file", "")
    if not isinstance(file, str) or (file and kind != "given"):
        raise ParameterError("design.file", file, 'a points file, only with kind = "given"')
    return Design(kind, samples, levels, second_order, file)


def read_points(path: Path, where: str) -> pd.DataFrame:
    """The points of a ``given`` design from a CSV or Parquet file."""
    if path.suffix.lower() not in GIVEN_SUFFIXES:
        raise ParameterError(where, str(path), "a .csv or .parquet file of design points")
    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise ParameterError(where, str(path), "an existing .csv or .parquet file") from None
    except Exception as exc:  # pandas/pyarrow raise many kinds for a broken file
        raise ParameterError(where, str(path), f"a readable points file ({exc})") from None


def _given(
    frame: pd.DataFrame,
    design: Design,
    rows: dict[str, dict[str, dict[str, Any]]],
    towns: dict[str, Any],
) -> tuple[Design, tuple[Uncertainty, ...]]:
    """Check a given design's points; return the design (with them) and its parameters."""
    where = "design.file" if design.file else "points"
    if frame.empty or not len(frame.columns):
        raise ParameterError(where, design.file or "(DataFrame)", "at least one point and column")
    columns = [str(c) for c in frame.columns]
    if len(set(columns)) != len(columns):
        raise ParameterError(where, columns, "columns without repeated names")
    uncertainties = []
    for path in columns:
        col = frame[path]
        at = f"{where}[{path}]"
        if col.isna().any():
            raise ParameterError(at, "(empty cell)", "a value in every row")
        current = _parameter(path, at, rows)
        numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
        checks = [col.min(), col.max()] if numeric else list(dict.fromkeys(col.tolist()))
        for v in checks:
            _try(towns, {path: _plain(v)}, at)
        integer = is_number(current) and isinstance(current, int)
        if numeric:
            lo, hi = float(col.min()), float(col.max())
            uncertainties.append(Uncertainty(path, lo=lo, hi=hi, integer=integer))
        else:
            values = tuple(dict.fromkeys(_plain(v) for v in col.tolist()))
            uncertainties.append(Uncertainty(path, values=values, integer=integer))
    points = tuple(tuple(_plain(v) for v in row) for row in frame[columns].itertuples(index=False))
    new = replace(design, kind="given", columns=tuple(columns), points=points)
    return new, tuple(uncertainties)


def with_points(experiment: Experiment, points: pd.DataFrame) -> Experiment:
    """``experiment`` with a ``given`` design: the rows of ``points`` (one column per path).

    For the Python API (e.g. points sampled by the EMA Workbench): the values are checked
    like a points file's, and the experiment's identity depends on them.
    """
    if experiment.uncertainties and experiment.design.kind != "given":
        raise ParameterError(
            "uncertainties",
            [u.path for u in experiment.uncertainties],
            "no [uncertainties] with given points: the points' columns are the parameters",
            file=experiment.file,
        )
    towns = _load_towns(experiment.towns)
    towns[_PACKAGES] = {p: load_policy(p) for p in experiment.policies}
    rows = {t: {r["parameter"]: r for r in describe(p)} for t, p in towns.items() if t != _PACKAGES}
    try:
        design, uncertainties = _given(
            points, replace(experiment.design, kind="given", file=""), rows, towns
        )
        _no_overlap(uncertainties, experiment.levers, experiment.fixed)
    except ParameterError as err:
        raise (err if err.file else err.in_file(experiment.file)) from None
    return replace(experiment, design=design, uncertainties=uncertainties)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _local_file(name: str, base_dir: Path) -> Path:
    path = Path(name)
    return path if path.is_absolute() else base_dir / path


def _check_design(design: Design, uncertainties: tuple[Uncertainty, ...]) -> None:
    """Rules that tie the design to the uncertainties."""
    kind = design.kind
    if kind == "given":
        return
    if kind == "none":
        if uncertainties:
            raise ParameterError(
                "design.kind",
                kind,
                "a design that samples the [uncertainties] (e.g. latin_hypercube)",
            )
        return
    if not uncertainties:
        raise ParameterError(
            "uncertainties", "(empty)", f"at least one parameter for design {kind!r}"
        )
    if kind != "full_factorial":
        for u in uncertainties:
            if u.values is not None:
                raise ParameterError(
                    f"uncertainties.{u.path}",
                    list(u.values),
                    f"a {{min, max}} range for design {kind!r} (on/off settings and choices "
                    "go under [levers] or in a full_factorial design)",
                )
        if design.samples < 1:
            raise ParameterError(
                "design.samples", design.samples or "(missing)", "a whole number ≥ 1"
            )
    if kind == "sobol" and design.samples & (design.samples - 1):
        raise ParameterError(
            "design.samples", design.samples, "a power of 2 for Sobol (e.g. 8, 16, 32, 64)"
        )
    if kind == "morris" and design.levels % 2:
        raise ParameterError("design.levels", design.levels, "an even number of levels for Morris")


def _uncertainties(
    raw: Mapping[str, Any], rows: dict[str, dict[str, dict[str, Any]]], towns: dict[str, Any]
) -> tuple[Uncertainty, ...]:
    out = []
    for path, spec in _leaves(raw, "uncertainties", leaf=_is_range):
        where = f"uncertainties.{path}"
        if not isinstance(spec, Mapping):
            raise ParameterError(where, spec, "a range { min = …, max = … } or { values = [...] }")
        _known_keys(spec, ("min", "max", "values"), where)
        current = _parameter(path, where, rows)
        numeric = is_number(current)
        integer = numeric and isinstance(current, int)
        if "values" in spec:
            if "min" in spec or "max" in spec:
                raise ParameterError(where, dict(spec), "either min and max, or values — not both")
            values = _values(spec["values"], f"{where}.values")
            for v in values:
                _try(towns, {path: v}, f"{where}.values")
            out.append(Uncertainty(path, values=values, integer=integer))
            continue
        if not numeric:
            raise ParameterError(
                where,
                dict(spec),
                "a list of values: on/off settings and choices go under [levers] (e.g. "
                f'"{path}" = [false, true]) or as {{ values = [...] }} in a full_factorial design',
            )
        for key in ("min", "max"):
            if key not in spec:
                raise ParameterError(
                    f"{where}.{key}", "(missing)", "a number (both min and max are needed)"
                )
            check_number(f"{where}.{key}", spec[key], allowed="a finite number")
        lo, hi = float(spec["min"]), float(spec["max"])
        if lo > hi:
            raise ParameterError(f"{where}.min", spec["min"], f"at most max ({spec['max']})")
        for key, v in (("min", lo), ("max", hi)):
            _try(towns, {path: round(v) if integer else v}, f"{where}.{key}")
        out.append(Uncertainty(path, lo=lo, hi=hi, integer=integer))
    return tuple(out)


def _levers(
    raw: Mapping[str, Any], rows: dict[str, dict[str, dict[str, Any]]], towns: dict[str, Any]
) -> tuple[Lever, ...]:
    out = []

    def leaf(value: Any) -> bool:
        return not isinstance(value, Mapping) or (bool(value) and set(value) == {"values"})

    for path, values in _leaves(raw, "levers", leaf=leaf):
        where = f"levers.{path}"
        if isinstance(values, Mapping):  # { values = [...] }, as in [uncertainties]
            values = values["values"]
        _parameter(path, where, rows)
        checked = _values(values, where)
        for v in checked:
            _try(towns, {path: v}, where)
        out.append(Lever(path, checked))
    return tuple(out)


def _fixed(
    raw: Mapping[str, Any], rows: dict[str, dict[str, dict[str, Any]]], towns: dict[str, Any]
) -> tuple[tuple[str, Any], ...]:
    out = []
    for path, value in _leaves(raw, "fixed", leaf=lambda v: not isinstance(v, Mapping)):
        _parameter(path, f"fixed.{path}", rows)
        _try(towns, {path: value}, f"fixed.{path}")
        out.append((path, value))
    return tuple(sorted(out))


def _no_overlap(
    uncertainties: tuple[Uncertainty, ...],
    levers: tuple[Lever, ...],
    fixed: tuple[tuple[str, Any], ...],
) -> None:
    seen: dict[str, str] = {}
    for section, paths in (
        ("uncertainties", [u.path for u in uncertainties]),
        ("levers", [lv.path for lv in levers]),
        ("fixed", [p for p, _ in fixed]),
    ):
        for p in paths:
            if p in seen:
                raise ParameterError(
                    f"{section}.{p}",
                    "(listed twice)",
                    f"one section only (it is also in [{seen[p]}])",
                )
            seen[p] = section


# ---- helpers -----------------------------------------------------------------------------


def _is_range(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value) and set(value) <= {"min", "max", "values"}


def _leaves(raw: Mapping[str, Any], prefix: str, leaf: Any) -> list[tuple[str, Any]]:
    """Flatten nested tables into (dotted path, leaf value), in file order."""
    out: list[tuple[str, Any]] = []

    def walk(node: Mapping[str, Any], path: str) -> None:
        for key, value in node.items():
            full = f"{path}.{key}" if path else key
            if leaf(value) or not isinstance(value, Mapping):
                out.append((full, value))
            elif not value:
                raise ParameterError(f"{prefix}.{full}", {}, "a value, not an empty table")
            else:
                walk(value, full)

    walk(raw, "")
    return out


def _parameter(path: str, where: str, rows: dict[str, dict[str, dict[str, Any]]]) -> Any:
    """The current value of ``path`` in the first town; unknown paths are refused.

    A policy path (``policy.<component>.<field>``) gives the field's default, which has
    the field's type (bool, int, float or text).
    """
    if is_policy_path(path):
        try:
            return policy_field(path).default
        except ParameterError as err:
            raise ParameterError(where, err.value, err.allowed) from None
    for town, by_path in rows.items():
        if path not in by_path:
            near = difflib.get_close_matches(path, list(by_path), n=3, cutoff=0.7)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise ParameterError(
                where,
                path,
                f"a parameter of town {Path(town).stem!r}{hint}; list them with "
                f"'kyosei scenarios show {Path(town).stem}' (policy settings are "
                "policy.<component>.<field>)",
            )
    return next(iter(rows.values()))[path]["value"]


def _try(towns: dict[str, Any], overrides: dict[str, Any], where: str) -> None:
    """Apply ``overrides`` to every town (and policy package); a refusal is reported at ``where``.

    ``towns`` maps town names to their parameters and, under the key :data:`_PACKAGES`, the
    experiment's policy packages by name.
    """
    town_overrides, policy_overrides = split_overrides(overrides)
    packages = towns.get(_PACKAGES, {})
    try:
        for name, params in towns.items():
            if name != _PACKAGES and town_overrides:
                with_overrides(params, town_overrides)
        for name, package in packages.items():
            if policy_overrides:
                apply_policy_overrides(package, policy_overrides, source=Path(name).stem)
    except ParameterError as err:
        raise ParameterError(where, err.value, err.allowed) from None


def _values(raw: Any, where: str) -> tuple[Any, ...]:
    if not isinstance(raw, list) or not raw:
        raise ParameterError(where, raw, "a non-empty list of values")
    if len({json.dumps(v, sort_keys=True, default=str) for v in raw}) != len(raw):
        raise ParameterError(where, raw, "a list without repeated values")
    return tuple(tuple(v) if isinstance(v, list) else v for v in raw)


def _load_towns(towns: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for i, town in enumerate(towns):
        try:
            out[town] = load_town(town)
        except ParameterError as err:
            if err.file and err.field not in ("town", "(file)"):
                raise
            raise ParameterError(f"experiment.towns[{i}]", town, err.allowed) from None
    return out


def _local_path(name: str, base_dir: Path) -> str:
    """A ``.toml`` path is taken relative to the experiment file's folder."""
    if name.endswith(".toml") and not Path(name).is_absolute():
        candidate = base_dir / name
        if candidate.exists():
            return str(candidate)
    return name


def _table(data: Mapping[str, Any], key: str, required: bool = False) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise ParameterError(key, "(missing)", f"a [{key}] table")
        return {}
    if not isinstance(value, Mapping):
        raise ParameterError(key, value, f"a [{key}] table")
    return value


def _known_keys(table: Mapping[str, Any], known: tuple[str, ...], prefix: str) -> None:
    for key in table:
        if key not in known:
            where = f"{prefix}.{key}" if prefix else key
            raise ParameterError(where, table[key], "an unknown name; known: " + ", ".join(known))


def _int(
    table: Mapping[str, Any],
    key: str,
    prefix: str,
    *,
    lo: int,
    hi: int,
    default: int | None = None,
    required: bool = False,
) -> int:
    where = f"{prefix}.{key}"
    if key not in table:
        if required or default is None:
            raise ParameterError(where, "(missing)", f"a whole number from {lo} to {hi}")
        return default
    return check_whole(where, table[key], lo=lo, hi=hi)


def _names(
    table: Mapping[str, Any], key: str, prefix: str, default: tuple[str, ...] | None
) -> tuple[str, ...]:
    where = f"{prefix}.{key}"
    if key not in table:
        if default is None:
            raise ParameterError(where, "(missing)", "a non-empty list of names")
        return default
    value = table[key]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ParameterError(where, value, "a non-empty list of names")
    if len(set(value)) != len(value):
        raise ParameterError(where, value, "a list without repeated names")
    return tuple(value)
