"""Benchmark the results store at 10,000 runs written by the real writer.

The runs are not simulated: one real 20-year run of ``small_town`` (241 months, every
time-series and district column the model records) is made once, and each of the
10,000 planned runs of a real experiment (4 policy packages × 2,500 replicates) gets a
copy whose values are scaled by a per-run, per-column factor (counts stay whole). The
copies go through :class:`experiments.writer.StoreWriter` exactly as a sweep's results
do (same schema, same batches, same commit records, compaction when it applies).

Measured, each in a fresh Python process (so its peak memory is its own):

1. **one metric at one month** over the 10,000 runs (``store.timeseries([m], months=[k])``):
   wall time and peak resident memory;
2. **resume**: opening the store for writing as a rerun of the sweep does (clear
   leftovers, verify what is done, read it back) and listing what is left to run;
3. **quantile_bands** of the experiment's default metrics: peak memory and wall time;
4. **kyosei analyze** (default metrics) on a 1,000-run comparison (4 arms × 250
   replicates): CPU seconds of the process and the lines it writes to stderr.

Usage::

    python benchmarks/bench_store.py --out /tmp/bench-store          # write + measure
    python benchmarks/bench_store.py --out /tmp/bench-store --reuse  # measure only
    python benchmarks/bench_store.py --batch-runs 16 ...             # smaller parts

The figures, the machine and the load go into ``benchmarks/README.md`` (store section).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXPERIMENT = """
[experiment]
name = "bench_store"
root_seed = 7
replications = {replications}
years = 20
scale = 1
towns = ["small_town"]
policies = ["baseline", "jusou_full", "outreach", "one_stop"]
reference = "baseline"

[outcomes]
metrics = ["unmet_of_need", "hidden", "isolation_rate", "participation_rate", "volunteers",
           "venues_open", "cost_total"]
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process so far (user + system): less sensitive to load than time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _plan(folder: Path, replications: int, code: str | None = None):  # type: ignore[no-untyped-def]
    from experiments.plan import make_plan
    from experiments.spec import load_experiment

    path = folder / f"bench_{replications}.toml"
    path.write_text(EXPERIMENT.format(replications=replications), encoding="utf-8")
    return path, make_plan(load_experiment(path), code)


def _template(cache: Path):  # type: ignore[no-untyped-def]
    """One real 20-year run (cached as Parquet beside the stores)."""
    import pandas as pd

    ts_path, d_path = cache / "template-timeseries.parquet", cache / "template-districts.parquet"
    if not ts_path.exists():
        from experiments.run import run_one

        _, plan = _plan(cache, 1)
        result = run_one(plan.runs[1])  # jusou_full: every policy output is non-trivial
        assert result.status == "ok", result.error
        result.timeseries.to_parquet(ts_path)
        result.districts.to_parquet(d_path)
        (cache / "template-timeline.json").write_text(json.dumps(result.timeline))
    timeline = json.loads((cache / "template-timeline.json").read_text())
    return pd.read_parquet(ts_path), pd.read_parquet(d_path), timeline


def _varied(frame, rng, keys):  # type: ignore[no-untyped-def]
    """``frame`` with every metric scaled by its own random factor (whole numbers stay whole)."""
    import numpy as np

    out = frame.copy()
    cols = [c for c in frame.columns if c not in keys]
    factor = 1.0 + 0.1 * rng.standard_normal(len(cols))
    values = frame[cols].to_numpy(float) * factor
    whole = np.all(np.mod(frame[cols].to_numpy(float), 1.0) == 0, axis=0)
    values[:, whole] = np.round(values[:, whole])
    out[cols] = values
    return out


def write_store(out: Path, replications: int, batch_runs: int) -> float:
    """Write ``4 × replications`` synthetic runs through the real writer; return seconds."""
    import numpy as np

    from experiments.run import RunResult
    from experiments.writer import StoreWriter

    out.parent.mkdir(parents=True, exist_ok=True)
    ts, districts, timeline = _template(out.parent)
    _, plan = _plan(out.parent, replications)
    rng = np.random.default_rng(1)
    t0 = time.perf_counter()
    writer = StoreWriter(out, plan, batch_runs=batch_runs, flush_seconds=1e9).open()
    for spec in writer.todo():
        writer.add(
            RunResult(
                run_id=spec.run_id,
                status="ok",
                wall_s=9.0,
                started="2026-12-01T00:00:00+00:00",
                finished="2026-12-01T00:00:09+00:00",
                worker="bench:0",
                timeseries=_varied(ts, rng, ("month", "year", "calendar_month")),
                districts=_varied(districts, rng, ("month", "year", "calendar_month", "district")),
                timeline=timeline,
            )
        )
    writer.close({"backend": "bench", "runs": len(plan.runs)})
    return time.perf_counter() - t0


# ---- measurements, each run in its own process --------------------------------------------
def m_read(out: str) -> dict[str, float]:
    from experiments.store import ResultsStore

    t0, c0 = time.perf_counter(), _cpu()
    store = ResultsStore(out)
    df = store.timeseries(["unmet_of_need"], months=[120])
    return {
        "seconds": time.perf_counter() - t0,
        "cpu_s": _cpu() - c0,
        "rows": len(df),
        "peak_mb": _peak_mb(),
    }


def m_resume(out: str) -> dict[str, float]:
    from experiments.writer import StoreWriter

    folder = Path(out)
    manifest = json.loads((folder / "manifest.json").read_text())
    # The store's code version: a commit made since it was written would refuse the resume.
    _, plan = _plan(folder.parent, int(manifest["replications"]), manifest["code_version"])
    t0, c0 = time.perf_counter(), _cpu()
    writer = StoreWriter(folder, plan).open()
    todo = writer.todo()
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    writer.release()
    return {
        "seconds": seconds,
        "cpu_s": cpu,
        "done": len(writer.done),
        "to_do": len(todo),
        "peak_mb": _peak_mb(),
    }


def m_bands(out: str) -> dict[str, float]:
    from experiments import analysis
    from experiments.store import ResultsStore

    t0, c0 = time.perf_counter(), _cpu()
    bands = analysis.quantile_bands(ResultsStore(out))
    return {
        "seconds": time.perf_counter() - t0,
        "cpu_s": _cpu() - c0,
        "rows": len(bands),
        "peak_mb": _peak_mb(),
    }


def m_parts(out: str) -> dict[str, float]:
    folder = Path(out)
    files = [
        p
        for t in ("runs", "timeseries", "districts", "timeline")
        for p in (folder / t).glob("*.parquet")
    ]
    return {
        "files": len(files),
        "runs_parts": len(list((folder / "runs").glob("*.parquet"))),
        "mb": sum(p.stat().st_size for p in files) / 1e6,
    }


def _child(name: str, out: Path) -> dict[str, float]:
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); "
        f"import benchmarks.bench_store as b; print(json.dumps(b.m_{name}({str(out)!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def analyze_cpu(out: Path) -> dict[str, float]:
    """CPU seconds and stderr lines of ``kyosei analyze`` (a child process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kyosei", "analyze", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "exit": done.returncode,
        "wall_s": time.perf_counter() - t0,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "stderr_lines": len(done.stderr.splitlines()),
        "stdout_lines": len(done.stdout.splitlines()),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True, help="folder for the two stores")
    p.add_argument("--replications", type=int, default=2500, help="per arm (4 arms)")
    p.add_argument("--batch-runs", type=int, default=64, help="the writer's batch size")
    p.add_argument("--reuse", action="store_true", help="measure stores written earlier")
    p.add_argument("--skip-analyze", action="store_true")
    p.add_argument("--json", type=Path, help="also save the figures here")
    args = p.parse_args(argv)
    big, small = args.out / "runs10k", args.out / "runs1k"
    figures: dict[str, object] = {"uptime_before": os.popen("uptime").read().strip()}
    if not args.reuse:
        figures["write_10k_s"] = write_store(big, args.replications, args.batch_runs)
        if not args.skip_analyze:
            figures["write_1k_s"] = write_store(small, 250, args.batch_runs)
    figures["layout_10k"] = _child("parts", big)
    figures["read_one_metric_month"] = _child("read", big)
    figures["resume"] = _child("resume", big)
    figures["quantile_bands"] = _child("bands", big)
    if not args.skip_analyze:
        figures["analyze_1k"] = analyze_cpu(small)
    figures["uptime_after"] = os.popen("uptime").read().strip()
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
