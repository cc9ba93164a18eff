"""Never a dead end on damage, in the store: a write refused by a damaged page no longer makes
every later write fail; Repair rebuilds a new history from every readable row (the damaged
file kept aside) and Restore puts a checked backup in place (the current file kept aside) —
on pages zeroed after start and on a file damaged before start."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.stores import stored_image as image
from tests.test_store_damage import conversation, zero_page
from visiondesk.domain import Question
from visiondesk.errors import BackupError, StorageError, StorageFault
from visiondesk.store import History


def integrity(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        lines = [str(row[0]) for row in db.execute("PRAGMA integrity_check")]
    db.close()
    return lines


def aside(folder: Path, kind: str) -> list[Path]:
    return sorted(folder.glob(f"history.sqlite3.{kind}-*"))


def two_conversations(folder: Path) -> tuple[int, int]:
    store = History(folder)
    first = conversation(store, "Lighthouse", [1, 2])
    second = conversation(store, "Harbour", [3])
    store.close()  # everything in history.sqlite3
    return first, second


def test_a_write_a_damaged_page_refused_never_blocks_the_writes_that_work(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first, _ = two_conversations(folder)
    store = History(folder)
    zero_page(store.path, "uploads")  # after start: the ledger's table is damaged
    with pytest.raises(StorageError) as refused:
        store.attach_uploads(first, ["key"])  # kept in memory, refused by the damaged page
    assert refused.value.fault is StorageFault.DAMAGED
    # Every later write used to replay the refused one first, and failed with it.
    question = store.add_user_message(first, Question("Still saved?", (image(9),)))
    answer = store.add_answer(first)
    store.checkpoint(answer, "Yes", "complete")
    texts = [m.text for m in store.messages(first)]
    assert texts[-2:] == ["Still saved?", "Yes"] and question
    store.close()


@pytest.mark.parametrize("when", ["after start", "before start"])
def test_repair_keeps_every_readable_row_and_the_damaged_file(tmp_path: Path, when: str) -> None:
    folder = tmp_path / "data"
    first, second = two_conversations(folder)
    if when == "before start":
        zero_page(folder / "history.sqlite3", "attachments")
    store = History(folder)
    if when == "after start":
        zero_page(store.path, "attachments")
    damaged = store.path.read_bytes()
    with pytest.raises(StorageError):  # a damaged page refuses new images
        store.add_user_message(second, Question("With a picture", (image(8),)))

    report = store.repair()

    assert report.lost["attachments"] == 3 and report.kept["messages"] == 6
    assert report.kept["conversations"] == 2 and not report.unreadable
    line = report.summary()
    assert "3 image record(s)" in line and str(report.aside) in line
    [kept] = aside(folder, "damaged")
    assert kept == report.aside and kept.read_bytes()[: len(damaged)] == damaged
    assert integrity(store.path) == ["ok"] and store.integrity_check() == []
    assert [c.title for c in store.conversations()] == ["Harbour", "Lighthouse"]
    assert [m.text for m in store.messages(first)] == [
        "Question of Lighthouse",
        "Answer of Lighthouse",
        "Follow-up of Lighthouse",
    ]
    # The same History goes on with the new file: images are saved again.
    store.add_user_message(second, Question("With a picture", (image(8),)))
    assert len(store.messages(second)[-1].images) == 1
    store.close()
    assert History(folder).messages(second)[-1].text == "With a picture"


def test_repair_lists_again_the_conversations_whose_own_rows_were_lost(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first, _ = two_conversations(folder)
    store = History(folder)
    zero_page(store.path, "conversations")
    with pytest.raises(StorageError):
        store.conversations()
    report = store.repair()
    # The rows are known to have been there through the compare index (pages of its own).
    assert report.recovered_conversations == 2 and report.lost["conversations"] == 2
    assert "Recovered conversation" in report.summary()
    titles = sorted(c.title for c in store.conversations())
    assert titles == [f"Recovered conversation {n}" for n in (1, 2)]
    question = store.messages(first)[0]
    assert question.text == "Question of Lighthouse" and len(question.images) == 2
    store.close()


def test_repair_of_a_zeroed_page_of_messages_counts_them(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first, _ = two_conversations(folder)
    zero_page(folder / "history.sqlite3", "messages")
    store = History(folder)
    report = store.repair()
    assert report.lost["messages"] == 6 and "6 message(s)" in report.summary()
    assert report.lost["attachments"] == 3  # their messages are gone: they go too
    assert store.messages(first) == [] and store.integrity_check() == []
    store.add_user_message(first, Question("A new start"))
    assert [m.text for m in store.messages(first)] == ["A new start"]
    store.close()


@pytest.mark.parametrize("when", ["after start", "before start"])
def test_restore_puts_the_backup_back(tmp_path: Path, when: str) -> None:
    folder = tmp_path / "data"
    first, _ = two_conversations(folder)
    store = History(folder)
    store.backup(tmp_path / "backup")
    store.add_user_message(first, Question("After the backup"))
    if when == "before start":
        store.close()
        zero_page(folder / "history.sqlite3", "attachments")
        store = History(folder)
    else:
        zero_page(store.path, "attachments")
    assert not store.messages(first)[0].images

    report = store.restore(tmp_path / "backup" / "history.sqlite3")

    [replaced] = aside(folder, "replaced")
    assert report.aside == replaced and report.conversations == 2
    assert str(replaced) in report.summary()
    question = store.messages(first)[0]
    assert len(question.images) == 2 and question.intact
    assert [m.text for m in store.messages(first)][-1] == "Follow-up of Lighthouse"
    assert store.integrity_check() == []
    store.close()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    first, _ = two_conversations(folder)
    store = History(folder)
    store.backup(tmp_path / "backup")
    copy = tmp_path / "backup" / "history.sqlite3"
    zero_page(copy, "messages")
    with pytest.raises(BackupError) as refused:
        store.restore(copy)
    assert "cannot be restored" in str(refused.value) and "damaged" in str(refused.value)
    assert not aside(folder, "replaced")
    assert len(store.messages(first)) == 3
    with pytest.raises(BackupError):
        store.restore(tmp_path / "nothing-here")
    store.close()


def test_repair_reads_row_by_row_around_one_damaged_leaf(tmp_path: Path) -> None:
    """One bad page in the middle of a table costs only the rows on it: the rows after it are
    found through the table's tree, one by one."""
    folder = tmp_path / "data"
    store = History(folder)
    for number in range(200):
        conversation(store, f"C{number}", [number % 5])
    store.close()
    database = folder / "history.sqlite3"
    with sqlite3.connect(database) as db:
        try:
            leaves = [
                int(row[0])
                for row in db.execute(
                    "SELECT pageno FROM dbstat WHERE name = 'messages' AND pagetype = 'leaf' "
                    "ORDER BY pageno"
                )
            ]
        except sqlite3.OperationalError:
            pytest.skip("this sqlite has no dbstat table")
        size = int(db.execute("PRAGMA page_size").fetchone()[0])
    db.close()
    assert len(leaves) > 4
    with database.open("r+b") as file:
        file.seek((leaves[len(leaves) // 2] - 1) * size)
        file.write(b"\0" * size)
    store = History(folder)
    report = store.repair()
    lost = report.lost["messages"]
    assert 0 < lost < 100 and report.kept["messages"] == 600 - lost
    assert store.integrity_check() == [] and len(store.conversations()) == 200
    store.close()
