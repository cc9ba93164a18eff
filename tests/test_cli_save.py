"""`visiondesk send --save` and `--continue ID`: the command line's turn lands in the history as
the window saves it, so `visiondesk conversations` lists it and `visiondesk export` shows it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_KEY
from tests.test_cli_export import visiondesk
from tests.test_cli_send import ctrl_c_reaches_children, send
from tests.waiting import until
from visiondesk.emulator import Emulator
from visiondesk.errors import VisionDeskError
from visiondesk.store import History
from visiondesk.store.database import DATABASE
from visiondesk.store.sources import conversation_sources

ID_LINE = re.compile(r"conversation: (\d+)")


def saved_id(stderr: str) -> int:
    """The id from the last line of stderr, which must be exactly `conversation: ID`."""
    last = stderr.splitlines()[-1]
    match = ID_LINE.fullmatch(last)
    assert match is not None, stderr
    return int(match.group(1))


def exported_markdown(data: Path, conversation_id: int, out: Path) -> str:
    exported = visiondesk(data, "export", str(conversation_id), "--format", "md", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    return out.read_text()


def test_a_saved_send_is_listed_and_exported(
    emulator: Emulator, photo_path: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    args = ["--base-url", emulator.base_url, "--mode", "chat", "--model", "gpt-4o"]
    result = send(
        *args, "-p", "What is in it?", str(photo_path), "--save", VISIONDESK_DATA_DIR=str(data)
    )
    assert result.returncode == 0, result.stderr
    conversation_id = saved_id(result.stderr)

    listed = visiondesk(data, "conversations")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == f"{conversation_id}\t1 turn(s)\tchat\tgpt-4o\tWhat is in it?\n"

    markdown = exported_markdown(data, conversation_id, tmp_path / "out" / "talk.md")
    assert "## You\n\nWhat is in it?" in markdown
    assert "## Assistant\n\n" in markdown and "(failed)" not in markdown
    assert "I received 1 image(s)" in markdown and "You asked: “What is in it?”" in markdown
    assert len(list((tmp_path / "out" / "images").iterdir())) == 1  # the image went with it


def test_a_failed_send_is_saved_with_its_question(emulator: Emulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    args = ["--base-url", emulator.base_url, "--mode", "chat", "--model", "gpt-4o"]
    refused = send(*args, "-p", "Who is it?", "--save", key="sk-bad", VISIONDESK_DATA_DIR=str(data))
    assert refused.returncode == 1 and "rejected the API key" in refused.stderr
    conversation_id = saved_id(refused.stderr)
    markdown = exported_markdown(data, conversation_id, tmp_path / "talk.md")
    assert "## You\n\nWho is it?" in markdown and "## Assistant (failed)" in markdown
    assert "rejected the API key" in markdown


def test_a_bad_image_keeps_the_question_and_its_source_for_retry(
    emulator: Emulator, photo_path: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    text = tmp_path / "notes.png"
    text.write_text("hello")
    args = ["--base-url", emulator.base_url, "--mode", "chat", "--model", "gpt-4o"]
    result = send(
        *args, "-p", "Read it", str(photo_path), str(text), "--save", VISIONDESK_DATA_DIR=str(data)
    )
    assert result.returncode == 2 and "not an image" in result.stderr
    conversation_id = saved_id(result.stderr)
    with History(data, read_only=True) as history:
        question, answer = history.messages(conversation_id)
        sources = conversation_sources(history, conversation_id)[question.id]
    assert (
        question.text == "Read it" and answer.status == "failed" and "not an image" in answer.error
    )
    # Both images as they were attached, so the window's Retry can prepare them again.
    assert [s.label for s in sources] == [str(photo_path), str(text)]
    assert sources[0].data == photo_path.read_bytes()


def test_continue_goes_on_with_a_saved_conversation(
    emulator: Emulator, photo_path: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    args = ["--base-url", emulator.base_url, "--model", "gpt-4o"]
    first = send(
        *args,
        "--mode",
        "chat",
        "-p",
        "One",
        str(photo_path),
        "--save",
        VISIONDESK_DATA_DIR=str(data),
    )
    assert first.returncode == 0, first.stderr
    conversation_id = saved_id(first.stderr)
    for mode in ("responses", "assistants"):  # its words travel to another mode too
        later = send(
            *args,
            "--mode",
            mode,
            "-p",
            "Next",
            "--continue",
            str(conversation_id),
            VISIONDESK_DATA_DIR=str(data),
        )
        assert later.returncode == 0, later.stderr
        assert saved_id(later.stderr) == conversation_id
    assert "This conversation has 2 earlier turn(s)." in later.stdout
    listed = visiondesk(data, "conversations")
    assert listed.stdout == f"{conversation_id}\t3 turn(s)\tassistants\tgpt-4o\tOne\n"

    unknown = send(
        *args, "--mode", "chat", "-p", "x", "--continue", "42", VISIONDESK_DATA_DIR=str(data)
    )
    assert unknown.returncode == 2 and unknown.stderr == (
        "visiondesk send: There is no saved conversation 42.\n"
    )


def streamed_text(data: Path) -> str:
    """The text saved so far of the only answer in the history ("" before there is one)."""
    if not (data / DATABASE).is_file():
        return ""
    try:
        history = History(data, read_only=True)
    except VisionDeskError:  # being created by the command
        return ""
    with history:
        return "".join(m.text for c in history.conversations() for m in history.messages(c.id)[1:])


def test_an_interrupted_saved_send_is_saved_as_stopped(emulator: Emulator, tmp_path: Path) -> None:
    data = tmp_path / "data"
    emulator.knobs.token_delay = 60  # one word, then a minute: the CLI is mid-answer for certain
    environment = dict(
        os.environ,
        OPENAI_API_KEY=TEST_KEY,
        VISIONDESK_CONFIG_DIR="/nonexistent",
        VISIONDESK_DATA_DIR=str(data),
    )
    command = [sys.executable, "-m", "visiondesk", "send", "--base-url", emulator.base_url]
    command += ["--mode", "chat", "--model", "gpt-4o", "-p", "Hi", "--save"]
    with ctrl_c_reaches_children():
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
        )
    try:
        asyncio.run(until(lambda: streamed_text(data), timeout=120))  # its first word is saved
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-2] == "interrupted"
    conversation_id = saved_id(stderr)
    with History(data, read_only=True) as history:
        _, answer = history.messages(conversation_id)
    assert answer.status == "cancelled" and answer.text.startswith("**VisionDesk")


def test_saving_beside_a_running_window_leaves_its_answer_streaming(
    emulator: Emulator, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    window = History(data)
    conversation_id = window.create_conversation("Window", "p", "chat", "m", "auto")
    answer = window.add_answer(conversation_id)
    window.checkpoint(answer, "still stream", "streaming")
    args = ["--base-url", emulator.base_url, "--mode", "chat", "--model", "gpt-4o"]
    result = send(*args, "-p", "Hi", "--save", VISIONDESK_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    assert saved_id(result.stderr) != conversation_id
    [streaming] = window.messages(conversation_id)
    assert streaming.status == "streaming"  # not marked interrupted under the window
    window.close()
