"""A missing front-end file is a 404 at once and never holds up the dashboard's other files."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dashboards import server

from .browser import start_server, stop_server


def _get(url: str) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            answer.read()
            code = answer.status
    except urllib.error.HTTPError as err:
        code = err.code
    return code, time.perf_counter() - started


def test_the_local_copy_decides_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "lib@1.0.0").mkdir()
    (tmp_path / "lib@1.0.0" / "lib.js").write_text("//", encoding="utf-8")
    (tmp_path / "single").mkdir()
    (tmp_path / "single" / "__main.js").write_text("//", encoding="utf-8")
    wrapper = server.MissingAssetsFast(app=None, cache_dir=tmp_path)
    assert wrapper.have("lib@1.0.0/lib.js")
    assert wrapper.have("single")  # a bare package name is its __main.js, as in Solara
    assert not wrapper.have("lib@1.0.0/other.js")
    assert not wrapper.have("lib@1.0.0")  # a folder is not a file
    assert not wrapper.have("../" + tmp_path.name + "/lib@1.0.0/lib.js/..")
    assert not wrapper.have("../../etc/passwd")


@pytest.mark.slow
def test_80_requests_for_a_missing_asset_leave_static_files_fast(tmp_path: Path) -> None:
    proc, url = start_server(tmp_path)
    base = url.rstrip("/")
    try:
        static = f"{base}/static/assets/plotly.min.js"
        assert _get(static)[0] == 200
        present = f"{base}/_solara/cdn/requirejs@2.3.6/require.js"
        assert _get(present)[0] == 200  # files of the local copy are still served
        missing: list[tuple[int, float]] = []

        def ask() -> None:
            missing.append(_get(f"{base}/_solara/cdn/no-such-package@1.0.0/index.js"))

        threads = [threading.Thread(target=ask) for _ in range(80)]
        for th in threads:
            th.start()
        time.sleep(0.2)
        code, during = _get(static)
        for th in threads:
            th.join(120)
    finally:
        stop_server(proc)
    assert code == 200
    # Before: Solara's proxy tried the closed upstream with 7 s of back-off per request,
    # in the threads that also serve static files: 11-14 s for this file.
    assert during < 2.0, during
    assert [c for c, _ in missing] == [404] * 80
    assert max(s for _, s in missing) < 2.0
