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

A front-end file that is not in that local copy is answered "404" at once by
:class:`MissingAssetsFast`: Solara's proxy would try the (closed) upstream four times
with seven seconds of back-off in a worker thread, so 80 requests for a missing file
took every thread and held up the static files of every page for 11 s or more.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings
import webbrowser
from pathlib import Path
from typing import Any

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


CDN_PREFIX = "/_solara/cdn/"  # where Solara serves (and proxies) its front-end files

Scope = dict[str, Any]
Receive = Any
Send = Any


class MissingAssetsFast:
    """ASGI wrapper: a front-end file missing from the local copy is a 404 at once.

    Every other request (pages, static files, the websocket, files that are in the copy)
    goes to the wrapped app untouched. The local copy never changes while the server
    runs, so the check is one ``stat`` of a file inside ``cache_dir``.
    """

    def __init__(self, app: Any, cache_dir: str | Path) -> None:
        self.app = app
        self.cache_dir = Path(cache_dir).resolve()

    def have(self, rel: str) -> bool:
        """Whether the asset at ``rel`` (the part of the url after the prefix) is a local file."""
        parts = rel.replace("\\", "/").split("/")
        store = rel if len(parts) != 1 else f"{rel}/__main.js"  # as solara's cdn_helper
        try:
            path = (self.cache_dir / store).resolve()
            return path.is_relative_to(self.cache_dir) and path.is_file()
        except (OSError, ValueError):
            return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a missing front-end file, pass everything else on."""
        if scope["type"] == "http":
            path = str(scope.get("path", ""))
            root = str(scope.get("root_path", "")).rstrip("/")
            if root and path.startswith(root):
                path = path[len(root) :]
            if path.startswith(CDN_PREFIX) and not self.have(path[len(CDN_PREFIX) :]):
                await _not_found(send)
                return
        await self.app(scope, receive, send)


async def _not_found(send: Send) -> None:
    body = b"Not found in this installation's front-end files\n"
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def asgi_app() -> MissingAssetsFast:
    """Solara's app behind :class:`MissingAssetsFast` (call after :func:`configure`)."""
    from solara.server import settings
    from solara.server.starlette import app

    return MissingAssetsFast(app, settings.assets.proxy_cache_dir)


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def check_host(host: str) -> None:
    """Raise :class:`UsageError` unless ``host`` is an address of this machine to listen on.

    Tried by binding a free port of it, before any work: a name that does not resolve or
    an address of another machine is a bad ``--host``, not a failure after start-up.
    """
    from model.errors import UsageError
    from model.parameters import clip

    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.bind((address[0], 0))
    except (OSError, UnicodeError, ValueError, IndexError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UsageError(
            f"--host {clip(host, 60)!r} is not allowed: an address of this machine to listen on "
            f"(e.g. 127.0.0.1, or 0.0.0.0 for every network); {clip(str(reason), 60)}"
        ) from None


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

    # custom.js (starts loading plotly.js with the page), then plotly.min.js for the
    # charts, served from the installed plotly package.
    settings.assets.extra_locations.append(str(Path(__file__).resolve().parent / "assets"))
    settings.assets.extra_locations.append(str(asset_dir()))

    config = uvicorn.Config(
        asgi_app(),
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
