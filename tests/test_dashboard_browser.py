"""The dashboard in a real headless Chromium against the real server (``kyosei dashboard``).

The server runs over synthetic results sets; the server, the browser and the helpers
are shared with the other browser tests (``tests/browser.py``, ``tests/conftest.py``).
Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, CHROMIUM, VIEWPORT, shot, slide_to_end, wait_chart
from tests.browser import start_server as _start
from tests.browser import stop_server as _stop

pytestmark = pytest.mark.browser

PAGES = {"compare": "", "explore": "explore", "live": "live", "about": "about"}

if not Path(CHROMIUM).exists():  # pragma: no cover - machines without the browser
    pytest.skip("no /usr/bin/chromium (make browser-deps)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def results_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dashboards.synthetic import write_synthetic

    root = tmp_path_factory.mktemp("browser-results")
    write_synthetic(root / "sweep", packages=2, replications=2, years=5, sweep=8)
    write_synthetic(root / "compare", packages=3, replications=4, years=10)
    return root


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.requests = []  # every URL the page asks for
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def only_local(urls: list[str]) -> list[str]:
    """URLs that leave the machine (anything but 127.0.0.1, data: and blob:)."""
    return [
        u
        for u in urls
        if not u.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:"))
    ]


def test_each_page_loads_offline_and_is_captured(server: str, page: object) -> None:
    markers = {"compare": "bands", "explore": "scatter", "live": "town-a", "about": None}
    for name, path in PAGES.items():
        page.requests.clear()  # type: ignore[attr-defined]
        page.goto(server + path)  # type: ignore[attr-defined]
        if markers[name]:
            wait_chart(page, markers[name])
        else:
            page.locator(".kyosei-about-parameters").wait_for()  # type: ignore[attr-defined]
        time.sleep(0.5)
        shot(page, f"page-{name}-ja")
        assert page.requests, name  # type: ignore[attr-defined]
        assert only_local(page.requests) == [], (
            f"{name} asked the network: {only_local(page.requests)}"
        )  # type: ignore[attr-defined]
        assert page.locator(".kyosei-notice").count() == 0 or name == "about"  # type: ignore[attr-defined]


def test_changing_an_input_changes_the_chart(server: str, page: object) -> None:
    page.goto(server)  # type: ignore[attr-defined]
    chart = wait_chart(page, "map")
    before = chart.locator(".colorbar").text_content()  # type: ignore[attr-defined]
    page.locator(".kyosei-map-metric").click()  # type: ignore[attr-defined]
    page.locator(".kyosei-map-metric .v-list-item").nth(1).click()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "(before) => { const c = document.querySelector('[data-chart=\"map\"] .colorbar');"
        " return c && c.textContent !== before; }",
        arg=before,
    )
    assert chart.locator(".colorbar").text_content() != before  # type: ignore[attr-defined]


def test_language_switch(server: str, page: object) -> None:
    page.goto(server)  # type: ignore[attr-defined]
    wait_chart(page, "bands")
    assert "施策パッケージの比較" in page.content()  # type: ignore[attr-defined]
    page.locator(".kyosei-lang-switch").click()  # type: ignore[attr-defined]
    page.get_by_text("Compare policy packages").wait_for()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "document.querySelector('[data-chart=\"bands\"]').textContent.includes('Baseline')"
    )
    time.sleep(0.5)
    shot(page, "page-compare-en")


def test_export_a_brief_that_opens_offline(server: str, page: object, browser: object) -> None:
    page.goto(server)  # type: ignore[attr-defined]
    wait_chart(page, "bands")
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.locator(".kyosei-export button").first.click()  # type: ignore[attr-defined]
    path = ARTIFACTS / "brief.html"
    ARTIFACTS.mkdir(exist_ok=True)
    info.value.save_as(str(path))
    assert path.stat().st_size > 1_000_000  # plotly.js is inside
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    brief = context.new_page()
    asked: list[str] = []
    brief.on("request", lambda r: asked.append(r.url))
    brief.goto(path.as_uri())
    brief.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert "政策ブリーフ" in brief.title()
    assert [u for u in asked if not u.startswith("file:")] == []
    brief.screenshot(path=str(ARTIFACTS / "brief.png"), full_page=True)
    context.close()


def test_fork_the_live_town_into_two(server: str, page: object) -> None:
    page.goto(server + "live")  # type: ignore[attr-defined]
    wait_chart(page, "town-a")
    page.locator(".kyosei-live-step").click()  # type: ignore[attr-defined]
    page.locator('.kyosei-live-month[data-month="1"]').wait_for()  # type: ignore[attr-defined]
    page.locator(".kyosei-live-fork").click()  # type: ignore[attr-defined]
    wait_chart(page, "town-b")
    page.locator(".kyosei-live-add").click()  # outreach, into future B  # type: ignore[attr-defined]
    page.locator(".kyosei-live-active-b").filter(has_text="アウトリーチ").wait_for()  # type: ignore[attr-defined]
    page.locator(".kyosei-live-play").click()  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "Number(document.querySelector('.kyosei-live-month').dataset.month) >= 4"
    )
    page.locator(".kyosei-live-play").click()  # pause  # type: ignore[attr-defined]
    assert page.locator('[data-chart="town-a"] .js-plotly-plot').count() == 1  # type: ignore[attr-defined]
    assert page.locator('[data-chart="town-b"] .js-plotly-plot').count() == 1  # type: ignore[attr-defined]
    time.sleep(0.5)
    shot(page, "page-live-forked")


def test_big_screen_mode(server: str, page: object) -> None:
    page.goto(server + "live")  # type: ignore[attr-defined]
    wait_chart(page, "town-a")
    page.locator(".kyosei-big-switch").click()  # type: ignore[attr-defined]
    page.locator(".kyosei-big").wait_for()  # type: ignore[attr-defined]
    time.sleep(0.5)
    shot(page, "page-live-big")


def test_run_a_small_comparison_from_the_browser(
    server: str, page: object, results_root: Path
) -> None:
    page.goto(server)  # type: ignore[attr-defined]
    wait_chart(page, "bands")
    # The smallest comparison: one replicate, one year (Home = the sliders' minimum).
    for slider, label in ((0, "反復回数：1回"), (1, "年数：1年")):
        slide_to_end(
            page.locator(".kyosei-run .v-slider").nth(slider),  # type: ignore[attr-defined]
            "Home",
            page.locator(".kyosei-run").filter(has_text=label),  # type: ignore[attr-defined]
        )
    page.locator(".kyosei-run-start").click()  # type: ignore[attr-defined]
    progress = page.locator(".kyosei-run-progress")  # type: ignore[attr-defined]
    progress.wait_for()
    assert progress.text_content().endswith("/2"), progress.text_content()  # 2 packages × 1
    notice = page.locator(".kyosei-run .kyosei-notice")  # type: ignore[attr-defined]
    try:
        notice.wait_for(timeout=240_000)
    except sync_api.TimeoutError as err:  # say where it stopped: page, files, processes
        shown = progress.all_text_contents()
        new = results_root.glob("district-*/**/*")
        written = sorted(str(p.relative_to(results_root)) for p in new)
        ps = subprocess.run(
            ["ps", "-ww", "-eo", "pid,ppid,stat,etime,pcpu,args"], capture_output=True, text=True
        ).stdout.splitlines()
        workers = [line for line in ps if "multiprocessing" in line or "kyosei" in line]
        raise AssertionError(
            f"no notice after 240 s; the page shows {shown}; files {written}; processes {workers}"
        ) from err
    text = notice.text_content()
    assert "完了" in text, text
    # The page switches to the new set and draws it.
    wait_chart(page, "bands")
    page.locator(".kyosei-set").filter(has_text="district-").wait_for()  # type: ignore[attr-defined]
    shot(page, "run-comparison-done")


def test_missing_empty_corrupt_results_keep_serving(tmp_path: Path, browser: object) -> None:
    root = tmp_path / "nothing-here"
    proc, url = _start(root)
    try:
        context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
        pg = context.new_page()
        pg.set_default_timeout(60_000)
        pg.goto(url)
        pg.locator(".kyosei-notice").filter(has_text=str(root)).wait_for()
        shot(pg, "notice-missing")
        root.mkdir()
        pg.goto(url)
        pg.locator(".kyosei-notice").filter(has_text="結果セットがありません").wait_for()
        broken = root / "broken"
        broken.mkdir()
        (broken / "manifest.json").write_text("{ this is not json", encoding="utf-8")
        for path in ("", "explore"):
            pg.goto(url + path)
            pg.locator(".kyosei-notice").filter(has_text="読み込めません").wait_for()
        shot(pg, "notice-corrupt")
        shutil.rmtree(broken)
        pg.goto(url + "about")  # the server still serves
        pg.locator(".kyosei-about-parameters").wait_for()
        context.close()
    finally:
        log = _stop(proc)
    assert "Traceback" not in log, log
