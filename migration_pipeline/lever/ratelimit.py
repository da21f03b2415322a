"""Lever's rate budget. The shared token bucket is generic (Ashby's client uses it too) and lives in
`migration_pipeline.ratelimit`; it is re-exported here so existing imports keep working."""

from __future__ import annotations

from migration_pipeline.ratelimit import (
    DEFAULT_BURST,
    DEFAULT_RATE,
    STATE_DIR_ENV,
    SharedTokenBucket,
    default_state_dir,
    fingerprint,
)

__all__ = ["DEFAULT_BURST", "DEFAULT_RATE", "STATE_DIR_ENV", "SharedTokenBucket", "default_state_dir", "fingerprint"]
