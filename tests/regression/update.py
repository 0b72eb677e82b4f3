"""Regenerate the regression baseline after an intended change to the model's outputs.

    python -m tests.regression.update          # exact hashes + tolerance summary
    python -m tests.regression.update --list   # … and the negative control's parameter list

It prints every output series whose hash changed (per fixed run) and every summary
metric that moved beyond the tolerance, then writes

* ``tests/regression/hashes.json`` — SHA-256 of every output series of the fixed runs,
  with the environment they were computed in (NumPy, SciPy, Python, platform);
* ``tests/regression/baseline.json`` — the tolerance summary (the fallback);
* with ``--list``: ``tests/regression/knobs.json`` and ``docs/regression-baseline.md`` —
  which declared parameters the fixed runs exercise (a change is detected) and which not.

Commit the files with the change that explains why the numbers moved.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from . import summary
from .parameters import Knob, detected, knobs, nudge, value_in
from .runs import CASES, MONTHS, SEED, Outputs, case_hashes, environment, run, scenario

HERE = Path(__file__).resolve().parent
HASHES = HERE / "hashes.json"
KNOBS = HERE / "knobs.json"
DOC = HERE.parents[1] / "docs" / "regression-baseline.md"

# Why a parameter leaves every hash of the fixed runs unchanged, where we can tell.
_TREND = "a yearly trend: 10 % of it moves the rate by under 0.2 % in three years, too little "
_TREND += "to change a draw in these runs"
_MONEY = "no NPO runs short of money in these runs (most months_short is 0), so NPO finances "
_MONEY += "decide no dissolution"
REASONS = {
    "town.annual_change_target": "a calibration target: the model does not read it "
    "(tests/test_demography.py compares runs with it)",
    "ties.kin_trend": _TREND,
    "ties.neighbour_trend": _TREND,
    "minsei.recruit_trend": _TREND,
    "demography.male_birth_share": "a newborn's sex shows in no output within 36 months "
    "(outputs by sex are of adults)",
    **{
        f"organisations.{name}": _MONEY
        for name in (
            "grant",
            "fee",
            "donations",
            "cost_per_venue",
            "reserve_months",
            "grace_months",
        )
    },
    "shocks.pandemic_revenue": _MONEY + " (also during the pandemic)",
    "shocks.pandemic_npo_hit": _MONEY + " (also during the pandemic)",
    "cafe_agreement.intensity": "the number of partner cafés is rounded: 5.5 and 5 per 100k "
    "both give 2 cafés in a town of 30,000",
    "costs.hub_setup": "no multi-generation hub opens in these runs",
    "ties.arrival_work_ties": "colleagues are not counted as friends (isolation counts kin, "
    "neighbour, interest and issue ties) and touch the other ties only through the share of "
    "the loss hazard: 10 % more changes a few newcomers' colleagues, and no output here",
    "community_building.hubs_per_100k_year": "no multi-generation hub opens in these runs "
    "(about 0.025 expected a month in a town of 30,000, and 10 % more still draws none)",
}


def current_hashes() -> dict[str, dict[str, str]]:
    """Hashes of every output series of every fixed run, with the code as it is."""
    return {name: case_hashes(case) for name, case in CASES.items()}


def changed_series(old: dict[str, dict[str, str]], new: dict[str, dict[str, str]]) -> list[str]:
    """Readable lines: series changed, added or removed, per fixed run."""
    lines = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, {}), new.get(name, {})
        changed = sorted(k for k in a.keys() & b.keys() if a[k] != b[k])
        added, removed = sorted(b.keys() - a.keys()), sorted(a.keys() - b.keys())
        for label, items in (("changed", changed), ("added", added), ("removed", removed)):
            if items:
                lines.append(f"{name}: {len(items)} series {label}: {', '.join(items)}")
    return lines


def write_hashes() -> None:
    """Recompute the exact hashes, print what changed, write ``hashes.json``."""
    new = current_hashes()
    old: dict[str, Any] = json.loads(HASHES.read_text()) if HASHES.exists() else {}
    lines = changed_series(old.get("cases", {}), new)
    print("\n".join(lines) if lines else "exact hashes: no series changed")
    if old and old.get("environment") != environment():
        print(f"environment: recorded {old.get('environment')}, now {environment()}")
    data = {
        "environment": environment(),
        "runs": {"seed": SEED, "months": MONTHS},
        "cases": new,
    }
    HASHES.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {HASHES.relative_to(HERE.parents[1])}")


def write_summary() -> None:
    """Recompute the tolerance summary, print what moved, write ``baseline.json``."""
    old = json.loads(summary.BASELINE.read_text()) if summary.BASELINE.exists() else {}
    new = {name: summary.summarise(*case) for name, case in summary.CASES.items()}
    for name, metrics in new.items():
        for line in summary.mismatches(metrics, old.get(name, {})):
            print(f"summary {name}: {line}")
    summary.BASELINE.write_text(json.dumps(new, indent=2, sort_keys=True) + "\n")
    print(f"wrote {summary.BASELINE.relative_to(HERE.parents[1])}")


def _overrides(overrides: dict[str, Any]) -> str:
    return ", ".join(f"`{k} = {_show(v)}`" for k, v in overrides.items())


def _show(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(f"{v:g}" for v in value) + "]"
    return f"{value:g}"


def classify(knob: Knob, reference: dict[str, Outputs]) -> dict[str, str]:
    """Whether the knob's change is detected, by which run, and the values compared."""
    case = next(c for c in CASES.values() if value_in(c, knob) is not None)
    value = value_in(case, knob)
    try:
        change = f"{_show(value)} → {_show(nudge(value, knob))}"
        by = detected(knob, reference)
    except ValueError as err:
        return {"exercised": "", "change": "", "reason": str(err).split(": ", 1)[1]}
    reason = "" if by else REASONS.get(knob.name, "") or "not diagnosed"
    return {"exercised": by, "change": change, "reason": reason}


def write_list() -> dict[str, dict[str, str]]:
    """Run the negative control for every knob; write ``knobs.json`` and the docs page."""
    reference = {name: run(scenario(case)) for name, case in CASES.items()}
    start = time.perf_counter()
    table = {k.name: classify(k, reference) for k in knobs()}
    seconds = time.perf_counter() - start
    KNOBS.write_text(json.dumps(table, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    write_page(table, seconds)
    return table


def write_page(table: dict[str, dict[str, str]], seconds: float) -> None:
    """Write ``docs/regression-baseline.md`` from the negative control's table."""
    yes = {k: v for k, v in table.items() if v["exercised"]}
    no = {k: v for k, v in table.items() if not v["exercised"]}
    lines = [
        "# Regression baseline: what it checks, and which parameters it exercises",
        "",
        "Generated by `python -m tests.regression.update --list`; do not edit by hand.",
        "",
        "## The exact baseline",
        "",
        f"Fixed runs (seed {SEED}, {MONTHS} months after the warm-up); each output series",
        "(every column of `recorder.timeseries()` and `recorder.districts()`) is hashed with",
        "SHA-256 over its float64 values:",
        "",
        *[
            f"* `{name}`: town `{c.town}`, policy `{c.policy}`, 1 simulated resident per "
            f"{c.scale:g} people" + (", with " + _overrides(c.overrides) if c.overrides else "")
            for name, c in CASES.items()
        ],
        "",
        "The `more_needs` runs make needs four times as common (and other needs mentioned",
        "more often) so that the counters' rarer rules act often enough in a short run.",
        "The `crises` run makes crises at top severity common and mostly fatal, so that the",
        "month's order around a crisis death (who lives alone after it, emergency referrals)",
        "shows in the hashes: none of the other runs has a crisis death.",
        "",
        "`tests/test_regression.py` compares them exactly with `tests/regression/hashes.json`",
        "when NumPy and SciPy (major.minor), Python (major.minor) and the platform",
        "(`sys.platform` and machine) all equal the ones recorded there. Where any differs,",
        "floating-point results may differ in the last bit, the exact comparison is skipped",
        "(with the reason) and the tolerance summary (`tests/regression/baseline.json`:",
        "ten-year means within 2 % or 0.005) is the check. The summary runs everywhere.",
        "",
        "After an intended change to the outputs (e.g. after merging model changes), run",
        "`python -m tests.regression.update` (add `--list` when parameters were added or",
        "removed, or their effect changed): it prints which series changed.",
        "",
        "## Negative control",
        "",
        "Each declared numeric parameter (a `param` field of the town's parameter sections; a",
        "list changes as a whole, its entries alternately up and down, so that lists read as",
        "shapes change too), each option of the policy components in these runs, and each",
        "component's intensity, is changed by 10 %: +10 % (−10 % where +10 % is outside its",
        "range; whole numbers by at least 1; a 0 moves by a tenth of its range, or by 0.1, or",
        "1 for whole numbers).",
        "*Exercised*: the change alters at least one hash of at least one run; the slow test",
        "`test_a_ten_percent_change_is_detected` checks each of these again. A changed run",
        "stops at its first month whose town-wide row differs from the unchanged run's (a row,",
        "once recorded, never changes), and is compared hash by hash only when none does.",
        "",
        f"{len(yes)} of {len(table)} exercised, {len(no)} not exercised "
        f"(the whole list took {seconds:.0f} s to compute).",
        "",
        "### Not exercised",
        "",
        "| parameter | change | reason |",
        "|---|---|---|",
        *[f"| `{k}` | {v['change']} | {v['reason']} |" for k, v in sorted(no.items())],
        "",
        "### Exercised",
        "",
        "| parameter | change | first detected by |",
        "|---|---|---|",
        *[f"| `{k}` | {v['change']} | `{v['exercised']}` |" for k, v in sorted(yes.items())],
        "",
    ]
    DOC.write_text("\n".join(lines))
    print(f"{len(yes)} of {len(table)} parameters exercised; wrote {DOC.name} in {seconds:.0f} s")


def main(argv: list[str] | None = None) -> None:
    """Command line: regenerate the baseline files."""
    parser = argparse.ArgumentParser(prog="python -m tests.regression.update")
    parser.add_argument(
        "--list", action="store_true", help="also rerun the negative control and write its list"
    )
    args = parser.parse_args(argv)
    write_hashes()
    write_summary()
    if args.list:
        write_list()


if __name__ == "__main__":
    main()
