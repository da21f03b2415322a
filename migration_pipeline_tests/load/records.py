"""Helpers of the record loader tests (notes, tags, field values, feedback, files): phase selections, the
canonical items a phase would load, the ledger's Ashby ids, and a crashed run's intent."""

from collections import Counter
from pathlib import Path
from typing import Any

from migration_pipeline.load.engine import Item, unique
from migration_pipeline.load.phases import PHASES, Phase, Scope
from migration_pipeline.sandbox.ashby.app import AshbySandboxConfig
from migration_pipeline.sandbox.ashby.rpc import TOGGLES, AshbyKey
from migration_pipeline.store import Store
from migration_pipeline.store.journal import Journal
from migration_pipeline_tests.load.conftest import KEY, PreparedAshby, load

NO_FAULTS = {"rate_lost_500": 0, "rate_drop": 0, "rate_500": 0}
# 30% of calls fail: a read after a lost answer then fails all 8 client attempts about once in 15,000 reads,
# which the engine would take for "not there" and write again (see test_feedback's strict xfail)
FAULTS = {"rate_lost_500": 0.2, "rate_drop": 0.05, "rate_500": 0.05, "seed": 11}


def through(name: str) -> list[Phase]:
    """The load's phases up to and including `name`, as a run of the whole load does them."""
    names = [p.name for p in PHASES]
    return PHASES[: names.index(name) + 1]


def only(*names: str) -> list[Phase]:
    return [p for p in PHASES if p.name in names]


def query(data_dir: Path, sql: str, params: list[Any] | None = None) -> list[tuple]:
    with Store(data_dir / "migration.duckdb").connect() as con:
        return con.execute(sql, params or []).fetchall()


def items_of(data_dir: Path, phase_name: str, scope: Scope | None = None) -> list[Item]:
    """The items the phase loads (distinct keys, as `run_phases` takes them)."""
    [phase] = only(phase_name)
    with Store(data_dir / "migration.duckdb").connect() as con:
        return unique(phase.items(con, scope or Scope()))


def ashby_ids(data_dir: Path, object_type: str) -> dict[str, str]:
    """Lever key -> Ashby id of the done ledger rows of one type."""
    sql = "SELECT lever_key, ashby_id FROM ashby.ledger WHERE object_type = ? AND status = 'done'"
    return dict(query(data_dir, sql, [object_type]))


def ledger_row(data_dir: Path, object_type: str, lever_key: str) -> dict[str, Any]:
    [row] = query(
        data_dir,
        """SELECT status, ashby_id, last_error_code, last_request_id, attempts FROM ashby.ledger
           WHERE object_type = ? AND lever_key = ?""",
        [object_type, lever_key],
    )
    return dict(zip(("status", "ashby_id", "code", "request_id", "attempts"), row, strict=True))


def crashed_intent(data_dir: Path, item: Item) -> None:
    """What a run killed between its intent and its result leaves: the intent in its journal."""
    with Journal(data_dir / "journal", "crashed-run") as journal:
        journal.record({**item.lineage(), "op": "intent", "payload_hash": item.payload_hash})


def key_without(prepared: PreparedAshby, toggle: str) -> None:
    """The prepared org again, its key lacking one per-key toggle (`private-fields`, ...)."""
    key = AshbyKey(KEY, toggles=frozenset(TOGGLES) - {toggle})
    prepared.sandbox.reset(config=AshbySandboxConfig(keys=[key], rate_per_minute=10**7))


def some_partitions(data_dir: Path, table: str, share: int = 4) -> list[str]:
    """About 1/`share` of the partitions holding rows of `table` (faster fault tests, the same code paths)."""
    found = [r[0] for r in query(data_dir, f"SELECT DISTINCT partition_key FROM canonical.{table} ORDER BY 1")]
    return found[: max(1, len(found) // share)]


def per_owner(data_dir: Path, table: str, column: str, owner: str, partitions: list[str] | None = None) -> Counter:
    """How many canonical rows of `table` each owner's Ashby id should hold (`column` is the owner's Lever key)."""
    ids = ashby_ids(data_dir, owner)
    where = "partition_key IN ({})".format(", ".join("?" for _ in partitions)) if partitions else "TRUE"
    found = query(data_dir, f"SELECT {column}, count(*) FROM canonical.{table} WHERE {where} GROUP BY 1", partitions)
    return Counter({ids[key]: n for key, n in found})


def load_under_faults(prepared: PreparedAshby, data_dir: Path, phase: str, partitions: list[str]) -> Counter:
    """Load one phase for `partitions` with lost answers, dropped connections and 5xx on; every item ends created
    or adopted (found in Ashby after a lost answer), after at most one more run without faults for the ones
    whose lost answer Ashby could not be read back for. Returns the outcomes."""
    prepared.faults(**FAULTS)
    try:
        report = load(prepared, data_dir, "faults-run", partitions=partitions, phases=only(phase))
    finally:
        prepared.faults(**NO_FAULTS)
    outcomes = report.stats[phase].outcomes
    expected = len(items_of(data_dir, phase, Scope(partitions)))
    assert outcomes["created"] + outcomes["adopted"] + outcomes["failed"] == expected, outcomes
    if outcomes["failed"]:  # lost answers Ashby could not be read back for: the next run looks, then writes
        again = load(prepared, data_dir, "after-faults", partitions=partitions, phases=only(phase)).stats[phase]
        assert again.outcomes["failed"] == 0, again.outcomes
        outcomes = outcomes + again.outcomes
        outcomes["failed"] = 0
    return outcomes
