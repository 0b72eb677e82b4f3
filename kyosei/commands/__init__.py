"""Sub-commands of ``kyosei``, registered by name with their one-line help.

Module ``kyosei.commands.NAME`` has ``add_parser(subparsers)`` and a handler. It is
imported only when its command runs (or its own ``--help`` is asked for), so
``kyosei --help`` does not load the model, NumPy, pandas, SciPy or Mesa. A new command
is one line here (in the order ``kyosei --help`` lists them) plus its module.
"""

COMMANDS: dict[str, str] = {
    "demo": "run the default comparison if its results are missing, then serve the dashboard",
    "new-town": "write a commented profile for your own town (TOML) to edit and run",
    "scenarios": "list town profiles and policy packages",
    "run": "run one town under one policy package",
    "calibrate": "compare the model with public statistics (exit 3 when a target fails)",
    "sweep": "run an experiment file (towns × policies × parameters × replicates)",
    "analyze": "bands, paired effects and sensitivity of a results folder",
    "discover": "scenario discovery (PRIM): the conditions that lead to an outcome",
    "dashboard": "serve the dashboard in the browser",
    "store": "check, repair or compact a results folder of 'kyosei sweep'",
}


def module_name(command: str) -> str:
    """The module implementing ``command`` (``new-town`` → ``kyosei.commands.new_town``)."""
    return f"{__name__}.{command.replace('-', '_')}"
