"""Compiled kernels for loops over every resident, each with a pure NumPy twin.

A month makes many passes over the town's columns; where one pass per resident is the
natural form of a rule (a hash, a choice by where a draw falls), a loop compiled with
Numba does it in one sweep instead of a dozen NumPy temporaries. Every kernel here has
a NumPy path that gives **bit-identical** results (integer arithmetic, and the same
floating-point operations in the same order and precision); ``tests/test_kernels.py``
checks both paths against each other.

The path is chosen by :data:`USE_NUMBA`: on when Numba imports and the environment
variable ``KYOSEI_NUMBA`` is not ``0``. Random draws stay where they were: the kernels
receive the uniforms (or compute the same counter-based hash as :mod:`model.streams`),
so no stream changes its draws or their order. Kernels are compiled on first use and
cached on disk (``cache=True``), so a process pays the compilation once per machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

try:  # Numba is a runtime dependency; without it (or with KYOSEI_NUMBA=0) NumPy runs.
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - Numba is installed with Kyosei
    HAVE_NUMBA = False

#: Whether the compiled kernels run (else their NumPy twins). Tests may flip it.
USE_NUMBA = HAVE_NUMBA and os.environ.get("KYOSEI_NUMBA", "1") != "0"

# SplitMix64 finaliser (model.streams): constants and shifts.
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)
SHIFT1, SHIFT2, SHIFT3 = np.uint64(30), np.uint64(27), np.uint64(31)
MANTISSA_SHIFT = np.uint64(11)  # 64 - 53 bits: the top 53 bits make the uniform
TO_UNIT = 1.0 / float(1 << 53)


def jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` compiled (lazily, cached on disk) when Numba is there, else ``fn`` itself.

    Mechanism modules decorate their own loops with it and pick the path at call time
    with ``kernels.USE_NUMBA`` (read as a module attribute, so tests can flip it).
    """
    return njit(cache=True, nogil=True)(fn) if HAVE_NUMBA else fn


# ---- the stream hash ------------------------------------------------------------------
def mix_numpy(keys: np.ndarray, salt: np.uint64) -> np.ndarray:
    """SplitMix64 of ``keys + salt`` (uint64, wrapping), in NumPy passes."""
    z = keys + salt  # new array; uint64 arithmetic wraps by design
    z *= GOLDEN
    tmp = z >> SHIFT1
    z ^= tmp
    z *= MIX1
    np.right_shift(z, SHIFT2, out=tmp)
    z ^= tmp
    z *= MIX2
    np.right_shift(z, SHIFT3, out=tmp)
    z ^= tmp
    return z


@jit
def _mix_loop(keys: np.ndarray, salt: np.uint64, out: np.ndarray) -> None:
    for i in range(keys.size):
        z = (keys[i] + salt) * GOLDEN
        z = (z ^ (z >> SHIFT1)) * MIX1
        z = (z ^ (z >> SHIFT2)) * MIX2
        out[i] = z ^ (z >> SHIFT3)


@jit
def _uniform_loop(keys: np.ndarray, salt: np.uint64, out: np.ndarray) -> None:
    for i in range(keys.size):
        z = (keys[i] + salt) * GOLDEN
        z = (z ^ (z >> SHIFT1)) * MIX1
        z = (z ^ (z >> SHIFT2)) * MIX2
        z = z ^ (z >> SHIFT3)
        out[i] = np.float64(z >> MANTISSA_SHIFT) * TO_UNIT


def _compiled(keys: np.ndarray) -> bool:
    return USE_NUMBA and keys.dtype == np.uint64 and keys.ndim == 1


def mix(keys: np.ndarray, salt: int) -> np.ndarray:
    """Hash uint64 ``keys`` with a 64-bit ``salt`` into well-mixed uint64 values."""
    s = np.uint64(salt)
    if not _compiled(keys):
        return mix_numpy(keys, s)
    out = np.empty(keys.size, np.uint64)
    _mix_loop(keys, s, out)
    return out


def uniform(keys: np.ndarray, salt: int) -> np.ndarray:
    """Uniform [0, 1) from the top 53 bits of :func:`mix` (one per key)."""
    s = np.uint64(salt)
    if not _compiled(keys):
        z = mix_numpy(keys, s)
        z >>= MANTISSA_SHIFT
        return z * TO_UNIT
    out = np.empty(keys.size, np.float64)
    _uniform_loop(keys, s, out)
    return out


# ---- ties: one month of loss and formation ---------------------------------------------
def tie_changes_numpy(
    ties: np.ndarray,
    gain: np.ndarray,
    loss: np.ndarray,
    u: np.ndarray,
    alive: np.ndarray,
    loss_max: np.float32,
    max_ties: int,
) -> None:
    """Lose or gain at most one tie per living resident, in place (see ``ties.update``).

    ``gain`` and ``loss`` are the float32 rates by kind (kinds × n): a resident loses a
    tie when ``u`` falls below the total loss hazard (capped at ``loss_max``) and gains
    one when it falls in the top ``total gain`` of [0, 1); the kind is where ``u`` falls
    within the kinds' shares of the total.
    """
    n_kinds = ties.shape[0]
    p_loss = ties[0] * loss[0]
    total_gain = gain[0].copy()
    for k in range(1, n_kinds):
        p_loss += ties[k] * loss[k]
        total_gain += gain[k]
    np.minimum(p_loss, loss_max, out=p_loss)
    p_gain = np.minimum(total_gain, np.float32(1.0) - p_loss)
    lose = np.flatnonzero(alive & (u < p_loss))
    win = np.flatnonzero(alive & (u >= np.float32(1.0) - p_gain))
    if lose.size:
        h = (ties[:, lose] * loss[:, lose]).astype(np.float64)
        pos = u[lose] / p_loss[lose] * h.sum(axis=0)
        kind = np.minimum((np.cumsum(h, axis=0) <= pos).sum(axis=0), n_kinds - 1)
        ties[kind, lose] -= (ties[kind, lose] > 0).astype(ties.dtype)
    if win.size:
        g = gain[:, win].astype(np.float64)
        pos = (1.0 - u[win]) / p_gain[win] * g.sum(axis=0)
        kind = np.minimum((np.cumsum(g, axis=0) <= pos).sum(axis=0), n_kinds - 1)
        ties[kind, win] = np.minimum(ties[kind, win] + 1, max_ties)


@jit
def _tie_changes_loop(
    ties: np.ndarray,
    gain: np.ndarray,
    loss: np.ndarray,
    u: np.ndarray,
    alive: np.ndarray,
    loss_max: np.float32,
    max_ties: int,
) -> None:
    n_kinds, n = ties.shape
    one = np.float32(1.0)
    for i in range(n):
        p_loss = np.float32(ties[0, i]) * loss[0, i]
        total_gain = gain[0, i]
        for k in range(1, n_kinds):
            p_loss += np.float32(ties[k, i]) * loss[k, i]
            total_gain += gain[k, i]
        p_loss = min(p_loss, loss_max)
        p_gain = min(total_gain, one - p_loss)
        if not alive[i]:
            continue
        ui = u[i]
        if ui < p_loss:
            s = np.float64(np.float32(ties[0, i]) * loss[0, i])
            for k in range(1, n_kinds):
                s += np.float64(np.float32(ties[k, i]) * loss[k, i])
            pos = ui / np.float64(p_loss) * s
            c = 0.0
            kind = 0
            for k in range(n_kinds):
                c += np.float64(np.float32(ties[k, i]) * loss[k, i])
                if c <= pos:
                    kind += 1
            kind = min(kind, n_kinds - 1)
            if ties[kind, i] > 0:
                ties[kind, i] -= 1
        if ui >= np.float64(one - p_gain):
            s = np.float64(gain[0, i])
            for k in range(1, n_kinds):
                s += np.float64(gain[k, i])
            pos = (1.0 - ui) / np.float64(p_gain) * s
            c = 0.0
            kind = 0
            for k in range(n_kinds):
                c += np.float64(gain[k, i])
                if c <= pos:
                    kind += 1
            kind = min(kind, n_kinds - 1)
            ties[kind, i] = min(ties[kind, i] + 1, max_ties)


def tie_changes(
    ties: np.ndarray,
    gain: np.ndarray,
    loss: np.ndarray,
    u: np.ndarray,
    alive: np.ndarray,
    loss_max: float,
    max_ties: int,
) -> None:
    """Lose or gain at most one tie per living resident, in place (compiled or NumPy)."""
    cap = np.float32(loss_max)
    if USE_NUMBA:
        _tie_changes_loop(ties, gain, loss, u, alive, cap, max_ties)
    else:
        tie_changes_numpy(ties, gain, loss, u, alive, cap, max_ties)
