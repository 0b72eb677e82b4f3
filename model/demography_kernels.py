"""The month's aging, deaths and moves out in three sweeps, compiled or in NumPy.

:func:`age_and_exit_arrays` is the whole of :func:`model.demography.age_and_exit` over
the resident columns: everyone alive ages a month; one uniform per resident (the
``exit`` stream's hash of its ``pid``) decides death, an exchange move or a net move;
a moving head takes the household along. With Numba it is three compiled passes (ages
and counts; draws; who leaves) over spans of residents, in threads in a large town;
:func:`age_and_exit_numpy` is its bit-identical NumPy twin (the same comparisons of the
same float64 sums), which runs with ``KYOSEI_NUMBA=0``. ``tests/test_kernels_demog.py``
checks the two against each other.

The births' sweeps live here too (the fertile women and whether each has a partner,
:func:`fertile_women`; each one's chance this month, :func:`birth_chances`), and the
life expectancy of a monthly death-probability row (:func:`life_years`) that the yearly
mortality level is solved with; each has its NumPy twin
(``tests/test_kernels_demog2.py``, ``tests/test_kernels_demog3.py``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from . import kernels
from .kernels import PAIRWISE_BLOCK, PAIRWISE_LANES
from .population import ADULT_AGE, FEMALE, MALE, ROLE_CHILD, ROLE_HEAD

STAY, DIES, EXCHANGE, NET = 0, 1, 2, 3  # what one resident's draw decided
KIND_STAYS, KIND_EXCHANGE, KIND_NET = 0, 1, 2  # how a household (or person) leaves: net wins


@dataclass
class Exits:
    """What a month's aging and exits counted (all counts are int64 arrays).

    ``life_exposure`` and ``life_deaths`` are by ``sex * top + min(years, top - 1)``
    (:mod:`model.lifetable`'s layout); ``band_exposure`` and ``band_out`` by migration
    band; ``exchange`` the indices, in order, of everyone leaving by an exchange move.
    """

    life_exposure: np.ndarray
    life_deaths: np.ndarray
    band_exposure: np.ndarray
    band_out: np.ndarray
    exchange: np.ndarray
    deaths: int
    leavers: int


def age_and_exit_numpy(
    age_m: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    alive: np.ndarray,
    hh: np.ndarray,
    u: np.ndarray,
    n_hh: int,
    max_age_m: int,
    death: np.ndarray,
    move_out: np.ndarray,
    net_out: np.ndarray,
    band_of_year: np.ndarray,
    top: int,
) -> Exits:
    """Age the living, draw exits with uniforms ``u``, mark leavers dead (in place)."""
    np.add(age_m, 1, out=age_m, where=alive)
    np.minimum(age_m, max_age_m, out=age_m)
    years = age_m // 12
    n_bands = int(band_of_year.max()) + 1 if band_of_year.size else 0
    cell = sex.astype(np.intp) * top + np.minimum(years, top - 1)
    life_exposure = np.bincount(cell[alive], minlength=2 * top)[: 2 * top]
    band = band_of_year[years]
    band_exposure = np.bincount(band[alive], minlength=n_bands)[:n_bands]
    # Heads and partners decide for their household; adult children decide for themselves.
    head = role == ROLE_HEAD
    mover = head | ((role == ROLE_CHILD) & (years >= ADULT_AGE))
    # A net move is decided once per household: a couple shares the rate of its band.
    heads_per_hh = np.bincount(hh[alive & head], minlength=n_hh)
    q_death = death[sex, age_m]
    q_out = np.where(mover, move_out[years], 0.0)
    sharing = np.where(head, np.maximum(heads_per_hh[hh], 1), 1)
    q_net = np.where(mover, net_out[years] / sharing, 0.0)
    dies = alive & (u < q_death)
    exchange = alive & ~dies & (u < q_death + q_out)
    net = alive & ~dies & ~exchange & (u < q_death + q_out + q_net)
    # A moving head takes the household along: everyone in it who is not dying, by the
    # head's kind of move (a net move wins if both happen in one household).
    hh_kind = np.zeros(n_hh, dtype=np.int8)
    hh_kind[hh[exchange & head]] = KIND_EXCHANGE
    hh_kind[hh[net & head]] = KIND_NET
    own = np.where(net, KIND_NET, exchange * KIND_EXCHANGE)
    kind = np.where(alive & ~dies, np.maximum(hh_kind[hh], own), 0)
    leaves = kind > 0
    alive[dies | leaves] = False
    return Exits(
        life_exposure=life_exposure,
        life_deaths=np.bincount(cell[dies], minlength=2 * top)[: 2 * top],
        band_exposure=band_exposure,
        band_out=np.bincount(band[leaves], minlength=n_bands)[:n_bands],
        exchange=np.flatnonzero(kind == KIND_EXCHANGE),
        deaths=int(np.count_nonzero(dies)),
        leavers=int(np.count_nonzero(leaves)),
    )


@kernels.jit
def _ages_span(
    lo: int,
    hi: int,
    age_m: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    alive: np.ndarray,
    hh: np.ndarray,
    max_age_m: int,
    band_of_year: np.ndarray,
    top: int,
    n_hh: int,
    n_bands: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pass 1 over residents ``[lo, hi)``: ages, exposure, heads per household."""
    life_exposure = np.zeros(2 * top, np.int64)
    band_exposure = np.zeros(n_bands, np.int64)
    heads = np.zeros(n_hh, np.int64)
    start = max(lo, 0)  # a loop from a start known not to be negative: no index checks
    for j in range(min(hi, age_m.size) - start):
        i = start + j
        a = age_m[i] + 1 if alive[i] else age_m[i]
        a = min(a, max_age_m)
        age_m[i] = a
        if not alive[i]:
            continue
        y = a // 12
        life_exposure[sex[i] * top + min(y, top - 1)] += 1
        band_exposure[band_of_year[y]] += 1
        if role[i] == ROLE_HEAD:
            heads[hh[i]] += 1
    return life_exposure, band_exposure, heads


@kernels.jit
def _draws_span(
    lo: int,
    hi: int,
    age_m: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    alive: np.ndarray,
    hh: np.ndarray,
    u: np.ndarray,
    death: np.ndarray,
    move_out: np.ndarray,
    net_out: np.ndarray,
    heads: np.ndarray,
    codes: np.ndarray,
) -> np.ndarray:
    """Pass 2 over ``[lo, hi)``: what each draw decides; how their heads move households."""
    hh_kind = np.zeros(heads.size, np.int8)
    start = max(lo, 0)
    for j in range(min(hi, age_m.size) - start):
        i = start + j
        codes[i] = STAY
        if not alive[i]:
            continue
        ui = u[i]
        a = age_m[i]
        q_death = death[sex[i], a]
        if ui < q_death:
            codes[i] = DIES
            continue
        y = a // 12
        is_head = role[i] == ROLE_HEAD
        if not (is_head or (role[i] == ROLE_CHILD and y >= ADULT_AGE)):
            continue
        q_out = move_out[y]
        sharing = max(heads[hh[i]], 1) if is_head else 1
        q_net = net_out[y] / sharing
        if ui < q_death + q_out:
            codes[i] = EXCHANGE
            if is_head and hh_kind[hh[i]] < KIND_EXCHANGE:
                hh_kind[hh[i]] = KIND_EXCHANGE
        elif ui < q_death + q_out + q_net:
            codes[i] = NET
            if is_head:
                hh_kind[hh[i]] = KIND_NET
    return hh_kind


@kernels.jit
def _leavers_span(
    lo: int,
    hi: int,
    age_m: np.ndarray,
    sex: np.ndarray,
    alive: np.ndarray,
    hh: np.ndarray,
    band_of_year: np.ndarray,
    top: int,
    n_bands: int,
    hh_kind: np.ndarray,
    codes: np.ndarray,
    exchange: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Pass 3 over ``[lo, hi)``: who leaves, and how; exchange movers listed from ``lo``."""
    life_deaths = np.zeros(2 * top, np.int64)
    band_out = np.zeros(n_bands, np.int64)
    n_exchange = 0
    start = max(lo, 0)
    for j in range(min(hi, age_m.size) - start):
        i = start + j
        if not alive[i]:
            continue
        c = codes[i]
        y = min(age_m[i] // 12, top - 1)
        if c == DIES:
            alive[i] = False
            life_deaths[sex[i] * top + y] += 1
            continue
        kind = hh_kind[hh[i]]
        if c == NET:
            kind = KIND_NET
        elif c == EXCHANGE and kind < KIND_EXCHANGE:
            kind = KIND_EXCHANGE
        if kind == KIND_STAYS:
            continue
        alive[i] = False
        band_out[band_of_year[age_m[i] // 12]] += 1
        if kind == KIND_EXCHANGE:
            exchange[start + n_exchange] = i
            n_exchange += 1
    return life_deaths, band_out, n_exchange


def age_and_exit_arrays(
    age_m: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    alive: np.ndarray,
    hh: np.ndarray,
    u: np.ndarray,
    n_hh: int,
    max_age_m: int,
    death: np.ndarray,
    move_out: np.ndarray,
    net_out: np.ndarray,
    band_of_year: np.ndarray,
    top: int,
) -> Exits:
    """Age, decide exits by ``u`` and mark leavers, compiled when ``kernels.USE_NUMBA``.

    ``u`` is one uniform per resident (drawn before aging); the arrays change in place.
    """
    tables = (death, move_out, net_out, band_of_year)
    if not kernels.USE_NUMBA:
        return age_and_exit_numpy(age_m, sex, role, alive, hh, u, n_hh, max_age_m, *tables, top)
    n = age_m.size
    n_bands = int(band_of_year.max()) + 1 if band_of_year.size else 0
    # Three passes over spans of residents (in threads in a large town), joined between
    # them: heads per household are added up before the draws that share a couple's
    # rate, and the households' kinds of move (net wins) before anyone leaves.
    parts = kernels.spans(n)
    first = kernels.over_spans(
        _ages_span, parts, age_m, sex, role, alive, hh, max_age_m, band_of_year, top, n_hh,
        n_bands,
    )  # fmt: skip
    heads = kernels.summed([p[2] for p in first])
    codes = np.empty(n, np.int8)
    kinds = kernels.over_spans(
        _draws_span, parts, age_m, sex, role, alive, hh, u, death, move_out, net_out, heads,
        codes,
    )  # fmt: skip
    hh_kind = functools.reduce(np.maximum, kinds)  # a net move wins over an exchange
    exchange = np.empty(n, np.int64)
    last = kernels.over_spans(
        _leavers_span, parts, age_m, sex, alive, hh, band_of_year, top, n_bands, hh_kind,
        codes, exchange,
    )  # fmt: skip
    out = Exits(
        life_exposure=kernels.summed([p[0] for p in first]),
        life_deaths=kernels.summed([p[0] for p in last]),
        band_exposure=kernels.summed([p[1] for p in first]),
        band_out=kernels.summed([p[1] for p in last]),
        exchange=kernels.packed(exchange, parts, [p[2] for p in last]),
        deaths=0,
        leavers=0,
    )
    out.deaths = int(out.life_deaths.sum())
    out.leavers = int(out.band_out.sum())
    return out


# ---- births: the women who may give birth, and whether each lives with a partner ----
def fertile_women_numpy(
    age_m: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    alive: np.ndarray,
    hh: np.ndarray,
    n_hh: int,
    fertile_from: int,
    fertile_below: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The living women of fertile age, and which of them live with a partner.

    The ages are ``fertile_from``..``fertile_below``-1 in completed years. A woman is
    partnered if she is a head/partner and her household has a living male head/partner.
    Returns the women's indices (in order) and that mask.
    """
    years = age_m // 12
    women = np.flatnonzero(
        alive & (sex == FEMALE) & (years >= fertile_from) & (years < fertile_below)
    )
    men = np.flatnonzero(alive & (sex == MALE) & (role == ROLE_HEAD))
    men_per_hh = np.bincount(hh[men], minlength=n_hh)
    return women, (role[women] == ROLE_HEAD) & (men_per_hh[hh[women]] > 0)


@kernels.jit
def _fertile_loop(
    age_m: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    alive: np.ndarray,
    hh: np.ndarray,
    fertile_from: int,
    fertile_below: int,
    has_man: np.ndarray,
    women: np.ndarray,
    partnered: np.ndarray,
) -> int:
    """:func:`fertile_women_numpy` in two passes; the number of women found.

    The women go into ``women`` and their partner flags into ``partnered``.
    """
    # Pass 1: the women, and which households have a man at their head.
    k = 0
    for i in range(age_m.size):
        if not alive[i]:
            continue
        if sex[i] == FEMALE:
            y = age_m[i] // 12
            if fertile_from <= y < fertile_below:
                women[k] = i
                k += 1
        elif sex[i] == MALE and role[i] == ROLE_HEAD:
            has_man[hh[i]] = True
    # Pass 2: a woman is partnered if she is a head/partner of such a household.
    for j in range(k):
        i = women[j]
        partnered[j] = role[i] == ROLE_HEAD and has_man[hh[i]]
    return k


def fertile_women(
    age_m: np.ndarray,
    sex: np.ndarray,
    role: np.ndarray,
    alive: np.ndarray,
    hh: np.ndarray,
    n_hh: int,
    fertile_from: int,
    fertile_below: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fertile_women_numpy`, compiled when ``kernels.USE_NUMBA``."""
    if not kernels.USE_NUMBA:
        return fertile_women_numpy(age_m, sex, role, alive, hh, n_hh, fertile_from, fertile_below)
    n = age_m.size
    women = np.empty(n, np.int64)
    partnered = np.empty(n, np.bool_)
    k = _fertile_loop(
        age_m, sex, role, alive, hh, fertile_from, fertile_below,
        np.zeros(n_hh, np.bool_), women, partnered,
    )  # fmt: skip
    return women[:k], partnered[:k]


# ---- births: each fertile woman's chance this month --------------------------------------
def _band_factors(
    expected: np.ndarray, denom_p: np.ndarray, nonmarital_ratio: float, n_bands: int
) -> tuple[np.ndarray, np.ndarray]:
    """Multipliers of the partnered and the other women's rates, by band (both paths)."""
    denom_u = expected - denom_p
    share_u = np.where(denom_p > 0, nonmarital_ratio, 1.0)
    k_p = np.divide((1 - share_u) * expected, denom_p, out=np.zeros(n_bands), where=denom_p > 0)
    k_u = np.divide(share_u * expected, denom_u, out=np.zeros(n_bands), where=denom_u > 0)
    return k_p, k_u


def birth_chances_numpy(
    women: np.ndarray,
    partnered: np.ndarray,
    age_m: np.ndarray,
    asfr: np.ndarray,
    nonmarital_ratio: float,
    fertile_from: int,
    width: int,
    n_bands: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The women's completed years and their chance of a birth this month.

    Partnered women bear almost all children: the rates are rescaled within each band of
    ``width`` years so that the band keeps its age-specific rate (``asfr`` by year), and
    a share ``nonmarital_ratio`` of its births goes to the other women.
    """
    women_years = age_m[women] // 12
    base = asfr[women_years]
    band = (women_years - fertile_from) // width
    expected = np.bincount(band, weights=base, minlength=n_bands)
    denom_p = np.bincount(band, weights=base * partnered, minlength=n_bands)
    k_p, k_u = _band_factors(expected, denom_p, nonmarital_ratio, n_bands)
    return women_years, np.minimum(base * np.where(partnered, k_p[band], k_u[band]), 1.0)


@kernels.jit
def _birth_sums(
    women: np.ndarray,
    partnered: np.ndarray,
    age_m: np.ndarray,
    asfr: np.ndarray,
    fertile_from: int,
    width: int,
    years: np.ndarray,
    band: np.ndarray,
    base: np.ndarray,
    expected: np.ndarray,
    denom_p: np.ndarray,
) -> None:  # pragma: no cover - compiled
    # The bands' sums are added in the women's order, as bincount adds its weights.
    for j in range(women.size):
        y = age_m[women[j]] // 12
        b = (y - fertile_from) // width
        years[j] = y
        band[j] = b
        base[j] = asfr[y]
        expected[b] += base[j]
        denom_p[b] += base[j] * partnered[j]


@kernels.jit
def _birth_probs(
    base: np.ndarray, band: np.ndarray, partnered: np.ndarray, k_p: np.ndarray, k_u: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    prob = np.empty(base.size)
    for j in range(base.size):
        prob[j] = min(base[j] * (k_p[band[j]] if partnered[j] else k_u[band[j]]), 1.0)
    return prob


def birth_chances(
    women: np.ndarray,
    partnered: np.ndarray,
    age_m: np.ndarray,
    asfr: np.ndarray,
    nonmarital_ratio: float,
    fertile_from: int,
    width: int,
    n_bands: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`birth_chances_numpy`, compiled when ``kernels.USE_NUMBA``.

    Two passes over the women around the bands' factors, where NumPy makes some fifteen
    calls over them (79k at Okazaki).
    """
    if not kernels.USE_NUMBA:
        return birth_chances_numpy(
            women, partnered, age_m, asfr, nonmarital_ratio, fertile_from, width, n_bands
        )
    n = women.size
    years, band, base = np.empty(n, age_m.dtype), np.empty(n, age_m.dtype), np.empty(n)
    expected, denom_p = np.zeros(n_bands), np.zeros(n_bands)
    _birth_sums(women, partnered, age_m, asfr, fertile_from, width, years, band, base,
                expected, denom_p)  # fmt: skip
    k_p, k_u = _band_factors(expected, denom_p, nonmarital_ratio, n_bands)
    return years, _birth_probs(base, band, partnered, k_p, k_u)


# ---- NumPy's sum, in its order (for the life expectancy below) ---------------------------
# Tasks the walk over the splits may hold: three per level, and 64 levels split any array.
_SPLIT_TASKS = 3 * 64


@kernels.jit
def _block_sum(values: np.ndarray, lo: int, n: int) -> float:  # pragma: no cover - compiled
    """NumPy's sum of at most ``PAIRWISE_BLOCK`` values from ``lo``."""
    if n < PAIRWISE_LANES:
        total = 0.0
        for i in range(lo, lo + n):
            total += values[i]
        return total
    lanes = values[lo : lo + PAIRWISE_LANES].copy()
    full = n - n % PAIRWISE_LANES
    for b in range(PAIRWISE_LANES, full, PAIRWISE_LANES):
        for j in range(PAIRWISE_LANES):
            lanes[j] += values[lo + b + j]
    total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + (
        (lanes[4] + lanes[5]) + (lanes[6] + lanes[7])
    )
    for i in range(full, n):
        total += values[lo + i]
    return total


@kernels.jit
def pairwise_sum(values: np.ndarray, lo: int = 0, n: int = -1) -> float:
    """``values[lo:lo + n].sum()`` as NumPy adds a contiguous float64 row, bit for bit.

    Below 8 values one after the other; up to 128 in eight running sums joined in pairs;
    longer rows split in two (the first part a multiple of 8), each summed alike, and the
    two added. Lets a compiled loop reproduce a NumPy ``sum`` it replaces
    (tests/test_kernels_demog2.py holds it to ``np.sum`` for every length to 300 and beyond
    8192). The splits are walked with a stack, not by recursion: Numba's cache cannot
    load a recursive function (the process crashes).
    """
    if n < 0:
        n = values.size - lo
    if n <= PAIRWISE_BLOCK:
        return _block_sum(values, lo, n)
    # Tasks (start, length, combine?) and the values found so far: a node's value is its
    # first half's plus its second half's, as NumPy's recursion adds them.
    depth = _SPLIT_TASKS
    task_lo = np.empty(depth, np.int64)
    task_n = np.empty(depth, np.int64)
    combine = np.zeros(depth, np.bool_)
    found = np.empty(depth)
    tasks, values_found = 1, 0
    task_lo[0], task_n[0] = lo, n
    while tasks > 0:
        tasks -= 1
        start, length, join = task_lo[tasks], task_n[tasks], combine[tasks]
        if join:
            values_found -= 1
            found[values_found - 1] = found[values_found - 1] + found[values_found]
        elif length <= PAIRWISE_BLOCK:
            found[values_found] = _block_sum(values, start, length)
            values_found += 1
        else:
            half = length // 2
            half -= half % PAIRWISE_LANES
            # Pushed in reverse: the first half is summed first, then the second, then joined.
            task_lo[tasks], task_n[tasks], combine[tasks] = start, length, True
            task_lo[tasks + 1], task_n[tasks + 1], combine[tasks + 1] = (
                start + half,
                length - half,
                False,
            )
            task_lo[tasks + 2], task_n[tasks + 2], combine[tasks + 2] = start, half, False
            tasks += 3
    return found[0]


# ---- life expectancy of a monthly death-probability row ------------------------------
def life_years_numpy(q: np.ndarray) -> float:
    """Expected years lived from the row's start, by ``q`` the chance of dying each month.

    Survivors at each month's end are the running product of ``1 - q``; a month counts
    the mean of its start's and end's survivors (deaths fall mid-month).
    """
    survivors = np.cumprod(1.0 - q)
    alive_at_start = np.concatenate([[1.0], survivors[:-1]])
    return float(((alive_at_start + survivors) / 2.0).sum() / 12.0)


@kernels.jit
def _life_years_loop(q: np.ndarray) -> float:  # pragma: no cover - compiled
    # The same products in the same order as cumprod, and NumPy's sum's order.
    months = np.empty(q.size)
    before = 1.0
    for i in range(q.size):
        after = (1.0 - q[i]) if i == 0 else before * (1.0 - q[i])
        months[i] = (before + after) / 2.0
        before = after
    return pairwise_sum(months) / 12.0


def life_years(q: np.ndarray) -> float:
    """:func:`life_years_numpy`, compiled when ``kernels.USE_NUMBA``.

    The yearly mortality level is found by bisection, 60 steps a sex, each a life
    expectancy of a 1,453-month row: some 2.3 ms at the turn of each calendar year in
    NumPy's small calls.
    """
    if kernels.USE_NUMBA:
        return float(_life_years_loop(q))
    return life_years_numpy(q)
