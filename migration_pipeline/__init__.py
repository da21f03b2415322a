"""Lever to Ashby migration pipeline: extract, transform in DuckDB, load, validate, delta-sync."""

__version__ = "0.1.0"
