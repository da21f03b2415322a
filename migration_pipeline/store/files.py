"""Downloaded Lever files and resumes: contents stored once by sha256 under `data_dir/files/`, their location in
`meta.file_contents`, and the downloads Lever refused (422) in `meta.unprocessable_files`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from migration_pipeline.atomic import write_atomic


def content_path(data_dir: Path, sha256: str) -> Path:
    return Path(data_dir) / "files" / sha256[:2] / sha256


def store_file_bytes(data_dir: Path, content: bytes) -> tuple[str, Path]:
    """Write `content` to `data_dir/files/<sha[:2]>/<sha>` unless it is already there; return (sha256, path).

    The write is atomic (a temporary file in the same folder, then a rename), so a crash never leaves a partial
    file under the final name, and two writers of the same content both end up with one complete file.
    """
    digest = hashlib.sha256(content).hexdigest()
    path = content_path(data_dir, digest)
    if path.exists():
        return digest, path
    write_atomic(path, content)
    return digest, path


def record_unprocessable(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    file_id: str,
    opportunity_id: str | None,
    status: int | None,
    message: str | None,
    *,
    now: datetime,
) -> None:
    """Remember that Lever would not serve this file (one row per (kind, file_id); a repeat updates it)."""
    con.execute(
        """
        INSERT INTO meta.unprocessable_files (kind, file_id, opportunity_id, status, message, recorded_at)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (kind, file_id) DO UPDATE SET
            opportunity_id = excluded.opportunity_id, status = excluded.status,
            message = excluded.message, recorded_at = excluded.recorded_at
        """,
        [kind, file_id, opportunity_id, status, message, now],
    )


def unprocessable(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.sql("SELECT * FROM meta.unprocessable_files ORDER BY kind, file_id").df()


def record_file_content(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    file_id: str,
    opportunity_id: str | None,
    sha256: str,
    size: int,
    path: str,
    *,
    now: datetime,
) -> None:
    """Remember where a downloaded file's content is; a file that downloads now is no longer unprocessable."""
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            """
            INSERT INTO meta.file_contents (kind, file_id, opportunity_id, sha256, size, path, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (kind, file_id) DO UPDATE SET
                opportunity_id = excluded.opportunity_id, sha256 = excluded.sha256, size = excluded.size,
                path = excluded.path, recorded_at = excluded.recorded_at
            """,
            [kind, file_id, opportunity_id, sha256, size, path, now],
        )
        con.execute("DELETE FROM meta.unprocessable_files WHERE kind = ? AND file_id = ?", [kind, file_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def file_contents(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.sql("SELECT * FROM meta.file_contents ORDER BY kind, file_id").df()


def handled_file_ids(con: duckdb.DuckDBPyConnection, kind: str) -> set[str]:
    """File ids of `kind` already stored or recorded as unprocessable: what a resumed download can skip."""
    rows = con.execute(
        """
        SELECT file_id FROM meta.file_contents WHERE kind = ?
        UNION SELECT file_id FROM meta.unprocessable_files WHERE kind = ?
        """,
        [kind, kind],
    ).fetchall()
    return {r[0] for r in rows}


FILE_FIELDS = ("kind", "file_id", "opportunity_id", "sha256", "size", "path")


def file_frame(items: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Validate file-content records (`kind`, `file_id`, `sha256`, `size`, `path`, optional `opportunity_id`)
    into a DataFrame, the last one winning for a repeated (kind, file_id). A missing field raises ValueError
    naming the record index and the field."""
    rows = []
    for index, item in enumerate(items):
        for name in ("kind", "file_id", "sha256", "size", "path"):
            if item.get(name) is None:
                raise ValueError(f"file record {index}: missing field {name!r}")
        rows.append(
            (item["kind"], item["file_id"], item.get("opportunity_id"), item["sha256"], int(item["size"]),
             str(item["path"]))
        )  # fmt: skip
    frame = pd.DataFrame(rows, columns=list(FILE_FIELDS), dtype=object)
    return frame.drop_duplicates(subset=["kind", "file_id"], keep="last").reset_index(drop=True)


def record_file_contents(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, now: datetime) -> None:
    """`record_file_content` for a whole DataFrame from `file_frame`, in one transaction."""
    if frame.empty:
        return
    con.register("_files_df", frame)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(
                """
                INSERT INTO meta.file_contents (kind, file_id, opportunity_id, sha256, size, path, recorded_at)
                SELECT kind::VARCHAR, file_id::VARCHAR, opportunity_id::VARCHAR, sha256::VARCHAR, size::BIGINT,
                       path::VARCHAR, $1::TIMESTAMP
                FROM _files_df
                ON CONFLICT (kind, file_id) DO UPDATE SET
                    opportunity_id = excluded.opportunity_id, sha256 = excluded.sha256, size = excluded.size,
                    path = excluded.path, recorded_at = excluded.recorded_at
                """,
                [now],
            )
            con.execute(
                """
                DELETE FROM meta.unprocessable_files AS u
                WHERE EXISTS (SELECT 1 FROM _files_df AS f WHERE f.kind = u.kind AND f.file_id = u.file_id)
                """
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("_files_df")
