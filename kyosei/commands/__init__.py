"""Sub-commands of ``kyosei``; each module has ``add_parser(subparsers)``."""

from . import analyze, calibrate, dashboard, demo, discover, run, scenarios, sweep

COMMANDS = [demo, scenarios, run, calibrate, sweep, analyze, discover, dashboard]
