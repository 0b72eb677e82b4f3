"""The negative control of the exact baseline: every declared parameter, changed a little.

A *knob* is one declared numeric parameter: a ``param`` field of the town's parameter
dataclasses (``town.population``, ``venues.notice``, …; a list counts as one knob: its
entries change together, alternately up and down), an option of a policy component in the baseline's
packages (``community_building.subsidised_share``, …) or a component's intensity.

The change (:func:`nudge`) is +10 % (−10 % for every second entry of a list), rounded
for whole numbers (at least one step);
where +10 % leaves the allowed range, −10 %; a value of 0 moves by a tenth of its
allowed range (or by 0.1, or 1 for whole numbers, when the range is open). A knob is
*exercised* when its change alters at least one output hash of at least one fixed run
(:func:`runs.differs` tells, stopping at the first month that differs).
"""

from __future__ import annotations

import math
import types
from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Union, get_args, get_origin, get_type_hints

from model.interventions.base import REGISTRY
from model.parameters import ParameterError, meta_of
from scenarios import load_policy

from .runs import CASES, Case, Outputs, differs, scenario


@dataclass(frozen=True)
class Knob:
    """One parameter the negative control changes."""

    name: str  # "venues.notice", or "<component>.<option>", "<component>.intensity"
    component: str | None  # the policy component's kind, for options and intensities
    option: str | None
    integer: bool
    lo: float | None
    hi: float | None


def _is_int(tp: Any) -> bool:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return any(_is_int(a) for a in get_args(tp) if a is not type(None))
    if origin is tuple:
        return _is_int(get_args(tp)[0])
    return tp is int


def _is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, tuple):
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    return isinstance(value, (int, float))


def knobs() -> list[Knob]:
    """Every numeric parameter of the town sections and of the cases' policy components."""
    params = scenario(CASES["small_town/baseline"]).params
    out: list[Knob] = []
    for section in fields(params):
        obj = getattr(params, section.name)
        if not is_dataclass(obj):
            continue
        hints = get_type_hints(type(obj))
        for f in fields(obj):
            meta = meta_of(f)
            if meta is None or meta.choices is not None:
                continue
            if not _is_numeric(getattr(obj, f.name)):
                continue
            out.append(
                Knob(
                    f"{section.name}.{f.name}",
                    None,
                    None,
                    _is_int(hints[f.name]),
                    meta.lo,
                    meta.hi,
                )
            )
    kinds = sorted({s.kind for c in CASES.values() for s in load_policy(c.policy).interventions})
    for kind in kinds:
        cls = REGISTRY[kind]
        out.append(Knob(f"{kind}.intensity", kind, "intensity", False, 0.0, None))
        for option, (_, lo, hi) in cls.options.items():
            out.append(Knob(f"{kind}.{option}", kind, option, False, lo, hi))
    return out


def value_in(case: Case, knob: Knob) -> Any:
    """The knob's value in ``case`` (None when the case's package lacks the component)."""
    sc = scenario(case)
    if knob.component is None:
        section, name = knob.name.split(".")
        return getattr(getattr(sc.params, section), name)
    for spec in sc.policy.interventions:
        if spec.kind == knob.component:
            if knob.option == "intensity":
                return spec.intensity
            default = REGISTRY[spec.kind].options[str(knob.option)][0]
            return spec.options.get(str(knob.option), default)
    return None


def _inside(x: float, knob: Knob) -> bool:
    return (knob.lo is None or x >= knob.lo) and (knob.hi is None or x <= knob.hi)


def nudge_number(v: float, knob: Knob, *, down: bool = False) -> float:
    """The changed value of one number (see the module docstring); ``down``: −10 % first."""
    if v == 0:
        if knob.lo is not None and knob.hi is not None and math.isfinite(knob.hi):
            step = (knob.hi - knob.lo) / 10
        else:
            step = 0.1
        if knob.integer:
            step = max(1, round(step))
        candidates = [v + step, v - step]
    elif knob.integer:
        up, below = round(v * 1.1), round(v * 0.9)
        candidates = [up if up != v else v + 1, below if below != v else v - 1]
    else:
        candidates = [v * 1.1, v * 0.9]
    for c in reversed(candidates) if down else candidates:
        if _inside(c, knob):
            return int(c) if knob.integer else float(c)
    raise ValueError(f"{knob.name}: no change of {v} stays inside its range")


def nudge(value: Any, knob: Knob) -> Any:
    """The knob's changed value: each entry of a list, or the number."""
    if isinstance(value, tuple):
        if not value:
            raise ValueError(f"{knob.name}: the list is empty in this town profile")
        # Alternate up and down, so that lists read as shapes (normalised) change too.
        return [nudge_number(v, knob, down=i % 2 == 1) for i, v in enumerate(value)]
    return nudge_number(value, knob)


def perturbed_differs(case: Case, knob: Knob, reference: Outputs) -> bool | None:
    """Whether ``knob`` nudged changes an output hash of ``case`` (None if the case lacks it).

    ``reference`` is the case's unchanged outputs. Raises ValueError when no change of
    the knob is allowed (empty list, range).
    """
    value = value_in(case, knob)
    if value is None:
        return None
    new = nudge(value, knob)
    try:
        if knob.component is None:
            return differs(scenario(case, overrides={knob.name: new}), reference)
        return differs(scenario(case, options={(knob.component, str(knob.option)): new}), reference)
    except ParameterError as err:
        raise ValueError(f"{knob.name}: {new} is not accepted ({err})") from None


def detected(knob: Knob, reference: Mapping[str, Outputs], first: str | None = None) -> str:
    """The first case (``first`` tried first) whose hashes the knob's change alters, or ''.

    ``reference`` maps each case's name to its unchanged outputs (:func:`runs.run`).
    """
    order = sorted(CASES, key=lambda name: name != first)
    for name in order:
        if perturbed_differs(CASES[name], knob, reference[name]):
            return name
    return ""
