"""My town from the browser: the form's values → a readable town profile and package, checked.

The 私の町 page collects what a municipality knows about itself (population, an age
table, districts, the counters, venues and 民生委員 posts it has, and the components of
its package with their intensities and start years). :func:`save` turns them into the
same files a user would write by hand — a town profile rendered by
:func:`scenarios.template.render` (which also converts the counts into the model's
parameters) and a policy package by :func:`scenarios.template.render_package` — and
checks them with the TOML loader itself, so the form refuses exactly what the loader
refuses, with the loader's message.

The files go to ``towns/`` inside the results folder. A file there is replaced only
when this page wrote it (its first line is :data:`MARK`); anything else — a user's own
profile of the same name — is never written over.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import UsageError
from model.parameters import ParameterError

MARK = "# Written by the Kyosei dashboard (私の町 / My town); edit it or run it with kyosei."
FOLDER = "towns"


@dataclass
class TownForm:
    """What the form holds (numbers as the user typed them are checked in :func:`save`).

    Attributes:
        name: The profile's name (file name): letters, digits, ``-`` and ``_``.
        label: The town's name as shown (both languages).
        base: The shipped profile every field not set here comes from.
        town: ``[town]`` fields (``population``, ``households``, ``districts``, …).
        counter_staff: Staff (FTE) at the counters by field (care, disability, child, hardship).
        venues: Venues by kind (salon, kayoi, kodomo, cafe, hub).
        minsei_posts: 民生委員 posts.
        age_csv: The uploaded age table's bytes (``None``: the base's age structure).
        components: (kind, intensity, start year) of the package's components.
    """

    name: str
    label: str = ""
    base: str = "small_town"
    town: dict[str, Any] = field(default_factory=dict)
    counter_staff: tuple[float, ...] | None = None
    venues: tuple[float, ...] | None = None
    minsei_posts: int | None = None
    age_csv: bytes | None = None
    components: list[tuple[str, float, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Saved:
    """The files :func:`save` wrote."""

    town: Path
    package: Path
    age_table: Path | None


def files_of(root: Path, name: str) -> tuple[Path, Path, Path]:
    """The town profile, package and age table a form called ``name`` writes."""
    folder = Path(root) / FOLDER
    return folder / f"{name}.toml", folder / f"{name}-package.toml", folder / f"{name}-ages.csv"


def written_here(path: Path) -> bool:
    """Whether ``path`` is missing or was written by this page (so it may be replaced)."""
    if not path.exists():
        return True
    try:
        with path.open(encoding="utf-8") as fh:
            return fh.readline().rstrip("\n") == MARK
    except (OSError, UnicodeDecodeError):
        return False


def save(root: str | Path, form: TownForm) -> Saved:
    """Write ``form`` as a town profile and a package under ``root/towns/``, checked first.

    Raises :class:`~model.ParameterError` (a value the loader refuses, with its message)
    or :class:`~model.errors.UsageError` (a bad name, a file this page did not write);
    on either nothing is written.
    """
    from model.projection import fit_net_out_scale
    from scenarios.loader import load_policy, load_town, town_names
    from scenarios.template import NAME, Counts, render, render_package

    if not NAME.fullmatch(form.name or ""):
        raise UsageError(
            f"name {form.name!r} is not allowed: letters, digits, '-' and '_' only "
            "(it names the file)"
        )
    if form.base not in town_names():
        raise UsageError(f"base {form.base!r} is not allowed: one of {', '.join(town_names())}")
    town_file, package_file, ages_file = files_of(Path(root), form.name)
    targets = [town_file, package_file] + ([ages_file] if form.age_csv is not None else [])
    for path in targets:
        if not written_here(path):
            raise UsageError(
                f"{path} exists and was not written by this page; it is never written over: "
                "choose another name"
            )
    town = dict(form.town)
    label = form.label.strip() or form.name
    town.setdefault("label_ja", label)
    town.setdefault("label_en", label)
    if form.age_csv is not None:
        town["age_table"] = ages_file.name
    counts = Counts(form.counter_staff, form.venues, form.minsei_posts)
    text = render(form.name, form.base, town=town, counts=counts, written_by=MARK)
    first_year = int(town.get("start_year", load_town(form.base).town.start_year))
    package = render_package(
        f"{form.name}-package",
        f"{label}の施策",
        f"{label}'s package",
        form.components,
        first_year,
        written_by=MARK,
    )
    folder = town_file.parent
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".check-", dir=folder))
    try:
        staged = {town_file: work / town_file.name, package_file: work / package_file.name}
        staged[town_file].write_text(text, encoding="utf-8")
        staged[package_file].write_text(package, encoding="utf-8")
        if form.age_csv is not None:
            staged[ages_file] = work / ages_file.name
            staged[ages_file].write_bytes(MARK.encode() + b"\n" + form.age_csv)
        try:  # the loader's own checks, on the files as they will be
            params = load_town(staged[town_file])
            load_policy(staged[package_file])
            # and the one a run makes first: can migration meet the annual-change target?
            fit_net_out_scale(params.demography, params.town)
        except ParameterError as err:
            raise ParameterError(
                err.field, err.value, err.allowed, file=_final(err.file, work, folder)
            ) from None
        except UsageError as err:  # the age table, naming row and column
            raise UsageError(_final(str(err), work, folder)) from None
        for final, tmp in staged.items():
            if not written_here(final):  # appeared meanwhile
                raise UsageError(
                    f"{final} exists and was not written by this page; choose another name"
                )
            os.replace(tmp, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Saved(town_file, package_file, ages_file if form.age_csv is not None else None)


def table_total(data: bytes) -> int | None:
    """Residents in an uploaded age table (men + women), or ``None`` if it does not read.

    The form takes it as the town's population (the user may change it: a different
    total rescales the table's structure). A table that does not read is reported by
    :func:`save`, with the reader's message.
    """
    from model.agetable import read_age_table

    with tempfile.TemporaryDirectory(prefix="kyosei-ages-") as folder:
        path = Path(folder) / "ages.csv"
        path.write_bytes(data)
        try:
            rows = read_age_table(path)
        except UsageError:
            return None
    return int(rows[:, 2:4].sum())


def _final(text: str, work: Path, folder: Path) -> str:
    """A message about a staged file, naming the file it becomes."""
    return str(text).replace(str(work.resolve()), str(folder)).replace(str(work), str(folder))
