"""Ashby endpoints, one module per area; importing this package registers them all."""

from migration_pipeline.sandbox.ashby.endpoints import (  # noqa: F401
    activity,
    applications,
    candidates,
    custom_field_values,
    feedback,
    files,
    hiring_process,
    jobs,
    organization,
)
