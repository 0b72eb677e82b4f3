"""Regression baseline: fixed runs must still give the stored summary (with a negative control).

The tolerance (2 % relative, 0.005 absolute for shares) absorbs floating-point changes
between NumPy releases but not a change in behaviour; the negative control shows that
a small real change (needs escalating 30 % faster) does fail the comparison.
Regenerate with ``python -m tests.regression.make_baseline`` when a change is intended.
"""

import json

import pytest

from .regression.make_baseline import BASELINE, CASES, summarise

REL, ABS = 0.02, 0.005


def _mismatches(fresh: dict[str, float], stored: dict[str, float]) -> list[str]:
    out = []
    for metric, expected in stored.items():
        got = fresh[metric]
        if abs(got - expected) > max(REL * abs(expected), ABS):
            out.append(f"{metric}: stored {expected:.6g}, now {got:.6g}")
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_fixed_runs_match_the_stored_baseline(name):
    stored = json.loads(BASELINE.read_text())[name]
    fresh = summarise(*CASES[name])
    assert _mismatches(fresh, stored) == []


@pytest.mark.slow
def test_negative_control_a_perturbed_model_fails_the_comparison():
    stored = json.loads(BASELINE.read_text())["district/baseline"]
    perturbed = summarise(
        *CASES["district/baseline"], **{"needs.escalation": [0.039, 0.0195, 0.065, 0.052]}
    )
    assert _mismatches(perturbed, stored) != []
