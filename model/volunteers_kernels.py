"""The passes over every resident of :mod:`model.volunteers`, compiled, with NumPy twins.

Each rule of the volunteers' and 民生委員's month reads a handful of columns for every
resident (who is alive, volunteering, serving, how old, where). A compiled loop reads
them once instead of building a dozen masks (the counts and the start-and-stop over spans
of residents, in threads in a large town); each kernel has a NumPy twin giving
bit-identical results (integer counts, and the same floating-point operations in the
same order), and :mod:`model.volunteers` picks the path with ``kernels.USE_NUMBA`` at
call time. No kernel draws: the draws are made by the caller, as before.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .population import N_NEEDS, OLD_AGE, PRESCHOOL_AGE
from .snapshot import PART_VOLUNTEER

# Ages in months from ages in completed years (12 months a year).
OLD_AGE_M = OLD_AGE * 12
PRESCHOOL_AGE_M = PRESCHOOL_AGE * 12


# ---- demand and supply of volunteer hours -----------------------------------------------
def district_counts_numpy(
    alive: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    alone: np.ndarray,
    age_m: np.ndarray,
    care: np.ndarray,
    district: np.ndarray,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per district: serving 民生委員, older people alone with a care need, volunteers."""
    serving = np.bincount(district[alive & minsei], minlength=n_districts)
    alone_in_need = alone & (age_m >= OLD_AGE_M) & (care > 0)
    in_need = np.bincount(district[alone_in_need], minlength=n_districts)
    volunteers = np.bincount(district[alive & volunteer], minlength=n_districts)
    return serving, in_need, volunteers


def district_counts(
    alive: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    alone: np.ndarray,
    age_m: np.ndarray,
    care: np.ndarray,
    district: np.ndarray,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`district_counts_numpy` in one compiled loop over spans of the residents.

    Each span (in threads in a large town, :func:`kernels.over_spans`) counts into
    arrays of its own; the counts are added up.
    """
    by_span = kernels.over_spans(
        _district_counts_span, kernels.spans(alive.size),
        alive, minsei, volunteer, alone, age_m, care, district, n_districts,
    )  # fmt: skip
    serving, in_need, volunteers = zip(*by_span, strict=True)
    return kernels.summed(serving), kernels.summed(in_need), kernels.summed(volunteers)


@kernels.jit
def _district_counts_span(
    lo: int,
    hi: int,
    alive: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    alone: np.ndarray,
    age_m: np.ndarray,
    care: np.ndarray,
    district: np.ndarray,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Residents ``[lo, hi)``: their counts per district."""
    serving = np.zeros(n_districts, np.int64)
    in_need = np.zeros(n_districts, np.int64)
    volunteers = np.zeros(n_districts, np.int64)
    start = max(lo, 0)  # a loop from a start known not to be negative: no index checks
    for j in range(min(hi, alive.size) - start):
        i = start + j
        d = district[i]
        if alone[i] and age_m[i] >= OLD_AGE_M and care[i] > 0:
            in_need[d] += 1
        if alive[i]:
            if minsei[i]:
                serving[d] += 1
            if volunteer[i]:
                volunteers[d] += 1
    return serving, in_need, volunteers


# ---- volunteers start and stop ----------------------------------------------------------
def turnover_numpy(
    draw: np.ndarray,
    join_table: np.ndarray,
    sex_age: np.ndarray,
    boost: float,
    quit_rates: np.ndarray,
    alive: np.ndarray,
    home: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    vol_venue: np.ndarray,
    vol_since: np.ndarray,
    welfare_involved: np.ndarray,
    last_vol_m: np.ndarray,
    years: np.ndarray,
    district: np.ndarray,
    oldest: int,
    old_factor: float,
    young_factor: float,
    month: int,
    n_venues: int,
) -> tuple[int, np.ndarray, np.ndarray]:
    """Volunteers start and stop (the columns are updated in place).

    ``quit_rates`` is the monthly chance of stopping by district before the age factor
    (``old_factor`` from ``oldest`` years on, ``young_factor`` below). Returns how many started, the
    volunteers helping at each venue and the free volunteers (not 民生委員), in index order.
    """
    u = draw - PART_VOLUNTEER
    join = join_table[sex_age] * boost
    starts = np.flatnonzero(home & ~volunteer & (u >= 0) & (u < join))
    vols = np.flatnonzero(alive & volunteer & ~minsei)  # 民生委員 leave by term
    quit = quit_rates[district[vols]]
    quit *= np.where(years[vols] >= oldest, old_factor, young_factor)
    stops = vols[(u[vols] >= 0) & (u[vols] < quit)]
    volunteer[starts] = True
    vol_since[starts] = month
    volunteer[stops] = False
    vol_venue[stops] = -1
    welfare_involved[starts] = True
    last_vol_m[volunteer & alive] = month
    staff = np.bincount(vol_venue[alive & (vol_venue >= 0)], minlength=n_venues)
    free = np.flatnonzero(alive & volunteer & (vol_venue < 0) & ~minsei)
    return starts.size, staff, free


def turnover(
    draw: np.ndarray,
    join_table: np.ndarray,
    sex_age: np.ndarray,
    boost: float,
    quit_rates: np.ndarray,
    alive: np.ndarray,
    home: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    vol_venue: np.ndarray,
    vol_since: np.ndarray,
    welfare_involved: np.ndarray,
    last_vol_m: np.ndarray,
    years: np.ndarray,
    district: np.ndarray,
    oldest: int,
    old_factor: float,
    young_factor: float,
    month: int,
    n_venues: int,
) -> tuple[int, np.ndarray, np.ndarray]:
    """:func:`turnover_numpy` in one compiled loop over spans of the residents.

    Each span (in threads in a large town, :func:`kernels.over_spans`) updates its own
    residents, counts the venues' staff into an array of its own and lists the free
    volunteers from its start; the counts are added up and the lists put together in
    span order (index order).
    """
    parts = kernels.spans(alive.size)
    free = np.empty(alive.size, np.int64)
    by_span = kernels.over_spans(
        _turnover_span, parts, draw, join_table, sex_age, boost, quit_rates, alive, home,
        minsei, volunteer, vol_venue, vol_since, welfare_involved, last_vol_m, years,
        district, oldest, old_factor, young_factor, month, n_venues, free,
    )  # fmt: skip
    started, staff, n_free = zip(*by_span, strict=True)
    return sum(started), kernels.summed(staff), kernels.packed(free, parts, list(n_free)).copy()


@kernels.jit
def _turnover_span(
    lo: int,
    hi: int,
    draw: np.ndarray,
    join_table: np.ndarray,
    sex_age: np.ndarray,
    boost: float,
    quit_rates: np.ndarray,
    alive: np.ndarray,
    home: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    vol_venue: np.ndarray,
    vol_since: np.ndarray,
    welfare_involved: np.ndarray,
    last_vol_m: np.ndarray,
    years: np.ndarray,
    district: np.ndarray,
    oldest: int,
    old_factor: float,
    young_factor: float,
    month: int,
    n_venues: int,
    free: np.ndarray,
) -> tuple[int, np.ndarray, int]:  # pragma: no cover - compiled
    """Residents ``[lo, hi)``: start and stop; their venues' staff; the free from ``lo``."""
    started = 0
    staff = np.zeros(n_venues, np.int64)
    k = 0
    start = max(lo, 0)  # a loop from a start known not to be negative: no index checks
    for j in range(min(hi, alive.size) - start):
        i = start + j
        u = draw[i] - PART_VOLUNTEER
        if not volunteer[i]:
            if home[i] and u >= 0 and u < join_table[sex_age[i]] * boost:
                volunteer[i] = True
                vol_since[i] = month
                welfare_involved[i] = True
                started += 1
        elif alive[i] and not minsei[i] and u >= 0:
            quit = quit_rates[district[i]]
            quit *= old_factor if years[i] >= oldest else young_factor
            if u < quit:
                volunteer[i] = False
                vol_venue[i] = -1
        if alive[i]:
            if volunteer[i]:
                last_vol_m[i] = month
            if vol_venue[i] >= 0:
                staff[vol_venue[i]] += 1
            elif volunteer[i] and not minsei[i]:
                free[start + k] = i
                k += 1
    return started, staff, k


# ---- 民生委員 -----------------------------------------------------------------------------
def minsei_pass_numpy(
    alive: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    working: np.ndarray,
    age_m: np.ndarray,
    district: np.ndarray,
    hh: np.ndarray,
    sev: np.ndarray,
    supported: np.ndarray,
    known: np.ndarray,
    detect: np.ndarray,
    candidate_from: int,
    age_limit: int,
    n_districts: int,
    n_households: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the 民生委員's month reads about every resident, in one go.

    Commissioners who died or moved away leave their posts (``minsei`` in place).
    Returns: the serving commissioners (index order); the volunteers of candidate age not
    in work, grouped by district (index order within each) with the bounds of each
    district (serving commissioners among them are left to the caller to skip);
    households with an older person and with a child under school age; residents with a
    hidden need (index order) and the best chance a visit notices one of theirs.
    """
    minsei[minsei & ~alive] = False
    serving = np.flatnonzero(alive & minsei)
    years = age_m // 12
    pool = alive & volunteer & (years >= candidate_from) & (years < age_limit) & ~working
    pool_idx = np.flatnonzero(pool)
    order = np.argsort(district[pool_idx], kind="stable")
    pool_d = np.bincount(district[pool_idx], minlength=n_districts)
    bounds = np.concatenate(([0], np.cumsum(pool_d)))
    has_old = np.bincount(hh[alive & (years >= OLD_AGE)], minlength=n_households) > 0
    has_young = np.bincount(hh[alive & (years < PRESCHOOL_AGE)], minlength=n_households) > 0
    hidden = (sev > 0) & ~supported & ~known
    idx = np.flatnonzero(alive & hidden.any(axis=0))
    notice = (detect[:, None] * hidden[:, idx]).max(axis=0) if idx.size else np.zeros(0)
    return serving, pool_idx[order], bounds, has_old, has_young, idx, notice


def minsei_pass(
    alive: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    working: np.ndarray,
    age_m: np.ndarray,
    district: np.ndarray,
    hh: np.ndarray,
    sev: np.ndarray,
    supported: np.ndarray,
    known: np.ndarray,
    detect: np.ndarray,
    candidate_from: int,
    age_limit: int,
    n_districts: int,
    n_households: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`minsei_pass_numpy` in one compiled loop over spans of the residents.

    Each span (in threads in a large town, :func:`kernels.over_spans`) lists the serving,
    the candidates and the hidden from its start and marks households in arrays of its
    own; the lists are put together in span order (index order), the marks joined and the
    candidates grouped by district.
    """
    n = alive.size
    parts = kernels.spans(n)
    serving, candidates = np.empty(n, np.int64), np.empty(n, np.int64)
    idx, notice = np.empty(n, np.int64), np.empty(n, np.float64)
    by_span = kernels.over_spans(
        _minsei_span, parts, alive, minsei, volunteer, working, age_m, hh, sev, supported,
        known, detect, candidate_from * 12, age_limit * 12, n_households,
        serving, candidates, idx, notice,
    )  # fmt: skip
    n_serving, n_candidates, n_hidden, has_old, has_young = zip(*by_span, strict=True)
    pool, bounds = kernels.grouped(
        kernels.packed(candidates, parts, list(n_candidates)), district, n_districts
    )
    n_hidden_list = list(n_hidden)
    return (
        kernels.packed(serving, parts, list(n_serving)).copy(),
        pool,
        bounds,
        kernels.joined(has_old),
        kernels.joined(has_young),
        kernels.packed(idx, parts, n_hidden_list).copy(),
        kernels.packed(notice, parts, n_hidden_list).copy(),
    )


@kernels.jit
def _minsei_span(
    lo: int,
    hi: int,
    alive: np.ndarray,
    minsei: np.ndarray,
    volunteer: np.ndarray,
    working: np.ndarray,
    age_m: np.ndarray,
    hh: np.ndarray,
    sev: np.ndarray,
    supported: np.ndarray,
    known: np.ndarray,
    detect: np.ndarray,
    from_age_m: int,
    below_age_m: int,
    n_households: int,
    serving: np.ndarray,
    candidates: np.ndarray,
    idx: np.ndarray,
    notice: np.ndarray,
) -> tuple[int, int, int, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Residents ``[lo, hi)``: the lists from ``lo``, and the households they mark."""
    # A constant count (not ``sev.shape[0]``): the compiler unrolls the loop over the
    # needs (3.4 → 2.6 ms for this pass at Okazaki).
    n_needs = N_NEEDS
    n_serving = n_candidates = n_hidden = 0
    has_old = np.zeros(n_households, np.bool_)
    has_young = np.zeros(n_households, np.bool_)
    start = max(lo, 0)  # a loop from a start known not to be negative: no index checks
    for j in range(min(hi, alive.size) - start):
        i = start + j
        if not alive[i]:
            minsei[i] = False
            continue
        if minsei[i]:
            serving[start + n_serving] = i
            n_serving += 1
        a = age_m[i]
        if volunteer[i] and a >= from_age_m and a < below_age_m and not working[i]:
            candidates[start + n_candidates] = i
            n_candidates += 1
        if a >= OLD_AGE_M:
            has_old[hh[i]] = True
        elif a < PRESCHOOL_AGE_M:
            has_young[hh[i]] = True
        best = 0.0
        hidden = False
        for k in range(n_needs):
            h = sev[k, i] > 0 and not supported[k, i] and not known[k, i]
            hidden = hidden or h
            value = detect[k] * (1.0 if h else 0.0)
            best = value if k == 0 else max(best, value)
        if hidden:
            idx[start + n_hidden] = i
            notice[start + n_hidden] = best
            n_hidden += 1
    return n_serving, n_candidates, n_hidden, has_old, has_young


def visit_weights_numpy(
    has_old: np.ndarray,
    has_young: np.ndarray,
    sizes: np.ndarray,
    institution: np.ndarray,
    hh_district: np.ndarray,
    alone_old: float,
    with_old: float,
    with_young: float,
    other: float,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each household's visit weight and their sum by district.

    The weights of a household: an older person alone, with older people, with children
    under 6, other.
    """
    weight = np.where(
        has_old & (sizes == 1),
        alone_old,
        np.where(has_old, with_old, np.where(has_young, with_young, other)),
    )
    weight = np.where((sizes > 0) & ~institution, weight, 0.0)
    return weight, np.bincount(hh_district, weights=weight, minlength=n_districts)


@kernels.jit
def visit_weights(
    has_old: np.ndarray,
    has_young: np.ndarray,
    sizes: np.ndarray,
    institution: np.ndarray,
    hh_district: np.ndarray,
    alone_old: float,
    with_old: float,
    with_young: float,
    other: float,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """:func:`visit_weights_numpy` in one loop (sums in household order, as bincount)."""
    weight = np.zeros(sizes.size)
    total = np.zeros(n_districts)
    for h in range(sizes.size):
        if sizes[h] > 0 and not institution[h]:
            if has_old[h]:
                w = alone_old if sizes[h] == 1 else with_old
            else:
                w = with_young if has_young[h] else other
            weight[h] = w
        total[hh_district[h]] += weight[h]
    return weight, total
