"""``kyosei dashboard``: serve the Solara dashboard (Compare, Explore, Live, About) on one address.

Binds to 127.0.0.1 by default: the dashboard is for the machine it runs on or a
closed municipal network, and it fetches nothing from the internet.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from model.errors import UsageError


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``kyosei dashboard``."""
    from dashboards.server import DEFAULT_HOST, DEFAULT_PORT

    p = sub.add_parser("dashboard", help="serve the dashboard in the browser")
    p.add_argument(
        "--results",
        type=Path,
        default=Path("results"),
        help="a results set, or a folder of results sets (default: results/)",
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Check the address, then serve until Ctrl+C."""
    from dashboards import server

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not allowed: a port from 1 to 65535")
    if args.results.exists() and not args.results.is_dir():
        raise UsageError(
            f"--results {args.results}: a folder is needed (a file of that name exists)"
        )
    server.check_host(args.host)
    if server.port_in_use(args.host, args.port):
        from .demo import port_taken_message

        raise UsageError(port_taken_message(args.host, args.port, "dashboard"))
    server.serve(args.results, args.host, args.port, open_browser=args.open)
    return 0
