"""Dashboard speed in a real browser: Compare on a 1,000-run set, and the live view's steps/s.

Usage::

    python benchmarks/bench_dashboard.py            # prints the numbers for benchmarks/README.md
    python benchmarks/bench_dashboard.py --no-live  # Compare only
    python benchmarks/bench_dashboard.py --no-load  # without the one-worker sweep beside it

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
   * selection change: removing an outcome, adding it back, removing a package, and
     switching to the small set and back, each until the band chart has redrawn.
2. Opens the workshop page on the 20,000-resident daily-life area at 1:1, sets the
   speed slider to its maximum, plays for 10 s and counts the months advanced.
3. The same live loop without a browser (model step + map/series data), for reference.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_dashboard_browser import ARGS, CHROMIUM, VIEWPORT, _start, _stop  # noqa: E402

from dashboards.synthetic import write_synthetic  # noqa: E402

BANDS = '[data-chart="bands"] .js-plotly-plot .main-svg'
CHANGED = (
    "(before) => { const c = document.querySelector('[data-chart=\"bands\"]');"
    " return c && c.textContent !== before; }"
)


def open_timing(pg, url: str) -> tuple[float, float]:
    """(goto → app loaded, app loaded → first band chart drawn), in seconds."""
    t0 = time.perf_counter()
    pg.goto(url, wait_until="commit")
    pg.locator("h2").first.wait_for()
    t1 = time.perf_counter()
    pg.locator(BANDS).first.wait_for()
    return t1 - t0, time.perf_counter() - t1


def _redraw(pg, act) -> float:
    before = pg.locator('[data-chart="bands"]').text_content()
    t0 = time.perf_counter()
    act()
    pg.wait_for_function(CHANGED, arg=before, timeout=120_000)
    return time.perf_counter() - t0


def change_timing(pg, big: str) -> dict[str, float]:
    """Seconds from a selection change to the redrawn band chart, per kind of change."""
    out = {}
    first = pg.locator(".kyosei-outcomes .v-chip").first
    name = first.text_content().strip()
    out["outcome removed"] = _redraw(
        pg, lambda: pg.locator(".kyosei-outcomes .v-chip__close").first.click()
    )
    pg.locator(".kyosei-outcomes .v-select__slot").click()
    option = pg.locator(".kyosei-outcomes .v-list-item").filter(has_text=name).first
    option.wait_for()
    out["outcome added"] = _redraw(pg, option.click)
    pg.keyboard.press("Escape")
    out["package removed"] = _redraw(
        pg, lambda: pg.locator(".kyosei-arms .v-chip__close").first.click()
    )
    for label, target in (("set switched", "small"), ("set switched back", big)):
        pg.locator(".kyosei-set .v-select__slot").click()
        option = pg.locator(".kyosei-set .v-list-item").filter(has_text=target).first
        option.wait_for()
        out[label] = _redraw(pg, option.click)
    return out


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


def live_timing(pg, url: str, seconds: float = 10.0) -> float:
    pg.goto(url + "live")
    pg.locator('[data-chart="town-a"] .js-plotly-plot .main-svg').first.wait_for()
    slider = pg.locator(".v-slider").first
    slider.click()
    pg.keyboard.press("End")  # maximum speed
    pg.locator(".kyosei-live-play").click()
    time.sleep(2.0)  # let the loop settle
    m0 = int(pg.locator(".kyosei-live-month").get_attribute("data-month"))
    t0 = time.perf_counter()
    time.sleep(seconds)
    m1 = int(pg.locator(".kyosei-live-month").get_attribute("data-month"))
    rate = (m1 - m0) / (time.perf_counter() - t0)
    pg.locator(".kyosei-live-play").click()
    return rate


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
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "sets"
        t0 = time.perf_counter()
        write_synthetic(root / big, packages=4, replications=250, years=20)
        write_synthetic(root / "small", packages=3, replications=3, years=20)
        print(f"wrote the 1,000-run set in {time.perf_counter() - t0:.1f} s")
        load = None if args.no_load else background_sweep(Path(tmp))
        time.sleep(0 if load is None else 5.0)  # the sweep's worker is running
        print(f"load average before: {_uptime()}")
        opens: dict[str, tuple[float, float]] = {}
        rate = float("nan")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                proc, url = _start(root)
                try:
                    pg = browser.new_page(viewport=VIEWPORT)
                    pg.set_default_timeout(120_000)
                    opens["first opening of the set (summary computed)"] = open_timing(pg, url)
                    changes = change_timing(pg, big)
                    pg.close()
                    pg = browser.new_page(viewport=VIEWPORT)
                    opens["new session (summary in memory)"] = open_timing(pg, url)
                    pg.close()
                finally:
                    _stop(proc)
                proc, url = _start(root)
                try:
                    pg = browser.new_page(viewport=VIEWPORT)
                    pg.set_default_timeout(120_000)
                    opens["after a server restart (summary read from disk)"] = open_timing(pg, url)
                    again = change_timing(pg, big)
                    if not args.no_live:
                        rate = live_timing(pg, url)
                finally:
                    _stop(proc)
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
    for what, (app, chart) in opens.items():
        print(f"compare open, {what}: app loaded {app:.2f} s, then first chart {chart:.2f} s")
    for name, times in (("first server", changes), ("restarted server", again)):
        text = ", ".join(f"{k} {v:.2f} s" for k, v in times.items())
        print(f"selection change → redrawn band chart ({name}): {text}")
    if not args.no_live:
        print(f"live view in the browser, 20k-resident district at 1:1: {rate:.1f} steps/s")
        print(f"live loop in process (step + map + series data): {inproc:.1f} steps/s")


if __name__ == "__main__":
    main()
