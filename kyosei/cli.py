"""The ``kyosei`` command: one sub-command per job, with the exit codes users rely on.

Exit codes: 0 success; 2 bad input (a message names the file, the field, the value
and what is allowed; nothing is written); 1 anything else (a short message; run with
``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from model.parameters import ParameterError, clip

from . import __version__
from .commands import COMMANDS
from .errors import UsageError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on bad arguments already; keep its message short."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-parser per command."""
    parser = _Parser(
        prog="kyosei",
        description="Kyosei (共生): a shrinking, aging town and the policies that connect it.",
    )
    parser.add_argument("--version", action="version", version=f"kyosei {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


MESSAGE_LIMIT = 300  # characters of one error line; a longer value is cut, not echoed whole


def _say(text: str) -> None:
    """One line on stderr, at most :data:`MESSAGE_LIMIT` characters."""
    print(clip(" ".join(text.split()), MESSAGE_LIMIT), file=sys.stderr)


def _stdout_gone() -> None:
    """The reader of our output left (``kyosei scenarios show X | head``): stop quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the exit-time flush does not fail again
    except (OSError, ValueError, AttributeError):  # stdout is not a file (tests)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kyosei`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or EXIT_OK)
    except (ParameterError, UsageError) as err:
        _say(f"kyosei: error: {err}")
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_OK
    except KeyboardInterrupt:
        _say("kyosei: interrupted")
        return 130
    except Exception as err:  # the last line of defence: no traceback at a user
        if args.debug:
            raise
        _say(f"kyosei: failed: {type(err).__name__}: {err} (rerun with --debug for details)")
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
