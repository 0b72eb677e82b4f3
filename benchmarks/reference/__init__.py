"""Kyosei's rules written the usual Mesa way, one Python object per resident (issue 5).

Kyosei keeps residents as NumPy columns and applies each rule to all of them at
once. This module is the yardstick for that choice: the same rules, written as an
idiomatic Mesa 3.5 model — ``Resident`` agents with a ``step()`` called in random
order by ``shuffle_do``, and ``Venue`` and ``Counter`` agents with their own
``step()``. ``benchmarks/bench_vs_agents.py`` runs both side by side in one process.

**Same start, same parameters, same tables.** :class:`ReferenceModel` is built from a
Kyosei :class:`~model.core.CommunityModel` at month 0: the same residents (age, sex,
household, role, needs with severity/known/supported, case and queue, ties, venue,
volunteering, group membership), households (district, map position, care
facilities), venues (kind, position, capacity, volunteers needed, staffing record)
and counters (field, staff, carried intake credit). Month 0 comes after Kyosei's
frozen warm-up (``switches.warmup_months``, 48), which started care and disability
needs known and supported (``needs.balance_chronic``) and every resident's ties,
newcomers' too, at their balance (``ties.initialise``); the copy carries all of that
(and loneliness) over. Probabilities come from Kyosei's
own parameter tables (``DemographyTables``, ``NeedsTables``, the venue, volunteer and
group join tables), converted to Python lists.

**Different random numbers.** Draws come from Mesa's seeded generators
(``self.random``, ``model.rng``; never the global state), not from Kyosei's
counter-based streams, and agents act one after another in shuffled order rather
than all at once. The two models agree in distribution, not draw for draw.

Rules implemented, by Kyosei module:

* demography (``model/demography.py``): aging; death by the Siler monthly table (of the
  calendar year, as births are);
  moving out by age, by exchange or as a net move (decided once per household, its
  heads sharing the rate; a moving head takes the household along; adult children
  leave alone) — one draw for all three, as in Kyosei; births to women 15-49 by the
  ASFR scaled to the TFR, rescaled within each 5-year band so that partnered women bear
  all but the non-marital share; moves in (``model/migration.py``): each household or
  adult child that left by exchange replaced the same month by newcomers of its
  make-up, then returners (a share of the net leavers), further net arrivals and
  foreign net entries as singles, couples, families, middle-aged and elderly units
  (same unit table), newcomers in work by age and sex from arrival; leaving home
  18-34; partnering of singles 22-44 by age rank; elderly living alone joining a
  child's household or entering the district's care facility; yearly employment from
  a lifelong propensity.
* needs (``model/needs.py``): onset in the four fields by age, sex and household
  (children under 12, single parents, newborns, living alone, out of work);
  withdrawal 15-64; escalation (isolated ×, venue regulars ×, supported ×),
  improvement scaled by support quality, resolution, crises with death and
  emergencies.
* support (``model/support.py``): help-seeking (capacity, severity, ties nudge,
  discouragement); siloed counters with monthly intake capacity, carried credit and
  a FIFO queue (emergencies first), giving up while waiting, assessment of the own
  field, the hardship counter taking withdrawal sometimes, detection of other needs,
  referral on with delay and drop-out (たらい回し), household assessment; support
  quality from caseload.
* venues (``model/venues.py``): regulars stop (more when far), residents consider a
  kind by age/sex table and pick an open venue with room by distance, a first visit
  becomes a habit by distance; staffing, closure after months unstaffed or by the
  base rate; staff notice regulars' hidden needs; new venues open where free
  volunteers can run them.
* volunteers (``model/volunteers.py``): join by age/sex, stop with burnout and at
  80+, free volunteers matched to venues short of help.
* ties (``model/ties.py``): one draw a month loses or gains one tie, each resident's
  gain rates and loss hazards by Kyosei's own rule (``ties.rate_table`` and
  ``ties.resident_rates``, so the reference follows any change to it), the loss capped
  at ``loss_max``; kin recounted for a twelfth of the town each month (and kept by
  those who leave home); isolation as Kyosei counts it (colleagues do not count);
  newcomers' work, neighbour and kin ties; loneliness started and ended by the same
  monthly rates.
* groups (``model/organisations.py``, membership only): a resident joins a group by
  age and leaves at the leave rate plus the groups' closure rate.

Left out: 民生委員 (terms, recruitment, visits; serving commissioners start as plain
volunteers), organisations as agents (NPO finances, founding, dissolution,
issue groups), shocks, policy interventions and their costs, joint plans and
one-stop counters (baseline policy only), the waiting-time and equity outputs, the
yearly compaction (here departed agents are simply removed). Kyosei runs all of
these in the side-by-side runs (its 民生委員 make no visits there, so that queues stay
comparable), so the measured speed ratio understates the gap.

Differences of order: each resident does its whole month in one ``step()``
(demography, needs, ties, groups, venue, volunteering, help-seeking), then partners
are matched, newcomers arrive (they act from the next month), venues step (match
volunteers, staffing, noticing) and counters step (referrals arrive, queue served).
Month-level facts that Kyosei takes mid-month (birth-rate rescaling, volunteer
demand/supply, support quality) are taken in one pass at the start of the month.
"""

from .model import ReferenceModel
from .places import Counter, Venue
from .resident import Resident

__all__ = ["Counter", "ReferenceModel", "Resident", "Venue"]
