"""``kyosei new-town NAME``: write a commented profile for one's own town, ready to run.

The file starts from a shipped profile (``--base``, default ``small_town``) and writes
out every field a town needs with its meaning, unit, allowed values and source. An
existing file is never overwritten (exit 2).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from model.parameters import clip

from ..errors import UsageError


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
    p.add_argument(
        "--counter-staff",
        metavar="CARE,DISABILITY,CHILD,HARDSHIP",
        help="staff (FTE) at your counters by field, e.g. 21,3,2.5,2.5 (包括3か所 × 7); "
        "written as support.staff_per_20k",
    )
    p.add_argument(
        "--venues",
        metavar="SALON,KAYOI,KODOMO,CAFE,HUB",
        help="venues by kind, e.g. 12,30,2,3,0 (サロン12か所, …); written as venues.per_100k",
    )
    p.add_argument(
        "--minsei-posts",
        type=int,
        metavar="N",
        help="民生委員 posts in the town; written as minsei.households_per_post",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check the name and the file, render the profile, write it without overwriting."""
    from experiments.io import honour_umask
    from model.parameters import ParameterError
    from scenarios.loader import town_names
    from scenarios.template import NAME, Counts, render

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
    counts = Counts(
        counter_staff=_numbers("--counter-staff", args.counter_staff),
        venues=_numbers("--venues", args.venues),
        minsei_posts=args.minsei_posts,
    )
    try:
        text = render(args.name, args.base, counts=counts)
    except ParameterError as err:
        raise UsageError(f"new-town: {err}") from None
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


def _numbers(option: str, text: str | None) -> tuple[float, ...] | None:
    """``"21,3,2.5"`` → ``(21.0, 3.0, 2.5)``; ``None`` when the option is not given."""
    if text is None:
        return None
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise UsageError(
            f"new-town: {option} {text!r} is not allowed: numbers separated by commas"
        ) from None
