"""A disk that fills, turns read-only or fails mid-session: every history write (the batch
store's too) ends in one plain StorageError, the turn ends Failed with that message, the
question and images stay attached, and the answer streaming at that moment is kept in memory
and saved once writing works again. A real 2 MB tmpfs where mounting is permitted; injected
sqlite/OS errors too."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import images
from tests.disks import FULL, IO, READ_ONLY, Faults, fill, small_disk
from tests.stores import new_job
from tests.turns import KEY, attach, collect, draft, final, run
from visiondesk.config.profiles import Profile
from visiondesk.connection import Connection
from visiondesk.domain import (
    ApiMode,
    BatchEngine,
    Detail,
    ItemStatus,
    JobStatus,
    PreparedImage,
    Question,
)
from visiondesk.emulator import Emulator
from visiondesk.errors import StorageError, StorageFault
from visiondesk.events import Completed, Event, Failed, TextDelta
from visiondesk.session import OwnConversation
from visiondesk.store import History
from visiondesk.store.batches import BatchStore, Prepared


def image(seed: int = 1) -> PreparedImage:
    data = images.encode(images.photo(64, 48, seed=seed), "JPEG")
    return PreparedImage(
        "photo.jpg", f"{seed:064x}", 64, 48, "JPEG", 64, 48, "image/jpeg", data, Detail.LOW, 85
    )


class Disk:
    """Breaks and repairs the disk under a history: really (tmpfs) or by injection."""

    def __init__(self, kind: str, folder: Path, faults: Faults) -> None:
        self.kind, self.folder, self.faults = kind, folder, faults
        self.filler: Path | None = None

    def break_(self) -> None:
        if self.kind == "tmpfs":
            self.filler = fill(self.folder)
        else:
            self.faults.arm(FULL)

    def repair(self) -> None:
        if self.filler is not None:
            self.filler.unlink()
            self.filler = None
        self.faults.disarm()


@pytest.fixture(params=["tmpfs", "injected"])
def disk(request: pytest.FixtureRequest, tmp_path: Path, faults: Faults) -> Iterator[Disk]:
    if request.param == "tmpfs":
        with small_disk(tmp_path / "disk") as folder:
            yield Disk("tmpfs", folder, faults)
    else:
        yield Disk("injected", tmp_path, faults)


# every write site -------------------------------------------------------------------------

Ids = dict[str, int]
WRITES: dict[str, Callable[[History, Ids], object]] = {
    "create_conversation": lambda h, i: h.create_conversation("New", "p", "chat", "m", "auto"),
    "add_user_message": lambda h, i: h.add_user_message(
        i["conversation"], Question("Another?", (image(2),))
    ),
    "add_answer": lambda h, i: h.add_answer(i["conversation"]),
    "checkpoint": lambda h, i: h.checkpoint(i["answer"], "more text", "complete"),
    "rename": lambda h, i: h.rename(i["conversation"], "Renamed"),
    "update_settings": lambda h, i: h.update_settings(i["conversation"], "p", "chat", "x", "low"),
    "rename_profile": lambda h, i: h.rename_profile("p", "q"),
    "delete": lambda h, i: h.delete(i["conversation"]),
    "delete_message": lambda h, i: h.delete_message(i["question"]),
    "save_state": lambda h, i: h.save_state(i["conversation"], h.state(i["conversation"])),
    "record_upload": lambda h, i: h.record_upload("p", "file-2", "k2", 9, "b.jpg", None, 2.0),
    "attach_uploads": lambda h, i: h.attach_uploads(i["conversation"], ["k1"]),
    "mark_deleted": lambda h, i: h.mark_deleted("p", "file-1"),
}


def filled_history(folder: Path) -> tuple[History, Ids]:
    store = History(folder)
    conversation = store.create_conversation("First", "p", "chat", "gpt-4o", "auto")
    question = store.add_user_message(conversation, Question("What is this?", (image(),)))
    answer = store.add_answer(conversation)
    store.checkpoint(answer, "A photo.", "complete")
    store.record_upload("p", "file-1", "k1", 9, "a.jpg", None, 1.0)
    return store, {"conversation": conversation, "question": question, "answer": answer}


def snapshot(store: History) -> list[object]:
    rows: list[object] = [store.conversations(), store.uploads("p", include_deleted=True)]
    for conversation in store.conversations():
        rows.append([(m.text, m.status, len(m.images)) for m in store.messages(conversation.id)])
    return rows


BATCH_WRITES: dict[str, Callable[[BatchStore, Ids], object]] = {
    "create_job": lambda s, i: new_job(s),
    "set_job_status": lambda s, i: s.set_job_status(i["job"], JobStatus.PAUSED),
    "set_engine": lambda s, i: s.set_engine(i["job"], BatchEngine.LIVE),
    "delete_job": lambda s, i: s.delete_job(i["job"]),
    "record_prepared": lambda s, i: s.record_prepared(i["item"], Prepared("f" * 64, 9, 4, 3, 85)),
    "finish_item": lambda s, i: s.finish_item(i["item"], ItemStatus.DONE, answer="A photo."),
    "requeue": lambda s, i: s.requeue(i["job"], [ItemStatus.QUEUED]),
    "add_part": lambda s, i: s.add_part(i["job"], 2, "part-2.jsonl", 9, [i["item"]]),
    "update_part": lambda s, i: s.update_part(i["part"], batch_id="batch_1", total=1),
    "record_upload": lambda s, i: s.record_upload("p", "file-2", "k2", 9, "b.jsonl", None, 2.0),
    "mark_deleted": lambda s, i: s.mark_deleted("p", "file-1"),
}


def filled_batches(folder: Path) -> tuple[BatchStore, Ids]:
    store = BatchStore(folder)
    job = new_job(store)
    first, *_ = store.items(job)
    part = store.add_part(job, 1, "part-1.jsonl", 9, [first.id])
    store.record_upload("p", "file-1", "k1", 9, "a.jsonl", None, 1.0)
    return store, {"job": job, "item": first.id, "part": part}


def batch_snapshot(store: BatchStore) -> list[object]:
    rows: list[object] = [store.jobs(), store.ledger.uploads(include_deleted=True)]
    for job in store.jobs():
        rows += [store.items(job.id), store.parts(job.id)]
    return rows


@dataclass
class Filled:
    """A store with something in it, one of its writes, and what is on its disk."""

    write: Callable[[], object]
    snapshot: Callable[[], list[object]]
    unsaved: Callable[[], int]
    close: Callable[[], None]


def filled(site: str, folder: Path) -> Filled:
    kind, name = site.split(":")
    if kind == "history":
        history, ids = filled_history(folder)
        return Filled(
            lambda: WRITES[name](history, ids),
            lambda: snapshot(history),
            lambda: history.unsaved,
            history.close,
        )
    batches, ids = filled_batches(folder)
    return Filled(
        lambda: BATCH_WRITES[name](batches, ids),
        lambda: batch_snapshot(batches),
        lambda: batches.unsaved,
        batches.close,
    )


SITES = [f"history:{name}" for name in sorted(WRITES)] + [
    f"batch:{name}" for name in sorted(BATCH_WRITES)
]
"""Every write site of both stores on the history database (the batch store's too)."""


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize(
    ("kind", "fault", "words"),
    [
        (FULL, StorageFault.FULL, "The disk holding your history is full ("),
        (READ_ONLY, StorageFault.READ_ONLY, "is read-only"),
        (IO, StorageFault.IO, "failed to read or write"),
    ],
)
def test_every_write_fails_with_one_plain_message(
    site: str,
    kind: tuple[int, str, int],
    fault: StorageFault,
    words: str,
    faults: Faults,
    tmp_path: Path,
) -> None:
    store = filled(site, tmp_path / "data")
    before = store.snapshot()
    faults.arm(kind)
    with pytest.raises(StorageError) as raised:
        store.write()
    faults.disarm()
    assert raised.value.fault is fault and raised.value.retryable
    assert words in raised.value.message and str(tmp_path / "data") in raised.value.message
    assert store.snapshot() == before  # nothing half-written (a kept write is not yet on disk)
    store.write()  # and the same call works once the disk does
    assert store.unsaved() == 0
    store.close()


def test_a_refused_answer_is_kept_and_saved_by_the_next_write(
    faults: Faults, tmp_path: Path
) -> None:
    store, ids = filled_history(tmp_path / "data")
    streaming = store.add_answer(ids["conversation"])
    faults.arm(FULL)
    for text in ("Half", "Half an answer"):
        with pytest.raises(StorageError):
            store.checkpoint(streaming, text, "streaming")
    with pytest.raises(StorageError):
        store.checkpoint(streaming, "Half an answer, whole", "failed", "disk full")
    with pytest.raises(StorageError):
        store.record_upload("p", "file-9", "k9", 9, "c.jpg", None, 3.0)
    assert store.unsaved == 2  # the newest text of the answer, and the ledger entry
    assert store.messages(ids["conversation"])[-1].text == ""  # not on disk yet
    faults.disarm()
    store.rename(ids["conversation"], "Saved again")  # any write that works saves them first
    assert store.unsaved == 0
    last = store.messages(ids["conversation"])[-1]
    assert (last.text, last.status, last.error) == ("Half an answer, whole", "failed", "disk full")
    assert "file-9" in [u.file_id for u in store.uploads("p")]
    store.close()


def test_close_saves_what_was_kept_or_says_it_could_not(faults: Faults, tmp_path: Path) -> None:
    store, ids = filled_history(tmp_path / "data")
    faults.arm(FULL)
    with pytest.raises(StorageError):
        store.checkpoint(ids["answer"], "Kept in memory", "complete")
    faults.disarm()
    store.flush()  # what Retry does first
    store.close()
    again = History(tmp_path / "data")
    assert again.messages(ids["conversation"])[-1].text == "Kept in memory"
    faults.arm(FULL)
    with pytest.raises(StorageError):
        again.checkpoint(ids["answer"], "Lost at quit", "complete")
    with pytest.raises(StorageError, match="full"):
        again.close()
    assert again.closed


# a turn on a disk that fills ----------------------------------------------------------------


def session(profile: Profile, store: History, mode: ApiMode) -> OwnConversation:
    connection = Connection(profile, KEY, store=store)
    return OwnConversation(
        profile, None, mode=mode, model="gpt-4o", detail=Detail.LOW, connection=connection
    )


def test_disk_full_at_send_keeps_the_question_and_images(
    disk: Disk, emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    store = History(disk.folder / "data")

    async def scenario() -> tuple[list[Event], int, list[Event]]:
        turn = session(profile, store, ApiMode.CHAT)
        try:
            await attach(turn, photo_path)
            disk.break_()
            refused = [e async for e in turn.send("What is on the photo?", draft(turn))]
            still_attached = len(draft(turn))
            disk.repair()
            retried = [e async for e in turn.send("What is on the photo?", draft(turn))]
        finally:
            await turn.aclose()
        return refused, still_attached, retried

    refused, still_attached, retried = run(scenario())
    failed = final(refused)
    assert isinstance(failed, Failed) and isinstance(failed.error, StorageError)
    assert failed.error.message.startswith("The disk holding your history is full (")
    assert still_attached == 1  # Retry sends the same question with the same image
    assert isinstance(final(retried), Completed)
    [conversation] = store.conversations()
    question, answer = store.messages(conversation.id)
    assert question.text == "What is on the photo?" and len(question.images) == 1
    assert answer.status == "complete"
    store.close()


@pytest.mark.parametrize("mode", list(ApiMode))
def test_disk_full_mid_answer_ends_the_turn_and_keeps_the_answer(
    mode: ApiMode, disk: Disk, emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    store = History(disk.folder / "data")

    async def scenario() -> tuple[list[Event], int]:
        turn = session(profile, store, mode)
        events: list[Event] = []
        try:
            first = await collect(turn, [photo_path], "Describe it")  # a first turn, saved
            assert isinstance(final(first), Completed)
            async for event in turn.send("And in more detail?"):
                events.append(event)
                if isinstance(event, TextDelta) and disk.filler is None and not disk.faults.kind:
                    disk.break_()  # the first delta was saved; the rest meets a full disk
        finally:
            await turn.aclose()
        return events, len(turn.exchanges)

    events, exchanges = run(scenario())
    failed = final(events)
    assert isinstance(failed, Failed) and isinstance(failed.error, StorageError)
    assert failed.error.fault is StorageFault.FULL and exchanges == 1
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert failed.partial == streamed and streamed  # the whole answer travels with the failure
    conversation = store.conversations()[0].id
    on_disk = store.messages(conversation)[-1]
    assert on_disk.status == "streaming" and len(on_disk.text) < len(failed.partial)
    disk.repair()
    store.flush()  # writing works again: the answer kept in memory is saved, and ends
    saved = store.messages(conversation)[-1]
    assert (saved.text, saved.status) == (failed.partial, "failed")
    assert saved.error.startswith("The disk holding your history is full")
    store.close()


def test_a_bug_is_not_mistaken_for_the_disk(tmp_path: Path) -> None:
    store, ids = filled_history(tmp_path / "data")
    with pytest.raises(sqlite3.IntegrityError):  # a status the schema refuses: a bug, as is
        store.checkpoint(ids["answer"], "text", "no-such-status")
    assert store.unsaved == 0  # and never replayed into every later write
    store.rename(ids["conversation"], "Still writable")
    store.close()
