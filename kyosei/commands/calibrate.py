"""``kyosei calibrate [TOWN]``: the model next to public statistics, with tolerances.

Prints one row per target (the statistic's year, model value — the mean of a few
replicate runs — public figure, tolerance, pass/fail), then each target's definition
and source, with progress on stderr. Exits 0 when every target passes and 3 when any
fails — its documented exception to the usual codes (1 and 2 keep their meaning:
failure to run, bad input).
"""

from __future__ import annotations

import argparse

from ..progress import add_quiet, bar
from ..table import default_lang, render, sources_section
from .run import parse_overrides

EXIT_TARGET_FAILED = 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei calibrate``."""
    p = sub.add_parser(
        "calibrate",
        help="compare the model with public statistics (exit 3 when a target fails)",
        description="Run the town a few times and compare it with public statistics: each "
        "target's definition, year, public figure, model value and pass/fail. Exit status: "
        "0 all targets pass, 3 a target fails, 2 bad input, 1 failure to run.",
    )
    p.add_argument("town", nargs="?", default="national", help="town profile (default: national)")
    p.add_argument("--years", type=int, default=10, help="years to run (default 10)")
    p.add_argument("--seed", type=int, default=1, help="seed of the first replicate (default 1)")
    p.add_argument("--replicates", type=int, default=3, help="runs averaged per target (default 3)")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--set", action="append", default=[], metavar="PARAM=VALUE")
    p.add_argument(
        "--lang",
        choices=["ja", "en"],
        default=None,
        help="language of source titles (default: LANG)",
    )
    add_quiet(p)
    p.set_defaults(handler=handle)


def _fmt(value: float, unit: str) -> str:
    from model.metrics import Metric

    return Metric("x", "", "", "share").format(value) if unit == "share" else f"{value:,.2f}"


def handle(args: argparse.Namespace) -> int:
    """Run the town and print the calibration table."""
    from model.calibration import check
    from model.parameters import check_whole
    from scenarios import load_scenario

    check_whole("--years", args.years, lo=1, hi=50, unit="years")
    scenario = load_scenario(args.town, scale=args.scale, overrides=parse_overrides(args.set))
    check_whole("--replicates", args.replicates, lo=1, hi=100)
    # replicate r runs with seed + r: every one a valid seed
    check_whole("--seed", args.seed, lo=0, hi=2**63 - args.replicates)
    with bar(args.replicates * args.years, "calibrate", unit="yr", quiet=args.quiet) as years:
        table = check(
            scenario,
            seed=args.seed,
            years=args.years,
            replicates=args.replicates,
            tick=lambda: years.update(1),
        )
    records = table.to_dict("records")
    rows = [
        [
            row["target"],
            str(row["year"]),
            _fmt(row["model"], row["unit"]),
            _fmt(row["public"], row["unit"]),
            "± " + _fmt(row["tolerance"], row["unit"]),
            "pass" if row["pass"] else "FAIL",
        ]
        for row in records
    ]
    print(render(["target", "year", "model", "public", "tolerance", ""], rows, right=(2, 3, 4)))
    print("\nDefinitions (what the model counts) and sources:")
    for i, row in enumerate(records, start=1):
        print(f"{i:2d}. {row['target']} [{row['unit']}]: {row['definition']}")
        print(f"    source: {row['source']}")
    print("\n" + sources_section(table["source"], args.lang or default_lang()))
    failed = int((~table["pass"]).sum())
    print(
        f"\n{len(table) - failed} of {len(table)} targets pass"
        + (f"; {failed} FAIL" if failed else "")
    )
    return EXIT_TARGET_FAILED if failed else 0
