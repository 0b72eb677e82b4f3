"""The ``kyosei`` command: one sub-command per job, with the exit codes users rely on.

Exit codes: 0 success; 2 bad input (a message names the file, the field, the value
and what is allowed; nothing is written); 1 anything else (a short message; run with
``--debug`` for the traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from model.errors import UsageError
from model.parameters import ParameterError

from . import __version__
from .commands import COMMANDS

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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kyosei`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or EXIT_OK)
    except (ParameterError, UsageError) as err:
        print(f"kyosei: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("kyosei: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # the last line of defence: no traceback at a user
        if args.debug:
            raise
        print(
            f"kyosei: failed: {type(err).__name__}: {err} (rerun with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
