"""``kyosei store check DIR`` and ``kyosei store repair DIR``: a results store that checks itself.

``check`` reads every part of the store and names what is damaged (a truncated or empty
part, a part whose rows do not match the runs table, a folder that cannot be read) and
which runs would be run again; it changes nothing and exits 1 when something is damaged.
``repair`` moves the damaged parts, with the rest of their batch, into
``DIR/quarantine/`` (nothing is deleted); rerunning the same ``kyosei sweep`` then runs
exactly those runs again, with the same run ids, seeds and values.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei store``."""
    p = sub.add_parser("store", help="check or repair a results folder of 'kyosei sweep'")
    actions = p.add_subparsers(dest="store_action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="read every part; name what is damaged")
    check.add_argument("folder", type=Path, help="a results folder")
    repair = actions.add_parser(
        "repair", help="move damaged parts into DIR/quarantine/ so a rerun redoes their runs"
    )
    repair.add_argument("folder", type=Path, help="a results folder")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check (and with ``repair``, quarantine) the store."""
    from experiments.store import check_store, quarantine
    from model.errors import UsageError

    folder: Path = args.folder
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such results folder")
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
