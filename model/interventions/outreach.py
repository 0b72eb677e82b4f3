"""アウトリーチ等を通じた継続的支援: outreach workers find people and stay with them.

The workers carry a caseload they follow for months (継続的支援). Each month every
worker has a number of visits: follow-up visits to the caseload come first, the rest
go to new contacts. New contacts are chosen with priority for the isolated, older
people living alone, households with a withdrawn member (8050), and tips: older people
living alone where the 民生委員 posts are filled (the commissioners know them) and
people who recently stopped coming to a venue (the venue noticed). A contacted person
with a hidden need may join the caseload.

A visit to someone followed notices a hidden need with a chance that depends on the
need (repeated visits find what one visit misses) and brings them to a counter,
accompanied; it links an isolated person to a venue near home (where ties form). A case
ends after ``follow_months`` or once the person is supported, connected and has no
hidden need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from .. import kernels
from ..needs import WITHDRAWAL
from ..population import OLD_AGE, hidden_needs, unmet_needs
from ..support import OUTREACH, hidden_any
from ..venues import CAFE
from .base import Intervention, register

if TYPE_CHECKING:
    from ..core import CommunityModel


@register
class Outreach(Intervention):
    """Outreach workers (CSW) find, follow and accompany people who do not come forward."""

    kind = "outreach"
    label_ja = "アウトリーチ（訪問・継続的支援）"
    label_en = "Outreach"
    intensity_unit = "outreach workers (CSW, FTE) in the town"
    default_intensity = 2.0
    intensity_range = (0.0, 100.0)
    intensity_source = (
        "assumption: two 社協 CSWs, as Okazaki contracts outreach to 社協 CSWs ([seed-deck] "
        "p.20; no national CSW headcount exists); range 0-100"
    )
    hook = "find"
    options: ClassVar[dict[str, tuple[float, float, float]]] = {
        "contacts_per_worker": (30.0, 0.0, 1000.0),  # visits a worker makes a month
        "caseload_per_worker": (15.0, 0.0, 200.0),  # people a worker follows (range 5-40)
        "follow_months": (6.0, 1.0, 60.0),  # months a case is followed (range 3-24)
        "detect": (0.6, 0.0, 1.0),  # chance a visit notices a hidden need
        "detect_withdrawal": (0.4, 0.0, 1.0),  # … a withdrawal
        "link_venue": (0.3, 0.0, 1.0),  # chance a visit links an isolated person to a venue
        "priority_isolated": (4.0, 0.0, 100.0),
        "priority_alone_elderly": (2.0, 0.0, 100.0),
        "priority_withdrawal_household": (4.0, 0.0, 100.0),
        "priority_tip": (4.0, 0.0, 100.0),  # tips from 民生委員 and venues
    }

    def init(self, model: CommunityModel) -> None:
        """An empty caseload (pids and the month each case began)."""
        self.case_pid = np.empty(0, dtype=np.uint64)
        self.case_since = np.empty(0, dtype=np.int64)
        self.case_idx = np.empty(0, dtype=np.int64)  # where each was last found

    def workers(self, model: CommunityModel) -> float:
        """Outreach workers in the town (people)."""
        return self.intensity

    def _caseload(self, model: CommunityModel) -> np.ndarray:
        """Indices of the residents followed now (drops those gone).

        Indices hold within a year (until compaction), so each case is looked for where
        it was found last month; only those no longer there are found by identity.
        """
        r = model.residents
        if self.case_pid.size == 0:
            return np.empty(0, dtype=np.int64)
        idx = np.minimum(self.case_idx, r.n - 1)
        moved = (self.case_idx >= r.n) | (r.pid[idx] != self.case_pid)
        if moved.any():
            order = np.argsort(r.pid, kind="stable")
            pos = np.searchsorted(r.pid, self.case_pid[moved], sorter=order)
            idx[moved] = order[np.minimum(pos, r.n - 1)]
        here = (r.pid[idx] == self.case_pid) & r.alive[idx] & model.snap.home[idx]
        self.case_idx = idx
        self._keep_cases(here)
        return self.case_idx

    def on_compacted(self, new_index: np.ndarray) -> None:
        """Cases follow their residents to their new rows; a dropped resident's case ends.

        The same cases and rows as finding each again by identity next month (which
        would sort every resident's pid once a year).
        """
        if self.case_idx.size == 0:
            return
        moved_to = new_index[self.case_idx]  # cases are rows of the compacted columns
        keep = moved_to >= 0
        self._keep_cases(keep)
        self.case_idx = moved_to[keep]

    def _keep_cases(self, keep: np.ndarray) -> None:
        self.case_pid, self.case_since = self.case_pid[keep], self.case_since[keep]
        self.case_idx = self.case_idx[keep]

    def apply(self, model: CommunityModel) -> None:
        """Follow the caseload, then contact new people by priority with the visits left."""
        r = model.residents
        s = self.settings
        snap = model.snap
        stream = model.streams["outreach"]
        month = model.month
        followed = self._caseload(model)
        # Cases end after their time, or once supported, connected and nothing is hidden.
        hidden = hidden_needs(r, followed).any(axis=0)
        connected = ~snap.isolated[followed] & (r.venue[followed] >= 0)
        done = (month - self.case_since >= s["follow_months"]) | (connected & ~hidden)
        keep = ~done
        self._keep_cases(keep)
        followed = followed[keep]
        if followed.size:
            model.tally.outreach_found += self._visit(model, followed, stream, k=1)
        visits = self.workers(model) * s["contacts_per_worker"] / model.scale - followed.size
        slots = self.workers(model) * s["caseload_per_worker"] / model.scale - followed.size
        if visits <= 0:
            return
        # The visits above changed only the people followed, who are not contacted anew:
        # everyone else's needs and venue are as at the start of the phase.
        eligible = self.reach & snap.home
        eligible[followed] = False
        minsei = np.flatnonzero(r.minsei)
        filled = np.bincount(r.district[minsei[r.alive[minsei]]], minlength=model.n_districts)
        fill = np.minimum(1.0, filled * model.scale / np.maximum(model.minsei_posts(), 1.0))
        priority = (
            s["priority_isolated"],
            s["priority_alone_elderly"],
            s["priority_withdrawal_household"],
            s["priority_tip"],
        )
        w_eligible, idx, weight = contact_weights(model, eligible, fill, priority)
        total = float(w_eligible.sum())
        if total <= 0:
            return
        p_contact = np.minimum(1.0, weight * (visits / total))
        hit = stream.uniform(r.pid[idx], month, k=0) < p_contact
        reached, weight = idx[hit], weight[hit]
        model.tally.outreach_found += self._visit(model, reached, stream, k=2)
        # Those still needing someone join the caseload while there is room.
        still = unmet_needs(r, reached).any(axis=0) | snap.isolated[reached]
        reached, weight = reached[still], weight[still]
        still = reached[np.argsort(-weight, kind="stable")][: max(0, int(slots))]
        self.case_pid = np.concatenate([self.case_pid, r.pid[still]])
        self.case_since = np.concatenate([self.case_since, np.full(still.size, month)])
        self.case_idx = np.concatenate([self.case_idx, still])

    def _visit(self, model: CommunityModel, idx: np.ndarray, stream, k: int) -> int:
        """One visit each: notice hidden needs (bring them) and link the isolated to a venue."""
        if idx.size == 0:
            return 0
        r = model.residents
        s = self.settings
        month = model.month
        hidden = hidden_needs(r, idx)
        p_detect = np.where(hidden[WITHDRAWAL], s["detect_withdrawal"], s["detect"])
        found = hidden.any(axis=0) & (stream.uniform(r.pid[idx], month, k=k) < p_detect)
        referred = model.support.bring(idx[found], OUTREACH)
        venues = model.venues
        if model.params.switches.community and venues.venues and not model.levers.venues_closed:
            lone = idx[model.snap.isolated[idx] & (r.venue[idx] < 0)]
            lone = lone[stream.uniform(r.pid[lone], month, k=k + 10) < s["link_venue"]]
            if lone.size:
                a = venues.arrays()
                rates = venues.join_rates(lone, np.ones(lone.size, dtype=bool))
                kind = np.where(rates.max(axis=0) > 0, rates.argmax(axis=0), CAFE)
                u = stream.uniform(r.pid[lone], month, k=k + 20)
                joined = venues.place(lone, kind, u, a, a["open"], habit=False)
                model.tally.linked_to_venues += joined.size
        return int(referred.size)

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Workers' pay, on the new functions' additional funding (追加財源)."""
        return {"new_functions": self.workers(model) * model.params.costs.salary_month}


def contact_weights(
    model: CommunityModel,
    eligible: np.ndarray,
    fill: np.ndarray,
    priority: tuple[float, float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Priority weights of new contacts: of every eligible resident, and who is worth it.

    The weight is ``1 + a·isolated + b·alone_old + c·withdrawn_household + t·tip`` with
    ``priority = (a, b, c, t)``: ``alone_old`` lives alone at 65+, ``withdrawn_household``
    has a withdrawn member at home, ``tip`` is the 民生委員 fill rate ``fill`` of the
    district for the old living alone plus 1 for who stopped coming to a venue in the last
    year. Returns the weights of the eligible residents (in index order, for the total),
    the eligible residents with a hidden need or no ties (``idx``), and their weights.
    The weights are compiled passes over spans of residents (in threads in a large town)
    when Numba is on; the same numbers either way.
    """
    r, snap = model.residents, model.snap
    a, b, c, t = priority
    # NumPy over whole rows: the span loop below reading each resident's five fields to
    # find the hidden needs itself was slower (2.7 against 2.2 ms at Okazaki).
    worth = hidden_any(r)
    worth |= snap.isolated
    worth &= eligible
    idx = np.flatnonzero(worth)
    if not kernels.USE_NUMBA:
        withdrawn_hh = snap.count_per_household(r.alive & (r.sev[WITHDRAWAL] > 0)) > 0
        alone_old = snap.alone & (snap.years >= OLD_AGE)
        last = r.last_part_m
        stopped = (r.venue < 0) & (last >= model.month - 12) & (last < model.month - 1)
        tip = np.where(alone_old, fill[r.district], 0.0) + stopped
        weight = 1.0 + a * snap.isolated + b * alone_old + c * withdrawn_hh[r.hh] + t * tip
        return weight[eligible], idx, weight[idx]
    parts = kernels.spans(r.n)
    withdrawn = kernels.joined(
        kernels.over_spans(
            _withdrawn_span, parts, r.alive, r.sev[WITHDRAWAL], r.hh, model.households.n
        )
    )  # fmt: skip
    w_eligible, weight = np.empty(r.n), np.empty(r.n)
    by_span = kernels.over_spans(
        _contact_weights_span, parts, eligible, worth, snap.isolated, snap.alone,
        snap.years, OLD_AGE, withdrawn, r.hh, r.district, fill, r.venue, r.last_part_m,
        model.month, (float(a), float(b), float(c), float(t)), w_eligible, weight,
    )  # fmt: skip
    n_eligible, n_worth = zip(*by_span, strict=True)
    return (
        kernels.packed(w_eligible, parts, list(n_eligible)),
        idx,
        kernels.packed(weight, parts, list(n_worth)),
    )


@kernels.jit
def _withdrawn_span(
    lo: int, hi: int, alive: np.ndarray, withdrawal: np.ndarray, hh: np.ndarray, n_households: int
) -> np.ndarray:  # pragma: no cover - compiled
    """Households with a withdrawn member among residents ``[lo, hi)``."""
    withdrawn = np.zeros(n_households, dtype=np.bool_)
    start = max(lo, 0)  # a loop from a start known not to be negative: no index checks
    for j in range(min(hi, alive.size) - start):
        i = start + j
        if alive[i] and withdrawal[i] > 0:
            withdrawn[hh[i]] = True
    return withdrawn


@kernels.jit
def _contact_weights_span(
    lo: int,
    hi: int,
    eligible: np.ndarray,
    worth: np.ndarray,
    isolated: np.ndarray,
    alone: np.ndarray,
    years: np.ndarray,
    old_age: int,
    withdrawn: np.ndarray,
    hh: np.ndarray,
    district: np.ndarray,
    fill: np.ndarray,
    venue: np.ndarray,
    last_part_m: np.ndarray,
    month: int,
    priority: tuple[float, float, float, float],
    w_eligible: np.ndarray,
    weight: np.ndarray,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Residents ``[lo, hi)``: the weights of the eligible and the worthwhile, from ``lo``."""
    a, b, c, t = priority
    since, before = month - 12, month - 1
    # Every resident is computed and written, the counts move only for who is kept:
    # no branches on ``eligible`` and ``worth`` (which are hard to predict). A count is
    # never ahead of the resident, so the writes stay within the span's own entries.
    k = m = 0
    start = max(lo, 0)  # a loop from a start known not to be negative: no index checks
    for j in range(min(hi, eligible.size) - start):
        i = start + j
        alone_old = alone[i] & (years[i] >= old_age)
        stopped = (venue[i] < 0) & (since <= last_part_m[i]) & (last_part_m[i] < before)
        # The same operations, in the same order, as the NumPy path.
        tip = (fill[district[i]] if alone_old else 0.0) + (1.0 if stopped else 0.0)
        w = 1.0 + a * (1.0 if isolated[i] else 0.0)
        w = w + b * (1.0 if alone_old else 0.0)
        w = w + c * (1.0 if withdrawn[hh[i]] else 0.0)
        w = w + t * tip
        w_eligible[start + k] = w
        k += eligible[i]
        weight[start + m] = w
        m += worth[i]
    return k, m
