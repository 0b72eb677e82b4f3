"""The passes over every resident of :mod:`model.ties`, compiled, with NumPy twins.

The ties' month reads every resident's tie counts, needs, age, work and taking part,
and draws one uniform per resident: the compiled month (:func:`_month_loop`) does tie
loss and formation, the kin recount and loneliness in one pass, with the NumPy twin
``model.ties._update_numpy`` (and :func:`tie_changes_numpy`) giving bit-identical
results (the same uniforms from the stream hash, the same float32/float64 operations in
the same order); the stamp of who takes part has its twin in
``model.ties.stamp_taking_part``. :mod:`model.ties` picks the path with
``kernels.USE_NUMBA`` at call time and passes the columns and constants as arguments.
The kinds of tie and the one-resident rate rule (:func:`resident_rates`) live here
because the compiled loop uses them. Tested in ``tests/test_kernels_ties.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import kernels
from .kernels import GOLDEN, MANTISSA_SHIFT, MIX1, MIX2, SHIFT1, SHIFT2, SHIFT3, TO_UNIT
from .population import AGE_YEARS, MAX_AGE, N_NEEDS, TIE_KINDS

KIN, NEIGHBOUR, WORK, INTEREST, ISSUE = range(len(TIE_KINDS))
#: The need rows, which the compiled month reads one by one (a need added or removed
#: stops this unpacking at import: give :func:`_month_loop` its row).
CARE, DISABILITY, CHILDCARE, POVERTY, WITHDRAWAL = range(N_NEEDS)
#: Kinds that count as family or friends outside the household. The isolation statistic
#: asks about face-to-face contact with non-cohabiting family or friends, so colleagues
#: alone (社縁) do not make a resident connected.
FRIEND_KINDS = (KIN, NEIGHBOUR, INTEREST, ISSUE)

#: Where each rate sits in the second table of :func:`rate_table` (gains, then losses).
(
    WORK_GAIN,
    INTEREST_GAIN,
    ISSUE_GAIN,
    NEIGHBOUR_LOSS,
    WORK_LOSS_IN_WORK,
    WORK_LOSS_OUT_OF_WORK,
    INTEREST_LOSS_TAKING_PART,
    INTEREST_LOSS_NOT,
    ISSUE_LOSS,
) = range(9)


def resident_rates(
    neighbour: Any,
    other: Any,
    years: int,
    newcomer: bool,
    working: bool,
    taking_part: bool,
    in_need: bool,
    gain: Any,
    loss: Any,
) -> None:
    """One resident's monthly gain rate and loss hazard per tie, by kind, into ``gain``/``loss``.

    The rule, for one resident, from the tables of :func:`rate_table` (arrays or lists):
    neighbour ties form by age (slower for newcomers); work ties while in work and are
    lost faster out of it; interest ties while taking part in a venue, group or
    volunteering, lost faster once one stops; issue ties while taking part with a need.
    Kin ties are structural (recounted, not gained or lost), so their rates are 0. The
    compiled month (:func:`update`) calls it for each resident; :func:`rates` applies
    the same rule to whole columns; the per-agent reference model calls it per agent.
    """
    # Written without branches (a rate times a flag, a table row picked by a flag): the
    # compiled month calls this for every resident, and flags such as "in work" are
    # too random for a branch predictor. The values are the same (x * 1 = x, x * 0 = 0).
    gain[KIN] = 0.0
    gain[NEIGHBOUR] = neighbour[AGE_YEARS * newcomer + years]
    gain[WORK] = other[WORK_GAIN] * working
    gain[INTEREST] = other[INTEREST_GAIN] * taking_part
    gain[ISSUE] = other[ISSUE_GAIN] * (taking_part & in_need)
    loss[KIN] = 0.0
    loss[NEIGHBOUR] = other[NEIGHBOUR_LOSS]
    loss[WORK] = other[WORK_LOSS_IN_WORK + (not working)]  # the next entry: out of work
    loss[INTEREST] = other[INTEREST_LOSS_TAKING_PART + (not taking_part)]  # next: not
    loss[ISSUE] = other[ISSUE_LOSS]


_resident_rates = kernels.jit(resident_rates)


def tie_changes_numpy(
    ties: np.ndarray,
    gain: np.ndarray,
    loss: np.ndarray,
    u: np.ndarray,
    alive: np.ndarray,
    loss_max: np.float32,
    max_ties: int,
) -> None:
    """Lose or gain at most one tie per living resident, in place (see :func:`update`).

    ``gain`` and ``loss`` are the float32 rates by kind (kinds × n): a resident loses a
    tie when ``u`` falls below the total loss hazard (capped at ``loss_max``) and gains
    one when it falls in the top ``total gain`` of [0, 1); the kind is where ``u`` falls
    within the kinds' shares of the total.
    """
    n_kinds = ties.shape[0]
    p_loss = ties[0] * loss[0]
    total_gain = gain[0].copy()
    for k in range(1, n_kinds):
        p_loss += ties[k] * loss[k]
        total_gain += gain[k]
    np.minimum(p_loss, loss_max, out=p_loss)
    p_gain = np.minimum(total_gain, np.float32(1.0) - p_loss)
    lose = np.flatnonzero(alive & (u < p_loss))
    win = np.flatnonzero(alive & (u >= np.float32(1.0) - p_gain))
    if lose.size:
        h = (ties[:, lose] * loss[:, lose]).astype(np.float64)
        pos = u[lose] / p_loss[lose] * h.sum(axis=0)
        kind = np.minimum((np.cumsum(h, axis=0) <= pos).sum(axis=0), n_kinds - 1)
        ties[kind, lose] -= (ties[kind, lose] > 0).astype(ties.dtype)
    if win.size:
        g = gain[:, win].astype(np.float64)
        pos = (1.0 - u[win]) / p_gain[win] * g.sum(axis=0)
        kind = np.minimum((np.cumsum(g, axis=0) <= pos).sum(axis=0), n_kinds - 1)
        ties[kind, win] = np.minimum(ties[kind, win] + 1, max_ties)


@kernels.jit
def _uniform_one(key: np.uint64, salt: np.uint64) -> float:
    """One draw of a stream: ``kernels.uniform`` for a single key (same hash, same bits)."""
    z = (key + salt) * GOLDEN
    z = (z ^ (z >> SHIFT1)) * MIX1
    z = (z ^ (z >> SHIFT2)) * MIX2
    z = z ^ (z >> SHIFT3)
    return np.float64(z >> MANTISSA_SHIFT) * TO_UNIT


@kernels.jit
def _children_out(alive: np.ndarray, origin_hh: np.ndarray, n_households: int) -> np.ndarray:
    """Living children who left home, by the home they left (kin households)."""
    children_out = np.zeros(n_households, np.int32)  # small counts
    for i in range(alive.size):
        if alive[i] and 0 <= origin_hh[i] < n_households:  # (bincount's rows read)
            children_out[origin_hh[i]] += 1
    return children_out


@kernels.jit
def _month_loop(
    lo: int,
    hi: int,
    ties: np.ndarray,
    sev: np.ndarray,
    age_m: np.ndarray,
    arrival_m: np.ndarray,
    working: np.ndarray,
    venue: np.ndarray,
    org: np.ndarray,
    volunteer: np.ndarray,
    alive: np.ndarray,
    pid: np.ndarray,
    hh: np.ndarray,
    origin_hh: np.ndarray,
    lonely: np.ndarray,
    children_out: np.ndarray,
    neighbour: np.ndarray,
    other: np.ndarray,
    salts: np.ndarray,
    month: int,
    kin_month: int,
    newcomer_months: int,
    loss_max: np.float32,
    max_ties: int,
    kin_max: int,
    kin_contact: float,
    recover: float,
    onset_isolated: float,
    onset_connected: float,
) -> int:
    """:func:`_update_numpy` for residents ``lo`` to ``hi``; returns those reconnected.

    The same float32 rates (:func:`resident_rates`), the same uniforms (the stream hash
    per resident) and the same float32/float64 operations in the same order as the
    NumPy path, resident by resident: each resident's month depends only on their own
    columns and on the kin households counted before the pass (``children_out``), so
    spans of residents may run in parallel (:func:`kernels.over_spans`).
    """
    n_kinds = ties.shape[0]
    one = np.float32(1.0)
    twelve = np.uint64(12)
    due_rest = np.uint64(kin_month)
    salt_ties, salt_kin, salt_lonely = salts[0], salts[1], salts[2]
    # The rule of resident_rates written out with each kind's rate in its own local
    # (no small arrays written and read back per resident): kin rates are 0 by
    # construction, so the kin terms are left out (0 + x = x and 0 * ties = 0 change no
    # bit), and a tie change never picks the kin kind.
    g_work, g_interest, g_issue = other[WORK_GAIN], other[INTEREST_GAIN], other[ISSUE_GAIN]
    h_neighbour, h_issue = other[NEIGHBOUR_LOSS], other[ISSUE_LOSS]
    t_kin, t_nb, t_wk = ties[KIN], ties[NEIGHBOUR], ties[WORK]
    t_in, t_is = ties[INTEREST], ties[ISSUE]
    s0, s1, s2, s3 = sev[CARE], sev[DISABILITY], sev[CHILDCARE], sev[POVERTY]
    s4 = sev[WITHDRAWAL]
    reconnected = 0
    # From a start known not to be negative, to an end known to be within the columns:
    # the compiler then drops the negative-index check of every read, as in a loop from
    # 0 (the tabulation at 20k: 262 → 210 µs with the same counts).
    start = max(lo, 0)
    for j in range(min(hi, alive.size) - start):
        i = start + j
        due = pid[i] % twelve == due_rest
        if not alive[i]:
            if due:  # the NumPy path recounts the departed too (no one reads it)
                t_kin[i] = _kin_count(
                    pid[i], hh[i], origin_hh[i], children_out, kin_max, kin_contact, salt_kin
                )
            continue
        # Flags without branches (counts and severities are never negative).
        was_isolated = (t_kin[i] | t_nb[i] | t_in[i] | t_is[i]) == 0  # FRIEND_KINDS
        in_need = (s0[i] > 0) | (s1[i] > 0) | (s2[i] > 0) | (s3[i] > 0) | (s4[i] > 0)
        taking_part = (venue[i] >= 0) | (org[i] >= 0) | volunteer[i]
        years = min(age_m[i] // 12, MAX_AGE)
        newcomer = (month - arrival_m[i]) < newcomer_months
        work = working[i]
        g1 = neighbour[AGE_YEARS * newcomer + years]
        g2 = np.float32(g_work * work)  # float32 as in resident_rates' table
        g3 = np.float32(g_interest * taking_part)
        g4 = np.float32(g_issue * (taking_part & in_need))
        l1 = np.float32(t_nb[i]) * h_neighbour
        l2 = np.float32(t_wk[i]) * other[WORK_LOSS_IN_WORK + (not work)]
        l3 = np.float32(t_in[i]) * other[INTEREST_LOSS_TAKING_PART + (not taking_part)]
        l4 = np.float32(t_is[i]) * h_issue
        p_loss = min(((l1 + l2) + l3) + l4, loss_max)
        p_gain = min(((g1 + g2) + g3) + g4, one - p_loss)
        ui = _uniform_one(pid[i], salt_ties)
        if ui < p_loss:
            d1, d2, d3, d4 = np.float64(l1), np.float64(l2), np.float64(l3), np.float64(l4)
            pos = ui / np.float64(p_loss) * ((((0.0 + d1) + d2) + d3) + d4)
            kind = _kind(d1, d2, d3, d4, pos, n_kinds)
            if ties[kind, i] > 0:
                ties[kind, i] -= 1
        if ui >= np.float64(one - p_gain):
            d1, d2, d3, d4 = np.float64(g1), np.float64(g2), np.float64(g3), np.float64(g4)
            pos = (1.0 - ui) / np.float64(p_gain) * ((((0.0 + d1) + d2) + d3) + d4)
            kind = _kind(d1, d2, d3, d4, pos, n_kinds)
            ties[kind, i] = min(ties[kind, i] + 1, max_ties)
        if due:
            t_kin[i] = _kin_count(
                pid[i], hh[i], origin_hh[i], children_out, kin_max, kin_contact, salt_kin
            )
        now_isolated = (t_kin[i] | t_nb[i] | t_in[i] | t_is[i]) == 0
        reconnected += was_isolated & (not now_isolated)
        u_lonely = _uniform_one(pid[i], salt_lonely)
        onset = onset_isolated if now_isolated else onset_connected
        lonely[i] = (u_lonely >= recover) if lonely[i] else (u_lonely < onset)
    return reconnected


@kernels.jit
def _kind(d1: float, d2: float, d3: float, d4: float, pos: float, n_kinds: int) -> int:
    """The kind where ``pos`` falls among the kinds' running shares (kin's share is 0).

    As the NumPy path's ``(cumsum <= pos).sum()``: kin's running share 0 is always
    <= pos, then one more for each kind whose running share is <= pos.
    """
    c = 0.0 + d1
    kind = 1 + (c <= pos)
    c += d2
    kind += c <= pos
    c += d3
    kind += c <= pos
    c += d4
    kind += c <= pos
    return min(kind, n_kinds - 1)


@kernels.jit
def _kin_count(
    pid: np.uint64,
    hh: int,
    origin_hh: int,
    children_out: np.ndarray,
    kin_max: int,
    kin_contact: float,
    salt: np.uint64,
) -> int:
    """One resident's :func:`kin_ties`: kin households in town kept in contact with."""
    if _uniform_one(pid, salt) >= kin_contact:
        return 0
    return min(children_out[hh] + (1 if origin_hh >= 0 else 0), kin_max)


@kernels.jit
def _stamp_loop(
    venue: np.ndarray,
    org: np.ndarray,
    volunteer: np.ndarray,
    alive: np.ndarray,
    last_part_m: np.ndarray,
    month: int,
) -> None:
    for i in range(venue.size):
        if alive[i] and (venue[i] >= 0 or org[i] >= 0 or volunteer[i]):
            last_part_m[i] = month
