"""Dagster wiring for the Lever source: resources, partitions, raw assets."""
