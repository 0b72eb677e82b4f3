"""``kyosei discover DIR``: which town conditions and policy settings lead to an outcome (PRIM).

Example: ``kyosei discover results/lhs --metric unmet_share --year 2044 --above 0.03``
prints the box (ranges of the uncertainties and levers) inside which the unmet share of
residents is above 3 % at the end of 2044, with its coverage and density. ``--year`` is a
calendar year, as everywhere in Kyosei (the ``year`` column; month 0 is in the town's
``start_year``): the metric is read at the last month of that year. Needs the EMA
Workbench (``pip install 'kyosei[ema]'``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import UsageError
from ..table import render


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei discover``."""
    p = sub.add_parser(
        "discover", help="scenario discovery (PRIM): the conditions that lead to an outcome"
    )
    p.add_argument("results", type=Path, help="a results folder written by 'kyosei sweep'")
    p.add_argument("--metric", required=True, help="the metric of the outcome, e.g. unmet_share")
    when = p.add_mutually_exclusive_group()
    when.add_argument(
        "--year",
        type=int,
        help="read the metric at the last month of this calendar year (e.g. 2044)",
    )
    when.add_argument("--month", type=int, help="read the metric at this month (default: last)")
    p.add_argument("--above", type=float, help="the outcome is the metric above this value")
    p.add_argument("--below", type=float, help="the outcome is the metric below this value")
    p.add_argument(
        "--density",
        type=float,
        default=0.8,
        help="least share of runs in the box with the outcome (default 0.8)",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run PRIM and print the box."""
    from experiments.discovery import discover
    from experiments.store import ResultsStore

    if not args.results.is_dir():
        raise UsageError(f"{args.results}: no such results folder")
    store = ResultsStore(args.results)
    month = store.month_of_year(args.year) if args.year is not None else args.month
    found = discover(
        store,
        args.metric,
        month=month,
        above=args.above,
        below=args.below,
        min_density=args.density,
    )
    print(f"{store.name}: scenario discovery (PRIM, EMA Workbench)")
    for line in found.lines():
        print(line)
    if not found.limits.empty:
        rows = [[str(r.parameter), str(r.box), str(r.full)] for r in found.limits.itertuples()]
        print(render(["parameter", "in the box", "over all runs"], rows))
    return 0
