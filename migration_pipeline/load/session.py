"""A load session: the single writer to Ashby for this data folder (a file lock), the ledger rows it needs,
its journal, and folds of the journal into DuckDB at the start (what a crashed run left), every
`fold_every_s` seconds while it runs, and at the end."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from migration_pipeline.ashby.client import AshbyClient
from migration_pipeline.load.engine import LiveLedger, LoadContext
from migration_pipeline.store import Store
from migration_pipeline.store import ledger as ledger_store
from migration_pipeline.store.journal import Journal, fold_journals

LOCK_WAIT_S = 600.0


class LoadBusy(RuntimeError):
    """Another load holds this data folder's Ashby writer lock."""


@dataclass(frozen=True)
class SessionPaths:
    data_dir: Path

    @property
    def journals(self) -> Path:
        return self.data_dir / "journal"

    @property
    def lock(self) -> Path:
        return self.data_dir / "state" / "ashby-writer.lock"


def fold(store: Store, data_dir: Path, keep: Iterable[Path] = ()) -> int:
    return fold_journals(store, SessionPaths(data_dir).journals, keep=frozenset(keep))


class _Folder(threading.Thread):
    def __init__(self, store: Store, data_dir: Path, journal: Journal, every_s: float) -> None:
        super().__init__(daemon=True, name="ledger-fold")
        self.store, self.data_dir, self.journal, self.every_s = store, data_dir, journal, every_s
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every_s):
            fold(self.store, self.data_dir, keep=[self.journal.path])


@contextmanager
def load_session(
    store: Store,
    data_dir: Path,
    client: AshbyClient,
    run_id: str,
    *,
    dry_run: bool = False,
    fold_every_s: float = 30.0,
    lock_wait_s: float = LOCK_WAIT_S,
) -> Iterator[LoadContext]:
    paths = SessionPaths(data_dir)
    paths.lock.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(paths.lock))
    try:
        lock.acquire(timeout=lock_wait_s)
    except Timeout:
        raise LoadBusy(f"another load is writing to Ashby from {data_dir} (lock {paths.lock})") from None
    try:
        fold(store, data_dir)
        with store.connect() as con:
            rows = ledger_store.read_rows(con)
        if dry_run:
            yield LoadContext(client, LiveLedger(rows, None), dry_run=True)
            return
        with Journal(paths.journals, run_id) as journal:
            folder = _Folder(store, data_dir, journal, fold_every_s)
            folder.start()
            try:
                yield LoadContext(client, LiveLedger(rows, journal))
            finally:
                folder.stopped.set()
                folder.join()
        fold(store, data_dir)
    finally:
        lock.release()
