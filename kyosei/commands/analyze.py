"""``kyosei analyze DIR``: summarise a results store on the terminal (and as tidy files).

Prints, for the experiment's outcome metrics at the last month (or ``--month``): the
median and 10–90 % band per arm, each arm's paired difference from its reference with
an interval, the replication advice, and sensitivity indices when the design allows.
``--out FOLDER`` also writes each table as Parquet and CSV for notebooks, R or DuckDB.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import analysis, io
from experiments.sensitivity import sensitivity
from experiments.store import ResultsStore, check_store
from model.errors import UsageError
from model.metrics import METRICS
from model.parameters import clip

from ..table import render


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei analyze``."""
    p = sub.add_parser("analyze", help="bands, paired effects and sensitivity of a results folder")
    p.add_argument("results", type=Path, help="a results folder written by 'kyosei sweep'")
    p.add_argument(
        "--metric", action="append", default=[], help="metric(s) to analyse (repeatable)"
    )
    p.add_argument("--month", type=int, help="month to compare (default: the last)")
    p.add_argument("--level", type=float, default=0.9, help="interval level (default 0.9)")
    p.add_argument(
        "--contrast",
        action="append",
        default=[],
        metavar="A:B",
        help="also compare arm A with arm B (full names or a part only one arm has; repeatable)",
    )
    p.add_argument("--out", type=Path, help="also write the tables here (Parquet and CSV)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the tables; optionally write them."""
    if not args.results.is_dir():
        raise UsageError(f"{args.results}: no such results folder")
    if not 0 < args.level < 1:
        raise UsageError(f"--level {args.level} is not allowed: a number between 0 and 1")
    if args.out:
        check_tables_folder(args.out)  # before any work, and again before writing
    # As a resume does: a damaged part (even one that reads but misses rows) is not analysed.
    damage = check_store(args.results, quick=True)
    if not damage.ok:
        first = damage.damaged[0]
        raise UsageError(
            f"{args.results}: {len(damage.damaged)} damaged part(s), e.g. {first.path}; "
            "'kyosei store check' names them, 'kyosei store repair' and a resumed sweep mend them"
        )
    store = ResultsStore(args.results)
    available = store.metrics()
    if not available:
        raise UsageError(f"{args.results}: no finished runs yet")
    metrics = args.metric or [m for m in store.manifest["metrics"] if m in available]
    for m in metrics:
        if m not in available:
            raise UsageError(
                f"--metric {clip(repr(m), 50)} is not allowed: one of {', '.join(available)}"
            )
    contrasts = []
    for text in args.contrast:
        a, sep, b = text.partition(":")
        if not sep or not a or not b:
            raise UsageError(f"--contrast {text!r} is not allowed: two arms as A:B")
        contrasts.append((analysis.find_arm(store, a), analysis.find_arm(store, b)))
    counts = store.counts()
    print(
        f"{store.name}: {counts['ok']} of {counts['planned']} runs ok, {counts['failed']} failed, "
        f"{counts['lost']} lost; code {store.manifest['code_version']}"
    )
    tables: dict[str, pd.DataFrame] = {}
    final = analysis.outcomes(store, metrics, args.month)
    month = int(final["month"].iloc[0]) if not final.empty else args.month
    tables["bands"] = analysis.quantile_bands(store, metrics)
    _print_bands(tables["bands"], metrics, month)
    tables["paired"] = analysis.paired_differences(store, metrics, month=month, level=args.level)
    _print_paired(tables["paired"], args.level)
    if contrasts:
        tables["contrasts"] = pd.concat(
            [
                analysis.contrast(store, a, b, metrics, month=month, level=args.level)
                for a, b in contrasts
            ],
            ignore_index=True,
        )
        _print_paired(tables["contrasts"], args.level, title="Contrasts between arms")
    if analysis.factors(store):
        tables["effects"] = pd.concat(
            [analysis.effects(store, m, month=month, level=args.level) for m in metrics],
            ignore_index=True,
        )
        _print_effects(tables["effects"], args.level)
    advice = [analysis.replication_advice(store, m, month=month, level=args.level) for m in metrics]
    tables["advice"] = pd.concat(advice, ignore_index=True)
    print("\nReplication advice:")
    for frame in advice:
        for arm in frame["arm"].unique():
            print("  " + analysis.advice_text(frame, arm, args.level))
    if store.manifest["design"] != "none":
        tables["sensitivity"] = pd.concat(
            [sensitivity(store, m, month=month) for m in metrics], ignore_index=True
        )
        _print_sensitivity(tables["sensitivity"])
    if args.out:
        check_tables_folder(args.out)
        args.out.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            io.write_parquet(frame, args.out / f"{name}.parquet")
            io.write_text(frame.to_csv(index=False), args.out / f"{name}.csv")
        print(f"\nwrote {', '.join(tables)} to {args.out}/ (Parquet and CSV)")
    return 0


TABLE_NAMES = ("bands", "paired", "contrasts", "effects", "advice", "sensitivity")


def check_tables_folder(out: Path) -> None:
    """``--out``: a new or empty folder, or one holding only tables an earlier analyze wrote.

    Anything else in it is somebody's: the folder is refused and nothing in it touched.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: a file of that name exists; give a folder")
    if not out.is_dir():
        return
    ours = {f"{name}.{ext}" for name in TABLE_NAMES for ext in ("csv", "parquet")}
    other = sorted(p.name for p in out.iterdir() if p.name not in ours or not p.is_file())
    if other:
        shown = ", ".join(other[:3]) + (f" and {len(other) - 3} more" if len(other) > 3 else "")
        raise UsageError(
            f"--out {out}: the folder holds files 'kyosei analyze' did not write ({shown}); "
            "nothing in it is touched: give a new or empty folder"
        )


def _fmt(metric: str, value: float) -> str:
    m = METRICS.get(metric)
    return m.format(value) if m else f"{value:.4g}"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def _print_bands(bands: pd.DataFrame, metrics: list[str], month: int | None) -> None:
    rows = [
        [
            str(r["arm"]),
            str(r["metric"]),
            _fmt(r["metric"], r["median"]),
            f"{_fmt(r['metric'], r['lo'])} – {_fmt(r['metric'], r['hi'])}",
            str(r["n"]),
        ]
        for r in _records(bands[bands["month"] == month])
    ]
    print(f"\nMonth {month}: median and 10–90 % band over replicates")
    print(render(["arm", "metric", "median", "10–90 %", "runs"], rows, right=(2, 3, 4)))


def _ratio(value: float) -> str:
    return "—" if pd.isna(value) else f"{value:.3f}"


def _print_paired(paired: pd.DataFrame, level: float, title: str = "") -> None:
    if paired.empty:
        return
    rows = []
    for r in _records(paired):
        delta = analysis.format_delta
        m = r["metric"]
        rows.append(
            [
                str(r["arm"]),
                str(m),
                delta(m, r["mean_diff"]),
                f"{delta(m, r['lo'])} … {delta(m, r['hi'])}",
                str(r["n"]),
                str(r["replicates"]),
                _ratio(r["variance_ratio"]),
            ]
        )
        if r["replicates"] < 2:
            rows[-1][3] = "not enough replicates to tell"
    if title:
        rows = [
            [f"{row[0]} − {r['reference']}", *row[1:]]
            for row, r in zip(rows, _records(paired), strict=True)
        ]
        print(f"\n{title} (same seeds), {level:.0%} interval over replicates")
    else:
        print(
            f"\nPaired difference from the reference arm (same seeds), {level:.0%} interval "
            "over replicates"
        )
    header = ["arm", "metric", "difference", "interval", "pairs", "replicates", "var ratio"]
    print(render(header, rows, right=(2, 3, 4, 5, 6)))


def _print_effects(table: pd.DataFrame, level: float) -> None:
    if table.empty:
        return
    rows = []
    for r in _records(table):
        m = str(r["metric"])
        delta = analysis.format_delta
        interval = (
            "not enough replicates to tell"
            if r["replicates"] < 2
            else f"{delta(m, r['lo'])} … {delta(m, r['hi'])}"
        )
        rows.append(
            [
                str(r["effect"]),
                str(r["factor"]),
                f"{r['level']} vs {r['baseline_level']}",
                m,
                delta(m, r["value"]),
                interval,
            ]
        )
    print(f"\nMain effects and two-way interactions, {level:.0%} interval over replicates")
    header = ["effect", "factor", "level", "metric", "value", "interval"]
    print(render(header, rows, right=(4, 5)))


def _print_sensitivity(table: pd.DataFrame) -> None:
    if table.empty:
        return
    rows = [
        [
            str(r["arm"]),
            str(r["metric"]),
            str(r["parameter"]),
            str(r["index"]),
            "—" if pd.isna(r["value"]) else f"{r['value']:.3g}",
            "" if pd.isna(r["lo"]) else f"{r['lo']:.3g} … {r['hi']:.3g}",
        ]
        for r in _records(table)
    ]
    for row in rows:
        if row[3] == "noise_share" and row[4] == "—":
            row[5] = "not enough replicates to tell"
    print("\nSensitivity (outcome mean over replicates at each design point)")
    print(render(["arm", "metric", "parameter", "index", "value", "interval"], rows, right=(4, 5)))
