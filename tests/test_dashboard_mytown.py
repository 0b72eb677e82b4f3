"""私の町 in a real headless Chromium: fill the form, refuse a bad value, save, run, compare.

The form's files are checked as the loader reads them (the town's population, the
converted counts, the uploaded age table, the package's intensities and start years).
Screenshots of every step go to ``tests/artifacts/mytown-*.png``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios import load_policy, load_town
from tests.browser import CHROMIUM, VIEWPORT, shot, wait_chart

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not Path(CHROMIUM).exists():  # pragma: no cover - machines without the browser
    pytest.skip("no /usr/bin/chromium (make browser-deps)", allow_module_level=True)
pytest.importorskip("playwright.sync_api")

AGES = Path(__file__).resolve().parents[1] / "scenarios" / "towns" / "akita_like_ages.csv"


@pytest.fixture(scope="module")
def results_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mytown-results")


def fill(pg: object, field: str, value: str) -> None:
    """Type ``value`` into the form's text field ``field`` (its key, dots as dashes)."""
    pg.locator(f".kyosei-form-{field} input").fill(value)  # type: ignore[attr-defined]


def test_fill_save_run_compare(server: str, browser: object, results_root: Path) -> None:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(90_000)
    pg.goto(server + "town")
    pg.locator(".kyosei-form-save").wait_for()
    # The age table first: its residents (30,000) become the population, then ours (6,000).
    pg.locator(".kyosei-csv-input input[type=file]").set_input_files(str(AGES))
    pg.locator(".kyosei-csv-name").filter(has_text="akita_like_ages.csv").wait_for()
    population = pg.locator(".kyosei-form-town-population input")
    pg.wait_for_function("(e) => e.value === '30000'", arg=population.element_handle())
    fill(pg, "name", "minamimachi")
    fill(pg, "label", "南町")
    for field, value in {
        "town-population": "6000",
        "town-households": "2600",
        "town-districts": "2",
        "town-annual_change_target": "-2.0",  # the older age table: more deaths
        "staff-care": "3",  # 包括 1 か所
        "staff-disability": "1",
        "staff-child": "1",
        "staff-hardship": "0.5",
        "venues-salon": "12",
        "venues-kayoi": "8",
        "venues-kodomo": "1",
        "venues-cafe": "0",
        "venues-hub": "0",
        "minsei_posts": "13",
        "comp-outreach-intensity": "3",
        "comp-outreach-year": "2025",
        "run-replicates": "2",
        "run-years": "2",
        "run-scale": "20",
    }.items():
        fill(pg, field, value)
    # Only outreach and one-stop consultation: untick the rest of the full package.
    for kind in ("community_building", "platform", "cafe_agreement", "funding", "multi_agency",
                 "participation"):  # fmt: skip
        pg.locator(f".kyosei-form-comp-{kind} label").click()
    shot(pg, "mytown-filled")

    # A bad value: a readable notice naming the field, as the TOML loader words it; no file.
    fill(pg, "venues-salon", "12.5")
    pg.locator(".kyosei-form-save").click()
    notice = pg.locator(".kyosei-mytown .kyosei-notice")
    notice.filter(has_text="サロン").wait_for()
    text = notice.text_content()
    for part in ("値を確認してください", "'12.5'", "whole number"):
        assert part in text, text
    assert "Traceback" not in text
    assert not (results_root / "towns" / "minamimachi.toml").exists()
    shot(pg, "mytown-bad-value")
    fill(pg, "venues-salon", "12")

    # Save: the files load as the form said.
    pg.locator(".kyosei-form-save").click()
    pg.locator(".kyosei-mytown .kyosei-notice").filter(has_text="保存しました").wait_for()
    town = load_town(results_root / "towns" / "minamimachi.toml")
    assert (town.town.population, town.town.households, town.town.districts) == (6000, 2600, 2)
    assert (town.town.label_ja, town.town.annual_change_target) == ("南町", -2.0)
    assert town.support.staff_per_20k == pytest.approx((10.0, 10 / 3, 10 / 3, 5 / 3), abs=1e-3)
    assert town.venues.per_100k == pytest.approx((200.0, 400 / 3, 50 / 3, 0.0, 0.0), abs=1e-3)
    assert town.minsei.households_per_post == pytest.approx(200.0)
    assert Path(town.town.age_table).name == "minamimachi-ages.csv"
    package = load_policy(results_root / "towns" / "minamimachi-package.toml")
    assert {s.kind: (s.intensity, s.start_month) for s in package.interventions} == {
        "one_stop": (2.0, 12),
        "outreach": (3.0, 12),
    }
    shot(pg, "mytown-saved")

    # Run and compare: the Compare page opens the new set, the town's package beside baseline.
    pg.locator(".kyosei-form-run").click()
    pg.locator(".kyosei-form-compare").wait_for(timeout=240_000)
    shot(pg, "mytown-run-done")
    assert "失敗" not in pg.locator(".kyosei-mytown").text_content()
    pg.locator(".kyosei-form-compare").click()
    wait_chart(pg, "bands")
    pg.locator(".kyosei-set").filter(has_text="minamimachi").wait_for()
    pg.locator(".kyosei-arms").filter(has_text="南町の施策").wait_for()
    shot(pg, "mytown-compare")
    context.close()


def test_a_file_the_page_did_not_write_is_never_replaced(
    server: str, browser: object, results_root: Path
) -> None:
    mine = results_root / "towns" / "kitamachi.toml"
    mine.parent.mkdir(exist_ok=True)
    mine.write_text('base = "small_town"\n', encoding="utf-8")
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(server + "town")
    fill(pg, "name", "kitamachi")
    pg.locator(".kyosei-form-save").click()
    pg.locator(".kyosei-mytown .kyosei-notice").filter(has_text="保存できませんでした").wait_for()
    assert mine.read_text(encoding="utf-8") == 'base = "small_town"\n'
    shot(pg, "mytown-refused")
    context.close()
