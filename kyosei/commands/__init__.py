"""Sub-commands of ``kyosei``; each module has ``add_parser(subparsers)``."""

from . import analyze, calibrate, dashboard, demo, run, scenarios, store, sweep

COMMANDS = [demo, scenarios, run, calibrate, sweep, analyze, dashboard, store]
