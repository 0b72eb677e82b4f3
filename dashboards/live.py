"""The workshop's live town: one model (or two, once forked) played in front of a room.

:class:`LiveTown` owns the running :class:`model.CommunityModel` (and its fork), steps
it, switches components on mid-run and forks the present into two futures. It
*publishes* a :class:`Frame` — the map's arrays, the outcome lines so far and what is
acting — as one immutable object. A page draws the latest frame without taking any
lock, so a redraw never waits for the play loop.

:class:`LiveSession` is the server's one live session, shared by every tab: a reload
rejoins it (month and policies kept) and a second tab follows it (to mirror the
projector). Its play loop runs in a background thread at the town's own pace (the speed
slider), whatever the browser does; the display renders at the browser's pace (Mesa's
``render_interval`` idea): a tab asks for a frame once it has drawn the last one, the
loop publishes the month it has reached, and the months between are dropped for the
maps (the lines still get every month's values). Nothing is queued per month. Each
frame published while playing keeps a copy of the town at that month, so a pause
stops the town at the month the tab shows (:meth:`LiveSession.pause` with ``at``).
Each drawing tab reports in; when no tab has shown the town for :data:`IDLE_S` seconds
the loop stops.

:func:`snapshot` turns a model into the plain arrays the map draws; the resident
states come from ``model.resident_states`` (connected, isolated, in need, supported,
volunteer) — the one place to change if the model's states change.
"""

from __future__ import annotations

import contextlib
import copy
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from model import CommunityModel, InterventionSpec
from model.interventions import REGISTRY
from scenarios import load_policy, load_scenario

STATES = ("connected", "isolated", "in_need", "supported", "volunteer")
SAMPLE = 1500  # residents drawn as dots: enough to see patterns, cheap to send each frame
SERIES = ("unmet_share", "isolation_rate", "volunteers", "participation_rate")
# Columns kept month by month for the lines and the closing note.
KEPT = ("month", "year", "calendar_month", *SERIES, "unmet")
MAX_MONTHS = 12 * 30  # the longest a live town plays
PRESET_MONTHS = 12 * 20  # every preset plays 20 years from the moment it is clicked
NOTE_MONTHS = 12 * 5  # the closing note compares the futures 5 years after the fork
KEEP = 4  # frames published while playing whose month a pause can return to
# No tab has drawn the town for this long: stop it. A tab reports four times a second, so a
# closed tab's town stops within IDLE_S and a fraction of a second after the last answer,
# well inside the 30 s a room may wait (the browser tests measured 4.3-4.5 s with a 4 s
# idle stop; they now use 10 s, which a slow tab on a loaded CI machine does not reach).
IDLE_S = float(os.environ.get("KYOSEI_LIVE_IDLE_S", "25"))
SPEEDS = (1, 20)  # months a second, slider range
DEFAULT_SPEED = 12


@dataclass
class Snapshot:
    """What the live map draws for one model at one month.

    Attributes:
        month: Months since the start.
        polygons: District borders (k, 2) in km.
        side_km: Width of the square map.
        xy: Sampled residents' positions (n, 2).
        states: Index into :data:`STATES` per sampled resident.
        venues: (x, y, open) of venues.
        counters: (x, y) of consultation counters.
        orgs: (x, y) of active NPOs and groups.
        population: Residents living in the town (people, scaled).
        changed: Per sampled resident, whether the state changed this month.
        reached: (x, y) of every resident a policy reached this month (not only sampled).
        opened: (x, y) of venues opened this month.
        closed: (x, y) of venues closed this month.
    """

    month: int
    polygons: list[np.ndarray]
    side_km: float
    xy: np.ndarray
    states: np.ndarray
    venues: np.ndarray
    counters: np.ndarray
    orgs: np.ndarray
    population: int = 0
    changed: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    reached: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    opened: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    closed: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    pids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    extra: dict[str, Any] = field(default_factory=dict)


def resident_states(model: CommunityModel, idx: np.ndarray) -> np.ndarray:
    """State code (index into :data:`STATES`) of residents ``idx``."""
    if hasattr(model, "resident_states"):
        return np.asarray(model.resident_states(idx), dtype=np.int64)
    r = model.residents  # an older model without the method: volunteers vs the rest
    return np.where(np.asarray(getattr(r, "volunteer", np.zeros(r.n, bool)))[idx], 4, 0)


def _xy(agents: list[Any], keep: Any = None) -> np.ndarray:
    rows = [
        (float(a.x), float(a.y), float(bool(getattr(a, "open", True))))
        for a in agents
        if hasattr(a, "x") and (keep is None or keep(a))
    ]
    return np.array(rows, dtype=float).reshape(-1, 3)


def _home_xy(model: CommunityModel, idx: np.ndarray) -> np.ndarray:
    r = model.residents
    hh = r.hh[idx]
    # Members of one household share a home: spread them by a pid-derived offset.
    jitter = ((r.pid[idx] % np.uint64(997)).astype(float) / 997.0 - 0.5) * 0.08
    return np.column_stack([model.households.x[hh] + jitter, model.households.y[hh] - jitter])


def reached_indices(model: CommunityModel) -> np.ndarray:
    """Residents a policy worked with this month: the outreach workers' caseloads.

    A caseload (``case_pid``) is the people the workers visited this month, the new
    contacts among them included; components without a caseload reach nobody by name.
    """
    r = model.residents
    pids = [
        np.asarray(getattr(iv, "case_pid", np.zeros(0, np.uint64)))
        for iv in model.interventions
        if iv.active(model.month)
    ]
    if not pids or not sum(p.size for p in pids):
        return np.zeros(0, dtype=np.int64)
    wanted = np.concatenate(pids)
    here = np.flatnonzero(r.alive)
    return here[np.isin(r.pid[here], wanted)]


def snapshot(
    model: CommunityModel, sample: int = SAMPLE, before: Snapshot | None = None
) -> Snapshot:
    """The map's arrays for ``model`` now (a fixed sample of residents, month after month).

    ``before`` is the snapshot the map showed last (the previous month when stepping,
    a few months back when playing fast): residents whose state differs from it are
    marked as changed, and venues opened or closed since then are marked.
    """
    idx = model.sample_indices(sample)
    states = resident_states(model, idx)
    pids = model.residents.pid[idx]
    changed = np.zeros(idx.size, bool)
    if before is not None and before.pids.size and model.month > before.month:
        order = np.argsort(before.pids)
        pos = np.minimum(np.searchsorted(before.pids, pids, sorter=order), before.pids.size - 1)
        known = before.pids[order[pos]] == pids
        changed = known & (before.states[order[pos]] != states)
    venues = getattr(getattr(model, "venues", None), "venues", [])
    counters = getattr(getattr(model, "support", None), "counters", [])
    orgs = list(getattr(getattr(model, "organisations", None), "agents", []))
    month = model.month
    since = before.month if before is not None and before.month < month else month - 1

    def new(v: Any, name: str) -> bool:
        when = getattr(v, name, None)
        return month > 0 and when is not None and since < when <= month

    opened = [(v.x, v.y) for v in venues if new(v, "opened_month")]
    closed = [(v.x, v.y) for v in venues if new(v, "closed_month")]
    return Snapshot(
        month=month,
        polygons=list(model.town_map.polygons),
        side_km=float(model.town_map.side_km),
        xy=_home_xy(model, idx),
        states=states,
        venues=_xy(venues),
        counters=_xy(counters),
        orgs=_xy(orgs),
        population=round(float(model.residents.alive.sum()) * model.scale),
        changed=changed,
        reached=_home_xy(model, reached_indices(model)),
        opened=np.array(opened, dtype=float).reshape(-1, 2),
        closed=np.array(closed, dtype=float).reshape(-1, 2),
        pids=pids,
    )


def keep_copy(model: CommunityModel) -> CommunityModel:
    """A copy of ``model`` as :meth:`CommunityModel.fork` makes, cheaper to keep often.

    The recorder's past rows are shared, not copied: a row is never changed once
    written, and copying them made a copy grow with the months played (30 ms at month
    0, 60 ms at month 120 for the 20k district; shared, about 20 ms throughout).
    """
    rec = model.recorder
    rows = [*getattr(rec, "_town", ()), *getattr(rec, "_district", ())]
    memo: dict[int, Any] = {id(row): row for row in rows}
    return copy.deepcopy(model, memo)


def component_choices() -> list[tuple[str, str, str]]:
    """(kind, Japanese label, English label) of every policy component the model offers."""
    return sorted(
        ((k, cls.label_ja or k, cls.label_en or k) for k, cls in REGISTRY.items()),
        key=lambda row: row[0],
    )


@dataclass(frozen=True)
class Marker:
    """A moment the charts mark: a component switched on in a future, or the fork.

    Attributes:
        month: Model month it happened.
        year: Calendar year of that month.
        calendar_month: Calendar month (1-12).
        future: ``"a"``, ``"b"`` or ``"both"`` (the fork).
        kind: Component kind, or ``"fork"``.
        intensity: The component's intensity (0 for the fork).
    """

    month: int
    year: int
    calendar_month: int
    future: str
    kind: str
    intensity: float = 0.0


@dataclass(frozen=True)
class Frame:
    """Everything a page draws for one published month (never changed once published).

    Attributes:
        version: Increases with every publication.
        month: Months since the start.
        calendar: Calendar (year, month 1-12).
        a, b: Map arrays of future A and B (``None`` before a fork).
        series_a, series_b: Monthly outputs so far (:data:`KEPT` columns).
        active_a, active_b: (kind, intensity) of the components acting now.
        markers: Policy starts and the fork, in order.
        fork_month: Month of the fork, or ``None``.
        town: Town profile name; scale: people per simulated resident.
    """

    version: int
    month: int
    calendar: tuple[int, int]
    a: Snapshot
    b: Snapshot | None
    series_a: dict[str, list[float]]
    series_b: dict[str, list[float]] | None
    active_a: tuple[tuple[str, float], ...]
    active_b: tuple[tuple[str, float], ...]
    markers: tuple[Marker, ...]
    fork_month: int | None
    town: str
    scale: float


def frame_series(series: dict[str, list[float]]) -> pd.DataFrame:
    """A frame's monthly outputs as a table (time columns as integers)."""
    df = pd.DataFrame(series)
    for name in ("month", "year", "calendar_month"):
        if name in df.columns:
            df[name] = df[name].astype(np.int64)
    return df


def note_difference(frame: Frame, months: int = NOTE_MONTHS) -> dict[str, float] | None:
    """The futures' paired difference in unmet need ``months`` after the fork, once reached.

    Both futures share the seed and every random draw up to the fork, so B − A at the same
    month is the policy's effect in this one town (one run, not an average over runs).
    Returns ``month``, ``year``, ``calendar_month``, ``share`` (B − A, share of residents)
    and ``people`` (B − A, people), or ``None`` before that month.
    """
    if frame.b is None or frame.fork_month is None or frame.series_b is None:
        return None
    at = frame.fork_month + months
    if frame.month < at:
        return None
    a, b = frame.series_a, frame.series_b
    ia, ib = a["month"].index(float(at)), b["month"].index(float(at))
    return {
        "month": float(at),
        "year": a["year"][ia],
        "calendar_month": a["calendar_month"][ia],
        "share": b["unmet_share"][ib] - a["unmet_share"][ia],
        "people": (b["unmet"][ib] - a["unmet"][ia]),
    }


class LiveTown:
    """A running town (and its fork) that publishes a :class:`Frame` after every change.

    Attributes:
        town: Town profile name.
        scale: People per simulated resident.
        seed: Root seed.
        a: The town (future A once forked).
        b: Future B after :meth:`fork`, else ``None``.
        frame: The latest published frame (read it without any lock).

    Months are stepped by :meth:`advance` (models and the lines' values only) and shown
    by :meth:`publish` (the maps' arrays and a new frame): a town played fast publishes
    only the months a tab asks for.
    """

    def __init__(self, town: str = "district", scale: float = 1.0, seed: int = 1) -> None:
        self.town = town
        self.scale = scale
        self.seed = seed
        self.lock = threading.RLock()  # held while a model changes; never by a redraw
        self.origin = CommunityModel(load_scenario(town, "baseline", scale=scale), seed=seed)
        self.a = self.origin.fork()  # the origin stays at month 0: a restart is a copy
        self.b: CommunityModel | None = None
        self.markers: list[Marker] = []
        self.fork_month: int | None = None
        self._series_a = self._kept(self.a, {})
        self._series_b: dict[str, list[float]] | None = None
        self._snap_a = snapshot(self.a)
        self._snap_b: Snapshot | None = None
        self._version = 0
        # Frames published while playing, with a copy of the town at their month:
        # (frame, a, b), newest last; a pause can return to one of them.
        self._kept_frames: list[tuple[Frame, CommunityModel, CommunityModel | None]] = []
        self.frame = self._frame()

    def restart(self) -> None:
        """Back to month 0 without policies (a copy of the untouched town: no rebuild)."""
        with self.lock:
            self.a = self.origin.fork()
            self.b = None
            self.markers = []
            self.fork_month = None
            self._series_a = self._kept(self.a, {})
            self._series_b = None
            self._snap_a = snapshot(self.a)
            self._snap_b = None
            self._changed()
            self.publish()

    def _changed(self) -> None:
        """The town was changed by a command: no earlier month can be returned to."""
        self._kept_frames.clear()

    @staticmethod
    def _kept(model: CommunityModel, into: dict[str, list[float]]) -> dict[str, list[float]]:
        rows = model.recorder._town[len(next(iter(into.values()), [])) :]
        for row in rows:
            for name in KEPT:
                into.setdefault(name, []).append(float(row.get(name, np.nan)))
        return into

    def _frame(self) -> Frame:
        self._version += 1
        return Frame(
            version=self._version,
            month=self.a.month,
            calendar=self.a.calendar(),
            a=self._snap_a,
            b=self._snap_b,
            series_a={k: list(v) for k, v in self._series_a.items()},
            series_b=({k: list(v) for k, v in self._series_b.items()} if self._series_b else None),
            active_a=self._active(self.a),
            active_b=self._active(self.b) if self.b is not None else (),
            markers=tuple(self.markers),
            fork_month=self.fork_month,
            town=self.town,
            scale=self.scale,
        )

    def publish(self, keep: bool = False) -> Frame:
        """Build and publish the frame of the present (call with the lock held).

        The maps' arrays are taken now, compared with the last published ones. With
        ``keep`` a copy of the town at this month is kept with the frame (the
        :data:`KEEP` newest), so that :meth:`restore` can return to it.
        """
        if self.frame.month != self.a.month or self._snap_a.month != self.a.month:
            self._snap_a = snapshot(self.a, before=self._snap_a)
            if self.b is not None:
                self._snap_b = snapshot(self.b, before=self._snap_b)
        self.frame = self._frame()
        if keep:
            b = keep_copy(self.b) if self.b is not None else None
            self._kept_frames.append((self.frame, keep_copy(self.a), b))
            del self._kept_frames[:-KEEP]
        return self.frame

    def restore(self, month: int) -> bool:
        """Return to a kept frame of ``month`` (or the month after), as if never left.

        The kept copies continue exactly as the town would have from that month (they
        carry its random streams), so a run paused and resumed this way has the same
        outputs as one never paused. Whether a kept frame was found.
        """
        with self.lock:
            found = [k for k in self._kept_frames if month <= k[0].month <= month + 1]
            if not found:
                return False
            frame, a, b = min(found, key=lambda k: k[0].month)  # the shown month if kept
            self.a, self.b = a, b
            rows = len(a.recorder._town)
            self._series_a = {k: v[:rows] for k, v in self._series_a.items()}
            if b is not None and self._series_b is not None:
                rows_b = len(b.recorder._town)
                self._series_b = {k: v[:rows_b] for k, v in self._series_b.items()}
            self._snap_a, self._snap_b = frame.a, frame.b
            self._kept_frames.clear()
            self._version += 1
            self.frame = replace(frame, version=self._version)
            return True

    @property
    def month(self) -> int:
        """Months since the start."""
        return self.a.month

    def calendar(self) -> tuple[int, int]:
        """Calendar (year, month 1-12) the live town has reached."""
        return self.a.calendar()

    def advance(self) -> None:
        """Step every future one month and keep its values for the lines (not shown yet)."""
        with self.lock:
            self.a.step()
            self._kept(self.a, self._series_a)
            if self.b is not None and self._series_b is not None:
                self.b.step()
                self._kept(self.b, self._series_b)

    def step(self, months: int = 1) -> None:
        """Advance every future by ``months`` and publish the last month."""
        with self.lock:
            for _ in range(months):
                self.advance()
            self.publish()

    def fork(self) -> None:
        """Copy the present into future B (run side by side with A from now on)."""
        with self.lock:
            self.b = keep_copy(self.a)  # as model.fork(), quicker while playing
            self._series_b = {k: list(v) for k, v in self._series_a.items()}
            self._snap_b = replace(self._snap_a)
            self.fork_month = self.a.month
            year, month = self.a.calendar()
            self.markers.append(Marker(self.a.month, year, month, "both", "fork"))
            self._changed()
            self.publish()

    def unfork(self) -> None:
        """Drop future B (and the policies started in it)."""
        with self.lock:
            self.b = None
            self._series_b = None
            self._snap_b = None
            self.fork_month = None
            self.markers = [m for m in self.markers if m.future == "a"]
            self._changed()
            self.publish()

    def start(self, kind: str, future: str = "a", intensity: float | None = None) -> None:
        """Switch component ``kind`` on from this month in future ``"a"`` or ``"b"``.

        Without an intensity the component runs at its declared default (a real
        programme's size, in its own unit). A component already acting in that future is
        not added twice: at the same intensity nothing changes; at another intensity the
        running one ends this month and the new one starts.
        """
        cls = REGISTRY[kind]
        value = cls.default_intensity if intensity is None else float(intensity)
        cls.check_intensity(value, kind)
        with self.lock:
            model = self.b if future == "b" and self.b is not None else self.a
            which = "b" if model is self.b else "a"
            running = [
                iv for iv in model.interventions if iv.kind == kind and iv.active(model.month)
            ]
            if any(iv.intensity == value for iv in running):
                return
            for iv in running:
                iv.spec = replace(iv.spec, end_month=model.month)
            model.add_intervention(InterventionSpec(kind, start_month=model.month, intensity=value))
            year, month = model.calendar()
            self.markers.append(Marker(model.month, year, month, which, kind, value))
            self._changed()
            self.publish()

    def start_package(self, policy: str, future: str = "a") -> None:
        """Switch on every component of a shipped policy package from this month."""
        for spec in load_policy(policy).interventions:
            self.start(spec.kind, future, spec.intensity)

    @staticmethod
    def _active(model: CommunityModel) -> tuple[tuple[str, float], ...]:
        return tuple(
            (iv.kind, float(iv.intensity))
            for iv in model.interventions
            if iv.active(model.month) or iv.spec.start_month >= model.month
        )

    def active(self, future: str = "a") -> list[str]:
        """Kinds of the components acting in a future now."""
        frame = self.frame
        return [k for k, _ in (frame.active_b if future == "b" else frame.active_a)]

    def snapshots(self) -> tuple[Snapshot, Snapshot | None]:
        """Map arrays of A (and B) as last published."""
        frame = self.frame
        return frame.a, frame.b

    def series(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Monthly outputs of A (and B) so far, as last published."""
        frame = self.frame
        b = frame_series(frame.series_b) if frame.series_b is not None else None
        return frame_series(frame.series_a), b


class LiveSession:
    """The server's one live session: a town, whether it plays, and who is watching.

    Every method answers at once: the play loop runs in its own thread at the town's
    own pace and holds the town's lock only for one month's step, so a command waits at
    most one step. A tab asks for frames with :meth:`wait_frame` once it has drawn the
    last one; the loop publishes the month it has reached for it (frames nobody asked
    for are never built).

    Attributes:
        town: The running town, or ``None`` before the first tab asks for one.
        playing: Whether the play loop runs.
        speed: Months a second at most.
        stop_at: Month the play loop stops at (a preset's stated length).
        drawn: Latest month any tab reported drawn.
    """

    def __init__(self, idle_s: float = IDLE_S) -> None:
        self.idle_s = idle_s
        self.town: LiveTown | None = None
        self.playing = False
        self.speed = DEFAULT_SPEED
        self.stop_at = MAX_MONTHS
        self.drawn = -1
        self.viewers: dict[str, float] = {}
        self.error = ""
        self.stopped_idle = False  # the loop stopped because no tab showed the town
        self._asked = -float("inf")  # when a tab last said play
        self._wanted = threading.Event()  # a tab waits for a newer frame
        self._serving = 0  # tabs' requests being answered now
        self._served = threading.Lock()
        self._build = threading.Lock()
        self._run = threading.Lock()  # starting the loop vs the loop ending
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    # ---- the town ----------------------------------------------------------------------
    def ensure(self, name: str, scale: float, seed: int = 1) -> LiveTown | None:
        """The session's town, built if there is none or another town was chosen."""
        with self._build:
            town = self.town
            if town is not None and town.town == name:
                return town
            self.pause()
            try:
                town = LiveTown(name, scale=scale, seed=seed)
            except Exception as exc:  # shown on the page; the session goes on
                self.error = f"{type(exc).__name__}: {exc}"
                return None
            self.error = ""
            self.town = town
            self.drawn = -1
            self.stop_at = MAX_MONTHS
            self._notify()
            return town

    def reset(self, name: str, scale: float) -> LiveTown | None:
        """Start ``name`` again from month 0 (the same town is copied, not rebuilt)."""
        self.pause()
        town = self.town
        if town is not None and town.town == name:
            town.restart()
            self.drawn = -1
            self.stop_at = MAX_MONTHS
            self._notify()
            return town
        return self.ensure(name, scale)

    def frame(self) -> Frame | None:
        """The latest published frame (no lock: it is replaced, never changed)."""
        town = self.town
        return town.frame if town is not None else None

    # ---- viewers -----------------------------------------------------------------------
    def seen(self, viewer: str, drawn: int) -> None:
        """A tab drew month ``drawn``: it shows the town."""
        now = time.monotonic()
        self.viewers[viewer] = now
        for key, when in list(self.viewers.items()):
            if now - when > self.idle_s:
                self.viewers.pop(key, None)
        self.drawn = max(self.drawn, drawn)

    @contextlib.contextmanager
    def serving(self, viewer: str, drawn: int) -> Iterator[None]:
        """A tab's request for a frame is being answered: it shows the town throughout.

        Stamped when the request arrives and again once it is answered, and counted as
        showing the town in between: on a loaded machine the answer (waiting for the
        month, drawing the page on the server) can take seconds, and that time must not
        count towards the idle stop. A closed tab sends no more requests, so its town
        still stops :data:`IDLE_S` after the last answer.
        """
        self.seen(viewer, drawn)
        with self._served:
            self._serving += 1
        try:
            yield
        finally:
            with self._served:
                self._serving -= 1
            self.seen(viewer, drawn)

    def gone(self, viewer: str) -> None:
        """A tab stopped showing the town."""
        self.viewers.pop(viewer, None)

    def watched(self) -> bool:
        """Whether any tab has shown the town within the last ``idle_s`` seconds."""
        now = time.monotonic()
        if now - self._asked <= self.idle_s:  # a tab just told it to play: it shows it
            return True
        if self._serving > 0:  # a tab's request is being answered
            return True
        return any(now - when <= self.idle_s for when in self.viewers.values())

    def wait_frame(self, version: int, timeout: float) -> Frame | None:
        """A frame newer than ``version``: the month the playing town has reached.

        Asks the play loop to publish after its next month and waits for it (at most
        ``timeout`` s). Paused, the latest frame at once.
        """
        deadline = time.monotonic() + timeout
        with self._wake:
            while True:
                frame = self.frame()
                left = deadline - time.monotonic()
                if frame is None or frame.version > version or left <= 0 or not self.playing:
                    return frame
                self._wanted.set()
                self._wake.wait(left)

    def _notify(self) -> None:
        with self._wake:
            self._wake.notify_all()

    # ---- playing -----------------------------------------------------------------------
    def play(self, until: int | None = None) -> None:
        """Play (up to month ``until``, else to :data:`MAX_MONTHS`)."""
        town = self.town
        if town is None:
            return
        if until is not None:
            self.stop_at = min(MAX_MONTHS, until)
        elif town.month >= self.stop_at:
            self.stop_at = MAX_MONTHS  # a finished preset: play on to the end
        if town.month >= MAX_MONTHS:
            return
        with self._run:
            self._asked = time.monotonic()
            self.stopped_idle = False
            self.playing = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="kyosei-live", daemon=True)
                self._thread.start()
        self._notify()

    def pause(self, at: int | None = None) -> None:
        """Stop playing; with ``at``, at month ``at`` — the month the clicking tab shows.

        The play loop ends after the month it is stepping. It may have run a few months
        past what the tab shows (the display follows at the browser's pace): the town
        then returns to the kept frame of month ``at`` (or the month after), so the
        display and the town stop together where the room saw it. Without a kept frame
        (the town was changed since) it stops where it is, and that month is shown.
        """
        self.playing = False
        self._notify()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        town = self.town
        if town is None:
            return
        if at is None or town.month <= at or not town.restore(at):
            with town.lock:
                town.publish()  # the paused state reaches every tab
        self._notify()

    def step(self, months: int = 1) -> None:
        """Advance one month (paused)."""
        town = self.town
        if town is not None and town.month < MAX_MONTHS:
            town.step(months)
            self._notify()

    def _loop(self) -> None:
        while True:
            finished = self._play()
            with self._run:
                if self.playing and not finished:
                    continue  # asked to play again while it was stopping: go on
                self.playing = False
                self._thread = None
            break
        town = self.town
        if finished and town is not None:  # stopped by itself (a pause publishes itself)
            with town.lock:
                town.publish()
        self._notify()

    def _play(self) -> bool:
        """Step while playing; whether it stopped by itself (end, stop month, no tab)."""
        last = time.monotonic()
        while self.playing:
            town = self.town
            if town is None or town.month >= self.stop_at or town.month >= MAX_MONTHS:
                return True
            if not self.watched():
                self.stopped_idle = True
                return True
            due = last + 1.0 / max(1, self.speed)
            while self.playing and time.monotonic() < due:
                with self._wake:  # a pause wakes it at once
                    self._wake.wait(max(0.0, due - time.monotonic()))
            if not self.playing or self.town is not town:
                continue
            last = max(due, time.monotonic() - 1.0 / max(1, self.speed))
            town.advance()
            if self._wanted.is_set():  # a tab has drawn its last frame: publish this month
                self._wanted.clear()
                with town.lock:
                    town.publish(keep=True)
                self._notify()
        return False


SESSION = LiveSession()  # the server's shared live session (every tab sees this one)
