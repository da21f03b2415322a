"""A token bucket shared by every thread, process and concurrent run on the machine that uses one API key
(Lever's and Ashby's clients each keep one per key; neither client imports the other).

The bucket's state (tokens, last refill) lives in `state_dir/<name>.json`, read and written under a
`filelock.FileLock` (plus a per-process thread lock, so threads queue in memory rather than on the
file). The lock is held for a read, a little arithmetic and a write of a tiny file; nobody sleeps
while holding it.

`acquire()` reserves a token at once (the count may go below zero) and then sleeps, outside the
lock, until that reservation comes due. Callers are therefore served in the order they asked, with
one lock round-trip each, and the aggregate rate never exceeds `rate` beyond the initial `burst`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from filelock import FileLock

# Lever's documented budget (the first user of the bucket); other APIs pass their own rate and burst.
DEFAULT_RATE = 10.0
DEFAULT_BURST = 20
STATE_DIR_ENV = "MIGRATION_PIPELINE_RATE_STATE_DIR"

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _reset_locks_after_fork() -> None:
    # A lock held by another thread at fork time would never be released in the child.
    global _process_locks_guard
    _process_locks_guard = threading.Lock()
    _process_locks.clear()


os.register_at_fork(after_in_child=_reset_locks_after_fork)


def _thread_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        lock = _process_locks.get(path)
        if lock is None:
            lock = _process_locks[path] = threading.Lock()
        return lock


def default_state_dir() -> Path:
    """Where buckets live when no directory is given: `$MIGRATION_PIPELINE_RATE_STATE_DIR`, else a
    per-user folder in the system temp directory (shared by every run of that user on the machine)."""
    configured = os.environ.get(STATE_DIR_ENV)
    if configured:
        return Path(configured)
    user = os.environ.get("USER") or os.environ.get("USERNAME") or str(os.getuid() if hasattr(os, "getuid") else "")
    return Path(tempfile.gettempdir()) / f"migration-pipeline-ratelimit-{user}"


def fingerprint(secret: str, prefix: str = "lever") -> str:
    """A file-name-safe label for a key: a short hash, never the key."""
    return f"{prefix}-" + hashlib.sha256(secret.encode()).hexdigest()[:16]


class SharedTokenBucket:
    """`rate` tokens a second, at most `burst` saved up, shared through `state_dir/<name>.json`."""

    def __init__(
        self,
        name: str,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        state_dir: Path | str | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        if burst < 1:
            raise ValueError("burst must be >= 1")
        if not name or any(c in name for c in "/\\") or name.startswith("."):
            raise ValueError("name must be a plain file name (a key fingerprint)")
        self.name = name
        self.rate = float(rate)
        self.burst = int(burst)
        self.state_dir = Path(state_dir) if state_dir is not None else default_state_dir()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.state_dir / f"{name}.json"
        self._tmp_path = self.state_dir / f"{name}.json.tmp"
        self._lock_path = str(self.state_dir / f"{name}.json.lock")
        self._file_lock: FileLock | None = None
        self._file_lock_pid = -1

    def __repr__(self) -> str:
        return (
            f"SharedTokenBucket(name={self.name!r}, rate={self.rate}, burst={self.burst}, "
            f"state_dir={str(self.state_dir)!r})"
        )

    # ---- public ------------------------------------------------------------------------------------

    def acquire(self) -> float:
        """Take one token, sleeping until it is due. Returns the seconds waited."""
        wait = self._reserve()
        if wait > 0:
            time.sleep(wait)
        return wait

    def drain(self, seconds: float = 0.0) -> None:
        """Spend the saved-up burst (and `seconds` more of budget): after a 429, every user of the key
        slows to the steady rate at once instead of each finding out with a 429 of its own."""
        with self._locked():
            tokens, last = self._refilled(*self._read())
            self._write(min(tokens, -seconds * self.rate), last)

    def tokens(self) -> float:
        """The current count (negative while reservations are outstanding); for tests and metrics."""
        with self._locked():
            tokens, _ = self._refilled(*self._read())
            return tokens

    # ---- internals ---------------------------------------------------------------------------------

    def _reserve(self) -> float:
        with self._locked():
            tokens, last = self._refilled(*self._read())
            tokens -= 1.0
            self._write(tokens, last)
        return 0.0 if tokens >= 0 else -tokens / self.rate

    def _refilled(self, tokens: float, last: float) -> tuple[float, float]:
        now = time.time()
        if now < last:  # the wall clock went back: no refill, restart the count from now
            return tokens, now
        return min(float(self.burst), tokens + (now - last) * self.rate), now

    def _read(self) -> tuple[float, float]:
        try:
            state = json.loads(self.path.read_bytes())
            return float(state["tokens"]), float(state["last"])
        except FileNotFoundError:
            return float(self.burst), time.time()
        except (ValueError, KeyError, TypeError):
            return 0.0, time.time()  # unreadable: start empty, the safe side

    def _write(self, tokens: float, last: float) -> None:
        self._tmp_path.write_text(json.dumps({"tokens": round(tokens, 6), "last": last}))
        os.replace(self._tmp_path, self.path)

    @contextlib.contextmanager
    def _locked(self):  # type: ignore[no-untyped-def]
        pid = os.getpid()
        if self._file_lock is None or self._file_lock_pid != pid:
            self._file_lock = FileLock(self._lock_path, poll_interval=0.001)  # held for microseconds: poll fast
            self._file_lock_pid = pid
        with _thread_lock(self._lock_path), self._file_lock:
            yield
