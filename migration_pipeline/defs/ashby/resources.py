"""The Ashby client as a Dagster resource: base URL and key from the environment, one rate budget per key."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from migration_pipeline.ashby.client import ASHBY_RATE_PER_MINUTE, AshbyClient
from migration_pipeline.config import DEFAULT_ASHBY_BASE_URL, Secret


class AshbyResource(dg.ConfigurableResource):
    """Ashby's API. The token bucket is shared through files in `state_dir`, so every step and run on the machine
    using the same key stays within one budget."""

    api_key: str = Field(description="Ashby API key (from ASHBY_API_KEY); never logged")
    base_url: str = DEFAULT_ASHBY_BASE_URL
    rate_per_minute: float = Field(default=ASHBY_RATE_PER_MINUTE, description="requests a minute for the key")
    state_dir: str | None = Field(
        default=None, description="where the key's shared bucket lives (default: a per-user temp folder)"
    )
    timeout_seconds: float = 30.0

    def client(self) -> AshbyClient:
        return AshbyClient(
            self.base_url,
            Secret(self.api_key),
            rate_per_minute=self.rate_per_minute,
            state_dir=self.state_dir,
            timeout=self.timeout_seconds,
        )
