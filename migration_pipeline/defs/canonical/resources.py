"""The mapping config as a resource: a path (MIGRATION_MAPPING_FILE), validated when a step loads it."""

from pathlib import Path

import dagster as dg

from migration_pipeline.transform.mapping import SAMPLE_MAPPING, MappingConfig, MappingError, load_mapping


class MappingResource(dg.ConfigurableResource):
    """`path` empty: `data/mapping.yaml` when it exists, else the committed sample."""

    path: str = ""
    data_dir: str = "data"

    def source(self) -> Path:
        if self.path:
            return Path(self.path)
        own = Path(self.data_dir) / "mapping.yaml"
        return own if own.is_file() else SAMPLE_MAPPING

    def load(self) -> MappingConfig:
        try:
            return load_mapping(self.source())
        except MappingError as exc:
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
