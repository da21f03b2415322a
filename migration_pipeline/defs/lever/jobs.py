"""Jobs an operator launches: the unpartitioned Lever lists, and the per-posting records (backfill these)."""

import dagster as dg

from migration_pipeline.defs.lever.assets import lever_opportunity_records_raw
from migration_pipeline.defs.lever.partitions import lever_postings

lever_lists_job = dg.define_asset_job(
    "lever_lists",
    selection=dg.AssetSelection.groups("lever_raw") - dg.AssetSelection.assets(lever_opportunity_records_raw),
    description="Users, postings, stages, archive reasons, sources, tags, feedback templates, requisitions and the "
    "opportunity index (which registers the posting partitions).",
)

lever_records_job = dg.define_asset_job(
    "lever_records",
    selection=dg.AssetSelection.assets(lever_opportunity_records_raw),
    partitions_def=lever_postings,
    description="Per-opportunity records of the selected postings; a single-run backfill covers many postings.",
)
