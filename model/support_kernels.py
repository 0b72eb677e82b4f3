"""The passes over every resident of :mod:`model.support`, compiled, with NumPy twins.

The support system's month reads a few columns for every resident: the counters'
caseloads (who is alive and supported in which field, per district), the chance of
each resident with a hidden need to seek help on their own (most severe unmet need,
ties, capacity, severity), the members of the households a counter looks at, and the
supports given (for the caseload per worker). A
compiled loop reads them once; each has a NumPy twin giving bit-identical results
(integer counts, and the same floating-point operations in the same order), and the
caller picks the path with ``kernels.USE_NUMBA`` at call time
(:meth:`model.support.SupportSystem.seek_help` holds the help-seeking twin). No kernel
draws: the draws are made by the caller. Tested in ``tests/test_kernels_support.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import kernels
from .needs import CARE, CHILDCARE, DISABILITY, N_FIELDS, POVERTY, WITHDRAWAL
from .population import MAX_SEVERITY, N_NEEDS, N_TIE_KINDS, OLD_AGE

if TYPE_CHECKING:
    from .core import CommunityModel


# ---- one pass over the town (compiled), with the NumPy path it must equal -------------------
def caseloads(model: CommunityModel) -> np.ndarray:
    """Supported living residents per district and field (districts × fields).

    Public assistance is run by the welfare office's own caseworkers, not by the 自立相談
    counter: recipients are not on the hardship counter's caseload.
    """
    r = model.residents
    if kernels.USE_NUMBA:
        loads = np.zeros((model.n_districts, N_FIELDS), dtype=np.int64)
        s = r.supported
        _caseloads_loop(
            r.alive,
            s[CARE],
            s[DISABILITY],
            s[CHILDCARE],
            s[POVERTY],
            r.assistance,
            r.district,
            loads,
        )
        return loads
    loads = np.empty((model.n_districts, N_FIELDS), dtype=np.int64)
    for f in range(N_FIELDS):
        carried = r.alive & r.supported[f]
        if f == POVERTY:
            carried &= ~r.assistance
        loads[:, f] = np.bincount(r.district[carried], minlength=model.n_districts)
    return loads


@kernels.jit
def _caseloads_loop(
    alive: np.ndarray,
    care: np.ndarray,
    disability: np.ndarray,
    child: np.ndarray,
    hardship: np.ndarray,
    assistance: np.ndarray,
    district: np.ndarray,
    loads: np.ndarray,
) -> None:
    # The fields' rows come as separate (contiguous) arrays: much faster than a 2-D view.
    for i in range(alive.size):
        if alive[i] and (care[i] or disability[i] or child[i] or hardship[i]):
            d = district[i]
            loads[d, CARE] += care[i]
            loads[d, DISABILITY] += disability[i]
            loads[d, CHILDCARE] += child[i]
            loads[d, POVERTY] += hardship[i] and not assistance[i]


def _seek_chances(model: CommunityModel, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Most severe unmet need of residents ``idx`` and their chance to seek help so far.

    The compiled form of :meth:`SupportSystem.seek_help` up to the discouragement factor:
    ``salient_unmet`` and ``seek_base[need] · help_seeking_capacity · seek_severity[sev] ·
    (1 + nudge·ties)``, with the same operations in the same order.
    """
    r, p = model.residents, model.params.support
    need = np.empty(idx.size, dtype=np.int64)
    prob = np.empty(idx.size)
    _seek_chances_loop(
        idx,
        r.sev,
        r.supported,
        r.ties,
        r.seek_cap,
        r.age_m,
        OLD_AGE * 12,
        np.asarray(p.seek_base, dtype=float),
        np.asarray(p.seek_severity, dtype=float),
        (
            float(p.capacity_dementia),
            float(p.capacity_withdrawal),
            float(p.capacity_isolated),
            float(p.nudge),
        ),
        need,
        prob,
    )
    return need, prob


@kernels.jit
def _seek_chances_loop(
    idx: np.ndarray,
    sev: np.ndarray,
    supported: np.ndarray,
    ties: np.ndarray,
    seek_cap: np.ndarray,
    age_m: np.ndarray,
    old_months: int,
    seek_base: np.ndarray,
    seek_severity: np.ndarray,
    factors: tuple[float, float, float, float],
    need: np.ndarray,
    prob: np.ndarray,
) -> None:
    dementia_f, withdrawal_f, isolated_f, nudge = factors
    for j in range(idx.size):
        i = idx[j]
        # salient_unmet: the most severe unmet need, the lowest index on ties.
        best, top = 0, 0
        for k in range(N_NEEDS):  # constant counts: unrolled (see volunteers_kernels)
            unmet = 0 if supported[k, i] else sev[k, i]
            if unmet > top:
                best, top = k, unmet
        tie_count = 0
        for k in range(N_TIE_KINDS):
            tie_count += ties[k, i]
        has_ties = tie_count > 0
        # help_seeking_capacity
        cap = np.float64(seek_cap[i])
        cap *= dementia_f if age_m[i] >= old_months and sev[CARE, i] >= 2 else 1.0
        cap *= withdrawal_f if sev[WITHDRAWAL, i] > 0 else 1.0
        cap = cap * (1.0 if has_ties else isolated_f)
        severity = min(max(sev[best, i], 1), MAX_SEVERITY)
        chance = seek_base[best] * cap
        chance *= seek_severity[severity - 1]
        chance *= 1.0 + nudge * (1.0 if has_ties else 0.0)
        need[j] = best
        prob[j] = chance


# ---- the other members of households a counter looks at -----------------------------------
def household_members_numpy(
    hh: np.ndarray, marked: np.ndarray, alive: np.ndarray, case_state: np.ndarray, none: int
) -> np.ndarray:
    """Living residents of the ``marked`` households whose case state is ``none``, ascending."""
    found = np.flatnonzero(marked[hh])
    return found[alive[found] & (case_state[found] == none)]


@kernels.jit
def _household_members_loop(
    hh: np.ndarray, marked: np.ndarray, alive: np.ndarray, case_state: np.ndarray, none: int
) -> np.ndarray:  # pragma: no cover - compiled
    out = np.empty(hh.size, np.int64)
    k = 0
    for i in range(hh.size):
        if marked[hh[i]] and alive[i] and case_state[i] == none:
            out[k] = i
            k += 1
    return out[:k].copy()


def household_members(
    hh: np.ndarray, marked: np.ndarray, alive: np.ndarray, case_state: np.ndarray, none: int
) -> np.ndarray:
    """See :func:`household_members_numpy` (compiled when ``kernels.USE_NUMBA``).

    A counter's household assessments mark a few households a month; finding their
    members is a pass over the town (Okazaki: about 0.8 ms in NumPy's masks).
    """
    if kernels.USE_NUMBA:
        return _household_members_loop(hh, marked, alive, case_state, int(none))
    return household_members_numpy(hh, marked, alive, case_state, none)


# ---- supports given, for the caseload per worker ------------------------------------------
def supports_given(alive: np.ndarray, supported: np.ndarray) -> int:
    """Supports the counters give: living residents' supported fields (a field each)."""
    if not kernels.USE_NUMBA:
        return int((supported[:N_FIELDS] & alive).sum())
    return int(_supports_given_loop(alive, supported[CARE], supported[DISABILITY],
                                    supported[CHILDCARE], supported[POVERTY]))  # fmt: skip


@kernels.jit
def _supports_given_loop(
    alive: np.ndarray,
    care: np.ndarray,
    disability: np.ndarray,
    child: np.ndarray,
    hardship: np.ndarray,
) -> int:  # pragma: no cover - compiled
    n = 0
    for i in range(alive.size):
        n += alive[i] * (np.int64(care[i]) + disability[i] + child[i] + hardship[i])
    return n
