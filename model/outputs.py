"""Per-month outputs: town-wide and per-district metrics, recorded without pandas in the loop.

Each subsystem contributes a *reporter*, a named function ``report(model)`` returning
two dicts: town-wide scalars and per-district arrays. The :class:`Recorder` appends
them each month into plain lists and builds tidy DataFrames only at the end, so data
collection stays a small share of run time even at city scale.

Counts of people are multiplied by the scenario's scale, so a run at 1:10 reports
people, not agents; rates are shares and need no scaling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, SupportsFloat, TypeVar

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .core import CommunityModel

# Time columns of every output row: months since the start, and the calendar date.
CALENDAR_COLUMNS = ("month", "year", "calendar_month")
Report = tuple[dict[str, float], dict[str, np.ndarray]]
Reporter = Callable[["CommunityModel"], Report]
T = TypeVar("T")


@dataclass
class Tally:
    """Event counts within the current month (simulated residents; reset each step)."""

    births: int = 0
    deaths: int = 0
    in_migrants: int = 0
    out_migrants: int = 0
    to_facility: int = 0  # moves into a care facility (they stay residents)
    need_onsets: list[int] = field(default_factory=lambda: [0] * 4)  # by field, care..poverty
    crises: list[int] = field(default_factory=lambda: [0] * 4)
    crisis_deaths: int = 0
    resolved: int = 0
    withdrawal_onsets: int = 0
    arrivals: list[int] = field(default_factory=lambda: [0] * 7)  # by support.ROUTES
    poverty_consultations: int = 0
    served: int = 0
    supported_new: int = 0
    joint_plans: int = 0
    referrals: int = 0
    referral_dropouts: int = 0
    dropouts: int = 0
    venue_referrals: int = 0
    minsei_referrals: int = 0
    outreach_found: int = 0
    linked_to_venues: int = 0
    volunteers_started: int = 0  # on their own, at a platform gathering or given a role
    orgs_founded: int = 0
    orgs_dissolved: int = 0
    venues_created_by_policy: int = 0
    reconnected: int = 0  # isolated residents who gained a tie

    def reset(self) -> None:
        """Zero every count."""
        fresh = Tally()
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))


def share(part: SupportsFloat, whole: SupportsFloat) -> float:
    """``part / whole``, or 0 when ``whole`` is 0."""
    w = float(whole)
    return float(part) / w if w else 0.0


class Recorder:
    """Collects one row per month (town) and one row per month and district."""

    def __init__(self, reporters: Sequence[Reporter]) -> None:
        self.reporters = list(reporters)
        self._town: list[dict[str, float]] = []
        self._district: list[tuple[int, int, int, dict[str, np.ndarray]]] = []
        self._shared: dict[str, object] | None = None  # within one record() call

    def shared(self, key: str, compute: Callable[[], T]) -> T:
        """``compute()`` once per :meth:`record` call, for all its reporters.

        Reporters count the month's residents in one tabulation and share it this way;
        a reporter called on its own (outside :meth:`record`) computes afresh.
        """
        shared = getattr(self, "_shared", None)
        if shared is None:
            return compute()
        if key not in shared:
            shared[key] = compute()
        return shared[key]

    def record(self, model: CommunityModel) -> None:
        """Append this month's metrics from every reporter."""
        year, calendar_month = model.calendar()
        town: dict[str, float] = {
            "month": float(model.month),
            "year": float(year),
            "calendar_month": float(calendar_month),
        }
        district: dict[str, np.ndarray] = {}
        self._shared = {}
        try:
            for reporter in self.reporters:
                t, d = reporter(model)
                town.update(t)
                district.update(d)
        finally:
            self._shared = None
        self._town.append(town)
        self._district.append((model.month, year, calendar_month, district))

    def last(self) -> dict[str, float]:
        """The most recent town-wide row."""
        return self._town[-1]

    def timeseries(self) -> pd.DataFrame:
        """One row per month; the time columns are integers, everything else float.

        ``month`` counts months since the start; ``year`` and ``calendar_month`` are the
        calendar date of the row.
        """
        df = pd.DataFrame(self._town)
        for name in CALENDAR_COLUMNS:
            df[name] = df[name].astype(np.int64)
        return df

    def districts(self) -> pd.DataFrame:
        """One row per month and district."""
        metrics_by_month = [metrics for *_, metrics in self._district]
        first = metrics_by_month[0] if metrics_by_month else {}
        n = len(next(iter(first.values()))) if first else 0
        if metrics_by_month and all(
            list(metrics) == list(first) and all(len(v) == n for v in metrics.values())
            for metrics in metrics_by_month
        ):
            return self._districts_stacked()
        return self._districts_per_month()

    def _districts_per_month(self) -> pd.DataFrame:
        """:meth:`districts` in general: a frame per month, then their concatenation."""
        frames = []
        for month, year, calendar_month, metrics in self._district:
            n = len(next(iter(metrics.values()))) if metrics else 0
            frame = {
                "month": np.full(n, month, dtype=np.int64),
                "year": np.full(n, year, dtype=np.int64),
                "calendar_month": np.full(n, calendar_month, dtype=np.int64),
                "district": np.arange(n),
            }
            frame.update({k: np.asarray(v, dtype=float) for k, v in metrics.items()})
            frames.append(pd.DataFrame(frame))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _districts_stacked(self) -> pd.DataFrame:
        """:meth:`districts` when every month has the same metrics for as many districts.

        Each column is stacked once (a frame per month and their concatenation took some
        40 ms for a 20-year run, a few per cent of a sweep's run); the same frame.
        """
        months, years, calendar_months, metrics_by_month = zip(*self._district, strict=True)
        first = metrics_by_month[0]
        n = len(next(iter(first.values()))) if first else 0
        columns: dict[str, np.ndarray] = {
            "month": np.repeat(np.array(months, dtype=np.int64), n),
            "year": np.repeat(np.array(years, dtype=np.int64), n),
            "calendar_month": np.repeat(np.array(calendar_months, dtype=np.int64), n),
            "district": np.tile(np.arange(n), len(months)),
        }
        for name in first:
            columns[name] = np.concatenate(
                [np.asarray(metrics[name], dtype=float) for metrics in metrics_by_month]
            )
        return pd.DataFrame(columns)
