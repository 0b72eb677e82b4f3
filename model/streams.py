"""Named, independent random streams keyed by who draws, when, and for what.

Kyosei never uses a global random state. Every random decision belongs to a named
stream ("mortality", "births", "venue_join", ...). A draw is a pure function of

    (root seed, stream name, month, entity key, sub-draw index)

computed with the SplitMix64 finaliser (a counter-based generator in the sense of
Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3"). Because a draw
does not depend on how many other draws were made before it, nor on the position of
a resident in the arrays:

* the same seed gives bit-identical output on any machine and any worker count;
* switching on one policy does not reshuffle the draws of any other process, so
  scenario arms share their random numbers (common random numbers) and a minimal
  change gives a minimal difference;
* residents can be removed from the arrays (compaction) without disturbing anyone.

Draws that are not per entity (how many people move in this month) use a NumPy
``Generator`` seeded from the same three coordinates (seed, stream, month).
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import numpy as np
from numpy.random.bit_generator import ISpawnableSeedSequence

from . import kernels

_MASK64 = (1 << 64) - 1


def _mix_scalar(x: int) -> int:
    """SplitMix64 finaliser on a Python int (used for keys, not on hot paths)."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


@functools.lru_cache(maxsize=4096)
def _coordinate(month: int, k: int) -> int:
    """The hash of a draw's (month, sub-draw) coordinate, the same for every stream.

    Some eighty salts a month share a few dozen coordinates: kept, each is worked out once.
    """
    return _mix_scalar((month & 0xFFFFFFFF) << 16 | (k & 0xFFFF))


def mix(keys: np.ndarray, salt: int) -> np.ndarray:
    """Hash uint64 ``keys`` with a 64-bit ``salt`` into well-mixed uint64 values."""
    return kernels.mix(keys, salt)


def name_key(name: str) -> int:
    """A stable 64-bit key for a stream name (independent of Python's hash seed)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


class _HashedSeed(ISpawnableSeedSequence):
    """The seed ``salt`` as NumPy's SeedSequence would give it to ``PCG64``.

    PCG64 asks its seed for four uint64 words once; those come from
    :func:`kernels.seed_words`. Any other request, and spawning, go to a real
    SeedSequence of the salt, made on first need and kept (so children spawned one call
    after another are those of ``PCG64(salt)``).
    """

    __slots__ = ("_full", "salt")

    def __init__(self, salt: int) -> None:
        self.salt = salt
        self._full: np.random.SeedSequence | None = None

    @property
    def full(self) -> np.random.SeedSequence:
        """NumPy's own SeedSequence of the salt."""
        if self._full is None:
            self._full = np.random.SeedSequence(self.salt)
        return self._full

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        if n_words == kernels.SEED_WORDS and np.dtype(dtype) == np.uint64:
            return kernels.seed_words(self.salt)
        return self.full.generate_state(n_words, dtype)

    # NumPy's stubs want children of this class; those of the salt's SeedSequence are
    # what PCG64(salt) spawns, and spawning reads nothing else of its seed.
    def spawn(self, n_children: int) -> list[np.random.SeedSequence]:  # type: ignore[override]
        return self.full.spawn(n_children)


class Stream:
    """One named stream of a run: uniform draws addressed by (month, entity, index)."""

    __slots__ = ("_key", "name")

    def __init__(self, root_seed: int, name: str) -> None:
        self.name = name
        self._key = _mix_scalar(_mix_scalar(root_seed & _MASK64) ^ name_key(name))

    def _salt(self, month: int, k: int) -> int:
        return _mix_scalar(self._key ^ _coordinate(month, k))

    def uniform(self, keys: np.ndarray, month: int, k: int = 0) -> np.ndarray:
        """Uniform [0, 1) draws, one per entity key, for this month and sub-draw ``k``."""
        return kernels.uniform(keys, self._salt(month, k))

    def bernoulli(
        self, keys: np.ndarray, p: np.ndarray | float, month: int, k: int = 0
    ) -> np.ndarray:
        """Boolean draws with probability ``p`` (scalar or one per key)."""
        return self.uniform(keys, month, k) < p

    def keys(self, keys: np.ndarray, month: int, k: int = 0) -> np.ndarray:
        """New 64-bit identifiers derived from parent keys (e.g. a newborn from its mother)."""
        return mix(keys, self._salt(month, k))

    def generator(self, month: int, k: int = 0) -> np.random.Generator:
        """A NumPy generator for draws that are not per entity, fixed by (stream, month, k).

        ``PCG64(salt)``, seeded from its SeedSequence words computed compiled
        (:func:`kernels.seed_words`): the same generator in 3.4 µs rather than 8.7 µs.
        """
        # PCG64 takes any ISeedSequence at run time; NumPy's stubs name only SeedSequence.
        seed = _HashedSeed(self._salt(month, k))
        return np.random.Generator(np.random.PCG64(seed))  # type: ignore[arg-type]


class Streams:
    """The streams of one run, created on first use from the run's root seed."""

    def __init__(self, root_seed: int) -> None:
        if not 0 <= root_seed < 2**63:
            raise ValueError(f"seed must be an integer in [0, 2**63), got {root_seed}")
        self.root_seed = int(root_seed)
        self._streams: dict[str, Stream] = {}

    def __getitem__(self, name: str) -> Stream:
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = Stream(self.root_seed, name)
        return stream
