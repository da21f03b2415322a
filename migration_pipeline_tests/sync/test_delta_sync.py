"""The central property of the parallel run: after mutations in Lever and a sync, Ashby holds what a fresh full
migration of the mutated Lever org produces, apart from the deletion policy's effects; round after round."""

from __future__ import annotations

import json
from collections import Counter

from migration_pipeline.cutover_command import run_cutover
from migration_pipeline.load.readback import OrgReadback
from migration_pipeline.migrate_command import EXIT_OK
from migration_pipeline.sandbox.lever.mutation_batch import MutationLog, apply_mutations
from migration_pipeline_tests.conftest import FULL_KEY
from migration_pipeline_tests.sync.conftest import ParallelRun

DELETION_TAG = "Deleted in Lever"


def mutate(run: ParallelRun, seed: int, fraction: float = 0.05, kinds: list[str] | None = None) -> MutationLog:
    return apply_mutations(run.lever.api, FULL_KEY, f"{run.lever.root}/__sandbox", seed=seed, fraction=fraction,
                           kinds=kinds)  # fmt: skip


def unexplained(got: OrgReadback, reference: OrgReadback) -> dict:
    """The difference from the reference, less what the deletion policy explains: only in Ashby and belonging
    to a candidate the deletion tag marks (the archived application of a deleted opportunity, what hung off it,
    the tag itself, and the candidate when Lever no longer has the person at all); and, for such a candidate,
    the one resume slot Ashby has, which the deleted opportunity's resume may still hold."""
    tagged = {who for who, tag in got.tags if tag == DELETION_TAG}
    out = {}
    for name, (only_got, only_ref) in got.difference(reference).items():
        left = [entry for entry in only_got if _owner(entry) not in tagged]
        if name == "files":
            only_ref = [e for e in only_ref if not (e[1] == "resume" and _owner(e) in tagged)]
        if left or only_ref:
            out[name] = (left, only_ref)
    return out


def _owner(entry: object) -> object:
    first = entry[0] if isinstance(entry, tuple | list) else entry
    return first[0] if isinstance(first, tuple | list) else first


def test_every_kind_of_change_then_sync_equals_a_fresh_full_migration_round_after_round(parallel: ParallelRun):
    for round_ in range(2):
        log = mutate(parallel, seed=100 + round_)
        assert set(log.counts) >= {"new_candidate", "stage_change", "archive", "note", "delete", "contact_edit"}
        report = parallel.sync()
        (parallel.work / f"mutations-{round_}.json").write_text(json.dumps(log.to_json()))
        assert report.status == "succeeded", report.error
        assert report.failures == 0, report.failures_sql
        handled = set(report.applied["deletions_applied_ids"]) | set(report.applied["deletions_reported_ids"])
        assert handled >= log.deleted and report.applied["deletions_failed"] == 0  # reported: never in Ashby
        reference = parallel.reference(f"reference-{round_}")
        left = unexplained(parallel.ashby.readback(), reference)
        (parallel.work / f"unexplained-{round_}.json").write_text(json.dumps(left, default=str, ensure_ascii=False))
        assert left == {}, json.dumps(left, indent=1, default=str, ensure_ascii=False)
        assert "candidates" not in parallel.ashby.readback().duplicates()  # multisets: the rest is compared above


def test_a_sync_with_nothing_changed_writes_nothing(parallel: ParallelRun):
    report = parallel.sync()
    assert report.status == "succeeded", report.error
    outcomes = Counter()
    for phase in report.loaded.values():
        outcomes.update(phase)
    assert set(outcomes) <= {"unchanged"}, report.loaded


def test_cutover_runs_the_final_sync_and_reconciles_every_object_type(parallel: ParallelRun, capsys):
    mutate(parallel, seed=7)
    assert run_cutover(parallel.settings) == EXIT_OK
    out = capsys.readouterr().out
    assert "RECONCILED" in out and "NOT RECONCILED" not in out
    reports = list((parallel.data_dir / "cutover").glob("cutover-*.json"))
    report = json.loads(reports[0].read_text())
    assert report["sync"]["status"] == "succeeded" and report["ok"]
    rows = {r["object_type"]: r for r in report["rows"]}
    assert set(rows) == {"candidates", "applications", "jobs", "notes", "feedback", "files", "tags"}
    assert all(r["unexplained"] == 0 for r in rows.values())
    assert rows["applications"]["kept_after_deletion"] >= 1  # the deleted opportunity's application stays
    assert (parallel.data_dir / "cutover" / reports[0].with_suffix(".md").name).is_file()
