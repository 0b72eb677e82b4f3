"""The Solara app: the frame (title, page links, language and big-screen switches) and routes.

``solara.server`` loads this module by name (``SOLARA_APP=dashboards.app``, set by
:func:`dashboards.server.serve`). Nothing is computed at import: every page reads its
data when it is rendered.
"""

from __future__ import annotations

import reacton.ipyvuetify as rv
import solara

from . import state
from .i18n import t
from .pages.about import AboutPage
from .pages.compare import ComparePage
from .pages.explore import ExplorePage
from .pages.live import LivePage
from .pages.mytown import MyTownPage
from .widgets import TABLE_CSS

PAGES = (
    ("", "nav.compare"),
    ("explore", "nav.explore"),
    ("live", "nav.live"),
    ("town", "nav.mytown"),
    ("about", "nav.about"),
)


@solara.component
def Layout(children: list[solara.Element] | None = None) -> None:
    """Title bar with the page links and switches, then the page."""
    route, _ = solara.use_route()
    big = state.big_screen.value
    solara.Style(TABLE_CSS)
    solara.Title(t("app.title"))
    with solara.Column(
        classes=["kyosei-app", "kyosei-big" if big else "kyosei-normal"],
        style="padding: 0 24px 24px 24px; max-width: 1800px; margin: 0 auto;",
    ):
        with solara.Row(
            style="align-items: center; flex-wrap: wrap; gap: 8px;"
            " border-bottom: 2px solid #0072b2;"
            " padding: 8px 0;"
        ):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=t("app.title"),
                style=f"font-size: {'2em' if big else '1.4em'}; font-weight: 700; color: #0b4f7a;"
                " margin-right: 16px;",
            )
            for path, key in PAGES:
                active = (route.path if route else "") == path
                with solara.Link("/" + path):
                    solara.Button(
                        t(key),
                        text=not active,
                        color="primary",
                        classes=[f"kyosei-nav-{path or 'compare'}"],
                    )
            rv.Spacer()
            with solara.Tooltip(t("big.switch.help")):
                solara.Button(
                    t("big.switch"),
                    outlined=not big,
                    on_click=lambda: state.big_screen.set(not big),
                    classes=["kyosei-big-switch"],
                )
            with solara.Tooltip(t("lang.switch.help")):
                solara.Button(
                    t("lang.switch"),
                    outlined=True,
                    on_click=lambda: state.lang.set("en" if state.lang.value == "ja" else "ja"),
                    classes=["kyosei-lang-switch"],
                )
        solara.Column(children=children or [], style="padding-top: 8px;")


routes = [
    solara.Route(path="/", component=ComparePage, label="Compare", layout=Layout),
    solara.Route(path="explore", component=ExplorePage, label="Explore"),
    solara.Route(path="live", component=LivePage, label="Live"),
    solara.Route(path="town", component=MyTownPage, label="My town"),
    solara.Route(path="about", component=AboutPage, label="About"),
]
