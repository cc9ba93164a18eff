""" "Copy as Python" / "Copy as curl" rebuild the exact request of a turn — history, chain or
thread included — and the code runs: each snippet of a SECOND turn is executed against the
emulator, and its answer proves that what the conversation carried arrived."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from tests.turns import KEY, final, run, session_for, turns
from visiondesk.api.snippets import as_curl, as_python, write_images
from visiondesk.config.profiles import Profile, ProviderKind, Server
from visiondesk.domain import ApiMode, Replay
from visiondesk.emulator import Emulator
from visiondesk.events import Completed, Event, TurnStarted

PHOTO = "768×1024"  # the photo fixture as prepared at high detail
SHOT = "1365×768"  # the screenshot fixture


def two_turns(profile: Profile, mode: ApiMode, photo: Path, shot: Path) -> Replay:
    """Turn 1 with the photo, turn 2 with the screenshot; the replay of turn 2."""
    session = session_for(profile, mode)
    first, second = run(turns(session, ([photo], "First?"), ([shot], "Second?")))
    assert isinstance(final(first), Completed) and isinstance(final(second), Completed)
    return replay_of(second)


def replay_of(events: list[Event]) -> Replay:
    started = [e for e in events if isinstance(e, TurnStarted)]
    assert len(started) == 1
    return started[0].replay


def execute(command: list[str], script: str) -> str:
    result = subprocess.run(
        [*command, script] if command[0] == sys.executable else command,
        input=None if command[0] == sys.executable else script,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, OPENAI_API_KEY=KEY),
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def python(code: str) -> str:
    return execute([sys.executable, "-c"], code)


needs_curl = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("curl", "jq", "base64")),
    reason="the curl snippet needs curl, jq and base64 (CI installs them)",
)


def curl(script: str) -> str:
    return execute(["sh"], script)


# What the second turn's answer must say, per mode: the history (Chat: both images travel
# again, one earlier turn), the chain (Responses: one earlier turn, only the new image) or
# the thread (Assistants: the thread already holds both answers, only the new image travels).
EXPECTED = {
    ApiMode.CHAT: ["1 earlier turn(s)", "I received 2 image(s)", PHOTO, SHOT, "Second?"],
    ApiMode.RESPONSES: ["1 earlier turn(s)", "I received 1 image(s)", SHOT, "Second?"],
    ApiMode.ASSISTANTS: ["2 earlier turn(s)", "I received 1 image(s)", SHOT, "Second?"],
}


@pytest.mark.parametrize("mode", list(ApiMode))
def test_python_snippet_of_the_second_turn_replays_the_conversation(
    mode: ApiMode,
    emulator: Emulator,
    profile: Profile,
    photo_path: Path,
    shot_path: Path,
    tmp_path: Path,
) -> None:
    replay = two_turns(profile, mode, photo_path, shot_path)
    code = as_python(replay, write_images(replay.images, tmp_path / "images"))
    assert "os.environ['OPENAI_API_KEY']" in code and KEY not in code
    assert "data:image" not in code  # images are read from the saved files
    out = python(code)
    for expected in EXPECTED[mode]:
        assert expected in out, out
    if mode is ApiMode.RESPONSES:
        assert replay.state.response_id is not None and replay.state.response_id in code
    if mode is ApiMode.ASSISTANTS:
        assert replay.state.thread_id is not None and replay.state.thread_id in code
        assert "data:" not in code


@needs_curl
@pytest.mark.parametrize("mode", list(ApiMode))
def test_curl_snippet_of_the_second_turn_replays_the_conversation(
    mode: ApiMode,
    emulator: Emulator,
    profile: Profile,
    photo_path: Path,
    shot_path: Path,
    tmp_path: Path,
) -> None:
    replay = two_turns(profile, mode, photo_path, shot_path)
    script = as_curl(replay, write_images(replay.images, tmp_path / "images"))
    assert "$OPENAI_API_KEY" in script and KEY not in script
    out = curl(script)
    for expected in EXPECTED[mode]:
        assert expected in out, out


def test_the_replay_is_what_the_turn_was_built_from(
    emulator: Emulator, profile: Profile, photo_path: Path, shot_path: Path
) -> None:
    """The state is a copy taken BEFORE the send: the turn's own answer does not leak in."""
    session = session_for(profile, ApiMode.RESPONSES)
    first, second = run(turns(session, ([photo_path], "First?"), ([shot_path], "Second?")))
    one, two = replay_of(first), replay_of(second)
    assert one.state.response_id is None and one.history == ()
    assert two.state.response_id == final(first).response_id  # type: ignore[union-attr]
    assert [e.turn.prompt for e in two.history] == ["First?"]
    assert session.state.response_id == final(second).response_id  # type: ignore[union-attr]
    assert [image.label for image in two.images] == [str(photo_path), str(shot_path)]


def test_responses_uploads_and_unchained_servers_replay_their_own_body(
    emulator: Emulator, photo_path: Path, shot_path: Path, tmp_path: Path
) -> None:
    """Uploaded files become `upload(path)` calls; a server that keeps no responses gets the
    history and `store: False`, as the mode sent it."""
    uploads = Profile("Files", ProviderKind.EMULATOR, emulator.base_url, responses_upload=True)
    replay = two_turns(uploads, ApiMode.RESPONSES, photo_path, shot_path)
    code = as_python(replay, write_images(replay.images, tmp_path / "a"))
    assert "FILE2 = upload(" in code and "data_url" not in code
    out = python(code)
    assert "I received 1 image(s)" in out and "| file |" in out

    stateless = replace(replay, stores_responses=False)
    code = as_python(stateless, write_images(stateless.images, tmp_path / "b"))
    assert "'store': False" in code and "previous_response_id" not in code
    out = python(code)
    assert "1 earlier turn(s)" in out and "I received 2 image(s)" in out


def test_ollama_gets_no_file_ids(emulator: Emulator, tmp_path: Path, shot_path: Path) -> None:
    ollama = Profile(
        "Ollama-like", ProviderKind.COMPATIBLE, emulator.base_url, server=Server.OLLAMA
    )
    session = session_for(ollama, ApiMode.RESPONSES)
    (events,) = run(turns(session, ([shot_path], "Hi?")))
    replay = replay_of(events)
    assert not replay.uploads_images and not replay.stores_responses
    code = as_python(replay, write_images(replay.images, tmp_path))
    assert "IMAGE1 = data_url(" in code and "'store': False" in code
    assert "I received 1 image(s)" in python(code)


def test_shell_sensitive_prompts_survive_the_heredoc(
    emulator: Emulator, profile: Profile, tmp_path: Path
) -> None:
    prompt = "Cost: $HOME `date` \\n \"quoted\" 'single'"
    session = session_for(profile, ApiMode.CHAT)
    (events,) = run(turns(session, ([], prompt)))
    replay = replay_of(events)
    script = as_curl(replay, write_images(replay.images, tmp_path))
    if shutil.which("curl") and shutil.which("jq"):
        assert f"You asked: “{prompt}”" in curl(script)
    assert f"You asked: “{prompt}”" in python(as_python(replay, []))
