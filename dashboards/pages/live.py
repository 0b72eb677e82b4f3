"""ワークショップ / Live: the town on a map, played month by month in front of a room.

Play, pause, step and speed; switch any policy component on mid-run; fork the present
into two futures shown side by side with their difference; one-click presets; the
header's big-screen switch enlarges everything. Each browser session has its own
town (a :class:`dashboards.live.LiveTown`), stepped by a background task of the
session so the page stays responsive while it plays.
"""

from __future__ import annotations

import time

import solara
import solara.lab

from .. import state
from ..figures_live import series_figure, town_figure
from ..i18n import t
from ..live import SERIES, LiveTown, component_choices
from ..plot import Chart
from ..widgets import Choice, Notice, town_label

# Workshop towns: (profile, scale). A daily-life area at 1:1 is the reference case.
TOWNS = (("district", 1.0), ("depopulating_village", 1.0), ("small_town", 2.0))
MAX_MONTHS = 12 * 30

live_town: solara.Reactive[LiveTown | None] = solara.reactive(None)
town_choice = solara.reactive("district")
tick = solara.reactive(0)
playing = solara.reactive(False)
speed = solara.reactive(6)
component = solara.reactive("outreach")
target = solara.reactive("b")
build_error = solara.reactive("")


def ensure_town() -> LiveTown | None:
    """The session's town, built on first use (and after a town change or reset)."""
    town = live_town.value
    if town is not None and town.town == town_choice.value:
        return town
    scale = dict(TOWNS).get(town_choice.value, 1.0)
    try:
        town = LiveTown(town_choice.value, scale=scale, seed=1)
    except Exception as exc:  # shown on the page; the session goes on
        build_error.set(f"{type(exc).__name__}: {exc}")
        return None
    build_error.set("")
    live_town.set(town)
    return town


def reset() -> None:
    """Start the chosen town again from month 0."""
    playing.set(False)
    live_town.set(None)
    tick.set(tick.value + 1)


def step_once() -> None:
    """Advance one month."""
    town = ensure_town()
    if town is not None:
        town.step()
        tick.set(tick.value + 1)


def choose_town(name: str) -> None:
    """Switch the workshop to another town (from month 0)."""
    town_choice.set(name)
    reset()


def start_component(town: LiveTown) -> None:
    """Switch the chosen component on, now, in the chosen future."""
    town.start(component.value, target.value)
    tick.set(tick.value + 1)


def toggle_fork(town: LiveTown) -> None:
    """Fork the present into two futures, or go back to one."""
    if town.b is not None:
        town.unfork()
    else:
        town.fork()
    tick.set(tick.value + 1)


def preset(name: str) -> None:
    """One-click scenarios for a room."""
    playing.set(False)
    town = ensure_town()
    if town is None:
        return
    if name == "now":
        reset()
        playing.set(True)
    elif name == "outreach":
        town.unfork()
        town.fork()
        town.start("outreach", "b")
        playing.set(True)
    elif name == "jusou":
        town.unfork()
        town.fork()
        town.start_package("jusou_full", "b")
        playing.set(True)
    tick.set(tick.value + 1)


@solara.component
def LivePage() -> None:
    """The page (see the module docstring)."""
    lang = state.lang.value
    big = state.big_screen.value
    town = ensure_town()

    def play_loop() -> None:
        # Runs in a thread of this session while "playing" is on; each tick re-renders.
        while playing.value:
            current = live_town.value
            if current is None or current.month >= MAX_MONTHS:
                playing.set(False)
                return
            started = time.perf_counter()
            current.step()
            tick.set(tick.value + 1)
            wait = 1.0 / max(1, speed.value) - (time.perf_counter() - started)
            if wait > 0:
                time.sleep(wait)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)
    solara.HTML(tag="h2", unsafe_innerHTML=t("live.title"), style="margin: 8px 0;")
    if build_error.value:
        Notice(t("live.error", reason=build_error.value), kind="error")
    if town is None:
        return
    _ = tick.value  # re-render on every step
    kinds = component_choices()
    labels = {k: (ja if lang == "ja" else en) for k, ja, en in kinds}
    with solara.Row(style="flex-wrap: wrap; gap: 12px; align-items: center;"):
        with solara.Column(style="min-width: 240px;"):
            Choice(
                t("live.town"),
                town_choice.value,
                [(name, town_label(name, lang)) for name, _ in TOWNS],
                choose_town,
                css="kyosei-live-town",
            )
        solara.Button(
            t("live.pause") if playing.value else t("live.play"),
            on_click=lambda: playing.set(not playing.value),
            color="primary",
            classes=["kyosei-live-play"],
            icon_name="mdi-pause" if playing.value else "mdi-play",
        )
        solara.Button(
            t("live.step"), on_click=step_once, classes=["kyosei-live-step"], disabled=playing.value
        )
        solara.Button(t("live.reset"), on_click=reset, classes=["kyosei-live-reset"], text=True)
        with solara.Column(style="min-width: 220px;"):
            solara.SliderInt(
                t("live.speed", n=speed.value), value=speed, min=1, max=20, thumb_label=False
            )
        year, month = town.calendar()
        solara.HTML(
            tag="div",
            unsafe_innerHTML=t("live.month", year=year, month=month),
            classes=["kyosei-live-month"],
            attributes={"data-month": str(town.month)},
            style=f"font-size: {'2.2em' if big else '1.4em'}; font-weight: 700; margin-left: 12px;",
        )
    with solara.Row(style="flex-wrap: wrap; gap: 12px; align-items: center;"):
        solara.Text(t("live.preset") + ":")
        for key, label in (("now", "preset.now"), ("outreach", "preset.outreach"),
                           ("jusou", "preset.jusou")):  # fmt: skip
            solara.Button(
                t(label),
                on_click=lambda key=key: preset(key),
                outlined=True,
                classes=[f"kyosei-preset-{key}"],
            )
    with solara.Row(style="flex-wrap: wrap; gap: 12px; align-items: center;"):
        with solara.Column(style="min-width: 320px;"):
            Choice(
                t("live.intervention"),
                component.value,
                [(k, labels[k]) for k, _, _ in kinds],
                component.set,
                css="kyosei-live-component",
                help=t("live.intervention.help"),
            )
        if town.b is not None:
            with solara.Column(style="min-width: 200px;"):
                Choice(
                    "→",
                    target.value,
                    [("a", t("live.future_a")), ("b", t("live.future_b"))],
                    target.set,
                    css="kyosei-live-target",
                )
        solara.Button(
            t("live.add"),
            on_click=lambda: start_component(town),
            classes=["kyosei-live-add"],
            color="primary",
            outlined=True,
        )
        with solara.Tooltip(t("live.fork.help")):
            solara.Button(
                t("live.unfork") if town.b is not None else t("live.fork"),
                on_click=lambda: toggle_fork(town),
                classes=["kyosei-live-fork"],
                color="secondary",
            )
    snap_a, snap_b = town.snapshots()
    series_a, series_b = town.series()
    active_a = ", ".join(labels.get(k, k) for k in town.active("a")) or t("live.none_active")
    height = 620 if big else 520
    if snap_b is None:
        with solara.Columns([3, 2]):
            with solara.Column():
                solara.Text(f"{t('live.active')}: {active_a}", classes=["kyosei-live-active"])
                Chart(town_figure(snap_a, lang, big=big), name="town-a", height=height)
            Chart(
                series_figure(series_a, None, list(SERIES), lang, big=big),
                name="live-series",
                height=height,
            )
    else:
        active_b = ", ".join(labels.get(k, k) for k in town.active("b")) or t("live.none_active")
        with solara.Columns([1, 1]):
            with solara.Column():
                solara.Text(f"{t('live.active')}: {active_a}")
                Chart(
                    town_figure(snap_a, lang, title=t("live.future_a"), big=big),
                    name="town-a",
                    height=height,
                )
            with solara.Column():
                solara.Text(f"{t('live.active')}: {active_b}", classes=["kyosei-live-active-b"])
                Chart(
                    town_figure(snap_b, lang, title=t("live.future_b"), big=big),
                    name="town-b",
                    height=height,
                )
        Chart(
            series_figure(series_a, series_b, list(SERIES[:2]), lang, big=big),
            name="live-series",
            height=560,
        )
