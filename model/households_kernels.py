"""The residents that household change looks at, found in one pass (compiled), with twins.

:mod:`model.households` picks, each month, the singles who may partner and the older
people living alone who may move in with a child's family. At Okazaki's 385k residents
each pick was four or five NumPy passes (masks, ``flatnonzero``, gathers by household),
about 1.5 ms of a month; here each is one loop over the residents, compiled when
``kernels.USE_NUMBA``. The ``*_numpy`` functions are the passes they replace and give
the same arrays (``tests/test_kernels_households.py``).
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
    k = 0
    for i in range(alive.size):
        if not (alive[i] and never_married[i]):
            continue
        if years[i] < partner_from or years[i] >= partner_below:
            continue
        if role[i] == ROLE_CHILD or (role[i] == ROLE_HEAD and sizes[hh[i]] == 1):
            out[k] = i
            k += 1
    return k


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
    # A fancy assignment with repeated indices keeps the last value, as the loop does.
    child_hh[origin_hh[linked]] = hh[linked]
    return alone, child_hh


@jit
def _elders_loop(alive, years, hh, origin_hh, sizes, alone, child_hh):  # pragma: no cover
    k = 0
    for i in range(alive.size):
        if not alive[i]:
            continue
        if years[i] >= OLD_AGE and sizes[hh[i]] == 1:
            alone[k] = i
            k += 1
        if origin_hh[i] >= 0:
            child_hh[origin_hh[i]] = hh[i]
    return k


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
    child_hh = np.full(n_hh, -1, dtype=np.int64)
    k = _elders_loop(alive, years, hh, origin_hh, sizes, alone, child_hh)
    return alone[:k], child_hh
