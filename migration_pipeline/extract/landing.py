"""Where fetched data lands before DuckDB sees it, and the checkpoints that let a killed extraction resume.

A list stream lands page by page (`page-000001.jsonl` ...) with a checkpoint holding the offset token of
the next page; a partition lands one file per opportunity holding all of that opportunity's records.
Every file is written whole (temporary file, then rename), so after `kill -9` at any instant a landing is
either complete or absent, and a re-run fetches only what is missing. Landed data is folded into
DuckDB in short writes and the landing is then marked folded; the next extraction starts afresh.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from migration_pipeline.atomic import write_atomic


@dataclass
class Checkpoint:
    next_offset: str | None = None
    pages: int = 0
    complete: bool = False


class ListLanding:
    """The pages of one list stream (optionally within a partition)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._checkpoint_path = root / "checkpoint.json"

    def checkpoint(self) -> Checkpoint:
        if not self._checkpoint_path.exists():
            return Checkpoint()
        return Checkpoint(**json.loads(self._checkpoint_path.read_text(encoding="utf-8")))

    def start(self) -> Checkpoint:
        """Resume an unfinished landing; start afresh when the last one completed (and was folded)."""
        checkpoint = self.checkpoint()
        if checkpoint.complete or not self.root.exists():
            self.clear()
            return Checkpoint()
        return checkpoint

    def add_page(self, items: list[dict[str, Any]], next_offset: str | None) -> None:
        checkpoint = self.checkpoint()
        number = checkpoint.pages + 1
        write_atomic(self.root / f"page-{number:06d}.jsonl", "".join(json.dumps(i) + "\n" for i in items))
        done = next_offset is None
        write_atomic(self._checkpoint_path, json.dumps(Checkpoint(next_offset, number, False).__dict__))
        if done:
            self.finish_landing()

    def finish_landing(self) -> None:
        checkpoint = self.checkpoint()
        write_atomic(self._checkpoint_path, json.dumps({**checkpoint.__dict__, "next_offset": None}))
        (self.root / "landed").touch()

    @property
    def landed(self) -> bool:
        return (self.root / "landed").exists()

    def records(self) -> Iterator[dict[str, Any]]:
        for page in sorted(self.root.glob("page-*.jsonl")):
            with page.open(encoding="utf-8") as handle:
                for line in handle:
                    if line.strip():
                        yield json.loads(line)

    def mark_folded(self) -> None:
        checkpoint = self.checkpoint()
        write_atomic(self._checkpoint_path, json.dumps({**checkpoint.__dict__, "complete": True}))

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)


class PartitionLanding:
    """The per-opportunity records of one partition: one file per opportunity, written when all of its
    sub-resources have been fetched."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def start(self) -> None:
        if (self.root / "folded").exists():
            shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, opportunity_id: str) -> Path:
        return self.root / f"opp-{opportunity_id}.json"

    def has(self, opportunity_id: str) -> bool:
        return self._path(opportunity_id).exists()

    def add(self, opportunity_id: str, records: dict[str, list[dict[str, Any]]], extra: dict[str, Any]) -> None:
        write_atomic(self._path(opportunity_id), json.dumps({"records": records, **extra}))

    def items(self) -> Iterator[tuple[str, Callable[[], dict[str, Any]]]]:
        """(opportunity id, a function reading its records): nothing is read until asked for."""
        for path in sorted(self.root.glob("opp-*.json")):
            yield path.stem.removeprefix("opp-"), lambda path=path: json.loads(path.read_text(encoding="utf-8"))

    def mark_folded(self) -> None:
        (self.root / "folded").touch()


class Session:
    """One logical extraction (a Dagster run and its retries, or one `extract_all` until it finishes):
    the units it completed are not fetched again when it is resumed after a crash."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _done(self) -> set[str]:
        if not self.path.exists():
            return set()
        return set(self.path.read_text(encoding="utf-8").split())

    def is_done(self, unit: str) -> bool:
        return unit in self._done()

    def mark_done(self, unit: str) -> None:
        write_atomic(self.path, "\n".join(sorted(self._done() | {unit})) + "\n")


class Landing:
    """The landing area of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "landing" / "lever"

    def session(self, session_id: str) -> Session:
        return Session(self.root / "_sessions" / f"{session_id}.done")

    def open_session(self) -> tuple[str, Session]:
        """The unfinished standalone session to resume, or a new one."""
        current = self.root / "_sessions" / "current"
        if current.exists():
            session_id = current.read_text(encoding="utf-8").strip()
        else:
            session_id = f"s{int(time.time() * 1000)}"
            write_atomic(current, session_id)
        return session_id, self.session(session_id)

    def close_session(self) -> None:
        (self.root / "_sessions" / "current").unlink(missing_ok=True)

    def list_stream(self, stream: str, partition: str | None = None) -> ListLanding:
        return ListLanding(self.root / stream / (partition or "_all"))

    def partition(self, partition: str) -> PartitionLanding:
        return PartitionLanding(self.root / "_partitions" / partition)
