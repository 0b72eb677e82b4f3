"""``kyosei new-town NAME``: write a commented profile for one's own town, ready to run.

The file starts from a shipped profile (``--base``, default ``small_town``) and writes
out every field a town needs with its meaning, unit, allowed values and source. An
existing file is never overwritten (exit 2).
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from pathlib import Path

from model.parameters import clip

from ..errors import UsageError

NAME = re.compile(r"[\w\-]{1,100}")  # also a file name: at most 100 characters


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei new-town``."""
    p = sub.add_parser(
        "new-town",
        help="write a commented profile for your own town (TOML) to edit and run",
        description="Write NAME.toml: every field a town needs, with its meaning, unit, "
        "allowed values and source, starting from a shipped profile.",
    )
    p.add_argument("name", help="the town's name (letters, digits, - and _), e.g. minamimachi")
    p.add_argument(
        "--base",
        default="small_town",
        help="shipped profile to start from (default small_town; see 'kyosei scenarios')",
    )
    p.add_argument("--out", type=Path, help="file to write (default NAME.toml); never overwritten")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check the name and the file, render the profile, write it without overwriting."""
    from experiments.io import honour_umask
    from scenarios.loader import town_names
    from scenarios.template import render

    if not NAME.fullmatch(args.name):
        raise UsageError(
            f"new-town: name {clip(repr(args.name), 50)} is not allowed: 1 to 100 letters, "
            "digits, '-' and '_'"
        )
    if args.base not in town_names():
        raise UsageError(
            f"new-town: --base {args.base!r} is not allowed: one of {', '.join(town_names())}"
        )
    out: Path = args.out or Path(f"{args.name}.toml")
    if out.exists():
        raise UsageError(f"new-town: {out} exists and is not overwritten; give another --out")
    if not out.parent.is_dir():
        raise UsageError(f"new-town: --out {out}: the folder {out.parent} does not exist")
    text = render(args.name, args.base)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        honour_umask(tmp)  # mkstemp makes 0600: the profile is shared like any file
        try:
            os.link(tmp, out)  # atomic, and fails if the file appeared meanwhile
        except FileExistsError:
            raise UsageError(
                f"new-town: {out} exists and is not overwritten; give another --out"
            ) from None
    finally:
        os.unlink(tmp)
    print(f"wrote {out} (base: {args.base}); edit it, then: kyosei run {out} --years 20")
    return 0
