"""The passes over every resident of :mod:`model.organisations`, compiled, with NumPy twins.

The groups' month reads every resident's group, draw, age, motivation and district:
one pass lets members leave, finds who may join, counts the members and the living and
groups the keen would-be founders by district (:func:`_membership`, over spans of
residents, in threads in a large town), and another releases the members of dissolving
organisations (:func:`_release`). Each compiled loop has a NumPy twin (``*_numpy``)
giving bit-identical results, and :mod:`model.organisations` picks the path with
``kernels.USE_NUMBA`` at call time, passing the columns and parameters as arguments.
No kernel draws: the draws are made by the caller. Tested in ``tests/test_kernels_orgs.py``.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .snapshot import PART_GROUP


# ---- one pass over the residents (compiled, with NumPy twins) ---------------------------
def _membership_numpy(
    draw: np.ndarray,
    join_table: np.ndarray,
    years: np.ndarray,
    join_boost: np.ndarray,
    alive: np.ndarray,
    home: np.ndarray,
    org: np.ndarray,
    district: np.ndarray,
    motivation: np.ndarray,
    min_motivation: np.float32,
    age_m: np.ndarray,
    min_age_m: int,
    leave: float,
    n: int,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Members leave (``org`` set to -1 in place); who may join; members; the living.

    Returns the residents who join a group this month (index order), the living members
    of each organisation number after the leaving (before the joining), the living
    residents of each district, and the living residents keen (``motivation`` above
    ``min_motivation``, compared in float32) and old enough to found a group, grouped by
    district (index order within each) with the bounds of each district.
    """
    u = draw - PART_GROUP
    join = join_table[years] * join_boost
    leaving = alive & (org >= 0) & (u >= 0) & (u < leave)
    org[leaving] = -1
    joining = np.flatnonzero(home & (org < 0) & (u < PART_GROUP) & (u >= PART_GROUP - join))
    members = np.bincount(org[alive & (org >= 0)], minlength=n)
    living = np.bincount(district[alive], minlength=n_districts)
    keen = np.flatnonzero(alive & (motivation > min_motivation) & (age_m >= min_age_m))
    order = np.argsort(district[keen], kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(district[keen], minlength=n_districts))))
    return joining, members, living, keen[order], bounds


def _membership(
    draw: np.ndarray,
    join_table: np.ndarray,
    years: np.ndarray,
    join_boost: np.ndarray,
    alive: np.ndarray,
    home: np.ndarray,
    org: np.ndarray,
    district: np.ndarray,
    motivation: np.ndarray,
    min_motivation: np.float32,
    age_m: np.ndarray,
    min_age_m: int,
    leave: float,
    n: int,
    n_districts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_membership_numpy` in one compiled loop over spans of the residents.

    The spans (in threads in a large town, :func:`kernels.over_spans`) list who joins
    and who is keen from their own starts and count into arrays of their own; the lists
    are put together in span order (index order) and the keen grouped by district.
    """
    parts = kernels.spans(draw.size)
    joining = np.empty(draw.size, np.int64)
    found = np.empty(draw.size, np.int64)
    by_span = kernels.over_spans(
        _membership_span, parts, draw, join_table, years, join_boost, alive, home, org,
        district, motivation, min_motivation, age_m, min_age_m, leave, n, n_districts,
        joining, found,
    )  # fmt: skip
    n_joining, members_by_span, living_by_span, n_found = zip(*by_span, strict=True)
    members, living = kernels.summed(members_by_span), kernels.summed(living_by_span)
    joining = kernels.packed(joining, parts, list(n_joining))
    found = kernels.packed(found, parts, list(n_found))
    keen, bounds = kernels.grouped(found, district, n_districts)
    return joining.copy(), members, living, keen, bounds


@kernels.jit
def _membership_span(
    lo: int,
    hi: int,
    draw: np.ndarray,
    join_table: np.ndarray,
    years: np.ndarray,
    join_boost: np.ndarray,
    alive: np.ndarray,
    home: np.ndarray,
    org: np.ndarray,
    district: np.ndarray,
    motivation: np.ndarray,
    min_motivation: np.float32,
    age_m: np.ndarray,
    min_age_m: int,
    leave: float,
    n: int,
    n_districts: int,
    joining: np.ndarray,
    found: np.ndarray,
) -> tuple[int, np.ndarray, np.ndarray, int]:  # pragma: no cover - compiled
    """Residents ``[lo, hi)``: joiners and the keen listed from ``lo``; their counts."""
    members = np.zeros(n, np.int64)
    living = np.zeros(n_districts, np.int64)
    k = 0
    n_keen = 0
    start = max(lo, 0)  # a loop from a start known not to be negative: no index checks
    for j in range(min(hi, draw.size) - start):
        i = start + j
        if not alive[i]:
            continue
        living[district[i]] += 1
        # Branch-free (written always, kept if keen): keenness is hard to predict, and
        # this pass took 1.84 -> 1.63 ms at Okazaki so. The place is never ahead of ``i``.
        found[start + n_keen] = i
        n_keen += (motivation[i] > min_motivation) & (age_m[i] >= min_age_m)
        u = draw[i] - PART_GROUP
        g = org[i]
        if g >= 0 and u >= 0 and u < leave:
            org[i] = -1
            g = -1
        if g >= 0:
            members[g] += 1
        elif home[i] and u < PART_GROUP and u >= PART_GROUP - join_table[years[i]] * join_boost[i]:
            joining[start + k] = i
            k += 1
    return k, members, living, n_keen


def _release_numpy(org: np.ndarray, dissolving: np.ndarray) -> None:
    """Everyone whose organisation is ``dissolving`` (a mask over numbers) is in none."""
    lookup = np.append(dissolving, False)  # org -1 reads the last entry
    org[lookup[org]] = -1


@kernels.jit
def _release(org: np.ndarray, dissolving: np.ndarray) -> None:  # pragma: no cover - compiled
    """:func:`_release_numpy` in one loop."""
    for i in range(org.size):
        if org[i] >= 0 and dissolving[org[i]]:
            org[i] = -1
