"""Random streams: reproducible, independent, uniform, and keyed by who draws."""

import numpy as np
import pytest
from scipy import stats

from model import kernels
from model.streams import Streams, _HashedSeed


def test_same_seed_same_draws_and_other_seed_differs():
    keys = np.arange(10_000, dtype=np.uint64)
    a = Streams(7)["mortality"].uniform(keys, month=3)
    b = Streams(7)["mortality"].uniform(keys, month=3)
    c = Streams(8)["mortality"].uniform(keys, month=3)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_draw_depends_only_on_key_not_on_who_else_draws():
    s = Streams(1)["births"]
    keys = np.arange(5_000, dtype=np.uint64) * np.uint64(977)
    full = s.uniform(keys, month=12)
    subset = keys[::7]
    assert np.array_equal(s.uniform(subset, month=12), full[::7])
    assert np.array_equal(s.uniform(keys[::-1], month=12), full[::-1])


def test_uniform_passes_kolmogorov_smirnov():
    u = Streams(42)["x"].uniform(np.arange(200_000, dtype=np.uint64), month=0)
    assert u.min() >= 0.0
    assert u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("exit", 5, 0), ("births", 5, 0)),
        (("exit", 5, 0), ("exit", 6, 0)),
        (("exit", 5, 0), ("exit", 5, 1)),
    ],
)
def test_streams_months_and_subdraws_are_uncorrelated(a, b):
    keys = np.arange(100_000, dtype=np.uint64)
    s = Streams(3)
    ua = s[a[0]].uniform(keys, a[1], a[2])
    ub = s[b[0]].uniform(keys, b[1], b[2])
    # |r| of two independent uniform samples of 1e5: sd ≈ 0.0032; 5 sd is a loose bound.
    assert abs(np.corrcoef(ua, ub)[0, 1]) < 0.016


def test_bernoulli_rate_within_binomial_tolerance():
    n, p = 400_000, 0.013
    hits = Streams(5)["y"].bernoulli(np.arange(n, dtype=np.uint64), p, month=1).sum()
    assert abs(hits - n * p) < 5 * np.sqrt(n * p * (1 - p))


def test_derived_keys_are_unique():
    parents = np.arange(300_000, dtype=np.uint64)
    kids = Streams(9)["births"].keys(parents, month=4, k=1)
    assert np.unique(kids).size == kids.size


def test_generator_fixed_by_stream_and_month():
    s = Streams(11)["in_migration"]
    assert s.generator(4).random() == s.generator(4).random()
    assert s.generator(4).random() != s.generator(5).random()


def test_seed_out_of_range_rejected():
    with pytest.raises(ValueError, match="seed"):
        Streams(-1)


@pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="Numba is not installed")
def test_compiled_seed_words_are_numpys_seedsequence_words():
    """The compiled SeedSequence gives NumPy's words for any 64-bit salt.

    Both ends of the range, salts of one 32-bit word and of two, and thousands drawn.
    """
    rng = np.random.default_rng(4)
    salts = [0, 1, 2**32 - 1, 2**32, 2**63, 2**64 - 1]
    salts += [int(x) for x in rng.integers(0, 2**64, 3000, dtype=np.uint64)]
    salts += [int(x) for x in rng.integers(0, 2**32, 500, dtype=np.uint64)]
    for salt in salts:
        words = kernels._seed_words(np.uint64(salt))
        assert words.dtype == np.uint64
        assert np.array_equal(words, np.random.SeedSequence(salt).generate_state(4, np.uint64))


@pytest.mark.parametrize("compiled", [True, False])
def test_a_streams_generator_is_numpys_pcg64_of_its_salt(compiled, monkeypatch):
    """State, draws and children spawned (twice in a row) as ``PCG64(salt)`` gives them."""
    if compiled and not kernels.HAVE_NUMBA:
        pytest.skip("Numba is not installed")
    monkeypatch.setattr(kernels, "USE_NUMBA", compiled)
    stream = Streams(3)["mortality"]
    for month, k in ((0, 0), (37, 3), (480, 9)):
        ours, numpys = (
            stream.generator(month, k),
            np.random.Generator(np.random.PCG64(stream._salt(month, k))),
        )
        assert ours.bit_generator.state == numpys.bit_generator.state
        assert np.array_equal(ours.random(5), numpys.random(5))
        for _ in range(2):
            ours_children, numpys_children = ours.spawn(2), numpys.spawn(2)
            for a, b in zip(ours_children, numpys_children, strict=True):
                assert a.bit_generator.state == b.bit_generator.state
    # Any other request of the seed goes to NumPy's own SeedSequence.
    seed = _HashedSeed(2**40 + 5)
    assert np.array_equal(
        seed.generate_state(3), np.random.SeedSequence(2**40 + 5).generate_state(3)
    )
