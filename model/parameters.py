"""Typed, validated model parameters with unit and source on every line.

Each subsystem declares its parameters as a frozen dataclass whose fields are made
with :func:`param`: default, unit, source (or "assumption"), allowed range and a
short help text in Japanese and English. This module validates such dataclasses,
builds them from plain mappings (parsed TOML) and describes them as tables.

A bad value is reported once, as a :class:`ParameterError` naming the file, the
field (dotted path), the value and what is allowed — the message policy staff see.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, get_args, get_origin, get_type_hints


class ParameterError(ValueError):
    """A parameter value that is not allowed.

    Attributes:
        file: The scenario file the value came from ("" when built in Python).
        field: Dotted path of the parameter, e.g. ``demography.tfr``.
        value: The offending value (or a description of what was missing).
        allowed: What would have been accepted.
    """

    def __init__(self, field: str, value: Any, allowed: str, file: str = "") -> None:
        self.file = file
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{clip_path(self.file, 160)}: " if self.file else ""
        return (
            f"{where}field '{clip(self.field, 50)}' = {clip(repr(self.value), 50)} "
            f"is not allowed: {clip(self.allowed, 160)}"
        )

    def in_file(self, file: str) -> ParameterError:
        """The same error, attributed to ``file``."""
        return ParameterError(self.field, self.value, self.allowed, file=file)


def value_text(value: object) -> str:
    """A parameter value as every listing shows it (floats with ``:g``, lists in brackets)."""
    if isinstance(value, tuple | list):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters (``…`` marks the cut), for messages.

    A message shows the start of a long value (a 400-digit number, a list of 20 weights,
    a whole file name) rather than all of it, so it stays one readable line.
    """
    text = str(text)
    if len(text) <= limit:
        return text
    return text[: max(1, limit - 1)] + "…"


def clip_path(path: str, limit: int) -> str:
    """A file name cut to at most ``limit`` characters from its start (``…`` marks the cut).

    The end of a path (the folder and the file's own name) is what a reader needs to find
    the file, so a long path loses its beginning, not its name.
    """
    text = str(path)
    if len(text) <= limit:
        return text
    return "…" + text[len(text) - max(1, limit - 1) :]


@dataclass(frozen=True)
class Meta:
    """What a parameter means: unit, source, allowed range and help texts."""

    unit: str
    source: str
    lo: float | None = None
    hi: float | None = None
    length: int | None = None
    choices: tuple[str, ...] | None = None
    help_ja: str = ""
    help_en: str = ""

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        parts = []
        if self.choices is not None:
            parts.append("one of " + ", ".join(repr(c) for c in self.choices))
        if self.lo is not None and self.hi is not None:
            parts.append(f"a number from {self.lo:g} to {self.hi:g}")
        elif self.lo is not None:
            parts.append(f"a number ≥ {self.lo:g}")
        elif self.hi is not None:
            parts.append(f"a number ≤ {self.hi:g}")
        if self.length is not None:
            parts.append(f"a list of exactly {self.length} values")
        return " and ".join(parts) if parts else "a value of the declared type"


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    lo: float | None = None,
    hi: float | None = None,
    length: int | None = None,
    choices: tuple[str, ...] | None = None,
    ja: str = "",
    en: str = "",
) -> Any:
    """Declare one parameter field (use inside a frozen dataclass)."""
    meta = Meta(unit, source, lo, hi, length, choices, ja, en)
    if isinstance(default, list):
        default = tuple(default)
    return field(default=default, metadata={"kyosei": meta})


def meta_of(f: dataclasses.Field[Any]) -> Meta | None:
    """The :class:`Meta` of a dataclass field, if it was declared with :func:`param`."""
    return f.metadata.get("kyosei")


def is_number(value: Any) -> bool:
    """Whether ``value`` is a number as a TOML file or a table gives one (true/false is not)."""
    # numbers.Real covers NumPy's integer and float scalars (NumPy registers them) but not
    # np.bool_; NumPy itself is not imported here, so that the command line starts quickly.
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _bound(x: float) -> str:
    """A range bound for a message: whole numbers in full (2**63 - 1), others short."""
    return str(x) if isinstance(x, int) else f"{x:g}"


def check_number(
    path: str,
    value: Any,
    *,
    lo: float | None = None,
    hi: float | None = None,
    whole: bool = False,
    unit: str = "",
    allowed: str = "",
) -> float:
    """``value`` as a finite number in ``[lo, hi]``, else :class:`ParameterError` naming ``path``.

    True/false and text are not numbers; NaN and ±inf are never allowed. The one check
    every numeric value Kyosei reads goes through: parameter tables, policy settings and
    intensities, experiment files, months, options, command-line numbers. The message
    says what is allowed (``allowed``, or one built from the range, ``whole`` and
    ``unit``). Whole numbers are compared with the bounds exactly, however large.
    """
    what = allowed or _allowed_text(lo, hi, whole, unit)
    if not is_number(value):
        raise ParameterError(path, value, what)
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        raise ParameterError(path, value, what) from None
    if not math.isfinite(number):
        raise ParameterError(path, value, f"a finite number; {what}")
    if whole and not number.is_integer():
        raise ParameterError(path, value, what)
    exact = int(value) if isinstance(value, numbers.Integral) else number
    if (lo is not None and exact < lo) or (hi is not None and exact > hi):
        raise ParameterError(path, value, what)
    return number


def check_whole(path: str, value: Any, *, lo: int, hi: int | None = None, unit: str = "") -> int:
    """``value`` as a whole number in ``[lo, hi]`` (exactly, however large), else an error."""
    check_number(path, value, lo=lo, hi=hi, whole=True, unit=unit)
    return int(value)


def _allowed_text(lo: float | None, hi: float | None, whole: bool, unit: str) -> str:
    what = "a whole number" if whole else "a number"
    if lo is not None and hi is not None:
        what += f" from {_bound(lo)} to {_bound(hi)}"
    elif lo is not None:
        what += f" ≥ {_bound(lo)}"
    elif hi is not None:
        what += f" ≤ {_bound(hi)}"
    return f"{what} ({unit})" if unit else what


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is tuple:
        return f"list of {_type_name(get_args(tp)[0])}"
    if origin in (types.UnionType,):
        return " or ".join(_type_name(a) for a in get_args(tp))
    return {float: "number", int: "whole number", bool: "true/false", str: "text"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _coerce(value: Any, tp: Any, path: str, meta: Meta | None) -> Any:
    """Check ``value`` against type ``tp`` and the range in ``meta``; return it typed."""
    allowed = meta.allowed() if meta else _type_name(tp)
    origin = get_origin(tp)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ParameterError(path, value, f"{_type_name(tp)}; {allowed}")
        if meta and meta.length is not None and len(value) != meta.length:
            raise ParameterError(path, value, allowed)
        item_tp = get_args(tp)[0]
        return tuple(_coerce(v, item_tp, f"{path}[{i}]", meta) for i, v in enumerate(value))
    if tp is bool:
        if not isinstance(value, bool):
            raise ParameterError(path, value, "true or false")
        return value
    if tp in (int, float):
        lo, hi = (meta.lo, meta.hi) if meta else (None, None)
        what = f"a whole number; {allowed}" if tp is int else allowed
        check_number(path, value, lo=lo, hi=hi, whole=tp is int, allowed=what)
        return int(value) if tp is int else float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ParameterError(path, value, f"text; {allowed}")
        if meta and meta.choices is not None and value not in meta.choices:
            raise ParameterError(path, value, allowed)
        return value
    return value


def build(cls: type, data: Mapping[str, Any], prefix: str, *, base: Any = None) -> Any:
    """Build dataclass ``cls`` from ``data``, starting from ``base`` (or the defaults).

    Unknown keys, wrong types and out-of-range values raise :class:`ParameterError`
    naming ``prefix.key``. Nested dataclass fields take nested tables.
    """
    if not isinstance(data, Mapping):
        raise ParameterError(prefix, data, "a table of named values")
    hints = get_type_hints(cls)
    by_name = {f.name: f for f in fields(cls) if f.init}
    current = base if base is not None else cls()
    values: dict[str, Any] = {}
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if key not in by_name:
            known = ", ".join(sorted(by_name))
            raise ParameterError(path, value, f"an unknown name; known names here: {known}")
        tp = hints[key]
        if is_dataclass(tp):
            values[key] = build(tp, value, path, base=getattr(current, key))  # type: ignore[arg-type]
        else:
            values[key] = _coerce(value, tp, path, meta_of(by_name[key]))
    return dataclasses.replace(current, **values)


def validate(obj: Any, prefix: str = "") -> None:
    """Check every declared field of ``obj`` (recursively) against its type and range."""
    hints = get_type_hints(type(obj))
    for f in fields(obj):
        path = f"{prefix}.{f.name}" if prefix else f.name
        value = getattr(obj, f.name)
        if is_dataclass(value):
            validate(value, path)
        elif meta_of(f) is not None:
            _coerce(value, hints[f.name], path, meta_of(f))


def describe(obj: Any, prefix: str = "") -> list[dict[str, Any]]:
    """One row per parameter: path, value, unit, source and help texts."""
    rows: list[dict[str, Any]] = []
    for f in fields(obj):
        path = f"{prefix}.{f.name}" if prefix else f.name
        value = getattr(obj, f.name)
        meta = meta_of(f)
        if is_dataclass(value):
            rows.extend(describe(value, path))
        elif meta is not None:
            rows.append(
                {
                    "parameter": path,
                    "value": value,
                    "unit": meta.unit,
                    "source": meta.source,
                    "allowed": meta.allowed(),
                    "help_ja": meta.help_ja,
                    "help_en": meta.help_en,
                }
            )
    return rows


def with_overrides(obj: Any, overrides: Mapping[str, Any]) -> Any:
    """A copy of ``obj`` with dotted-path overrides applied and validated."""
    nested: dict[str, Any] = {}
    for dotted, value in overrides.items():
        if type(value).__module__ == "numpy" and hasattr(value, "item"):
            # NumPy scalars (np.int64, np.bool_, …) as design tools pass them; NumPy itself
            # is not imported here, so that the command line starts quickly.
            value = value.item()
        node = nested
        parts = dotted.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ParameterError(dotted, value, "a parameter path, not a section")
        node[parts[-1]] = value
    return build(type(obj), nested, "", base=obj)
