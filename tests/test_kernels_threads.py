"""A run's results do not depend on how many threads its largest passes use.

The compiled month of needs, of ties, the deaths and moves out, the groups' membership,
the volunteers' start-and-stop and counts, the 民生委員's pass, outreach's contact
weights, the record's tabulation and the stream draws (:func:`model.kernels.uniform`)
run over spans of residents, in threads where the town is large
(:func:`model.kernels.over_spans`). These tests split even a small town (``SPLIT_FROM``
lowered to 1) into two and three spans and compare every output series and every
resident column with the one-thread run, byte for byte; every call of each split pass
with its one-thread answer; and the spans themselves.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import warnings

import numpy as np
import pandas as pd
import pytest

from model import CommunityModel, kernels, needs_kernels
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")


def _run(threads: int, monkeypatch) -> CommunityModel:
    monkeypatch.setattr(kernels, "USE_NUMBA", True)
    monkeypatch.setattr(kernels, "SPLIT_FROM", 1)
    scenario = load_scenario(
        "small_town",
        "jusou_full",
        scale=4.0,
        overrides={"switches.warmup_months": 6, "needs.care_onset_65": 0.02},
    )
    with kernels.threads(threads):
        return CommunityModel(scenario, seed=3).run(24)


@pytest.mark.parametrize("threads", [2, 3])
def test_a_run_split_across_threads_is_the_same_as_one_thread(threads, monkeypatch):
    one = _run(1, monkeypatch)
    split = _run(threads, monkeypatch)
    pd.testing.assert_frame_equal(split.recorder.timeseries(), one.recorder.timeseries())
    pd.testing.assert_frame_equal(split.recorder.districts(), one.recorder.districts())
    for name in ("alive", "sev", "supported", "known", "ties", "lonely", "onset_m", "pid"):
        assert np.array_equal(getattr(split.residents, name), getattr(one.residents, name)), name
    # The runs had the events the spans must put together in resident order.
    assert one.tally.deaths > 0
    assert one.tally.reconnected > 0
    assert sum(one.tally.need_onsets) > 0


# The split passes that take arrays: (module they are looked up in, name).
SPLIT_KERNELS = [
    ("model.demography_kernels", "age_and_exit_arrays"),
    ("model.needs_kernels", "month"),
    ("model.organisations", "_membership"),
    ("model.volunteers_kernels", "turnover"),
    ("model.volunteers_kernels", "district_counts"),
    ("model.volunteers_kernels", "minsei_pass"),
    ("model.interventions.outreach", "contact_weights"),  # reads the model, changes nothing
]


def _flat(result) -> list:
    if dataclasses.is_dataclass(result):
        return list(dataclasses.astuple(result))
    return list(result) if isinstance(result, tuple) else [result]


def _same(got, expected) -> bool:
    return all(np.array_equal(a, b) for a, b in zip(_flat(got), _flat(expected), strict=True))


_NEEDS_LISTS = ("died", "emerg")  # the needs month's scratch buffers, filled from the front


def _needs_lists(args) -> tuple[np.ndarray, np.ndarray]:
    arg = dict(zip(needs_kernels._MONTH_ARGS, args, strict=True))
    assert needs_kernels._MONTH_ARGS[-len(_NEEDS_LISTS) :] == _NEEDS_LISTS
    counts = arg["counts"]
    return (
        arg["died"][: counts[needs_kernels.C_DEATHS]],
        arg["emerg"][: counts[needs_kernels.C_EMERG]],
    )


def test_every_split_pass_gives_its_one_thread_answer_on_every_call(monkeypatch):
    """Each call of a run is made twice: on copies in one thread, then split in three.

    Results and every array the pass changes in place must agree byte for byte, at every
    call of a two-year run — a stricter check than the run's outputs, which a pass's
    slip may leave unchanged (a count no rule reads that month).
    """
    monkeypatch.setattr(kernels, "USE_NUMBA", True)
    monkeypatch.setattr(kernels, "SPLIT_FROM", 1)
    calls: dict[str, int] = {}
    wrong: list[str] = []

    def checked(name, fn):
        def call(*args):
            copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
            with kernels.threads(1):
                expected = fn(*copies)
            got = fn(*args)
            if name == "month":  # its lists of deaths and emergencies: the filled heads
                got, expected = _needs_lists(args), _needs_lists(copies)
                args, copies = args[: -len(_NEEDS_LISTS)], copies[: -len(_NEEDS_LISTS)]
            changed = all(
                np.array_equal(a, c) for a, c in zip(args, copies, strict=True)
                if isinstance(a, np.ndarray)
            )  # fmt: skip
            if not (changed and _same(got, expected)):
                wrong.append(f"{name} at call {calls.get(name, 0)}")
            calls[name] = calls.get(name, 0) + 1
            return got

        return call

    for module, name in SPLIT_KERNELS:
        owner = importlib.import_module(module)
        monkeypatch.setattr(owner, name, checked(name, getattr(owner, name)))
    scenario = load_scenario(
        "small_town", "jusou_full", scale=4.0, overrides={"switches.warmup_months": 6}
    )
    with kernels.threads(3):
        CommunityModel(scenario, seed=3).run(24)
    assert wrong == []
    assert set(calls) == {name for _, name in SPLIT_KERNELS}
    assert min(calls.values()) >= 12, calls


@pytest.mark.parametrize("threads", [2, 3])
def test_the_stream_draws_split_across_threads_are_the_one_thread_draws(threads, monkeypatch):
    monkeypatch.setattr(kernels, "USE_NUMBA", True)
    monkeypatch.setattr(kernels, "SPLIT_FROM", 1)
    keys = np.arange(1_001, dtype=np.uint64) * np.uint64(7_919)
    with kernels.threads(1):
        one_mix, one_uniform = kernels.mix(keys, 42), kernels.uniform(keys, 42)
    with kernels.threads(threads):
        assert len(kernels.spans(keys.size)) == threads
        split_mix, split_uniform = kernels.mix(keys, 42), kernels.uniform(keys, 42)
    assert np.array_equal(split_mix, one_mix)
    assert np.array_equal(split_uniform, one_uniform)
    assert np.array_equal(one_mix, kernels.mix_numpy(keys, np.uint64(42)))


def test_spans_cover_every_resident_once_in_order(monkeypatch):
    monkeypatch.setattr(kernels, "USE_NUMBA", True)
    monkeypatch.setattr(kernels, "SPLIT_FROM", 10)
    for threads in (1, 2, 3, 7):
        with kernels.threads(threads):
            for n in (0, 9, 10, 11, 100, 385_676):
                parts = kernels.spans(n)
                assert len(parts) == (threads if n >= 10 else 1)
                assert parts[0][0] == 0
                assert parts[-1][1] == n
                assert all(a[1] == b[0] for a, b in itertools.pairwise(parts))
                sizes = [hi - lo for lo, hi in parts]
                assert max(sizes) - min(sizes) <= 1


def test_spans_run_in_other_threads_and_come_back_in_order(monkeypatch):
    monkeypatch.setattr(kernels, "USE_NUMBA", True)
    monkeypatch.setattr(kernels, "SPLIT_FROM", 1)
    seen: list[tuple[int, int]] = []
    barrier = threading.Barrier(3, timeout=10)  # all three spans at once, or it fails

    def span(lo: int, hi: int, tag: str) -> str:
        barrier.wait()
        seen.append((lo, threading.get_ident()))
        return f"{tag}{lo}-{hi}"

    with kernels.threads(3):
        out = kernels.over_spans(span, kernels.spans(9), "s")
    assert out == ["s0-3", "s3-6", "s6-9"]
    assert len({ident for _, ident in seen}) == 3
    assert dict(seen)[6] == threading.get_ident()  # the last span ran in the caller


def test_the_numpy_path_never_splits(monkeypatch):
    monkeypatch.setattr(kernels, "USE_NUMBA", False)
    monkeypatch.setattr(kernels, "SPLIT_FROM", 1)
    with kernels.threads(4):
        assert kernels.spans(1000) == [(0, 1000)]


def test_threads_is_restored_after_its_block():
    before = kernels.threads_now()
    inside: list[int] = []

    def fail_inside() -> None:
        with kernels.threads(before + 5):
            inside.append(kernels.threads_now())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_inside()
    assert inside == [before + 5]
    assert before == kernels.threads_now()


def _threads_with(text: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter's threads for the split passes under ``KYOSEI_THREADS=text``."""
    return subprocess.run(
        [sys.executable, "-c", "from model import kernels; print(kernels.threads_now())"],
        env={**os.environ, "KYOSEI_THREADS": text},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("3", 3), (" 2 ", 2)])
def test_kyosei_threads_sets_the_threads(text, expected):
    out = _threads_with(text)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout) == expected


@pytest.mark.parametrize("text", ["two", "0", "-1", "1.5"])
def test_a_bad_kyosei_threads_names_the_variable_and_what_is_allowed(text):
    out = _threads_with(text)
    assert out.returncode != 0
    assert "KYOSEI_THREADS" in out.stderr
    assert "whole number" in out.stderr


def test_the_command_line_answers_a_bad_kyosei_threads_with_exit_code_2():
    out = subprocess.run(
        [sys.executable, "-m", "kyosei", "scenarios"],
        env={**os.environ, "KYOSEI_THREADS": "many"},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2, out.stderr
    assert "KYOSEI_THREADS='many'" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")
def test_a_forked_child_splits_with_threads_of_its_own(monkeypatch):
    """A child forked after the pool started does not wait on its parent's threads."""
    monkeypatch.setattr(kernels, "USE_NUMBA", True)
    monkeypatch.setattr(kernels, "SPLIT_FROM", 1)
    with kernels.threads(2):
        assert kernels.over_spans(lambda lo, hi: hi - lo, kernels.spans(10)) == [5, 5]
        read, write = os.pipe()
        with warnings.catch_warnings():
            # Python warns that forking a process with threads may deadlock: that the
            # child does not is what this test checks.
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the child: answer through the pipe, then end at once
            signal.alarm(20)  # a child that waits on its parent's threads dies, not hangs
            try:
                out = kernels.over_spans(lambda lo, hi: hi - lo, kernels.spans(10))
                os.write(write, repr(out).encode())
            finally:
                os._exit(0)
        os.close(write)
        _, status = os.waitpid(pid, 0)
        answer = os.read(read, 100).decode()
        os.close(read)
    assert os.waitstatus_to_exitcode(status) == 0
    assert answer == "[5, 5]"
