"""Will a town fit? A memory and time estimate, checked before any work starts.

A run holds every simulated resident in NumPy columns, so memory and time grow with
``population / scale``. The figures below were measured on this code (a national-like
town of 300,000 simulated residents: about 1.4 kB per resident after start-up and
0.9 µs per resident per simulated month, 25 µs per resident to build the town) and
carry a margin. A town that would not fit is refused with the estimate and the scale
that would fit, instead of failing with MemoryError after minutes of work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .parameters import ParameterError

MAX_AGENTS = 1_000_000  # simulated residents in one run (e.g. 横浜市, 3.77 M, at --scale 4)
BASE_BYTES = 250e6  # the Python process with NumPy, pandas and Mesa loaded
BYTES_PER_AGENT = 2_500.0  # measured ~1.4 kB, with margin for peaks while outputs are built
SECONDS_PER_AGENT_MONTH = 1.0e-6
SECONDS_PER_AGENT_BUILD = 3.0e-5
MEMORY_SHARE = 0.8  # leave a fifth of the available memory to everything else


@dataclass(frozen=True)
class Estimate:
    """What one run of a town needs."""

    agents: int
    bytes: float
    seconds: float

    def text(self) -> str:
        """E.g. ``"5,000,000 simulated residents: about 12.8 GB and 21 min"``."""
        return (
            f"{self.agents:,} simulated residents: about {self.bytes / 1e9:.1f} GB of memory "
            f"and {_duration(self.seconds)}"
        )


def estimate(population: int, scale: float, months: int = 240) -> Estimate:
    """Memory and time of one run of ``months`` months of a town of ``population`` people."""
    agents = max(1, round(population / scale))
    return Estimate(
        agents=agents,
        bytes=BASE_BYTES + BYTES_PER_AGENT * agents,
        seconds=agents * (SECONDS_PER_AGENT_BUILD + SECONDS_PER_AGENT_MONTH * months),
    )


def available_bytes() -> float | None:
    """Memory this machine can still give (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_fits(population: int, scale: float, months: int = 240, runs_at_once: int = 1) -> None:
    """Raise :class:`ParameterError` (field ``town.population``) if the town cannot fit.

    ``runs_at_once`` runs share the machine (a sweep's worker processes).
    """
    need = estimate(population, scale, months)
    free = available_bytes()
    too_many = need.agents > MAX_AGENTS
    too_big = free is not None and runs_at_once * need.bytes > MEMORY_SHARE * free
    if not (too_many or too_big):
        return
    limit = MAX_AGENTS
    if free is not None:
        per_run = MEMORY_SHARE * free / max(1, runs_at_once)
        limit = min(limit, max(1, int((per_run - BASE_BYTES) / BYTES_PER_AGENT)))
    fit = math.ceil(population / max(1, limit))
    where = f"{free / 1e9:.1f} GB free" if free is not None else "memory unknown"
    runs = f", × {runs_at_once} at once" if runs_at_once > 1 else ""
    raise ParameterError(
        "town.population",
        population,
        f"at most {limit:,} simulated residents per run; at scale {scale:g} this town has "
        f"{need.agents:,} (about {need.bytes / 1e9:.1f} GB, {_duration(need.seconds)}{runs}; "
        f"{where}): use --scale {fit} or more",
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
