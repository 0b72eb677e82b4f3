"""Compiled loops of the venue rules (:mod:`model.venues`), each with a NumPy twin.

Several passes are loops by nature: finding this month's regulars and the residents who
may join (one sweep over the town instead of several masks) and which of them consider
it this month, counting residents and free volunteers by district, each joiner's choice
among the venues of its block (a running sum over a handful of candidates), which
regulars have a hidden need (the whole town in one pass), the living
regulars or helpers of each venue, and releasing the regulars and helpers of venues
that closed. Every kernel has a NumPy twin giving **bit-identical** results;
``tests/test_kernels_venues.py`` runs both on the same inputs. Transcendental functions
(``exp``, ``hypot``) stay in NumPy on both paths, so no result depends on which maths
library a compiled loop would call.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .kernels import PAIRWISE_BLOCK, PAIRWISE_LANES
from .population import N_NEEDS

# The choice of a venue compares a running sum with a fraction of the row's total, which
# NumPy sums pairwise (kernels.PAIRWISE_*), so the compiled loop adds in the same order.


# ---- this month's regulars and the residents who may join -----------------------------
def scan_numpy(
    venue: np.ndarray, alive: np.ndarray, u: np.ndarray, home: np.ndarray, bound: float
) -> tuple[np.ndarray, np.ndarray]:
    """Regulars (alive, with a venue) and the residents at home whose draw ``u`` < ``bound``.

    Both in ascending order. The second list does not yet look at ``venue`` (regulars
    who stop this month may join another venue in the same month).
    """
    regulars = np.flatnonzero(venue >= 0)
    regulars = regulars[alive[regulars]]
    may_join = np.flatnonzero(u < bound)
    return regulars, may_join[home[may_join]]


@kernels.jit
def _scan_loop(
    venue: np.ndarray, alive: np.ndarray, u: np.ndarray, home: np.ndarray, bound: float
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    n = venue.size
    regulars = np.empty(n, np.int64)
    may_join = np.empty(n, np.int64)
    a = 0
    b = 0
    for i in range(n):
        if venue[i] >= 0 and alive[i]:
            regulars[a] = i
            a += 1
        if u[i] < bound and home[i]:
            may_join[b] = i
            b += 1
    return regulars[:a].copy(), may_join[:b].copy()


def scan(
    venue: np.ndarray, alive: np.ndarray, u: np.ndarray, home: np.ndarray, bound: float
) -> tuple[np.ndarray, np.ndarray]:
    """See :func:`scan_numpy` (compiled when ``kernels.USE_NUMBA``)."""
    if kernels.USE_NUMBA:
        return _scan_loop(venue, alive, u, home, float(bound))
    return scan_numpy(venue, alive, u, home, bound)


# ---- residents and free volunteers by district ----------------------------------------
def district_counts_numpy(
    alive: np.ndarray,
    district: np.ndarray,
    volunteer: np.ndarray,
    vol_venue: np.ndarray,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Living residents per district and the free volunteers (alive, at no venue), ascending."""
    pop = np.bincount(district[alive], minlength=n_districts)
    free = np.flatnonzero(alive & volunteer & (vol_venue < 0))
    return pop, free


@kernels.jit
def _district_counts_loop(
    alive: np.ndarray,
    district: np.ndarray,
    volunteer: np.ndarray,
    vol_venue: np.ndarray,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    pop = np.zeros(n_districts, np.int64)
    free = np.empty(alive.size, np.int64)
    k = 0
    for i in range(alive.size):
        if alive[i]:
            pop[district[i]] += 1
            if volunteer[i] and vol_venue[i] < 0:
                free[k] = i
                k += 1
    return pop, free[:k].copy()


def district_counts(
    alive: np.ndarray,
    district: np.ndarray,
    volunteer: np.ndarray,
    vol_venue: np.ndarray,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray]:
    """See :func:`district_counts_numpy` (compiled when ``kernels.USE_NUMBA``)."""
    if kernels.USE_NUMBA:
        return _district_counts_loop(alive, district, volunteer, vol_venue, int(n_districts))
    return district_counts_numpy(alive, district, volunteer, vol_venue, n_districts)


# ---- each joiner's venue --------------------------------------------------------------
def choose_numpy(
    width: int,
    n_real: np.ndarray,
    offsets: np.ndarray,
    weights: np.ndarray,
    u: np.ndarray,
    stays: np.ndarray,
) -> np.ndarray:
    """Each joiner's pick among its candidates, as a position in ``weights`` (-1: none).

    Joiner ``i`` has ``n_real[i]`` candidates whose pulls are
    ``weights[offsets[i]:offsets[i] + n_real[i]]``; the rows are laid out ``width`` wide
    (padded with zeros) as the month's rule always did. The pick is where ``u`` times the
    row's total falls in the running sum; the first visit becomes a habit when ``stays``
    is below the pull of the venue picked.
    """
    n = n_real.size
    rows = np.repeat(np.arange(n), n_real)
    matrix = np.zeros((n, width))
    matrix[rows, np.arange(weights.size) - offsets[rows]] = weights
    total = matrix.sum(axis=1)
    pick = (np.cumsum(matrix, axis=1) < (u * total)[:, None]).sum(axis=1)
    pick = np.minimum(pick, np.maximum(n_real - 1, 0))
    has = n_real > 0
    near = np.zeros(n)
    near[has] = weights[offsets[has] + pick[has]]
    chosen = (total > 0) & (stays < near)
    return np.where(chosen, offsets + pick, -1)


@kernels.jit
def _choose_loop(
    width: int,
    n_real: np.ndarray,
    offsets: np.ndarray,
    weights: np.ndarray,
    u: np.ndarray,
    stays: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    n = n_real.size
    out = np.empty(n, np.int64)
    lanes = np.zeros(PAIRWISE_LANES)
    full = width - width % PAIRWISE_LANES  # positions summed in lanes (none below 8)
    for i in range(n):
        out[i] = -1
        count = n_real[i]
        if count == 0:
            continue
        first = offsets[i]
        # The row's total as NumPy sums a row of ``width`` (<= PAIRWISE_BLOCK) values,
        # the padding being zeros.
        if width < PAIRWISE_LANES:
            total = 0.0
            for j in range(count):
                total += weights[first + j]
        else:
            lanes[:] = 0.0
            for j in range(min(count, PAIRWISE_LANES)):
                lanes[j] = weights[first + j]
            for b in range(PAIRWISE_LANES, full, PAIRWISE_LANES):
                for j in range(PAIRWISE_LANES):
                    if b + j < count:
                        lanes[j] += weights[first + b + j]
            total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + (
                (lanes[4] + lanes[5]) + (lanes[6] + lanes[7])
            )
            for j in range(full, count):
                total += weights[first + j]
        threshold = u[i] * total
        running = 0.0
        pick = 0
        for j in range(width):
            if j < count:
                running += weights[first + j]
            if running < threshold:
                pick += 1
        pick = min(pick, count - 1)
        if total > 0 and stays[i] < weights[first + pick]:
            out[i] = first + pick
    return out


def choose(
    width: int,
    n_real: np.ndarray,
    offsets: np.ndarray,
    weights: np.ndarray,
    u: np.ndarray,
    stays: np.ndarray,
) -> np.ndarray:
    """See :func:`choose_numpy` (compiled when ``kernels.USE_NUMBA``).

    Rows wider than ``PAIRWISE_BLOCK`` (more open venues of one kind in one district
    than that) take the NumPy path, whose sum splits them in halves first.
    """
    if kernels.USE_NUMBA and width <= PAIRWISE_BLOCK:
        return _choose_loop(int(width), n_real, offsets, weights, u, stays)
    return choose_numpy(width, n_real, offsets, weights, u, stays)


# ---- regulars with a need nobody knows about --------------------------------------------
def any_hidden_numpy(
    sev: np.ndarray, supported: np.ndarray, known: np.ndarray, idx: np.ndarray
) -> np.ndarray:
    """Whether each resident ``idx`` has a hidden need (:func:`model.population.hidden_needs`)."""
    return ((sev[:, idx] > 0) & ~supported[:, idx] & ~known[:, idx]).any(axis=0)


# ---- releasing the people of venues that closed ------------------------------------------
def release_numpy(venue: np.ndarray, closed: np.ndarray) -> None:
    """Set ``venue[i] = -1`` wherever it names a venue marked in ``closed`` (in place)."""
    at = np.flatnonzero(venue >= 0)
    venue[at[closed[venue[at]]]] = -1


@kernels.jit
def _release_loop(venue: np.ndarray, closed: np.ndarray) -> None:  # pragma: no cover - compiled
    for i in range(venue.size):
        v = venue[i]
        if v >= 0 and closed[v]:
            venue[i] = -1


def release(venue: np.ndarray, closed: np.ndarray) -> None:
    """See :func:`release_numpy` (compiled when ``kernels.USE_NUMBA``): one pass, no copies."""
    if kernels.USE_NUMBA:
        _release_loop(venue, closed)
    else:
        release_numpy(venue, closed)


# ---- living regulars (or helpers) per venue ----------------------------------------------
def per_venue_numpy(venue: np.ndarray, alive: np.ndarray, n_venues: int) -> np.ndarray:
    """Living residents whose ``venue`` is each of ``n_venues`` venues (int64)."""
    at = np.flatnonzero(venue >= 0)
    return np.bincount(venue[at[alive[at]]], minlength=n_venues)


@kernels.jit
def _per_venue_loop(
    venue: np.ndarray, alive: np.ndarray, n_venues: int
) -> np.ndarray:  # pragma: no cover - compiled
    out = np.zeros(n_venues, np.int64)
    for i in range(venue.size):
        v = venue[i]
        if v >= 0 and alive[i]:
            out[v] += 1
    return out


def per_venue(venue: np.ndarray, alive: np.ndarray, n_venues: int) -> np.ndarray:
    """See :func:`per_venue_numpy` (compiled when ``kernels.USE_NUMBA``).

    Regulars with ``r.venue``, helpers with ``r.vol_venue``, in one pass over the town.
    """
    if kernels.USE_NUMBA:
        return _per_venue_loop(venue, alive, int(n_venues))
    return per_venue_numpy(venue, alive, n_venues)


# ---- regulars with a hidden need, found in one pass ---------------------------------------
def hidden_regulars_numpy(
    venue: np.ndarray, alive: np.ndarray, sev: np.ndarray, supported: np.ndarray, known: np.ndarray
) -> np.ndarray:
    """Living regulars (ascending) with a need neither supported nor known to a counter."""
    regulars = np.flatnonzero(venue >= 0)
    regulars = regulars[alive[regulars]]
    return regulars[any_hidden_numpy(sev, supported, known, regulars)]


@kernels.jit
def _hidden_regulars_loop(
    venue: np.ndarray, alive: np.ndarray, sev: np.ndarray, supported: np.ndarray, known: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(venue.size, np.int64)
    k = 0
    for i in range(venue.size):
        if venue[i] >= 0 and alive[i]:
            for f in range(N_NEEDS):
                if sev[f, i] > 0 and not supported[f, i] and not known[f, i]:
                    out[k] = i
                    k += 1
                    break
    return out[:k].copy()


def hidden_regulars(
    venue: np.ndarray, alive: np.ndarray, sev: np.ndarray, supported: np.ndarray, known: np.ndarray
) -> np.ndarray:
    """See :func:`hidden_regulars_numpy` (compiled when ``kernels.USE_NUMBA``)."""
    if kernels.USE_NUMBA:
        return _hidden_regulars_loop(venue, alive, sev, supported, known)
    return hidden_regulars_numpy(venue, alive, sev, supported, known)


# ---- who considers joining a venue this month -----------------------------------------
def considering_numpy(
    may_join: np.ndarray,
    venue: np.ndarray,
    u_all: np.ndarray,
    sex_age: np.ndarray,
    isolated: np.ndarray,
    boost: np.ndarray,
    total_of: np.ndarray,
    join_isolated: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of ``may_join``, those at no venue whose draw falls below their joining chance.

    The chance is ``total_of`` by sex and age, times ``join_isolated`` for the isolated,
    times their ``boost``. Returns them, their draws and whether each is isolated.
    """
    idx = may_join[venue[may_join] < 0]
    u = u_all[idx]
    total = total_of[sex_age[idx]]
    iso = isolated[idx]
    total *= np.where(iso, join_isolated, 1.0)
    total *= boost[idx]
    considers = (u >= 0) & (u < total)
    return idx[considers], u[considers], iso[considers]


@kernels.jit
def _considering_loop(
    may_join: np.ndarray,
    venue: np.ndarray,
    u_all: np.ndarray,
    sex_age: np.ndarray,
    isolated: np.ndarray,
    boost: np.ndarray,
    total_of: np.ndarray,
    join_isolated: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    idx = np.empty(may_join.size, np.int64)
    u = np.empty(may_join.size)
    iso = np.empty(may_join.size, np.bool_)
    k = 0
    for j in range(may_join.size):
        i = may_join[j]
        if venue[i] >= 0:
            continue
        # The same products in the same order as the NumPy twin.
        total = total_of[sex_age[i]] * (join_isolated if isolated[i] else 1.0)
        total = total * boost[i]
        if u_all[i] >= 0 and u_all[i] < total:
            idx[k], u[k], iso[k] = i, u_all[i], isolated[i]
            k += 1
    return idx[:k].copy(), u[:k].copy(), iso[:k].copy()


def considering(
    may_join: np.ndarray,
    venue: np.ndarray,
    u_all: np.ndarray,
    sex_age: np.ndarray,
    isolated: np.ndarray,
    boost: np.ndarray,
    total_of: np.ndarray,
    join_isolated: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """See :func:`considering_numpy` (compiled when ``kernels.USE_NUMBA``).

    One pass over the residents who may join (some 19k at Okazaki), not eight NumPy calls.
    """
    args = (may_join, venue, u_all, sex_age, isolated, boost, total_of, float(join_isolated))
    if kernels.USE_NUMBA:
        return _considering_loop(*args)
    return considering_numpy(*args)


# ---- each joiner's candidate venues, laid out one after another ---------------------------
def candidates_numpy(
    n_real: np.ndarray,
    start: np.ndarray,
    open_ids: np.ndarray,
    hx: np.ndarray,
    hy: np.ndarray,
    vx: np.ndarray,
    vy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Joiner ``i``'s candidates are ``open_ids[start[i]:start[i] + n_real[i]]``.

    Returns where each joiner's candidates start in the layout, the candidates, and the
    offsets from each candidate to its joiner's home (``hx - vx``, ``hy - vy``).
    """
    offsets = np.cumsum(n_real) - n_real
    rows = np.repeat(np.arange(n_real.size), n_real)
    cand = open_ids[np.arange(rows.size) - offsets[rows] + start[rows]]
    return offsets, cand, hx[rows] - vx[cand], hy[rows] - vy[cand]


@kernels.jit
def _candidates_loop(
    n_real: np.ndarray,
    start: np.ndarray,
    open_ids: np.ndarray,
    hx: np.ndarray,
    hy: np.ndarray,
    vx: np.ndarray,
    vy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    offsets = np.empty(n_real.size, np.int64)
    total = 0
    for i in range(n_real.size):
        offsets[i] = total
        total += n_real[i]
    cand = np.empty(total, open_ids.dtype)
    dx = np.empty(total)
    dy = np.empty(total)
    for i in range(n_real.size):
        first = offsets[i]
        for c in range(n_real[i]):
            v = open_ids[start[i] + c]
            cand[first + c] = v
            # float32 homes less float64 venues: float64, as in NumPy.
            dx[first + c] = np.float64(hx[i]) - vx[v]
            dy[first + c] = np.float64(hy[i]) - vy[v]
    return offsets, cand, dx, dy


def candidates(
    n_real: np.ndarray,
    start: np.ndarray,
    open_ids: np.ndarray,
    hx: np.ndarray,
    hy: np.ndarray,
    vx: np.ndarray,
    vy: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """See :func:`candidates_numpy` (compiled when ``kernels.USE_NUMBA``).

    One pass instead of a dozen NumPy calls over every (joiner, candidate) pair.
    """
    if kernels.USE_NUMBA:
        return _candidates_loop(n_real, start, open_ids, hx, hy, vx, vy)
    return candidates_numpy(n_real, start, open_ids, hx, hy, vx, vy)
