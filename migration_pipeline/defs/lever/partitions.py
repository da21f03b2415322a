"""Lever postings as dynamic partitions: one per posting, plus one for opportunities with no posting."""

import dagster as dg

from migration_pipeline.lever.streams import NO_POSTING

lever_postings = dg.DynamicPartitionsDefinition(name="lever_postings")

__all__ = ["NO_POSTING", "lever_postings"]
