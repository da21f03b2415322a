"""The load's journal: one append-only JSON-lines file per loader process, each line fsync'd before the call
it announces (an intent) or after the answer it records (a result). `fold_journals` moves new lines into the
ledger; a line cut short by a crash has no newline and is ignored (its call was never made)."""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from migration_pipeline.store import ledger
from migration_pipeline.store.duckdb_store import Store

SUFFIX = ".jsonl"


class Journal:
    """Append-only, thread-safe; `record` returns once the line is on disk."""

    def __init__(self, directory: Path, run_id: str) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self.path = directory / f"{stamp}-{uuid.uuid4().hex[:12]}{SUFFIX}"
        self.run_id = run_id
        self._lock = threading.Lock()
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held open for the loader's life

    def record(self, event: Mapping[str, Any]) -> None:
        line = json.dumps({"at": datetime.now(UTC).isoformat(), "run_id": self.run_id, **event}, default=str)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The complete lines of a journal (a torn last line, cut by a crash, is left out)."""
    text = path.read_text(encoding="utf-8")
    complete = text[: text.rfind("\n") + 1] if "\n" in text else ""
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


def fold_journals(store: Store, directory: Path, *, keep: frozenset[Path] = frozenset()) -> int:
    """Fold every journal in `directory` into the ledger; delete the fully folded ones not in `keep`."""
    if not directory.is_dir():
        return 0
    paths = sorted(directory.glob(f"*{SUFFIX}"))
    journals = {p: read_journal(p) for p in paths}
    with store.connect() as con:
        applied = ledger.fold(con, journals, ledger.folded_counts(con))
    for path in paths:
        if path not in keep:
            path.unlink(missing_ok=True)
    return applied
