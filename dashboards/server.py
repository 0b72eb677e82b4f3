"""Start the dashboard: a Solara app served by uvicorn on one address, with no outside traffic.

Solara reads its settings from environment variables when its server module is first
imported, so :func:`configure` must run before anything imports ``solara.server``.
It turns off everything that would reach the internet:

* telemetry (``SOLARA_TELEMETRY_MIXPANEL_ENABLE=false``);
* the version check (we never call Solara's own ``run`` command, which does it);
* the asset proxy's upstream: front-end files come from ``solara-assets`` in the
  environment's ``share/solara/cdn``; should a file ever be missing, the proxy's
  fallback fetch goes to a closed local port instead of a public CDN, so the page
  breaks visibly in the tests rather than calling out from a closed network.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings
import webbrowser
from pathlib import Path

APP_MODULE = "dashboards.app"
RESULTS_ENV = "KYOSEI_RESULTS_DIR"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
# Port 9 ("discard") on the loopback: nothing listens, so a fetch fails at once.
CLOSED_UPSTREAM = "http://127.0.0.1:9/"

OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_ASSETS_CDN": CLOSED_UPSTREAM,
    "SOLARA_ASSETS_PROXY": "true",
    "SOLARA_MODE": "production",
    "SOLARA_THEME_VARIANT": "light",
    # No "This website runs on Solara" banner: the page speaks the reader's language only.
    "SOLARA_THEME_SHOW_BANNER": "false",
    "SOLARA_THEME_LOADER": "plain",
}


def quiet_third_party_warnings() -> None:
    """Silence library warnings that mean nothing to a user of the local dashboard.

    Solara's Starlette server warns on every page load over plain http on a host other
    than "localhost" (here 127.0.0.1) that it sets the session cookie with SameSite=Lax
    instead of None: a 14-line message per browser session that buried the address.
    Lax is right for a dashboard that is not embedded in another site, so exactly that
    message from that module is ignored; every other warning still shows.
    """
    warnings.filterwarnings(
        "ignore",
        message="Cookies with samesite=none require https",
        category=UserWarning,
        module=r"solara\.server\.starlette",
    )


def configure(results_dir: str | Path | None = None) -> None:
    """Set the environment the app and Solara read (call before importing solara.server)."""
    quiet_third_party_warnings()
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    os.environ["SOLARA_APP"] = APP_MODULE
    if results_dir is not None:
        os.environ[RESULTS_ENV] = str(Path(results_dir).expanduser().resolve())


def results_dir() -> Path:
    """The results folder the server was started with (``results/`` by default)."""
    return Path(os.environ.get(RESULTS_ENV, "results")).expanduser()


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def serve(
    results_dir: str | Path | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
) -> None:
    """Serve the dashboard at ``http://host:port`` until interrupted (blocks).

    ``results_dir`` is a results set, or a folder of results sets, for the Compare
    and Explore pages; it need not exist (the pages then say so).
    """
    configure(results_dir)
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    import uvicorn
    from solara.server import settings

    from .plot import asset_dir

    # plotly.min.js for the charts, served from the installed plotly package.
    settings.assets.extra_locations.append(str(asset_dir()))

    config = uvicorn.Config(
        "solara.server.starlette:app",
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        # Solara keeps one websocket per page; a long keep-alive spares reconnects.
        ws_ping_interval=20,
        ws_ping_timeout=60,
    )
    server = uvicorn.Server(config)
    url = f"http://{host}:{port}/"
    print(f"Kyosei dashboard: {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        threading.Thread(target=_open_when_ready, args=(server, url), daemon=True).start()
    server.run()


def _open_when_ready(server: object, url: str) -> None:
    for _ in range(600):
        if getattr(server, "started", False):
            webbrowser.open(url)
            return
        time.sleep(0.1)
