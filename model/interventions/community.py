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

from ..population import ADULT_AGE, by_district
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
    intensity_unit = "coordinators (生活支援コーディネーター, CSW; FTE) in the town"
    default_intensity = 2.0
    intensity_range = (0.0, 100.0)
    intensity_source = (
        "[mhlw-sc-2022] ≈ 7.4 生活支援コーディネーター per 100k, one per 日常生活圏域 "
        "(第2層): two for a 30k town of two areas"
    )
    options: ClassVar[dict[str, tuple[float, float, float]]] = {
        # added volunteer-venue matching per coordinator per 100k residents (assumption)
        "matching_per_coordinator": (0.25, 0.0, 10.0),
        # added share of venue openings per coordinator per 100k residents (assumption)
        "openings_per_coordinator": (0.15, 0.0, 10.0),
        # venues given a running-cost subsidy (assumption: about one in six of a 30k town's
        # ≈ 60 venues, as 横浜's サービスB subsidises resident-run places, [seed-deck] p.21)
        "venues_subsidised": (10.0, 0.0, 1000.0),
        # multi-generation hubs (多世代交流拠点) opened a year in the town (assumption)
        "hubs_per_year": (0.2, 0.0, 20.0),
    }

    def coordinators(self, model: CommunityModel) -> float:
        """Coordinators in the town (people)."""
        return self.intensity

    def init(self, model: CommunityModel) -> None:
        """No venue has been considered for a subsidy yet."""
        self.considered: set[int] = set()  # unique ids of venues already decided

    def apply(self, model: CommunityModel) -> None:
        """Raise matching and openings; keep the subsidised venues filled; open hubs."""
        s = self.settings
        density = self.intensity / model.per_100k  # coordinators per 100k residents
        model.levers.match_boost *= 1.0 + s["matching_per_coordinator"] * density
        model.levers.open_boost *= 1.0 + s["openings_per_coordinator"] * density
        districts = set(self.reach_districts(model).tolist())
        self._subsidise(model, districts)
        gen = model.streams["community_building"].generator(model.month)
        lam = s["hubs_per_year"] / 12.0
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

    def _subsidise(self, model: CommunityModel, districts: set[int]) -> None:
        """Give the subsidy to open venues of the reached districts, up to the budgeted number.

        Venues keep a subsidy once given; a free slot goes to the venue that has been short
        of volunteers longest (the one closest to closing), then in opening order. Venues are
        real venues at any scale, so the number needs no scaling.
        """
        slots = round(self.settings["venues_subsidised"])
        system = model.venues
        cols = system.columns
        numbers = system.open_numbers()
        reached = np.zeros(model.n_districts, dtype=bool)
        reached[list(districts)] = True
        numbers = numbers[reached[cols["district"][numbers]]]
        given = cols["subsidised"][numbers]
        free = numbers[~given]
        # Longest unstaffed first, then in opening order (a stable sort).
        free = free[np.argsort(-cols["unstaffed"][free], kind="stable")]
        for number in free[: max(0, slots - int(np.count_nonzero(given)))].tolist():
            system.venues[number].subsidised = True

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Coordinators (生活支援体制整備事業), subsidies by venue kind, hub set-up."""
        c = model.params.costs
        costs = {"care_life_support": self.coordinators(model) * c.salary_month}
        system = model.venues
        numbers = system.open_numbers()
        for number in numbers[system.columns["subsidised"][numbers]].tolist():
            yen = c.venue_subsidy_month
            line = LINE_OF_KIND.get(system.venues[number].kind)
            _add(costs, {line: yen} if line else _shared(yen))
        return _add(costs, _shared(getattr(self, "hubs_opened", 0) * c.hub_setup))


@register
class Platform(Intervention):
    """Cross-field gatherings that turn wishes into volunteers, venues and NPOs."""

    kind = "platform"
    label_ja = "プラットフォーム（分野を超えた出会いの場）"
    label_en = "Cross-field platform"
    intensity_unit = "gatherings a year in the town"
    default_intensity = 4.0
    intensity_range = (0.0, 100.0)
    intensity_source = (
        "assumption: a quarterly gathering, as Okazaki's アイデアソン and the 宮ノ前テラス "
        "meetings ([seed-deck] pp.20-21); range 0-100"
    )
    options: ClassVar[dict[str, tuple[float, float, float]]] = {
        "attendees": (25.0, 0.0, 1000.0),  # residents who come to a gathering (assumption)
        "volunteer_share": (0.3, 0.0, 1.0),  # attendees who start volunteering (assumption)
        # a gathering opens a new venue (assumption; sensitivity range 0-0.3)
        "venue_chance": (0.1, 0.0, 1.0),
        # a gathering founds a new NPO (assumption: 宮ノ前テラス took one NPO from a chain
        # of meetings, [seed-deck] p.21; sensitivity range 0-0.2)
        "npo_chance": (0.05, 0.0, 1.0),
        # wish to 'do something' (0..1) above which a resident comes (assumption)
        "keen_motivation": (0.6, 0.0, 1.0),
        # share of the venues a gathering opens that are cafés, the rest hubs (assumption)
        "cafe_share": (0.5, 0.0, 1.0),
        # attendees who found the NPO a gathering starts (people; assumption)
        "npo_founders": (3.0, 1.0, 100.0),
    }

    def apply(self, model: CommunityModel) -> None:
        """Hold this month's gatherings in the eligible districts."""
        r = model.residents
        s = self.settings
        stream = model.streams["platform"]
        gen = stream.generator(model.month)
        self.gatherings = 0
        # Who lives at home is fixed when first asked in a month (crises kill later on).
        home = model.snap.home
        held = int(gen.poisson(self.intensity / 12.0))
        if held == 0:  # most months: nobody to find
            return
        # Residents who want to do something come, whether or not they were ever
        # involved in welfare (the platform's point: new people). Grouped by district once.
        keen = np.flatnonzero(
            self.reach
            & home
            & (r.motivation > s["keen_motivation"])
            & (model.snap.years >= ADULT_AGE)
        )
        pools = by_district(keen, r.district[keen], model.n_districts)
        districts = self.reach_districts(model)
        for _ in range(held):
            d = int(districts[int(gen.integers(districts.size))])
            self.gatherings += 1
            pool = pools[d]
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
                kind = CAFE if gen.random() < s["cafe_share"] else HUB
                venue = model.venues.open_venue(kind, int(d), gen, operator="npo")
                model.venues.assign_founders(venue, int(np.ceil(venue.volunteers_needed)))
                model.tally.venues_created_by_policy += 1
            if gen.random() < s["npo_chance"]:
                p_org = model.params.organisations
                funds = p_org.cost_base * p_org.new_npo_funds
                org = model.organisations.found("npo", int(d), gen, funds=funds)
                founders = came[r.org[came] < 0][: max(1, round(s["npo_founders"] / model.scale))]
                r.org[founders] = org.number
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
    intensity_unit = "partner cafés in the town"
    default_intensity = 3.0
    intensity_range = (0.0, 200.0)
    intensity_source = "assumption: a few cafés on the town's main streets; range 0-200"

    def apply(self, model: CommunityModel) -> None:
        """Sign agreements until the town has its number of partner cafés."""
        want = round(self.intensity)
        have = model.venues.open_numbers(operator="private")
        missing = want - have.size
        if missing <= 0:
            return
        districts = self.reach_districts(model)
        gen = model.streams["cafe_agreement"].generator(model.month)
        for i in range(missing):
            d = int(districts[(have.size + i) % districts.size])
            model.venues.open_venue(CAFE, d, gen, operator="private")
            model.tally.venues_created_by_policy += 1

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """Agreement fees, shared by the four 地域づくり lines (slide 16, item (a))."""
        cafes = model.venues.open_numbers(operator="private").size
        return _shared(cafes * model.params.costs.cafe_agreement_month)


@register
class Funding(Intervention):
    """Pooled donations (ふるさと納税, 共同募金, 再分配法人) passed to the town's NPOs."""

    kind = "funding"
    label_ja = "NPOへの資金（ふるさと納税・共同募金・再分配法人）"
    label_en = "Funding for NPOs"
    intensity_unit = "yen a year passed to the town's NPOs"
    default_intensity = 3_000_000.0
    intensity_range = (0.0, 1e10)
    intensity_source = (
        "assumption: the order of a 30k town's share of 共同募金 and ふるさと納税 earmarked for "
        "citizens' activity (about ¥100 per resident a year); range 0-1e10"
    )

    def pool(self, model: CommunityModel) -> float:
        """Yen pooled this month."""
        return self.intensity / 12.0

    def apply(self, model: CommunityModel) -> None:
        """Pass the month's pool to the NPOs of eligible districts, those in need first.

        A 再分配 fund tops up NPOs whose reserves have run out (below zero) before anything
        else, so the money keeps alive the NPOs that would otherwise fold; what is left is
        shared equally. NPOs that need nothing and get nothing leave money in the pool.
        """
        system = model.organisations
        in_reach = np.zeros(model.n_districts, dtype=bool)
        in_reach[self.reach_districts(model)] = True
        reached = in_reach[system.district[: system.n]]
        npos = np.flatnonzero(system.open_mask("npo") & reached)
        self.paid = 0.0
        if npos.size == 0:
            return
        funds = system.funds
        left = self.pool(model)
        for number in npos[np.argsort(funds[npos], kind="stable")]:  # poorest first
            if funds[number] >= 0 or left <= 0:
                break
            top_up = min(-float(funds[number]), left)
            funds[number] += top_up
            left -= top_up
        funds[npos] += left / npos.size
        self.paid = self.pool(model)

    def monthly_cost(self, model: CommunityModel) -> dict[str, float]:
        """The donations passed on."""
        return {"donations": getattr(self, "paid", 0.0)}
