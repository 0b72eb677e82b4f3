"""Sub-commands of ``kyosei``; each module has ``add_parser(subparsers)``."""

from . import calibrate, run, scenarios

COMMANDS = [scenarios, run, calibrate]
