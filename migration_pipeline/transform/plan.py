"""The migration plan: before anything is written, what will be created in Ashby, what cannot be mapped,
what is skipped and why, and the blocking errors that keep the load from starting. Built from the canonical
tables only; rendered as JSON and Markdown (the asset `migration_plan` and `migration-pipeline plan` both
call `build_plan` and `write_plan`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from migration_pipeline.atomic import write_atomic
from migration_pipeline.store import Store
from migration_pipeline.store import ashby_org as ashby_org_store
from migration_pipeline.transform.names import name_key
from migration_pipeline.transform.tables import ensure_tables

Json = dict[str, Any]

PLAN_JSON = "migration_plan.json"
PLAN_MARKDOWN = "migration_plan.md"
EXAMPLES = 5


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0] or 0)


def _dicts(con: duckdb.DuckDBPyConnection, sql: str) -> list[Json]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _missing_custom_fields(con: duckdb.DuckDBPyConnection) -> list[Json]:
    existing = {
        (f.get("objectType"), name_key(f.get("title")))
        for f in ashby_org_store.read_snapshot(con).get("custom_fields", [])
        if not f.get("isArchived")
    }
    used = _dicts(
        con,
        """SELECT object_type, field_title, any_value(field_type) AS field_type, count(*) AS values
           FROM canonical.custom_field_values GROUP BY ALL ORDER BY ALL""",
    )
    return [u for u in used if (u["object_type"], name_key(u["field_title"])) not in existing]


def _creates(con: duckdb.DuckDBPyConnection, missing_fields: list[Json]) -> dict[str, int]:
    return {
        "departments": _one(
            con, "SELECT count(DISTINCT department_name) FROM canonical.jobs WHERE department_how = 'create'"
        ),
        "locations": _one(
            con, "SELECT count(DISTINCT location_name) FROM canonical.jobs WHERE location_how = 'create'"
        ),
        "custom_fields": len(missing_fields),
        "jobs": _one(con, "SELECT count(*) FROM canonical.jobs"),
        "candidates": _one(con, "SELECT count(*) FROM canonical.candidates"),
        "applications": _one(con, "SELECT count(*) FROM canonical.applications"),
        "notes": _one(con, "SELECT count(*) FROM canonical.notes"),
        "feedback": _one(con, "SELECT count(*) FROM canonical.feedback"),
        "candidate_tags": _one(con, "SELECT count(DISTINCT tag) FROM canonical.candidate_tags"),
        "tag_assignments": _one(con, "SELECT count(*) FROM canonical.candidate_tags"),
        "custom_field_values": _one(con, "SELECT count(*) FROM canonical.custom_field_values"),
        "resumes": _one(
            con, "SELECT count(*) FROM canonical.files WHERE status = 'ready' AND upload_context = 'CandidateResume'"
        ),
        "files": _one(
            con, "SELECT count(*) FROM canonical.files WHERE status = 'ready' AND upload_context = 'CandidateFiles'"
        ),
    }


def _values(con: duckdb.DuckDBPyConnection, how: str) -> list[Json]:
    rows = _dicts(
        con,
        f"""SELECT dimension, lever_name, any_value(ashby_name) AS ashby_name, sum(uses) AS uses,
                   list_sort(list_distinct(flatten(list(CAST(example_ids AS VARCHAR[]))))) AS example_ids
            FROM canonical.value_uses WHERE how = '{how}'
            GROUP BY dimension, lever_name ORDER BY dimension, uses DESC, lever_name""",
    )
    for row in rows:
        row["uses"] = int(row["uses"])
        row["example_ids"] = list(row["example_ids"])[:EXAMPLES]
    return rows


def build_plan(store: Store, *, mapping_source: str = "", policies: Json | None = None) -> Json:
    with store.connect() as con:
        ensure_tables(con)
        missing_fields = _missing_custom_fields(con)
        problems = _dicts(
            con,
            """SELECT code, message, blocking, dimension, count(*) AS partitions FROM canonical.problems
               GROUP BY ALL ORDER BY blocking DESC, code, message""",
        )
        skipped = _dicts(
            con,
            f"""SELECT lever_type, reason_code, any_value(reason) AS reason, count(*) AS records,
                       list_sort(list(lever_id))[1:{EXAMPLES}] AS example_ids
                FROM canonical.skipped GROUP BY lever_type, reason_code ORDER BY records DESC, lever_type""",
        )
        plan = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "mapping": mapping_source,
            "policies": policies or {},
            "create": _creates(con, missing_fields),
            "custom_fields_to_create": missing_fields,
            "to_create": _values(con, "create"),
            "unmapped": _values(con, "unmapped"),
            "automatic_matches": _dicts(
                con,
                """SELECT dimension, lever_name, ashby_name, count(*) AS scopes FROM canonical.resolutions
                   WHERE how = 'auto' GROUP BY ALL ORDER BY dimension, lever_name""",
            ),
            "fallbacks": _dicts(
                con,
                """SELECT dimension, lever_name, ashby_name FROM canonical.resolutions WHERE how = 'fallback'
                   GROUP BY ALL ORDER BY ALL""",
            ),
            "merges": _dicts(
                con,
                "SELECT reason_code, any_value(reason) AS reason, count(*) AS contacts FROM canonical.candidate_merges"
                " GROUP BY reason_code ORDER BY reason_code",
            ),
            "skipped": skipped,
            "archive_only": _dicts(
                con,
                "SELECT lever_type, any_value(destination) AS destination, count(*) AS records"
                " FROM canonical.archived_records GROUP BY lever_type ORDER BY lever_type",
            ),
            "warnings": [_clean(p) for p in problems if not p["blocking"]],
            "blocking": [_clean(p) for p in problems if p["blocking"]],
        }
        confidential = _one(con, "SELECT count(*) FROM canonical.jobs WHERE confidential")
    for row in plan["skipped"]:
        row["example_ids"] = list(row["example_ids"])
    if confidential:
        plan["warnings"].append(
            {
                "code": "confidential_jobs",
                "message": f"{confidential} confidential Lever posting(s) become jobs; Ashby's API cannot mark a job"
                " confidential: set it in Ashby before their candidates are loaded",
                "dimension": "jobs",
            }
        )
    plan["ready"] = not plan["blocking"]
    return plan


def _clean(problem: Json) -> Json:
    return {k: problem[k] for k in ("code", "message", "dimension")}


def _table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    def cell(value: Any) -> str:
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value if value is not None else "")
        return text.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def render_markdown(plan: Json) -> str:
    status = "READY: no blocking errors" if plan["ready"] else f"BLOCKED: {len(plan['blocking'])} blocking error(s)"
    lines = [f"# Migration plan ({status})", "", f"Generated {plan['generated_at']} from `{plan['mapping']}`.", ""]
    if plan["blocking"]:
        lines += ["## Blocking errors (the load will not start)", ""]
        lines += [*(f"- `{p['code']}`: {p['message']}" for p in plan["blocking"]), ""]
    lines += ["## Ashby objects to create", ""]
    lines += [*_table(["object", "count"], [[k, v] for k, v in plan["create"].items()]), ""]
    sections = (
        (
            "Unmapped values",
            "unmapped",
            ["dimension", "Lever value", "uses", "example Lever ids"],
            ["dimension", "lever_name", "uses", "example_ids"],
        ),
        (
            "Values the loader will create",
            "to_create",
            ["dimension", "name", "uses", "example Lever ids"],
            ["dimension", "lever_name", "uses", "example_ids"],
        ),
        (
            "Custom fields to create",
            "custom_fields_to_create",
            ["object", "field", "type", "values"],
            ["object_type", "field_title", "field_type", "values"],
        ),
        (
            "Skipped records",
            "skipped",
            ["Lever type", "reason", "records", "example Lever ids"],
            ["lever_type", "reason", "records", "example_ids"],
        ),
        (
            "Kept in DuckDB only",
            "archive_only",
            ["Lever type", "destination", "records"],
            ["lever_type", "destination", "records"],
        ),
        ("Contacts merged into one candidate", "merges", ["reason", "contacts"], ["reason", "contacts"]),
        (
            "Automatic matches (same name, case and spaces ignored)",
            "automatic_matches",
            ["dimension", "Lever", "Ashby"],
            ["dimension", "lever_name", "ashby_name"],
        ),
        ("Fallbacks", "fallbacks", ["dimension", "Lever", "Ashby"], ["dimension", "lever_name", "ashby_name"]),
        ("Warnings", "warnings", ["code", "message"], ["code", "message"]),
    )
    for title, key, headers, fields in sections:
        if plan[key]:
            lines += [f"## {title}", "", *_table(headers, [[r.get(f) for f in fields] for r in plan[key]]), ""]
    return "\n".join(lines)


def write_plan(plan: Json, directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / PLAN_JSON, directory / PLAN_MARKDOWN
    write_atomic(json_path, json.dumps(plan, indent=2, default=str).encode())
    write_atomic(md_path, render_markdown(plan).encode())
    return json_path, md_path


def load_blocking(directory: Path) -> list[Json]:
    """The blocking errors of the last written plan (the load refuses to start while any remain)."""
    path = directory / PLAN_JSON
    if not path.is_file():
        return [{"code": "no_plan", "message": f"no migration plan at {path}: build it first", "dimension": ""}]
    return json.loads(path.read_text())["blocking"]
