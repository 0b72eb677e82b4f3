"""Fuzz every door: generated town, policy and experiment files and command-line arguments.

Each case calls ``kyosei.cli.main`` in this process (a subprocess costs seconds) with
inputs drawn from values that broke Kyosei before (NaN, inf, 1e300, 2**63-1, 400-digit
numbers, empty and 500-deep lists, long and odd text, a byte-order mark, unknown keys)
mixed with valid ones. Every case must end with exit 0 or 2 (or ``kyosei calibrate``'s
documented 3: a target missed); an exit 2 is one line under 300 characters naming the
file (for file input) and the field, without a traceback, and leaves nothing written.
Sizes are bounded so that a valid case runs in seconds at most. A case that uses more
than ``HANG_S`` (10) seconds of this process's CPU (a loop that does not end) or takes
more than ``HANG_WALL_S`` (60) seconds (a wait that does not end) counts as a hang: a
machine busy with other work stretches the wall time of a valid case, not its CPU time.

CI runs ``KYOSEI_FUZZ_EXAMPLES`` cases per test (default 60: 300 cases in five tests);
``KYOSEI_FUZZ_EXAMPLES=2000 KYOSEI_FUZZ_STATS=stats.json pytest tests/test_fuzz_inputs.py``
is the long local run (10,000 cases) and writes the tallies to ``stats.json`` (cases,
exits, hangs, writes on error, the slowest case); ``KYOSEI_FUZZ_RANDOM=1`` draws new
cases each run instead of CI's fixed ones.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kyosei.cli import MESSAGE_LIMIT, main

EXAMPLES = int(os.environ.get("KYOSEI_FUZZ_EXAMPLES", "60"))
HANG_S = float(os.environ.get("KYOSEI_FUZZ_HANG_S", "10"))  # CPU seconds of one case
HANG_WALL_S = float(os.environ.get("KYOSEI_FUZZ_HANG_WALL_S", "60"))  # wall seconds
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # timed by the test itself (HANG_S, HANG_WALL_S), not by Hypothesis
    database=None,  # nothing written into the source tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("KYOSEI_FUZZ_RANDOM") is None,  # CI: the same cases each run
)
STATS: Counter[str] = Counter()
SLOWEST: list[str] = []  # the slowest case's arguments, for the long run's report

DEEP = "[" * 500 + "]" * 500
NASTY_NUMBERS = [
    "nan", "inf", "-inf", "+inf", "1e300", "-1e300", "1e-300", "-0.0", "0", "-1", "1", "2",
    "3", "0.5", "30", "200", "201", str(2**63 - 1), str(2**63), "9" * 400, "1_000", "0x10",
]  # fmt: skip
NASTY_TEXT = [
    '""', '"x"', '"' + "a" * 100_000 + '"', '"/abs/path"', '"../up"', '"日本語"', '"a/b"',
    '"nul\\u0000"', '"baseline"', '"district"', '"national"', '"outreach"', "true", "[]",
    "{}", DEEP, "[1, 2]", "[0, 0]", "[[1], [2]]", "{ min = 1, max = 0 }",
]  # fmt: skip
VALUE = st.sampled_from(NASTY_NUMBERS + NASTY_TEXT)
TOWN_KEYS = [
    "population", "households", "districts", "area_km2", "district_weights",
    "age_weights_male", "age_weights_female", "alone_65_male", "single_parent_share",
    "kin_in_town", "name", "label_ja", "no_such_key",
]  # fmt: skip


@contextlib.contextmanager
def _sandbox() -> Iterator[Path]:
    """A fresh empty working folder for one case (the case may only write into ``out``)."""
    old = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="kyosei-fuzz-") as tmp:
        os.chdir(tmp)
        try:
            yield Path(tmp)
        finally:
            os.chdir(old)


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _call(
    root: Path, args: list[str], inputs: dict[str, str | bytes], allowed: tuple[int, ...] = (0, 2)
) -> tuple[int, str, float]:
    """Write ``inputs``, run ``kyosei ARGS`` in-process; returns (exit, stderr, seconds).

    ``allowed`` are the exit codes the command may end with (``calibrate`` adds its 3).
    """
    for name, body in inputs.items():
        path = root / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    before = _files(root)
    err, out = io.StringIO(), io.StringIO()
    started, cpu_started = time.perf_counter(), time.process_time()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(args)
        except SystemExit as exc:  # argparse's own exit 2 for a malformed argument
            code = exc.code if isinstance(exc.code, int) else 2
    took = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    hang = cpu > HANG_S or took > HANG_WALL_S
    text = err.getvalue()
    STATS["cases"] += 1
    STATS[f"exit_{code}"] += 1
    if hang:
        STATS["hangs"] += 1
    if took > 10:
        STATS["wall_over_10s"] += 1
    STATS["max_cpu_ms"] = max(STATS["max_cpu_ms"], int(cpu * 1000))
    if int(took * 1000) > STATS["max_ms"]:
        STATS["max_ms"] = int(took * 1000)
        SLOWEST[:] = [" ".join(args)[:300], *(f"{k}: {str(v)[:300]}" for k, v in inputs.items())]
    target = os.environ.get("KYOSEI_FUZZ_STATS")
    if target and STATS["cases"] % 50 == 0:  # the long run's tallies, also if it is stopped
        Path(target).write_text(json.dumps({**STATS, "slowest": SLOWEST}), encoding="utf-8")
    written = _files(root) - before
    if code != 0 and written:
        STATS["writes_on_error"] += 1
    if code not in allowed:
        STATS["bad_exits"] += 1
    assert code in allowed, f"exit {code} for {args!r}: {text[-500:]}"
    assert not hang, f"{took:.1f} s ({cpu:.1f} s CPU) for {args!r}"
    assert "Traceback" not in text, text[-500:]
    if code == 2:
        line = text.strip()
        assert "\n" not in line or line.startswith("usage:"), line[:400]
        if not line.startswith("usage:"):
            assert line.startswith("kyosei: error: "), line[:400]
            assert len(line) <= MESSAGE_LIMIT, line[:400]
        assert not written, f"wrote {sorted(written)[:5]} for {args!r}"
    return code, text, took


def _message_names_the_file(text: str, file: str) -> None:
    line = text.strip()
    if line.startswith("usage:"):
        return
    assert file in line, line
    assert "field '" in line or "(file)" in line or "--" in line, line


def _toml(table: str | None, pairs: list[tuple[str, str]]) -> str:
    head = f"[{table}]\n" if table else ""
    return head + "".join(f"{k} = {v}\n" for k, v in pairs)


VALID_TOWN = [("population", "500"), ("households", "200"), ("districts", "2"), ("area_km2", "3.0")]
TOWN_FILE = _toml("town", VALID_TOWN)
town_pairs = st.lists(st.tuples(st.sampled_from(TOWN_KEYS), VALUE), max_size=4)


@FUZZ
@given(
    changes=town_pairs,
    base=st.sampled_from([None, '"national"', '"district"', '"nowhere"', DEEP, "3"]),
    bom=st.booleans(),
    drop=st.sets(st.sampled_from([k for k, _ in VALID_TOWN]), max_size=2),
)
def test_fuzz_town_files(changes, base, bom, drop):
    pairs = dict((k, v) for k, v in VALID_TOWN if k not in drop)
    pairs.update(dict(changes))
    text = (f"base = {base}\n" if base else "") + _toml("town", list(pairs.items()))
    body: str | bytes = ("\ufeff" + text).encode() if bom else text
    with _sandbox() as root:
        args = ["run", "town.toml", "--years", "1", "--scale", "50", "--out", "out"]
        code, err, _ = _call(root, args, {"town.toml": body})
        if code == 2:
            _message_names_the_file(err, "town.toml")


KINDS = ["outreach", "cafe_agreement", "funding", "platform", "one_stop", "no_such"]
intervention = st.fixed_dictionaries(
    {"kind": st.sampled_from([f'"{k}"' for k in KINDS] + ["[]", "1", '""'])},
    optional={
        "intensity": VALUE,
        "start_month": VALUE,
        "end_month": VALUE,
        "eligibility": st.sampled_from(['"all"', '"elderly"', '"nobody"', "[1]", "3"]),
        "options": st.sampled_from(["{}", "{ x = 1 }", "3", "{ cases_per_coordinator = nan }"]),
        "surprise": VALUE,
    },
)


@FUZZ
@given(
    items=st.lists(intervention, max_size=3),
    meta=st.sampled_from(["", '[policy]\nname = "p"\n', "[policy]\nname = []\n", "policy = 3\n"]),
)
def test_fuzz_policy_files(items, meta):
    text = meta + "".join(
        "[[intervention]]\n" + "".join(f"{k} = {v}\n" for k, v in item.items()) for item in items
    )
    with _sandbox() as root:
        args = ["run", "district", "--policy", "policy.toml", "--years", "1", "--scale", "100",
                "--replicates", "1", "--out", "out"]  # fmt: skip
        code, err, _ = _call(root, args, {"policy.toml": text})
        if code == 2:
            _message_names_the_file(err, "policy.toml")


EXPERIMENT_KEYS = ["name", "root_seed", "replications", "years", "scale", "towns", "policies",
                   "reference", "surprise"]  # fmt: skip


# Sizes of a sweep are drawn from values that are invalid or small, so that a valid
# sweep finishes in seconds (200 replications of 30 years is valid, and slow).
SMALL_OR_BAD = ["nan", "inf", "-1", "0", "1", "2", "0.5", str(2**63), "9" * 400, '"x"', "[]"]
SWEEP_SIZE = {
    "replications": SMALL_OR_BAD,
    "years": SMALL_OR_BAD,
    "scale": [*SMALL_OR_BAD[:3], "0.5", "100", "1000", "1e300", '"x"'],
}
experiment_pair = st.sampled_from(EXPERIMENT_KEYS).flatmap(
    lambda key: st.tuples(
        st.just(key), st.sampled_from(SWEEP_SIZE[key]) if key in SWEEP_SIZE else VALUE
    )
)


@FUZZ
@given(
    changes=st.lists(experiment_pair, max_size=3),
    design=st.sampled_from(["", '[design]\nkind = "latin_hypercube"\nsamples = 3\n',
                            '[design]\nkind = "sobol"\nsamples = 3\n', "[design]\nkind = []\n",
                            '[design]\nkind = "latin_hypercube"\nsamples = 1000000\n']),
    uncertainty=st.sampled_from(["", '"demography.tfr" = { min = 1.1, max = 1.6 }',
                                 '"demography.tfr" = { min = nan, max = 1.6 }',
                                 '"nope.x" = { min = 1, max = 2 }', '"demography.tfr" = 3']),
    dry=st.booleans(),
)  # fmt: skip
def test_fuzz_experiment_files(changes, design, uncertainty, dry):
    meta = {"name": '"fz"', "replications": "1", "years": "1", "scale": "100",
            "towns": '["district"]', "policies": '["baseline"]'}  # fmt: skip
    meta.update(dict(changes))
    text = _toml("experiment", list(meta.items())) + design + "[uncertainties]\n" + uncertainty
    with _sandbox() as root:
        args = ["sweep", "exp.toml", "--workers", "1", "--no-progress", "--out", "out"]
        if dry:
            args.append("--dry-run")
        code, err, _ = _call(root, args, {"exp.toml": text + "\n"})
        if code == 2:
            _message_names_the_file(err, "exp.toml")
        if code == 0 and not dry:
            assert (root / "out" / "manifest.json").exists()


OPTION_VALUES = {
    "--years": ["1", "0", "-1", "101", "nan", "9" * 400, "x"],
    "--seed": ["0", "1", "-1", str(2**63), "9" * 400],
    "--scale": ["50", "1000", "10000", "0.5", "nan", "inf", "-1", "1e300"],
    "--set": ["demography.tfr=1.4", "demography.tfr=nan", "demography.tfr=" + "9" * 400,
              "town.population=" + str(2**63 - 1), "nonsense", "=3", "a.b.c=1",
              "town.population=[1]", "town.districts=" + DEEP, "demography.tfr=inf"],
    "--policy": ["baseline", "outreach", "jusou_full", "missing", "x.toml", "a" * 100_000],
}  # fmt: skip
SWEEP_VALUES = {
    "--workers": ["1", "0", "-1", "100000", "nan"],
    "--connect-timeout": ["10", "nan", "inf", "-1", "0", "1e300"],
    "--flush-seconds": ["2", "nan", "-1", "inf"],
    "--cluster": ["local:0", "tcp://", "slurm", "nonsense", "local:x"],
}  # fmt: skip


@FUZZ
@given(
    town=st.sampled_from(["district", "small_town", "atlantis", "", "a" * 5000, "/dev/null"]),
    options=st.dictionaries(st.sampled_from(list(OPTION_VALUES)), st.integers(0, 9), max_size=3),
    sweep_options=st.dictionaries(st.sampled_from(list(SWEEP_VALUES)), st.integers(0, 5),
                                  max_size=2),
    command=st.sampled_from(["run", "sweep", "scenarios"]),
)  # fmt: skip
def test_fuzz_command_line(town, options, sweep_options, command):
    with _sandbox() as root:
        if command == "run":
            args = ["run", town, "--out", "out"]
            pool = OPTION_VALUES
            chosen = options
            args += ["--years", "1"] if "--years" not in chosen else []
            args += ["--scale", "100"] if "--scale" not in chosen else []
        elif command == "sweep":
            args = ["sweep", "exp.toml", "--out", "out", "--no-progress", "--dry-run"]
            pool, chosen = SWEEP_VALUES, sweep_options
        else:
            args = ["scenarios", "show", town]
            pool, chosen = {}, {}
        for option, pick in chosen.items():
            values = pool[option]
            args += [option, values[pick % len(values)]]
        inputs = {"exp.toml": '[experiment]\nname = "fz"\nyears = 1\nscale = 100\n'
                              'towns = ["district"]\nreplications = 1\n'}  # fmt: skip
        _call(root, args, inputs)


CALIBRATE_VALUES = {
    "--years": ["1", "2", "0", "51", "-1", "nan", "9" * 400, "x"],
    "--replicates": ["1", "2", "0", "101", "-1", "x", str(2**63)],
    # At most ~25,000 simulated residents: national (124 M people) at 5000 (at 200 it would
    # be a valid 620,000-resident run of half a minute, which the long run found).
    "--scale": ["5000", "10000", "0", "-1", "nan", "inf", "1e300", "20000"],
    "--seed": ["1", "0", "-1", str(2**63), "9" * 400],
    "--set": OPTION_VALUES["--set"],
    "--lang": ["ja", "en", "fr", ""],
}  # fmt: skip


@FUZZ
@given(
    town=st.sampled_from(["district", "national", "small_town", "atlantis", "", "a" * 5000,
                          "town.toml", "/dev/null"]),
    options=st.dictionaries(st.sampled_from(list(CALIBRATE_VALUES)), st.integers(0, 9),
                            max_size=3),
    town_file=st.sampled_from([TOWN_FILE, TOWN_FILE.replace("500", "nan"), "", DEEP,
                               TOWN_FILE.replace("districts = 2", "districts = []")]),
)  # fmt: skip
def test_fuzz_calibrate(town, options, town_file):
    """``kyosei calibrate``: 0 all targets pass, 3 one fails, 2 bad input; never anything else."""
    with _sandbox() as root:
        args = ["calibrate", town, "--quiet"]
        for option, pick in options.items():
            values = CALIBRATE_VALUES[option]
            args += [option, values[pick % len(values)]]
        # Small enough that a valid case runs in a fraction of a second.
        for option, value in (("--years", "1"), ("--replicates", "1"), ("--scale", "5000")):
            if option not in options:
                args += [option, value]
        code, err, _ = _call(root, args, {"town.toml": town_file}, allowed=(0, 2, 3))
        assert _files(root) == {"town.toml"}  # calibrate writes nothing, whatever its exit
        if code == 2 and town == "town.toml" and not options:  # else an option may be at fault
            _message_names_the_file(err, "town.toml")


@pytest.mark.slow
def test_subprocess_cases_exit_2_without_a_traceback(tmp_path):
    """The same rules through the real console entry point (a few cases: start-up is slow)."""
    (tmp_path / "nan.toml").write_text('[[intervention]]\nkind = "outreach"\nintensity = nan\n')
    (tmp_path / "deep.toml").write_text("[town]\npopulation = " + DEEP + "\n")
    cases = [
        ["run", "district", "--policy", "nan.toml", "--out", "o"],
        ["run", "district", "--set", "demography.tfr=" + "9" * 400, "--out", "o"],
    ]
    for args in cases:
        proc = subprocess.run(
            [sys.executable, "-m", "kyosei", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert len(proc.stderr.strip()) <= MESSAGE_LIMIT
        assert not (tmp_path / "o").exists()


@pytest.fixture(scope="module", autouse=True)
def _write_stats() -> Iterator[None]:
    yield
    target = os.environ.get("KYOSEI_FUZZ_STATS")
    if target:
        Path(target).write_text(
            json.dumps({**STATS, "slowest": SLOWEST}, indent=1), encoding="utf-8"
        )
