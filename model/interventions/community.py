"""III. 地域づくりに向けた支援: coordinators, venues, platforms, partner cafés and funds.

* ``community_building`` — 生活支援コーディネーター and CSWs raise the matching of
  volunteers with venues and of residents with groups, help new venues open, and give
  venues a subsidy that lets them survive lean months; they also open
  multi-generation hubs (多世代交流拠点).
* ``platform`` (プラットフォーム; the Yokohama 宮ノ前テラス chain) — regular cross-field
  gatherings where residents who want to do something (many never involved in
  welfare) meet places, owners and NPOs: some become volunteers, some gatherings
  open a new venue run by an NPO, some found a new NPO.
* ``cafe_agreement`` (連携協定) — private cafés host a place to belong without needing
  volunteers.
* ``funding`` — ふるさと納税, 共同募金 or a 再分配法人 pools money and passes it to the
  town's NPOs, so fewer fold.

Money for venues follows the field of the venue's users (slide 16); cross-field
venues and gatherings are shared equally by the four 地域づくり lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ..venues import CAFE, HUB, KAYOI, KODOMO, SALON
from .base import Intervention, register

if TYPE_CHECKING:
    from ..core import CommunityModel

COMMUNITY_LINES = ("care_prevention", "disability_centre", "child_hub", "poverty_mutual_aid")
LINE_OF_KIND = {SALON: "care_prevention", KAYOI: "care_prevention", KODOMO: "child_hub"}


def _shared(yen: float) -> dict[str, float]:
    """Split equally between the four fields' community-building lines."""
    return {line: yen / len(COMMUNITY_LINES) for line in COMMUNITY_LINES}


def _add(costs: dict[str, float], more: dict[str, float]) -> dict[str, float]:
    for line, yen in more.items():
        costs[line] = costs.get(line, 0.0) + yen
    return costs


@register
class CommunityBuilding(Intervention):
    """Coordinators, venue subsidies and multi-generation hubs (地域づくり支援)."""

    kind = "community_building"
    label_ja = "地域づくり支援（コーディネーター・居場所補助）"
    label_en = "Community building"
    intensity_unit = "coordinators (生活支援コーディネーター, CSW) per 100k residents"
    options: ClassVar[dict[str, tuple[float, float, float]]] = {
        "matching_per_coordinator": (0.25, 0.0, 10.0),  # added volunteer-venue matching
        "openings_per_coordinator": (0.15, 0.0, 10.0),  # added share of venue openings
        "subsidised_share": (0.5, 0.0, 1.0),  # share of open venues subsidised
        "hubs_per_100k_year": (1.0, 0.0, 50.0),  # multi-generation hubs opened a year
    }

    def coordinators(self, model: CommunityModel) -> float:
        """Coordinators in the town (people)."""
        return self.intensity * model.per_100k

    def init(self, model: CommunityModel) -> None:
        """No venue has been considered for a subsidy yet."""
        self.considered: set[int] = set()  # unique ids of venues already decided

    def apply(self, model: CommunityModel) -> None:
        """Raise matching and openings; subsidise venues; open hubs.

        Each venue is considered for a subsidy once, the first month it is open in a
        district the component reaches (when the policy starts, or when the venue
        opens), so about ``subsidised_share`` of the venues are subsidised.
        """
        s = self.settings
        per_100k = self.intensity
        model.levers.match_boost *= 1.0 + s["matching_per_coordinator"] * per_100k
        model.levers.open_boost *= 1.0 + s["openings_per_coordinator"] * per_100k
        districts = set(self.reach_districts(model).tolist())
        stream = model.streams["community_building"]
        new = [
            v
            for v in model.venues.venues
            if v.open and v.district in districts and v.unique_id not in self.considered
        ]
        if new:
            keys = np.array([v.unique_id for v in new], dtype=np.uint64)
            chosen = stream.uniform(keys, 0, k=1) < s["subsidised_share"]
            for venue, yes in zip(new, chosen, strict=True):
                venue.subsidised = venue.subsidised or bool(yes)
                self.considered.add(venue.unique_id)
        gen = stream.generator(model.month)
        lam = s["hubs_per_100k_year"] * model.per_100k / 12.0
        self.hubs_opened = 0
        for _ in range(int(gen.poisson(lam))):
            if not districts:
                break
            d = sorted(districts)[int(gen.integers(len(districts)))]
            hub = model.venues.open_venue(HUB, d, gen, operator="npo")
            hub.subsidised = True
            self.considered.add(hub.unique_id)
            model.tally.venues_created_by_policy += 1
            self.hubs_opened += 1

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Coordinators (生活支援体制整備事業), subsidies by venue kind, hub set-up."""
        c = model.params.costs
        costs = {"care_life_support": self.coordinators(model) * c.salary_month}
        for venue in model.venues.venues:
            if venue.open and venue.subsidised:
                yen = c.venue_subsidy_month
                line = LINE_OF_KIND.get(venue.kind)
                _add(costs, {line: yen} if line else _shared(yen))
        return _add(costs, _shared(getattr(self, "hubs_opened", 0) * c.hub_setup))


@register
class Platform(Intervention):
    """Cross-field gatherings that turn wishes into volunteers, venues and NPOs."""

    kind = "platform"
    label_ja = "プラットフォーム（分野を超えた出会いの場）"
    label_en = "Cross-field platform"
    intensity_unit = "gatherings per district per year"
    intensity_hi = 1_000.0  # about three a day in every district
    options: ClassVar[dict[str, tuple[float, float, float]]] = {
        "attendees": (25.0, 0.0, 1000.0),  # residents who come to a gathering
        "volunteer_share": (0.3, 0.0, 1.0),  # attendees who start volunteering
        "venue_chance": (0.1, 0.0, 1.0),  # a gathering opens a new venue
        "npo_chance": (0.08, 0.0, 1.0),  # a gathering founds a new NPO
    }

    def apply(self, model: CommunityModel) -> None:
        """Hold this month's gatherings in the eligible districts."""
        r = model.residents
        s = self.settings
        stream = model.streams["platform"]
        gen = stream.generator(model.month)
        self.gatherings = 0
        # Residents who want to do something come, whether or not they were ever
        # involved in welfare (the platform's point: new people). Grouped by district once.
        keen = np.flatnonzero(
            self.reach & model.snap.home & (r.motivation > 0.6) & (model.snap.years >= 18)
        )
        keen = keen[np.argsort(r.district[keen], kind="stable")]
        bounds = np.searchsorted(r.district[keen], np.arange(model.n_districts + 1))
        for d in self.reach_districts(model):
            for _ in range(int(gen.poisson(self.intensity / 12.0))):
                self.gatherings += 1
                pool = keen[bounds[d] : bounds[d + 1]]
                k = min(pool.size, round(s["attendees"] / model.scale))
                if k == 0:
                    continue
                came = gen.choice(pool, size=k, replace=False)
                starts = came[~r.volunteer[came] & (gen.random(k) < s["volunteer_share"])]
                r.volunteer[starts] = True
                r.vol_since[starts] = model.month
                r.welfare_involved[starts] = True
                model.tally.volunteers_started += starts.size
                r.last_part_m[came] = model.month
                if gen.random() < s["venue_chance"]:
                    kind = CAFE if gen.random() < 0.5 else HUB
                    venue = model.venues.open_venue(kind, int(d), gen, operator="npo")
                    model.venues.assign_founders(venue, int(np.ceil(venue.volunteers_needed)))
                    model.tally.venues_created_by_policy += 1
                if gen.random() < s["npo_chance"]:
                    funds = model.params.organisations.cost_base * 6
                    org = model.organisations.found("npo", int(d), gen, funds=funds)
                    founders = came[r.org[came] < 0][: max(1, round(3 / model.scale))]
                    r.org[founders] = model.organisations.orgs.index(org)
                    model.tally.orgs_founded += 1

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Gatherings, shared by the four 地域づくり lines (slide 16, item (c))."""
        return _shared(getattr(self, "gatherings", 0) * model.params.costs.gathering)


@register
class CafeAgreement(Intervention):
    """Private cafés host a place to belong by agreement (連携協定)."""

    kind = "cafe_agreement"
    label_ja = "民間カフェとの連携協定"
    label_en = "Partner cafés"
    intensity_unit = "partner cafés per 100k residents"
    intensity_hi = 1_000.0  # one café per 100 residents; each is opened one by one

    def apply(self, model: CommunityModel) -> None:
        """Sign agreements until the town has its number of partner cafés."""
        want = round(self.intensity * model.per_100k)
        have = [v for v in model.venues.venues if v.open and v.operator == "private"]
        districts = self.reach_districts(model)
        gen = model.streams["cafe_agreement"].generator(model.month)
        for i in range(max(0, want - len(have))):
            d = int(districts[(len(have) + i) % districts.size])
            model.venues.open_venue(CAFE, d, gen, operator="private")
            model.tally.venues_created_by_policy += 1

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Agreement fees, shared by the four 地域づくり lines (slide 16, item (a))."""
        cafes = sum(1 for v in model.venues.venues if v.open and v.operator == "private")
        return _shared(cafes * model.params.costs.cafe_agreement_month)


@register
class Funding(Intervention):
    """Pooled donations (ふるさと納税, 共同募金, 再分配法人) passed to the town's NPOs."""

    kind = "funding"
    label_ja = "NPOへの資金（ふるさと納税・共同募金・再分配法人）"
    label_en = "Funding for NPOs"
    intensity_unit = "yen per resident per year"
    intensity_hi = 1_000_000.0  # yen per resident per year

    def pool(self, model: CommunityModel) -> float:
        """Yen pooled this month."""
        return self.intensity * model.per_100k * 100_000 / 12.0

    def apply(self, model: CommunityModel) -> None:
        """Share the month's pool equally among active NPOs of eligible districts."""
        districts = set(self.reach_districts(model).tolist())
        npos = [
            o
            for o in model.organisations.orgs
            if o.active and o.kind == "npo" and o.district in districts
        ]
        self.paid = self.pool(model) if npos else 0.0
        for org in npos:
            org.funds += self.paid / len(npos)

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """The donations passed on."""
        return {"donations": getattr(self, "paid", 0.0)}
