"""The load in dependency order. Each phase reads its canonical rows for the scope (all postings, or some
posting partitions), turns them into items and runs its loader; the phases after it find what they depend on
(candidate and job ids) in the ledger."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from migration_pipeline.load.candidates import CandidateLoader, candidate_item, refresher
from migration_pipeline.load.engine import Item, LoadContext, Loader, LoadStats, run_loader, unique
from migration_pipeline.load.organization import DepartmentLoader, LocationLoader, place_item
from migration_pipeline.store import Store

Json = dict[str, Any]


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[Json]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@dataclass
class Scope:
    """Which posting partitions this load covers (None: every one)."""

    partitions: list[str] | None = None

    def sql(self, column: str = "partition_key") -> tuple[str, list[str]]:
        if self.partitions is None:
            return "TRUE", []
        return f"{column} IN ({', '.join('?' for _ in self.partitions)})", list(self.partitions)


@dataclass(frozen=True)
class Phase:
    name: str
    loader: Callable[[], Loader]
    items: Callable[[duckdb.DuckDBPyConnection, Scope], list[Item]]
    prepare: Callable[[LoadContext, duckdb.DuckDBPyConnection, Scope], None] | None = None


def department_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    where, params = scope.sql()
    found = rows(
        con, f"SELECT DISTINCT department_name FROM canonical.jobs WHERE department_how = 'create' AND {where}", params
    )
    return [place_item("department", r["department_name"]) for r in found]


def location_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    where, params = scope.sql()
    found = rows(
        con, f"SELECT DISTINCT location_name FROM canonical.jobs WHERE location_how = 'create' AND {where}", params
    )
    return [place_item("location", r["location_name"]) for r in found]


def scope_candidates(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Json]:
    """Candidates with an opportunity in the scope's partitions."""
    where, params = scope.sql("o.partition_key")
    return rows(
        con,
        f"""SELECT DISTINCT c.* FROM canonical.candidates c,
                   unnest(CAST(c.lever_opportunity_ids AS VARCHAR[])) AS u(opportunity_id)
            JOIN lever_raw.opportunities o ON o.lever_id = u.opportunity_id
            WHERE {where} ORDER BY c.candidate_key""",
        params,
    )


def candidate_items(con: duckdb.DuckDBPyConnection, scope: Scope) -> list[Item]:
    return [candidate_item(r) for r in scope_candidates(con, scope)]


def _prepare_candidates(ctx: LoadContext, con: duckdb.DuckDBPyConnection, scope: Scope) -> None:
    ctx.refresh_candidate = refresher(ctx, {r["candidate_key"]: r for r in scope_candidates(con, scope)})


PHASES: list[Phase] = [
    Phase("departments", DepartmentLoader, department_items),
    Phase("locations", LocationLoader, location_items),
    Phase("candidates", CandidateLoader, candidate_items, _prepare_candidates),
]


@dataclass
class LoadReport:
    stats: dict[str, LoadStats] = field(default_factory=dict)

    def as_metadata(self) -> Json:
        meta: Json = {}
        for stats in self.stats.values():
            meta.update(stats.as_metadata())
        return meta

    @property
    def failed(self) -> int:
        return sum(s.outcomes.get("failed", 0) for s in self.stats.values())


def run_phases(
    store: Store,
    ctx: LoadContext,
    scope: Scope,
    *,
    phases: Sequence[Phase] | None = None,
    threads: int = 8,
    progress: Callable[[str, int], None] | None = None,
) -> LoadReport:
    report = LoadReport()
    for phase in phases or PHASES:
        with store.connect() as con:
            items = unique(phase.items(con, scope))
            if phase.prepare is not None:
                phase.prepare(ctx, con, scope)
        if progress is not None:
            progress(phase.name, len(items))
        report.stats[phase.name] = run_loader(phase.loader(), ctx, items, threads=threads)
    return report


def decode(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
