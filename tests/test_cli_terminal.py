"""`visiondesk send` shows a server's control characters instead of obeying them: a title
change (OSC), a screen clear (CSI), a bell, NUL — in the answer, the progress and --json."""

from __future__ import annotations

import json
import re

from tests.test_cli_send import send
from visiondesk.emulator import Emulator

HOSTILE = "look \x1b]0;owned\x07 \x1b[2J \x07 \x9b31m \u202eevil"  # argv holds no NUL
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")


def test_the_answer_reaches_the_terminal_inert(emulator: Emulator) -> None:
    # The emulator quotes the question in its answer: the server's text carries them.
    result = send("--base-url", emulator.base_url, "--mode", "chat", "--model", "m", "-p", HOSTILE)
    assert result.returncode == 0, result.stderr
    assert "You asked:" in result.stdout
    assert not RAW.search(result.stdout) and not RAW.search(result.stderr)
    assert "\\x1b]0;owned\\x07" in result.stdout  # shown, so the person sees what came


def test_json_lines_escape_what_json_leaves_raw(emulator: Emulator) -> None:
    result = send(
        "--base-url", emulator.base_url, "--mode", "chat", "--model", "m", "-p", HOSTILE, "--json"
    )
    assert result.returncode == 0, result.stderr
    assert not RAW.search(result.stdout)
    texts = [json.loads(line).get("text", "") for line in result.stdout.splitlines()]
    assert any("\x9b31m" in text and "\u202e" in text for text in texts)  # the data is intact
