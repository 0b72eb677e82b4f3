"""Seeds of an experiment, all derived from its one root seed.

Replicate *r* gets the same seed in every arm and at every design point: the model's
random streams are keyed by (seed, stream, month, resident), so arms that share a seed
share their random numbers (common random numbers) and their difference is the policy's
effect, not noise. A replicate's seed depends only on the root seed and *r* — never on
how many replicates there are — so a sweep can be extended without changing old runs.

Derivation uses NumPy's ``SeedSequence`` with a ``spawn_key`` per purpose, so replicate
seeds, the design sampler and the analysis bootstrap draw from independent streams.
"""

from __future__ import annotations

import numpy as np

_REPLICATE, _DESIGN, _BOOTSTRAP = 1, 2, 3


def replicate_seed(root_seed: int, replicate: int) -> int:
    """The model seed of replicate ``replicate`` (an int in [0, 2**63))."""
    seq = np.random.SeedSequence(root_seed, spawn_key=(_REPLICATE, replicate))
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))


def replicate_seeds(root_seed: int, n: int) -> list[int]:
    """Seeds of replicates 0 … n-1."""
    return [replicate_seed(root_seed, r) for r in range(n)]


def design_rng(root_seed: int) -> np.random.Generator:
    """The generator the design sampler draws from."""
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(_DESIGN,)))


def bootstrap_rng(root_seed: int) -> np.random.Generator:
    """The generator bootstrap intervals draw from (analysis is reproducible too)."""
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(_BOOTSTRAP,)))


def bootstrap_seed(root_seed: int) -> int:
    """A positive int seed for libraries that take an int (SALib: 0 means 'global state')."""
    return int(bootstrap_rng(root_seed).integers(1, 2**31 - 1))
