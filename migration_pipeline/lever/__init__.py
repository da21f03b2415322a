"""Lever Data API client: auth, paging, errors. Knows nothing of Dagster, DuckDB or Ashby."""
