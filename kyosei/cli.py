"""The ``kyosei`` command: one sub-command per job, with the exit codes users rely on.

Exit codes: 0 success; 2 bad input (a message names the file, the field, the value
and what is allowed; nothing is written); 1 anything else (a short message; run with
``--debug`` for the traceback); 141 when the reader of the output stops early
(``kyosei scenarios show okazaki | head``), quietly.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from model.parameters import ParameterError, clip

from . import __version__
from .commands import COMMANDS, module_name
from .errors import UsageError

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
EXIT_PIPE_CLOSED = 141  # as for other tools stopped by SIGPIPE


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on bad arguments already; keep its message short."""


def _command_in(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv`` (the first word that is not a global option)."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every command listed, ``command`` (or all) with its arguments.

    Only the module of ``command`` is imported; ``None`` imports every command's module
    (for documentation and tests).
    """
    parser = _Parser(
        prog="kyosei",
        description="Kyosei (共生): a shrinking, aging town and the policies that connect it.",
    )
    parser.add_argument("--version", action="version", version=f"kyosei {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        if command is None or name == command:
            importlib.import_module(module_name(name)).add_parser(sub)
        else:  # listed with its help; its module is imported only when it runs
            sub.add_parser(name, help=help_text)
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


def _check_threads() -> None:
    """A bad ``KYOSEI_THREADS`` is bad input, answered before any work starts."""
    if "KYOSEI_THREADS" not in os.environ:
        return  # (the kernels, and Numba with them, load only when a command needs them)
    from model import kernels

    try:
        kernels.threads_now()
    except ValueError as err:
        raise UsageError(str(err)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``kyosei`` console script."""
    words = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_in(words) or "")
    args = parser.parse_args(words)

    try:
        _check_threads()
        code = int(args.handler(args) or EXIT_OK)
        sys.stdout.flush()  # a closed pipe shows here, not as noise at exit
        return code
    except BrokenPipeError:  # the reader stopped (e.g. `| head`): stop quietly
        _stdout_gone()
        return EXIT_PIPE_CLOSED
    except (ParameterError, UsageError) as err:
        _say(f"kyosei: error: {err}")
        return EXIT_BAD_INPUT
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
