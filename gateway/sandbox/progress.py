"""The progress of a seed on standard error, drawn by hand (no dependency for one line of output).

On a terminal one line is redrawn in place. Anywhere else (a CI log, a file)
carriage returns would pile every redraw onto one long line, so a plain line is
written each tenth of the way instead.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from typing import TextIO

SHOWN_TABLES = ("schools", "participants", "training_periods", "declarations")
LOG_LINES = 10


class ProgressBar:
    def __init__(
        self,
        total: int,
        *,
        enabled: bool,
        label: str = "seeding",
        stream: TextIO | None = None,
        width: int = 30,
        interactive: bool | None = None,
    ) -> None:
        self.total = max(total, 1)
        self.enabled = enabled
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.interactive = self.stream.isatty() if interactive is None else interactive
        self.done = 0
        self.started = time.perf_counter()
        self._logged_tenths = 0

    def advance(self, counts: Mapping[str, int], *, steps: int = 1) -> None:
        """``steps`` more done; ``counts`` are the rows written so far, by table."""
        self.done = min(self.done + steps, self.total)
        if not self.enabled:
            return
        if self.interactive:
            self.stream.write(f"\r{self._line(counts)}\x1b[K")
        else:
            tenths = LOG_LINES * self.done // self.total
            if tenths <= self._logged_tenths:
                return
            self._logged_tenths = tenths
            self.stream.write(f"{self._line(counts)}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.interactive:
            self.stream.write("\n")
            self.stream.flush()

    def _line(self, counts: Mapping[str, int]) -> str:
        filled = self.width * self.done // self.total
        elapsed = time.perf_counter() - self.started
        tables = "  ".join(f"{name.replace('_', ' ')} {counts.get(name, 0):,}" for name in SHOWN_TABLES)
        line = (
            f"{self.label} [{'#' * filled}{'-' * (self.width - filled)}] {100 * self.done // self.total:3d}%  "
            f"{tables}  (all tables {sum(counts.values()):,} rows)  {elapsed:.1f} s"
        )
        if 0 < self.done < self.total:
            line += f", about {elapsed * (self.total - self.done) / self.done:.0f} s to go"
        return line
