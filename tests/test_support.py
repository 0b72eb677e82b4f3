"""Needs and the support system: exact small worlds, invariants and direction checks."""

import numpy as np
import pytest

from model import CommunityModel, InterventionSpec
from model.needs import CARE, CHILDCARE, POVERTY, WITHDRAWAL
from model.population import CASE_NONE, CASE_QUEUED, CASE_REFERRED, FEMALE, ROLE_CHILD
from model.support import MINSEI, REFERRAL, SELF

from .conftest import small_town
from .worlds import set_need, world

# Help-seeking that always happens and referrals that never lose anyone, so that
# outcomes in these small worlds are exact.
SURE = {
    "support.seek_base": [1.0] * 5,
    "support.seek_severity": [1.0, 1.0, 1.0],
    "support.referral_dropout": 0.0,
    "support.detect_other": 1.0,
    "support.detect_household": 0.0,
    "switches.community": False,
    "support.capacity_dementia": 1.0,
    "support.capacity_withdrawal": 1.0,
    "support.capacity_isolated": 1.0,
    # Hand-built worlds are tiny: staff them so that capacity never binds unless a test
    # sets its own staffing.
    "support.staff_per_20k": [1e6] * 4,
}


def _ready(model: CommunityModel) -> CommunityModel:
    model.residents.seek_cap[:] = 1.0
    return model


def test_siloed_counter_takes_its_field_and_refers_the_rest():
    """A person with care and hardship needs: care now, hardship after one referral."""
    m = _ready(world([{"age": 78, "hh": 0}], **SURE))
    set_need(m, 0, CARE, 3)
    set_need(m, 0, POVERTY, 2)
    m.step()  # seeks help at the 包括 (care is the most severe), is assessed the same month
    r = m.residents
    assert r.supported[CARE, 0]
    assert not r.supported[POVERTY, 0]
    assert r.case_state[0] == CASE_REFERRED
    assert m.tally.referrals == 1
    target = m.support.counters[r.case_counter[0]]
    assert target.field == POVERTY
    m.step()  # the referral arrives and the hardship counter takes it
    assert r.supported[POVERTY, 0]
    assert r.case_state[0] == CASE_NONE
    assert m.tally.referrals == 0
    assert m.recorder.timeseries()["referrals"].tolist() == [0, 1, 0]


def test_one_stop_takes_every_field_at_once():
    m = _ready(world([{"age": 78, "hh": 0}], **SURE))
    m.add_intervention(InterventionSpec("one_stop", start_month=0, intensity=1.0))
    set_need(m, 0, CARE, 3)
    set_need(m, 0, POVERTY, 2)
    m.step()
    assert m.residents.supported[[CARE, POVERTY], 0].all()
    assert m.tally.referrals == 0
    assert m.residents.case_state[0] == CASE_NONE


def test_referral_dropouts_are_counted_exactly():
    """With certain drop-out, every referral loses its person: counted once each."""
    rows = [{"age": 70 + i, "hh": i} for i in range(6)]
    m = _ready(world(rows, **{**SURE, "support.referral_dropout": 1.0}))
    for i in range(6):
        set_need(m, i, CARE, 3)
        set_need(m, i, POVERTY, 1)
    m.step()
    assert m.tally.referrals == 6
    assert m.tally.referral_dropouts == 6
    r = m.residents
    assert r.supported[CARE].all()
    assert not r.supported[POVERTY].any()
    assert (r.dropouts == 1).all()
    assert r.known[POVERTY].all()


def test_compound_households_are_counted_exactly():
    """One 8050 household, one double-care household, one ordinary household."""
    rows = [
        {"age": 83, "hh": 0, "sex": FEMALE},  # parent, 80+
        {"age": 54, "hh": 0, "role": ROLE_CHILD, "never_married": True},  # withdrawn child
        {"age": 35, "hh": 1, "sex": FEMALE},  # raises a toddler …
        {"age": 2, "hh": 1, "role": ROLE_CHILD},
        {"age": 66, "hh": 2},  # … while her parent (household 2) needs care
        {"age": 40, "hh": 3},
    ]
    m = world(rows, **SURE)
    set_need(m, 1, WITHDRAWAL, 1)
    set_need(m, 4, CARE, 2, known=True, supported=True)
    m.residents.origin_hh[2] = 2
    m.recorder.record(m)
    row = m.recorder.last()
    assert row["hh_8050"] == 1
    assert row["double_care"] == 1
    assert row["multi_field"] == 0


def test_queues_never_serve_more_than_capacity():
    """Many people at once: each counter assesses at most its capacity each month."""
    rows = [{"age": 30 + i % 50, "hh": i} for i in range(400)]
    m = _ready(world(rows, **{**SURE, "support.staff_per_20k": [20.0, 20.0, 20.0, 20.0]}))
    for i in range(400):
        set_need(m, i, i % 4, 2)
    queued_before = []
    for _ in range(6):
        m.step()
        queued_before.append(m.recorder.last()["queue"])
        for c in m.support.counters:
            assert c.spent_this_month <= c.capacity_this_month + 1e-9
            assert c.served_this_month <= np.floor(c.capacity_this_month + 1e-9)
    assert max(queued_before) > 0  # capacity was binding: the test means something


@pytest.mark.parametrize("seed", [1, 2])
def test_case_states_are_consistent_every_month(seed):
    """A resident is in one case state; support implies a need the system knows."""
    m = CommunityModel(small_town(4000), seed=seed)
    for _ in range(24):
        m.step()
        r = m.residents
        alive = r.alive
        assert set(np.unique(r.case_state[alive])) <= {CASE_NONE, CASE_QUEUED, CASE_REFERRED}
        in_case = alive & (r.case_state != CASE_NONE)
        assert (r.case_counter[in_case] >= 0).all()
        assert (r.case_fields[in_case] != 0).all()
        assert not (r.supported & (r.sev == 0)).any()
        assert not (r.supported & ~r.known).any()
        assert not (r.assistance & ~r.supported[POVERTY]).any()


def test_minsei_visit_refers_a_hidden_need():
    """A commissioner in a one-household district finds the hidden need on a visit."""
    rows = [{"age": 70, "hh": 0}, {"age": 85, "hh": 1, "sex": FEMALE}]
    m = world(
        rows,
        **{
            **SURE,
            "switches.community": True,
            "minsei.detect": [1.0] * 5,
            "minsei.visits_per_month": 100.0,
            "support.seek_base": [0.0] * 5,
        },
    )
    m.residents.minsei[0] = True
    m.residents.volunteer[0] = True
    set_need(m, 1, CARE, 2)
    m.step()
    r = m.residents
    assert r.case_state[1] == CASE_REFERRED
    assert r.case_route[1] == MINSEI
    assert r.known[CARE, 1]
    m.step()
    assert r.supported[CARE, 1]
    assert m.recorder.timeseries()["arrivals_minsei"].sum() == 1


def test_people_who_cannot_seek_help_never_come_forward_themselves():
    rows = [{"age": 60, "hh": i} for i in range(50)]
    m = world(rows, **SURE)
    m.residents.seek_cap[:] = 0.0  # 自ら相談に行く力がない人
    for i in range(50):
        set_need(m, i, CHILDCARE if i % 2 else POVERTY, 3)
    m.run(12)
    ts = m.recorder.timeseries()
    assert ts["arrivals_self"].sum() == 0
    assert ts["hidden"].iloc[-1] == 50


def test_help_seeking_route_is_recorded():
    m = _ready(world([{"age": 40, "hh": 0}], **SURE))
    set_need(m, 0, POVERTY, 2)
    m.step()
    assert m.recorder.last()["arrivals_self"] == 1
    assert m.recorder.last()["poverty_consultations_per_100k"] == pytest.approx(100_000.0)
    assert m.residents.case_route[0] in (SELF, REFERRAL)


def _mean_over_seeds(seeds, column, years_from=2, **overrides):
    values = []
    for seed in seeds:
        ts = (
            CommunityModel(small_town(12_000, **overrides), seed=seed).run(60).recorder.timeseries()
        )
        values.append(ts.loc[ts["month"] >= 12 * years_from, column].mean())
    return float(np.mean(values))


@pytest.mark.slow
def test_counter_capacity_moves_unmet_need_and_waits_the_right_way():
    """Paired seeds: half the staff → more unmet need and longer waits; double → less."""
    seeds = [1, 2, 3]
    base = (7.3, 3.0, 2.5, 2.5)
    staffing = {k: [s * k for s in base] for k in (0.5, 1.0, 2.0)}
    unmet = {
        k: _mean_over_seeds(seeds, "unmet_of_need", **{"support.staff_per_20k": v})
        for k, v in staffing.items()
    }
    wait = {
        k: _mean_over_seeds(seeds, "wait_mean", **{"support.staff_per_20k": v})
        for k, v in staffing.items()
    }
    assert unmet[0.5] > unmet[1.0] + 0.02  # short-staffed counters leave need unmet
    # At today's staffing the counters have slack (the balanced start keeps queues short),
    # so doubling the staff lowers waits but barely touches unmet need (measured: 13.96 %
    # vs 13.97 %, 3 seeds): it must not raise it beyond the seeds' noise (0.5 pt).
    assert unmet[2.0] < unmet[1.0] + 0.005
    assert wait[0.5] > wait[1.0] > wait[2.0]


def test_help_seeking_capacity_falls_with_dementia_withdrawal_and_isolation():
    from model.needs import CARE, WITHDRAWAL
    from model.support import help_seeking_capacity

    from .worlds import set_need, world

    m = world([{"age": 78, "hh": 0}, {"age": 78, "hh": 1}, {"age": 30, "hh": 2}])
    p = m.params.support
    m.residents.seek_cap[:] = 1.0
    set_need(m, 0, CARE, 2)  # moderate care band at 65+: the model's stand-in for dementia
    set_need(m, 1, CARE, 1)  # light care need: capacity intact
    set_need(m, 2, WITHDRAWAL, 1)
    idx = np.arange(3)
    connected = help_seeking_capacity(m, idx, np.ones(3, dtype=bool))
    alone = help_seeking_capacity(m, idx, np.zeros(3, dtype=bool))
    assert connected == pytest.approx([p.capacity_dementia, 1.0, p.capacity_withdrawal])
    assert alone == pytest.approx(connected * p.capacity_isolated)
