"""The needs phase's month in one pass per resident (compiled), with its NumPy twin.

:func:`month` does what :func:`model.needs.progress` describes — onsets in the four
fields, withdrawal starting and ending, and the change in every existing need (escalation,
crisis, improvement, resolution) — for the whole town. Compiled (Numba), it is one loop
over the residents that reads each resident's columns once and computes a random draw
only where a rule needs one: the draws are the counter-based hashes of
:mod:`model.streams`, so the hash of a key is the same wherever it is computed and
skipping the draws nobody uses changes nothing. :func:`month_numpy` is the same month in
NumPy passes; both give bit-identical results (``tests/test_kernels_needs.py``).

Both take the same arguments: the residents' columns (changed in place), the
month's shared facts (completed years, who lives at home, isolation, households),
the onset tables, support quality by district and field, the parameters packed in
vectors (``FP_*`` scalars, ``FF_*`` rows of per-field values, ``IP_*`` integers) and
the streams' salts (``SALT_*``). They return nothing: the counts of the month go into
``counts`` (``C_*``), the residents who died into ``died`` and those a crisis brings to a
counter into ``emerg``; ``counts`` says how many of each buffer are filled. A resident
dies once: a crisis after the one that ended in death (the same month, in another field)
is counted as a crisis but neither kills again nor brings them to a counter.
"""

from __future__ import annotations

import inspect

import numpy as np

from . import kernels
from .kernels import GOLDEN, MANTISSA_SHIFT, MIX1, MIX2, SHIFT1, SHIFT2, SHIFT3, TO_UNIT, jit
from .population import ADULT_AGE, FEMALE, MAX_SEVERITY, OLD_AGE, ROLE_HEAD

CARE, DISABILITY, CHILDCARE, POVERTY, WITHDRAWAL = 0, 1, 2, 3, 4
N_FIELDS = 4  # the welfare fields; WITHDRAWAL is a need no field's counter owns
# Age definitions (structure, not behaviour).
KIDS_BELOW = 12  # a household "with kids" has a child under 12 (as Snapshot.with_kids)
WITHDRAWAL_FROM = 15  # ひきこもり is counted among people 15-64 ([cao-kodomo-wakamono-2022])
FERTILE_FROM = 15  # the ages of the fertility schedule, 15-49
FERTILE_BELOW = 50
NOT_WORKING_FROM = 20  # poverty_not_working applies to adults 20-64 (its unit)

# Household facts of the compiled loop, bits of one byte per household (fits in cache):
# a child under 12, a baby born this month, one adult / two or more, one member / two+.
HH_KIDS, HH_NEWBORN, HH_ADULT, HH_ADULTS, HH_MEMBER, HH_MEMBERS = 1, 2, 4, 8, 16, 32

# Scalar parameters (``fp``).
(
    FP_MAX_ONSET,
    FP_CHILDCARE,
    FP_CHILDCARE_SINGLE,
    FP_AT_BIRTH,
    FP_NOT_WORKING,
    FP_SINGLE_PARENT,
    FP_ALONE_ELDERLY,
    FP_W_ONSET,
    FP_W_EXIT,
    FP_W_EXIT_SUPPORTED,
    FP_ESC_ISOLATED,
    FP_ESC_ATTENDING,
    FP_ESC_SUPPORTED,
    FP_IMP_ASSISTANCE,
    FP_JOINT,
    FP_DIS_RECOVERY,
    FP_CRISIS_FROM,  # 1 - crisis: the top band of a need's draw where a crisis falls
    FP_CRISIS_SPAN,  # max(crisis, TINY): the width of that band
    FP_CRISIS_KNOWN,
    N_FP,
) = range(20)
# Per-field parameters (``ff``, rows × the four fields).
FF_BOUND, FF_ESCALATION, FF_IMPROVEMENT, FF_RESOLUTION, FF_CRISIS_DEATH, N_FF = range(6)
# Integers (``ip``).
IP_MONTH, IP_FROZEN, IP_CARE_FROM, IP_HOUSEHOLDS, N_IP = range(5)
# Salts of the draws (``salts``): onset, withdrawal, then change by field and "to counter".
SALT_ONSET, SALT_WITHDRAWAL, SALT_CHANGE, N_SALTS = 0, 1, 2, 2 + N_FIELDS + 1
SALT_TO_COUNTER = SALT_CHANGE + N_FIELDS
# Counts (``counts``).
C_ONSETS = 0  # four fields
C_WITHDRAWAL_ONSETS = C_ONSETS + N_FIELDS
C_RESOLVED = C_WITHDRAWAL_ONSETS + 1
C_CRISES = C_RESOLVED + 1  # four fields
C_DEATHS = C_CRISES + N_FIELDS  # also the filled entries of died
C_EMERG = C_DEATHS + 1  # filled entries of emerg
N_COUNTS = C_EMERG + 1


def onset_rate_arrays(
    field: int,
    idx: np.ndarray,
    sev: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    working: np.ndarray,
    hh: np.ndarray,
    years: np.ndarray,
    home: np.ndarray,
    kids: np.ndarray,
    adults: np.ndarray,
    newborn: np.ndarray,
    sizes: np.ndarray,
    tables: tuple[np.ndarray, np.ndarray, np.ndarray],
    fp: np.ndarray,
    care_from: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Residents of ``idx`` at risk of a new need in ``field`` and their monthly chance.

    ``kids``, ``adults`` and ``newborn`` are per household (children under 12, adults,
    babies born this month); ``sizes`` the living members per household; ``tables`` the
    care [sex, years], disability [years] and hardship [years] onset tables.
    """
    care, disability, poverty = tables
    idx = idx[home[idx] & (sev[field, idx] == 0)]
    y = years[idx]
    if field == CARE:
        start = y >= care_from
        idx, y = idx[start], y[start]
        return idx, np.minimum(care[sex[idx], y], fp[FP_MAX_ONSET])
    if field == DISABILITY:
        return idx, disability[y]
    h = hh[idx]
    with_kids = kids[h] > 0
    single_parent = with_kids & (adults[h] == 1)
    women = sex[idx] == FEMALE
    if field == CHILDCARE:
        parent = (role[idx] == ROLE_HEAD) & (y >= ADULT_AGE) & with_kids & (women | single_parent)
        # A birth this month brings some mothers a need at once (postnatal, isolation).
        mothers = newborn[h] & women & (y >= FERTILE_FROM) & (y < FERTILE_BELOW)
        keep = parent | mothers
        rate = np.where(single_parent[keep], fp[FP_CHILDCARE_SINGLE], fp[FP_CHILDCARE])
        return idx[keep], np.where(mothers[keep], np.maximum(rate, fp[FP_AT_BIRTH]), rate)
    adult = y >= ADULT_AGE
    idx, y, h = idx[adult], y[adult], h[adult]
    single_parent = single_parent[adult]
    rate = poverty[y] * np.where(
        (y < OLD_AGE) & (y >= NOT_WORKING_FROM) & ~working[idx], fp[FP_NOT_WORKING], 1.0
    )
    rate *= np.where(single_parent & (role[idx] == ROLE_HEAD), fp[FP_SINGLE_PARENT], 1.0)
    alone = home[idx] & (sizes[h] == 1)
    rate *= np.where((y >= OLD_AGE) & alone, fp[FP_ALONE_ELDERLY], 1.0)
    return idx, np.minimum(rate, fp[FP_MAX_ONSET])


def household_counts(
    hh: np.ndarray, alive: np.ndarray, years: np.ndarray, age_m: np.ndarray, n_hh: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Children under 12, adults and babies born this month per household (NumPy)."""
    kids = np.bincount(hh[alive & (years < KIDS_BELOW)], minlength=n_hh)
    adults = np.bincount(hh[alive & (years >= ADULT_AGE)], minlength=n_hh)
    newborn = np.bincount(hh[alive & (age_m == 0)], minlength=n_hh) > 0
    return kids, adults, newborn


def _end(
    field: int,
    idx: np.ndarray,
    sev: np.ndarray,
    onset_m: np.ndarray,
    supported: np.ndarray,
    known: np.ndarray,
    assistance: np.ndarray,
) -> int:
    """End the needs in ``field`` of residents ``idx``; how many of them were supported."""
    if idx.size == 0:
        return 0
    sev[field, idx] = 0
    was = int(supported[field, idx].sum())
    supported[field, idx] = False
    known[field, idx] = False
    onset_m[field, idx] = -1
    if field == POVERTY:
        assistance[idx] = False
    return was


def month_numpy(
    pid: np.ndarray,
    alive: np.ndarray,
    sev: np.ndarray,
    onset_m: np.ndarray,
    supported: np.ndarray,
    known: np.ndarray,
    assistance: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    working: np.ndarray,
    hh: np.ndarray,
    district: np.ndarray,
    case_joint: np.ndarray,
    venue: np.ndarray,
    age_m: np.ndarray,
    years: np.ndarray,
    home: np.ndarray,
    isolated: np.ndarray,
    care: np.ndarray,
    disability: np.ndarray,
    poverty: np.ndarray,
    quality: np.ndarray,
    fp: np.ndarray,
    ff: np.ndarray,
    ip: np.ndarray,
    salts: np.ndarray,
    counts: np.ndarray,
    died: np.ndarray,
    emerg: np.ndarray,
) -> None:
    """One month of needs in NumPy passes (the twin of the compiled loop)."""
    month, frozen, care_from = int(ip[IP_MONTH]), bool(ip[IP_FROZEN]), int(ip[IP_CARE_FROM])
    ends = (sev, onset_m, supported, known, assistance)
    # Onsets: one draw per resident serves every field (see needs.progress).
    u = kernels.uniform(pid, int(salts[SALT_ONSET]))
    n_hh = int(ip[IP_HOUSEHOLDS])
    kids, adults, newborn = household_counts(hh, alive, years, age_m, n_hh)
    sizes = np.bincount(hh[alive], minlength=n_hh)
    cols = (sev, sex, role, working, hh, years, home, kids, adults, newborn, sizes)
    for field in range(N_FIELDS):
        if frozen and field in (CARE, DISABILITY):
            continue
        offset = u - field / N_FIELDS
        cand = np.flatnonzero((offset >= 0.0) & (offset < ff[FF_BOUND, field]))
        idx, rate = onset_rate_arrays(
            field, cand, *cols, (care, disability, poverty), fp, care_from
        )
        new = idx[offset[idx] < rate]
        sev[field, new] = 1
        onset_m[field, new] = month
        counts[C_ONSETS + field] += new.size
    # Withdrawal: residents 15-64 withdraw and come out again (faster with support).
    idx = np.flatnonzero(alive & (years >= WITHDRAWAL_FROM) & (years < OLD_AGE))
    uw = kernels.uniform(pid[idx], int(salts[SALT_WITHDRAWAL]))
    w = sev[WITHDRAWAL, idx] > 0
    exit_p = np.where(supported[WITHDRAWAL, idx], fp[FP_W_EXIT_SUPPORTED], fp[FP_W_EXIT])
    starts = idx[~w & (uw < fp[FP_W_ONSET])]
    leave = idx[w & (uw < exit_p)]
    sev[WITHDRAWAL, starts] = 1
    onset_m[WITHDRAWAL, starts] = month
    # The statistic covers 15-64; at 65 the state is no longer counted as withdrawal.
    aged_out = np.flatnonzero((sev[WITHDRAWAL] > 0) & (years >= OLD_AGE))
    counts[C_RESOLVED] += _end(WITHDRAWAL, np.concatenate([leave, aged_out]), *ends)
    counts[C_WITHDRAWAL_ONSETS] += starts.size
    # Change in existing needs: one draw per resident in need and field.
    idx = np.flatnonzero(alive & (sev[:N_FIELDS].max(axis=0) > 0))
    if idx.size == 0:
        return
    keys = pid[idx]
    y = years[idx]
    esc_mult = np.where(isolated[idx], fp[FP_ESC_ISOLATED], 1.0)
    esc_mult *= np.where(venue[idx] >= 0, fp[FP_ESC_ATTENDING], 1.0)
    joint = np.where(case_joint[idx], fp[FP_JOINT], 1.0)
    crisis_any = np.zeros(idx.size, dtype=bool)
    gone = np.zeros(idx.size, dtype=bool)  # died of a crisis in an earlier field
    for field in range(N_FIELDS):
        s = sev[field, idx]
        has = s > 0
        if not has.any():
            continue
        w = kernels.uniform(keys, int(salts[SALT_CHANGE + field]))
        sup = supported[field, idx]
        esc = ff[FF_ESCALATION, field] * esc_mult * np.where(sup, fp[FP_ESC_SUPPORTED], 1.0)
        if field == POVERTY:
            # Public assistance is a stock that aging and death balance: held when frozen.
            imp = np.where(
                assistance[idx],
                0.0 if frozen else fp[FP_IMP_ASSISTANCE],
                ff[FF_IMPROVEMENT, POVERTY],
            )
        else:
            imp = np.full(idx.size, ff[FF_IMPROVEMENT, field])
        imp = np.where(sup, imp * (quality[district[idx], field] * joint), 0.0)
        res = np.where(~sup & (s == 1), ff[FF_RESOLUTION, field], 0.0)
        if field == POVERTY:
            # Leaving public assistance ends the hardship at once (see needs.progress).
            off = has & sup & assistance[idx] & (w < imp) & (not frozen)
            sev[field, idx[off]] = 1
            s = np.where(off, 1, s)
        if field == DISABILITY:
            res = np.where(~sup & (y < OLD_AGE) & (s == 1), fp[FP_DIS_RECOVERY], res)
        # Disjoint bands of one draw: improve at the bottom, worsen or crisis at the top.
        down = has & (w < imp + res)
        top = has & (s == MAX_SEVERITY) & ~sup
        crisis = top & (w >= fp[FP_CRISIS_FROM])
        up = has & ~down & ~top & (s < MAX_SEVERITY) & (w >= 1.0 - esc)
        sev[field, idx[up]] += 1
        sev[field, idx[down]] -= 1
        ended = idx[down & (s == 1)]
        if field in (CARE, DISABILITY):
            # Maintained, not resolved; only mild disabilities under 65 recover.
            recover = np.zeros(idx.size, dtype=bool)
            if field == DISABILITY:
                recover = down & (s == 1) & (y < OLD_AGE) & (res > 0)
            sev[field, ended] = 1
            ended = idx[recover]
        counts[C_RESOLVED] += _end(field, ended, *ends)
        counts[C_CRISES + field] += int(crisis.sum())
        live = crisis & ~gone
        crisis_any |= live
        dies = live & (((w - fp[FP_CRISIS_FROM]) / fp[FP_CRISIS_SPAN]) < ff[FF_CRISIS_DEATH, field])
        dies &= not frozen
        if dies.any():
            alive[idx[dies]] = False
            gone |= dies
            crisis_any &= ~dies
    who = idx[gone]
    died[: who.size] = who
    counts[C_DEATHS] = who.size
    to_counter = kernels.uniform(keys, int(salts[SALT_TO_COUNTER])) < fp[FP_CRISIS_KNOWN]
    brought = idx[crisis_any & to_counter]
    emerg[: brought.size] = brought
    counts[C_EMERG] = brought.size


@jit
def _unit(key: np.uint64, salt: np.uint64) -> float:
    """The stream hash's uniform of one key (as ``kernels.uniform``)."""
    z = (key + salt) * GOLDEN
    z = (z ^ (z >> SHIFT1)) * MIX1
    z = (z ^ (z >> SHIFT2)) * MIX2
    z = z ^ (z >> SHIFT3)
    return np.float64(z >> MANTISSA_SHIFT) * TO_UNIT


@jit
def _end_one(
    field: int,
    i: int,
    sev: np.ndarray,
    onset_m: np.ndarray,
    supported: np.ndarray,
    known: np.ndarray,
    assistance: np.ndarray,
    counts: np.ndarray,
) -> None:
    """End resident ``i``'s need in ``field`` (as :func:`_end`), counting it if supported."""
    if supported[field, i]:
        counts[C_RESOLVED] += 1
    sev[field, i] = 0
    supported[field, i] = False
    known[field, i] = False
    onset_m[field, i] = -1
    if field == POVERTY:
        assistance[i] = False


@jit
def _households(
    alive: np.ndarray, hh: np.ndarray, years: np.ndarray, age_m: np.ndarray, n_households: int
) -> np.ndarray:
    """Flags per household before the month's changes.

    Children under 12, a baby born this month, adults and members (one, or two and more).
    """
    house = np.zeros(n_households, np.uint8)
    for i in range(alive.size):
        if alive[i]:
            h = hh[i]
            f = house[h]
            f |= HH_MEMBERS if f & HH_MEMBER else HH_MEMBER
            if years[i] < KIDS_BELOW:
                f |= HH_KIDS
            if years[i] >= ADULT_AGE:
                f |= HH_ADULTS if f & HH_ADULT else HH_ADULT
            if age_m[i] == 0:
                f |= HH_NEWBORN
            house[h] = f
    return house


@jit
def _month_span(
    lo: int,
    hi: int,
    house: np.ndarray,
    pid: np.ndarray,
    alive: np.ndarray,
    sev: np.ndarray,
    onset_m: np.ndarray,
    supported: np.ndarray,
    known: np.ndarray,
    assistance: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    working: np.ndarray,
    hh: np.ndarray,
    district: np.ndarray,
    case_joint: np.ndarray,
    venue: np.ndarray,
    age_m: np.ndarray,
    years: np.ndarray,
    home: np.ndarray,
    isolated: np.ndarray,
    care: np.ndarray,
    disability: np.ndarray,
    poverty: np.ndarray,
    quality: np.ndarray,
    fp: np.ndarray,
    ff: np.ndarray,
    ip: np.ndarray,
    salts: np.ndarray,
    died: np.ndarray,
    emerg: np.ndarray,
) -> np.ndarray:
    """The month of residents ``lo`` to ``hi`` (households flagged before, ``house``).

    Each resident's month reads only their own columns and their household's flags, so
    spans may run in parallel (:func:`kernels.over_spans`). The span's deaths and
    emergencies go to ``died[lo:]`` and ``emerg[lo:]`` (at most ``hi - lo`` of each);
    returns the span's counts, ``C_DEATHS`` and ``C_EMERG`` being how many it wrote.
    """
    counts = np.zeros(N_COUNTS, np.int64)
    month, frozen, care_from = ip[IP_MONTH], ip[IP_FROZEN] != 0, ip[IP_CARE_FROM]
    first_field = DISABILITY + 1 if frozen else CARE
    # The highest onset chance each field can have at each age: most draws fall above it
    # (one predictable test), the rest have their exact chance worked out below.
    # Products of factors at least as large round to at least as much, so it is an
    # upper bound of every resident's chance in floating point too.
    highest = np.zeros((N_FIELDS, disability.size))
    for y in range(disability.size):
        highest[CARE, y] = max(care[0, y], care[1, y])
        highest[DISABILITY, y] = disability[y]
        if y >= FERTILE_FROM:
            cc = max(fp[FP_CHILDCARE], fp[FP_CHILDCARE_SINGLE])
            highest[CHILDCARE, y] = max(cc, fp[FP_AT_BIRTH])
        if y >= ADULT_AGE:
            highest[POVERTY, y] = (
                poverty[y]
                * max(fp[FP_NOT_WORKING], 1.0)
                * max(fp[FP_SINGLE_PARENT], 1.0)
                * max(fp[FP_ALONE_ELDERLY], 1.0)
            )
    n_died = 0
    n_emerg = 0
    # From a start known not to be negative, to an end known to be within the columns:
    # the compiler then drops the negative-index check of every read, as in a loop from
    # 0 (the tabulation at 20k: 262 → 210 µs with the same counts).
    start = max(lo, 0)
    for j in range(min(hi, pid.size) - start):
        i = start + j
        y = years[i]
        key = pid[i]
        # ---- onset: the draw's quarter names the field, the rate decides
        if home[i]:
            u = _unit(key, salts[SALT_ONSET])
            # The draw's quarter names the only field whose band [f/4, f/4 + bound) can
            # hold it (bounds are at most max_onset <= 1/4); u * 4 and f / 4 are exact.
            field = int(u * N_FIELDS)
            offset = u - field / N_FIELDS
            if (
                field >= first_field
                and offset < highest[field, y]
                and offset < ff[FF_BOUND, field]
                and sev[field, i] == 0
            ):
                rate = -1.0
                if field == CARE:
                    if y >= care_from:
                        rate = min(care[sex[i], y], fp[FP_MAX_ONSET])
                elif field == DISABILITY:
                    rate = disability[y]
                else:
                    f = house[hh[i]]
                    with_kids = (f & HH_KIDS) != 0
                    single_parent = with_kids and (f & (HH_ADULT | HH_ADULTS)) == HH_ADULT
                    woman = sex[i] == FEMALE
                    if field == CHILDCARE:
                        parent = (
                            role[i] == ROLE_HEAD
                            and y >= ADULT_AGE
                            and with_kids
                            and (woman or single_parent)
                        )
                        born = (f & HH_NEWBORN) != 0
                        mother = born and woman and y >= FERTILE_FROM and y < FERTILE_BELOW
                        if parent or mother:
                            rate = fp[FP_CHILDCARE_SINGLE] if single_parent else fp[FP_CHILDCARE]
                            if mother:
                                rate = max(rate, fp[FP_AT_BIRTH])
                    elif y >= ADULT_AGE:
                        rate = poverty[y] * (
                            fp[FP_NOT_WORKING]
                            if y < OLD_AGE and y >= NOT_WORKING_FROM and not working[i]
                            else 1.0
                        )
                        rate *= (
                            fp[FP_SINGLE_PARENT] if single_parent and role[i] == ROLE_HEAD else 1.0
                        )
                        alone = (f & (HH_MEMBER | HH_MEMBERS)) == HH_MEMBER
                        rate *= fp[FP_ALONE_ELDERLY] if y >= OLD_AGE and alone else 1.0
                        rate = min(rate, fp[FP_MAX_ONSET])
                if offset < rate:
                    sev[field, i] = 1
                    onset_m[field, i] = month
                    counts[C_ONSETS + field] += 1
        # ---- withdrawal, 15-64; past 64 it is no longer counted (the dead's neither)
        if alive[i] and y >= WITHDRAWAL_FROM and y < OLD_AGE:
            uw = _unit(key, salts[SALT_WITHDRAWAL])
            if sev[WITHDRAWAL, i] == 0:
                if uw < fp[FP_W_ONSET]:
                    sev[WITHDRAWAL, i] = 1
                    onset_m[WITHDRAWAL, i] = month
                    counts[C_WITHDRAWAL_ONSETS] += 1
            elif uw < (fp[FP_W_EXIT_SUPPORTED] if supported[WITHDRAWAL, i] else fp[FP_W_EXIT]):
                _end_one(WITHDRAWAL, i, sev, onset_m, supported, known, assistance, counts)
        elif y >= OLD_AGE and sev[WITHDRAWAL, i] > 0:
            _end_one(WITHDRAWAL, i, sev, onset_m, supported, known, assistance, counts)
        if not alive[i]:
            continue
        # ---- change in existing needs, field by field
        if max(sev[CARE, i], sev[DISABILITY, i], sev[CHILDCARE, i], sev[POVERTY, i]) <= 0:
            continue
        esc_mult = fp[FP_ESC_ISOLATED] if isolated[i] else 1.0
        esc_mult *= fp[FP_ESC_ATTENDING] if venue[i] >= 0 else 1.0
        joint = fp[FP_JOINT] if case_joint[i] else 1.0
        crisis_any = False
        for field in range(N_FIELDS):
            s = sev[field, i]
            if s <= 0:
                continue
            w = _unit(key, salts[SALT_CHANGE + field])
            sup = supported[field, i]
            esc = ff[FF_ESCALATION, field] * esc_mult * (fp[FP_ESC_SUPPORTED] if sup else 1.0)
            if field == POVERTY and assistance[i]:
                imp = 0.0 if frozen else fp[FP_IMP_ASSISTANCE]
            else:
                imp = ff[FF_IMPROVEMENT, field]
            imp = imp * (quality[district[i], field] * joint) if sup else 0.0
            res = ff[FF_RESOLUTION, field] if not sup and s == 1 else 0.0
            if field == POVERTY and sup and assistance[i] and w < imp and not frozen:
                sev[field, i] = 1
                s = 1
            if field == DISABILITY and not sup and y < OLD_AGE and s == 1:
                res = fp[FP_DIS_RECOVERY]
            down = w < imp + res
            top = s == MAX_SEVERITY and not sup
            crisis = top and w >= fp[FP_CRISIS_FROM]
            if down:
                ends = s == 1
                if field == CARE:
                    ends = False
                elif field == DISABILITY:
                    ends = ends and y < OLD_AGE and res > 0
                if ends:
                    _end_one(field, i, sev, onset_m, supported, known, assistance, counts)
                elif s > 1 or field > DISABILITY:
                    sev[field, i] = s - 1
            elif not top and s < MAX_SEVERITY and w >= 1.0 - esc:
                sev[field, i] = s + 1
            if crisis:
                counts[C_CRISES + field] += 1
                if alive[i]:  # not dead already of an earlier field's crisis
                    crisis_any = True
                    lethal = ff[FF_CRISIS_DEATH, field]
                    dies = (w - fp[FP_CRISIS_FROM]) / fp[FP_CRISIS_SPAN] < lethal
                    if dies and not frozen:
                        alive[i] = False
                        crisis_any = False
                        died[lo + n_died] = i
                        n_died += 1
        if crisis_any and _unit(key, salts[SALT_TO_COUNTER]) < fp[FP_CRISIS_KNOWN]:
            emerg[lo + n_emerg] = i
            n_emerg += 1
    counts[C_DEATHS] = n_died
    counts[C_EMERG] = n_emerg
    return counts


def _month_loop(*args: np.ndarray) -> None:
    """:func:`month_numpy` compiled: households flagged, then spans of residents.

    The spans' counts are added up and their deaths and emergencies put one after the
    other, so both lists stay in resident order whatever the number of spans.
    """
    arg = dict(zip(_MONTH_ARGS, args, strict=True))
    counts, died, emerg = arg["counts"], arg["died"], arg["emerg"]
    house = _households(
        arg["alive"], arg["hh"], arg["years"], arg["age_m"], int(arg["ip"][IP_HOUSEHOLDS])
    )
    parts = kernels.spans(arg["pid"].size)
    # The span takes month_numpy's arguments but the counts, which it returns.
    inputs = args[: _MONTH_ARGS.index("counts")]
    by_span = kernels.over_spans(_month_span, parts, house, *inputs, died, emerg)
    for span in by_span:
        counts += span
    counts[C_DEATHS] = kernels.packed(died, parts, [int(s[C_DEATHS]) for s in by_span]).size
    counts[C_EMERG] = kernels.packed(emerg, parts, [int(s[C_EMERG]) for s in by_span]).size


_MONTH_ARGS = tuple(inspect.signature(month_numpy).parameters)  # the names of its arguments


def month(*args: np.ndarray) -> None:
    """One month of needs (arguments as :func:`month_numpy`), compiled when Numba is on."""
    if kernels.USE_NUMBA:
        _month_loop(*args)
    else:
        month_numpy(*args)
