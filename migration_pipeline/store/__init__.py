"""The DuckDB staging store: schema, short connections serialized across processes by a file lock, raw Lever
records, watermarks and downloaded files. Knows nothing of the APIs."""

from migration_pipeline.store.connection import DEFAULT_LOCK_TIMEOUT_S, StoreLockTimeout
from migration_pipeline.store.duckdb_store import Store
from migration_pipeline.store.files import store_file_bytes
from migration_pipeline.store.lever_raw import BadRecordError, UpsertResult, canonical_json, payload_hash
from migration_pipeline.store.schema import RAW_OBJECT_TYPES

__all__ = [
    "DEFAULT_LOCK_TIMEOUT_S",
    "RAW_OBJECT_TYPES",
    "BadRecordError",
    "Store",
    "StoreLockTimeout",
    "UpsertResult",
    "canonical_json",
    "payload_hash",
    "store_file_bytes",
]
