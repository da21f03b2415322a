"""`migration-pipeline migrate` with extraction and loading overlapping (the default; `--no-overlap` runs them
one after the other).

The reference lists and the opportunity index are extracted first; then a producer thread extracts the posting
partitions one after another while this thread transforms the org, writes the plan (org level), passes the
preflight and loads what needs no partition: departments, locations, custom fields, jobs, candidates, tags and
their assignments. Each batch of partitions whose extraction has ended is then transformed and its applications,
hiring team, notes, feedback and files loaded while later partitions are still being extracted; each API is
paced by its own shared rate bucket. What depends on several partitions waits until the last of them is
extracted: a candidate's custom field values (profile forms of any of its opportunities add values; custom fields
gain the options new values need before each batch) and files (the resume, and each content once per candidate,
are chosen across all of them: the partitions transformed while one of their candidates was incomplete are
transformed again then). A last pass runs every phase over everything, exactly as the sequential load does, so
whatever a stage left is caught and the final state is the same; what is already done costs no call.

Partitions are extracted heaviest first (two at a time; a partition weighs its opportunities and those its
contacts have elsewhere): the loads keep up with the extraction, and what is left to load once the last one is
extracted is small. A kill at any moment resumes like the sequential run: the
extraction session skips the partitions it finished, the transform is a merge, the ledger skips what is done.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from migration_pipeline.extract.landing import Landing, Session
from migration_pipeline.extract.lever_extract import extract_list, extract_opportunities, extract_partition
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.streams import REFERENCE_STREAMS
from migration_pipeline.load.engine import Item
from migration_pipeline.load.phases import PHASES, Phase, Scope
from migration_pipeline.load.run import Stage
from migration_pipeline.store import Store
from migration_pipeline.transform.mapping import MappingConfig
from migration_pipeline.transform.run import transform_partitions

ORG_PHASES = ("departments", "locations", "custom_fields", "jobs", "candidates", "tags", "tag_assignments")


class Timeline:
    """When each step began and ended (monotonic seconds), with the partitions it covered: what the tests and the
    benchmark read to see the overlap."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str, tuple[str, ...]]] = []
        self._lock = threading.Lock()

    def mark(self, event: str, partitions: Sequence[str] = ()) -> None:
        with self._lock:
            self.events.append((time.monotonic(), event, tuple(partitions)))

    def times(self, event: str, partition: str | None = None) -> list[float]:
        with self._lock:
            return [t for t, e, ps in self.events if e == event and (partition is None or partition in ps)]


def phases(*names: str) -> list[Phase]:
    return [p for p in PHASES if p.name in names]


def extraction_order(store: Store, partitions: Sequence[str]) -> list[str]:
    """Heaviest first: a partition weighs its opportunities plus those its contacts have in other partitions
    (what loads once it is extracted: its records, and the values and files of the candidates it completes).
    The loads keep up with the extraction, and what is left once the last partition is extracted is small."""
    with store.connect() as con:
        found = con.execute(
            """WITH o AS (SELECT contact_id, partition_key FROM lever_raw.opportunities),
                    per_contact AS (SELECT contact_id, count(*) AS n FROM o WHERE contact_id IS NOT NULL GROUP BY 1),
                    own AS (SELECT partition_key, count(*) AS n FROM o GROUP BY 1),
                    shared AS (SELECT p.partition_key, sum(c.n) AS n
                               FROM (SELECT DISTINCT contact_id, partition_key FROM o) p
                               JOIN per_contact c USING (contact_id) GROUP BY 1)
               SELECT own.partition_key, own.n + coalesce(shared.n, 0)
               FROM own LEFT JOIN shared USING (partition_key)"""
        ).fetchall()
    weight = dict(found)
    return sorted(partitions, key=lambda p: (-weight.get(p, 0), p))


class _SerializedSession(Session):
    """The extraction session with its read-modify-write of the done units under a lock (partitions finish
    concurrently)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._lock = threading.Lock()

    def mark_done(self, unit: str) -> None:
        with self._lock:
            super().mark_done(unit)


class Producer(threading.Thread):
    """Extracts partitions in order, `parallel` at a time (so that the shared rate bucket, not the last slow
    calls of each partition, sets the pace), handing each key over when it has landed and folded; then None (or
    the exception that stopped it)."""

    def __init__(
        self,
        client: LeverClient,
        store: Store,
        landing: Landing,
        data_dir: Path,
        session: Session,
        order: list[str],
        timeline: Timeline,
        parallel: int = 2,
    ) -> None:
        super().__init__(name="lever-partitions", daemon=True)
        self.client, self.store, self.landing, self.data_dir = client, store, landing, data_dir
        self.session, self.order, self.timeline = _SerializedSession(session.path), order, timeline
        self.parallel = max(1, parallel)
        self.extracted: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.finished = False

    def _one(self, partition: str) -> str:
        self.timeline.mark("extract_start", [partition])
        extract_partition(self.client, self.store, self.landing, self.data_dir, partition, session=self.session)
        self.timeline.mark("extract_end", [partition])
        return partition

    def run(self) -> None:
        try:
            self.timeline.mark("extract_order", self.order)
            waiting, running, handed = deque(self.order), set(), 0
            with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="lever-partition") as pool:
                while waiting or running:
                    while waiting and len(running) < self.parallel and not self.stop.is_set():
                        running.add(pool.submit(self._one, waiting.popleft()))
                    if not running:
                        break
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        self.extracted.put(future.result())
                        handed += 1
            self.finished = handed == len(self.order)
            self.extracted.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            self.extracted.put(exc)


def extract_index(client: LeverClient, store: Store, landing: Landing) -> tuple[Session, list[str]]:
    """The reference lists and the opportunity index (resuming an unfinished session); the partitions found."""
    client.check_confidential_access()
    _, session = landing.open_session()
    for stream in REFERENCE_STREAMS:
        extract_list(client, store, landing, stream, session)
    _, per_partition = extract_opportunities(client, store, landing, session)
    return session, sorted(per_partition)


class Batches:
    """Partition keys as their extraction ends: every key already there at once (at least one, waiting)."""

    def __init__(self, producer: Producer | None, ready: Sequence[str] = ()) -> None:
        self.producer = producer
        self.ready = list(ready)

    def next(self) -> list[str] | None:
        if self.producer is None:
            batch, self.ready = self.ready, []
            return batch or None
        batch: list[str] = []
        item = self.producer.extracted.get()
        while True:
            if isinstance(item, BaseException):
                raise item
            if item is None:
                self.producer.extracted.put(None)  # the end stays visible
                return batch or None
            batch.append(item)
            try:
                item = self.producer.extracted.get_nowait()
            except queue.Empty:
                return batch


@dataclass
class Candidates:
    """Which candidates have opportunities in which partitions (from the org transform)."""

    partitions_of: dict[str, set[str]]
    of_partition: dict[str, set[str]]

    @classmethod
    def read(cls, store: Store) -> Candidates:
        with store.connect() as con:
            found = con.execute(
                """SELECT DISTINCT c.candidate_key, o.partition_key FROM canonical.candidates c,
                          unnest(CAST(c.lever_opportunity_ids AS VARCHAR[])) AS u(opportunity_id)
                   JOIN lever_raw.opportunities o ON o.lever_id = u.opportunity_id"""
            ).fetchall()
        partitions_of: dict[str, set[str]] = defaultdict(set)
        of_partition: dict[str, set[str]] = defaultdict(set)
        for candidate, partition in found:
            partitions_of[candidate].add(partition)
            of_partition[partition].add(candidate)
        return cls(partitions_of, of_partition)

    def settled_elsewhere(self, batch: Sequence[str], extracted: set[str]) -> set[str]:
        """The partitions of the candidates of `batch` that every partition of theirs is extracted now."""
        found: set[str] = set()
        for partition in batch:
            for candidate in self.of_partition.get(partition, ()):
                if self.partitions_of[candidate] <= extracted:
                    found |= self.partitions_of[candidate]
        return found


def _filtered(name: str, keep: Callable[[Item], bool], scope: Scope | None = None) -> Phase:
    """The phase `name` keeping only some of its items (of `scope` instead of the stage's, when given)."""
    [phase] = phases(name)

    def items(con: duckdb.DuckDBPyConnection, stage_scope: Scope) -> list[Item]:
        return [i for i in phase.items(con, scope or stage_scope) if keep(i)]

    return Phase(phase.name, phase.loader, items, phase.prepare)


def _blocked(store: Store, partitions: Sequence[str]) -> set[str]:
    marks = ", ".join("?" for _ in partitions)
    with store.connect() as con:
        found = con.execute(
            f"SELECT DISTINCT transform_scope FROM canonical.problems WHERE blocking AND transform_scope IN ({marks})",
            list(partitions),
        ).fetchall()
    return {scope for (scope,) in found}


@dataclass
class Overlap:
    """The stages of an overlapped load, produced as partitions arrive (a generator run inside the load session)."""

    store: Store
    config: MappingConfig
    batches: Batches
    timeline: Timeline
    total: int
    printer: Callable[[str], None] = print
    blocked: set[str] = field(default_factory=set)
    loaded: list[str] = field(default_factory=list)

    def stages(self) -> Iterator[Stage]:
        self.timeline.mark("load_start", ["(org)"])
        yield Stage(Scope(None), phases(*ORG_PHASES))
        self.timeline.mark("load_end", ["(org)"])
        candidates = Candidates.read(self.store)
        extracted: set[str] = set()
        while (batch := self.batches.next()) is not None:
            extracted.update(batch)
            # partitions transformed before whose candidates are complete now: their files are settled
            again = sorted(candidates.settled_elsewhere(batch, extracted) - set(batch))
            self.timeline.mark("transform_start", [*batch, *again])
            transform_partitions(self.store, self.config, [*batch, *again])
            self.timeline.mark("transform_end", [*batch, *again])
            self.blocked |= _blocked(self.store, batch)
            ready = [p for p in batch if p not in self.blocked]
            self.loaded += ready
            files = sorted({*ready, *again} - self.blocked)
            self._say(f"postings extracted {len(extracted)}/{self.total}: loading {len(ready)} more")
            if files:
                self.timeline.mark("load_start", ready or files)
                yield Stage(Scope(ready or files), self._partition_phases(candidates, extracted, ready, files))
                self.timeline.mark("load_end", ready or files)
        self._say("every posting extracted and loaded: a last pass over everything")
        self.timeline.mark("load_start", ["(final)"])
        yield Stage(self.final_scope())
        self.timeline.mark("load_end", ["(final)"])

    def _partition_phases(
        self, candidates: Candidates, extracted: set[str], ready: list[str], files: list[str]
    ) -> list[Phase]:
        """The records of a batch's `ready` partitions; the custom field values of their applications and of every
        candidate whose partitions are all extracted (profile forms of any of them add values); the files of
        those complete candidates in the `files` partitions (the batch's and the ones transformed again)."""

        def complete(candidate_key: str | None) -> bool:
            return candidates.partitions_of.get(candidate_key or "", set()) <= extracted

        def settled(item: Item) -> bool:
            return item.payload["objectType"] != "Candidate" or complete(item.lever_id)

        records = [*phases("applications", "hiring_team", "notes", "custom_fields")] if ready else []
        values = [_filtered("custom_field_values", settled, Scope(sorted(self.loaded)))] if self.loaded else []
        feedback = phases("feedback") if ready else []
        return [
            *records,
            *values,
            *feedback,
            _filtered("files", lambda item: complete(item.candidate_key), Scope(files)),
        ]

    def final_scope(self) -> Scope:
        return Scope(sorted(self.loaded)) if self.blocked else Scope(None)

    def _say(self, line: str) -> None:
        self.printer(line)
