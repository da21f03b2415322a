"""Ashby API client: the RPC call and its `success` check, typed errors, cursor and syncToken paging, file
uploads, the org's metadata. Knows nothing of Dagster, DuckDB or Lever."""
