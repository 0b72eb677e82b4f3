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
        if self.unit in ("people", "count", "households"):
            return f"{value:,.0f}"
        return f"{value:,.2f}"


_METRICS = [
    Metric("population", "人口", "Population", "people"),
    Metric("households", "世帯数", "Households", "households"),
    Metric("mean_household_size", "平均世帯人員", "Mean household size", "ratio"),
    Metric("aging_rate", "高齢化率", "Aging rate (65+)", "share"),
    Metric("share_75plus", "75歳以上の割合", "Share aged 75+", "share"),
    Metric("share_0_14", "年少人口割合", "Share aged 0-14", "share"),
    Metric("single_elderly", "高齢単身者", "Elderly living alone", "people"),
    Metric("single_elderly_share", "高齢者のうち単身の割合", "Share of 65+ living alone", "share"),
    Metric("in_facility", "施設入所者", "Living in care facilities", "people"),
    Metric("births", "出生", "Births", "people"),
    Metric("deaths", "死亡", "Deaths", "people"),
    Metric("in_migrants", "転入", "Moved in", "people"),
    Metric("out_migrants", "転出", "Moved out", "people"),
    Metric("to_facility", "施設入所", "Moved into facilities", "people"),
]

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
