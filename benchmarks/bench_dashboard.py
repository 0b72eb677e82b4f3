"""Dashboard speed in a real browser: Compare on a 1,000-run set, and the live view's steps/s.

Usage::

    python benchmarks/bench_dashboard.py            # prints the numbers for benchmarks/README.md

1. Writes a synthetic 1,000-run results set (4 packages × 250 replicates × 20 years,
   made by :mod:`dashboards.synthetic`) and a small one, serves them with
   ``kyosei dashboard`` and opens Compare in headless Chromium. It then picks the
   1,000-run set in the results-set selector and times until the page has redrawn for
   it (summary line and band chart updated): cold (first read from disk) and warm.
2. Opens the workshop page on the 20,000-resident daily-life area at 1:1, sets the
   speed slider to its maximum, plays for 10 s and counts the months advanced.
3. The same live loop without a browser (model step + map/series data), for reference.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_dashboard_browser import ARGS, CHROMIUM, VIEWPORT, _start, _stop  # noqa: E402

from dashboards.synthetic import write_synthetic  # noqa: E402


def compare_timing(pg, url: str, big: str) -> tuple[float, float]:
    pg.goto(url)
    pg.locator('[data-chart="bands"] .js-plotly-plot .main-svg').first.wait_for()
    times = []
    for target in (big, "small", big):
        before = pg.locator('[data-chart="bands"]').text_content()
        pg.locator(".kyosei-set").click()
        option = pg.locator(".kyosei-set .v-list-item").filter(has_text=target).first
        t0 = time.perf_counter()
        option.click()
        pg.wait_for_function(
            "(before) => { const c = document.querySelector('[data-chart=\"bands\"]');"
            " return c && c.textContent !== before; }",
            arg=before,
            timeout=120_000,
        )
        times.append(time.perf_counter() - t0)
    return times[0], times[2]


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


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        write_synthetic(root / "runs1000", packages=4, replications=250, years=20)
        write_synthetic(root / "small", packages=3, replications=3, years=20)
        print(f"wrote the 1,000-run set in {time.perf_counter() - t0:.1f} s")
        proc, url = _start(root)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                pg = browser.new_page(viewport=VIEWPORT)
                pg.set_default_timeout(120_000)
                cold, warm = compare_timing(pg, url, "runs1000")
                rate = live_timing(pg, url)
                browser.close()
        finally:
            _stop(proc)
    inproc = live_in_process()
    print(f"date: {_dt.date.today().isoformat()}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"compare, 1,000-run set selected: cold {cold:.2f} s, warm {warm:.2f} s")
    print(f"live view in the browser, 20k-resident district at 1:1: {rate:.1f} steps/s")
    print(f"live loop in process (step + map + series data): {inproc:.1f} steps/s")


if __name__ == "__main__":
    main()
