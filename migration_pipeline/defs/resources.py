"""Resources bound from the environment (`.env` included): keys never appear in code or metadata."""

import dagster as dg

from migration_pipeline.config import Settings
from migration_pipeline.defs.ashby.resources import AshbyResource
from migration_pipeline.defs.canonical.resources import MappingResource
from migration_pipeline.defs.lever.resources import LeverResource
from migration_pipeline.defs.store import StoreResource


@dg.definitions
def resources() -> dg.Definitions:
    settings = Settings.from_env()
    data_dir = str(settings.data_dir)
    return dg.Definitions(
        resources={
            "lever": LeverResource(
                api_key=dg.EnvVar("LEVER_API_KEY"),
                base_url=settings.lever_base_url,
                data_dir=data_dir,
                rate_per_second=settings.lever_rate_per_second,
                burst=settings.lever_burst,
                maintenance_max_wait_seconds=settings.lever_maintenance_max_wait_seconds,
            ),
            "ashby": AshbyResource(
                api_key=dg.EnvVar("ASHBY_API_KEY"),
                base_url=settings.ashby_base_url,
                rate_per_minute=settings.ashby_rate_per_minute,
                # next to Lever's buckets: every run on the machine with this data folder shares one budget
                state_dir=str(settings.data_dir / "state" / "ratelimit"),
            ),
            "store": StoreResource(data_dir=data_dir),
            "mapping": MappingResource(path=settings.mapping_file, data_dir=data_dir),
        }
    )
