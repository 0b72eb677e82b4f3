"""The workshop's live town: one model (or two, once forked) stepped by the page.

:class:`LiveTown` owns the running :class:`model.CommunityModel` of one browser
session, steps it, switches interventions on mid-run (``model.add_intervention``) and
forks the present into two futures (``model.fork()``). A lock keeps stepping and
drawing apart, since the play loop runs in a background thread of the session.

:func:`snapshot` turns a model into the plain arrays the map draws; the resident
states come from ``model.resident_states`` (connected, isolated, in need, supported,
volunteer) — the one place to change if the model's states change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from model import CommunityModel, InterventionSpec
from model.interventions import REGISTRY
from scenarios import load_policy, load_scenario

STATES = ("connected", "isolated", "in_need", "supported", "volunteer")
SAMPLE = 1500  # residents drawn as dots: enough to see patterns, cheap to send each frame
SERIES = ("unmet_share", "isolation_rate", "volunteers", "participation_rate")


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
    """

    month: int
    polygons: list[np.ndarray]
    side_km: float
    xy: np.ndarray
    states: np.ndarray
    venues: np.ndarray
    counters: np.ndarray
    orgs: np.ndarray
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


def snapshot(model: CommunityModel, sample: int = SAMPLE) -> Snapshot:
    """The map's arrays for ``model`` now (a fixed sample of residents, month after month)."""
    r = model.residents
    idx = model.sample_indices(sample)
    hh = r.hh[idx]
    # Members of one household share a home: spread them by a pid-derived offset.
    jitter = ((r.pid[idx] % np.uint64(997)).astype(float) / 997.0 - 0.5) * 0.08
    xy = np.column_stack([model.households.x[hh] + jitter, model.households.y[hh] - jitter])
    venues = getattr(getattr(model, "venues", None), "venues", [])
    counters = getattr(getattr(model, "support", None), "counters", [])
    orgs = getattr(getattr(model, "organisations", None), "orgs", [])
    return Snapshot(
        month=model.month,
        polygons=list(model.town_map.polygons),
        side_km=float(model.town_map.side_km),
        xy=xy,
        states=resident_states(model, idx),
        venues=_xy(venues),
        counters=_xy(counters),
        orgs=_xy(orgs, keep=lambda o: getattr(o, "active", True)),
    )


def component_choices() -> list[tuple[str, str, str]]:
    """(kind, Japanese label, English label) of every policy component the model offers."""
    return sorted(
        ((k, cls.label_ja or k, cls.label_en or k) for k, cls in REGISTRY.items()),
        key=lambda row: row[0],
    )


class LiveTown:
    """One session's running town (and its fork).

    Attributes:
        town: Town profile name.
        scale: People per simulated resident.
        seed: Root seed.
        a: The town (future A once forked).
        b: Future B after :meth:`fork`, else ``None``.
    """

    def __init__(self, town: str = "district", scale: float = 1.0, seed: int = 1) -> None:
        self.town = town
        self.scale = scale
        self.seed = seed
        self.lock = threading.RLock()
        self.a = CommunityModel(load_scenario(town, "baseline", scale=scale), seed=seed)
        self.b: CommunityModel | None = None

    @property
    def month(self) -> int:
        """Months since the start."""
        return self.a.month

    def calendar(self) -> tuple[int, int]:
        """Calendar (year, month 1-12) the live town has reached."""
        return self.a.calendar()

    def step(self, months: int = 1) -> None:
        """Advance every future by ``months``."""
        with self.lock:
            for _ in range(months):
                self.a.step()
                if self.b is not None:
                    self.b.step()

    def fork(self) -> None:
        """Copy the present into future B (run side by side with A from now on)."""
        with self.lock:
            self.b = self.a.fork()

    def unfork(self) -> None:
        """Drop future B."""
        with self.lock:
            self.b = None

    def start(self, kind: str, future: str = "a", intensity: float | None = None) -> None:
        """Switch component ``kind`` on from this month in future ``"a"`` or ``"b"``.

        Without an intensity the component runs at its default: a real programme's size.
        """
        if intensity is None:
            intensity = REGISTRY[kind].default_intensity
        with self.lock:
            model = self.b if future == "b" and self.b is not None else self.a
            model.add_intervention(
                InterventionSpec(kind, start_month=model.month, intensity=intensity)
            )

    def start_package(self, policy: str, future: str = "a") -> None:
        """Switch on every component of a shipped policy package from this month."""
        for spec in load_policy(policy).interventions:
            self.start(spec.kind, future, spec.intensity)

    def active(self, future: str = "a") -> list[str]:
        """Kinds of the components acting in a future now."""
        model = self.b if future == "b" and self.b is not None else self.a
        return [iv.kind for iv in model.interventions if iv.active(model.month)]

    def snapshots(self) -> tuple[Snapshot, Snapshot | None]:
        """Map arrays of A (and B)."""
        with self.lock:
            return snapshot(self.a), (snapshot(self.b) if self.b is not None else None)

    def series(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Monthly outputs of A (and B) so far."""
        with self.lock:
            a = self.a.recorder.timeseries()
            b = self.b.recorder.timeseries() if self.b is not None else None
            return a, b
