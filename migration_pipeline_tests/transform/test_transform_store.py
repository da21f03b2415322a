"""The transform against a store extracted over HTTP from the Lever sandbox, with the Ashby org read over
HTTP: complete coverage of what was extracted, the plan, and re-runs that change only what changed."""

import json

from migration_pipeline.transform import partition_build
from migration_pipeline.transform.mapping import load_mapping
from migration_pipeline.transform.pipeline import make_plan, transform_everything
from migration_pipeline.transform.plan import load_blocking
from migration_pipeline.transform.run import partition_keys, transform_org, transform_partitions


def _config():
    return load_mapping(None).model_copy(update={})


def _count(store, sql):
    with store.connect() as con:
        return con.execute(sql).fetchone()[0]


def test_every_opportunity_is_an_application_or_skipped_with_a_reason(extracted_store):
    transform_everything(extracted_store, _config())
    opportunities = _count(extracted_store, "SELECT count(*) FROM lever_raw.opportunities")
    applications = _count(extracted_store, "SELECT count(*) FROM canonical.applications")
    skipped = _count(
        extracted_store,
        "SELECT count(DISTINCT lever_id) FROM canonical.skipped WHERE lever_type IN ('opportunities', 'applications')",
    )
    assert applications > 0 and applications + skipped == opportunities
    # every candidate is reachable from its opportunities, no email appears on two candidates
    dupes = _count(
        extracted_store,
        "SELECT count(*) FROM (SELECT lower(trim(primary_email)) e FROM canonical.candidates WHERE e IS NOT NULL"
        " GROUP BY e HAVING count(*) > 1)",
    )
    assert dupes == 0


def test_every_raw_record_has_a_destination(extracted_store):
    transform_everything(extracted_store, _config())
    for kind, table, key in (
        ("notes", "notes", "lever_id"),
        ("interviews", "notes", "lever_id"),
        ("offers", "notes", "lever_id"),
        ("referrals", "notes", "lever_id"),
        ("forms", "notes", "lever_id"),
        ("feedback", "feedback", "lever_feedback_id"),
        ("resumes", "files", "lever_file_id"),
        ("files", "files", "lever_file_id"),
        ("panels", "archived_records", "lever_id"),
    ):
        type_filter = f"AND c.lever_type = '{kind}'" if table in ("notes", "files", "archived_records") else ""
        lost = _count(
            extracted_store,
            f"""SELECT count(*) FROM lever_raw.{kind} r
                WHERE NOT EXISTS (SELECT 1 FROM canonical.{table} c WHERE c.{key} = r.lever_id {type_filter})
                  AND NOT EXISTS (SELECT 1 FROM canonical.notes n
                                  WHERE n.lever_id = r.lever_id AND n.lever_type = '{kind}')
                  AND NOT EXISTS (SELECT 1 FROM canonical.skipped s
                                  WHERE s.lever_id = r.lever_id AND s.lever_type = '{kind}')""",
        )
        assert lost == 0, kind


def test_the_plan_is_ready_on_the_prepared_org_and_written_as_json_and_markdown(extracted_store, tmp_path):
    plan, json_path, md_path = make_plan(extracted_store, _config(), "sample", tmp_path / "plan")
    assert plan["ready"], plan["blocking"]
    assert plan["create"]["applications"] == _count(extracted_store, "SELECT count(*) FROM canonical.applications")
    assert json.loads(json_path.read_text())["create"] == plan["create"]
    markdown = md_path.read_text()
    assert markdown.startswith("# Migration plan (READY") and "## Skipped records" in markdown
    assert load_blocking(tmp_path / "plan") == []
    reasons = {s["reason_code"] for s in plan["skipped"]}
    assert {"anonymized", "feedback_deleted", "file_unprocessable"} <= reasons


def test_a_plan_with_an_unmapped_value_is_blocked(extracted_store, tmp_path):
    config = _config().model_copy(update={"archive_reasons": _config().archive_reasons.model_copy(update={"map": {}})})
    plan, _, md_path = make_plan(extracted_store, config, "no reason map", tmp_path / "plan")
    assert not plan["ready"]
    assert any("No Response - OLD" in b["message"] for b in plan["blocking"])
    unmapped = next(u for u in plan["unmapped"] if u["lever_name"] == "No Response - OLD")
    assert unmapped["uses"] > 0 and unmapped["example_ids"]
    assert "BLOCKED" in md_path.read_text()
    assert load_blocking(tmp_path / "plan")


def test_rerunning_on_unchanged_input_changes_nothing_and_a_change_touches_only_its_rows(extracted_store):
    config = _config()
    transform_everything(extracted_store, config)
    org = transform_org(extracted_store, config)
    records = transform_partitions(extracted_store, config, partition_keys(extracted_store))
    for result in (org, records):
        changed = {n: m for n, m in result.tables.items() if m.inserted or m.updated or m.deleted}
        assert changed == {}, changed
    with extracted_store.connect() as con:
        oid, partition = con.execute(
            "SELECT lever_id, partition_key FROM lever_raw.opportunities WHERE lever_id IN"
            " (SELECT lever_opportunity_id FROM canonical.applications) ORDER BY lever_id LIMIT 1"
        ).fetchone()
        con.execute(
            'UPDATE lever_raw.opportunities SET payload = json_merge_patch(payload, \'{"origin": "agency"}\')'
            " WHERE lever_id = ?",
            [oid],
        )
    org = transform_org(extracted_store, config)
    assert org.tables["applications"].updated == 1 and org.tables["applications"].inserted == 0
    assert org.tables["candidates"].updated == 0
    assert org.tables["custom_field_values"].updated <= 1
    records = transform_partitions(extracted_store, config, [partition])
    assert all(m.updated == m.inserted == m.deleted == 0 for m in records.tables.values() if m is not None)


def test_slicing_the_partitions_gives_the_same_tables(extracted_store):
    config = _config()
    transform_everything(extracted_store, config)
    tables = ("notes", "feedback", "files", "skipped", "custom_field_values")

    def snapshot():
        with extracted_store.connect() as con:
            return {t: sorted(con.execute(f"SELECT row_hash FROM canonical.{t}").fetchall()) for t in tables}

    before = snapshot()
    sliced = transform_partitions(extracted_store, config, partition_keys(extracted_store), slice_records=50)
    assert all(m.inserted == m.updated == m.deleted == 0 for m in sliced.tables.values())
    assert snapshot() == before


PARTITION_TABLES = ("notes", "feedback", "files", "archived_records", "skipped", "custom_field_values", "value_uses")


def _partition_tables(store) -> dict[str, list[tuple]]:
    with store.connect() as con:
        return {
            t: sorted(con.execute(f"SELECT * EXCLUDE (first_seen_at, changed_at) FROM canonical.{t}").fetchall())
            for t in PARTITION_TABLES
        }


def test_partitions_built_in_worker_processes_give_the_same_tables(extracted_store):
    config = _config()
    transform_everything(extracted_store, config)  # built in this process (a small org)
    before = _partition_tables(extracted_store)
    keys = partition_keys(extracted_store)
    pooled = transform_partitions(extracted_store, config, keys, slice_records=200, workers=2)
    assert pooled.worker_peak_mb > 0  # built in the workers, not here
    assert all(m.inserted == m.updated == m.deleted == 0 for m in pooled.tables.values())
    assert _partition_tables(extracted_store) == before
    assert not list(extracted_store.path.parent.glob(".transform-spool-*"))  # the spooled chunks are gone


def test_chunks_of_a_few_records_give_the_same_tables(extracted_store, monkeypatch):
    """Each chunk gets only its opportunities' owners and files: a candidate's resume chosen on another posting
    still decides their files the same way."""
    config = _config()
    transform_everything(extracted_store, config)
    before = _partition_tables(extracted_store)
    monkeypatch.setattr(partition_build, "CHUNK_RECORDS", 5)
    chunked = transform_partitions(extracted_store, config, partition_keys(extracted_store), workers=1)
    assert all(m.inserted == m.updated == m.deleted == 0 for m in chunked.tables.values())
    assert _partition_tables(extracted_store) == before
    with extracted_store.connect() as con:  # the org has what the docstring says, so the test can fail
        chosen = con.execute(
            """SELECT count(DISTINCT f.candidate_key) FROM canonical.files f
               JOIN canonical.files g ON g.candidate_key = f.candidate_key AND g.partition_key <> f.partition_key
               WHERE f.upload_context = 'CandidateResume'"""
        ).fetchall()[0][0]
    assert chosen > 0
