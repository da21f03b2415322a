"""The DuckDB staging store as a Dagster resource."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from migration_pipeline.extract.landing import Landing
from migration_pipeline.store import Store


class StoreResource(dg.ConfigurableResource):
    """`data_dir` holds the DuckDB file, the landing area and stored file contents."""

    data_dir: str = "data"

    @property
    def path(self) -> Path:
        return Path(self.data_dir) / "migration.duckdb"

    def store(self) -> Store:
        return Store(self.path)

    def landing(self) -> Landing:
        return Landing(Path(self.data_dir))
