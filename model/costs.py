"""What the policies cost, and who pays: 国, 都道府県, 市町村, insurance premiums, donors.

Every intervention spends money on *funding lines* (staff for a new function, a
subsidy to a venue, ...). Each line is split between payers by the burden rates of
the law it runs under. The five 地域づくり事業 lines are the seed's table (slide 16,
FY2021); the consultation lines follow the same laws' 包括的支援・相談支援 items; the
new functions of 重層 (outreach, multi-agency collaboration, participation support)
run on 追加財源 (additional national funding).

The baseline is costed too: the field counters that exist today (their staff at the
model's salary figure), the 民生委員's activity allowance and the small grants today's
resident-run venues receive. Every month's spending is booked as baseline or policy, so a
package's total budget and its increment over the baseline are both outputs
(``cost_total``, ``cost_baseline``, ``cost_policy``).

Costs are in yen per month, for real people and venues (not scaled).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .parameters import param
from .venues import KAYOI, KINDS, KODOMO, SALON

if TYPE_CHECKING:
    from .core import CommunityModel

PAYERS = ("national", "prefecture", "municipality", "insurance_1", "insurance_2", "private")
INSURANCE = (PAYERS.index("insurance_1"), PAYERS.index("insurance_2"))  # 介護保険 payers
PAYER_LABELS_JA = ("国", "都道府県", "市町村", "1号保険料", "2号保険料", "民間・寄附")
FIELD_OF_LINE = {
    "care_prevention": "care",
    "care_life_support": "care",
    "care_consult": "care",
    "disability_centre": "disability",
    "disability_consult": "disability",
    "child_hub": "childcare",
    "child_consult": "childcare",
    "poverty_mutual_aid": "poverty",
    "poverty_consult": "poverty",
    "new_functions": "cross_field",
    "donations": "cross_field",
    "minsei": "cross_field",
}
# The counter of each field books its staff on that field's consultation line.
CONSULT_LINE_OF_FIELD = ("care_consult", "disability_consult", "child_consult", "poverty_consult")
SEED_16 = "[seed-deck] slide 16 (地域づくり事業 負担率・補助率, FY2021)"
# Today's small grants: the line of each venue kind (-1: none), an index into GRANT_LINES.
GRANT_LINES = ("care_prevention", "child_hub")
GRANT_LINE_OF_KIND = np.full(len(KINDS), -1, dtype=np.int64)
GRANT_LINE_OF_KIND[[SALON, KAYOI]] = GRANT_LINES.index("care_prevention")
GRANT_LINE_OF_KIND[KODOMO] = GRANT_LINES.index("child_hub")


def _shares(*values: float) -> tuple[float, ...]:
    return tuple(values)


@dataclass(frozen=True)
class CostParams:
    """Unit costs and each funding line's shares by payer.

    Payers, in order: national, prefecture, municipality, 1号保険料, 2号保険料, private.
    """

    salary_month: float = param(
        420_000,
        unit="yen per worker-month (salary and overheads)",
        source="assumption",
        lo=0,
        ja="人件費（月）",
        en="Staff cost per month",
    )
    minsei_allowance_year: float = param(
        59_000,
        unit="yen per appointed 民生委員 a year (activity allowance)",
        source="[minsei-allowance-2016] ¥59,000 a year through the local allocation tax "
        "(c. 2016); [nippon-com-minsei-2026] reports about ¥100k or more, the range's top",
        lo=0,
        hi=200_000,
        ja="民生委員活動費（年）",
        en="民生委員 allowance a year",
    )
    venue_grant_month: float = param(
        5_000,
        unit="yen per open salon, 通いの場 or 子ども食堂 per month (today's small grants)",
        source="assumption: the small running grants most municipalities give resident-run "
        "places today (no national figure in the sources); sensitivity range 0-30,000",
        lo=0,
        hi=30_000,
    )
    venue_subsidy_month: float = param(
        30_000, unit="yen per subsidised venue per month", source="assumption", lo=0
    )
    hub_setup: float = param(
        2_000_000,
        unit="yen to set up a multi-generation hub",
        source="assumption (ヨコハマ市民まち普請事業 scale)",
        lo=0,
    )
    gathering: float = param(100_000, unit="yen per platform gathering", source="assumption", lo=0)
    cafe_agreement_month: float = param(
        20_000, unit="yen per partner café per month", source="assumption", lo=0
    )
    care_prevention: tuple[float, ...] = param(
        _shares(0.25, 0.125, 0.125, 0.23, 0.27, 0),
        unit="shares by payer",
        source=f"{SEED_16}: 地域介護予防活動支援事業",
        lo=0,
        hi=1,
        length=6,
    )
    care_life_support: tuple[float, ...] = param(
        _shares(0.385, 0.1925, 0.1925, 0.23, 0, 0),
        unit="shares by payer",
        source=f"{SEED_16}: 生活支援体制整備事業",
        lo=0,
        hi=1,
        length=6,
    )
    disability_centre: tuple[float, ...] = param(
        _shares(0.50, 0.25, 0.25, 0, 0, 0),
        unit="shares by payer",
        source=f"{SEED_16}: 地域活動支援センター機能強化事業 "
        "(国 ≤ 50 %, 都道府県 ≤ 25 %, taken at their caps)",
        lo=0,
        hi=1,
        length=6,
    )
    child_hub: tuple[float, ...] = param(
        _shares(1 / 3, 1 / 3, 1 / 3, 0, 0, 0),
        unit="shares by payer",
        source=f"{SEED_16}: 地域子育て支援拠点事業",
        lo=0,
        hi=1,
        length=6,
    )
    poverty_mutual_aid: tuple[float, ...] = param(
        _shares(0.5, 0, 0.5, 0, 0, 0),
        unit="shares by payer",
        source=f"{SEED_16}: 共助の基盤づくり事業 (国 1/2, 実施主体 = 市町村 1/2)",
        lo=0,
        hi=1,
        length=6,
    )
    care_consult: tuple[float, ...] = param(
        _shares(0.385, 0.1925, 0.1925, 0.23, 0, 0),
        unit="shares by payer",
        source="介護保険法 §115-45(2) 包括的支援事業: the same rates as 生活支援体制整備事業 "
        f"({SEED_16})",
        lo=0,
        hi=1,
        length=6,
    )
    disability_consult: tuple[float, ...] = param(
        _shares(0.50, 0.25, 0.25, 0, 0, 0),
        unit="shares by payer",
        source="障害者総合支援法 §77 地域生活支援事業: as 地域活動支援センター "
        "([seed-deck] slide 16)",
        lo=0,
        hi=1,
        length=6,
    )
    child_consult: tuple[float, ...] = param(
        _shares(1 / 3, 1 / 3, 1 / 3, 0, 0, 0),
        unit="shares by payer",
        source="子ども・子育て支援法 §59 地域子ども・子育て支援事業: "
        "as 地域子育て支援拠点 ([seed-deck] slide 16)",
        lo=0,
        hi=1,
        length=6,
    )
    poverty_consult: tuple[float, ...] = param(
        _shares(0.75, 0, 0.25, 0, 0, 0),
        unit="shares by payer",
        source="assumption: 自立相談支援事業 国 3/4 (not in [seed-deck])",
        lo=0,
        hi=1,
        length=6,
    )
    new_functions: tuple[float, ...] = param(
        _shares(0.75, 0, 0.25, 0, 0, 0),
        unit="shares by payer",
        source="assumption: 追加財源 for the new 重層 functions at 国 3/4 "
        "([seed-deck] slide 14 names 追加財源 without rates)",
        lo=0,
        hi=1,
        length=6,
    )
    minsei: tuple[float, ...] = param(
        _shares(0, 1, 0, 0, 0, 0),
        unit="shares by payer",
        source="[minsei-law-26] 民生委員 costs are borne by the prefecture",
        lo=0,
        hi=1,
        length=6,
    )
    donations: tuple[float, ...] = param(
        _shares(0, 0, 0, 0, 0, 1),
        unit="shares by payer",
        source="ふるさと納税, 共同募金, 再分配法人: money from donors "
        "([seed-deck] p.19, [mhlw-2040-hq-2019])",
        lo=0,
        hi=1,
        length=6,
    )


def payer_shares(params: CostParams, line: str) -> np.ndarray:
    """The shares of ``line`` by payer (national … private)."""
    if line not in FIELD_OF_LINE:
        raise KeyError(f"unknown funding line {line!r}; known: {', '.join(FIELD_OF_LINE)}")
    return np.asarray(getattr(params, line), dtype=float)


class Ledger:
    """Money spent by line and payer: this month's and the running totals."""

    def __init__(self, params: CostParams) -> None:
        self.params = params
        self.month_by_payer = np.zeros(len(PAYERS))
        self.month_by_field: dict[str, float] = {}
        self.month_baseline = 0.0
        self.total_by_payer = np.zeros(len(PAYERS))
        self.total_baseline = 0.0
        self.reconnected_total = 0.0
        self.resolved_total = 0.0

    def start_month(self) -> None:
        """Forget last month's spending (running totals stay)."""
        self.month_by_payer = np.zeros(len(PAYERS))
        self.month_by_field = {}
        self.month_baseline = 0.0

    def add_outcomes(self, reconnected: float, resolved: float) -> None:
        """Add the month's people reconnected and needs resolved to the running totals."""
        self.reconnected_total += reconnected
        self.resolved_total += resolved

    def restart(self) -> None:
        """Running totals start again at zero (after the warm-up).

        Month 0 still shows the month's spending (today's budget as a monthly rate), but
        the cumulative totals count months 1 to N only — the months a run simulates, as
        the dashboard's and the brief's totals do.
        """
        self.total_by_payer = np.zeros(len(PAYERS))
        self.total_baseline = 0.0
        self.reconnected_total = 0.0
        self.resolved_total = 0.0

    def spend(self, line: str, yen: float, *, baseline: bool = False) -> None:
        """Book ``yen`` on funding line ``line`` (``baseline``: spending that exists today)."""
        if yen <= 0:
            return
        if baseline:
            self.month_baseline += yen
            self.total_baseline += yen
        split = payer_shares(self.params, line) * yen
        self.month_by_payer += split
        self.total_by_payer += split
        field = FIELD_OF_LINE[line]
        self.month_by_field[field] = self.month_by_field.get(field, 0.0) + yen


def baseline_month(model: CommunityModel) -> dict[str, float]:
    """What the services that exist today cost this month, by funding line.

    Counters: every counter's staff at the salary figure, on its field's consultation line.
    民生委員: the activity allowance of those appointed, on the prefecture's line. Venues:
    today's small grants to open salons and 通いの場 (care prevention) and 子ども食堂 (the
    child-rearing line); a community-building subsidy comes on top, booked by the policy.
    """
    c = model.params.costs
    lines: dict[str, float] = {}
    # Each line's sum runs in counter (venue) order and the lines come in the order of
    # their first counter (venue), as a loop over them would add and book them.
    support = model.support
    yen = np.bincount(
        support.field, weights=support.staff * c.salary_month, minlength=len(CONSULT_LINE_OF_FIELD)
    )
    for field in _first_seen(support.field):
        lines[CONSULT_LINE_OF_FIELD[field]] = float(yen[field])
    r = model.residents
    appointed = float(np.count_nonzero(r.alive & r.minsei)) * model.scale
    lines["minsei"] = appointed * c.minsei_allowance_year / 12.0
    if model.venues.venues:
        a = model.venues.arrays()
        line = GRANT_LINE_OF_KIND[a["kind"][a["open"]]]
        line = line[line >= 0]
        grants = np.bincount(
            line, weights=np.full(line.size, float(c.venue_grant_month)), minlength=len(GRANT_LINES)
        )
        for index in _first_seen(line):
            lines[GRANT_LINES[index]] = float(grants[index])
    return lines


def _first_seen(values: np.ndarray) -> list[int]:
    """The distinct ``values`` in the order of their first occurrence."""
    return list(dict.fromkeys(values.tolist()))


def report(model: CommunityModel) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """This month's spending by payer and field; cost per person reconnected and need resolved.

    Reads the ledger only: the model adds the month's outcomes before recording.
    """
    ledger = model.ledger
    k = model.scale
    m = ledger.month_by_payer
    town = {f"cost_{name}": float(m[i]) for i, name in enumerate(PAYERS)}
    town["cost_insurance"] = float(m[INSURANCE[0]] + m[INSURANCE[1]])
    town["cost_total"] = float(m.sum())
    town["cost_baseline"] = ledger.month_baseline
    town["cost_policy"] = float(m.sum()) - ledger.month_baseline
    for field in ("care", "disability", "childcare", "poverty", "cross_field"):
        town[f"cost_{field}"] = ledger.month_by_field.get(field, 0.0)
    total = float(ledger.total_by_payer.sum())
    town["cost_cumulative"] = total
    town["cost_policy_cumulative"] = total - ledger.total_baseline
    town["cost_per_reconnected"] = (
        total / ledger.reconnected_total if ledger.reconnected_total else 0.0
    )
    town["cost_per_resolved"] = total / ledger.resolved_total if ledger.resolved_total else 0.0
    town["reconnected"] = model.tally.reconnected * k
    return town, {}
