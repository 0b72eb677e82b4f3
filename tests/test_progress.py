"""Progress bars on a terminal only (and not with --quiet); third-party noise filtered."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import urllib.request
import warnings

import pytest

from dashboards import server
from model.calibration import check
from scenarios import load_scenario

from .browser import start_server, stop_server

SAMESITE = "Cookies with samesite=none require https, but according to the asgi framework"


def _stderr_on_a_terminal(args: list[str], tmp_path) -> str:
    """Run ``python -m kyosei ARGS`` with stderr on a pseudo-terminal; what it showed."""
    master, slave = pty.openpty()
    # a terminal of 24 x 100 (a new pseudo-terminal has 0 columns: tqdm would draw nothing)
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kyosei", *args],
        stdout=subprocess.DEVNULL,
        stderr=slave,
        cwd=tmp_path,
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode(errors="replace")


def test_calibration_ticks_once_per_simulated_year_of_every_replicate():
    ticks = []
    check(load_scenario("district", scale=20), years=2, replicates=2, tick=lambda: ticks.append(1))
    assert len(ticks) == 4


RUN = ["run", "district", "--years", "2", "--scale", "20", "--policy", "outreach", "--out", "r"]


@pytest.mark.slow
def test_run_shows_a_bar_on_a_terminal_and_none_with_quiet_or_off_a_terminal(tmp_path):
    shown = _stderr_on_a_terminal(RUN, tmp_path)
    # A package against the baseline runs as a small sweep: its bar counts runs.
    assert "100%" in shown
    assert "6/6" in shown  # two arms (baseline and the package) × three paired seeds
    assert "100%" not in _stderr_on_a_terminal([*RUN, "--out", "q", "--quiet"], tmp_path)
    piped = subprocess.run(
        [sys.executable, "-m", "kyosei", *RUN], capture_output=True, text=True, cwd=tmp_path
    )
    assert piped.returncode == 0
    assert piped.stderr == ""


def test_only_the_samesite_message_of_solara_is_filtered():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        server.quiet_third_party_warnings()
        for message in (SAMESITE + " 'http'", "some other warning from the server"):
            warnings.warn_explicit(
                message, UserWarning, "starlette.py", 621, module="solara.server.starlette"
            )
        warnings.warn_explicit(SAMESITE, UserWarning, "x.py", 1, module="another.module")
    assert [str(w.message) for w in seen] == ["some other warning from the server", SAMESITE]


@pytest.mark.slow
def test_a_browser_session_does_not_print_the_cookie_warning(tmp_path):
    proc, url = start_server(tmp_path)
    try:
        for _ in range(2):  # two page loads: the warning came on every one
            with urllib.request.urlopen(url, timeout=60) as page:
                assert page.status == 200
    finally:
        log = stop_server(proc)
    assert f"Kyosei dashboard: {url}" in log
    assert "samesite" not in log.lower()
