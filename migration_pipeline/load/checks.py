"""Loaded vs expected, per object type and scope: every item the plan expects is either done in the ledger
or failed with its reason; anything else (no ledger row, an intent without a result) is unexplained."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from migration_pipeline.load.engine import unique
from migration_pipeline.load.phases import PHASES, Phase, Scope
from migration_pipeline.store import Store
from migration_pipeline.store import ledger as ledger_store

FAILING_IDS_SHOWN = 100


@dataclass
class CheckResult:
    phase: str
    object_type: str
    expected: int = 0
    done: int = 0
    failed: int = 0
    errors_by_code: Counter = field(default_factory=Counter)
    failing_lever_ids: list[str] = field(default_factory=list)  # ids only, never names or emails
    unexplained_lever_ids: list[str] = field(default_factory=list)
    unexplained: int = 0

    @property
    def passed(self) -> bool:
        return self.unexplained == 0 and self.failed == 0

    def failing_sql(self, partitions: Sequence[str] | None) -> str:
        where = f"object_type = '{self.object_type}' AND status <> 'done'"
        if partitions is not None and self.object_type not in ORG_LEVEL:
            keys = ", ".join(f"'{p}'" for p in partitions)
            where += f" AND (partition_key IN ({keys}) OR partition_key IS NULL)"
        return f"SELECT * FROM ashby.ledger WHERE {where} ORDER BY lever_key"

    def as_metadata(self, partitions: Sequence[str] | None) -> dict[str, Any]:
        return {
            "expected": self.expected,
            "done": self.done,
            "failed": self.failed,
            "unexplained": self.unexplained,
            "errors_by_code": dict(self.errors_by_code),
            "failing_lever_ids": self.failing_lever_ids[:FAILING_IDS_SHOWN],
            "unexplained_lever_ids": self.unexplained_lever_ids[:FAILING_IDS_SHOWN],
            "failing_sql": self.failing_sql(partitions),
        }


# object types loaded once for the org (not per posting partition)
ORG_LEVEL = frozenset({"department", "location", "custom_field", "candidate", "tag"})


def check_phase(store: Store, phase: Phase, scope: Scope) -> CheckResult:
    with store.connect() as con:
        items = unique(phase.items(con, scope))
        rows = ledger_store.read_rows(con, [(i.object_type, i.lever_key) for i in items])
    object_type = items[0].object_type if items else phase.name
    result = CheckResult(phase.name, object_type, expected=len(items))
    for item in items:
        row = rows.get((item.object_type, item.lever_key))
        status = row["status"] if row else None
        if status == "done":
            result.done += 1
        elif status == "failed":
            result.failed += 1
            result.errors_by_code[row["last_error_code"] or "unknown"] += 1
            result.failing_lever_ids.append(item.lever_id)
        else:
            result.unexplained += 1
            result.unexplained_lever_ids.append(item.lever_id)
    return result


def check_all(store: Store, scope: Scope, phases: Sequence[Phase] | None = None) -> dict[str, CheckResult]:
    return {phase.name: check_phase(store, phase, scope) for phase in phases or PHASES}
