"""ワークショップ / Live: the town on a map, played month by month in front of a room.

Play, pause, step and speed; switch any policy component on mid-run at a size in its own
unit (a real programme's size by default); fork the present into two futures shown side
by side with their difference; one-click presets that stop at their stated length; the
header's big-screen switch enlarges everything and the charts fit the window.

The town is the server's one :data:`dashboards.live.SESSION`, shared by every tab: a
reload rejoins it with its month and policies, and a second tab can follow it read-only
to mirror the projector. Its play loop runs in a background thread at the town's own
pace; this page draws the month the town has reached whenever the browser asks for a
frame (``live_ticker.vue``, once it has drawn the last one), so the page never falls
behind, the months between are dropped for the maps, and nothing waits for the loop's
lock. The play button (``live_play.vue``) says which month the tab shows, and a pause
stops the town there.
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import solara

from .. import live as _live
from .. import state
from ..figures_live import LIVE_STATE_STYLE, REACHED_COLOUR, series_figure, town_figure
from ..i18n import t, tr
from ..live import SERIES, SPEEDS, Frame, frame_series, note_difference
from ..widgets import Choice, Notice, town_label

# Workshop towns: (profile, scale). A daily-life area at 1:1 is the reference case.
TOWNS = (("district", 1.0), ("depopulating_village", 1.0), ("small_town", 2.0))
MAX_MONTHS = _live.MAX_MONTHS
# Components whose intensity the room reads in another unit than the model's: factor.
DISPLAY_FACTOR = {"funding": 10_000.0}  # yen a year, shown in 万円 (10,000 yen)
WAIT_S = 0.12  # how long an answer to the browser may wait for the next month
# A playing tab asks for a frame at most this often (ms): four frames a second show the
# town moving, and a browser drawing faster only takes the cores from the town.
FRAME_MS = 250

component = solara.reactive("outreach")
intensities: solara.Reactive[dict[str, float]] = solara.reactive({})
target = solara.reactive("b")
follow = solara.reactive(False)  # this tab only watches (mirrors the projector)
shown = solara.reactive(0)  # version of the frame this tab draws
reply = solara.reactive(0)  # answers the browser's last request for a frame
viewport = solara.reactive((0, 0, 0))  # window width, height, top of the maps (px)
control_rev = solara.reactive(0)  # re-draws the controls when the shared state changed
seen_state: solara.Reactive[tuple[Any, ...]] = solara.reactive(())
speed_choice = solara.reactive(_live.DEFAULT_SPEED)
show_policies = solara.reactive(False)  # big screen: the policies' row unfolded


def session() -> _live.LiveSession:
    """The shared live session (looked up each time, so tests can replace it)."""
    return _live.SESSION


def ensure_town() -> _live.LiveTown | None:
    """The shared town, built on first use."""
    current = session().town
    if current is not None:
        return current
    return session().ensure(TOWNS[0][0], TOWNS[0][1])


def _state_key() -> tuple[Any, ...]:
    s = session()
    town = s.town
    frame = town.frame if town is not None else None
    return (
        s.playing,
        s.stopped_idle,
        s.error,
        town.town if town is not None else "",
        frame.b is not None if frame is not None else False,
        len(frame.markers) if frame is not None else 0,
    )


def refresh() -> None:
    """Show the latest frame now and re-draw the controls (after a command)."""
    frame = session().frame()
    if frame is not None and frame.version != shown.value:
        shown.set(frame.version)
    key = _state_key()
    if key != seen_state.value:
        seen_state.set(key)
        control_rev.set(control_rev.value + 1)


def toggle_play(shown_month: int | None = None, was_playing: bool | None = None) -> None:
    """Play or pause the shared town.

    ``shown_month`` is the month the clicking tab shows: a pause stops the town there.
    ``was_playing`` is what the tab showed (a click on 「一時停止」 pauses even if the
    town has just stopped by itself).
    """
    s = session()
    playing = s.playing if was_playing is None else was_playing
    if playing:
        s.pause(at=shown_month)
    else:
        ensure_town()
        s.play()
    refresh()


def step_once() -> None:
    """Advance one month."""
    ensure_town()
    session().step()
    refresh()


def set_speed(value: int) -> None:
    """Months a second the shared town plays at most."""
    session().speed = int(value)


def reset() -> None:
    """Start the town again from month 0."""
    town = ensure_town()
    if town is not None:
        session().reset(town.town, town.scale)
    refresh()


def choose_town(name: str) -> None:
    """Switch the workshop to another town (from month 0)."""
    session().reset(name, dict(TOWNS).get(name, 1.0))
    refresh()


def intensity_of(kind: str) -> float:
    """The intensity chosen for ``kind`` in the model's unit (its declared default at first)."""
    cls = _live.REGISTRY[kind]
    shown_value = intensities.value.get(kind)
    if shown_value is None:
        return float(cls.default_intensity)
    return float(shown_value) * DISPLAY_FACTOR.get(kind, 1.0)


def set_intensity(kind: str, value: float) -> None:
    """Remember the intensity the room chose for ``kind`` (in the shown unit)."""
    intensities.set({**intensities.value, kind: float(value)})


def start_component() -> None:
    """Switch the chosen component on, now, in the chosen future, at the chosen size."""
    town = ensure_town()
    if town is None:
        return
    future = target.value if town.b is not None else "a"
    town.start(component.value, future, intensity_of(component.value))
    refresh()


def toggle_fork() -> None:
    """Fork the present into two futures, or go back to one."""
    town = ensure_town()
    if town is None:
        return
    if town.b is not None:
        town.unfork()
    else:
        town.fork()
        target.set("b")
    refresh()


def preset(name: str) -> None:
    """One-click scenarios for a room; each plays :data:`PRESET_MONTHS` from the click."""
    s = session()
    town = ensure_town()
    if town is None:
        return
    s.pause()
    if name == "now":
        s.reset(town.town, town.scale)
    elif name == "outreach":
        town.unfork()
        town.fork()
        town.start("outreach", "b")  # at its declared default intensity
    elif name == "jusou":
        town.unfork()
        town.fork()
        town.start_package("jusou_full", "b")
    s.play(until=town.month + _live.PRESET_MONTHS)
    target.set("b")
    refresh()


def component_name(kind: str, lang: str | None = None) -> str:
    """A component's plain name (in the session's language unless ``lang``)."""
    return tr(f"comp.{kind}", lang or state.lang.value)


def short_name(kind: str, lang: str | None = None) -> str:
    """A component's name in two or three words."""
    return tr(f"comp.{kind}.short", lang or state.lang.value)


def future_name(frame: Frame, future: str, lang: str | None = None) -> str:
    """The name of a future as its state says: 「このまま」 only while nothing acts."""
    lang = lang or state.lang.value
    active = frame.active_b if future == "b" else frame.active_a
    kinds = list(dict.fromkeys(k for k, _ in active))
    what = (
        tr("live.with_one", lang, name=short_name(kinds[0], lang))
        if len(kinds) == 1
        else tr("live.with_many", lang, n=len(kinds))
    )
    if frame.b is None:
        return tr("live.town_a.with", lang, what=what) if kinds else tr("live.town_a", lang)
    if future == "a":
        if kinds:
            return tr("live.future_a.with", lang, what=what)
        return tr("live.future_a.plain", lang)
    if kinds:
        return tr("live.future_b.with", lang, what=what)
    return tr("live.future_b.none", lang)


def _dumps(fig: dict[str, Any]) -> str:
    return json.dumps(fig, separators=(",", ":")).replace("NaN", "null")  # JSON has no NaN


# Charts built, by what they show: (the frame, whether its lines are its own, the JSON).
# A frame that a pause returns to is a new publication of an old frame (same maps, same
# lines): its charts are found here, not built again. The frame is held with its charts,
# so the ids in the key stay its snapshots' own.
_FIGURES: dict[tuple[Any, ...], tuple[Frame, bool, dict[str, str]]] = {}
_FIGURES_LOCK = threading.Lock()
_SERIES_LAST: dict[tuple[Any, ...], tuple[float, str]] = {}
SERIES_EVERY_S = 0.5


def figures_json(
    frame: Frame, lang: str, big: bool, height: int, playing: bool = False
) -> dict[str, str]:
    """The frame's charts as JSON strings by chart name (built once per frame and style).

    Built when a tab asks for the frame (only the frames a tab draws are built); a
    second tab with the same style, or the same month shown again after a pause, gets
    the same strings.
    """
    key = (
        id(frame.a),
        id(frame.b),
        frame.month,
        len(frame.series_a.get("month", ())),
        frame.markers,
        frame.active_a,
        frame.active_b,
        lang,
        big,
        height,
    )
    with _FIGURES_LOCK:
        done = _FIGURES.get(key)
    if done is not None and (done[1] or playing):  # paused, the lines must be this month's
        return done[2]
    # While playing, the lines are redrawn at most every SERIES_EVERY_S seconds: a line
    # chart costs a browser several times a map's time, and a few months' more line
    # can wait (the maps and the month show every frame).
    shape = (lang, big, height, frame.b is None, len(frame.markers), frame.town)
    last = _SERIES_LAST.get(shape)
    now = time.monotonic()
    reuse = playing and last is not None and now - last[0] < SERIES_EVERY_S
    legend = map_legend(big, height)
    dot = max(4.0, min(10.0 if big else 8.0, height / 60.0))  # marks shrink with the map
    labels = {k: short_name(k, lang) for k in _live.REGISTRY}
    names = (future_name(frame, "a", lang), future_name(frame, "b", lang))
    metrics = list(SERIES) if frame.b is None else list(SERIES[:2])
    if reuse and last is not None:
        series_json = last[1]
    else:
        series_a = frame_series(frame.series_a)
        series_b = frame_series(frame.series_b) if frame.series_b is not None else None
        series_json = _dumps(
            series_figure(
                series_a,
                series_b,
                metrics,
                lang,
                big=big,
                markers=frame.markers,
                names=names,
                marker_labels=labels,
            )
        )
        _SERIES_LAST[shape] = (now, series_json)
    out = {
        "town-a": _dumps(
            town_figure(frame.a, lang, title=names[0], big=big, legend=legend, dot=dot)
        ),
        "live-series": series_json,
    }
    if frame.b is not None:
        out["town-b"] = _dumps(town_figure(frame.b, lang, title=names[1], big=big, legend=legend))
    with _FIGURES_LOCK:
        if len(_FIGURES) > 8:
            _FIGURES.clear()
        _FIGURES[key] = (frame, not (reuse and last is not None), out)
    return out


def _nice_step(value: float) -> float:
    """A round slider step near a quarter of the default."""
    raw = max(value / 4.0, 1e-9)
    base = 10 ** math.floor(math.log10(raw))
    return min((m * base for m in (0.5, 1.0, 2.0, 2.5, 5.0, 10.0)), key=lambda s: abs(s - raw))


def intensity_control(kind: str) -> None:
    """A slider for ``kind``'s size in its own (shown) unit, starting at its default."""
    cls = _live.REGISTRY[kind]
    factor = DISPLAY_FACTOR.get(kind, 1.0)
    default = cls.default_intensity / factor
    lo, hi = (v / factor for v in cls.intensity_range)
    top = min(hi, max(4 * default, 1.0))
    value = intensities.value.get(kind, default)
    solara.SliderFloat(
        t("live.intensity", unit=t(f"comp.{kind}.unit"), value=f"{value:g}"),
        value=value,
        min=max(lo, 0.0),
        max=top,
        step=_nice_step(default),
        on_value=lambda v: set_intensity(kind, v),
        thumb_label=False,
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=t("live.intensity.help", default=f"{default:g}"),
        style="font-size: 0.8em; color: #555;",
    )


@solara.component_vue("../live_chart.vue")
def _LiveChart(spec_json: str, name: str, height: int) -> None: ...


def LiveChart(spec_json: str, name: str, height: int) -> solara.Element:
    """A live figure, sent as one JSON string (see ``live_chart.vue``).

    A plain function, not a component: the element holds only the string, which the
    renderer does not walk number by number.
    """
    return _LiveChart(spec_json=spec_json, name=name, height=height)


@solara.component_vue("../live_ticker.vue")
def _Ticker(
    reply: int,
    month: int,
    interval: int,
    min_period: int,
    event_poll: Callable[[dict[str, Any]], None],
) -> None: ...


@solara.component_vue("../live_play.vue")
def _PlayButton(
    label_play: str,
    label_pause: str,
    playing: bool,
    event_press: Callable[[dict[str, Any]], None],
) -> None: ...


@solara.component_vue("../live_month.vue")
def _Month(text: str, month: int, playing: bool, box_style: str) -> None: ...


def PlayButton(playing: bool) -> solara.Element:
    """Play / pause; a click sends the month the tab shows (see ``live_play.vue``)."""

    def on_press(data: dict[str, Any]) -> None:
        month = data.get("month")
        shown_month = int(month) if isinstance(month, int | float) and month >= 0 else None
        toggle_play(shown_month, bool(data.get("playing", playing)))

    return _PlayButton(
        label_play=t("live.play"),
        label_pause=t("live.pause"),
        playing=playing,
        event_press=on_press,
    )


@solara.component
def Ticker(month: int, viewer: str) -> None:
    """Answers the browser's requests for frames (see ``live_ticker.vue``)."""

    def on_poll(data: dict[str, Any]) -> None:
        s = session()
        with s.serving(viewer, int(data.get("drawn", -1))):
            vp = (int(data.get("vw", 0)), int(data.get("vh", 0)), int(data.get("top", 0)))
            if any(abs(a - b) > 4 for a, b in zip(vp, viewport.value, strict=True)):
                viewport.set(vp)
            if s.playing:
                s.wait_frame(shown.value, WAIT_S)
            refresh()
            reply.set(reply.value + 1)  # always a change: the browser hears every answer

    _Ticker(
        reply=reply.value,
        month=month,
        interval=0 if session().playing else 250,
        min_period=FRAME_MS if session().playing else 0,
        event_poll=on_poll,
    )


def map_legend(big: bool, height: int) -> bool:
    """Whether the maps keep their own legends (with counts) at this height."""
    return not big or height >= 640


def html_legend(lang: str) -> str:
    """The maps' marks in one line (for a projector short of height)."""
    parts = [
        f'<span style="color: {colour}">{GLYPHS[symbol]}</span> {tr("state." + name, lang)}'
        for name, (colour, symbol) in LIVE_STATE_STYLE.items()
    ]
    parts += [
        f'<span style="color: #000">◯</span> {tr("map.changed", lang)}',
        f'<span style="color: {REACHED_COLOUR}">◎</span> {tr("map.reached", lang)}',
        f'<span style="color: #009e73">★</span> {tr("map.opened", lang)}',
        f'<span style="color: #d55e00">✕</span> {tr("map.closed", lang)}',
    ]
    return " &nbsp; ".join(parts)


GLYPHS = {"circle": "●", "circle-open": "○", "triangle-up": "▲", "square": "■", "diamond": "◆"}


def _heights(big: bool) -> int:
    """Height of the maps and lines: what is left of the window below the maps' top."""
    _vw, vh, top = viewport.value
    if vh <= 0 or top <= 0:
        return 620 if big else 520
    return int(max(160, min(1100, vh - top - 40)))  # the page's own bottom padding


@solara.component
def LiveView(viewer: str) -> None:
    """The month, the maps and the lines of the latest frame (re-drawn frame by frame)."""
    lang = state.lang.value
    big = state.big_screen.value
    _ = shown.value  # re-draw when the browser asked for (and got) a newer frame
    frame = session().frame()
    if frame is None:
        return
    height = _heights(big)
    year, month = frame.calendar
    s = session()
    with solara.Row(style="align-items: baseline; gap: 16px; flex-wrap: wrap;"):
        _Month(
            text=t("live.month", year=year, month=month),
            month=frame.month,
            playing=s.playing,
            box_style=f"font-size: {'2.2em' if big else '1.5em'}; font-weight: 700;",
        )
        if big and s.stopped_idle:  # in the month's line: a notice box would squeeze the maps
            solara.Text(
                t("live.stopped_idle"),
                classes=["kyosei-notice"],
                style="color: #0b4f7a; font-size: 0.9em;",
            )
        if s.stop_at < MAX_MONTHS and s.stop_at > frame.month:
            stop_year, stop_month = s.town.a.calendar(s.stop_at) if s.town else (0, 0)
            solara.Text(t("live.stops_at", year=stop_year, month=stop_month))
        note = note_difference(frame)
        if note is not None:
            note_text = t(
                "live.note",
                year=int(note["year"]),
                month=int(note["calendar_month"]),
                people=f"{note['people']:+,.0f}",
                points=f"{note['share'] * 100:+.2f}",
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=note_text,
                classes=["kyosei-live-note"],
                attributes={
                    "data-fork-month": str(frame.fork_month),
                    "data-share": repr(note["share"]),
                    "data-people": repr(note["people"]),
                    "title": note_text,
                },
                # one line on a projector (the whole note shows on hover)
                style="font-weight: 600; color: #0b4f7a; font-size: 0.85em; max-width: 72em;"
                + (
                    " white-space: nowrap; overflow: hidden; text-overflow: ellipsis;"
                    if big
                    else ""
                ),
            )
        elif frame.b is not None:
            solara.Text(t("live.note.wait"), style="color: #555; font-size: 0.85em;")
        solara.Text(
            t("live.sample", n=f"{len(frame.a.xy):,}", total=f"{frame.a.population:,}"),
            style="color: #555; font-size: 0.85em;",
        )
    chart_height = height - (0 if big else 30)
    if not map_legend(big, chart_height):
        # Too little height for the maps' own legends: one line of symbols for both.
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html_legend(lang),
            classes=["kyosei-live-legend"],
            style="font-size: 0.8em; white-space: nowrap; overflow: hidden;",
        )
    Ticker(month=frame.month, viewer=viewer)
    figs = figures_json(frame, lang, big, chart_height, playing=s.playing)

    def policy_line(active: tuple[tuple[str, float], ...], css: str) -> None:
        if big:  # on the projector the map's title names the future's policies
            return
        text = ", ".join(component_name(k) for k, _ in active) or t("live.none_active")
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"{t('live.active')}: {text}",
            classes=[css],
            attributes={"title": text},
            # one line whatever the list: the two maps stay aligned
            style="white-space: nowrap; overflow: hidden; text-overflow: ellipsis;"
            " height: 1.6em; line-height: 1.6em;",
        )

    def spacer() -> None:
        if not big:
            solara.HTML(tag="div", unsafe_innerHTML="&nbsp;", style="height: 1.6em;")

    if frame.b is None:
        with solara.Columns([3, 2]):
            with solara.Column(style="min-width: 0;"):
                policy_line(frame.active_a, "kyosei-live-active")
                LiveChart(figs["town-a"], "town-a", chart_height)
            with solara.Column(style="min-width: 0;"):
                spacer()
                LiveChart(figs["live-series"], "live-series", chart_height)
        return
    with solara.Columns([1, 1, 1]):
        with solara.Column(style="min-width: 0;"):
            policy_line(frame.active_a, "kyosei-live-active")
            LiveChart(figs["town-a"], "town-a", chart_height)
        with solara.Column(style="min-width: 0;"):
            policy_line(frame.active_b, "kyosei-live-active-b")
            LiveChart(figs["town-b"], "town-b", chart_height)
        with solara.Column(style="min-width: 0;"):
            spacer()
            LiveChart(figs["live-series"], "live-series", chart_height)


def town_choice(town: _live.LiveTown, lang: str) -> None:
    """The town picker (plain names)."""
    with solara.Column(style="min-width: 220px; max-width: 260px;"):
        Choice(
            t("live.town"),
            town.town,
            [(name, town_label(name, lang)) for name, _ in TOWNS],
            choose_town,
            css="kyosei-live-town",
        )


@solara.component
def Controls(town: _live.LiveTown) -> None:
    """Play, presets, policies and the fork (hidden in a tab that only watches)."""
    _ = control_rev.value  # its own dependency: a component is not re-run with its parent
    lang = state.lang.value
    s = session()
    frame = town.frame
    big = state.big_screen.value
    with solara.Row(style="flex-wrap: wrap; gap: 10px; align-items: center;"):
        if not big:
            town_choice(town, lang)
        PlayButton(s.playing)
        solara.Button(
            t("live.step"), on_click=step_once, classes=["kyosei-live-step"], disabled=s.playing
        )
        solara.Button(t("live.reset"), on_click=reset, classes=["kyosei-live-reset"], text=True)
        with solara.Column(style="min-width: 200px;", classes=["kyosei-live-speed"]):
            if speed_choice.value != s.speed:
                speed_choice.set(s.speed)  # another tab changed it
            solara.SliderInt(
                t("live.speed", n=speed_choice.value),
                value=speed_choice,
                min=SPEEDS[0],
                max=SPEEDS[1],
                on_value=set_speed,
                thumb_label=False,
            )
        stop_year, stop_month = town.a.calendar(town.month + _live.PRESET_MONTHS)
        solara.Text(t("live.preset") + ":")
        for key, label in (("now", "preset.now"), ("outreach", "preset.outreach"),
                           ("jusou", "preset.jusou")):  # fmt: skip
            with solara.Tooltip(t("preset.help", year=stop_year, month=stop_month)):
                solara.Button(
                    t(label),
                    on_click=lambda key=key: preset(key),
                    outlined=True,
                    classes=[f"kyosei-preset-{key}"],
                )
        if big:  # the policies' row folds away on a projector: the maps need the height
            solara.Button(
                t("live.policies.hide") if show_policies.value else t("live.policies.show"),
                on_click=lambda: show_policies.set(not show_policies.value),
                outlined=True,
                classes=["kyosei-live-policies"],
            )
        solara.Button(
            t("live.follow"),
            on_click=lambda: follow.set(True),
            text=True,
            classes=["kyosei-live-follow"],
        )
    kind = component.value
    future = target.value if frame.b is not None else "a"
    running = any(k == kind for k, _ in (frame.active_b if future == "b" else frame.active_a))
    if big and not show_policies.value:
        return
    with solara.Row(style="flex-wrap: wrap; gap: 10px; align-items: center;"):
        if big:
            town_choice(town, lang)
        with solara.Column(style="min-width: 300px; max-width: 380px;"):
            Choice(
                t("live.intervention"),
                kind,
                [(k, component_name(k)) for k in sorted(_live.REGISTRY)],
                component.set,
                css="kyosei-live-component",
            )
        with solara.Column(
            style="min-width: 260px; max-width: 360px;", classes=["kyosei-live-intensity"]
        ):
            intensity_control(kind)
        if frame.b is not None:
            with solara.Column(style="min-width: 200px; max-width: 260px;"):
                Choice(
                    t("live.target"),
                    target.value,
                    [("a", future_name(frame, "a")), ("b", future_name(frame, "b"))],
                    target.set,
                    css="kyosei-live-target",
                )
        solara.Button(
            t("live.change") if running else t("live.add"),
            on_click=start_component,
            classes=["kyosei-live-add"],
            color="primary",
            outlined=True,
        )
        with solara.Tooltip(t("live.fork.help")):
            solara.Button(
                t("live.unfork") if frame.b is not None else t("live.fork"),
                on_click=toggle_fork,
                classes=["kyosei-live-fork"],
                color="secondary",
            )


@solara.component
def LivePage() -> None:
    """The page (see the module docstring)."""
    big = state.big_screen.value
    viewer = solara.use_memo(lambda: uuid.uuid4().hex, dependencies=[])
    _ = control_rev.value  # re-draw the controls when the shared state changed
    town = ensure_town()
    s = session()
    if not big:
        solara.HTML(tag="h2", unsafe_innerHTML=t("live.title"), style="margin: 4px 0;")
    if s.error:
        Notice(t("live.error", reason=s.error), kind="error")
    if town is None:
        return
    if s.stopped_idle and not big:  # the big screen says it in the month's line
        Notice(t("live.stopped_idle"), kind="info")
    if follow.value:
        with solara.Row(style="gap: 12px; align-items: center;"):
            solara.Text(t("live.following"), classes=["kyosei-live-following"])
            with solara.Tooltip(t("live.follow.help")):
                solara.Button(
                    t("live.control"),
                    on_click=lambda: follow.set(False),
                    outlined=True,
                    classes=["kyosei-live-steer"],
                )
    else:
        Controls(town)
    LiveView(viewer)
