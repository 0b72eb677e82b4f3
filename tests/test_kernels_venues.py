"""The venue kernels (:mod:`model.venues_kernels`) and their NumPy twins agree bit for bit.

Each kernel runs both ways on the same inputs (random, empty, nobody alive, edge
values), and a short run of the small town is made both ways and compared output by
output. The choice of a venue is also checked against the padded-matrix rule the
month has always used, and the vector of opening counts against draws one by one.
"""

from __future__ import annotations

import numpy as np
import pytest

from model import CommunityModel, kernels
from model import venues_kernels as vk
from scenarios import load_scenario

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")


@pytest.fixture
def both(monkeypatch):
    """Call a kernel on the NumPy path and on the compiled path; return both results."""

    def run(fn, *args):
        monkeypatch.setattr(kernels, "USE_NUMBA", False)
        a = fn(*args)
        monkeypatch.setattr(kernels, "USE_NUMBA", True)
        b = fn(*args)
        return a, b

    return run


def _same(a, b) -> None:
    a = a if isinstance(a, tuple) else (a,)
    b = b if isinstance(b, tuple) else (b,)
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape
        assert x.astype(np.int64).tobytes() == y.astype(np.int64).tobytes()


def _town(n: int, seed: int, alive_share: float = 0.9):
    rng = np.random.default_rng(seed)
    venue = np.where(rng.random(n) < 0.3, rng.integers(0, 40, n), -1).astype(np.int32)
    alive = rng.random(n) < alive_share
    u = rng.random(n)
    home = alive & (rng.random(n) < 0.95)
    return venue, alive, u, home


@pytest.mark.parametrize("n", [0, 1, 7, 5_000])
@pytest.mark.parametrize("bound", [-1.0, 0.0, 0.05, 1.0])
def test_scan_is_the_same_on_both_paths(both, n, bound):
    venue, alive, u, home = _town(n, seed=n)
    a, b = both(vk.scan, venue, alive, u, home, bound)
    _same(a, b)
    regulars, may_join = a
    assert np.array_equal(regulars, np.flatnonzero(alive & (venue >= 0)))
    assert np.array_equal(may_join, np.flatnonzero(home & (u < bound)))


def test_scan_with_nobody_alive(both):
    venue, _, u, _home = _town(1_000, seed=3)
    nobody = np.zeros(1_000, dtype=bool)
    a, b = both(vk.scan, venue, nobody, u, nobody, 0.5)
    _same(a, b)
    assert a[0].size == 0
    assert a[1].size == 0


@pytest.mark.parametrize("n", [0, 1, 9_999])
def test_district_counts_are_the_same_on_both_paths(both, n):
    rng = np.random.default_rng(n)
    alive = rng.random(n) < 0.9
    district = rng.integers(0, 6, n).astype(np.int16)
    volunteer = rng.random(n) < 0.1
    vol_venue = np.where(rng.random(n) < 0.5, rng.integers(0, 30, n), -1).astype(np.int32)
    a, b = both(vk.district_counts, alive, district, volunteer, vol_venue, 6)
    _same(a, b)
    pop, free = a
    assert pop.sum() == alive.sum()
    assert np.array_equal(free, np.flatnonzero(alive & volunteer & (vol_venue < 0)))
    a, b = both(vk.district_counts, ~np.ones(n, bool), district, volunteer, vol_venue, 6)
    _same(a, b)
    assert a[0].sum() == 0
    assert a[1].size == 0


def _choice_inputs(n: int, max_width: int, seed: int):
    rng = np.random.default_rng(seed)
    n_real = rng.integers(0, max_width + 1, n).astype(np.int64)
    if n:
        n_real[0] = max_width  # the widest row sets the padded width
    offsets = np.cumsum(n_real) - n_real
    dist = rng.random(int(n_real.sum())) * rng.choice([0.1, 3.0, 20.0], int(n_real.sum()))
    weights = np.exp(-dist / 1.5)
    u = rng.random(n)
    u[: n // 10] = np.nextafter(1.0, 0.0)  # the top of the last candidate's share
    stays = rng.random(n)
    return int(n_real.max()) if n else 0, n_real, offsets, weights, u, stays


@pytest.mark.parametrize("max_width", [1, 2, 7, 8, 9, 16, 29, 127, 128, 129, 300])
def test_choice_is_the_same_on_both_paths(both, max_width):
    width, n_real, offsets, weights, u, stays = _choice_inputs(400, max_width, max_width)
    a, b = both(vk.choose, width, n_real, offsets, weights, u, stays)
    _same(a, b)
    picked = a[a >= 0]
    assert picked.size > 0
    row = np.searchsorted(offsets, picked, side="right") - 1
    # Each pick lies in its joiner's own block.
    assert np.all((picked >= offsets[row]) & (picked < offsets[row] + n_real[row]))


def test_choice_follows_the_padded_rule():
    """The twin gives what the rule over a padded joiners × candidates matrix gives."""
    width, n_real, offsets, weights, u, stays = _choice_inputs(300, 23, seed=5)
    rows = np.repeat(np.arange(n_real.size), n_real)
    slot = np.arange(width)[None, :]
    real = slot < n_real[:, None]
    flat = np.minimum(offsets[:, None] + slot, weights.size - 1)
    weight = weights[flat] * real
    total = weight.sum(axis=1)
    pick = (np.cumsum(weight, axis=1) < (u * total)[:, None]).sum(axis=1)
    pick = np.minimum(pick, np.maximum(n_real - 1, 0))
    near = weights[np.minimum(offsets + pick, weights.size - 1)]
    expected = np.where((total > 0) & (stays < near), offsets + pick, -1)
    assert rows.size == weights.size
    assert np.array_equal(vk.choose_numpy(width, n_real, offsets, weights, u, stays), expected)


def test_choice_with_no_candidates(both):
    none = np.zeros(5, dtype=np.int64)
    a, b = both(vk.choose, 3, none, none, np.zeros(0), np.full(5, 0.5), np.zeros(5))
    _same(a, b)
    assert np.all(a == -1)


def test_opening_counts_drawn_as_a_vector_match_draws_one_by_one():
    lam = np.array([0.0, 0.2, 0.0, 3.0, 0.7, 12.0, 0.0, 0.05] * 5)
    one = np.random.Generator(np.random.PCG64(11))
    vector = np.random.Generator(np.random.PCG64(11))
    assert np.array_equal([one.poisson(x) for x in lam], vector.poisson(lam))
    assert one.random() == vector.random()


def test_a_short_run_gives_the_same_outputs_on_both_paths(monkeypatch):
    scenario = load_scenario(
        "small_town", "jusou_full", scale=20.0, overrides={"switches.warmup_months": 6}
    )
    frames = []
    for flag in (False, True):
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)
        model = CommunityModel(scenario, seed=7).run(12)
        r = model.residents
        frames.append((model.recorder.timeseries(), r.venue.tobytes(), r.vol_venue.tobytes()))
    (town_a, venue_a, vol_a), (town_b, venue_b, vol_b) = frames
    assert town_a.equals(town_b)
    assert venue_a == venue_b
    assert vol_a == vol_b
    assert town_a["venue_regulars"].iloc[-1] > 0


@pytest.mark.parametrize("n", [0, 1, 3_000])
def test_hidden_needs_of_a_list_follow_the_population_rule(n):
    from model.population import hidden_needs

    rng = np.random.default_rng(n)
    sev = rng.integers(0, 4, (5, n)).astype(np.int8) * (rng.random((5, n)) < 0.2)
    supported = rng.random((5, n)) < 0.3
    known = rng.random((5, n)) < 0.3
    idx = np.flatnonzero(rng.random(n) < 0.5)
    found = vk.any_hidden_numpy(sev.astype(np.int8), supported, known, idx)
    assert np.array_equal(found, hidden_needs_of(sev, supported, known, idx, hidden_needs))
    if n >= 3_000:
        assert 0 < found.sum() < idx.size


def hidden_needs_of(sev, supported, known, idx, hidden_needs):
    """The population module's own rule, on a stand-in with the three columns."""

    class Columns:
        pass

    r = Columns()
    r.sev, r.supported, r.known = sev, supported, known
    return hidden_needs(r, idx).any(axis=0)


@pytest.mark.parametrize("n", [0, 1, 5_000])
def test_releasing_closed_venues_is_the_same_on_both_paths(monkeypatch, n):
    venue, _, _, _ = _town(n, seed=n + 3)
    closed = np.zeros(40, bool)
    closed[[0, 7, 39]] = True
    out = []
    for flag in (False, True):
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)
        col = venue.copy()
        vk.release(col, closed)
        out.append(col)
    assert out[0].dtype == out[1].dtype == venue.dtype
    assert out[0].tobytes() == out[1].tobytes()
    # Exactly the people of the closed venues were let go, nobody else moved.
    was_closed = (venue >= 0) & closed[np.maximum(venue, 0)]
    assert (out[1][was_closed] == -1).all()
    assert np.array_equal(out[1][~was_closed], venue[~was_closed])
    if n >= 5_000:
        assert 0 < was_closed.sum() < (venue >= 0).sum()


def test_releasing_in_a_small_world(monkeypatch):
    """Five people, worked by hand: regulars of venue 1 (closed) are let go, of 0 and 2 kept."""
    closed = np.array([False, True, False])
    for flag in (False, True):
        monkeypatch.setattr(kernels, "USE_NUMBA", flag)
        col = np.array([1, -1, 0, 1, 2], np.int32)
        vk.release(col, closed)
        assert col.tolist() == [-1, -1, 0, -1, 2]


@pytest.mark.parametrize("n", [0, 1, 5_000])
def test_people_per_venue_are_the_same_on_both_paths(both, n):
    venue, alive, _, _ = _town(n, seed=n + 5)
    a, b = both(vk.per_venue, venue, alive, 40)
    _same(a, b)
    assert a.dtype == b.dtype == np.int64
    assert b.tolist() == [int(np.sum(alive & (venue == v))) for v in range(40)]
    if n >= 5_000:
        assert 0 < b.sum() < (venue >= 0).sum()  # the dead are not counted


@pytest.mark.parametrize("n", [0, 1, 3_000])
def test_regulars_with_a_hidden_need_are_the_same_on_both_paths(both, n):
    from model.population import hidden_needs

    venue, alive, _, _ = _town(n, seed=n + 7)
    rng = np.random.default_rng(n)
    sev = (rng.integers(0, 4, (5, n)) * (rng.random((5, n)) < 0.2)).astype(np.int8)
    supported = rng.random((5, n)) < 0.3
    known = rng.random((5, n)) < 0.3
    a, b = both(vk.hidden_regulars, venue, alive, sev, supported, known)
    _same(a, b)
    regulars = np.flatnonzero((venue >= 0) & alive)
    want = regulars[hidden_needs_of(sev, supported, known, regulars, hidden_needs)]
    assert b.tolist() == want.tolist()
    if n >= 3_000:
        assert 0 < b.size < regulars.size


@pytest.mark.parametrize("n", [0, 1, 5_000])
def test_who_considers_joining_is_the_same_on_both_paths(both, n):
    venue, _, u_all, _ = _town(n, seed=n + 9)
    rng = np.random.default_rng(n)
    u_all = u_all * 0.3 - 0.05  # some draws below 0 (another process's quarter)
    sex_age = rng.integers(0, 242, n)
    isolated = rng.random(n) < 0.2
    boost = np.where(rng.random(n) < 0.3, 1.5, 1.0)
    total_of = rng.random(242) * 0.2
    may_join = np.flatnonzero(rng.random(n) < 0.5)
    args = (may_join, venue, u_all, sex_age, isolated, boost, total_of, 2.0)
    a, b = both(vk.considering, *args)
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype
        assert x.tobytes() == y.tobytes()
    idx, u, iso = b
    chance = total_of[sex_age[idx]] * np.where(isolated[idx], 2.0, 1.0) * boost[idx]
    assert (venue[idx] < 0).all()
    assert ((u >= 0) & (u < chance)).all()
    assert np.array_equal(u, u_all[idx])
    assert np.array_equal(iso, isolated[idx])
    if n >= 5_000:
        assert 0 < idx.size < may_join.size
        assert iso.any()
        assert not iso.all()


def test_who_considers_joining_in_a_small_world(both):
    """Four residents worked by hand: at a venue, a draw below 0, above and below the chance."""
    may_join = np.array([0, 1, 2, 3])
    venue = np.array([2, -1, -1, -1], np.int32)
    u_all = np.array([0.01, -0.1, 0.3, 0.05])
    sex_age = np.array([0, 0, 0, 1])
    isolated = np.array([False, False, False, True])
    boost = np.ones(4)
    total_of = np.array([0.1, 0.04])  # resident 3: 0.04 x 2 (isolated) = 0.08 > 0.05
    a, b = both(vk.considering, may_join, venue, u_all, sex_age, isolated, boost, total_of, 2.0)
    for idx, u, iso in (a, b):
        assert idx.tolist() == [3]
        assert u.tolist() == [0.05]
        assert iso.tolist() == [True]


@pytest.mark.parametrize("n", [0, 1, 2_000])
def test_candidate_layout_is_the_same_on_both_paths(both, n):
    rng = np.random.default_rng(n + 13)
    open_ids = np.sort(rng.choice(500, size=120, replace=False)).astype(np.int64)
    n_real = rng.integers(0, 12, n).astype(np.int64)
    n_real[: n // 10] = 0  # joiners with no candidate
    start = rng.integers(0, open_ids.size - 12, n).astype(np.int64)
    hx, hy = rng.random(n).astype(np.float32) * 9, rng.random(n).astype(np.float32) * 9
    vx, vy = rng.random(500) * 9, rng.random(500) * 9
    a, b = both(vk.candidates, n_real, start, open_ids, hx, hy, vx, vy)
    for x, y in zip(a, b, strict=True):
        assert x.dtype == y.dtype
        assert x.tobytes() == y.tobytes()
    offsets, cand, dx, dy = b
    assert offsets.tolist() == (np.cumsum(n_real) - n_real).tolist()
    assert cand.size == n_real.sum()
    for i in range(0, n, 97):  # each joiner's block, by hand
        block = slice(offsets[i], offsets[i] + n_real[i])
        want = open_ids[start[i] : start[i] + n_real[i]]
        assert cand[block].tolist() == want.tolist()
        np.testing.assert_array_equal(dx[block], np.float64(hx[i]) - vx[want])
        np.testing.assert_array_equal(dy[block], np.float64(hy[i]) - vy[want])
