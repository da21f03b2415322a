"""Resources bound from the environment (`.env` included): keys never appear in code or metadata."""

import dagster as dg

from migration_pipeline.config import Settings
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
            ),
            "store": StoreResource(data_dir=data_dir),
        }
    )
