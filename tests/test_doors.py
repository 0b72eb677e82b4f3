"""Doors found still open while trying every item of issue 19 with the real command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kyosei.cli import MESSAGE_LIMIT, main


def _refused(capsys: pytest.CaptureFixture[str], args: list[str], *needles: str) -> str:
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("kyosei: error: ")
    assert len(err.strip()) <= MESSAGE_LIMIT
    assert "\n" not in err.strip()
    for needle in needles:
        assert needle in err, err
    return err


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("[policy]\nname = []\n", "policy.name"),
        ('[policy]\nname = "a/b"\n', "policy.name"),
        ('[policy]\nname = ""\n', "policy.name"),
        ('[policy]\nname = "p"\nlabel_ja = 3\n', "policy.label_ja"),
        ('[policy]\nname = "p"\ndescription = { x = 1 }\n', "policy.description"),
    ],
)
def test_policy_names_and_labels_must_be_text(tmp_path: Path, capsys, body: str, field: str):
    policy = tmp_path / "p.toml"
    policy.write_text(body, encoding="utf-8")
    out = tmp_path / "o"
    _refused(
        capsys, ["run", "district", "--policy", str(policy), "--out", str(out)], field, "p.toml"
    )
    assert not out.exists()


def test_a_small_comparison_runs_in_this_process_and_a_large_one_in_processes():
    from kyosei.commands.run import compare_workers
    from scenarios import load_scenario

    small = load_scenario("district", scale=100)
    assert compare_workers(small, years=1, runs=6) == 1
    big = load_scenario("national", scale=1)
    assert compare_workers(big, years=20, runs=6) == min(2, os.cpu_count() or 1)
