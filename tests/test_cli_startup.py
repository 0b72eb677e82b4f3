"""The command line starts quickly: ``kyosei --help`` loads none of the heavy libraries."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from kyosei.cli import build_parser, main
from kyosei.commands import COMMANDS

HEAVY = ("mesa", "scipy", "pandas", "numpy", "pyarrow", "dask", "solara")
# The light model modules (errors, parameters, sources) may load; the model itself may not.
MODEL_BODY = ("model.core", "model.population", "model.demography")

PROBE = """
import sys
from kyosei.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
tops = {{m.split(".")[0] for m in sys.modules}} & set({heavy!r})
print("LOADED", sorted(tops | (set(sys.modules) & set({body!r}))))
"""


def _loaded(argv: list[str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY, body=MODEL_BODY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    (line,) = [ln for ln in result.stdout.splitlines() if ln.startswith("LOADED")]
    return line


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["run", "--help"], ["sweep", "-h"]])
def test_help_imports_no_heavy_library(argv):
    assert _loaded(argv) == "LOADED []"


def test_light_model_modules_load_no_heavy_library():
    """Errors, parameters and sources are importable without Mesa, NumPy or SciPy."""
    code = (
        "import sys, model.parameters, model.sources; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


def test_a_command_that_runs_does_load_the_model():
    """The probe can see an import: running a command loads what it needs."""
    assert "'model.core'" in _loaded(["run", "district", "--years", "0", "--out", "-"]) or (
        "'numpy'" in _loaded(["scenarios", "show", "district"])
    )


def test_every_registered_command_builds_and_its_help_matches_the_list():
    parser = build_parser()  # every module imported
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(sub.choices) == list(COMMANDS)
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert helps == COMMANDS


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["atlantis"])
    assert exit_.value.code == 2
    assert "invalid choice: 'atlantis'" in capsys.readouterr().err
