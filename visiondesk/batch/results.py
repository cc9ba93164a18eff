"""Results as files: JSON Lines (one record an image, appended as answers arrive) and CSV
(columns from the schema's top-level properties, or the plain answer)."""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from visiondesk.batch.answers import columns
from visiondesk.domain import ItemStatus
from visiondesk.store.batches import ItemRecord

if TYPE_CHECKING:
    from visiondesk.batch.job import BatchJob

FINAL = (ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.REFUSED)


def record(item: ItemRecord, schema: dict[str, Any] | None) -> dict[str, Any]:
    """One image's result: where it came from, what was sent, and the answer."""
    answer: Any = item.answer
    if schema is not None and item.answer is not None:
        try:
            answer = json.loads(item.answer)
        except ValueError:
            answer = item.answer
    return {
        "image": item.path,
        "sha256": item.sha256,
        "status": item.status.value,
        "answer": answer,
        "error": item.error or None,
        "sent_bytes": item.sent_bytes,
        "sent_sha256": item.sent_sha256,
        "width": item.width,
        "height": item.height,
        "image_tokens": item.tokens,
        "input_tokens": item.input_tokens,
        "output_tokens": item.output_tokens,
        "duplicate_of_item": item.duplicate_of,
        "item": item.id,
    }


class JsonlWriter:
    def __init__(self, target: IO[str], schema: dict[str, Any] | None) -> None:
        self._target = target
        self._schema = schema

    def write(self, item: ItemRecord) -> None:
        self._target.write(json.dumps(record(item, self._schema), ensure_ascii=False) + "\n")
        self._target.flush()


class CsvWriter:
    def __init__(self, target: IO[str], schema: dict[str, Any] | None) -> None:
        self._target = target
        self._schema = schema
        if schema is None:
            header = ["image", "answer", "input_tokens", "output_tokens", "status", "error"]
        else:
            header = ["image", *columns(schema), "status", "error"]
        self._csv = csv.writer(target)
        self._csv.writerow(header)

    def write(self, item: ItemRecord) -> None:
        status, error = item.status.value, item.error
        if self._schema is None:
            row = [item.path, item.answer or "", item.input_tokens, item.output_tokens]
        else:
            value = record(item, self._schema)["answer"]
            fields = value if isinstance(value, dict) else {}
            row = [item.path, *(_cell(fields.get(name)) for name in columns(self._schema))]
        self._csv.writerow([*row, status, error])
        self._target.flush()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


class ResultFiles:
    """The files a job writes: each run starts them with every result already known, then
    appends answers as they arrive (so a resumed job's files hold each image once)."""

    def __init__(
        self, schema: dict[str, Any] | None, jsonl: Path | None = None, csv_path: Path | None = None
    ) -> None:
        self._handles: list[IO[str]] = []
        self.writers: list[JsonlWriter | CsvWriter] = []
        if jsonl is not None:
            handle = jsonl.open("w", encoding="utf-8")
            self._handles.append(handle)
            self.writers.append(JsonlWriter(handle, schema))
        if csv_path is not None:
            handle = csv_path.open("w", encoding="utf-8", newline="")
            self._handles.append(handle)
            self.writers.append(CsvWriter(handle, schema))

    def write(self, item: ItemRecord) -> None:
        for writer in self.writers:
            writer.write(item)

    def close(self) -> None:
        for handle in self._handles:
            handle.close()


@contextlib.contextmanager
def writing_results(
    job: BatchJob, jsonl: Path | None, csv_path: Path | None
) -> Iterator[ResultFiles]:
    """While the block runs the job, its results files hold every result known so far and
    each new one as it arrives (the window's and the command's runs alike)."""
    files = ResultFiles(job.record.schema, jsonl, csv_path)
    for item in job.results():
        files.write(item)
    job.result_listeners.append(files.write)
    try:
        yield files
    finally:
        job.result_listeners.remove(files.write)
        files.close()
