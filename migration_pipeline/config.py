"""Settings from the environment and `.env`: base URLs, keys and the data directory.

Keys are wrapped in `Secret`, whose str/repr never show the value, so a key cannot reach a log,
an exception message or Dagster metadata by accident.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

DEFAULT_LEVER_BASE_URL = "https://api.lever.co/v1"
DEFAULT_ASHBY_BASE_URL = "https://api.ashbyhq.com"
DEFAULT_DATA_DIR = "./data"


class Secret:
    """A string that only `reveal()` shows."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('********')" if self._value else "Secret('')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    lever_api_key: Secret
    lever_base_url: str
    ashby_api_key: Secret
    ashby_base_url: str
    data_dir: Path
    # Lever's documented budget is 10/s with bursts of 20; the client bursts a little lower so jitter never
    # trips Lever's bucket. Raise them only if Lever granted the key more.
    lever_rate_per_second: float = 10.0
    lever_burst: int = 10
    # how long a run waits out Lever's maintenance (503 on everything but postings) before failing cleanly
    lever_maintenance_max_wait_seconds: float = 1800.0
    # Ashby allows about 1,000 requests a minute per key (Airbyte's figure, and the x-ratelimit-limit header
    # recorded from real traffic); the client paces every user of the key to this together.
    ashby_rate_per_minute: float = 1000.0
    # the mapping config (empty: data/mapping.yaml when it exists, else data/mapping.sample.yaml)
    mapping_file: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, dotenv_path: str | Path | None = ".env") -> Settings:
        """Read settings; `.env` fills only what the environment leaves unset."""
        if env is None:
            if dotenv_path is not None and Path(dotenv_path).is_file():
                load_dotenv(dotenv_path, override=False)
            env = dict(os.environ)
        return cls(
            lever_api_key=Secret(env.get("LEVER_API_KEY", "")),
            lever_base_url=env.get("LEVER_BASE_URL", DEFAULT_LEVER_BASE_URL).rstrip("/"),
            ashby_api_key=Secret(env.get("ASHBY_API_KEY", "")),
            ashby_base_url=env.get("ASHBY_BASE_URL", DEFAULT_ASHBY_BASE_URL).rstrip("/"),
            data_dir=Path(env.get("MIGRATION_DATA_DIR", DEFAULT_DATA_DIR)),
            lever_rate_per_second=float(env.get("LEVER_RATE_PER_SECOND", "10")),
            lever_burst=int(env.get("LEVER_BURST", "10")),
            lever_maintenance_max_wait_seconds=float(env.get("LEVER_MAINTENANCE_MAX_WAIT_SECONDS", "1800")),
            mapping_file=env.get("MIGRATION_MAPPING_FILE", ""),
            ashby_rate_per_minute=float(env.get("ASHBY_RATE_PER_MINUTE", "1000")),
        )
