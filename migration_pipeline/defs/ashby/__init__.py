"""Dagster wiring for the Ashby destination: the client resource."""
