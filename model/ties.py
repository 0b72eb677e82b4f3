"""Social ties by kind, and isolation.

Each resident holds a count of ties outside the household per kind (``TIE_KINDS``):

* 血縁 kin — structural: parents' or children's households in town, counted while
  the family keeps regular contact (that habit thins by a calendar trend);
* 地縁 neighbour — formed with age and time in the district, thinned by a calendar
  trend (共同体機能の脆弱化) and slower for newcomers;
* 社縁 work — formed while in work, lost fast after retirement;
* 関心縁 interest — formed at venues and groups (第4の縁);
* 課題縁 issue — formed by people with needs at venues and issue groups.

Once a month one draw per resident decides whether one tie is lost (the kind in
proportion to its loss hazard) or one gained (the kind in proportion to its gain
rate). A resident with no family or friend outside the household — no kin,
neighbour, interest or issue tie; colleagues do not count — is *isolated*, as the
national survey asks ("no face-to-face contact with non-cohabiting family or
friends"). Loneliness is a resident state: residents become lonely and get over it
at monthly rates whose balance is the 2022 survey's shares for people with no one to
consult (isolated) and the others, so it follows isolation with a lag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import kernels
from .parameters import param
from .population import AGE_YEARS, EPS, PERCENT, TIE_KINDS
from .rates import band_values, poisson_capped
from .ties_kernels import (
    FRIEND_KINDS,
    INTEREST,
    INTEREST_GAIN,
    INTEREST_LOSS_NOT,
    INTEREST_LOSS_TAKING_PART,
    ISSUE,
    ISSUE_GAIN,
    ISSUE_LOSS,
    KIN,
    NEIGHBOUR,
    NEIGHBOUR_LOSS,
    WORK,
    WORK_GAIN,
    WORK_LOSS_IN_WORK,
    WORK_LOSS_OUT_OF_WORK,
    _children_out,
    _month_loop,
    _stamp_loop,
    tie_changes_numpy,
)
from .ties_kernels import resident_rates as resident_rates  # the rule, for callers of ties

if TYPE_CHECKING:
    from .core import CommunityModel

NEIGHBOUR_BANDS = (0, 18, 40, 65, 80)
MAX_TIES = 8
_NEIGHBOUR_BAND_OF_YEAR = np.searchsorted(NEIGHBOUR_BANDS, np.arange(AGE_YEARS), "right") - 1


@dataclass(frozen=True)
class TiesParams:
    """Formation and loss of ties; loneliness given isolation."""

    neighbour_gain: tuple[float, ...] = param(
        (0.006, 0.006, 0.013, 0.022, 0.015),
        unit="per month, ages 0,18,40,65,80+",
        source="calibrated: [cao-kodoku-honbu-2024] no contact outside the household ≈ 9 %",
        lo=0,
        hi=1,
        length=5,
    )
    neighbour_loss: float = param(0.010, unit="per tie per month", source="assumption", lo=0, hi=1)
    neighbour_trend: float = param(
        -0.5,
        unit="%/yr change in neighbour-tie formation",
        lo=-50,
        hi=50,
        source="assumption ([seed-deck] slide 8: 地縁 weakening)",
        ja="地縁の変化率",
        en="Neighbour-tie trend",
    )
    newcomer_factor: float = param(
        0.5,
        unit="multiplier on neighbour ties in the first 3 years",
        source="assumption",
        lo=0,
        hi=1,
    )
    work_gain: float = param(0.030, unit="per month in work", source="assumption", lo=0, hi=1)
    work_loss: tuple[float, ...] = param(
        (0.015, 0.06),
        unit="per tie per month, in work / not in work",
        source="assumption",
        lo=0,
        hi=1,
        length=2,
    )
    interest_gain: float = param(
        0.12, unit="per month attending a venue or in a group", source="assumption", lo=0, hi=1
    )
    interest_loss: tuple[float, ...] = param(
        (0.010, 0.040),
        unit="per tie per month, still taking part / not",
        source="assumption",
        lo=0,
        hi=1,
        length=2,
    )
    issue_gain: float = param(
        0.10,
        unit="per month, people with needs in issue groups or venues",
        source="assumption (Kurume: 課題縁)",
        lo=0,
        hi=1,
    )
    issue_loss: float = param(0.02, unit="per tie per month", source="assumption", lo=0, hi=1)
    arrive_near_kin: float = param(
        0.3,
        unit="share of newcomers who move to be near family",
        source="assumption",
        lo=0,
        hi=1,
    )
    kin_contact: float = param(
        0.80,
        unit="share of families in regular contact with kin in town",
        source="assumption",
        lo=0,
        hi=1,
    )
    kin_trend: float = param(
        -0.5,
        unit="%/yr change in kin contact",
        source="assumption ([seed-deck] slide 8: 血縁 weakening)",
        lo=-50,
        hi=50,
    )
    lonely_isolated: float = param(
        0.195,
        unit="share lonely often/always among people with no one to consult (the balance "
        "of becoming and ceasing to be lonely while isolated)",
        source="[mhlw-whitepaper-2023] 19.5 % (2022 survey)",
        lo=0,
        hi=1,
    )
    lonely_connected: float = param(
        0.032,
        unit="share lonely often/always among the others (balance while connected)",
        source="[mhlw-whitepaper-2023] 3.2 % (2022 survey)",
        lo=0,
        hi=1,
    )
    lonely_months: float = param(
        12.0,
        unit="months a spell of loneliness lasts on average",
        source="assumption (loneliness persists for months rather than weeks)",
        lo=1,
        hi=240,
    )
    kin_ties_max: int = param(
        3,
        unit="most kin ties a resident has with family living elsewhere in town",
        source="assumption",
        lo=0,
        hi=8,
    )
    newcomer_months: int = param(
        36,
        unit="months after arrival a resident counts as a newcomer (fewer neighbour ties gained)",
        source="assumption",
        lo=0,
        hi=240,
    )
    arrival_work_ties: float = param(
        1.5, unit="mean work ties of a working newcomer", source="assumption", lo=0, hi=8
    )
    arrival_neighbour_ties: float = param(
        0.5, unit="mean neighbour ties of a newcomer", source="assumption", lo=0, hi=8
    )
    loss_max: float = param(
        0.5,
        unit="highest monthly chance of losing a tie (the sum of the loss rates is capped)",
        source="assumption",
        lo=0,
        hi=1,
    )


def _banded(years: np.ndarray, values: tuple[float, ...]) -> np.ndarray:
    return band_values(NEIGHBOUR_BANDS, values, years, zero_below=False)


def _keeps_kin_contact(model: CommunityModel, idx: slice | np.ndarray) -> np.ndarray:
    """Whether each resident keeps regular contact with kin in town this year.

    One draw per resident per year, so a resident who leaves home mid-year gets the
    same answer the year-end recount will give.
    """
    r = model.residents
    contact = kin_contact_share(model.params.ties, model.month)
    return model.streams["kin_contact"].uniform(r.pid[idx], model.month // 12) < contact


def kin_contact_share(p: TiesParams, month: int) -> float:
    """Share of families in regular contact with kin in town in ``month`` (with its trend)."""
    year = max(month, 0) / 12.0
    return float(p.kin_contact * (1 + p.kin_trend / PERCENT) ** year)


def kin_ties(model: CommunityModel, idx: slice | np.ndarray = slice(None)) -> np.ndarray:
    """Kin households in town residents ``idx`` keep in regular contact with (0..3)."""
    r, p = model.residents, model.params.ties
    n_hh = model.households.n
    linked = r.alive & (r.origin_hh >= 0)
    children_out = np.bincount(r.origin_hh[linked], minlength=n_hh)
    parents_in_town = (r.origin_hh[idx] >= 0).astype(np.int64)
    count = np.minimum(children_out[r.hh[idx]] + parents_in_town, p.kin_ties_max)
    return np.where(_keeps_kin_contact(model, idx), count, 0)


def left_home(model: CommunityModel, leavers: np.ndarray) -> None:
    """Young adults who just left the parental home keep their parents as kin in town.

    Without this they would count as having no kin until the year-end recount, and the
    isolation series would rise and fall within every year.
    """
    r = model.residents
    r.ties[KIN, leavers] = _keeps_kin_contact(model, leavers)


def rate_table(
    p: TiesParams, month: int, dtype: type[np.floating] = np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """The month's rate constants, in ``dtype``: neighbour gain, and the other rates.

    The first array is the neighbour-tie gain by ``newcomer * AGE_YEARS + years``
    (settled residents first, then newcomers at ``newcomer_factor`` of it), with the
    calendar trend of the month; the second holds the other rates in the order of
    ``WORK_GAIN`` … ``ISSUE_LOSS``. :func:`resident_rates` turns them into one
    resident's rates.
    """
    year = max(month, 0) / 12.0
    trend = (1 + p.neighbour_trend / PERCENT) ** year
    by_age = np.asarray(p.neighbour_gain)[_NEIGHBOUR_BAND_OF_YEAR]
    settled = by_age * trend
    neighbour = np.concatenate([settled, settled * p.newcomer_factor]).astype(dtype)
    other = np.array(
        [
            p.work_gain,
            p.interest_gain,
            p.issue_gain,
            p.neighbour_loss,
            *p.work_loss,
            *p.interest_loss,
            p.issue_loss,
        ]
    ).astype(dtype)
    return neighbour, other


def rates(
    model: CommunityModel,
    taking_part: np.ndarray,
    in_need: np.ndarray,
    dtype: type[np.floating] = np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    """Monthly gain rate and loss hazard per tie, by kind (each kinds × n, in ``dtype``).

    :func:`resident_rates` applied to every resident at once: the start
    (:func:`initialise`, float64) and the NumPy month (float32) take them from here.
    """
    r = model.residents
    neighbour, other = rate_table(model.params.ties, model.month, dtype)
    gain = np.zeros((len(TIE_KINDS), r.n), dtype)
    newcomer = (model.month - r.arrival_m) < model.params.ties.newcomer_months
    gain[NEIGHBOUR] = neighbour[np.where(newcomer, AGE_YEARS, 0) + model.snap.years]
    np.multiply(r.working, other[WORK_GAIN], out=gain[WORK])
    np.multiply(taking_part, other[INTEREST_GAIN], out=gain[INTEREST])
    np.multiply(taking_part & in_need, other[ISSUE_GAIN], out=gain[ISSUE])
    loss = np.zeros((len(TIE_KINDS), r.n), dtype)
    loss[NEIGHBOUR] = other[NEIGHBOUR_LOSS]
    loss[WORK] = np.where(r.working, other[WORK_LOSS_IN_WORK], other[WORK_LOSS_OUT_OF_WORK])
    loss[INTEREST] = np.where(
        taking_part, other[INTEREST_LOSS_TAKING_PART], other[INTEREST_LOSS_NOT]
    )
    loss[ISSUE] = other[ISSUE_LOSS]
    return gain, loss


def initialise(model: CommunityModel) -> None:
    """Starting ties at each kind's balance of gains and losses (Poisson).

    Recent arrivals too: in a frozen town (the warm-up) time since arrival stands still,
    so a newcomer's ties settle at the balance of a newcomer's rates (neighbour ties
    formed ``newcomer_factor`` as fast), which is where they start. Starting them with
    an arrival's ties instead left a stock that relaxes at the neighbour-tie loss rate
    (about 100 months), longer than the warm-up.
    """
    r = model.residents
    # Venues, groups, volunteers and needs are drawn first: interest and issue ties start
    # at the balance for those who take part (not at zero, to be rebuilt in the warm-up).
    in_need = (r.sev > 0).any(axis=0)
    gains, losses = rates(model, taking_part(model), in_need)
    mean = np.divide(gains, losses, out=np.zeros_like(gains), where=losses > 0)
    gen = model.streams["ties_init"].generator(0)
    r.ties[:] = np.minimum(gen.poisson(mean), MAX_TIES)
    r.ties[KIN] = kin_ties(model)
    _start_lonely(model, np.flatnonzero(r.alive))


def _lonely_share(model: CommunityModel, idx: np.ndarray) -> np.ndarray:
    """The balance share of loneliness for residents ``idx`` given their isolation."""
    p = model.params.ties
    iso = isolated_mask(model.residents.ties[:, idx])
    return np.where(iso, p.lonely_isolated, p.lonely_connected)


def _start_lonely(model: CommunityModel, idx: np.ndarray) -> None:
    """Loneliness at its balance share for residents who just appeared."""
    r = model.residents
    u = model.streams["lonely_start"].uniform(r.pid[idx], model.month)
    r.lonely[idx] = u < _lonely_share(model, idx)


def loneliness(model: CommunityModel) -> None:
    """One month of becoming lonely and getting over it (one draw per resident).

    A spell lasts ``lonely_months`` on average; onset is set so that each state's
    balance, onset / (onset + recovery), is the survey's share for it — so loneliness
    follows a change in isolation with a lag instead of being a formula of it.
    """
    r = model.residents
    recover, onset_isolated, onset_connected = lonely_rates(model.params.ties)
    onset = np.where(isolated_mask(r.ties), onset_isolated, onset_connected)
    u = model.streams["lonely"].uniform(r.pid, model.month)  # the living residents' draws
    np.copyto(r.lonely, np.where(r.lonely, u >= recover, u < onset), where=r.alive)


def lonely_rates(p: TiesParams) -> tuple[float, float, float]:
    """Monthly chances of getting over loneliness, and of becoming lonely (isolated or not)."""
    recover = 1.0 / p.lonely_months
    onset_isolated, onset_connected = (
        recover * share / max(1.0 - share, EPS) for share in (p.lonely_isolated, p.lonely_connected)
    )
    return recover, onset_isolated, onset_connected


def arrive(model: CommunityModel, new: slice | np.ndarray) -> None:
    """Newcomers start with few local ties.

    Colleagues if they are in work, a neighbour or two, and some move to be near family.
    """
    r, p = model.residents, model.params.ties
    r.ties[:, new] = 0
    # One draw of each kind per newcomer, keyed by who they are: the month's several
    # groups of arrivals (exchange, returners, others, from abroad) draw independently.
    stream, keys, month = model.streams["ties_arrive"], r.pid[new], model.month
    work = poisson_capped(stream.uniform(keys, month, k=0), p.arrival_work_ties, MAX_TIES)
    r.ties[WORK, new] = np.where(r.working[new], work, 0)
    neighbour = stream.uniform(keys, month, k=1)
    r.ties[NEIGHBOUR, new] = poisson_capped(neighbour, p.arrival_neighbour_ties, MAX_TIES)
    r.ties[KIN, new] = stream.uniform(keys, month, k=2) < p.arrive_near_kin
    # The newcomers' indices, without a range over the whole town (three times a month).
    idx = np.arange(*new.indices(r.n)) if isinstance(new, slice) else np.arange(r.n)[new]
    _start_lonely(model, idx)


def update(model: CommunityModel) -> None:
    """One month of tie loss and formation (one draw per resident), kin and loneliness.

    A resident with total loss hazard H loses one tie with chance H (the monthly hazards
    here are small, so H ≈ 1 - e^-H without an exponential over every resident); the
    top of the same draw gains one tie at the total gain rate. The kind lost or gained
    is chosen by where the draw falls, in proportion to each kind's share. Kin are then
    recounted for a twelfth of the town (:func:`kin_ties`), the residents who found a
    friend again are counted (``tally.reconnected``), and loneliness takes its month
    (:func:`loneliness`). Compiled, all of it is one pass over the residents
    (:func:`_month_loop`); the NumPy path (:func:`_update_numpy`) gives the same
    results.
    """
    if not kernels.USE_NUMBA:
        _update_numpy(model)
        return
    r, p = model.residents, model.params.ties
    neighbour, other = rate_table(p, model.month, np.float32)
    streams = model.streams
    salts = np.array(
        [
            streams["ties"]._salt(model.month, 0),
            streams["kin_contact"]._salt(model.month // 12, 0),
            streams["lonely"]._salt(model.month, 0),
        ],
        np.uint64,
    )
    recover, onset_isolated, onset_connected = lonely_rates(p)
    children_out = _children_out(r.alive, r.origin_hh, model.households.n)
    model.tally.reconnected += sum(
        kernels.over_spans(
            _month_loop,
            kernels.spans(r.n),
            r.ties,
            r.sev,
            r.age_m,
            r.arrival_m,
            r.working,
            r.venue,
            r.org,
            r.volunteer,
            r.alive,
            r.pid,
            r.hh,
            r.origin_hh,
            r.lonely,
            children_out,
            neighbour,
            other,
            salts,
            model.month,
            model.month % 12,
            p.newcomer_months,
            np.float32(p.loss_max),
            MAX_TIES,
            p.kin_ties_max,
            kin_contact_share(p, model.month),
            recover,
            onset_isolated,
            onset_connected,
        )
    )


def _update_numpy(model: CommunityModel) -> None:
    """:func:`update` in NumPy passes over whole columns."""
    r, p = model.residents, model.params.ties
    t = r.ties
    part = taking_part(model)
    in_need = (r.sev > 0).any(axis=0)
    was_isolated = isolated(model)
    gain, loss = rates(model, part, in_need, np.float32)
    u = model.streams["ties"].uniform(r.pid, model.month)
    tie_changes_numpy(t, gain, loss, u, r.alive, np.float32(p.loss_max), MAX_TIES)
    # Kin are recounted once a year per resident, a twelfth of the town each month, so
    # deaths and moves of kin and the falling contact trend show up smoothly rather
    # than as a step every January.
    due = np.flatnonzero(r.pid % 12 == model.month % 12)
    t[KIN, due] = kin_ties(model, due)
    now_connected = ~isolated_mask(t)
    model.tally.reconnected += int(np.count_nonzero(was_isolated & now_connected))
    loneliness(model)


def taking_part(model: CommunityModel) -> np.ndarray:
    """Living residents taking part in a venue, a group or volunteering this month."""
    r = model.residents
    part = r.venue >= 0
    part |= r.org >= 0
    part |= r.volunteer
    part &= r.alive
    return part


def stamp_taking_part(model: CommunityModel) -> None:
    """Stamp the residents taking part (:func:`taking_part`) with the month."""
    r = model.residents
    if kernels.USE_NUMBA:
        _stamp_loop(r.venue, r.org, r.volunteer, r.alive, r.last_part_m, model.month)
    else:
        np.putmask(r.last_part_m, taking_part(model), model.month)


def isolated_mask(ties: np.ndarray) -> np.ndarray:
    """No family or friend outside the household, from a ties array (kinds × residents)."""
    friends = ties[FRIEND_KINDS[0]].copy()
    for kind in FRIEND_KINDS[1:]:
        friends |= ties[kind]  # tie counts are never negative: 0 only if every kind is 0
    return friends == 0


def isolated(model: CommunityModel) -> np.ndarray:
    """Living residents with no family or friend outside their household.

    Work ties aside: the statistic's 'no face-to-face contact with non-cohabiting family
    or friends'.
    """
    r = model.residents
    return r.alive & isolated_mask(r.ties)
