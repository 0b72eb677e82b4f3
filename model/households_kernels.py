"""The residents that household change looks at, found by compiled loops, with NumPy twins.

:mod:`model.households` picks, each month, the singles who may partner and the older
people living alone who may move in with a child's family. At Okazaki's 385k residents
each pick was four or five NumPy passes (masks, ``flatnonzero``, gathers by household),
about 2 ms of a month; here each is one loop over the residents and one over the few it
keeps, compiled when ``kernels.USE_NUMBA`` (2.1 → 1.1 ms). The ``*_numpy`` functions
are the passes they replace and give the same arrays (``tests/test_kernels_households.py``).

Both paths take household indices as the model keeps them: ``hh`` of every resident and
``origin_hh`` where not -1 are below ``n_hh`` and below ``sizes.size``. The compiled loops
do not check (an index past the end would read or write outside the arrays); the NumPy
twins raise ``IndexError``.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .kernels import jit
from .population import OLD_AGE, ROLE_CHILD, ROLE_HEAD


# ---- partnering: never-married adults living alone or with their parents --------------
def partner_candidates_numpy(
    alive: np.ndarray,
    never_married: np.ndarray,
    years: np.ndarray,
    role: np.ndarray,
    hh: np.ndarray,
    sizes: np.ndarray,
    partner_from: int,
    partner_below: int,
) -> np.ndarray:
    """Living never-married residents aged ``partner_from``..``partner_below``-1 (years).

    Only heads of a one-person household (``sizes`` by household) and children living at
    home; the indices in order.
    """
    idx = np.flatnonzero(alive & never_married & (years >= partner_from) & (years < partner_below))
    role = role[idx]
    return idx[((role == ROLE_HEAD) & (sizes[hh[idx]] == 1)) | (role == ROLE_CHILD)]


@jit
def _partner_loop(
    alive, never_married, years, role, hh, sizes, partner_from, partner_below, out
):  # pragma: no cover - compiled
    # Without branches: every index is written and kept (k += 1) only if it passes. With
    # an ``if`` on tests this mixed the loop took 0.95 ms at Okazaki, more than the NumPy
    # passes (0.60); this way 0.54. The household's size is read in a second pass, only
    # for those kept.
    k = 0
    for i in range(alive.size):
        y, r = years[i], role[i]
        out[k] = i
        k += (
            alive[i]
            & never_married[i]
            & (y >= partner_from)
            & (y < partner_below)
            & ((r == ROLE_CHILD) | (r == ROLE_HEAD))
        )
    kept = 0
    for j in range(k):
        i = out[j]
        out[kept] = i
        kept += (role[i] == ROLE_CHILD) | (sizes[hh[i]] == 1)
    return kept


def partner_candidates(
    alive: np.ndarray,
    never_married: np.ndarray,
    years: np.ndarray,
    role: np.ndarray,
    hh: np.ndarray,
    sizes: np.ndarray,
    partner_from: int,
    partner_below: int,
) -> np.ndarray:
    """:func:`partner_candidates_numpy`, compiled when ``kernels.USE_NUMBA``."""
    args = (alive, never_married, years, role, hh, sizes, partner_from, partner_below)
    if not kernels.USE_NUMBA:
        return partner_candidates_numpy(*args)
    out = np.empty(alive.size, np.int64)
    return out[: _partner_loop(*args, out)]


# ---- older people's moves: who lives alone, and where each home's children live -------
def elders_alone_numpy(
    alive: np.ndarray,
    years: np.ndarray,
    hh: np.ndarray,
    origin_hh: np.ndarray,
    sizes: np.ndarray,
    n_hh: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Living residents 65+ alone in their household, and each household's child's home.

    Returns the indices (in order) of the living residents 65+ whose household has one
    living member (``sizes``), and, for each of the ``n_hh`` households, the household
    of the last living resident (by index) who grew up in it (``origin_hh``), or -1.
    """
    alone = np.flatnonzero(alive & (years >= OLD_AGE))
    alone = alone[sizes[hh[alone]] == 1]
    child_hh = np.full(n_hh, -1, dtype=np.int64)
    linked = np.flatnonzero(alive & (origin_hh >= 0))
    # With repeated indices the last value stays: what NumPy does for a 1-d array, though
    # its documentation does not promise it; the loop does so by construction, and the
    # twins are compared on worlds with many repeats.
    child_hh[origin_hh[linked]] = hh[linked]
    return alone, child_hh


@jit
def _elders_loop(alive, years, hh, origin_hh, sizes, alone, child_hh):  # pragma: no cover
    # Without branches, as in _partner_loop: a resident who did not grow up in a household
    # of the town writes into ``child_hh``'s spare last entry (1.23 ms at Okazaki with an
    # ``if``, 0.59 ms this way; the NumPy passes 1.49 ms).
    spare = child_hh.size - 1
    k = 0
    for i in range(alive.size):
        living = alive[i]
        alone[k] = i
        k += living & (years[i] >= OLD_AGE)
        origin = origin_hh[i]
        child_hh[origin if living & (origin >= 0) else spare] = hh[i]
    kept = 0
    for j in range(k):
        i = alone[j]
        alone[kept] = i
        kept += sizes[hh[i]] == 1
    return kept


def elders_alone(
    alive: np.ndarray,
    years: np.ndarray,
    hh: np.ndarray,
    origin_hh: np.ndarray,
    sizes: np.ndarray,
    n_hh: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`elders_alone_numpy`, compiled when ``kernels.USE_NUMBA``."""
    if not kernels.USE_NUMBA:
        return elders_alone_numpy(alive, years, hh, origin_hh, sizes, n_hh)
    alone = np.empty(alive.size, np.int64)
    child_hh = np.full(n_hh + 1, -1, dtype=np.int64)  # and a spare entry, see the loop
    k = _elders_loop(alive, years, hh, origin_hh, sizes, alone, child_hh)
    return alone[:k], child_hh[:n_hh]
