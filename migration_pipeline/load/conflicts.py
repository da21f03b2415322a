"""Before an update: did someone change the object in Ashby since we last wrote it?

A loader that tracks fields (`Loader.tracked`: the values it would write, `Loader.current`: Ashby's values now)
has what it last wrote kept in the ledger (`written`). For each field Lever changed since then:
- Ashby still holds what we wrote (or already holds the new value): written;
- Ashby holds something else (a recruiter moved the candidate): a conflict, settled by the policy —
  `report` writes nothing of the object and reports it (again on every sync, until someone settles it),
  `lever-wins` writes Lever's value, `ashby-wins` keeps Ashby's and writes the rest.
A field Lever did not change is never written, whatever Ashby holds.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Json = dict[str, Any]
ConflictPolicy = Literal["report", "lever-wins", "ashby-wins"]
POLICIES: tuple[str, ...] = ("report", "lever-wins", "ashby-wins")
RESOLUTION = {"report": "not written (reported)", "lever-wins": "Lever's value written", "ashby-wins": "Ashby's kept"}


@dataclass(frozen=True)
class Conflict:
    object_type: str
    lever_type: str
    lever_id: str
    ashby_id: str
    field: str
    lever_value: Any
    ashby_value: Any
    last_written: Any
    policy: str
    resolution: str

    def as_row(self) -> Json:
        row = asdict(self)
        for name in ("lever_value", "ashby_value", "last_written"):
            row[name] = json.dumps(row[name], default=str)
        return row


@dataclass
class ConflictLog:
    """The conflicts met by one load (shared by its threads)."""

    items: list[Conflict] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, found: list[Conflict]) -> None:
        with self._lock:
            self.items.extend(found)


@dataclass(frozen=True)
class UpdateDecision:
    fields: frozenset[str]  # what to write
    conflicts: list[Conflict]
    skip: bool  # report policy with a conflict: write nothing of this object


def parse_written(value: Any) -> Json | None:
    if value is None:
        return None
    return json.loads(value) if isinstance(value, str) else dict(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip().casefold() == b.strip().casefold()
    return a == b


def decide(
    new: Json, written: Json | None, current: Json, policy: str, lineage: tuple[str, str, str, str]
) -> UpdateDecision:
    """What to write of `new`, given what we last wrote and what Ashby holds now.
    `lineage` is (object type, Lever type, Lever id, Ashby id), for the conflict rows."""
    if policy not in POLICIES:
        raise ValueError(f"conflict policy must be one of {', '.join(POLICIES)}, not {policy!r}")
    fields: set[str] = set()
    conflicts: list[Conflict] = []
    for name, value in new.items():
        now = current.get(name)
        if _same(now, value):
            continue  # Ashby already holds it (also: our own update, answered but lost before a crash)
        known = written is not None and name in written
        last = written.get(name) if written is not None else None
        if known and _same(value, last):
            continue  # Lever did not change it: whatever Ashby holds stays
        if known and not _same(now, last):
            conflicts.append(Conflict(*lineage, name, value, now, last, policy, RESOLUTION[policy]))
            if policy != "lever-wins":
                continue
        fields.add(name)
    return UpdateDecision(frozenset(fields), conflicts, skip=bool(conflicts) and policy == "report")
