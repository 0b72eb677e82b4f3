"""The calibration table: the national-like town reproduces the public figures."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from kyosei.cli import main
from model.calibration import TARGETS, check
from scenarios import load_scenario


def _one_replicate(seed: int) -> list[float]:
    """The model's value of every target in one 10-year run of the national-like town."""
    return check(load_scenario("national"), seed=seed, years=10, replicates=1)["model"].tolist()


@pytest.mark.slow
def test_every_calibration_target_passes_for_the_national_profile():
    """``kyosei calibrate``'s table (seeds 1-3, 10 years, 1:1), replicates in two processes.

    The mean of three one-replicate tables is the three-replicate table: ``check``
    averages the replicates' values target by target.
    """
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        values = np.mean(list(pool.map(_one_replicate, (1, 2, 3))), axis=0)
    table = pd.DataFrame(
        {
            "target": [t.name for t in TARGETS],
            "model": values,
            "public": [t.target for t in TARGETS],
            "tolerance": [t.tolerance for t in TARGETS],
            "pass": [t.passes(float(v)) for t, v in zip(TARGETS, values, strict=True)],
        }
    )
    failing = table.loc[~table["pass"], ["target", "model", "public", "tolerance"]]
    assert failing.empty, f"targets outside tolerance:\n{failing.to_string()}"
    assert len(table) == len(TARGETS) >= 20


def test_every_target_names_a_source_and_a_positive_tolerance():
    for target in TARGETS:
        assert target.source
        assert target.tolerance > 0
        assert target.passes(target.target)
        assert not target.passes(target.target + 2 * target.tolerance)


def test_calibrate_command_exits_nonzero_when_a_target_fails(capsys):
    # Negative control: a town with no elderly-care onset misses the care target.
    code = main(
        [
            "calibrate",
            "district",
            "--years",
            "1",
            "--scale",
            "4",
            "--replicates",
            "1",
            "--set",
            "needs.care_onset_65=0.0",
            "--set",
            "switches.synthetic_start=false",
        ]
    )
    out = capsys.readouterr().out
    assert code == 3
    assert "FAIL" in out
    assert "care certification among 65+" in out


def test_odd_parameter_tables_are_current():
    """docs/ODD.md carries the tables generated from the parameters' metadata."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "docs" / "parameter_tables.py"
    spec = importlib.util.spec_from_file_location("parameter_tables", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = module.ODD.read_text(encoding="utf-8")
    assert module.render(text) == text, "run: python docs/parameter_tables.py"
