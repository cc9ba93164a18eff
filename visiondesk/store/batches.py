"""Batch jobs in the history database: the question, every image's status and answer, and the
provider batches (parts) it was sent in. Each change is committed at once, so a job killed at
any moment resumes without sending a finished image again."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from visiondesk.compare import ColumnSpec
from visiondesk.domain import ApiMode, BatchEngine, BatchStatus, Detail, ItemStatus, JobStatus
from visiondesk.store.database import DATABASE, Database
from visiondesk.store.rows import record
from visiondesk.store.upload_ledger import KeepsLedger, UploadLedger


@dataclass(frozen=True, slots=True)
class JobRecord:
    id: int
    profile: str
    base_url: str
    mode: ApiMode
    model: str
    detail: Detail
    engine: BatchEngine
    prompt: str
    instructions: str | None
    schema: dict[str, Any] | None
    status: JobStatus
    created_at: float
    columns: tuple[ColumnSpec, ...] = ()
    """A compare job's columns (each image is asked once per column); () for a plain job."""

    def asks(self, column: int | None) -> ColumnSpec:
        """What an item of this job asks: its column's model, mode and detail (the job's own
        for a plain job's items)."""
        if column is None:
            return ColumnSpec(self.model, self.mode, self.detail)
        return self.columns[column]


@dataclass(frozen=True, slots=True)
class ItemRecord:
    id: int
    job_id: int
    position: int
    path: str
    sha256: str
    status: ItemStatus
    duplicate_of: int | None
    part_id: int | None
    sent_sha256: str | None
    sent_bytes: int | None
    width: int | None
    height: int | None
    tokens: int | None
    answer: str | None
    input_tokens: int | None
    output_tokens: int | None
    error: str
    column: int | None = None
    """The compare column this item asks (JobRecord.columns); None in a plain job."""


@dataclass(frozen=True, slots=True)
class PartRecord:
    """One JSONL input file and the provider batch made from it."""

    id: int
    job_id: int
    number: int
    path: str
    lines: int
    bytes: int
    input_file_id: str | None
    batch_id: str | None
    status: BatchStatus | None
    output_file_id: str | None
    error_file_id: str | None
    total: int
    completed: int
    failed: int
    collected: bool
    column: int | None = None
    """The compare column whose requests the file holds (one model, one endpoint a file)."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """What was sent for one image (the bytes' hash lets a test match requests to images)."""

    sent_sha256: str
    sent_bytes: int
    width: int | None
    height: int | None
    tokens: int


class BatchStore(KeepsLedger):
    """Its own connections to the history database (WAL lets it share the file), so a command
    that runs beside the window need not open the window's History. A disk failure is a
    StorageError; the uploaded-file ledger is the history's own (`ledger`), written as the
    history writes it (`record_upload`, `mark_deleted`)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self._db = Database(folder / DATABASE, timeout=30, fold_wal=False)
        self.ledger = UploadLedger(self._db)

    def close(self) -> None:
        """Save the ledger's writes kept in memory and close; StorageError if still refused."""
        self._db.close()

    @property
    def unsaved(self) -> int:
        """Writes kept in memory because the disk refused them (saved by the next write)."""
        return self._db.unsaved

    def _write(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.write(sql, tuple(args))

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._db.read(sql, tuple(args))

    # jobs -----------------------------------------------------------------------------------

    def create_job(
        self,
        *,
        profile: str,
        base_url: str,
        mode: ApiMode,
        model: str,
        detail: Detail,
        engine: BatchEngine,
        prompt: str,
        instructions: str | None,
        schema: dict[str, Any] | None,
        images: Iterable[tuple[str, str]],
        columns: Sequence[ColumnSpec] = (),
    ) -> int:
        """A job and its images (path, sha256) in one transaction; the same bytes twice are
        stored once as pending and then as duplicates of it. A compare job (`columns`) has one
        item per image and column, each column's duplicates pointing at that column's first."""
        now = time.time()
        with self._db.transaction() as db:
            cursor = db.execute(
                "INSERT INTO batch_jobs (profile, base_url, mode, model, detail, engine, prompt, "
                "instructions, schema_json, status, created_at, updated_at, columns_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    profile,
                    base_url,
                    mode.value,
                    model,
                    detail.value,
                    engine.value,
                    prompt,
                    instructions,
                    json.dumps(schema) if schema is not None else None,
                    JobStatus.READY.value,
                    now,
                    now,
                    _columns_json(columns),
                ),
            )
            job_id = int(cursor.lastrowid or 0)
            first: dict[tuple[str, int | None], int] = {}
            indexes: list[int | None] = list(range(len(columns))) if columns else [None]
            for position, (path, sha256) in enumerate(images):
                for column in indexes:
                    original = first.get((sha256, column))
                    status = ItemStatus.PENDING if original is None else ItemStatus.DUPLICATE
                    item = db.execute(
                        "INSERT INTO batch_items (job_id, position, path, sha256, status, "
                        "duplicate_of, updated_at, column_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (job_id, position, path, sha256, status.value, original, now, column),
                    )
                    if original is None:
                        first[(sha256, column)] = int(item.lastrowid or 0)
        return job_id

    def job(self, job_id: int) -> JobRecord | None:
        rows = self._read("SELECT * FROM batch_jobs WHERE id = ?", (job_id,))
        return _job(rows[0]) if rows else None

    def jobs(self) -> list[JobRecord]:
        return [_job(r) for r in self._read("SELECT * FROM batch_jobs ORDER BY id DESC")]

    def set_job_status(self, job_id: int, status: JobStatus) -> None:
        self._write(
            "UPDATE batch_jobs SET status = ?, updated_at = ? WHERE id = ?",
            (status.value, time.time(), job_id),
        )

    def set_engine(self, job_id: int, engine: BatchEngine) -> None:
        self._write("UPDATE batch_jobs SET engine = ? WHERE id = ?", (engine.value, job_id))

    def delete_job(self, job_id: int) -> None:
        self._write("DELETE FROM batch_jobs WHERE id = ?", (job_id,))

    # items ----------------------------------------------------------------------------------

    def items(self, job_id: int, statuses: Iterable[ItemStatus] | None = None) -> list[ItemRecord]:
        sql = "SELECT * FROM batch_items WHERE job_id = ?"
        args: list[Any] = [job_id]
        if statuses is not None:
            wanted = [s.value for s in statuses]
            sql += f" AND status IN ({', '.join('?' for _ in wanted)})"
            args += wanted
        return [_item(r) for r in self._read(sql + " ORDER BY position, column_index", args)]

    def item(self, item_id: int) -> ItemRecord | None:
        rows = self._read("SELECT * FROM batch_items WHERE id = ?", (item_id,))
        return _item(rows[0]) if rows else None

    def counts(self, job_id: int) -> dict[ItemStatus, int]:
        rows = self._read(
            "SELECT status, COUNT(*) AS n FROM batch_items WHERE job_id = ? GROUP BY status",
            (job_id,),
        )
        counts = dict.fromkeys(ItemStatus, 0)
        for row in rows:
            counts[ItemStatus(row["status"])] = int(row["n"])
        return counts

    def record_prepared(self, item_id: int, prepared: Prepared) -> None:
        self._write(
            "UPDATE batch_items SET sent_sha256 = ?, sent_bytes = ?, width = ?, height = ?, "
            "tokens = ?, updated_at = ? WHERE id = ? OR duplicate_of = ?",
            (
                prepared.sent_sha256,
                prepared.sent_bytes,
                prepared.width,
                prepared.height,
                prepared.tokens,
                time.time(),
                item_id,
                item_id,
            ),
        )

    def finish_item(
        self,
        item_id: int,
        status: ItemStatus,
        *,
        answer: str | None = None,
        input_tokens: int | None = None,
        output_tokens: int | None = None,
        error: str = "",
    ) -> list[int]:
        """Record one image's outcome, and the same for its duplicates; returns the ids."""
        with self._db.transaction() as db:
            db.execute(
                "UPDATE batch_items SET status = ?, answer = ?, input_tokens = ?, "
                "output_tokens = ?, error = ?, updated_at = ? WHERE id = ? OR duplicate_of = ?",
                (
                    status.value,
                    answer,
                    input_tokens,
                    output_tokens,
                    error,
                    time.time(),
                    item_id,
                    item_id,
                ),
            )
            rows = db.execute(
                "SELECT id FROM batch_items WHERE id = ? OR duplicate_of = ? "
                "ORDER BY position, column_index",
                (item_id, item_id),
            ).fetchall()
        return [int(r["id"]) for r in rows]

    def requeue(self, job_id: int, statuses: Iterable[ItemStatus]) -> int:
        """Send these images again (failed ones, or queued ones of a lost batch)."""
        wanted = [s.value for s in statuses]
        marks = ", ".join("?" for _ in wanted)
        with self._db.transaction() as db:
            cursor = db.execute(
                f"UPDATE batch_items SET status = 'pending', part_id = NULL, error = '' "
                f"WHERE job_id = ? AND duplicate_of IS NULL AND status IN ({marks})",
                (job_id, *wanted),
            )
            db.execute(
                f"UPDATE batch_items SET status = 'duplicate', error = '' "
                f"WHERE job_id = ? AND duplicate_of IS NOT NULL AND status IN ({marks})",
                (job_id, *wanted),
            )
        return cursor.rowcount

    # parts ----------------------------------------------------------------------------------

    def add_part(
        self,
        job_id: int,
        number: int,
        path: str,
        size: int,
        item_ids: Sequence[int],
        column: int | None = None,
    ) -> int:
        """A written input file and its images, which are now queued in it."""
        with self._db.transaction() as db:
            cursor = db.execute(
                "INSERT INTO batch_parts (job_id, number, path, lines, bytes, column_index) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (job_id, number, path, len(item_ids), size, column),
            )
            part_id = int(cursor.lastrowid or 0)
            db.executemany(
                "UPDATE batch_items SET status = 'queued', part_id = ? WHERE id = ?",
                [(part_id, item_id) for item_id in item_ids],
            )
        return part_id

    def parts(self, job_id: int) -> list[PartRecord]:
        rows = self._read("SELECT * FROM batch_parts WHERE job_id = ? ORDER BY number", (job_id,))
        return [_part(r) for r in rows]

    def next_part_number(self, job_id: int) -> int:
        rows = self._read(
            "SELECT COALESCE(MAX(number), 0) AS n FROM batch_parts WHERE job_id = ?", (job_id,)
        )
        return int(rows[0]["n"]) + 1

    def update_part(self, part_id: int, **values: Any) -> None:
        allowed = {
            "input_file_id",
            "batch_id",
            "status",
            "output_file_id",
            "error_file_id",
            "total",
            "completed",
            "failed",
            "collected",
        }
        if not values or set(values) - allowed:
            raise ValueError(f"unknown part fields: {sorted(set(values) - allowed)}")
        names = ", ".join(f"{name} = ?" for name in values)
        args = [v.value if isinstance(v, BatchStatus) else v for v in values.values()]
        self._write(f"UPDATE batch_parts SET {names} WHERE id = ?", (*args, part_id))


def _job(row: sqlite3.Row) -> JobRecord:
    return record(
        JobRecord,
        row,
        mode=ApiMode(row["mode"]),
        detail=Detail(row["detail"]),
        engine=BatchEngine(row["engine"]),
        schema=json.loads(row["schema_json"]) if row["schema_json"] else None,
        status=JobStatus(row["status"]),
        columns=_columns_of(row["columns_json"]),
    )


def _columns_json(columns: Sequence[ColumnSpec]) -> str | None:
    if not columns:
        return None
    return json.dumps(
        [{"model": c.model, "mode": c.mode.value, "detail": c.detail.value} for c in columns]
    )


def _columns_of(text: str | None) -> tuple[ColumnSpec, ...]:
    if not text:
        return ()
    return tuple(
        ColumnSpec(c["model"], ApiMode(c["mode"]), Detail(c["detail"])) for c in json.loads(text)
    )


def _item(row: sqlite3.Row) -> ItemRecord:
    return record(ItemRecord, row, status=ItemStatus(row["status"]), column=row["column_index"])


def _part(row: sqlite3.Row) -> PartRecord:
    status = BatchStatus(row["status"]) if row["status"] else None
    return record(
        PartRecord,
        row,
        status=status,
        collected=bool(row["collected"]),
        column=row["column_index"],
    )
