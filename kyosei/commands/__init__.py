"""Sub-commands of ``kyosei``; each module has ``add_parser(subparsers)``."""

from . import run, scenarios

COMMANDS = [scenarios, run]
