"""What the loaders of jobs and applications share: a refusal recorded without calling Ashby, and the claims
that keep two Lever records from adopting one Ashby object when their fingerprints are alike (two postings
with the same title, place and plan; two applications of one candidate to one job)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from migration_pipeline.ashby.errors import AshbyBusinessError
from migration_pipeline.load.engine import LoadContext


class Refused(AshbyBusinessError):
    """A record the loader does not send to Ashby (the plan blocks it, the org lacks a role). Raised from
    `create`, the engine records it like a business error: a ledger failure with this code, the rest load."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"not sent to Ashby ({code}): {message}", code=code, message=message)


class Claims:
    """Which Ashby id stands for which Lever record of one object type: the ledger's rows (earlier runs)
    plus what this run created or adopted (the engine records those in the ledger only after the loader
    returns, so another thread could not see them there yet)."""

    def __init__(self, object_type: str) -> None:
        self.object_type = object_type
        self._owner: dict[str, str] | None = None  # Ashby id -> lever_key
        self._lock = threading.Lock()

    def _owners(self, ctx: LoadContext) -> dict[str, str]:
        if self._owner is None:
            # list(): other threads add ledger rows while this reads them
            rows = list(ctx.ledger.rows.values())
            self._owner = {
                r["ashby_id"]: r["lever_key"] for r in rows if r["object_type"] == self.object_type and r["ashby_id"]
            }
        return self._owner

    def take(self, ctx: LoadContext, lever_key: str, ashby_ids: Iterable[str]) -> str | None:
        """The first of `ashby_ids` no other Lever record stands for, now claimed by `lever_key`."""
        with self._lock:
            owners = self._owners(ctx)
            for ashby_id in ashby_ids:
                if owners.get(ashby_id, lever_key) == lever_key:
                    owners[ashby_id] = lever_key
                    return ashby_id
        return None

    def record(self, ctx: LoadContext, lever_key: str, ashby_id: str) -> None:
        with self._lock:
            self._owners(ctx)[ashby_id] = lever_key
