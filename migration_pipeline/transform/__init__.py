"""Lever raw tables -> canonical tables (DuckDB schema `canonical`), the mapping config and the migration plan."""
