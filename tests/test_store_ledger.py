"""One uploaded-file ledger, written by the history (chat uploads) and by the batch store
(`visiondesk batch`'s files) alike: a write the disk refuses is reported as the same
StorageError from either side, kept in memory, and saved by that store's next write that works
or by its close, so no file on a server is ever forgotten by the clean-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.disks import FULL, IO, READ_ONLY, Faults
from tests.stores import new_job
from visiondesk.domain import JobStatus
from visiondesk.errors import StorageError, StorageFault
from visiondesk.store import History
from visiondesk.store.batches import BatchStore
from visiondesk.store.upload_ledger import KeepsLedger, UploadLedger


@dataclass
class Side:
    """One store that writes the ledger, and an ordinary write of its own."""

    store: KeepsLedger
    ledger: UploadLedger
    other_write: Callable[[], object]
    close: Callable[[], None]
    unsaved: Callable[[], int]


def history_side(folder: Path) -> Side:
    history = History(folder)
    conversation = history.create_conversation("Chat", "p", "chat", "gpt-4o", "auto")
    return Side(
        history,
        history.ledger,
        lambda: history.rename(conversation, "Renamed"),
        history.close,
        lambda: history.unsaved,
    )


def batch_side(folder: Path) -> Side:
    store = BatchStore(folder)
    job = new_job(store)
    return Side(
        store,
        store.ledger,
        lambda: store.set_job_status(job, JobStatus.PAUSED),
        store.close,
        lambda: store.unsaved,
    )


SIDES = {"history": history_side, "batch": batch_side}
LEDGER_WRITES: dict[str, Callable[[KeepsLedger], None]] = {
    "record_upload": lambda s: s.record_upload("p", "file-2", "k2", 9, "b.jsonl", None, 2.0),
    "mark_deleted": lambda s: s.mark_deleted("p", "file-1"),
}


def ledger_rows(ledger: UploadLedger) -> list[tuple[str, bool]]:
    return [(u.file_id, u.deleted_at is not None) for u in ledger.uploads(include_deleted=True)]


@pytest.mark.parametrize("write", sorted(LEDGER_WRITES))
@pytest.mark.parametrize("side", sorted(SIDES))
@pytest.mark.parametrize(
    ("kind", "fault"),
    [(FULL, StorageFault.FULL), (READ_ONLY, StorageFault.READ_ONLY), (IO, StorageFault.IO)],
)
def test_a_refused_ledger_write_is_kept_and_saved_by_the_next_write(
    kind: tuple[int, str, int],
    fault: StorageFault,
    side: str,
    write: str,
    faults: Faults,
    tmp_path: Path,
) -> None:
    opened = SIDES[side](tmp_path / "data")
    opened.store.record_upload("p", "file-1", "k1", 9, "a.jsonl", None, 1.0)
    before = ledger_rows(opened.ledger)
    faults.arm(kind)
    with pytest.raises(StorageError) as raised:
        LEDGER_WRITES[write](opened.store)
    assert raised.value.fault is fault and raised.value.retryable
    assert str(tmp_path / "data") in raised.value.message
    assert opened.unsaved() == 1 and ledger_rows(opened.ledger) == before  # kept, not on disk
    with pytest.raises(StorageError):  # still refused: still kept
        opened.other_write()
    assert opened.unsaved() == 1
    faults.disarm()
    opened.other_write()  # the store's next write that works saves it first
    assert opened.unsaved() == 0
    expected = {"record_upload": [*before, ("file-2", False)], "mark_deleted": [("file-1", True)]}
    assert ledger_rows(opened.ledger) == expected[write]
    opened.close()


def test_both_stores_report_the_same_failure_and_share_one_ledger(
    faults: Faults, tmp_path: Path
) -> None:
    # Two stores on one database, as the window's batch panel opens them.
    history, batch = history_side(tmp_path / "data"), batch_side(tmp_path / "data")
    faults.arm(FULL)
    refused: list[StorageError] = []
    for number, side in enumerate((history, batch)):
        with pytest.raises(StorageError) as raised:
            side.store.record_upload("p", f"file-{number}", f"k{number}", 9, "x", None, 1.0)
        refused.append(raised.value)
    assert [(e.fault, e.message, e.retryable) for e in refused[1:]] == [
        (e.fault, e.message, e.retryable) for e in refused[:1]
    ]
    faults.disarm()
    batch.other_write()
    assert [u.file_id for u in history.ledger.uploads("p")] == ["file-1"]  # one table
    history.other_write()
    assert sorted(u.file_id for u in batch.ledger.uploads("p")) == ["file-0", "file-1"]
    batch.close()
    history.close()


@pytest.mark.parametrize("side", sorted(SIDES))
def test_close_saves_a_kept_ledger_write_or_says_it_could_not(
    side: str, faults: Faults, tmp_path: Path
) -> None:
    opened = SIDES[side](tmp_path / "data")
    faults.arm(FULL)
    with pytest.raises(StorageError):
        opened.store.record_upload("p", "file-1", "k1", 9, "a.jsonl", None, 1.0)
    faults.disarm()
    opened.close()  # the disk works again: saved on the way out
    second = SIDES[side](tmp_path / "data")
    assert [u.file_id for u in second.ledger.uploads("p")] == ["file-1"]
    faults.arm(FULL)
    with pytest.raises(StorageError):
        second.store.record_upload("p", "file-2", "k2", 9, "b.jsonl", None, 2.0)
    with pytest.raises(StorageError, match="full"):  # still refused: the caller is told
        second.close()
    faults.disarm()
    with History(tmp_path / "data") as after:
        assert [u.file_id for u in after.uploads("p")] == ["file-1"]
