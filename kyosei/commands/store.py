"""``kyosei store check|repair|compact DIR``: a results store that checks and compacts itself.

``check`` reads every part of the store and names what is damaged (a truncated or empty
part, a part whose rows do not match the runs table, a folder that cannot be read) and
which runs would be run again; it changes nothing and exits 1 when something is damaged.
``repair`` moves the damaged parts, with the rest of their batch, into
``DIR/quarantine/`` (nothing is deleted); rerunning the same ``kyosei sweep`` then runs
exactly those runs again, with the same run ids, seeds and values. ``compact`` merges
the small batches a sweep wrote into a few large files sorted by month (a sweep does it
itself as it goes and when it ends; this is for stores written with compaction off, or
by an older Kyosei).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei store``."""
    p = sub.add_parser("store", help="check, repair or compact a results folder of 'kyosei sweep'")
    actions = p.add_subparsers(dest="store_action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="read every part; name what is damaged")
    check.add_argument("folder", type=Path, help="a results folder")
    repair = actions.add_parser(
        "repair", help="move damaged parts into DIR/quarantine/ so a rerun redoes their runs"
    )
    repair.add_argument("folder", type=Path, help="a results folder")
    compact = actions.add_parser(
        "compact", help="merge small batches into a few large files sorted by month"
    )
    compact.add_argument("folder", type=Path, help="a results folder")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check (and with ``repair``, quarantine) the store."""
    from experiments.store import check_store, quarantine
    from model.errors import UsageError

    folder: Path = args.folder
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such results folder")
    if args.store_action == "compact":
        return _compact(folder)
    result = check_store(folder)
    for line in result.lines():
        print(line)
    if args.store_action == "check":
        if result.ok:
            print("  no damage found")
            return 0
        print(f"  repair with: kyosei store repair {folder}")
        return 1
    moved = quarantine(result)
    if moved is None:
        print("  no damage found; nothing moved")
        return 0
    print(f"  moved the damaged batches to {moved} (nothing deleted)")
    print("  rerun the same 'kyosei sweep EXPERIMENT --out FOLDER' to run them again")
    return 0


def _compact(folder: Path) -> int:
    """Compact a store no sweep is writing; damaged stores are refused (repair first)."""
    import os
    import socket

    from experiments import compaction, io
    from experiments.store import WRITING, check_store, live_parts, writer_alive
    from model.errors import UsageError

    if writer_alive(folder):
        raise UsageError(
            f"{folder}: a sweep is writing this folder right now "
            f"({(folder / WRITING).read_text(encoding='utf-8').strip()}); it compacts as it "
            "goes: wait for it to end"
        )
    check = check_store(folder, quick=True)
    if not check.ok:
        for line in check.lines():
            print(line)
        raise UsageError(
            f"{folder}: damaged parts are never compacted; run 'kyosei store repair {folder}' "
            "and the sweep again first"
        )
    before = len(live_parts(folder))
    io.write_text(f"{socket.gethostname()} {os.getpid()}\n", folder / WRITING)
    try:
        compaction.clear_spools(folder)
        made = compaction.compact(folder)
    finally:
        (folder / WRITING).unlink(missing_ok=True)
    after = len(live_parts(folder))
    if not made:
        print(f"{folder}: {before} batch(es); nothing to compact")
    else:
        print(f"{folder}: {before} batch(es) compacted into {after} ({len(made)} new)")
    return 0
