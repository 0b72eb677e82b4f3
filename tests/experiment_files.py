"""Small experiment files for the experiments tests: district profile, runs well under a second."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# Columns of the runs table that record when and where a run happened, not what it produced.
TIMING = ["wall_s", "started", "finished", "worker"]


def write_experiment(
    folder: Path,
    *,
    name: str = "tiny",
    replications: int = 2,
    years: int = 2,
    scale: int = 20,
    design: str = 'kind = "latin_hypercube"\nsamples = 3',
    uncertainties: str = '"demography.tfr" = { min = 1.1, max = 1.6 }',
    levers: str = "",
    extra: str = "",
    file: str = "exp.toml",
) -> Path:
    """Write an experiment file and return its path."""
    text = f"""
[experiment]
name = "{name}"
root_seed = 5
replications = {replications}
years = {years}
scale = {scale}
towns = ["district"]
policies = ["baseline"]

[design]
{design}

[uncertainties]
{uncertainties}

[levers]
{levers}
{extra}
"""
    path = folder / file
    path.write_text(text, encoding="utf-8")
    return path


def comparable_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs table without timing columns, in plan order."""
    return runs.drop(columns=TIMING).sort_values("run_index").reset_index(drop=True)


def folder_files(root: Path) -> list[str]:
    """Every file under ``root`` (relative paths), for 'nothing written' checks."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
