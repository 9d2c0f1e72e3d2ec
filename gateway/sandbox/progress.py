"""A progress bar on standard error, drawn by hand (no dependency for one line of output)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, total: int, *, enabled: bool, label: str = "seeding", stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.enabled = enabled
        self.label = label
        self.stream = stream or sys.stderr
        self.width = width
        self.done = 0
        self.rows = 0
        self.started = time.perf_counter()

    def advance(self, *, rows: int, steps: int = 1) -> None:
        self.done = min(self.done + steps, self.total)
        self.rows += rows
        self._draw()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled:
            return
        filled = self.width * self.done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\r{self.label} [{bar}] {100 * self.done // self.total:3d}%  {self.rows:,} rows  {elapsed:.1f} s")
        self.stream.flush()
