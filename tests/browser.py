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

import contextlib
import os
import random
import signal
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
    # Shared memory in /tmp: a container's /dev/shm (64 MB by default) is too small for
    # two Chromiums (pytest-xdist) and crashes their tabs.
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORT = {"width": 1400, "height": 1000}


START_S = 120.0  # how long a dashboard may take to start listening
#: The dashboards of this test process still running, by URL: a failing test's report
#: says whether its server was still there (``tests/conftest.py``).
SERVERS: dict[str, subprocess.Popen[bytes]] = {}
#: The tabs whose renderer crashed in this test process since the last failing test's
#: report (their URLs), for that report.
CRASHED: list[str] = []
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
            url = f"http://127.0.0.1:{port}/"
            SERVERS[url] = proc
            return proc, url
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    out = proc.stdout.read().decode() if proc.stdout else ""
    raise RuntimeError(f"dashboard did not start: {out}")


def launch(playwright: object) -> object:
    """Debian's Chromium, headless, noting every tab that crashes in :data:`CRASHED`.

    A crashed tab stops answering without an error of its own: the test then waits in
    vain, and the failing test's report names the tab (``tests/conftest.py``).
    """
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)  # type: ignore[attr-defined]
    new_context = browser.new_context

    def watched_context(*args: object, **kwargs: object) -> object:
        context = new_context(*args, **kwargs)
        context.on("page", lambda pg: pg.on("crash", lambda crashed: CRASHED.append(crashed.url)))
        return context

    browser.new_context = watched_context
    return browser


def stop_checked(proc: subprocess.Popen[bytes]) -> str:
    """Stop a module's dashboard; fail if it had ended by itself or printed a traceback."""
    ended = proc.poll()  # before it is stopped: a server that died on its own is a failure
    log = stop_server(proc)
    assert ended is None, f"the dashboard ended by itself (code {ended}); it printed:\n{log}"
    assert "Traceback" not in log, log
    return log


def server_state(proc: subprocess.Popen[bytes]) -> str:
    """Whether a dashboard is still serving, or how it ended and what it printed.

    A server that died (a crash, the out-of-memory killer) leaves its page waiting for
    answers that never come: the test then fails on a wait, and this says why. Only what
    is already in the pipe is read: the server's worker processes may still hold it open.
    """
    code = proc.poll()
    if code is None:
        return f"the dashboard (pid {proc.pid}) is still running"
    how = f"exit code {code}"
    if code < 0:
        how = f"signal {-code}"
        with contextlib.suppress(ValueError):  # a number Python has no name for
            how = f"signal {signal.Signals(-code).name}"
    printed = b""
    if proc.stdout is not None:
        os.set_blocking(proc.stdout.fileno(), False)
        printed = proc.stdout.read() or b""
    return f"the dashboard (pid {proc.pid}) has ended ({how}); it printed:\n" + printed.decode(
        errors="replace"
    )


def stop_server(proc: subprocess.Popen[bytes]) -> str:
    """Stop the server; returns everything it printed."""
    for url, running in list(SERVERS.items()):
        if running is proc:
            del SERVERS[url]
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
