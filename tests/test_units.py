"""Every declared unit reads in Japanese; one without a Japanese form never shows English there."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass

from model.interventions import REGISTRY
from model.parameters import meta_of
from model.scenario import Params
from model.units import UNITS, UNTRANSLATED, unit_text

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Words that are the same in Japanese text (as the dashboard's language test allows).
SAME = {"NPO", "NPOs", "CSW", "CSV", "km", "e-Stat", "Stat"}


def declared_units() -> dict[str, str]:
    """Unit → one parameter (or component) declaring it."""
    out: dict[str, str] = {}

    def walk(obj: object, prefix: str) -> None:
        for f in fields(obj):  # type: ignore[arg-type]
            meta, value = meta_of(f), getattr(obj, f.name)
            if meta is None and is_dataclass(value):
                walk(value, f"{prefix}{f.name}.")
            elif meta is not None:
                out.setdefault(meta.unit, prefix + f.name)

    walk(Params(), "")
    for kind, component in REGISTRY.items():
        out.setdefault(component.intensity_unit, f"{kind}.intensity")
    return out


def test_every_declared_unit_has_a_japanese_form_without_english_words():
    missing = {u: p for u, p in declared_units().items() if u and not UNITS.get(u, ("",))[0]}
    assert missing == {}, f"units without a Japanese form in model/units.py: {missing}"
    english = {
        u: UNITS[u][0] for u in declared_units() if set(LATIN_WORD.findall(UNITS[u][0])) - SAME
    }
    assert english == {}, english


def test_english_mode_shows_no_japanese_in_component_units():
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    for kind, component in REGISTRY.items():
        text = unit_text(component.intensity_unit, "en")
        assert not cjk.search(text), (kind, text)


def test_an_unknown_unit_shows_no_english_in_japanese_mode():
    assert unit_text("widgets per fortnight", "ja") == UNTRANSLATED
    assert not LATIN_WORD.search(UNTRANSLATED)
    assert unit_text("widgets per fortnight", "en") == "widgets per fortnight"
    assert unit_text("", "ja") == unit_text("", "en") == ""


def test_explore_names_every_input_of_the_demo_design_in_both_languages():
    from dashboards.i18n import param_label
    from experiments.designs import design_points
    from experiments.spec import load_experiment
    from kyosei.commands.demo import DEMO_EXPERIMENTS, _experiment_file

    assert DEMO_EXPERIMENTS == ("default_comparison", "default_design")
    design = load_experiment(_experiment_file("default_design"))
    assert len(design.uncertainties) >= 3
    assert all(not u.path.startswith("policy.") for u in design.uncertainties)  # town parameters
    runs = len(design_points(design)) * design.replications * len(design.policies)
    assert runs <= 24  # a small design: about a tenth of the comparison's time (README)
    snake = re.compile(r"[a-z]+_[a-z_]+")
    for u in design.uncertainties:
        ja, en = param_label(u.path, "ja"), param_label(u.path, "en")
        assert not snake.search(ja), ja
        assert not LATIN_WORD.search(ja), ja
        assert not snake.search(en), en
