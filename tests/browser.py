"""What the real-browser tests share: the Chromium they drive, the served dashboard, helpers.

Debian's ``/usr/bin/chromium`` is driven by Playwright with ``executable_path`` (no
browser download). The dashboard runs as a subprocess (``kyosei dashboard``) on a free
127.0.0.1 port; under pytest-xdist each worker takes its ports from its own block, so
two workers starting a dashboard at the same moment never pick the same one. The
module-scoped fixtures ``server`` (over the module's own ``results_root``) and
``browser`` live in ``tests/conftest.py``: one server and one browser per test module.
Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORT = {"width": 1400, "height": 1000}


START_S = 120.0  # how long a dashboard may take to start listening
PORT_BLOCK = 500  # ports per pytest-xdist worker, from 20000 (below Linux's ephemeral range)


def _free_port() -> int:
    """A port nothing is bound to; under pytest-xdist one of the worker's own block.

    Otherwise two workers could be handed the same port at the same moment, and the
    dashboard that lost the race would leave its URL pointing at the other's.
    """
    from dashboards.server import free_port

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return free_port()
    first = 20000 + PORT_BLOCK * int(worker[2:])
    for port in random.sample(range(first, first + PORT_BLOCK), PORT_BLOCK):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    return free_port()


def start_server(results: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``kyosei dashboard --results RESULTS`` on a free port; returns the process and its URL."""
    from dashboards.server import port_in_use

    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "kyosei", "dashboard", "--results", str(results)]
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # A few seconds on a quiet machine; far longer while the other worker (or another
    # user of the machine) keeps the cores busy.
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if port_in_use("127.0.0.1", port):
            return proc, f"http://127.0.0.1:{port}/"
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    out = proc.stdout.read().decode() if proc.stdout else ""
    raise RuntimeError(f"dashboard did not start: {out}")


def stop_server(proc: subprocess.Popen[bytes]) -> str:
    """Stop the server; returns everything it printed."""
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out.decode(errors="replace") if out else ""


def shot(pg: object, name: str) -> None:
    """A full-page screenshot ``tests/artifacts/NAME.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def wait_chart(pg: object, name: str) -> object:
    """The drawn Plotly chart called ``name`` (Solara renders after load: wait for it)."""
    locator = pg.locator(f'[data-chart="{name}"] .js-plotly-plot .main-svg').first  # type: ignore[attr-defined]
    locator.wait_for(state="visible")
    return pg.locator(f'[data-chart="{name}"]').first  # type: ignore[attr-defined]


def slide_to_end(slider: object, key: str, shown: object, tries: int = 5) -> None:
    """Move a Vuetify slider to one end (``key`` "Home" or "End") until ``shown`` appears.

    A click on a slider first sets the value under the pointer; on a loaded machine the
    key press that follows can be lost to that change. So the slider is set again, up to
    ``tries`` times, until the server-drawn label ``shown`` says it took the end value.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        slider.click()  # type: ignore[attr-defined]
        slider.page.keyboard.press(key)  # type: ignore[attr-defined]
        try:
            shown.wait_for(timeout=10_000)  # type: ignore[attr-defined]
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"after {tries} tries the slider never showed {shown}")
