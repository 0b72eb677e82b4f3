"""Dashboard speed in a real browser: Compare on a 1,000-run set, and the live view's steps/s.

Usage::

    python benchmarks/bench_dashboard.py            # prints the numbers for benchmarks/README.md
    python benchmarks/bench_dashboard.py --no-live  # Compare only
    python benchmarks/bench_dashboard.py --no-load  # without the one-worker sweep beside it
    python benchmarks/bench_dashboard.py --no-live --old /tmp/compare-old  # old and new code

``--old DIR`` serves a second checkout of Kyosei (e.g. ``git worktree add DIR 3559032``,
run with this environment's Python, ``DIR`` first on the path) in the same run, on its
own copy of the sets, one code after the other, so old and new meet the same load.

1. Writes a synthetic 1,000-run results set (4 packages × 250 replicates × 20 years,
   made by :mod:`dashboards.synthetic`, named ``default_comparison`` so Compare opens
   on it) and a small one, starts a one-worker ``kyosei sweep`` of the 20,000-resident
   ``district`` (20 years) beside it as load, serves them with ``kyosei dashboard`` and
   opens Compare in headless Chromium:

   * app loaded: from ``goto`` until the page's title is there (Solara's app rendered);
   * first chart: from the app loaded until the band chart of the 1,000-run set is
     drawn — for the set's first opening ever (its summary is computed and stored),
     for a new browser session (summary in the server's memory) and after a server
     restart (summary read from beside the set);
   * selection change: removing an outcome, adding it back, removing a package, moving
     the year slider, and switching to the small set and back, each until the band chart
     has redrawn (the year: until the KPI table has changed; it leaves the bands alone);
   * for each: the server's own render time of the page body (the page prints it), the
     bytes the server sent over the websocket, and the browser's ``Plotly.react`` time
     of the band chart (the chart component records it).
2. Opens the workshop page on the 20,000-resident daily-life area at 1:1, sets the
   speed slider to its maximum, plays for 10 s and counts the months advanced.
3. The same live loop without a browser (model step + map/series data), for reference.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import ARGS, CHROMIUM, VIEWPORT, stop_server  # noqa: E402

from dashboards.synthetic import write_synthetic  # noqa: E402

BANDS = '[data-chart="bands"] .js-plotly-plot .main-svg'


class Wire:
    """Bytes the server sent the page over its websockets (Solara's widget messages)."""

    def __init__(self, pg: Any) -> None:
        self.bytes = 0
        pg.on("websocket", self._socket)

    def _socket(self, ws: Any) -> None:
        ws.on("framereceived", self._frame)

    def _frame(self, payload: str | bytes) -> None:
        self.bytes += len(payload.encode() if isinstance(payload, str) else payload)


def _draw_ms(pg: Any) -> str:
    ms = pg.locator('[data-chart="bands"]').first.get_attribute("data-draw-ms")
    return f"{ms} ms" if ms else "?"


def _stamps(pg: Any) -> dict[str, float]:
    """The band chart's own times (ms on the page's clock; see plotly_chart.vue)."""
    found = pg.evaluate(
        "() => { const c = document.querySelector('[data-chart=\"bands\"]');"
        " return c ? Object.assign({}, c.dataset) : {}; }"
    )
    return {k: float(v) for k, v in found.items() if k.startswith("t")}


def _now(pg: Any) -> float:
    return float(pg.evaluate("() => performance.now()"))


def _server_s(pg: Any) -> str:
    """The page body's own render time as the page prints it (its last number)."""
    text = pg.locator(".kyosei-render-time").first.text_content() or ""
    found = re.findall(r"[0-9]+(?:\.[0-9]+)?", text)
    return f"{found[-1]} s" if found else "?"


# When the page's title (the app loaded) and the band chart's first trace (drawn) appear
# in the DOM, on the page's own clock (ms since navigation): Playwright's own waits poll
# from outside and see them late while the page's main thread is busy drawing.
WATCH = """
window.kyoseiSeen = {};
new MutationObserver(() => {
  const seen = window.kyoseiSeen, now = performance.now();
  if (!seen.app && document.querySelector("h2")) seen.app = now;
  if (!seen.chart && document.querySelector('[data-chart="bands"] .scatterlayer .trace'))
    seen.chart = now;
}).observe(document, { childList: true, subtree: true });
"""


def new_page(browser: Any) -> Any:
    pg = browser.new_page(viewport=VIEWPORT)
    pg.set_default_timeout(120_000)
    pg.add_init_script(WATCH)
    return pg


def open_timing(pg: Any, url: str, wire: Wire) -> dict[str, str]:
    """Times of an opening: goto → app loaded → first band chart drawn, and what it took."""
    wire.bytes = 0
    t0 = time.perf_counter()
    pg.goto(url, wait_until="commit")
    pg.locator("h2").first.wait_for()
    t1 = time.perf_counter()
    page_t1 = _now(pg)
    pg.locator(BANDS).first.wait_for()
    t2 = time.perf_counter()
    sent = wire.bytes
    pg.locator('[data-chart="equity"] .js-plotly-plot .main-svg').first.wait_for()
    t3 = time.perf_counter()
    st = _stamps(pg)
    steps = {
        "chart component mounted": st.get("tMounted"),  # relative to Playwright's app loaded
        "plotly.js loaded": st.get("tPlotly"),
        "drawn": st.get("tDrawn"),
    }
    pg.wait_for_function("() => window.kyoseiSeen && window.kyoseiSeen.chart")
    seen = pg.evaluate("() => window.kyoseiSeen")
    return {
        "app loaded (page clock)": f"{seen['app'] / 1e3:.2f} s",
        "then first chart drawn (page clock)": f"{(seen['chart'] - seen['app']) / 1e3:.2f} s",
        **{f"{k} at": f"{(v - page_t1) / 1e3:+.2f} s" for k, v in steps.items() if v is not None},
        "app loaded (seen by Playwright)": f"{t1 - t0:.2f} s",
        "first chart (seen by Playwright)": f"{t2 - t1:.2f} s",
        "whole page": f"{t3 - t1:.2f} s",
        "sent until first chart": f"{sent / 1e3:.0f} kB",
        "band chart Plotly draw": _draw_ms(pg),
    }


def _redraw(pg: Any, wire: Wire, act: Any, chart: str = "bands") -> dict[str, Any]:
    sel = f'[data-chart="{chart}"]' if chart != "kpi" else ".kyosei-kpi"
    changed = (
        f"(before) => {{ const c = document.querySelector('{sel}');"
        " return c && c.textContent !== before; }"
    )
    before = pg.locator(sel).first.text_content()
    wire.bytes = 0
    page_t0 = _now(pg)
    t0 = time.perf_counter()
    act()
    pg.wait_for_function(changed, arg=before, timeout=120_000)
    took = time.perf_counter() - t0
    time.sleep(0.3)  # the rest of the update
    st = _stamps(pg)
    spec = (st.get("tSpec", page_t0) - page_t0) / 1e3 if chart == "bands" else float("nan")
    return {
        "s": took,
        "kB": wire.bytes / 1e3,
        "server": _server_s(pg),
        "draw": _draw_ms(pg),
        "spec": spec,
    }


def change_timing(pg: Any, big: str, wire: Wire) -> dict[str, dict[str, Any]]:
    """Seconds from a selection change to the redrawn band chart, per kind of change."""
    out = {}
    first = pg.locator(".kyosei-outcomes .v-chip").first
    name = first.text_content().strip()
    out["outcome removed"] = _redraw(
        pg, wire, lambda: pg.locator(".kyosei-outcomes .v-chip__close").first.click()
    )
    pg.locator(".kyosei-outcomes .v-select__slot").click()
    option = pg.locator(".kyosei-outcomes .v-list-item").filter(has_text=name).first
    option.wait_for()
    out["outcome added"] = _redraw(pg, wire, option.click)
    pg.keyboard.press("Escape")
    out["package removed"] = _redraw(
        pg, wire, lambda: pg.locator(".kyosei-arms .v-chip__close").first.click()
    )

    def year() -> None:
        pg.locator(".v-slider").first.click()  # the middle of the 20 years

    out["year moved (KPI table)"] = _redraw(pg, wire, year, chart="kpi")
    for label, target in (("set switched", "small"), ("set switched back", big)):
        pg.locator(".kyosei-set .v-select__slot").click()
        option = pg.locator(".kyosei-set .v-list-item").filter(has_text=target).first
        option.wait_for()
        out[label] = _redraw(pg, wire, option.click)
    return out


def start_server(results: Path, code: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``kyosei dashboard`` of the checkout ``code`` on a free port (tests/browser.py's way)."""
    from dashboards.server import free_port, port_in_use

    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(code)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "kyosei", "dashboard", "--results", str(results),
         "--port", str(port)],
        cwd=code, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(600):
        if port_in_use("127.0.0.1", port):
            return proc, f"http://127.0.0.1:{port}/"
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    out = proc.stdout.read().decode() if proc.stdout else ""
    raise RuntimeError(f"dashboard did not start: {out}")


def measure(browser: Any, root: Path, code: Path, big: str) -> list[tuple[str, Any]]:
    """Compare opened three ways and the selection changes twice, on the code in ``code``."""
    out: list[tuple[str, Any]] = []
    proc, url = start_server(root, code)
    try:
        pg = new_page(browser)
        wire = Wire(pg)
        out.append(("first opening of the set (summary computed)", open_timing(pg, url, wire)))
        out.append(("changes, first server", change_timing(pg, big, wire)))
        pg.close()
        pg = new_page(browser)
        wire = Wire(pg)
        out.append(("new session (summary in memory)", open_timing(pg, url, wire)))
        pg.close()
    finally:
        stop_server(proc)
    proc, url = start_server(root, code)
    try:
        pg = new_page(browser)
        wire = Wire(pg)
        out.append(("after a server restart (summary from disk)", open_timing(pg, url, wire)))
        out.append(("changes, restarted server", change_timing(pg, big, wire)))
        pg.close()
    finally:
        stop_server(proc)
    return out


def report(name: str, rows: list[tuple[str, Any]]) -> None:
    for what, values in rows:
        if what.startswith("changes"):
            for change, v in values.items():
                print(
                    f"  [{name}] {what}: {change} → redrawn {v['s']:.2f} s"
                    f" (new figure in the browser after {v['spec']:.2f} s, page body render"
                    f" {v['server']}, sent {v['kB']:.0f} kB, band chart Plotly draw {v['draw']})"
                )
        else:
            text = ", ".join(f"{k} {v}" for k, v in values.items())
            print(f"  [{name}] compare open, {what}: {text}")


def background_sweep(folder: Path) -> subprocess.Popen[bytes]:
    """A one-worker sweep of the 20k ``district`` (20 years) as load beside the page."""
    exp = folder / "load.toml"
    exp.write_text(
        '[experiment]\nname = "load"\nroot_seed = 3\nreplications = 400\nyears = 20\n'
        'scale = 1\ntowns = ["district"]\npolicies = ["baseline"]\n',
        encoding="utf-8",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "kyosei", "sweep", str(exp), "--out", str(folder / "load"),
         "--workers", "1", "--no-progress"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes ``pids`` have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _chromium_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-f", "chromium"], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def live_timing(pg, url: str, server_pid: int, seconds: float = 10.0) -> dict[str, float]:
    """Months/s the live page shows at top speed, who used the cores, and a pause's delays.

    Returns ``rate`` (months/s shown), ``server_cpu`` and ``chromium_cpu`` (CPU seconds a
    second over the window), ``shown_s`` (click to the page showing it paused) and
    ``answer_s`` (click to the server's answer on the page).
    """
    pg.goto(url + "live")
    pg.locator('[data-chart="town-a"] .js-plotly-plot .main-svg').first.wait_for()
    slider = pg.locator(".kyosei-live-speed .v-slider").first
    slider.click()
    pg.keyboard.press("End")  # maximum speed
    pg.locator(".kyosei-live-play").click()
    time.sleep(2.0)  # let the loop settle
    chromium = _chromium_pids()
    c0, s0 = _cpu_s(chromium), _cpu_s([server_pid])
    m0 = int(pg.locator(".kyosei-live-month").get_attribute("data-month"))
    t0 = time.perf_counter()
    time.sleep(seconds)
    m1 = int(pg.locator(".kyosei-live-month").get_attribute("data-month"))
    elapsed = time.perf_counter() - t0
    c1, s1 = _cpu_s(chromium), _cpu_s([server_pid])
    pg.evaluate("() => document.querySelector('.kyosei-live-play').click()")
    clicked = time.perf_counter()
    month = "document.querySelector('.kyosei-live-month').dataset"
    pg.wait_for_function(f"{month}.playing === 'false'", polling=10)
    shown_s = time.perf_counter() - clicked
    pg.wait_for_function(f"{month}.serverPlaying === 'false'", polling=10)
    return {
        "rate": (m1 - m0) / elapsed,
        "server_cpu": (s1 - s0) / elapsed,
        "chromium_cpu": (c1 - c0) / elapsed,
        "shown_s": shown_s,
        "answer_s": time.perf_counter() - clicked,
    }


def live_in_process(steps: int = 60) -> float:
    from dashboards.figures_live import series_figure, town_figure
    from dashboards.live import SERIES, LiveTown
    from dashboards.plot import figure_spec

    town = LiveTown("district", 1.0, 1)
    t0 = time.perf_counter()
    for _ in range(steps):
        town.step()
        a, _ = town.snapshots()
        s, _ = town.series()
        figure_spec(town_figure(a, "ja"))
        figure_spec(series_figure(s, None, list(SERIES), "ja"))
    return steps / (time.perf_counter() - t0)


def _uptime() -> str:
    """The 1-, 5- and 15-minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def live_model_only(steps: int = 48) -> tuple[float, float]:
    """Months/s of the live 20k district's model alone: one town, then forked into two.

    Stepped as the play loop steps it (:meth:`LiveTown.advance`: the models and the
    lines' values; the maps are built only for the frames a tab asks for).
    """
    from dashboards.live import LiveTown

    town = LiveTown("district", 1.0, 1)
    town.step(2)
    t0 = time.perf_counter()
    for _ in range(steps):
        town.advance()
    one = steps / (time.perf_counter() - t0)
    town.fork()
    t0 = time.perf_counter()
    for _ in range(steps):
        town.advance()
    two = steps / (time.perf_counter() - t0)
    return one, two


def live_session_rate(seconds: float = 6.0, frame_s: float = 0.25) -> tuple[float, float, float]:
    """The play loop unthrottled with a tab that asks for a frame every ``frame_s`` s.

    Returns months/s for one town, for two forked towns, and the frames a second the
    tab got (the maps' arrays and a kept copy of the town are built for each frame).
    """
    from dashboards.live import LiveSession, LiveTown

    s = LiveSession(idle_s=60.0)
    s.town = LiveTown("district", 1.0, 1)
    s.speed = 1000  # no pacing: as fast as the model goes
    rates = []
    frames = 0
    for forked in (False, True):
        if forked:
            # A fresh town: at top speed the first can have reached the live room's last month.
            s.town = LiveTown("district", 1.0, 1)
            s.town.fork()
        s.play()
        m0, t0, version = s.town.month, time.monotonic(), s.town.frame.version
        got = 0
        while time.monotonic() - t0 < seconds:
            frame = s.wait_frame(version, 0.5)
            if frame is not None and frame.version > version:
                version = frame.version
                got += 1
                s.seen("bench", frame.month)
            time.sleep(frame_s)
        s.pause()
        rates.append((s.town.month - m0) / (time.monotonic() - t0))
        frames = got
    return rates[0], rates[1], frames / seconds


def live_outreach(seeds: range = range(1, 6)) -> list[tuple[int, float, float]]:
    """「アウトリーチを今すぐ」 at month 0: B − A unmet need 5 years on, per seed.

    Returns (seed, people, share of residents), as the page's closing note reports it.
    """
    from dashboards.live import NOTE_MONTHS, LiveTown, note_difference

    out = []
    for seed in seeds:
        town = LiveTown("district", 1.0, seed)
        town.fork()
        town.start("outreach", "b")  # its declared default intensity, as the preset
        for _ in range(NOTE_MONTHS):
            town.advance()
        note = note_difference(town.publish())
        assert note is not None
        out.append((seed, note["people"], note["share"]))
    return out


def live_phases(months: int = 24) -> list[tuple[str, float]]:
    """Milliseconds a month per phase of the live 20k district (``time_phases=True``)."""
    from model import CommunityModel
    from scenarios import load_scenario

    model = CommunityModel(load_scenario("district", "baseline"), seed=1, time_phases=True)
    assert model.phase_seconds is not None
    model.phase_seconds = dict.fromkeys(model.phase_seconds, 0.0)
    model.run(months)
    total = sorted(model.phase_seconds.items(), key=lambda kv: -kv[1])
    return [(name, 1000 * sec / months) for name, sec in total]


def main() -> None:
    import argparse

    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-live", action="store_true", help="skip the live view")
    parser.add_argument("--no-load", action="store_true", help="no sweep beside the page")
    parser.add_argument(
        "--old", metavar="DIR", help="also serve the checkout DIR (old code) in the same run"
    )
    parser.add_argument(
        "--live-model", action="store_true", help="only the live model's months/s, no browser"
    )
    parser.add_argument(
        "--live-phases", action="store_true", help="the live district's month by phase"
    )
    parser.add_argument(
        "--live-outreach",
        action="store_true",
        help="「アウトリーチを今すぐ」: 5-year B - A unmet need, seeds 1-5",
    )
    args = parser.parse_args()
    if args.live_model:
        print(f"load average before: {_uptime()}")
        one, two = live_model_only()
        print(f"live 20k district, model only: one town {one:.1f} months/s, forked {two:.1f}")
        one, two, fps = live_session_rate()
        print(
            f"live play loop with a tab asking every 0.25 s: one town {one:.1f} months/s,"
            f" forked {two:.1f} ({fps:.1f} frames/s)"
        )
        print(f"load average after: {_uptime()}")
        return
    if args.live_phases:
        print(f"load average before: {_uptime()}")
        rows = live_phases()
        print(f"live 20k district, ms a month by phase ({sum(ms for _, ms in rows):.1f} in all):")
        for name, ms in rows:
            print(f"  {name:<28} {ms:7.2f}")
        print(f"load average after: {_uptime()}")
        return
    if args.live_outreach:
        print(f"load average before: {_uptime()}")
        for seed, people, share in live_outreach():
            print(f"seed {seed}: unmet need B - A after 5 years {people:+.0f}", end=" ")
            print(f"({share * 100:+.3f} points)")
        print(f"load average after: {_uptime()}")
        return
    big = "default_comparison"
    codes = {"new": ROOT} | ({"old": Path(args.old).resolve()} if args.old else {})
    results: dict[str, list[tuple[str, Any]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {}
        t0 = time.perf_counter()
        for name in codes:
            roots[name] = Path(tmp) / name / "sets"
            write_synthetic(roots[name] / big, packages=4, replications=250, years=20)
            write_synthetic(roots[name] / "small", packages=3, replications=3, years=20)
        print(f"wrote the 1,000-run set(s) in {time.perf_counter() - t0:.1f} s")
        load = None if args.no_load else background_sweep(Path(tmp))
        time.sleep(0 if load is None else 5.0)  # the sweep's worker is running
        print(f"load average before: {_uptime()}")
        live: dict[str, float] = {}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                # old first, then new: any drift in the load goes against the new code
                for name in sorted(codes, reverse=True):
                    results[name] = measure(browser, roots[name], codes[name], big)
                    print(f"load average after the {name} code: {_uptime()}")
                if not args.no_live:
                    proc, url = start_server(roots["new"], ROOT)
                    try:
                        pg = browser.new_page(viewport=VIEWPORT)
                        pg.set_default_timeout(120_000)
                        live = live_timing(pg, url, proc.pid)
                    finally:
                        stop_server(proc)
                browser.close()
        finally:
            print(f"load average after: {_uptime()}")
            if load is not None:
                load.terminate()
                load.wait()
    inproc = float("nan") if args.no_live else live_in_process()
    print(f"date: {_dt.datetime.now(_dt.UTC).isoformat(timespec='minutes')}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print("load:", "none added" if load is None else "one-worker district sweep running")
    for name in sorted(results, reverse=True):
        report(f"{name} code", results[name])
    if not args.no_live:
        print(
            "live view in the browser, 20k-resident district at 1:1:"
            f" {live.get('rate', float('nan')):.1f} months/s shown; CPU seconds a second:"
            f" server {live.get('server_cpu', float('nan')):.2f},"
            f" Chromium {live.get('chromium_cpu', float('nan')):.2f}; pause shown in"
            f" {live.get('shown_s', float('nan')):.2f} s, server's answer in"
            f" {live.get('answer_s', float('nan')):.2f} s"
        )
        print(f"live loop in process (step + map + series data): {inproc:.1f} steps/s")


if __name__ == "__main__":
    main()
