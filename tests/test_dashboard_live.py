"""The workshop's live town without a browser: controls, the play loop, frames and words.

One district town (≈ 20k residents at 1:1) is built per module; each test restarts it
(a copy of month 0, no rebuild). The play loop's timing tests run the real thread.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator

import ipyvuetify as v
import numpy as np
import pytest
import solara

from dashboards import live as L
from dashboards import state
from dashboards.figures_live import series_figure, town_figure
from model.interventions import REGISTRY


@pytest.fixture(scope="module")
def built() -> L.LiveTown:
    return L.LiveTown("district", 1.0, seed=1)


@pytest.fixture
def town(built: L.LiveTown) -> L.LiveTown:
    built.restart()
    return built


@pytest.fixture
def session(town: L.LiveTown, monkeypatch: pytest.MonkeyPatch) -> Iterator[L.LiveSession]:
    s = L.LiveSession(idle_s=5.0)
    s.town = town
    monkeypatch.setattr(L, "SESSION", s)
    state.lang.set("ja")
    state.big_screen.set(False)
    from dashboards.pages import live

    live.follow.set(False)
    live.intensities.set({})
    live.component.set("outreach")
    yield s
    s.pause()


def _watch(s: L.LiveSession, stop: threading.Event, viewer: str = "tab") -> threading.Thread:
    """A tab that draws every month at once (as fast as the browser could)."""

    def run() -> None:
        while not stop.is_set():
            town = s.town
            s.seen(viewer, town.month if town is not None else -1)
            time.sleep(0.005)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _until(done: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for ``done`` (a slow machine plays slower; the tests judge what, not when)."""
    deadline = time.monotonic() + timeout
    while not done() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert done()


class SlowTab:
    """A tab as the browser runs it: ask for a frame, draw it for ``draw_s``, ask again.

    ``log`` keeps (town month when asked, frame drawn) per frame. "When asked" is the
    tab's first ask since its last frame: an ask that times out (0.12 s, as the page's
    ``WAIT_S``) leaves the request standing, and the loop publishes the month it reaches
    for it, which the next ask then gets at once.
    """

    def __init__(self, s: L.LiveSession, draw_s: float = 0.15) -> None:
        self.s = s
        self.draw_s = draw_s
        self.stop = threading.Event()
        self.log: list[tuple[int, L.Frame]] = []
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    @property
    def shown(self) -> L.Frame | None:
        return self.log[-1][1] if self.log else None

    def run(self) -> None:
        version = -1
        asked: int | None = None
        while not self.stop.is_set():
            town = self.s.town
            if asked is None:
                asked = town.month if town is not None else -1
            frame = self.s.wait_frame(version, 0.12)
            if frame is not None and frame.version > version:
                version = frame.version
                self.log.append((asked, frame))
                asked = None
                self.s.seen("slow-tab", frame.month)
            time.sleep(self.draw_s)  # the browser draws the frame

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)


def test_a_started_component_runs_at_its_declared_default(town: L.LiveTown) -> None:
    town.fork()
    town.start("outreach", "b")
    (iv,) = [iv for iv in town.b.interventions if iv.kind == "outreach"]  # type: ignore[union-attr]
    assert iv.intensity == REGISTRY["outreach"].default_intensity == 2.0
    assert town.frame.active_b == (("outreach", 2.0),)
    assert town.frame.active_a == ()


def test_the_intensity_control_starts_at_the_default_in_the_shown_unit(
    session: L.LiveSession,
) -> None:
    from dashboards.pages import live

    for kind, cls in REGISTRY.items():
        assert live.intensity_of(kind) == cls.default_intensity
    live.set_intensity("funding", 500.0)  # shown in 万円
    assert live.intensity_of("funding") == 5_000_000.0
    live.set_intensity("outreach", 4.0)
    live.start_component()  # unforked: into the one town
    assert session.town is not None
    assert session.town.frame.active_a == (("outreach", 4.0),)


def test_starting_twice_lists_a_component_once(town: L.LiveTown) -> None:
    town.start("outreach", "a")
    town.start("outreach", "a")
    assert town.active("a") == ["outreach"]
    town.step()
    town.start("outreach", "a", 6.0)  # another size: the running one ends, the new starts
    assert town.frame.active_a == (("outreach", 6.0),)
    ended = next(iv for iv in town.a.interventions if iv.kind == "outreach")
    assert ended.spec.end_month == 1


def test_presets_stop_at_their_stated_length(session: L.LiveSession) -> None:
    from dashboards.pages import live

    live.preset("now")
    assert session.stop_at == L.PRESET_MONTHS == 240
    session.pause()
    # The loop itself stops at the stop month (3 months here, to keep the test short).
    stop = threading.Event()
    _watch(session, stop)
    session.play(until=3)
    deadline = time.monotonic() + 10
    while session.playing and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    assert not session.playing
    assert session.town is not None
    assert session.town.month == 3


def test_pause_stops_the_town_at_the_month_the_tab_shows(session: L.LiveSession) -> None:
    assert session.town is not None
    session.town.fork()
    session.speed = L.SPEEDS[1]
    tab = SlowTab(session)
    session.play()
    _until(lambda: tab.shown is not None and tab.shown.month >= 5)  # it plays
    shown = tab.shown
    assert shown is not None
    started = time.perf_counter()
    session.pause(at=shown.month)  # the month the tab shows at the click
    took = time.perf_counter() - started
    tab.close()
    town = session.town
    frame = session.frame()
    assert frame is not None
    # Exactly there: the tab's frame was kept, even when the town was only one month on.
    assert town.month == shown.month
    assert frame.month == town.month  # the display shows where the town stopped
    assert town.b is not None
    assert town.b.month == town.month
    assert len(frame.series_a["month"]) == town.month + 1  # the lines end there too
    time.sleep(0.3)
    assert session.town.month == town.month  # stopped
    print(f"pause answered in {took:.3f} s at month {town.month} (tab showed {shown.month})")


def test_the_town_plays_at_its_own_pace_and_a_tab_draws_the_latest_month(
    session: L.LiveSession,
) -> None:
    session.speed = L.SPEEDS[1]
    tab = SlowTab(session, draw_s=0.3)  # a slow browser: a few frames a second
    session.play()
    _until(lambda: len(tab.log) >= 4)
    session.pause()
    tab.close()
    assert session.town is not None
    drawn = [frame for _, frame in tab.log]
    assert len(drawn) >= 3
    # Each frame drawn is the month the town had reached when the tab began asking for
    # it, or later: never one older than that (a queued or cached frame).
    assert all(frame.month >= asked for asked, frame in tab.log)
    months = [frame.month for frame in drawn]
    assert months == sorted(months)
    # The town did not wait for the slow tab: months were dropped for the display ...
    assert session.town.month > len(drawn) + 1
    assert max(b - a for a, b in itertools.pairwise(months)) > 1
    # ... but the lines got every month's values.
    last = drawn[-1]
    assert last.series_a["month"] == [float(m) for m in range(last.month + 1)]


@pytest.mark.slow
def test_a_paused_and_resumed_town_has_the_outputs_of_one_never_paused(
    session: L.LiveSession,
) -> None:
    town = session.town
    assert town is not None
    town.fork()
    town.start("outreach", "b")
    session.speed = L.SPEEDS[1]
    tab = SlowTab(session, draw_s=0.2)
    session.play()
    _until(lambda: tab.shown is not None and tab.shown.month >= 4)
    shown = tab.shown
    assert shown is not None
    session.pause(at=shown.month)
    tab.close()
    session.step(3)
    end = town.month
    paused_a, paused_b = town.series()
    town.restart()  # the same town again, stepped straight to that month
    town.fork()
    town.start("outreach", "b")
    town.step(end)
    a, b = town.series()
    assert b is not None
    assert paused_b is not None
    assert paused_a.equals(a)
    assert paused_b.equals(b)


def test_commands_while_playing_act_on_the_playing_town(session: L.LiveSession) -> None:
    from dashboards.pages import live

    town = session.town
    assert town is not None
    session.speed = L.SPEEDS[1]
    tab = SlowTab(session)
    session.play()
    _until(lambda: town.month >= 2)
    took = {}
    for name, command in (
        ("fork", town.fork),
        ("start", lambda: town.start("outreach", "b")),
        ("preset", lambda: live.preset("outreach")),
    ):
        started = time.perf_counter()
        command()
        took[name] = time.perf_counter() - started
        _until(lambda: session.playing)
        with town.lock:  # between two months
            assert town.b is not None
            assert town.b.month == town.month  # B runs side by side with A
    started = time.perf_counter()
    session.pause()
    took["pause"] = time.perf_counter() - started
    tab.close()
    frame = session.frame()
    assert frame is not None
    assert frame.month == town.month
    assert frame.active_b == (("outreach", 2.0),)
    assert [m.kind for m in frame.markers] == ["fork", "outreach"]  # the preset's own
    print("answered while playing (s):", {k: round(v, 3) for k, v in took.items()})


def test_a_redraw_never_waits_for_the_town_lock(session: L.LiveSession) -> None:
    town = session.town
    assert town is not None
    held = threading.Event()
    release = threading.Event()
    released = threading.Event()

    def hold() -> None:
        with town.lock:  # as a long step of the play loop would
            held.set()
            release.wait(60)
        released.set()

    threading.Thread(target=hold, daemon=True).start()
    held.wait(5)
    frame = session.frame()
    assert frame is not None
    town_figure(frame.a, "ja")
    series_figure(L.frame_series(frame.series_a), None, list(L.SERIES), "ja")
    # Drawn while the lock was still held: a redraw that waited for it would only have
    # finished after the holder let go (no timing: a slow machine draws slowly, that is all).
    assert not released.is_set()
    release.set()
    assert released.wait(5)


def test_a_town_no_tab_shows_stops(town: L.LiveTown, monkeypatch: pytest.MonkeyPatch) -> None:
    s = L.LiveSession(idle_s=0.4)
    s.town = town
    stop = threading.Event()
    _watch(s, stop)
    s.play()
    time.sleep(0.5)
    stop.set()  # the tab is closed
    deadline = time.monotonic() + 3
    while s.playing and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not s.playing
    assert s.stopped_idle
    month = town.month
    time.sleep(0.3)
    assert town.month == month
    assert month > 0


def test_a_tab_being_answered_shows_the_town(town: L.LiveTown) -> None:
    """An answer slower than the idle stop (a loaded machine) does not stop the town."""
    s = L.LiveSession(idle_s=0.3)
    s.town = town
    s.play()
    with s.serving("tab", 0):
        time.sleep(1.0)  # three idle stops long
        assert s.playing
        assert not s.stopped_idle
    at_answer = time.monotonic()
    _until(lambda: not s.playing, timeout=5.0)  # no more requests: the tab was closed
    assert s.stopped_idle
    assert time.monotonic() - at_answer >= 0.3  # counted from the answer, not the request


def test_a_second_tab_and_a_reload_show_the_same_town(session: L.LiveSession) -> None:
    from dashboards.pages import live

    assert session.town is not None
    session.town.fork()
    session.town.start("outreach", "b")
    session.step(3)
    for _ in range(2):  # a reload, then a second tab: both join the shared session
        _, rc = solara.render(live.LivePage(), handle_error=False)
        html = " ".join(
            f"{w.attributes} {w.unsafe_innerHTML}"
            for w in rc.find(solara.widgets.HTML).widgets  # type: ignore[attr-defined]
        )
        months = [
            w.month
            for w in rc.find(v.VuetifyTemplate).widgets  # type: ignore[attr-defined]
            if "box_style" in w.keys  # the month label (live_month.vue)
        ]
        assert months == [3]
        assert "アウトリーチ" in html
        rc.close()


def test_labels_follow_the_state(session: L.LiveSession) -> None:
    from dashboards.pages import live

    town = session.town
    assert town is not None
    assert live.future_name(town.frame, "a") == "この町（このまま）"
    town.fork()
    assert live.future_name(town.frame, "a") == "未来A（このまま）"
    assert live.future_name(town.frame, "b") == "未来B（まだ施策なし）"
    town.start("outreach", "b")
    assert live.future_name(town.frame, "b") == "未来B（＋アウトリーチ）"
    town.start("platform", "a")
    assert live.future_name(town.frame, "a") == "未来A（＋出会いの場）"
    town.start("outreach", "a")
    assert live.future_name(town.frame, "a") == "未来A（施策2つ）"


def test_towns_and_components_have_plain_names() -> None:
    from dashboards.i18n import TEXT
    from dashboards.pages import live
    from dashboards.widgets import town_label

    for name, _ in live.TOWNS:
        label = town_label(name, "ja")
        assert "_" not in label, label
        assert name not in label, label
    for kind in REGISTRY:
        for key in (f"comp.{kind}", f"comp.{kind}.short", f"comp.{kind}.unit"):
            ja, en = TEXT[key]
            assert ja, key
            assert en, key
            assert "_" not in ja + en, key


def test_the_charts_mark_policy_starts_and_the_fork(town: L.LiveTown) -> None:
    town.step(2)
    town.fork()
    town.start("outreach", "b")
    town.step(2)
    frame = town.frame
    fig = series_figure(
        L.frame_series(frame.series_a),
        L.frame_series(frame.series_b or {}),
        list(L.SERIES[:2]),
        "ja",
        markers=frame.markers,
    )
    panels = 3  # two outcomes and the difference
    assert len(fig["layout"]["shapes"]) == panels * len(frame.markers) == panels * 2
    fork_x = {s["x0"] for s in fig["layout"]["shapes"] if s["line"]["dash"] == "dash"}
    year, month = town.a.calendar(2)
    assert fork_x == {round(year + (month - 1) / 12, 3)}
    assert fig["layout"]["margin"]["l"] >= 70  # room for "−0.60%": the sign is not clipped
    assert fig["layout"]["yaxis3"]["tickformat"].startswith("+")


@pytest.mark.slow
def test_outreach_reaches_people_on_b_only_and_the_note_reports_5_years(
    town: L.LiveTown,
) -> None:
    town.fork()
    town.start("outreach", "b")
    town.step(L.NOTE_MONTHS)
    frame = town.frame
    assert frame.b is not None
    assert len(frame.b.reached) > 0
    assert len(frame.a.reached) == 0
    fig = town_figure(frame.b, "ja")
    reached = [d for d in fig["data"] if d.get("name", "").startswith("今月アウトリーチ")]
    assert reached
    assert len(reached[0]["x"]) == len(frame.b.reached)
    note = L.note_difference(frame)
    assert note is not None
    assert note["month"] == L.NOTE_MONTHS
    a, b = town.a.recorder.timeseries(), town.b.recorder.timeseries()  # type: ignore[union-attr]
    at = L.NOTE_MONTHS
    want = float(b.loc[b.month == at, "unmet"].iloc[0] - a.loc[a.month == at, "unmet"].iloc[0])
    assert note["people"] == pytest.approx(want)
    print(
        f"5-year paired difference in unmet need (B - A): {note['people']:+.0f} people,"
        f" {note['share'] * 100:+.3f} points"
    )


def test_changed_residents_and_venue_events_are_those_since_the_last_frame(
    town: L.LiveTown,
) -> None:
    for _ in range(13):  # played fast: 13 months, one frame
        town.advance()
    town.publish()
    snap = town.frame.a
    assert snap.month == 13
    assert snap.changed.shape == snap.states.shape
    assert 0 < snap.changed.sum() < len(snap.states)
    venues = town.a.venues.venues
    assert len(snap.opened) == sum(0 < v.opened_month <= 13 for v in venues)
    assert len(snap.closed) == sum(0 < (v.closed_month or 0) <= 13 for v in venues)
    assert np.isfinite(snap.xy).all()
    town.step()  # stepped: the one month since
    snap = town.frame.a
    assert len(snap.opened) == sum(v.opened_month == 14 for v in venues)
    assert len(snap.closed) == sum(v.closed_month == 14 for v in venues)


def test_a_kept_copy_runs_on_as_the_town_would(town: L.LiveTown) -> None:
    town.step(2)
    kept = L.keep_copy(town.a)
    assert kept.recorder._town[0] is town.a.recorder._town[0]  # past rows shared
    forked = town.a.fork()
    for _ in range(2):
        town.a.step()  # the original goes on: the copy does not see its months
        kept.step()
        forked.step()
    assert kept.recorder.timeseries().equals(forked.recorder.timeseries())
    assert kept.recorder.timeseries().equals(town.a.recorder.timeseries())
    assert len(kept.recorder._town) == len(town.a.recorder._town) == 5
