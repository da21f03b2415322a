"""`migration-pipeline cutover`: the final delta sync, then a full reconciliation of counts per object type
between Lever and Ashby, both read through their APIs, written to `data/cutover/` (Markdown and JSON).

Per object type: what Lever holds now (opportunities, contacts and postings listed through Lever's API; notes,
feedback and files counted per opportunity through the API with `--deep`, else from the raw mirror the final
sync has just refreshed), what the plan expects in Ashby after the policies, what the ledger has written, what
Ashby holds (listed through its API), and the difference that nothing explains. Then the validation through
Ashby's API (every written object where it belongs). Exit 0 only when nothing is unexplained."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from migration_pipeline.ashby.errors import AshbyError
from migration_pipeline.config import Settings
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.errors import LeverError
from migration_pipeline.lever.streams import DELETED_OPPORTUNITIES, OPPORTUNITIES, OPPORTUNITY_STREAMS
from migration_pipeline.load.readback import read_org
from migration_pipeline.load.validate import validate
from migration_pipeline.migrate_command import EXIT_ERROR, EXIT_FAILURES, EXIT_OK, ashby_resource, lever_resource
from migration_pipeline.store import Store
from migration_pipeline.sync_command import new_run_id, print_summary, sync_once

Json = dict[str, Any]
CUTOVER_DIR = "cutover"
# Ashby collection (read_org) -> (canonical table and filter, ledger object type)
EXPECTED: dict[str, tuple[str, str]] = {
    "candidates": ("SELECT count(*) FROM canonical.candidates", "candidate"),
    "applications": ("SELECT count(*) FROM canonical.applications", "application"),
    "jobs": ("SELECT count(*) FROM canonical.jobs", "job"),
    "notes": ("SELECT count(*) FROM canonical.notes", "note"),
    "feedback": ("SELECT count(*) FROM canonical.feedback", "feedback"),
    "files": ("SELECT count(*) FROM canonical.files WHERE status = 'ready'", "file"),
    "tags": ("SELECT count(*) FROM canonical.candidate_tags", "tag_assignment"),
}
LEVER_RECORDS = {"notes": ("notes",), "feedback": ("feedback",), "files": ("files", "resumes")}


@dataclass
class Reconciled:
    object_type: str
    lever: int | None  # Lever's own count (None: no single Lever counterpart)
    expected: int  # canonical rows: what Ashby should hold after the policies
    written: int  # ledger rows done
    in_ashby: int  # listed through Ashby's API
    kept_after_deletion: int  # written for opportunities Lever deleted since (the deletion policy keeps them)
    unexplained: int


@dataclass
class CutoverReport:
    run_id: str
    started_at: str
    sync: Json = field(default_factory=dict)
    lever_source: str = "api"
    rows: list[Json] = field(default_factory=list)
    validation: dict[str, Any] = field(default_factory=dict)
    ok: bool = False
    error: str = ""


def _raw_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per-opportunity records in the raw mirror (the final sync has just refreshed it)."""
    return {
        name: sum(con.execute(f"SELECT count(*) FROM lever_raw.{kind}").fetchone()[0] for kind in kinds)
        for name, kinds in LEVER_RECORDS.items()
    }


def _lever_counts(client: LeverClient, raw: dict[str, int], deep: bool) -> dict[str, int]:
    opportunities = list(client.paginate(OPPORTUNITIES.path, {"confidentiality": "all"}))
    counts = {
        "opportunities": len(opportunities),
        "contacts": len({o.get("contact") for o in opportunities}),
        "postings": sum(1 for _ in client.paginate("/postings", {"confidentiality": "all"})),
        "opportunities_deleted": sum(1 for _ in client.paginate(DELETED_OPPORTUNITIES.path)),
    }
    if not deep:
        return counts | raw
    streams = {s.name: s for s in OPPORTUNITY_STREAMS}
    for name, kinds in LEVER_RECORDS.items():
        counts[name] = sum(
            len(list(client.paginate(streams[kind].path_for(o["id"]), dict(streams[kind].params))))
            for o in opportunities
            for kind in kinds
        )
    return counts


def _written(con: duckdb.DuckDBPyConnection, object_type: str) -> tuple[int, int]:
    """(ledger rows done, those of them belonging to opportunities Lever deleted)."""
    done, deleted = con.execute(
        """SELECT count(*), count(*) FILTER (WHERE lever_opportunity_id IN
                  (SELECT lever_id FROM lever_raw.opportunities_deleted))
           FROM ashby.ledger WHERE object_type = ? AND status = 'done'""",
        [object_type],
    ).fetchone()
    return int(done), int(deleted)


def reconcile(lever_counts: dict[str, int], ashby_counts: dict[str, int], con: duckdb.DuckDBPyConnection) -> list:
    lever_of = {"candidates": "contacts", "applications": "opportunities", "jobs": "postings"}
    rows = []
    for name, (sql, ledger_type) in EXPECTED.items():
        expected = int(con.execute(sql).fetchone()[0])
        written, kept = _written(con, ledger_type)
        in_ashby = ashby_counts.get(name, 0)
        lever = lever_counts.get(lever_of.get(name, name))
        # Ashby may also hold what it had before the migration: only a shortfall, or an excess beyond what
        # the deletion policy keeps, is unexplained
        unexplained = max(0, expected - in_ashby) + max(0, written - kept - expected)
        rows.append(Reconciled(name, lever, expected, written, in_ashby, kept, unexplained))
    return rows


def render_markdown(report: CutoverReport) -> str:
    lines = [f"# Cutover {report.run_id}: {'RECONCILED' if report.ok else 'NOT RECONCILED'}", ""]
    if report.error:
        lines += [f"**Error:** {report.error}", ""]
    sync = report.sync
    lines += [f"- final sync {sync.get('run_id')}: {sync.get('status')} {sync.get('error') or ''}".rstrip()]
    lines += [f"- Lever per-opportunity records counted from: {report.lever_source}", ""]
    lines += ["| object | Lever | expected in Ashby | written | in Ashby | kept after deletion | unexplained |"]
    lines += ["|---|---:|---:|---:|---:|---:|---:|"]
    for r in report.rows:
        lever = "-" if r["lever"] is None else r["lever"]
        lines.append(
            f"| {r['object_type']} | {lever} | {r['expected']} | {r['written']} | {r['in_ashby']} |"
            f" {r['kept_after_deletion']} | {r['unexplained']} |"
        )
    validation = report.validation
    if validation:
        lines += ["", f"Validation through Ashby's API: {'ok' if validation.get('ok') else 'PROBLEMS'}"]
        lines += [f"- {line}" for line in validation.get("lines", [])]
    lines += ["", "Lever counts differ from the expected ones by the plan's policies: see data/plan/.", ""]
    return "\n".join(lines)


def write_cutover(report: CutoverReport, data_dir: Path) -> Path:
    folder = data_dir / CUTOVER_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{report.run_id}.json").write_text(json.dumps(asdict(report), indent=1, default=str), "utf-8")
    md = folder / f"{report.run_id}.md"
    md.write_text(render_markdown(report), encoding="utf-8")
    return md


def run_cutover(settings: Settings, *, mapping: str | None = None, deep: bool = False) -> int:
    data_dir = Path(settings.data_dir)
    report = CutoverReport(run_id=new_run_id("cutover"), started_at=datetime.now(UTC).isoformat())
    print("Final delta sync ...", flush=True)
    sync = sync_once(settings, mapping=mapping, run_id=f"{report.run_id}-sync")
    print_summary(sync, data_dir)
    report.sync = sync.as_json()
    if sync.status == "succeeded":
        report.lever_source = "api" if deep else "raw mirror (refreshed by the final sync)"
        print("Reconciling Lever and Ashby through both APIs ...", flush=True)
        try:
            store = Store(data_dir / "migration.duckdb")
            with store.connect() as con:
                raw = _raw_counts(con)
            with lever_resource(settings).client() as lever:
                lever_counts = _lever_counts(lever, raw, deep)
            with ashby_resource(settings).client() as ashby:
                ashby_counts = read_org(ashby).counts()
                with store.connect() as con:
                    report.rows = [asdict(r) for r in reconcile(lever_counts, ashby_counts, con)]
                    checked = validate(ashby, con)  # reads the ledger as it reads Ashby (as `migrate` does)
            report.validation = {"ok": checked.ok, "lines": checked.lines()}
            report.ok = checked.ok and not any(r["unexplained"] for r in report.rows)
        except (LeverError, AshbyError) as exc:
            report.error = f"{type(exc).__name__}: {exc}"
    else:
        report.error = f"the final sync failed: {sync.error}"
    md = write_cutover(report, data_dir)
    print(render_markdown(report))
    print(f"cutover report: {md} and {md.with_suffix('.json')}")
    if report.error:
        return EXIT_ERROR
    return EXIT_OK if report.ok else EXIT_FAILURES
