"""Dagster wiring: assets, checks, partitions, schedules, sensors and resources. No business rules."""
