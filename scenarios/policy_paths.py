"""Policy settings as parameters: ``policy.<component>.<field>`` paths.

Experiment files (and :func:`scenarios.load_scenario` overrides) may set a policy
component's settings with dotted paths, next to the town's parameters::

    "policy.outreach.intensity" = { min = 0, max = 10 }   # in the component's unit
    "policy.one_stop.enabled" = [false, true]              # a lever
    "policy.outreach.start_month" = 24
    "policy.outreach.detect" = 0.5                         # one of the component's options

Fields of every component ``C`` (a registered kind, e.g. ``outreach``):

* ``policy.C.enabled`` — on/off (true/false). ``false`` removes the component from the
  package; ``true`` keeps it, or adds it with its defaults when the package lacks it.
* ``policy.C.intensity`` — a number ≥ 0 in the component's ``intensity_unit`` (and at
  most the component's ``intensity_range`` upper end when it declares one).
* ``policy.C.start_month`` — the first month it acts, a whole number ≥ 0. Timing fields
  live in :data:`TIMING_FIELDS`; a calendar alias (``start_year``) is one more entry.
* ``policy.C.eligibility`` — who it may reach: one of the eligibility rules (a choice).
* ``policy.C.OPTION`` — each of the component's declared options, within its range.

A component named by a path but absent from the arm's package is added with its defaults
(start at month 0, intensity 1, everyone eligible). A package that lists the component
twice makes the path ambiguous: it is refused, naming both entries. Values may be NumPy
scalars (``np.int64``, ``np.float64``, ``np.bool_``), as design libraries pass them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from model.interventions import ELIGIBILITY_RULES, REGISTRY
from model.parameters import ParameterError, check_number
from model.scenario import InterventionSpec, PolicyPackage

PREFIX = "policy."
BOOL, INT, FLOAT, CHOICE = "bool", "int", "float", "choice"


def _whole_months(value: Any) -> Any:
    return value


# Timing fields: name in the experiment file -> (InterventionSpec attribute, converter of
# the file's value to that attribute). A calendar alias is one more entry, e.g.
# ``"start_year": ("start_month", lambda year: 12 * (year - first_year))``.
TIMING_FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "start_month": ("start_month", _whole_months),
}


@dataclass(frozen=True)
class PolicyField:
    """One settable field of a policy component.

    Attributes:
        path: The full path, e.g. ``policy.outreach.intensity``.
        kind: The component (a registered intervention kind).
        name: The field (``enabled``, ``intensity``, ``start_month``, ``eligibility`` or an option).
        type: ``"bool"``, ``"int"``, ``"float"`` or ``"choice"``.
        default: The value a component added with its defaults has.
        lo: Lowest allowed number (numbers only).
        hi: Highest allowed number (numbers only).
        unit: The value's unit.
        choices: Allowed values (choices only).
    """

    path: str
    kind: str
    name: str
    type: str
    default: Any
    lo: float = -math.inf
    hi: float = math.inf
    unit: str = ""
    choices: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        """Whether the field takes numbers (and so may be given a ``{min, max}`` range)."""
        return self.type in (INT, FLOAT)

    def allowed(self) -> str:
        """What the field accepts, in words."""
        if self.type == BOOL:
            return "true or false"
        if self.type == CHOICE:
            return "one of " + ", ".join(self.choices)
        what = "a whole number" if self.type == INT else "a number"
        if math.isinf(self.hi):
            text = f"{what} ≥ {self.lo:g}"
        else:
            text = f"{what} from {self.lo:g} to {self.hi:g}"
        return f"{text} ({self.unit})" if self.unit else text

    def check(self, value: Any) -> Any:
        """``value`` as a plain Python value of this field; anything else is refused."""
        value = plain(value)
        if self.type == BOOL:
            if not isinstance(value, bool):
                raise ParameterError(self.path, value, self.allowed())
            return value
        if self.type == CHOICE:
            if value not in self.choices:
                raise ParameterError(self.path, value, self.allowed())
            return value
        hi = None if math.isinf(self.hi) else self.hi
        whole = self.type == INT
        check_number(self.path, value, lo=self.lo, hi=hi, whole=whole, allowed=self.allowed())
        return int(value) if whole else float(value)


def plain(value: Any) -> Any:
    """NumPy scalars → Python scalars (``np.int64`` → int, ``np.bool_`` → bool, …)."""
    return value.item() if isinstance(value, np.generic) else value


def is_policy_path(path: str) -> bool:
    """Whether ``path`` names a policy setting rather than a town parameter."""
    return path.startswith(PREFIX)


def fields_of(kind: str) -> dict[str, PolicyField]:
    """Every settable field of component ``kind``, by field name."""
    cls = REGISTRY[kind]
    lo, hi = getattr(cls, "intensity_range", (0.0, math.inf))
    base = f"{PREFIX}{kind}."
    out = {
        "enabled": PolicyField(base + "enabled", kind, "enabled", BOOL, True),
        "intensity": PolicyField(
            base + "intensity",
            kind,
            "intensity",
            FLOAT,
            cls.default_intensity,
            lo,
            hi,
            cls.intensity_unit,
        ),
        "eligibility": PolicyField(
            base + "eligibility",
            kind,
            "eligibility",
            CHOICE,
            "all",
            choices=tuple(sorted(ELIGIBILITY_RULES)),
        ),
    }
    for name in TIMING_FIELDS:
        out[name] = PolicyField(base + name, kind, name, INT, 0, 0, math.inf, "months")
    for name, (default, o_lo, o_hi) in cls.options.items():
        out[name] = PolicyField(base + name, kind, name, FLOAT, float(default), o_lo, o_hi)
    return out


def policy_field(path: str) -> PolicyField:
    """The field a ``policy.<component>.<field>`` path names; anything else is refused."""
    parts = path.split(".")
    kinds = ", ".join(sorted(REGISTRY))
    if len(parts) != 3 or parts[0] != "policy":
        raise ParameterError(
            path, path, f"a path policy.<component>.<field> with a component among {kinds}"
        )
    _, kind, name = parts
    if kind not in REGISTRY:
        raise ParameterError(path, kind, f"a policy component: {kinds}")
    known = fields_of(kind)
    if name not in known:
        raise ParameterError(path, name, f"a field of {kind}: " + ", ".join(known))
    return known[name]


def apply_policy_overrides(
    package: PolicyPackage, overrides: Mapping[str, Any], *, source: str = ""
) -> PolicyPackage:
    """A copy of ``package`` with ``policy.*`` overrides applied and checked.

    ``source`` names the package in the message about an ambiguous path.
    """
    by_kind: dict[str, dict[str, Any]] = {}
    for path, value in overrides.items():
        f = policy_field(path)
        by_kind.setdefault(f.kind, {})[f.name] = f.check(value)
    specs = list(package.interventions)
    for kind, settings in by_kind.items():
        where = [i for i, s in enumerate(specs) if s.kind == kind]
        if len(where) > 1:
            first = next(p for p in overrides if policy_field(p).kind == kind)
            entries = " and ".join(f"intervention[{i}]" for i in where)
            raise ParameterError(
                first,
                overrides[first],
                f"a component the policy package lists once; {source or package.name} lists "
                f"{kind} {len(where)} times ({entries}); sweep one of them with a policy file "
                "that lists it once",
            )
        if settings.get("enabled", True) is False:
            specs = [s for s in specs if s.kind != kind]
            continue
        spec = (
            specs[where[0]]
            if where
            else InterventionSpec(kind, intensity=REGISTRY[kind].default_intensity)
        )
        changes: dict[str, Any] = {}
        options = dict(spec.options)
        for name, value in settings.items():
            if name == "enabled":
                continue
            if name in TIMING_FIELDS:
                attribute, convert = TIMING_FIELDS[name]
                changes[attribute] = convert(value)
            elif name in ("intensity", "eligibility"):
                changes[name] = value
            else:
                options[name] = value
        new = replace(spec, options=options, **changes)
        if new.end_month is not None and new.end_month <= new.start_month:
            raise ParameterError(
                f"{PREFIX}{kind}.start_month",
                new.start_month,
                f"a month before the component's end_month ({new.end_month})",
            )
        REGISTRY[kind].check_options(new, f"{PREFIX}{kind}")
        if where:
            specs[where[0]] = new
        else:
            specs.append(new)
    return replace(package, interventions=tuple(specs))


def split_overrides(overrides: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(town parameter overrides, policy overrides) of one mapping of dotted paths."""
    town = {k: v for k, v in overrides.items() if not is_policy_path(k)}
    policy = {k: v for k, v in overrides.items() if is_policy_path(k)}
    return town, policy
