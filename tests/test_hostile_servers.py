"""A hostile or broken server's answer is said in a person's words in every mode: the server,
what it sent, what to check — never a parser's message or a Python exception's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_cli_send import send
from tests.test_gateways import failed, quick_profile, turn
from tests.test_workspace import drive
from tests.waiting import until
from visiondesk.domain import ApiMode
from visiondesk.emulator import Emulator
from visiondesk.workspace import ConnectionState, TurnStatus, Workspace

PYTHON_WORDS = re.compile(
    r"Error\b|Exception|Traceback|object has no attribute|Expecting (property|value)|"
    r"line \d+ column \d+|NoneType|'str'|'int'|\bdict\b|\blist\b"
)


@pytest.mark.parametrize("knob", ["odd_shapes", "malformed_stream"])
@pytest.mark.parametrize("mode", list(ApiMode))
def test_every_mode_says_what_the_server_sent_in_plain_words(
    mode: ApiMode, knob: str, emulator: Emulator, photo_path: Path
) -> None:
    events, _ = turn(quick_profile(emulator), mode, photo_path, knob=knob, emulator=emulator)
    message = failed(events).error.message
    assert message.startswith(emulator.base_url), message
    assert not PYTHON_WORDS.search(message), message
    assert "Retry" in message or "Check" in message


def test_the_command_line_says_it_in_one_plain_line(emulator: Emulator) -> None:
    emulator.knobs.odd_shapes = True
    emulator.knobs.token_delay = 0.0
    result = send(
        "--base-url", emulator.base_url, "--mode", "responses", "--model", "m", "-p", "Hi"
    )
    assert result.returncode == 1
    [line] = [text for text in result.stderr.splitlines() if text.startswith("error:")]
    assert emulator.base_url in line and not PYTHON_WORDS.search(line), line
    assert "Traceback" not in result.stderr


def test_a_non_json_body_is_quoted_short_and_on_one_line() -> None:
    from visiondesk.api.errors import quote

    assert quote("<html>\n<body>\x1b[31m" + "x" * 100) == "<html> <body>\\x1b[31m" + "x" * 18 + "…"


@pytest.mark.parametrize("knob", ["odd_shapes", "malformed_stream"])
@pytest.mark.parametrize("mode", list(ApiMode))
def test_the_window_says_it_in_plain_words_on_the_turn(
    mode: ApiMode, knob: str, tmp_path: Path
) -> None:
    """The window's model (what the transcript draws): the failed turn's line, in each mode."""

    async def scenario(ws: Workspace) -> str:
        await until(lambda: ws.status.state is ConnectionState.CONNECTED)
        emulator = ws.connections.emulator
        assert emulator is not None
        setattr(emulator.knobs, knob, True)
        ws.set_mode(mode)
        ws.set_text("Hi")
        turn_id = ws.conversation.send()
        assert turn_id is not None

        def ended() -> bool:
            turn = ws.transcript.turn(turn_id)
            return turn is not None and not turn.status.running and not ws.busy

        await until(ended)
        turn = ws.transcript.turn(turn_id)
        assert turn is not None and turn.status is TurnStatus.FAILED, turn
        assert emulator.base_url in turn.error
        return turn.error

    message = drive(tmp_path, scenario)
    assert not PYTHON_WORDS.search(message), message
