"""The dashboard's one door to results: find results sets, open them, say what is wrong.

Results sets are folders written by the experiments runner (``kyosei sweep``, the
dashboard's "Run new comparison", ``kyosei demo``), read with
:class:`experiments.store.ResultsStore`. This module adds what a page needs on top:

* :func:`list_sets` — the sets under the ``--results`` folder (or the folder itself);
* :func:`load` — a set's runs and town-wide time series read once and cached per
  process (keyed by the set's committed parts, so a set still being written is
  re-read when it grows), so switching between pages and users costs nothing;
* :class:`ResultsProblem` — every way a folder can be missing, empty or corrupt,
  as a translatable notice for the page instead of a traceback.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.store import MANIFEST, ResultsStore, part_files, writer_alive

from . import i18n


class ResultsProblem(Exception):
    """A results folder that cannot be shown; ``key`` and ``values`` make the notice."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(i18n.tr(key, "en", **values))

    def message(self, lang: str) -> str:
        """The notice in ``lang``."""
        return i18n.tr(self.key, lang, **self.values)


def _is_set(path: Path) -> bool:
    """Whether ``path`` looks like a results set.

    A set whose manifest cannot be read still counts: it is listed with its problem.
    """
    try:
        return path.is_dir() and os.path.lexists(path / MANIFEST)
    except OSError:
        return False


def list_sets(root: str | Path) -> list[Path]:
    """Results sets in ``root``: the folder itself if it is one, else its sub-folders that are.

    The folder itself comes with the sets the dashboard's jobs started beside it.

    One unreadable set never hides the others: each is looked at on its own. Raises
    :class:`ResultsProblem` when ``root`` does not exist or holds no set.
    """
    root = Path(root)
    if not root.is_dir():
        raise ResultsProblem("results.none_dir", path=str(root))
    if _is_set(root):
        # The dashboard opened on one set: that set, then the comparisons started from
        # the browser beside it (see dashboards.jobs.home_of).
        from .jobs import sets_beside

        return [root, *(p for p in sets_beside(root) if _is_set(p))]
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        raise ResultsProblem("results.unreadable", name=root.name, reason=str(exc)) from None
    found = [p for p in entries if _is_set(p)]
    if not found:
        raise ResultsProblem("results.empty_dir", path=str(root))
    return found


# States of a set, as the set picker shows them.
READY, PARTIAL, WRITING, DAMAGED = "ready", "partial", "writing", "damaged"


@dataclass(frozen=True)
class SetState:
    """How one results set stands: its own state, found without reading its data."""

    path: Path
    state: str
    ok: int = 0
    planned: int = 0
    reason: str = ""

    def label(self, lang: str) -> str:
        """The set's name with its state, for the set picker."""
        if self.state == READY:
            return self.path.name
        return i18n.tr(
            f"results.state.{self.state}", lang, name=self.path.name, ok=self.ok, n=self.planned
        )


def set_state(path: str | Path) -> SetState:
    """Ready, partial (an interrupted sweep), being written by a sweep, or damaged."""
    p = Path(path)
    try:
        store = ResultsStore(p)
        counts = store.counts()
    except Exception as exc:  # an unreadable manifest or runs part: this set only
        return SetState(p, DAMAGED, reason=_reason(exc))
    ok, planned = counts["ok"], counts["planned"]
    if writer_alive(p):
        return SetState(p, WRITING, ok, planned)
    return SetState(p, READY if counts["to_do"] == 0 else PARTIAL, ok, planned)


def set_states(paths: list[Path]) -> list[SetState]:
    """:func:`set_state` of each set (one set's trouble never affects another's)."""
    return [set_state(p) for p in paths]


DEFAULT_SET = "default_comparison"


def default_set(paths: list[Path], states: list[SetState] | None = None) -> Path:
    """The set a page opens with: ``default_comparison`` if present, else the newest.

    Sets being written or damaged are not opened by default while another set can be.
    """
    if states is not None:
        usable = {s.path for s in states if s.state in (READY, PARTIAL)}
        if usable:
            paths = [p for p in paths if p in usable]
    for p in paths:
        if p.name == DEFAULT_SET:
            return p

    def mtime(p: Path) -> float:
        try:
            return (p / MANIFEST).stat().st_mtime
        except OSError:
            return 0.0

    return max(paths, key=mtime)


def version_of(path: Path) -> tuple[Any, ...]:
    """Changes whenever the set gains a committed batch or a new manifest (cache key)."""
    parts = part_files(path, "runs")
    try:
        manifest = (path / MANIFEST).stat().st_mtime_ns
    except OSError:
        manifest = 0
    return (manifest, tuple(sorted(parts)))


@dataclass
class ArmInfo:
    """One arm of an experiment (town × policy package × lever values) and its labels."""

    name: str
    town: str
    policy: str
    reference: str
    levers: dict[str, Any]
    label_ja: str
    label_en: str

    def label(self, lang: str) -> str:
        """Package label in ``lang``, with lever values when the arm has any."""
        text = self.label_ja if lang == "ja" else self.label_en
        if self.levers:
            from .widgets import param_value

            text += " [" + ", ".join(f"{k}={param_value(v)}" for k, v in self.levers.items()) + "]"
        return text


@dataclass
class Loaded:
    """What the pages read from one results set, held in memory.

    Attributes:
        path: The set's folder.
        store: The experiments reader (for tables read on demand).
        manifest: The set's manifest.
        runs: Finished-ok runs (run_id, arm, town, policy, point, replicate, seed, inputs).
        arms: Arms in plan order.
        data: The town-wide time series once read (see :attr:`timeseries`).
        metrics: Metric columns of the time series.
        months: Last month of the runs.
        extra: Caches of the pages; ``extra["summary"]`` holds the set's precomputed
            :class:`~dashboards.set_summary.Summary` when there is one.
    """

    path: Path
    store: ResultsStore
    manifest: dict[str, Any]
    runs: pd.DataFrame
    arms: list[ArmInfo]
    data: pd.DataFrame | None
    metrics: list[str]
    months: int
    extra: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def timeseries(self) -> pd.DataFrame:
        """Town-wide metrics of every ok run, in (run, month) order.

        Read on first use: a set with a stored summary shows the Compare page without it.
        """
        if self.data is None:
            with self._lock:
                if self.data is None:
                    self.data = _read_timeseries(self.store, self.path)
        return self.data

    @property
    def name(self) -> str:
        """The experiment's name."""
        return str(self.manifest.get("experiment", {}).get("name", self.path.name))

    def towns(self) -> list[str]:
        """Towns with at least one arm, in plan order."""
        return list(dict.fromkeys(a.town for a in self.arms))

    def arms_of(self, town: str) -> list[ArmInfo]:
        """Arms of ``town``."""
        return [a for a in self.arms if a.town == town]

    def arm(self, name: str) -> ArmInfo:
        """The arm called ``name``."""
        for a in self.arms:
            if a.name == name:
                return a
        raise KeyError(name)

    def input_columns(self) -> list[str]:
        """Parameters that vary between runs (uncertainties then levers)."""
        return [c for c in self.manifest.get("input_columns", []) if c in self.runs.columns]

    def replications(self) -> int:
        """Replicates per arm and design point."""
        return int(self.manifest.get("replications", 1))


def _policy_labels(policy: str) -> tuple[str, str]:
    """Japanese and English labels of a shipped policy package (its name otherwise)."""
    from scenarios import load_policy

    try:
        package = load_policy(policy)
    except Exception:  # a package file removed since the run: show its name
        stem = Path(policy).stem
        return stem, stem
    return package.label_ja, package.label_en


def _read_timeseries(store: ResultsStore, path: Path) -> pd.DataFrame:
    try:
        return store.timeseries()
    except Exception as exc:  # UsageError, Arrow/Parquet errors: all a notice
        raise ResultsProblem("results.unreadable", name=path.name, reason=_reason(exc)) from None


def _read(path: Path) -> Loaded:
    """Open a set: its runs, and its stored summary or else its time series (then summarised)."""
    from . import set_summary

    try:
        store = ResultsStore(path)
        manifest = store.manifest
        runs = store.runs(status="ok")
    except ResultsProblem:
        raise
    except Exception as exc:  # UsageError, Arrow/Parquet errors, bad JSON: all a notice
        raise ResultsProblem("results.unreadable", name=path.name, reason=_reason(exc)) from None
    if runs.empty:
        raise ResultsProblem("results.no_runs", name=path.name)
    key = set_summary.content_key(path, manifest, runs)
    stored = set_summary.read(path, key)
    timeseries = None if stored is not None else _read_timeseries(store, path)
    if timeseries is not None and timeseries.empty:
        raise ResultsProblem("results.no_runs", name=path.name)
    arms = []
    for a in manifest.get("arms", []):
        ja, en = _policy_labels(str(a["policy"]))
        arms.append(
            ArmInfo(
                name=str(a["name"]),
                town=str(a["town"]),
                policy=str(a["policy"]),
                reference=str(a["reference"]),
                levers=dict(a.get("levers", {})),
                label_ja=ja,
                label_en=en,
            )
        )
    if stored is not None:
        metrics, months = list(stored.meta["metrics"]), int(stored.meta["months"])
    else:
        assert timeseries is not None
        metrics = [
            c for c in timeseries.columns if c not in ("run_id", "month", "year", "calendar_month")
        ]
        months = int(timeseries["month"].max())
    loaded = Loaded(path, store, manifest, runs, arms, timeseries, metrics, months)
    # A set still being written changes with every batch: shown from its runs until done.
    if stored is None and not writer_alive(path):
        try:
            stored = set_summary.compute(loaded)
        except Exception:  # the page then computes what it shows from the runs
            stored = None
        else:
            set_summary.write(path, key, stored)  # memory only when the folder is read-only
    if stored is not None:
        loaded.extra["summary"] = stored
    return loaded


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


_lock = threading.Lock()


@functools.lru_cache(maxsize=6)
def _cached(path: str, version: tuple[Any, ...]) -> Loaded:
    del version  # part of the cache key only
    return _read(Path(path))


def load(path: str | Path) -> Loaded:
    """The results set at ``path``, read once per version (raises :class:`ResultsProblem`)."""
    p = Path(path)
    if not p.is_dir():
        raise ResultsProblem("results.none_dir", path=str(p))
    # One reader at a time: two sessions asking for the same new set read it once.
    with _lock:
        return _cached(str(p.resolve()), version_of(p))


_preloading: set[str] = set()


def preload(paths: list[Path]) -> None:
    """Read sets in a background thread, so picking one later shows it at once.

    Called when a page lists the sets: by the time a user picks a 1,000-run set from the
    list, its time series are usually in memory already. Errors are left for the page
    to report when the set is actually picked.
    """
    todo = [p for p in paths if str(p) not in _preloading]
    if not todo:
        return
    _preloading.update(str(p) for p in todo)

    def work() -> None:
        for p in todo:
            try:
                load(p)
            except Exception:  # reported on the page when this set is chosen
                pass
            finally:
                _preloading.discard(str(p))

    threading.Thread(target=work, name="kyosei-preload", daemon=True).start()


def clear_cache() -> None:
    """Forget every loaded set (tests; after a set was rewritten in place)."""
    _cached.cache_clear()
