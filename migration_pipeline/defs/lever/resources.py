"""The Lever client as a Dagster resource: base URL and key from the environment, one rate budget per key."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
from pydantic import Field

from migration_pipeline.config import DEFAULT_LEVER_BASE_URL, Secret
from migration_pipeline.lever.client import LeverClient
from migration_pipeline.lever.ratelimit import SharedTokenBucket


class LeverResource(dg.ConfigurableResource):
    """Lever's Data API. The token bucket is shared through files under `data_dir`, so every step and run on
    the machine using the same key stays within one budget."""

    api_key: str = Field(description="Lever API key (from LEVER_API_KEY); never logged")
    base_url: str = DEFAULT_LEVER_BASE_URL
    rate_per_second: float = 10.0
    burst: int = Field(default=10, description="client burst: a little under Lever's 20 so jitter never trips it")
    timeout_seconds: float = 30.0
    maintenance_max_wait_seconds: float = 1800.0
    data_dir: str = "data"

    def client(self) -> LeverClient:
        fingerprint = "lever-" + hashlib.sha256(self.api_key.encode()).hexdigest()[:16]
        limiter = SharedTokenBucket(
            fingerprint, self.rate_per_second, self.burst, Path(self.data_dir) / "state" / "ratelimit"
        )
        return LeverClient(
            self.base_url,
            Secret(self.api_key),
            limiter=limiter,
            timeout_seconds=self.timeout_seconds,
            maintenance_max_wait_seconds=self.maintenance_max_wait_seconds,
        )
