"""Organisations as Mesa agents: stable numbers, removal on closing, draws independent of order."""

import numpy as np

from model import CommunityModel
from model.organisations import KINDS, Organisation

from .conftest import small_town
from .worlds import world

COMMUNITY = {"switches.community": True, "support.staff_per_20k": [1e6] * 4}


def test_a_dissolved_npo_leaves_the_agent_set_and_keeps_its_number():
    rows = [{"age": 40, "hh": i} for i in range(10)]
    m = world(
        rows, **COMMUNITY, **{"organisations.grace_months": 3, "organisations.closure": [0.0, 0.0]}
    )
    system = m.organisations
    org = system.found("npo", 0, np.random.default_rng(0), funds=1e9)
    assert org in system.agents
    assert org in m.agents
    assert org.number == 1
    assert system.shakyo.number == 0
    m.run(2)
    assert org.active
    assert org.months_short == 2
    m.run(1)
    assert not org.active
    assert org not in system.agents
    assert org not in m.agents
    assert org.number not in system.by_number
    assert system.counts() == (0, 0)
    again = system.found("civic", 0, np.random.default_rng(1))
    assert again.number == 2  # numbers are never reused


def test_agents_are_views_of_their_rows_and_members_belong_to_open_ones():
    m = CommunityModel(small_town(3000, **{"organisations.closure": [0.3, 0.3]}), seed=3)
    m.run(24)
    system = m.organisations
    numbers = sorted(o.number for o in system.agents)
    assert numbers == sorted(system.by_number)
    assert numbers == np.flatnonzero(system.active[: system.n]).tolist()
    assert system.n > len(numbers) + 1  # some closed (the 社協 never does)
    for org in system.agents:
        assert org.funds == system.funds[org.number]
        org.funds = 123.0
        assert system.funds[org.number] == 123.0
    held = m.residents.org[m.residents.alive & (m.residents.org >= 0)]
    assert set(held.tolist()) <= set(numbers)
    assert system.counts() == (
        sum(o.kind == "npo" for o in system.agents),
        sum(o.kind == "civic" for o in system.agents),
    )


def test_the_order_of_the_agent_set_changes_no_draw():
    """Reversing Mesa's set of organisations every month leaves every output the same."""
    scenario = small_town(3000)
    plain = CommunityModel(scenario, seed=5)
    turned = CommunityModel(scenario, seed=5)
    for _ in range(12):
        plain.step()
        agents = turned.agents_by_type[Organisation]
        order = [o.number for o in agents]
        agents._update(reversed(list(agents)))  # Mesa's own reorder (as sort/shuffle do)
        assert [o.number for o in agents] == order[::-1]
        turned.step()
    assert len(order) > 2
    a, b = plain.recorder.timeseries(), turned.recorder.timeseries()
    assert a.equals(b)


def test_the_venue_columns_say_who_runs_each_venue_as_the_venues_do():
    """The venue columns the monthly rules read agree with every venue agent.

    After three years of openings, dissolutions and 社協 takeovers: open, operator and
    organisation, the venues each organisation runs, and the partner cafés.
    """
    from model.venues import OPERATORS
    from scenarios import load_scenario

    m = CommunityModel(load_scenario("small_town", "jusou_full", scale=2.0), seed=4).run(36)
    venues, cols = m.venues, m.venues.columns
    agents = venues.venues
    shakyo = m.organisations.shakyo
    assert any(v.org is shakyo for v in agents)  # a takeover (or a 社協 venue) happened
    assert any(v.org is not None and not v.org.active for v in agents)  # a group dissolved
    assert any(v.operator == "private" for v in agents)
    for v in agents:
        assert cols["org"][v.number] == (-1 if v.org is None else v.org.number)
        assert OPERATORS[cols["operator"][v.number]] == v.operator
        assert bool(cols["open"][v.number]) == v.open
    n = m.organisations.n
    by_agents = np.bincount(
        [v.org.number for v in agents if v.open and v.org is not None], minlength=n
    )
    np.testing.assert_array_equal(venues.run_by(n), by_agents)
    for org in list(m.organisations.agents):
        assert org.venues() == [v for v in agents if v.open and v.org is org]
    private = [v.number for v in agents if v.open and v.operator == "private"]
    assert venues.open_numbers(operator="private").tolist() == private
    assert venues.open_numbers().tolist() == [v.number for v in agents if v.open]


def _assign_one_district_at_a_time(system, people, u):
    """The joining rule as it was written first: a loop over districts (the reference)."""
    from model.organisations import SPREAD

    r, p = system.model.residents, system.model.params.organisations
    org = r.org.copy()
    npo, civic = system.open_mask("npo"), system.open_mask("civic")
    dist = system.district[: system.n]
    for d in np.unique(r.district[people]):
        rows = np.flatnonzero(r.district[people] == d)
        npos = np.flatnonzero(npo & (dist == d))
        civics = np.flatnonzero(civic & (dist == d))
        pick_npo = u[rows] < p.npo_join_share
        for mask, pool in ((pick_npo, npos), (~pick_npo, civics)):
            if pool.size == 0:
                pool = npos if pool is civics else civics
            if pool.size == 0:
                continue
            frac = (u[rows][mask] * SPREAD) % 1.0
            org[people[rows[mask]]] = pool[(frac * pool.size).astype(np.int64)]
    return org


def test_joiners_go_where_the_district_loop_sends_them():
    """Joiners' organisations, in one vector pass, are those of the per-district rule.

    Some districts are left with no NPO, some with no civic group and one with neither,
    so every fallback is taken.
    """
    from scenarios import load_scenario

    m = CommunityModel(load_scenario("okazaki", "baseline", scale=20.0), seed=2)
    system, r = m.organisations, m.residents
    n_d = m.n_districts
    dist = system.district[: system.n]
    kind = system.kind[: system.n]
    for d, gone in ((0, "npo"), (1, "civic"), (2, "npo"), (2, "civic")):
        system.active[: system.n][(dist == d) & (kind == KINDS.index(gone))] = False
    gen = np.random.default_rng(9)
    people = np.flatnonzero(r.alive & (r.org < 0))
    u = gen.random(people.size)
    want = _assign_one_district_at_a_time(system, people, u)
    system._assign(people, u)
    np.testing.assert_array_equal(r.org, want)
    joined = r.org[people] >= 0
    assert 0 < joined.sum() < people.size  # district 2 has nobody to join
    assert (r.org[people[r.district[people] == 2]] < 0).all()
    assert set(np.unique(r.district[people[joined]]).tolist()) == set(range(n_d)) - {2}
