"""The 要旨: a short paragraph in plain words, written from the numbers on the page.

It says what was run (town, years, replicates, scale), then per package which outcomes
got better or worse against the reference — only those whose paired 90 % interval
lies on one side of zero — which showed no clear difference, and what the package costs
over the horizon and on top of the reference. The Compare page shows it above the
charts and the policy brief opens with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from .i18n import format_delta, metric_label, tr
from .results import Loaded


def _join(items: list[str], lang: str) -> str:
    if lang == "ja":
        return "、".join(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _oku(yen: float, signed: bool = False) -> str:
    v = yen / 1e8
    if not signed:
        return f"{v:,.2f}"
    return ("+" if v > 0 else "−" if v < 0 else "±") + f"{abs(v):,.2f}"


def _with(name: str, delta: str, lang: str) -> str:
    """An outcome with its difference: ``孤立の割合（−0.75 ポイント）``."""
    if lang != "ja":
        return f"{name} ({delta})"
    return f"{name} {delta}" if name.endswith("）") else f"{name}（{delta}）"


def scale_of(manifest: dict[str, Any]) -> float:
    """People per simulated resident of a set (1 when the manifest does not say)."""
    try:
        return float(manifest.get("experiment", {}).get("scale", 1.0))
    except (TypeError, ValueError):
        return 1.0


def set_facts(manifest: dict[str, Any], lang: str) -> str:
    """``1:10 · 4 反復 · 20 年`` — what makes two sets comparable, from a manifest."""
    scale = scale_of(manifest)
    reps = int(manifest.get("replications", 1) or 1)
    months = int(manifest.get("months", 0) or 0)
    years = round(months / 12) if months else manifest.get("experiment", {}).get("years", "?")
    return tr("set.facts", lang, scale=f"{scale:g}", reps=reps, years=years)


def set_label(path: str | Path, lang: str) -> str:
    """A set's name with its scale, replicates and years (read from its manifest only)."""
    p = Path(path)
    try:
        manifest = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return p.name
    if not isinstance(manifest, dict):
        return p.name
    return f"{p.name} · {set_facts(manifest, lang)}"


def summary(
    loaded: Loaded,
    town: str,
    arms: list[str],
    labels: dict[str, str],
    kpi: pd.DataFrame,
    year: int,
    lang: str,
    budget: pd.DataFrame | None = None,
) -> str:
    """The 要旨 paragraph (plain text) for these packages at ``year``."""
    years = round(loaded.months / 12)
    parts = [
        tr(
            "summary.what",
            lang,
            town=town,
            years=years,
            reps=loaded.replications(),
            scale=f"{scale_of(loaded.manifest):g}",
        )
    ]
    for arm in arms:
        ref = loaded.arm(arm).reference
        if ref == arm:
            continue
        rows = kpi[kpi["arm"] == arm] if not kpi.empty else kpi
        groups: dict[str, list[str]] = {"better": [], "worse": [], "none": [], "moved": []}
        for r in rows.to_dict("records") if not rows.empty else []:
            v = str(r.get("verdict", ""))
            name = metric_label(str(r["metric"]), lang)
            delta = format_delta(str(r["metric"]), float(r["mean_diff"]), lang)
            if v in ("better", "worse"):
                groups[v].append(_with(name, delta, lang))
            elif v == "none":
                groups["none"].append(name)
            elif v in ("up", "down"):
                groups["moved"].append(_with(name, delta, lang))
        pkg, base = labels.get(arm, arm), labels.get(ref, ref)
        text = tr("summary.package", lang, package=pkg, reference=base, year=year)
        said = []
        if groups["better"]:
            said.append(tr("summary.better", lang, items=_join(groups["better"], lang)))
        if groups["worse"]:
            said.append(tr("summary.worse", lang, items=_join(groups["worse"], lang)))
        if groups["moved"]:
            said.append(tr("summary.moved", lang, items=_join(groups["moved"], lang)))
        if said:
            text += ("、" if lang == "ja" else "; ").join(said) + tr("summary.end", lang)
        else:
            text += tr("summary.nothing", lang)
        if groups["none"]:
            text += tr("summary.none", lang, items=_join(groups["none"], lang))
        if budget is not None and not budget.empty:
            rows_of = {str(r["payer"]): r for r in budget[budget["arm"] == arm].to_dict("records")}
            if "cost_total" in rows_of:
                total = float(rows_of["cost_total"]["total"])
                inc = float(rows_of["cost_total"]["increment"])
                muni = ""
                if "cost_municipality" in rows_of:
                    value = _oku(float(rows_of["cost_municipality"]["increment"]), True)
                    muni = tr("summary.municipality", lang, value=value)
                text += tr(
                    "summary.cost",
                    lang,
                    years=years,
                    total=_oku(total),
                    increment=_oku(inc, True),
                    municipality=muni,
                )
        parts.append(text)
    parts.append(tr("summary.caveat", lang))
    return " ".join(parts) if lang == "en" else "".join(parts)
