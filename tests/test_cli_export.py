"""`visiondesk conversations` and `visiondesk export`: the window's exports, scripted, read
from the history without changing it (a window may be running on it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli_runs import run_cli
from tests.test_export_inert import conversation, hostile
from visiondesk.store import History
from visiondesk.store.export import to_html


def visiondesk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """In this process (tests/cli_runs.py): what is tested is what the commands read and
    write, not the process."""
    return run_cli(*args, env={"VISIONDESK_DATA_DIR": str(data)})


def test_lists_and_exports_what_the_window_exports(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = History(data)
    strings = hostile("http://h") | {"title": "Receipt \x1b]0;owned\x07\x1b[2J total"}
    conversation_id = conversation(store, strings)
    expected = to_html(store, conversation_id, tmp_path / "window.html").read_text()
    store.close()

    listed = visiondesk(data, "conversations")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith(f"{conversation_id}\t1 turn(s)\tchat\tm\tReceipt ")
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout
    assert "\\x1b]0;owned\\x07" in listed.stdout  # shown, not obeyed

    out = tmp_path / "cli.html"
    exported = visiondesk(
        data, "export", str(conversation_id), "--format", "html", "--out", str(out)
    )
    assert exported.returncode == 0, exported.stderr
    assert out.read_text() == expected
    assert out.stat().st_mode & 0o077 == 0  # readable by the person only

    markdown = tmp_path / "md" / "talk.md"
    exported = visiondesk(
        data, "export", str(conversation_id), "--format", "md", "--out", str(markdown)
    )
    assert exported.returncode == 0, exported.stderr
    assert "## Assistant" in markdown.read_text()
    assert len(list((markdown.parent / "images").iterdir())) == 1


def test_an_unknown_id_or_a_missing_history_is_one_line(tmp_path: Path) -> None:
    missing = visiondesk(tmp_path / "none", "conversations")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1
    assert "no history" in missing.stderr
    store = History(tmp_path / "data")
    store.close()
    unknown = visiondesk(tmp_path / "data", "export", "42", "--out", str(tmp_path / "x.html"))
    assert unknown.returncode == 2 and "no conversation 42" in unknown.stderr


def test_reading_beside_a_running_window_changes_nothing(tmp_path: Path) -> None:
    """An answer still streaming in the window is not marked interrupted by the CLI's read."""
    data = tmp_path / "data"
    window = History(data)
    conversation_id = conversation(window, hostile("http://h"))
    answer = window.add_answer(conversation_id)
    window.checkpoint(answer, "still stream", "streaming")
    listed = visiondesk(data, "conversations")
    assert listed.returncode == 0, listed.stderr
    [*_, last] = window.messages(conversation_id)
    assert last.status == "streaming"
    window.close()
