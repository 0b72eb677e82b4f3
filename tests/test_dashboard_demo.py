"""A fresh ``make demo``: the Explore page opens on the demo's design and shows its sensitivity.

The demo runs ``experiments/default_design.toml`` next to the default comparison. Here the
same design (the same 12 Latin-hypercube points over the same three town parameters, 2
replicates) runs at 1:60 for 3 years, so the test stays short; the page must pick that
set by itself, show the sensitivity of the outcome to each of the three inputs by name,
with intervals, and no axis may repeat a tick. Screenshot: ``tests/artifacts/demo-explore.png``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, VIEWPORT, shot, wait_chart

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not Path(CHROMIUM).exists():  # pragma: no cover - machines without the browser
    pytest.skip("no /usr/bin/chromium (make browser-deps)", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def results_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from experiments.spec import load_experiment
    from experiments.sweep import run_experiment
    from kyosei.commands.demo import _experiment_file

    root = tmp_path_factory.mktemp("demo-results")
    design = load_experiment(_experiment_file("default_design"))
    small = dataclasses.replace(design, scale=60.0, years=3)
    summary = run_experiment(small, root / "default_design", workers=2, progress=False)
    assert summary.ok == 24
    return root


def test_explore_shows_the_demo_designs_sensitivity(server: str, browser: object) -> None:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    pg.goto(server + "explore")
    chart = wait_chart(pg, "sensitivity")
    time.sleep(1.5)
    assert pg.locator(".kyosei-notice").count() == 0
    names = chart.locator(".xtick text").all_text_contents()  # type: ignore[attr-defined]
    assert names == [
        "相談員1人あたり月間新規受付",
        "民生委員1人あたり世帯数",
        "転出率の倍率",
        "（反復のばらつき）",
    ]
    assert chart.locator(".errorbar").count() >= 3  # type: ignore[attr-defined]
    for name in ("scatter", "heatmap", "advisor", "sensitivity"):
        for axis in ("xtick", "ytick"):
            ticks = pg.locator(f'[data-chart="{name}"] .{axis} text').all_text_contents()
            assert len(ticks) == len(set(ticks)), (name, axis, ticks)
    shot(pg, "demo-explore")
    context.close()
