"""Results as files: JSON Lines (one record an image, appended as answers arrive) and CSV
(columns from the schema's top-level properties, or the plain answer).

A compare job has one result per image and column: each JSON line names its column (`column`,
0-based, with its `model`, `mode` and `detail`); the CSV puts the columns side by side, one
row per image with a group of fields per column, headed `[1] gpt-4o chat high: answer`."""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from visiondesk.batch.answers import columns
from visiondesk.compare import ColumnSpec
from visiondesk.domain import ItemStatus
from visiondesk.store.batches import ItemRecord

if TYPE_CHECKING:
    from visiondesk.batch.job import BatchJob

FINAL = (ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.REFUSED)


def record(
    item: ItemRecord, schema: dict[str, Any] | None, compare: Sequence[ColumnSpec] = ()
) -> dict[str, Any]:
    """One image's result (one column's, in a compare job): where it came from, what was
    sent, and the answer."""
    answer: Any = item.answer
    if schema is not None and item.answer is not None:
        try:
            answer = json.loads(item.answer)
        except ValueError:
            answer = item.answer
    column: dict[str, Any] = {}
    if item.column is not None:
        asked = compare[item.column]
        column = {
            "column": item.column,
            "model": asked.model,
            "mode": asked.mode.value,
            "detail": asked.detail.value,
        }
    return {
        "image": item.path,
        **column,
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
    def __init__(
        self, target: IO[str], schema: dict[str, Any] | None, compare: Sequence[ColumnSpec] = ()
    ) -> None:
        self._target = target
        self._schema = schema
        self._compare = compare

    def write(self, item: ItemRecord) -> None:
        line = json.dumps(record(item, self._schema, self._compare), ensure_ascii=False)
        self._target.write(line + "\n")
        self._target.flush()

    def finish(self) -> None:
        """Nothing is held back: every line was written as it came."""


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

    def finish(self) -> None:
        """Nothing is held back: every row was written as it came."""


COMPARE_FIELDS = ("status", "error", "sent size", "image tokens", "input tokens", "output tokens")
"""Each compare column's fields in the CSV, after its answer (or its schema's fields)."""


def column_label(index: int, spec: ColumnSpec) -> str:
    """A column as its CSV headers name it: `[1] gpt-4o chat high` (numbered from 1, as the
    columns of `send --compare` are shown, so two columns asking the same stay apart)."""
    return f"[{index + 1}] {spec.model} {spec.mode.value} {spec.detail.value}"


class CompareCsvWriter:
    """A compare job's CSV: one row per image, its columns side by side. A row is written once
    every column of its image is finished; the rows of images not finished when the run ends
    are written then, their unfinished columns `pending` (a resumed run writes them whole)."""

    def __init__(
        self, target: IO[str], schema: dict[str, Any] | None, compare: Sequence[ColumnSpec]
    ) -> None:
        self._target = target
        self._schema = schema
        self._compare = compare
        self._waiting: dict[int, dict[int, ItemRecord]] = {}
        self._paths: dict[int, str] = {}
        self._csv = csv.writer(target)
        header = ["image"]
        for index, spec in enumerate(compare):
            label = column_label(index, spec)
            header += [f"{label}: {name}" for name in (*columns(schema), *COMPARE_FIELDS)]
        self._csv.writerow(header)

    def write(self, item: ItemRecord) -> None:
        if item.column is None:
            return
        row = self._waiting.setdefault(item.position, {})
        row[item.column] = item
        self._paths[item.position] = item.path
        if len(row) == len(self._compare):
            self._write_row(item.position)

    def finish(self) -> None:
        for position in sorted(self._waiting):
            self._write_row(position)

    def _write_row(self, position: int) -> None:
        row = self._waiting.pop(position)
        cells: list[Any] = [self._paths.pop(position)]
        for index in range(len(self._compare)):
            item = row.get(index)
            if item is None:
                cells += [""] * len(columns(self._schema)) + [ItemStatus.PENDING.value]
                cells += [""] * (len(COMPARE_FIELDS) - 1)
                continue
            cells += [*self._answer(item), item.status.value, item.error]
            size = f"{item.width}×{item.height}" if item.width and item.height else ""
            cells += [size, _cell(item.tokens), _cell(item.input_tokens)]
            cells += [_cell(item.output_tokens)]
        self._csv.writerow(cells)
        self._target.flush()

    def _answer(self, item: ItemRecord) -> list[Any]:
        if self._schema is None:
            return [item.answer or ""]
        value = record(item, self._schema)["answer"]
        fields = value if isinstance(value, dict) else {}
        return [_cell(fields.get(name)) for name in columns(self._schema)]


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


class ResultFiles:
    """The files a job writes: each run starts them with every result already known, then
    appends answers as they arrive (so a resumed job's files hold each image once)."""

    def __init__(
        self,
        schema: dict[str, Any] | None,
        jsonl: Path | None = None,
        csv_path: Path | None = None,
        compare: Sequence[ColumnSpec] = (),
    ) -> None:
        self._handles: list[IO[str]] = []
        self.writers: list[JsonlWriter | CsvWriter | CompareCsvWriter] = []
        if jsonl is not None:
            handle = jsonl.open("w", encoding="utf-8")
            self._handles.append(handle)
            self.writers.append(JsonlWriter(handle, schema, compare))
        if csv_path is not None:
            handle = csv_path.open("w", encoding="utf-8", newline="")
            self._handles.append(handle)
            if compare:
                self.writers.append(CompareCsvWriter(handle, schema, compare))
            else:
                self.writers.append(CsvWriter(handle, schema))

    def write(self, item: ItemRecord) -> None:
        for writer in self.writers:
            writer.write(item)

    def close(self) -> None:
        for writer in self.writers:
            writer.finish()
        for handle in self._handles:
            handle.close()


@contextlib.contextmanager
def writing_results(
    job: BatchJob, jsonl: Path | None, csv_path: Path | None
) -> Iterator[ResultFiles]:
    """While the block runs the job, its results files hold every result known so far and
    each new one as it arrives (the window's and the command's runs alike)."""
    files = ResultFiles(job.record.schema, jsonl, csv_path, job.record.columns)
    for item in job.results():
        files.write(item)
    job.result_listeners.append(files.write)
    try:
        yield files
    finally:
        job.result_listeners.remove(files.write)
        files.close()
