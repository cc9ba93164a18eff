"""A message's images as rows of `attachments`: each prepared image's record as JSON, its bytes
(and thumbnail) in the content-addressed blobs. Reading is two steps, so the database is held
only for the rows: `rows` (salvaging around damaged pages), then `load` (the image files)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from visiondesk.domain import Detail, PreparedImage
from visiondesk.store.blobs import Blobs, BlobUnreadable
from visiondesk.store.faults import reraise_misuse


@dataclass(frozen=True, slots=True)
class MissingImage:
    """An image of a stored message that cannot be shown: its record or its file is damaged or
    gone. `position` is its place among the message's images (-1 when unknown)."""

    position: int
    label: str
    problem: str


Row = sqlite3.Row | MissingImage
"""An attachment row read from the database, or the placeholder for one that could not be."""


class Attachments:
    def __init__(self, blobs: Blobs) -> None:
        self.blobs = blobs

    def insert(
        self, db: sqlite3.Connection, message_id: int, images: list[PreparedImage], start: int
    ) -> None:
        """Inside the caller's transaction; the bytes go to the blobs first."""
        for position, image in enumerate(images, start):
            db.execute(
                "INSERT INTO attachments (message_id, position, sha256, source, "
                "original_name, prepared_json) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    message_id,
                    position,
                    image.sha256,
                    image.label,
                    Path(image.label).name,
                    json.dumps(self._record(image)),
                ),
            )

    def rows(
        self, db: sqlite3.Connection, conversation_id: int, message_ids: list[int]
    ) -> dict[int, list[Row]]:
        """Every attachment row of the conversation by message, in one query; where a damaged
        page refuses it, message by message and row by row through the index."""
        result: dict[int, list[Row]] = {}
        try:
            rows = db.execute(  # one query for the whole conversation, not one a message
                "SELECT a.message_id, a.position, a.original_name, a.prepared_json "
                "FROM attachments a JOIN messages m ON m.id = a.message_id "
                "WHERE m.conversation_id = ? ORDER BY a.message_id, a.position",
                (conversation_id,),
            ).fetchall()
        except sqlite3.DatabaseError as error:
            reraise_misuse(error)
        else:
            for row in rows:
                result.setdefault(row["message_id"], []).append(row)
            return result
        for message_id in message_ids:
            items = result.setdefault(message_id, [])
            try:
                ids = [
                    int(r[0])
                    for r in db.execute(
                        "SELECT id FROM attachments INDEXED BY attachments_by_message "
                        "WHERE message_id = ? ORDER BY position",
                        (message_id,),
                    )
                ]
            except sqlite3.DatabaseError as error:
                reraise_misuse(error)
                items.append(MissingImage(-1, "", f"the images could not be read ({error})"))
                continue
            for attachment_id in ids:
                try:
                    row = db.execute(
                        "SELECT message_id, position, original_name, prepared_json "
                        "FROM attachments WHERE id = ?",
                        (attachment_id,),
                    ).fetchone()
                except sqlite3.DatabaseError as error:
                    reraise_misuse(error)
                    problem = f"its record could not be read ({error})"
                    items.append(MissingImage(len(items), "", problem))
                else:
                    items.append(row)
        return result

    def load(self, row: Row) -> PreparedImage | MissingImage:
        """The image a row records, its bytes read (and checked) from the blobs."""
        if isinstance(row, MissingImage):
            return row
        position, name = int(row["position"]), str(row["original_name"])
        try:
            record = json.loads(row["prepared_json"])
            name = str(record.get("label") or record.get("source") or name)
            return self._image(record)
        except BlobUnreadable as error:
            return MissingImage(position, name, f"{error.problem} ({error.path.name})")
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            return MissingImage(position, name, f"its record is damaged ({error})")

    def _record(self, image: PreparedImage) -> dict[str, Any]:
        record = asdict(image)
        del record["_data_url"]  # a cache of `data`, rebuilt on use
        record["data"] = self.blobs.put(image.data) if image.data else ""
        record["thumbnail"] = self.blobs.put(image.thumbnail) if image.thumbnail else ""
        record["detail"] = image.detail.value
        record["notes"] = list(image.notes)
        return record

    def _image(self, record: dict[str, Any]) -> PreparedImage:
        values = dict(record)
        if "source" in values:  # written before the field was called label
            values["label"] = values.pop("source")
        values["data"] = self.blobs.get(record["data"]) if record["data"] else b""
        try:
            values["thumbnail"] = (
                self.blobs.get(record["thumbnail"]) if record["thumbnail"] else b""
            )
        except BlobUnreadable:
            values["thumbnail"] = b""  # only the small preview is lost: the window uses the image
        values["detail"] = Detail(record["detail"])
        values["notes"] = tuple(record["notes"])
        return PreparedImage(**values)
