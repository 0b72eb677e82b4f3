"""A progress bar for sweeps: runs done, failures and time left (tqdm, on stderr)."""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm

from .run import FAILED, LOST, RunResult


class Progress:
    """Counts results and shows them; runs skipped as already done count from the start.

    Attributes:
        failed: Runs whose model raised.
        lost: Runs whose worker died (retried by the next sweep).
    """

    def __init__(
        self,
        total: int,
        skipped: int,
        desc: str,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
    ) -> None:
        self.failed = 0
        self.lost = 0
        # tqdm's ETA only counts what happens in this sweep: ``initial`` marks the
        # skipped runs as done without pretending they took no time.
        self._bar = tqdm(
            total=total,
            initial=skipped,
            desc=desc,
            unit="run",
            file=stream or sys.stderr,
            disable=not enabled,
            dynamic_ncols=True,
            mininterval=0.5,
        )
        self._refresh_postfix()

    def _refresh_postfix(self) -> None:
        self._bar.set_postfix(failed=self.failed, lost=self.lost, refresh=False)

    def update(self, result: RunResult) -> None:
        """Count one finished run."""
        if result.status == FAILED:
            self.failed += 1
        elif result.status == LOST:
            self.lost += 1
        self._refresh_postfix()
        self._bar.update(1)

    def close(self) -> None:
        """Finish the bar (leaves the final line on the terminal)."""
        self._bar.close()
