"""Progress a person can follow: per phase, done / total, rate and ETA, printed at most every few seconds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from migration_pipeline.load.engine import LoadStats

Printer = Callable[[str], None]


class Progress:
    def __init__(self, printer: Printer = print, every_s: float = 3.0) -> None:
        self.printer = printer
        self.every_s = every_s
        self._lock = threading.Lock()
        self.phase, self.total, self.done = "", 0, 0
        self.started = self.last = 0.0

    def start(self, phase: str, total: int) -> Callable[[str], None]:
        self.phase, self.total, self.done = phase, total, 0
        self.started = self.last = time.monotonic()
        self.printer(f"{phase}: {total} to check")
        return self.step

    def step(self, outcome: str) -> None:
        with self._lock:
            self.done += 1
            now = time.monotonic()
            if now - self.last >= self.every_s:
                self.last = now
                self.printer(self.line(now))

    def line(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-6)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate else float("inf")
        percent = 100 * self.done / self.total if self.total else 100
        return f"  {self.phase}: {self.done}/{self.total} ({percent:.0f}%), {rate:.1f}/s, ETA {eta:.0f} s"

    def finish(self, stats: LoadStats) -> None:
        elapsed = time.monotonic() - self.started
        outcomes = ", ".join(f"{n} {k}" for k, n in sorted(stats.outcomes.items())) or "nothing to do"
        self.printer(f"  {self.phase}: {outcomes} in {elapsed:.1f} s")
