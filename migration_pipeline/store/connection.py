"""Short DuckDB connections serialized across threads and processes by a file lock next to the database.

DuckDB lets one process at a time open a file (even read-only). Every connection to the store's file is opened
here, inside `filelock.FileLock(<db path>.lock)`, and closed before the lock is released, so concurrent steps,
runs and threads queue for a few milliseconds instead of failing with "Could not set lock on file".
Hold a connection only for the DuckDB work itself: never while waiting on the network or a rate limiter.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import filelock

DEFAULT_LOCK_TIMEOUT_S = 600.0

# The file lock keeps our own processes apart; these retries only cover a foreign process (a DuckDB CLI or a
# notebook) that opened the file without taking the lock, for a moment.
_OPEN_ATTEMPTS = 5
_OPEN_FIRST_DELAY_S = 0.1


class StoreLockTimeout(TimeoutError):
    """The store's file lock was not acquired within the timeout: another step held it for too long."""


def lock_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".lock")


@contextmanager
def locked_connection(
    db_path: Path, *, lock_timeout_s: float = DEFAULT_LOCK_TIMEOUT_S
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Take the file lock, open `db_path`, yield the connection, then close it and release the lock."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(lock_path(db_path)), timeout=lock_timeout_s)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise StoreLockTimeout(
            f"could not lock the DuckDB store {db_path} within {lock_timeout_s:g} s: another step or run "
            f"kept it busy (lock file {lock.lock_file})"
        ) from exc
    try:
        con = _open(db_path)
        try:
            yield con
        finally:
            con.close()
    finally:
        lock.release()


def _open(db_path: Path) -> duckdb.DuckDBPyConnection:
    delay = _OPEN_FIRST_DELAY_S
    for attempt in range(1, _OPEN_ATTEMPTS + 1):
        try:
            return duckdb.connect(str(db_path))
        except duckdb.IOException:
            if attempt == _OPEN_ATTEMPTS:
                raise
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")
