"""`visiondesk send`: streams to stdout, progress to stderr, JSON events, exit codes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_runs import run_cli
from tests.conftest import TEST_KEY
from visiondesk.emulator import Emulator


def send(*args: str, key: str | None = TEST_KEY, **env: str) -> subprocess.CompletedProcess[str]:
    variables: dict[str, str | None] = {
        "OPENAI_API_KEY": key,
        "VISIONDESK_CONFIG_DIR": env.pop("config", "/nonexistent-visiondesk-config"),
        **env,
    }
    return run_cli("send", *args, env=variables)


def test_streams_the_answer_and_reports_progress(emulator: Emulator, photo_path: Path) -> None:
    result = send(
        "--base-url",
        emulator.base_url,
        "--mode",
        "assistants",
        "--model",
        "gpt-4o",
        "-p",
        "What is this?",
        str(photo_path),
    )
    assert result.returncode == 0, result.stderr
    assert (
        "I received 1 image(s)" in result.stdout
        and "| 768×1024 | image/jpeg | file |" in result.stdout
    )
    assert (
        "prepared" in result.stderr
        and "uploading" in result.stderr
        and "ready: file-" in result.stderr
    )
    assert TEST_KEY not in result.stdout + result.stderr


def test_json_prints_one_event_per_line(emulator: Emulator, photo_path: Path) -> None:
    result = send(
        "--base-url",
        emulator.base_url,
        "--mode",
        "responses",
        "--model",
        "gpt-4o",
        "--detail",
        "low",
        "-p",
        "Hi",
        str(photo_path),
        "--json",
    )
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    names = [event["event"] for event in events]
    assert names[:2] == ["preparing", "prepared"] and names[-2:] == ["completed", "summary"]
    summary = events[-1]
    assert (summary["model"], summary["mode"], summary["detail"]) == ("gpt-4o", "responses", "low")
    assert summary["ok"] and summary["text"] == events[-2]["text"] and "column" not in summary
    used = summary["usage"]
    assert used["input_tokens"] > 0 and used["output_tokens"] > 0
    assert used["cached_input_tokens"] == 0  # a first turn has nothing cached
    expected = (used["input_tokens"] * 2.5 + used["output_tokens"] * 10.0) / 1e6  # gpt-4o
    assert summary["cost_usd"] == pytest.approx(expected, abs=1e-6)
    assert summary["images"][0]["width"] == 384 and summary["seconds"] > 0
    assert "text_delta" in names and "usage" in names and "request_sent" in names
    started = events[names.index("turn_started")]["replay"]
    assert names.index("turn_started") < names.index("request_sent")
    assert started["mode"] == "responses" and started["images"] == 1
    assert started["earlier_turns"] == 0 and started["previous_response_id"] is None
    prepared = events[1]["image"]
    assert (prepared["width"], prepared["height"], prepared["detail"]) == (384, 512, "low")
    assert "data:image/jpeg;base64,…(" in json.dumps(events, ensure_ascii=False)


def test_the_built_in_emulator_profile_needs_no_key(photo_path: Path) -> None:
    result = send(
        "--profile",
        "emulator",
        "--mode",
        "chat",
        "--model",
        "gpt-4o",
        "-p",
        "Hi",
        str(photo_path),
        key=None,
    )
    assert result.returncode == 0, result.stderr
    assert "VisionDesk emulator" in result.stdout


def test_exit_codes(emulator: Emulator, tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("hello")
    bad_input = send(
        "--base-url", emulator.base_url, "--mode", "chat", "--model", "m", "-p", "x", str(text)
    )
    assert bad_input.returncode == 2 and "not an image" in bad_input.stderr
    wrong_key = send(
        "--base-url", emulator.base_url, "--mode", "chat", "--model", "m", "-p", "x", key="sk-bad"
    )
    assert wrong_key.returncode == 1 and "rejected the API key" in wrong_key.stderr
    no_key = send("--profile", "openai", "--mode", "chat", "--model", "m", "-p", "x", key=None)
    assert no_key.returncode == 2 and "OPENAI_API_KEY" in no_key.stderr
    usage = send("--mode", "chat", "-p", "x")
    assert usage.returncode == 2


def test_a_rate_limit_says_how_long_it_waits_then_answers(emulator: Emulator) -> None:
    # The mode check's four requests take four of the 429s; the question gets the fifth.
    emulator.knobs.fail_429, emulator.knobs.retry_after = 5, 1.5
    result = send("--base-url", emulator.base_url, "--mode", "chat", "--model", "m", "-p", "Hi")
    assert result.returncode == 0, result.stderr
    assert f"rate limited by {emulator.base_url}; retrying in 2 s" in result.stderr
    assert result.stderr.count("rate limited") == 1  # said once, not at every second
    statuses = [r.status for r in emulator.log if r.path == "/chat/completions"]
    assert statuses[-2:] == [429, 200] and "You asked: “Hi”" in result.stdout


def test_the_key_can_come_from_another_variable(emulator: Emulator) -> None:
    result = send(
        "--base-url",
        emulator.base_url,
        "--api-key-env",
        "MY_KEY",
        "--mode",
        "chat",
        "--model",
        "gpt-4o",
        "-p",
        "Hi",
        key=None,
        MY_KEY=TEST_KEY,
    )
    assert result.returncode == 0, result.stderr


@contextlib.contextmanager
def ctrl_c_reaches_children() -> Iterator[None]:
    """A child started here gets the default Ctrl+C even when this process ignores SIGINT (as a
    shell's background job does): an ignored signal stays ignored across exec, a handled one
    is reset to the default."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        yield
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_interrupt_exits_130(emulator: Emulator) -> None:
    # The first word goes out at once, the next only after a minute: once the emulator has
    # sent one delta, the CLI is mid-answer for certain, however loaded the machine is.
    emulator.knobs.token_delay = 60
    environment = dict(os.environ, OPENAI_API_KEY=TEST_KEY, VISIONDESK_CONFIG_DIR="/nonexistent")
    command = [sys.executable, "-m", "visiondesk", "send", "--base-url", emulator.base_url]
    command += ["--mode", "chat", "--model", "gpt-4o", "-p", "Hi"]
    with ctrl_c_reaches_children():
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
        )
    try:
        streaming = emulator.wait_until(
            lambda store: any(r.path == "/chat/completions" and r.streamed for r in store.log),
            timeout=120,
        )
        assert streaming, "the answer never started streaming"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, stderr
    assert stderr.splitlines()[-1] == "interrupted"
