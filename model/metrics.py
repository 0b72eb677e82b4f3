"""The catalogue of output metrics: names, Japanese and English labels, units, formats.

The dashboard, the command line and the policy brief all label outputs from here,
so a metric is named and explained once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    """One output column: what it is called and how to show it."""

    name: str
    ja: str
    en: str
    unit: str  # "people", "share", "yen", "months", "count", "ratio", "hours"
    better: str = ""  # "lower", "higher" or "" (neither)
    help_ja: str = ""
    help_en: str = ""

    def format(self, value: float) -> str:
        """Value as shown in tables: shares as %, yen in 万円, counts with separators."""
        if value != value:  # NaN
            return "—"
        if self.unit == "share":
            return f"{value * 100:.1f} %"
        if self.unit == "yen":
            return f"{value / 1e4:,.0f} 万円"
        if self.unit in ("people", "count", "households", "hours"):
            return f"{value:,.0f}"
        return f"{value:,.2f}"


_FIELD_JA = {
    "care": "高齢",
    "disability": "障害",
    "childcare": "子育て",
    "poverty": "生活困窮",
    "withdrawal": "ひきこもり",
}
_FIELD_EN = {
    "care": "elderly care",
    "disability": "disability",
    "childcare": "child-rearing",
    "poverty": "hardship",
    "withdrawal": "withdrawal",
}
_ROUTES_JA = {
    "self": "本人の来所",
    "referral": "窓口間の紹介",
    "minsei": "民生委員から",
    "venue": "居場所から",
    "outreach": "アウトリーチから",
    "crisis": "危機時の緊急対応",
    "household": "世帯全体の把握から",
}
_ROUTES_EN = {
    "self": "on their own",
    "referral": "referred by another counter",
    "minsei": "brought by 民生委員",
    "venue": "referred by a venue",
    "outreach": "found by outreach",
    "crisis": "in a crisis",
    "household": "found through the household",
}
_AGES = {"0_17": "0-17", "18_39": "18-39", "40_64": "40-64", "65_74": "65-74", "75plus": "75+"}
_KINDS = {
    "salon": ("サロン", "salons"),
    "kayoi": ("通いの場", "kayoi-no-ba"),
    "kodomo": ("子ども食堂", "children's cafeterias"),
    "cafe": ("地域食堂・コミュニティカフェ", "community cafés"),
    "hub": ("多世代交流拠点", "multi-generation hubs"),
}
_PAYERS = {
    "national": ("国", "national government"),
    "prefecture": ("都道府県", "prefecture"),
    "municipality": ("市町村", "municipality"),
    "insurance": ("保険料", "insurance premiums"),
    "insurance_1": ("1号保険料", "premiums of insured 65+"),
    "insurance_2": ("2号保険料", "premiums of insured 40-64"),
    "private": ("民間・寄附", "donors"),
    "total": ("合計", "total"),
}
_COST_FIELDS = {
    "care": ("高齢分野", "elderly-care field"),
    "disability": ("障害分野", "disability field"),
    "childcare": ("子育て分野", "child-rearing field"),
    "poverty": ("生活困窮分野", "hardship field"),
    "cross_field": ("分野横断（追加財源・寄附）", "cross-field (new funding, donations)"),
}

_METRICS = [
    # demography
    Metric("population", "人口", "Population", "people"),
    Metric("households", "世帯数", "Households", "households"),
    Metric("mean_household_size", "平均世帯人員", "Mean household size", "ratio"),
    Metric("aging_rate", "高齢化率", "Aging rate (65+)", "share"),
    Metric("share_75plus", "75歳以上の割合", "Share aged 75+", "share"),
    Metric("share_0_14", "年少人口割合", "Share aged 0-14", "share"),
    Metric("single_elderly", "高齢単身者", "Elderly living alone", "people"),
    Metric("single_elderly_share", "高齢者のうち単身の割合", "Share of 65+ living alone", "share"),
    Metric("alone_65_male", "単身の高齢男性の割合", "Share of men 65+ living alone", "share"),
    Metric("alone_65_female", "単身の高齢女性の割合", "Share of women 65+ living alone", "share"),
    Metric("in_facility", "施設入所者", "Living in care facilities", "people"),
    Metric("births", "出生", "Births", "people"),
    Metric("deaths", "死亡", "Deaths", "people"),
    Metric("in_migrants", "転入", "Moved in", "people"),
    Metric("out_migrants", "転出", "Moved out", "people"),
    Metric("to_facility", "施設入所", "Moved into facilities", "people"),
    # needs
    Metric("share_care_65", "高齢者の要介護の割合", "Care need among 65+", "share"),
    Metric(
        "share_certified_65",
        "高齢者の要介護・要支援認定率",
        "Certified care need among 65+ (要介護・要支援認定)",
        "share",
    ),
    Metric("share_disability", "障害のある人の割合", "Disability", "share"),
    Metric("share_assistance", "生活保護の割合", "On public assistance", "share"),
    Metric("share_withdrawn_15_64", "ひきこもりの割合（15-64歳）", "Withdrawn (15-64)", "share"),
    Metric("in_need", "支援ニーズのある人", "Residents in need", "people"),
    Metric("in_need_share", "支援ニーズのある人の割合", "Share in need", "share"),
    Metric(
        "unmet",
        "支援につながっていない人",
        "Unmet need",
        "people",
        "lower",
        "ニーズがあるのに支援を受けていない人",
        "People with a need not receiving support",
    ),
    Metric(
        "unmet_share",
        "未支援ニーズの割合（人口比）",
        "Unmet need (share of residents)",
        "share",
        "lower",
    ),
    Metric(
        "unmet_of_need",
        "ニーズのうち未支援の割合",
        "Unmet share of those in need",
        "share",
        "lower",
    ),
    Metric(
        "hidden",
        "潜在ニーズ（相談に来ていない）",
        "Hidden need",
        "people",
        "lower",
        "一度も相談につながっていない未支援ニーズ",
        "Unmet needs that never came forward",
    ),
    Metric("hidden_share", "潜在ニーズの割合", "Hidden need (share)", "share", "lower"),
    Metric("hh_8050", "8050世帯", "8050 households", "households", "lower"),
    Metric("double_care", "ダブルケアの人", "People in double care", "people", "lower"),
    Metric("multi_field", "複数分野のニーズがある人", "Needs in two or more fields", "people"),
    Metric("isolated_in_need", "孤立しニーズのある人", "Isolated and in need", "people", "lower"),
    Metric("crises", "危機（重度化）の発生", "Crises", "count", "lower"),
    Metric("crisis_deaths", "危機による死亡", "Deaths in crises", "people", "lower"),
    Metric("resolved", "解決したニーズ", "Needs resolved", "count", "higher"),
    Metric("served", "相談受付", "Cases assessed", "count"),
    Metric("supported_new", "新たに支援開始", "Support started", "count", "higher"),
    Metric("referrals", "窓口間の紹介", "Referrals between counters", "count"),
    Metric(
        "referral_dropouts",
        "紹介途中の脱落（たらい回し）",
        "Drop-outs on referral",
        "count",
        "lower",
    ),
    Metric("dropouts", "相談からの脱落", "Drop-outs", "count", "lower"),
    Metric("joint_plans", "重層的支援会議での共同プラン", "Joint plans", "count"),
    Metric("queue", "相談待ち", "Waiting for a counter", "people", "lower"),
    Metric(
        "poverty_consultations_per_100k",
        "自立相談の新規相談（10万人・月）",
        "New hardship consultations per 100k per month",
        "ratio",
    ),
    Metric("caseload_per_worker", "相談員1人あたり支援件数", "Cases per caseworker", "ratio"),
    Metric(
        "wait_mean",
        "発生から支援までの月数（平均）",
        "Months from onset to support (mean)",
        "months",
        "lower",
    ),
    Metric(
        "wait_median",
        "発生から支援までの月数（中央値）",
        "Months from onset to support (median)",
        "months",
        "lower",
    ),
    Metric(
        "wait_p90",
        "発生から支援までの月数（90%点）",
        "Months from onset to support (90th pct)",
        "months",
        "lower",
    ),
    Metric("wait_0_2", "支援まで0-2か月", "Supported within 0-2 months", "count"),
    Metric("wait_3_5", "支援まで3-5か月", "Supported after 3-5 months", "count"),
    Metric("wait_6_11", "支援まで6-11か月", "Supported after 6-11 months", "count"),
    Metric("wait_12_23", "支援まで12-23か月", "Supported after 12-23 months", "count"),
    Metric("wait_24plus", "支援まで24か月以上", "Supported after 24+ months", "count"),
    Metric(
        "unmet_rate_single_elderly",
        "単身高齢者の未支援割合",
        "Unmet share, elderly living alone",
        "share",
        "lower",
    ),
    Metric(
        "unmet_gini_districts",
        "圏域間の未支援格差（ジニ係数）",
        "Inequality of unmet need across districts (Gini)",
        "ratio",
        "lower",
    ),
    # community
    Metric("isolated", "孤立している人（16歳以上）", "Isolated (16+)", "people", "lower"),
    Metric(
        "isolation_rate",
        "社会的孤立の割合",
        "Isolation rate",
        "share",
        "lower",
        "同居していない家族や友人との対面の交流がない人",
        "No face-to-face contact with non-cohabiting family or friends",
    ),
    Metric(
        "no_one_to_rely_on_rate", "頼れる人がいない人の割合", "No one to rely on", "share", "lower"
    ),
    Metric("lonely_rate", "孤独感（しばしば・常に）", "Lonely often or always", "share", "lower"),
    Metric("participation_rate", "社会参加の割合", "Social participation", "share", "higher"),
    Metric(
        "kayoi_participation_65",
        "通いの場の参加率（65歳以上）",
        "通いの場 participation (65+)",
        "share",
        "higher",
    ),
    Metric(
        "kayoi_share_75plus",
        "通いの場参加者の75歳以上の割合",
        "通いの場 participants aged 75+",
        "share",
    ),
    Metric(
        "kayoi_share_women",
        "通いの場参加者の女性の割合",
        "通いの場 participants who are women",
        "share",
    ),
    Metric("venue_regulars", "居場所の常連", "Venue regulars", "people", "higher"),
    Metric("venues_open", "開いている居場所", "Venues open", "count", "higher"),
    Metric("venues_opened", "新たに開いた居場所", "Venues opened", "count"),
    Metric("venues_closed", "閉じた居場所", "Venues closed", "count", "lower"),
    Metric("npos", "NPO数", "NPOs", "count", "higher"),
    Metric("npos_per_100k", "NPO数（10万人あたり）", "NPOs per 100k", "ratio"),
    Metric("civic_groups", "住民グループ数", "Civic groups", "count", "higher"),
    Metric("group_members", "グループ・NPOの会員", "Members of groups and NPOs", "people"),
    Metric("volunteers", "ボランティア（担い手）", "Volunteers", "people", "higher"),
    Metric(
        "volunteer_rate_year",
        "ボランティア活動率（過去1年）",
        "Volunteered in the past year",
        "share",
        "higher",
    ),
    Metric(
        "volunteer_rate_men_65_79",
        "ボランティア活動率（男性65-79歳）",
        "Volunteered in the past year, men 65-79",
        "share",
    ),
    Metric("minsei_posts", "民生委員の定数", "民生委員 posts", "count"),
    Metric("minsei_filled", "民生委員の委嘱数", "民生委員 serving", "count", "higher"),
    Metric("minsei_fill_rate", "民生委員の充足率", "民生委員 fill rate", "share", "higher"),
    Metric(
        "tanite_demand_hours", "担い手の需要（時間/月）", "Helper hours needed per month", "hours"
    ),
    Metric(
        "tanite_supply_hours",
        "担い手の供給（時間/月）",
        "Helper hours available per month",
        "hours",
        "higher",
    ),
    Metric(
        "tanite_balance_hours",
        "担い手の過不足（時間/月）",
        "Helper hours: supply minus demand",
        "hours",
        "higher",
    ),
    Metric(
        "venue_referrals",
        "居場所からの相談紹介（参加→相談）",
        "Referrals from venues",
        "count",
        "higher",
    ),
    Metric("minsei_referrals", "民生委員からの相談紹介", "Referrals by 民生委員", "count"),
    Metric(
        "outreach_referrals",
        "アウトリーチからの相談紹介",
        "Referrals by outreach workers",
        "count",
        "higher",
        "アウトリーチで見つかり相談窓口につながった人（月）",
        "Residents found by outreach workers and referred to a counter this month",
    ),
    Metric(
        "supported_linked_to_venues",
        "参加支援で居場所につながった人",
        "Supported residents linked to a venue",
        "people",
        "higher",
        "参加支援により、支援開始と同時に居場所の常連になった人（月）",
        "Residents who became regulars of a venue through participation support this month",
    ),
    Metric(
        "volunteers_started",
        "新たに活動を始めたボランティア",
        "Residents who started volunteering",
        "people",
        "higher",
        "自分から・プラットフォームで・参加支援の役割として活動を始めた人（月）",
        "Started volunteering this month: on their own, at a platform gathering or "
        "given a role by participation support",
    ),
    Metric(
        "venues_opened_by_policy",
        "政策で開いた居場所",
        "Venues opened by the policy",
        "count",
        "",
        "多世代交流拠点・プラットフォームからの居場所・連携カフェ（月、居場所の数）",
        "Hubs, venues from platform gatherings and partner cafés opened this month",
    ),
    Metric(
        "organisations_founded",
        "新たに設立されたNPO・住民グループ",
        "NPOs and civic groups founded",
        "count",
        "higher",
    ),
    Metric(
        "organisations_dissolved",
        "解散したNPO・住民グループ",
        "NPOs and civic groups dissolved",
        "count",
        "lower",
    ),
    Metric(
        "reconnected", "孤立から再びつながった人", "Reconnected from isolation", "people", "higher"
    ),
    # costs
    Metric("cost_cumulative", "累計費用", "Cumulative cost", "yen"),
    Metric("cost_baseline", "費用（現状の体制）", "Cost of today's services", "yen"),
    Metric("cost_policy", "費用（政策による増分）", "Cost of the policy (increment)", "yen"),
    Metric("cost_policy_cumulative", "累計費用（政策による増分）", "Cumulative policy cost", "yen"),
    Metric(
        "cost_per_reconnected",
        "再びつながった人1人あたり費用",
        "Cost per person reconnected",
        "yen",
        "lower",
    ),
    Metric(
        "cost_per_resolved", "解決したニーズ1件あたり費用", "Cost per need resolved", "yen", "lower"
    ),
]
for _name in _FIELD_JA:
    _METRICS.append(
        Metric(
            f"need_{_name}", f"ニーズ：{_FIELD_JA[_name]}", f"In need: {_FIELD_EN[_name]}", "people"
        )
    )
    _METRICS.append(
        Metric(
            f"unmet_{_name}",
            f"未支援：{_FIELD_JA[_name]}",
            f"Unmet: {_FIELD_EN[_name]}",
            "people",
            "lower",
        )
    )
    _METRICS.append(
        Metric(
            f"new_need_{_name}",
            f"新たなニーズ：{_FIELD_JA[_name]}",
            f"New needs: {_FIELD_EN[_name]}",
            "people",
            "",
            f"この月に{_FIELD_JA[_name]}のニーズが新たに生じた人",
            f"Residents whose {_FIELD_EN[_name]} need began this month",
        )
    )
for _name, _ja in _ROUTES_JA.items():
    _METRICS.append(
        Metric(
            f"arrivals_{_name}",
            f"相談の経路：{_ja}",
            f"Came to a counter {_ROUTES_EN[_name]}",
            "count",
        )
    )
for _key, _label in _AGES.items():
    _METRICS.append(
        Metric(
            f"unmet_rate_{_key}",
            f"未支援の割合（{_label}歳）",
            f"Unmet share of those in need, aged {_label}",
            "share",
            "lower",
        )
    )
for _key, _label in (
    ("under_40", "10-39"),
    ("40_64", "40-64"),
    ("65_79", "65-79"),
    ("80plus", "80+"),
):
    _METRICS.append(
        Metric(
            f"volunteers_{_key}",
            f"ボランティア（{_label}歳）",
            f"Volunteers aged {_label}",
            "people",
        )
    )
for _key, (_ja, _en) in _KINDS.items():
    _METRICS.append(Metric(f"venues_open_{_key}", f"開いている{_ja}", f"Open {_en}", "count"))
for _key, (_ja, _en) in _PAYERS.items():
    _en_label = "Total cost" if _key == "total" else f"Cost to {_en}"
    _METRICS.append(Metric(f"cost_{_key}", f"費用（{_ja}）", _en_label, "yen"))
for _key, (_ja, _en) in _COST_FIELDS.items():
    _METRICS.append(Metric(f"cost_{_key}", f"費用（{_ja}）", f"Cost, {_en}", "yen"))

DISTRICT_METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        Metric("population", "人口", "Population", "people"),
        Metric("aging_rate", "高齢化率", "Aging rate", "share"),
        Metric("households", "世帯数", "Households", "households"),
        Metric("single_elderly", "高齢単身者", "Elderly living alone", "people"),
        Metric("in_need", "支援ニーズのある人", "Residents in need", "people"),
        Metric("unmet", "未支援ニーズ", "Unmet need", "people", "lower"),
        Metric("hidden", "潜在ニーズ", "Hidden need", "people", "lower"),
        Metric("unmet_rate", "未支援ニーズの割合", "Unmet need (share)", "share", "lower"),
        Metric("hidden_rate", "潜在ニーズの割合", "Hidden need (share)", "share", "lower"),
        Metric("queue", "相談待ち", "Waiting for a counter", "people", "lower"),
        Metric("isolation_rate", "社会的孤立の割合", "Isolation rate", "share", "lower"),
        Metric("participation_rate", "社会参加の割合", "Social participation", "share", "higher"),
        Metric("venues_open", "開いている居場所", "Venues open", "count", "higher"),
        Metric("volunteers", "ボランティア", "Volunteers", "people", "higher"),
        Metric("tanite_demand_hours", "担い手の需要（時間/月）", "Helper hours needed", "hours"),
        Metric("tanite_supply_hours", "担い手の供給（時間/月）", "Helper hours available", "hours"),
        Metric(
            "tanite_balance_hours",
            "担い手の過不足（時間/月）",
            "Helper balance (hours)",
            "hours",
            "higher",
        ),
        Metric("minsei_fill_rate", "民生委員の充足率", "民生委員 fill rate", "share", "higher"),
    ]
}

_HELP = {
    "population": (
        "町の住民（施設入所者を含む）",
        "Residents of the town, including care-facility residents",
    ),
    "aging_rate": ("65歳以上の人の割合", "Share of residents aged 65 and over"),
    "single_elderly_share": (
        "65歳以上のうち一人暮らしの人の割合",
        "Share of people 65+ who live alone at home",
    ),
    "in_need_share": (
        "高齢・障害・子育て・生活困窮・ひきこもりのいずれかのニーズがある人の割合",
        "Share with a need in elderly care, disability, child-rearing, hardship or withdrawal",
    ),
    "unmet_of_need": (
        "ニーズのある人のうち、支援を受けていないニーズが残る人の割合",
        "Of the people in need, the share with a need not yet supported",
    ),
    "hidden_share": (
        "一度も相談窓口に届いていない未支援ニーズがある人の割合（人口比）",
        "Share of residents whose unmet need never reached a counter",
    ),
    "hh_8050": (
        "80歳以上の親と、ひきこもり状態の未婚の50代の子が同居する世帯",
        "Households of a parent 80+ and a withdrawn, unmarried child in their 50s",
    ),
    "double_care": (
        "6歳未満の子を育てながら親の介護も担う人",
        "People raising a child under 6 while a parent needs care",
    ),
    "referral_dropouts": (
        "窓口から別の窓口へ紹介される途中で相談をやめた人（たらい回し）",
        "People who gave up while referred from one counter to another",
    ),
    "wait_mean": (
        "ニーズの発生から支援開始までの平均月数",
        "Mean months from a need's onset to the start of support",
    ),
    "caseload_per_worker": (
        "支援中の人数を相談員数で割った値",
        "People receiving support per caseworker",
    ),
    "unmet_gini_districts": (
        "圏域ごとの未支援割合のばらつき（0=どこも同じ）",
        "How unequal unmet need is across districts (0 = the same everywhere)",
    ),
    "isolation_rate": (
        "16歳以上で、同居していない家族や友人と対面の交流がない人の割合（職場の付き合いのみの人を含む）",
        "Share of people 16+ with no face-to-face contact with non-cohabiting family or friends "
        "(colleagues alone do not count)",
    ),
    "lonely_rate": (
        "16歳以上で孤独感が「しばしば・常にある」人の割合（住民ごとの状態）",
        "Share of people 16+ lonely often or always (a state of each resident)",
    ),
    "participation_rate": (
        "15歳以上で、過去1年に居場所・グループ・ボランティアに参加した人の割合",
        "Share of people 15+ who took part in a venue, group or volunteering in the past year",
    ),
    "volunteer_rate_year": (
        "10歳以上で、過去1年にボランティア活動をした人の割合",
        "Share of people 10+ who volunteered in the past year",
    ),
    "minsei_fill_rate": ("民生委員の定数に対する委嘱数の割合", "民生委員 serving per post"),
    "tanite_balance_hours": (
        "ボランティアの提供時間から、居場所・民生委員欠員・日常の見守りに必要な時間を引いたもの",
        "Volunteer hours available minus hours "
        "needed by venues, vacant 民生委員 posts and everyday help",
    ),
    "venues_open": (
        "開いているサロン・通いの場・子ども食堂・カフェ・多世代拠点の数",
        "Salons, kayoi-no-ba, children's cafeterias, cafés and hubs open",
    ),
    "cost_total": (
        "現状の窓口・民生委員・居場所補助と政策（重層の各機能）を合わせた費用（月）",
        "Monthly cost of today's counters, 民生委員 and venue grants plus the policy components",
    ),
    "cost_per_reconnected": (
        "累計費用を、孤立から再びつながった人の累計で割った値",
        "Cumulative cost per person who went from isolated to connected",
    ),
}
for _name, (_ja, _en) in _HELP.items():
    _m = next(m for m in _METRICS if m.name == _name)
    _METRICS[_METRICS.index(_m)] = Metric(_m.name, _m.ja, _m.en, _m.unit, _m.better, _ja, _en)

METRICS: dict[str, Metric] = {m.name: m for m in _METRICS}


def add(metric: Metric) -> None:
    """Register a metric (subsystems call this for their outputs)."""
    METRICS[metric.name] = metric


def label(name: str, lang: str = "ja") -> str:
    """The label of ``name`` in ``lang`` ("ja" or "en"); the raw name if unknown."""
    m = METRICS.get(name)
    if m is None:
        return name
    return m.ja if lang == "ja" else m.en
