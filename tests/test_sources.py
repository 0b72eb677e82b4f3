"""The sources in model/sources.toml: every cited key resolves, and the docs page is current."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

import pytest

from model import sources
from model.calibration import TARGETS
from model.parameters import describe
from scenarios import load_policy, load_town, policy_names, town_names

ROOT = Path(__file__).resolve().parent.parent
OLD_REFERENCE = "calibration" + ".md"  # the notes outside the repository, cited before


def _docs_module(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / f"{name}.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _repo_texts() -> dict[str, str]:
    """Every text file of the project a user reads or the model loads (not the tests)."""
    out = {}
    for folder in ("model", "scenarios", "experiments", "dashboards", "kyosei", "docs"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".toml", ".md", ".vue"} and "__pycache__" not in path.parts:
                out[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    for name in ("README.md", "pyproject.toml", "Makefile"):
        out[name] = (ROOT / name).read_text(encoding="utf-8")
    return out


def _citing_text(name: str, text: str) -> str:
    """``text`` without what only looks like a citation: TOML table headers, the pattern."""
    if name == "model/sources.py":
        return ""
    if name.endswith(".toml"):
        return "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("["))
    return text


def test_the_file_loads_with_the_documented_schema():
    entries = sources.load()
    assert len(entries) >= 50
    raw = tomllib.loads((ROOT / "model" / "sources.toml").read_text(encoding="utf-8"))
    assert list(raw) == list(entries)
    for key, s in entries.items():
        assert sources.CITATION.fullmatch(f"[{key}]"), key
        assert all((s.title_ja, s.title_en, s.publisher, s.facts)), key
        assert 1940 <= s.year <= 2030, key  # laws as old as 民生委員法 (1948)
        assert not s.url or s.url.startswith(("http://", "https://")), key


def test_citation_pattern_skips_markup_that_is_not_a_key():
    text = "[derived] x[i-1] [a link](https://x) [ipss-2023] and [ipss-2023], [mic-census-2020]"
    assert sources.cited_keys(text) == ["ipss-2023", "mic-census-2020"]


def test_render_shows_key_title_in_the_language_and_url():
    ja = sources.render("ipss-2023", "ja")
    en = sources.render("ipss-2023", "en")
    assert ja.startswith("[ipss-2023] 日本の将来推計人口")
    assert en.startswith("[ipss-2023] Population projections for Japan")
    with pytest.raises(KeyError, match="no source 'no-such-key'"):
        sources.lookup("no-such-key")


def test_every_parameter_and_target_cites_a_known_source_or_says_assumption():
    texts = [t.source for t in TARGETS]
    for town in town_names():
        texts += [str(r["source"]) for r in describe(load_town(town))]
    for name in policy_names():
        load_policy(name)  # packages parse (their comments are checked below)
    known = set(sources.load())
    missing = [k for k in sources.cited_in(texts) if k not in known]
    assert missing == []
    for t in TARGETS:  # every calibration target names the public source of its figure
        assert sources.cited_keys(t.source), t.name


def test_every_key_cited_anywhere_in_the_repository_resolves():
    known = set(sources.load())
    cited: dict[str, list[str]] = {}
    for name, text in _repo_texts().items():
        for key in sources.cited_keys(_citing_text(name, text)):
            cited.setdefault(key, []).append(name)
    for s in sources.load().values():  # facts cite other sources too
        for key in sources.cited_keys(s.facts):
            cited.setdefault(key, []).append(f"sources.toml [{s.key}]")
    unknown = {k: v for k, v in cited.items() if k not in known}
    assert unknown == {}
    assert len(cited) >= 30  # the check is not vacuous


def test_no_text_cites_the_reference_notes_outside_the_repository():
    offenders = [name for name, text in _repo_texts().items() if OLD_REFERENCE in text]
    assert offenders == []


def test_sources_page_is_current():
    module = _docs_module("sources_page")
    assert module.PAGE.read_text(encoding="utf-8") == module.page(), (
        "run: python docs/sources_page.py"
    )
