"""The dashboard in a real headless Chromium against the real server (``kyosei dashboard``).

Debian's ``/usr/bin/chromium`` is driven by Playwright with ``executable_path`` (no
browser download). The server runs as a subprocess on a free 127.0.0.1 port over
synthetic results sets. Screenshots go to ``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

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
PAGES = {"compare": "", "explore": "explore", "live": "live", "about": "about"}

if not Path(CHROMIUM).exists():  # pragma: no cover - machines without the browser
    pytest.skip("no /usr/bin/chromium (make browser-deps)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _start(results: Path) -> tuple[subprocess.Popen[bytes], str]:
    from dashboards.server import free_port

    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kyosei",
            "dashboard",
            "--results",
            str(results),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    from dashboards.server import port_in_use

    for _ in range(300):
        if port_in_use("127.0.0.1", port):
            return proc, f"http://127.0.0.1:{port}/"
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    out = proc.stdout.read().decode() if proc.stdout else ""
    raise RuntimeError(f"dashboard did not start: {out}")


def _stop(proc: subprocess.Popen[bytes]) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out.decode(errors="replace") if out else ""


@pytest.fixture(scope="module")
def results_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from dashboards.synthetic import write_synthetic

    root = tmp_path_factory.mktemp("browser-results")
    write_synthetic(root / "sweep", packages=2, replications=2, years=5, sweep=8)
    write_synthetic(root / "compare", packages=3, replications=4, years=10)
    return root


@pytest.fixture(scope="module")
def server(results_root: Path) -> Iterator[str]:
    proc, url = _start(results_root)
    yield url
    log = _stop(proc)
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.requests = []  # every URL the page asks for
    pg.on("request", lambda r: pg.requests.append(r.url))
    yield pg
    context.close()


def shot(pg: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def wait_chart(pg: object, name: str) -> object:
    """The drawn Plotly chart called ``name`` (Solara renders after load: wait for it)."""
    locator = pg.locator(f'[data-chart="{name}"] .js-plotly-plot .main-svg').first  # type: ignore[attr-defined]
    locator.wait_for(state="visible")
    return pg.locator(f'[data-chart="{name}"]').first  # type: ignore[attr-defined]


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


def test_run_a_small_comparison_from_the_browser(server: str, page: object) -> None:
    page.goto(server)  # type: ignore[attr-defined]
    wait_chart(page, "bands")
    # The smallest comparison: one replicate, one year (Home = the sliders' minimum).
    for slider in (0, 1):
        page.locator(".kyosei-run .v-slider").nth(slider).click()  # type: ignore[attr-defined]
        page.keyboard.press("Home")  # type: ignore[attr-defined]
    page.locator(".kyosei-run-start").click()  # type: ignore[attr-defined]
    page.locator(".kyosei-run-progress").wait_for()  # type: ignore[attr-defined]
    page.locator(".kyosei-run .kyosei-notice").wait_for(timeout=240_000)  # type: ignore[attr-defined]
    text = page.locator(".kyosei-run .kyosei-notice").text_content()  # type: ignore[attr-defined]
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
