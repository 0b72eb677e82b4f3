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
cached on disk (``cache=True``), so a process pays the compilation once per machine;
the cache is stamped with the whole package's source (:func:`package_stamp`), so an
edit or an upgrade anywhere in ``model/`` never leaves a stale kernel in use.

The largest passes of a big town can use more than one core: :func:`over_spans` runs a
kernel over consecutive spans of residents in threads (the kernels release the GIL),
each span with its own outputs, which are then put together in span order. Each
resident's month in those kernels depends only on their own columns, so the results are
the same bytes whatever the number of threads (``tests/test_kernels_threads.py``).
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

try:  # Numba is a runtime dependency; without it (or with KYOSEI_NUMBA=0) NumPy runs.
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - Numba is installed with Kyosei
    HAVE_NUMBA = False

#: Whether the compiled kernels run (else their NumPy twins). Tests may flip it.
USE_NUMBA = HAVE_NUMBA and os.environ.get("KYOSEI_NUMBA", "1") != "0"


def _default_threads() -> int:
    """``KYOSEI_THREADS`` if set, else the cores this process may use."""
    text = os.environ.get("KYOSEI_THREADS", "").strip()
    if text:
        n = int(text) if text.isdigit() else 0
        if n < 1:
            raise ValueError(
                f"KYOSEI_THREADS={text!r}: expected a whole number of threads, 1 or more"
            )
        return n
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


#: Threads one run's largest passes may use (None: not read yet, see
#: :func:`threads_now`). A sweep runs its runs with 1 (its workers already fill the
#: cores, :func:`threads`). Results never depend on it.
THREADS: int | None = None


def threads_now() -> int:
    """The threads for the split passes: :data:`THREADS`, read on first use.

    A bad ``KYOSEI_THREADS`` raises ``ValueError`` here, naming the variable and what it
    may be (the command line checks it first and answers with exit code 2).
    """
    global THREADS
    if THREADS is None:
        THREADS = _default_threads()
    return THREADS


#: Residents from which a pass is split across threads. A hand-over to the pool costs
#: tens of microseconds, against a few nanoseconds a resident for these passes: a 20k
#: district's passes take 0.1-0.4 ms and gain nothing, Okazaki's (385k) take 4-8 ms.
SPLIT_FROM = 100_000

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None  # the process that made the pool
_pool_lock = threading.Lock()


@contextmanager
def threads(n: int) -> Iterator[None]:
    """Run the block with ``n`` threads for the split passes (restored after)."""
    global THREADS
    before, THREADS = THREADS, max(1, int(n))  # a None before is read again after
    try:
        yield
    finally:
        THREADS = before


def spans(n: int) -> list[tuple[int, int]]:
    """Consecutive ``[lo, hi)`` spans covering ``range(n)``: one per thread, or one."""
    parts = threads_now() if USE_NUMBA and n >= SPLIT_FROM else 1
    return [(n * k // parts, n * (k + 1) // parts) for k in range(parts)]


def over_spans(fn: Callable[..., Any], parts: list[tuple[int, int]], *args: Any) -> list[Any]:
    """``fn(lo, hi, *args)`` for each span, in threads; the results in span order.

    The last span runs in the calling thread, the others in a shared pool, so a single
    span costs nothing extra. ``fn`` must write only its own span's entries of shared
    arrays (or outputs of its own) for the result not to depend on the threads.
    """
    if len(parts) == 1:
        return [fn(parts[0][0], parts[0][1], *args)]
    global _pool, _pool_pid
    with _pool_lock:
        # A forked child inherits the pool but not its threads: it makes its own.
        if _pool is None or _pool._max_workers < len(parts) - 1 or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(len(parts) - 1, thread_name_prefix="kyosei-span")
            _pool_pid = os.getpid()
        pool = _pool
    futures = [pool.submit(fn, lo, hi, *args) for lo, hi in parts[:-1]]
    last = fn(parts[-1][0], parts[-1][1], *args)
    return [future.result() for future in futures] + [last]


def summed(parts: Sequence[np.ndarray]) -> np.ndarray:
    """The spans' own counts added up (integers: the order does not matter)."""
    return functools.reduce(np.add, parts)


def joined(parts: Sequence[np.ndarray]) -> np.ndarray:
    """The spans' own marks (booleans) joined: marked where any span marked."""
    return functools.reduce(np.logical_or, parts)


def packed(buffer: np.ndarray, parts: list[tuple[int, int]], lengths: list[int]) -> np.ndarray:
    """The lists the spans wrote from their own starts, one after the other in span order.

    Span ``k`` wrote ``lengths[k]`` entries from its ``lo`` on; they are moved to the
    front of ``buffer``, which is returned cut to their total length.
    """
    end = 0
    for (lo, _), length in zip(parts, lengths, strict=True):
        if lo != end:  # the first span's list is already in place
            buffer[end : end + length] = buffer[lo : lo + length]  # never ahead of it
        end += length
    return buffer[:end]


# NumPy sums a contiguous float64 row pairwise: blocks of up to PAIRWISE_BLOCK values in
# PAIRWISE_LANES running sums (numpy/_core/src/umath/loops_utils.h.src, pairwise_sum).
# Compiled loops that replace a NumPy sum add in the same order.
PAIRWISE_LANES = 8
PAIRWISE_BLOCK = 128

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
    if not HAVE_NUMBA:
        return fn
    _stamp_package_kernels()
    return njit(cache=True, nogil=True)(fn)


# ---- the on-disk cache, stamped with the whole package ------------------------------
# Numba checks a cached kernel against its own file only. A kernel also compiles in the
# module constants it reads from other files (OLD_AGE, the need fields, the age groups)
# and any kernel it calls from another file: after an edit or an upgrade that changed
# only those, Numba would load the old machine code, and the compiled path would quietly
# part from its NumPy twin. Kyosei's kernels are therefore stamped with a hash of every
# source file of the package: any change recompiles them all (about 11 s, once).
PACKAGE = Path(__file__).resolve().parent


def package_stamp() -> str:
    """SHA-256 of the package's source files as they are now (paths and contents).

    Every kernel is stamped when it is declared, so a kernel module imported after an
    edit gets the edited tree's stamp. The files are hashed again only when one of them
    changed size or time since the last stamp.
    """
    return _hashed(_source_files())


def _source_files() -> tuple[tuple[str, int, int], ...]:
    """The package's ``.py`` files: path, modification time (ns) and size of each.

    Hidden files and folders (an editor's lock link ``.#needs.py``, a notebook's
    ``.ipynb_checkpoints``) are not source, nor is ``__pycache__`` (where the kernels
    themselves are kept), nor anything that cannot be read.
    """
    found = []
    for folder, dirs, files in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:  # a dangling link, a file removed while listing
                continue
            relative = os.path.relpath(path, PACKAGE).replace(os.sep, "/")
            found.append((relative, st.st_mtime_ns, st.st_size))
    return tuple(found)


@functools.lru_cache(maxsize=8)
def _hashed(files: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    for relative, _, _ in files:
        digest.update(relative.encode() + b"\0")
        try:
            digest.update((PACKAGE / relative).read_bytes() + b"\0")
        except OSError:  # gone since it was listed: hashed as absent
            digest.update(b"\1")
    return digest.hexdigest()


def _in_package(py_file: str) -> bool:
    # Only real files: a prompt's "<ipython-input-…>" resolved from inside model/ is not.
    return (
        os.path.isabs(py_file)
        and os.path.isfile(py_file)
        and (Path(py_file).resolve().is_relative_to(PACKAGE))
    )


# The warning points at the module that declared the kernel: past this function and jit.
_WARN_AT_DECLARING_MODULE = 3


def _warn_unstamped(reason: str) -> None:
    warnings.warn(
        f"Kyosei's compiled kernels are checked by Numba's own rule only ({reason}): after "
        "editing model/, clear Numba's cache for it (model/__pycache__/*.nbi and *.nbc, or "
        "the same under NUMBA_CACHE_DIR)",
        RuntimeWarning,
        stacklevel=_WARN_AT_DECLARING_MODULE,
    )


@functools.cache
def _stamp_package_kernels() -> None:
    """Put package-stamped locators ahead of Numba's own, for this package's files only.

    Each of Numba's cache locators (its own directory or ``NUMBA_CACHE_DIR``, then the
    fallbacks) gets a twin that answers only for files of ``model/`` and stamps them
    with :func:`package_stamp`; every other file, in any library, keeps Numba's rule.
    This relies on ``numba.core.caching``; if a Numba release changes it, or
    ``NUMBA_CACHE_LOCATOR_CLASSES`` replaces the locators, a warning says so and the
    per-file rule applies.
    """
    try:
        from numba.core import caching, config

        if getattr(config, "CACHE_LOCATOR_CLASSES", ""):
            _warn_unstamped("NUMBA_CACHE_LOCATOR_CLASSES chooses the locators")
            return
        impl = caching.CompileResultCacheImpl
        # Numba's own locators (a reloaded kernels module finds its twins there too).
        defaults: list[type[object]] = [
            base for base in impl._locator_classes if not getattr(base, "kyosei_twin", False)
        ]
        stamped: list[type[object]] = [
            type(
                f"Kyosei{base.__name__.lstrip('_')}",
                (_PackageStamp, base),
                {"__module__": __name__, "kyosei_twin": True},
            )
            for base in defaults
        ]
        impl._locator_classes = stamped + defaults
    except Exception as exc:  # pragma: no cover - a future Numba
        _warn_unstamped(f"{type(exc).__name__}: {exc}")


class _PackageStamp:
    """Mixed into a Numba cache locator: this package's files only, the package's stamp."""

    def get_source_stamp(self) -> str:
        return package_stamp()

    @classmethod
    def from_function(cls, py_func: Callable[..., Any], py_file: str) -> Any:
        if not _in_package(py_file):
            return None  # another library's function: Numba's own locators take it
        return super().from_function(py_func, py_file)  # type: ignore[misc]  # Numba's


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
    if keys.size < SPLIT_FROM:  # most draws are a few residents': no spans to make
        _mix_loop(keys, s, out)
    else:
        _by_spans(_mix_loop, keys, s, out)
    return out


def uniform(keys: np.ndarray, salt: int) -> np.ndarray:
    """Uniform [0, 1) from the top 53 bits of :func:`mix` (one per key)."""
    s = np.uint64(salt)
    if not _compiled(keys):
        z = mix_numpy(keys, s)
        z >>= MANTISSA_SHIFT
        return z * TO_UNIT
    out = np.empty(keys.size, np.float64)
    if keys.size < SPLIT_FROM:  # most draws are a few residents': no spans to make
        _uniform_loop(keys, s, out)
    else:
        _by_spans(_uniform_loop, keys, s, out)
    return out


def _by_spans(
    loop: Callable[..., None], keys: np.ndarray, salt: np.uint64, out: np.ndarray
) -> None:
    """``loop(keys, salt, out)`` over the spans of ``keys``: each key's value is its own."""
    parts = spans(keys.size)
    if len(parts) == 1:
        loop(keys, salt, out)
        return
    over_spans(lambda lo, hi: loop(keys[lo:hi], salt, out[lo:hi]), parts)


# ---- seeding the NumPy generators of the streams --------------------------------------
# NumPy's SeedSequence (O'Neill's seed_seq hash) on one integer of up to 64 bits, as
# np.random.SeedSequence(salt).generate_state(4, np.uint64) computes it for PCG64: its
# constants, its pool of four 32-bit words, its shift. Everything is held in uint64 and
# cut to 32 bits after each product, which is 32-bit arithmetic.
_M32 = np.uint64(0xFFFFFFFF)
_SEED_INIT_A, _SEED_MULT_A = np.uint64(0x43B0D7E5), np.uint64(0x931E8875)
_SEED_INIT_B, _SEED_MULT_B = np.uint64(0x8B51F9DD), np.uint64(0x58F38DED)
_SEED_MIX_L, _SEED_MIX_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_SEED_SHIFT, _WORD = np.uint64(16), np.uint64(32)
_POOL = 4  # NumPy's default pool size, in 32-bit words
SEED_WORDS = 4  # the uint64 words PCG64 asks its seed for


def seed_words(salt: int) -> np.ndarray:
    """The four uint64 words NumPy's ``PCG64(salt)`` seeds itself from (``0 <= salt < 2**64``).

    Compiled, the words take about 1 µs rather than the 7 µs of NumPy's SeedSequence and
    its Python layers, and they are the same words (tested against SeedSequence on
    thousands of salts, both ends of the range included).
    """
    if not USE_NUMBA:
        return np.random.SeedSequence(salt).generate_state(SEED_WORDS, np.uint64)
    return _seed_words(np.uint64(salt))


@jit
def _hashmix(
    value: np.uint64, hash_const: np.uint64
) -> tuple[np.uint64, np.uint64]:  # pragma: no cover - compiled
    value ^= hash_const
    hash_const = (hash_const * _SEED_MULT_A) & _M32
    value = (value * hash_const) & _M32
    return value ^ (value >> _SEED_SHIFT), hash_const


@jit
def _seed_words(salt: np.uint64) -> np.ndarray:  # pragma: no cover - compiled
    # The salt's 32-bit words, low first. SeedSequence gives a salt below 2**32 one word
    # and pads the pool with zeros: the same as a zero high word here.
    entropy = (salt & _M32, salt >> _WORD)
    pool = np.zeros(_POOL, np.uint64)
    hash_const = _SEED_INIT_A
    for i in range(_POOL):
        word = entropy[i] if i < len(entropy) else np.uint64(0)
        pool[i], hash_const = _hashmix(word, hash_const)
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                hashed, hash_const = _hashmix(pool[src], hash_const)
                mixed = (_SEED_MIX_L * pool[dst] - _SEED_MIX_R * hashed) & _M32
                pool[dst] = mixed ^ (mixed >> _SEED_SHIFT)
    out = np.zeros(_POOL, np.uint64)
    hash_const = _SEED_INIT_B
    for i in range(2 * _POOL):  # eight 32-bit words, two to each uint64, low first
        word = pool[i % _POOL] ^ hash_const
        hash_const = (hash_const * _SEED_MULT_B) & _M32
        word = (word * hash_const) & _M32
        word ^= word >> _SEED_SHIFT
        out[i // 2] |= word << (_WORD * np.uint64(i % 2))
    return out


@jit
def grouped(
    found: np.ndarray, group: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Residents ``found`` (index order) by ``group[found]``, in order within each group.

    Returns them and the bounds (group ``g`` is ``[bounds[g], bounds[g + 1])``): a stable
    counting sort, what ``found[np.argsort(group[found], kind="stable")]`` gives.
    """
    counts = np.zeros(n_groups + 1, np.int64)
    for j in range(found.size):
        counts[group[found[j]] + 1] += 1
    bounds = np.cumsum(counts)
    fill = bounds[:-1].copy()
    out = np.empty(found.size, np.int64)
    for j in range(found.size):
        g = group[found[j]]
        out[fill[g]] = found[j]
        fill[g] += 1
    return out, bounds


# ---- counts per group ---------------------------------------------------------------
def count_by(groups: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Entries of ``mask`` per group (``groups[i]`` in ``[0, n)``), int64, length ``n``.

    ``np.bincount(groups[mask], minlength=n)`` without the selected copy: households'
    living members, children, adults — several a month over every resident.
    """
    if not USE_NUMBA:
        return np.bincount(groups[mask], minlength=n)
    # Not split across threads: two spans' own counts, zeroed and added up over every
    # household, cost more than the one loop saves (measured at Okazaki).
    return _count_by_loop(groups, mask, n)


@jit
def _count_by_loop(groups: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, np.int64)
    for i in range(groups.size):
        if mask[i]:
            out[groups[i]] += 1
    return out


# ---- dropping rows -------------------------------------------------------------------
def compress(row: np.ndarray, mask: np.ndarray) -> int:
    """Move the entries of ``row`` where ``mask`` holds to its front, in order; how many.

    What lies past them is left undefined. ``row[:k] = row[np.flatnonzero(mask)]``
    without the index array: the yearly compaction does it for every row of every column
    (Okazaki: some 55 rows of 385k).
    """
    if not USE_NUMBA:
        idx = np.flatnonzero(mask)
        row[: idx.size] = row[idx]
        return int(idx.size)
    return int(_compress_loop(row, mask))


@jit
def _compress_loop(row: np.ndarray, mask: np.ndarray) -> int:
    # Branch-free: every entry is written to the next free place, which moves on only if
    # it is kept (the place is never ahead of the entry, so nothing unread is
    # overwritten). About 2.5 times as fast as the gather, and than a loop with an ``if``.
    j = 0
    for i in range(row.size):
        row[j] = row[i]
        j += mask[i]
    return j
