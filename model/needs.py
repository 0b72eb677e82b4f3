"""Needs in four fields — 高齢・障害・子育て・生活困窮 — and social withdrawal.

Each resident has a severity per field (0 none, 1 mild, 2 moderate, 3 severe). Each
month, with one draw per resident for onset and one per resident in need for change:

* **onset** by age, sex and household situation (care rises steeply after 75;
  hardship with being out of work, single parenthood and living alone; child-rearing
  needs with young children; disability at all ages);
* **escalation** while unmet (faster when isolated, slower for venue regulars), up to
  **crisis** events at the top severity — some crises end in death, some bring the
  person to a counter as an emergency;
* **improvement or maintenance** while supported; needs that can end (hardship,
  child-rearing, some disability) resolve at a rate, faster with support. Elderly
  care is maintained, not resolved.

Social withdrawal (ひきこもり) is a separate state of people 15-64: it cuts help-seeking
and ties, and with a parent of 80+ in the household it makes an 8050 case.

Public assistance (生活保護) is long-term support of a hardship need; its share of the
population is a calibration target (about 1.6 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import needs_kernels as nk
from .needs_kernels import (
    CARE,
    CHILDCARE,
    DISABILITY,
    N_FIELDS,
    POVERTY,
    WITHDRAWAL,
    WITHDRAWAL_FROM,
)
from .parameters import param
from .population import AGE_YEARS, EPS, FEMALE, OLD_AGE, PRESCHOOL_AGE, ROLE_CHILD, ROLE_HEAD, TINY
from .rates import band_values, monthly_chance

if TYPE_CHECKING:
    from .core import CommunityModel

__all__ = ["CARE", "CHILDCARE", "DISABILITY", "N_FIELDS", "POVERTY", "WITHDRAWAL"]
DISABILITY_BANDS = (0, 18, 40, 65, 75)
POVERTY_BANDS = (18, 30, 50, 65)
# Age definitions (structure, not behaviour).
CHILD_50S = 50  # 8050: a child in their 50s ...
CHILD_50S_BELOW = 60
PARENT_80S = 80  # ... and a parent 80+
CARER_FROM = 25  # double care: parents 25-54 raising a child under 6
CARER_BELOW = 55
YEARLY_CAP = 0.99  # a doubled yearly chance stays below 1 (a numerical guard)


@dataclass(frozen=True)
class NeedsParams:
    """Onset, escalation and resolution of needs; social withdrawal."""

    care_onset_65: float = param(
        0.0025,
        unit="onsets per person-year at 65",
        source="calibrated: [mhlw-kaigo-jigyo-2023] care 19 % of 65+",
        lo=0,
        hi=1,
        ja="要介護の発生率（65歳）",
        en="Care-need onset at 65",
    )
    care_onset_slope: float = param(
        0.135,
        unit="per year of age (log scale)",
        source="assumption: certification doubles about every 5 years of age "
        "(介護保険事業状況報告)",
        lo=0,
        hi=1,
    )
    care_onset_female: float = param(
        1.1,
        unit="multiplier for women",
        source="assumption (women's rates are higher at 80+)",
        lo=0,
        hi=5,
    )
    disability_onset: tuple[float, ...] = param(
        (0.0011, 0.0018, 0.0027, 0.0072, 0.0135),
        unit="onsets per person-year, ages 0,18,40,65,75+",
        source="calibrated: [mhlw-shizurasa-2022] disability 9.3 % of all ages, 47 % of them 65+",
        lo=0,
        hi=1,
        length=5,
    )
    disability_recovery: float = param(
        0.010,
        unit="per year, under 65, unsupported",
        source="assumption (mental-health recovery)",
        lo=0,
        hi=1,
    )
    childcare_onset: float = param(
        0.06,
        unit="per parent-year with a child under 12",
        source="assumption",
        lo=0,
        hi=1,
        ja="子育て困難の発生率",
        en="Child-rearing need onset",
    )
    childcare_at_birth: float = param(
        0.12,
        unit="share of births bringing a need to the mother",
        source="assumption",
        lo=0,
        hi=1,
    )
    poverty_onset: tuple[float, ...] = param(
        (0.0030, 0.0022, 0.0028, 0.0030),
        unit="onsets per person-year, ages 18,30,50,65+",
        source="calibrated: [mhlw-hihogosha-2024] public assistance 1.6 %; "
        "[mhlw-jiritsu-soudan] 自立相談 15-24 per 100k per month",
        lo=0,
        hi=1,
        length=4,
    )
    poverty_not_working: float = param(
        3.0, unit="multiplier, adults 20-64 out of work", source="assumption", lo=0, hi=20
    )
    poverty_single_parent: float = param(
        4.0,
        unit="multiplier, single parents",
        source="assumption ([mhlw-kokumin-2022] single-parent poverty 44.5 % vs 15.4 % overall)",
        lo=0,
        hi=20,
    )
    poverty_alone_elderly: float = param(
        1.5, unit="multiplier, 65+ living alone", source="assumption", lo=0, hi=20
    )
    escalation: tuple[float, ...] = param(
        (0.030, 0.015, 0.050, 0.040),
        unit="per month while unmet, by field",
        source="assumption",
        lo=0,
        hi=1,
        length=4,
        ja="未支援時の悪化率",
        en="Escalation if unmet",
    )
    escalation_supported: float = param(
        0.25, unit="multiplier on escalation while supported", source="assumption", lo=0, hi=1
    )
    escalation_isolated: float = param(
        1.4,
        unit="multiplier on escalation for isolated residents",
        source="assumption (isolation compounds needs: [seed-deck] slide 8)",
        lo=0,
        hi=5,
    )
    escalation_attending: float = param(
        0.7,
        unit="multiplier on escalation for venue regulars",
        source="assumption (通いの場: 介護予防 effect)",
        lo=0,
        hi=2,
    )
    improvement: tuple[float, ...] = param(
        (0.010, 0.020, 0.120, 0.080),
        unit="per month while supported, by field",
        source="assumption; hardship: [mhlw-gyosei-review-2024] 43 % gain work or income",
        lo=0,
        hi=1,
        length=4,
    )
    improvement_assistance: float = param(
        0.005,
        unit="per month, hardship on public assistance",
        source="derived from [mhlw-hihogosha-2024]: 1.6 % stock, "
        "~17 new applications per 100k a month",
        lo=0,
        hi=1,
    )
    resolution_unsupported: tuple[float, ...] = param(
        (0.0, 0.0, 0.040, 0.020),
        unit="per month at mild severity, unsupported, by field",
        source="assumption",
        lo=0,
        hi=1,
        length=4,
    )
    assistance_share: tuple[float, ...] = param(
        (0.30, 0.70),
        unit="share of supported hardship that is public assistance, <65 and 65+",
        source="derived from [mhlw-hihogosha-2024]: 55 % of recipient households are elderly",
        lo=0,
        hi=1,
        length=2,
    )
    assistance_initial: float = param(
        0.0162,
        unit="share of residents on public assistance at the start",
        source="[mhlw-hihogosha-2024] 1.62 % (2024)",
        lo=0,
        hi=1,
    )
    crisis: float = param(
        0.04, unit="per month at top severity while unmet", source="assumption", lo=0, hi=1
    )
    crisis_death: tuple[float, ...] = param(
        (0.06, 0.01, 0.0, 0.005),
        unit="share of crises ending in death, by field",
        source="assumption (孤立死, emergency admissions)",
        lo=0,
        hi=1,
        length=4,
    )
    crisis_known: float = param(
        0.6,
        unit="share of crises that bring the person to a counter",
        source="assumption",
        lo=0,
        hi=1,
    )
    withdrawal_onset: float = param(
        0.0022,
        unit="per person-year, ages 15-64",
        source="calibrated: [cao-kodomo-wakamono-2022] withdrawn 2 % of 15-64",
        lo=0,
        hi=1,
    )
    withdrawal_exit: float = param(
        0.08,
        unit="per year, unsupported",
        source="assumption (many withdraw for years)",
        lo=0,
        hi=1,
    )
    withdrawal_exit_supported: float = param(
        0.35, unit="per year, with support", source="assumption", lo=0, hi=1
    )
    care_onset_from: int = param(
        55,
        unit="age (years) from which care needs start",
        source="assumption: 介護保険 certifies people under 65 only for age-related illness",
        lo=0,
        hi=120,
        ja="介護ニーズが生じ始める年齢",
        en="Age from which care needs start",
    )
    childcare_single_parent: float = param(
        2.0,
        unit="multiplier on childcare_onset for single parents",
        source="assumption: single parents meet child-rearing difficulties about twice as often",
        lo=0,
        hi=20,
        ja="ひとり親の子育て困難の発生率（倍）",
        en="Child-rearing need onset of single parents (multiplier)",
    )
    max_onset: float = param(
        0.2,
        unit="highest monthly chance of a new need (below 1/4: four fields share one draw)",
        source="assumption: a cap reached only past 100",
        lo=0,
        hi=0.25,
        ja="ニーズ発生確率の上限（月）",
        en="Highest monthly chance of a new need",
    )
    start_disability_share: float = param(
        0.85,
        unit="share of the cumulative disability hazard still present at the start",
        source="assumption: some disabilities have ended by recovery (set with the warm-up)",
        lo=0,
        hi=1,
        ja="開始時の障害の有病割合（累積発生のうち）",
        en="Share of lifetime disability still present at the start",
    )
    start_months: tuple[float, ...] = param(
        (14.0, 30.0),
        unit="months a child-rearing and a hardship need last on average (the starting stock)",
        source="assumption: set with the warm-up so the stocks start near their balance",
        lo=0,
        hi=240,
        length=2,
        ja="開始時の子育て・生活困窮ニーズの平均継続月数",
        en="Mean months a child-rearing and a hardship need last (start)",
    )
    start_poverty_factor: float = param(
        1.8,
        unit="multiplier on the starting stock of hardship (besides public assistance)",
        source="assumption: hardship lasts longer for some (set with the warm-up)",
        lo=0,
        hi=10,
        ja="開始時の生活困窮ニーズの倍率",
        en="Starting stock of hardship (multiplier)",
    )
    start_severity: tuple[float, ...] = param(
        (0.5, 0.85),
        unit="draw above which a starting need is moderate, and above which severe",
        source="assumption: half mild, a third moderate, 15 % severe",
        lo=0,
        hi=1,
        length=2,
        ja="開始時のニーズの重さの区切り（中等度・重度）",
        en="Cut-offs of the starting needs' severity (moderate, severe)",
    )
    start_onset_months: int = param(
        36,
        unit="months back over which starting needs began",
        source="assumption",
        lo=1,
        hi=240,
        ja="開始時のニーズが始まった期間（月）",
        en="Months over which starting needs began",
    )
    start_known: tuple[float, ...] = param(
        (0.92, 0.88, 0.6, 0.7),
        unit="share of starting needs already known and supported, by field",
        source="assumption: most existing needs are known to a counter; the care and "
        "disability entries are inert (those needs start known and supported: balance_chronic)",
        lo=0,
        hi=1,
        length=4,
        ja="開始時に把握・支援されているニーズの割合（分野別。介護・障害の値は使われない："
        "これらのニーズは開始時にすべて把握・支援されている）",
        en="Share of starting needs known and supported, by field (the care and disability "
        "entries are not used: those needs all start known and supported)",
    )
    assistance_since: int = param(
        120,
        unit="months since the hardship of starting public-assistance recipients began",
        source="assumption: the stock of recipients builds over decades",
        lo=0,
        hi=600,
        ja="開始時の生活保護受給者の困窮の継続月数",
        en="Months starting public-assistance recipients have been in hardship",
    )
    withdrawal_start_months: int = param(
        60,
        unit="months back over which starting spells of withdrawal began",
        source="assumption: spells last years ([cao-kodomo-wakamono-2022])",
        lo=1,
        hi=600,
        ja="開始時のひきこもりが始まった期間（月）",
        en="Months over which starting spells of withdrawal began",
    )


def _banded(edges: tuple[int, ...], values: tuple[float, ...], years: np.ndarray) -> np.ndarray:
    return band_values(edges, values, years)


@dataclass
class NeedsTables:
    """Monthly onset probabilities by age (and sex), derived once from the parameters."""

    care: np.ndarray  # [sex, years]
    disability: np.ndarray  # [years]
    poverty: np.ndarray  # [years]
    childcare: float
    childcare_single: float
    withdrawal_onset: float
    withdrawal_exit: float
    withdrawal_exit_supported: float
    disability_recovery: float

    @classmethod
    def build(cls, p: NeedsParams) -> NeedsTables:
        """Tables for parameters ``p``."""
        years = np.arange(AGE_YEARS, dtype=float)
        care = p.care_onset_65 * np.exp(p.care_onset_slope * (years - float(OLD_AGE)))
        care = np.where(years >= p.care_onset_from, care, 0.0)
        care = np.vstack([care, care * p.care_onset_female])
        return cls(
            care=monthly_chance(care),
            disability=monthly_chance(_banded(DISABILITY_BANDS, p.disability_onset, years)),
            poverty=monthly_chance(_banded(POVERTY_BANDS, p.poverty_onset, years)),
            childcare=float(monthly_chance(p.childcare_onset)),
            childcare_single=float(
                monthly_chance(min(p.childcare_single_parent * p.childcare_onset, YEARLY_CAP))
            ),
            withdrawal_onset=float(monthly_chance(p.withdrawal_onset)),
            withdrawal_exit=float(monthly_chance(p.withdrawal_exit)),
            withdrawal_exit_supported=float(monthly_chance(p.withdrawal_exit_supported)),
            disability_recovery=float(monthly_chance(p.disability_recovery)),
        )


def onset_rates(model: CommunityModel, field: int) -> tuple[np.ndarray, np.ndarray]:
    """Residents at risk of a new need in ``field`` and their monthly onset probability."""
    r, snap, nt = model.residents, model.snap, model.needs_tables
    households = nk.household_counts(r.hh, r.alive, snap.years, r.age_m, model.households.n)
    fp, _ = _packed(model)
    return nk.onset_rate_arrays(
        field, np.arange(r.n), r.sev, r.sex, r.role, r.working, r.hh, snap.years, snap.home,
        *households, snap.sizes, (nt.care, nt.disability, nt.poverty), fp,
        model.params.needs.care_onset_from,
    )  # fmt: skip


def onset_bound(model: CommunityModel, field: int) -> float:
    """The highest monthly onset probability ``field`` can have (for thinning)."""
    p, t = model.params.needs, model.needs_tables
    bound = {
        CARE: float(t.care.max()),
        DISABILITY: float(t.disability.max()),
        CHILDCARE: max(t.childcare_single, t.childcare, p.childcare_at_birth),
        POVERTY: float(t.poverty.max())
        * p.poverty_not_working
        * p.poverty_single_parent
        * p.poverty_alone_elderly,
    }[field]
    return min(bound, p.max_onset)


def initialise(model: CommunityModel) -> None:
    """Starting needs near the model's own steady state (then a warm-up settles the rest).

    Chronic needs (care, disability) start at their cumulative-hazard prevalence by age;
    needs that end start at onset rate × mean duration.
    """
    r, p = model.residents, model.params.needs
    rates = np.zeros((N_FIELDS, r.n))
    for field in range(N_FIELDS):
        idx, rate = onset_rates(model, field)
        rates[field, idx] = rate
    years = model.snap.years.astype(float)
    stream = model.streams["needs_init"]
    u = stream.uniform(r.pid, 0)
    # Care: cumulative hazard from 55 to the current age.
    b = p.care_onset_slope
    from_65 = float(p.care_onset_from - OLD_AGE)
    cum = p.care_onset_65 / b * (np.exp(b * (years - float(OLD_AGE))) - np.exp(b * from_65))
    cum = np.where(years >= p.care_onset_from, cum, 0.0) * np.where(
        r.sex == FEMALE, p.care_onset_female, 1.0
    )
    # The model's mortality does not depend on care need (crises aside), so the cohort
    # prevalence is the cumulative hazard's: the stock the rules sustain as people age.
    has = u < -np.expm1(-cum)
    # Disability: integrate the banded hazard over the years lived (net of recovery).
    edges = np.asarray((*DISABILITY_BANDS, AGE_YEARS), dtype=float)
    lived = np.clip(years[:, None] - edges[None, :-1], 0, np.diff(edges)[None, :])
    cum_d = lived @ np.asarray(p.disability_onset)
    has_d = stream.uniform(r.pid, 0, k=1) < -np.expm1(-cum_d * p.start_disability_share)
    # Ending needs: prevalence ≈ monthly onset × mean months to resolution.
    duration = dict(zip((CHILDCARE, POVERTY), p.start_months, strict=True))
    has_c = stream.uniform(r.pid, 0, k=2) < rates[CHILDCARE] * duration[CHILDCARE]
    has_p = (
        stream.uniform(r.pid, 0, k=3) < rates[POVERTY] * duration[POVERTY] * p.start_poverty_factor
    )
    sev_draw = stream.uniform(r.pid, 0, k=4)
    moderate, severe = p.start_severity
    for field, mask in ((CARE, has), (DISABILITY, has_d), (CHILDCARE, has_c), (POVERTY, has_p)):
        mask &= r.alive
        r.sev[field, mask] = 1 + (sev_draw[mask] > moderate) + (sev_draw[mask] > severe)
        r.onset_m[field, mask] = -(sev_draw[mask] * p.start_onset_months).astype(np.int16)
    # Most existing chronic needs are already known and supported.
    known_share = p.start_known
    k_draw = stream.uniform(r.pid, 0, k=5)
    for field in range(N_FIELDS):
        mask = (r.sev[field] > 0) & (k_draw < known_share[field])
        r.known[field, mask] = True
        r.supported[field, mask] = True
    # Public assistance: recipients drawn in proportion to the hardship onset rate,
    # to the national share of the population (its stock builds over decades).
    weight = rates[POVERTY] * r.alive
    p_pa = p.assistance_initial * r.alive.sum() * weight / max(weight.sum(), TINY)
    on_pa = stream.uniform(r.pid, 0, k=6) < p_pa
    r.sev[POVERTY, on_pa] = np.maximum(r.sev[POVERTY, on_pa], 2)
    r.onset_m[POVERTY, on_pa] = -p.assistance_since
    r.known[POVERTY, on_pa] = True
    r.supported[POVERTY, on_pa] = True
    r.assistance[on_pa] = True
    # Withdrawal: prevalence ≈ onset / exit among 15-64; most of it unknown.
    w_prev = p.withdrawal_onset / max(p.withdrawal_exit, EPS)
    ages_ok = (years >= WITHDRAWAL_FROM) & (years < OLD_AGE) & r.alive
    withdrawn = ages_ok & (stream.uniform(r.pid, 0, k=7) < w_prev)
    r.sev[WITHDRAWAL, withdrawn] = 1
    r.onset_m[WITHDRAWAL, withdrawn] = -(sev_draw[withdrawn] * p.withdrawal_start_months).astype(
        np.int16
    )
    in_facility = model.households.institution[r.hh]
    r.sev[CARE, in_facility] = np.maximum(r.sev[CARE, in_facility], 2)
    r.known[CARE, in_facility] = True
    r.supported[CARE, in_facility] = True


def balance_chronic(model: CommunityModel) -> None:
    """Start care and disability needs at the balance of their rules in a frozen town.

    Before month 0 (and with demography off) nobody ages, so neither need starts; the
    model maintains them rather than resolving them, and support for them never stops
    once it has started. Each unsupported one is therefore, month by month, either found
    or brought forward and supported (or, a mild disability under 65, recovered): the
    stock these rules sustain is every such need known and supported. A long warm-up
    only approaches it (after 120 frozen months small_town had 0 of its 125 unmet care
    needs and 13 of 323 unmet disabilities left, and its counters' queues had swelled
    and drained on the way); starting there needs no new number. Called once, before the
    warm-up, on a synthetic start.
    """
    r = model.residents
    for field in (CARE, DISABILITY):
        has = r.alive & (r.sev[field] > 0)
        r.known[field, has] = True
        r.supported[field, has] = True


def balance_withdrawal(model: CommunityModel) -> None:
    """Set the stock of social withdrawal to the balance of its own rules (after the warm-up).

    A spell lasts about ``1 / withdrawal_exit`` years (12 unsupported): longer than the
    warm-up, so the stock seeded at onset / exit is still settling at month 0 (and would
    fall by itself in a frozen town, 8050 households with it). Each month a resident
    15-64 starts a spell with chance ``o`` and a withdrawn one ends it with chance ``x``
    (faster with support), so the stock the rules sustain is ``o / (o + x̄)`` of the
    residents 15-64, ``x̄`` the mean exit chance of the withdrawn at the end of the warm-up
    (their support as the warm-up left it). Spells are ended, or started (unknown to the
    system), at random to reach that count; no new number is involved.
    """
    r, t = model.residents, model.needs_tables
    years = r.age_m // 12
    at_risk = r.alive & (years >= WITHDRAWAL_FROM) & (years < OLD_AGE)
    withdrawn = at_risk & (r.sev[WITHDRAWAL] > 0)
    if not withdrawn.any():
        return
    exit_p = np.where(r.supported[WITHDRAWAL], t.withdrawal_exit_supported, t.withdrawal_exit)
    x = float(exit_p[withdrawn].mean())
    o = t.withdrawal_onset
    want = round(int(at_risk.sum()) * o / max(o + x, TINY))
    have = int(withdrawn.sum())
    gen = model.streams["needs_init"].generator(0, k=1)
    if have > want:
        cand = np.flatnonzero(withdrawn)
        _end_need(model, WITHDRAWAL, np.sort(gen.choice(cand, size=have - want, replace=False)))
    elif want > have:
        cand = np.flatnonzero(at_risk & ~withdrawn)
        new = np.sort(gen.choice(cand, size=min(want - have, cand.size), replace=False))
        r.sev[WITHDRAWAL, new] = 1
        r.onset_m[WITHDRAWAL, new] = model.month - gen.integers(
            0, model.params.needs.withdrawal_start_months, size=new.size
        )


def _packed(model: CommunityModel) -> tuple[np.ndarray, np.ndarray]:
    """The parameters of the month's kernel: scalars (``nk.FP_*``) and per field (``nk.FF_*``)."""
    p, nt = model.params.needs, model.needs_tables
    fp = np.empty(nk.N_FP)
    fp[nk.FP_MAX_ONSET] = p.max_onset
    fp[nk.FP_CHILDCARE] = nt.childcare
    fp[nk.FP_CHILDCARE_SINGLE] = nt.childcare_single
    fp[nk.FP_AT_BIRTH] = p.childcare_at_birth
    fp[nk.FP_NOT_WORKING] = p.poverty_not_working
    fp[nk.FP_SINGLE_PARENT] = p.poverty_single_parent
    fp[nk.FP_ALONE_ELDERLY] = p.poverty_alone_elderly
    fp[nk.FP_W_ONSET] = nt.withdrawal_onset
    fp[nk.FP_W_EXIT] = nt.withdrawal_exit
    fp[nk.FP_W_EXIT_SUPPORTED] = nt.withdrawal_exit_supported
    fp[nk.FP_ESC_ISOLATED] = p.escalation_isolated
    fp[nk.FP_ESC_ATTENDING] = p.escalation_attending
    fp[nk.FP_ESC_SUPPORTED] = p.escalation_supported
    fp[nk.FP_IMP_ASSISTANCE] = p.improvement_assistance
    fp[nk.FP_JOINT] = model.params.support.joint_improvement
    fp[nk.FP_DIS_RECOVERY] = nt.disability_recovery
    fp[nk.FP_CRISIS_FROM] = 1.0 - p.crisis
    fp[nk.FP_CRISIS_SPAN] = max(p.crisis, TINY)
    fp[nk.FP_CRISIS_KNOWN] = p.crisis_known
    ff = np.empty((nk.N_FF, N_FIELDS))
    ff[nk.FF_BOUND] = [onset_bound(model, field) for field in range(N_FIELDS)]
    ff[nk.FF_ESCALATION] = p.escalation
    ff[nk.FF_IMPROVEMENT] = p.improvement
    ff[nk.FF_RESOLUTION] = p.resolution_unsupported
    ff[nk.FF_CRISIS_DEATH] = p.crisis_death
    return fp, ff


def progress(model: CommunityModel, isolated: np.ndarray) -> None:
    """One month of onset, escalation, crises, improvement and resolution.

    Onset: one draw per resident serves every field: field f starts a need when the draw
    falls in [f/4, f/4 + rate). Rates are at most max_onset < 1/4, so each field keeps
    its own probability. In a frozen town (the warm-up, or demography switched off)
    nobody ages or dies, so needs that only death ends (care, disability) would pile up:
    their onset waits too. Withdrawal starts and ends among residents 15-64 (faster with
    support); at 65 it is no longer counted. Then each existing need changes with one
    draw per resident and field, in disjoint bands of the draw: improvement (while
    supported) or resolution at the bottom, escalation (faster when ``isolated``, slower
    for venue regulars) or, at the top severity while unmet, a crisis at the top. Care
    and disability are maintained, not resolved (only mild disabilities under 65
    recover); leaving public assistance ends the hardship at once. Some crises end in
    death (never in a frozen town) and some bring the person to a counter.
    The month runs in :func:`model.needs_kernels.month` (compiled, or its NumPy twin).
    """
    r, p, nt = model.residents, model.params.needs, model.needs_tables
    month, snap, t = model.month, model.snap, model.tally
    fp, ff = _packed(model)
    ip = np.array([month, model.frozen, p.care_onset_from, model.households.n], dtype=np.int64)
    onset, withdrawal = model.streams["need_onset"], model.streams["withdrawal"]
    change = model.streams["need_change"]
    salts = np.array(
        [onset._salt(month, 0), withdrawal._salt(month, 0)]
        + [change._salt(month, k) for k in range(N_FIELDS + 1)],
        dtype=np.uint64,
    )
    counts = np.zeros(nk.N_COUNTS, np.int64)
    died, emerg = np.empty(r.n, np.int64), np.empty(r.n, np.int64)
    nk.month(
        r.pid, r.alive, r.sev, r.onset_m, r.supported, r.known, r.assistance,
        r.sex, r.role, r.working, r.hh, r.district, r.case_joint, r.venue, r.age_m,
        snap.years, snap.home, isolated,
        nt.care, nt.disability, nt.poverty, model.support.quality,
        fp, ff, ip, salts, counts, died, emerg,
    )  # fmt: skip
    for field in range(N_FIELDS):
        t.need_onsets[field] += int(counts[nk.C_ONSETS + field])
        t.crises[field] += int(counts[nk.C_CRISES + field])
    t.withdrawal_onsets += int(counts[nk.C_WITHDRAWAL_ONSETS])
    t.resolved += int(counts[nk.C_RESOLVED])
    deaths = int(counts[nk.C_DEATHS])
    if deaths:
        who = died[:deaths]
        model.life_record.died(model.calendar(month - 1)[0], r.sex[who], r.age_m[who] // 12)
        t.deaths += deaths
        t.crisis_deaths += deaths
    brought = emerg[: int(counts[nk.C_EMERG])]
    if brought.size:
        model.support.emergency(brought)


def _end_need(model: CommunityModel, field: int, idx: np.ndarray) -> None:
    r = model.residents
    if idx.size == 0:
        return
    r.sev[field, idx] = 0
    if r.supported[field, idx].any():
        model.tally.resolved += int(r.supported[field, idx].sum())
    r.supported[field, idx] = False
    r.known[field, idx] = False
    r.onset_m[field, idx] = -1
    if field == POVERTY:
        r.assistance[idx] = False


def compound(model: CommunityModel) -> dict[str, np.ndarray]:
    """Compound situations: 8050 households, people in double care, multi-field needs.

    Returns ``hh_8050`` (mask over households) and ``double_care`` and ``multi_field``
    (masks over residents).
    """
    r = model.residents
    snap = model.snap
    n_hh = model.households.n
    years = snap.years
    home = snap.home
    # 8050: a parent 80+ and a withdrawn, unmarried child in their 50s in one household.
    child_50s = home & (r.sev[WITHDRAWAL] > 0) & r.never_married & (r.role == ROLE_CHILD)
    child_50s &= (years >= CHILD_50S) & (years < CHILD_50S_BELOW)
    hh_8050 = np.zeros(n_hh, dtype=bool)
    if child_50s.any():
        has_parent = snap.count_per_household(home & (years >= PARENT_80S)) > 0
        hh_8050[r.hh[child_50s]] = True
        hh_8050 &= has_parent
    # Double care: a parent 25-54 raising a child under 6 while an elder in the household
    # or in the household they grew up in needs care.
    under6 = snap.count_per_household(r.alive & (years < PRESCHOOL_AGE)) > 0
    cand = np.flatnonzero(
        home & (years >= CARER_FROM) & (years < CARER_BELOW) & (r.role == ROLE_HEAD) & under6[r.hh]
    )
    cand = cand[(r.sex[cand] == FEMALE) | (r.sev[CHILDCARE, cand] > 0)]
    care_hh = snap.count_per_household(r.alive & (r.sev[CARE] > 0)) > 0
    origin = r.origin_hh[cand]
    elder_needs_care = care_hh[r.hh[cand]] | ((origin >= 0) & care_hh[np.maximum(origin, 0)])
    double = np.zeros(r.n, dtype=bool)
    double[cand[elder_needs_care]] = True
    fields = (r.sev[:N_FIELDS] > 0).sum(axis=0, dtype=np.int8)
    return {"hh_8050": hh_8050, "double_care": double, "multi_field": r.alive & (fields >= 2)}
