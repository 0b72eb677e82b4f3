"""Progress bars for the commands that run the model many times (tqdm, on stderr).

A bar is shown only when stderr is a terminal and the user did not ask for quiet
(``--quiet``): logs, pipes and CI output get no carriage-return noise.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_quiet(p: argparse.ArgumentParser) -> None:
    """The ``--quiet`` option of a command that shows progress."""
    p.add_argument(
        "-q", "--quiet", action="store_true", help="no progress bar (none either off a terminal)"
    )


def wanted(quiet: bool = False) -> bool:
    """Whether to show progress: a terminal on stderr, and not ``--quiet``."""
    return not quiet and sys.stderr.isatty()


def bar(total: int, desc: str, *, unit: str, quiet: bool = False) -> Any:
    """A tqdm bar of ``total`` steps on stderr, disabled unless :func:`wanted`."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, disable=not wanted(quiet))
