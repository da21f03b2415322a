"""Extraction: landing fetched data and folding it into the DuckDB store."""
