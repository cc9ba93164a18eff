"""`visiondesk count`: a question's input tokens before it is sent — exact where the server's
input_tokens endpoint answers, else the local estimate, and the output says which."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli_runs import run_cli
from visiondesk.emulator import Emulator

KEY = "sk-test-visiondesk-0000000000000000"


def count(emulator: Emulator, *args: str) -> tuple[int, str, str]:
    env: dict[str, str | None] = {
        "OPENAI_API_KEY": KEY,
        "VISIONDESK_CONFIG_DIR": "/nonexistent-visiondesk-config",
    }
    done = run_cli("count", "--base-url", emulator.base_url, "--model", "gpt-4o", *args, env=env)
    return done.returncode, done.stdout, done.stderr


def test_the_server_counts_exactly_with_the_images_as_sent(
    emulator: Emulator, photo_path: Path
) -> None:
    code, out, err = count(
        emulator, "--detail", "high", "-p", "What is it?", str(photo_path), "--json"
    )
    assert code == 0, err
    counted = json.loads(out)
    assert counted["exact"] is True and counted["why_estimate"] is None
    assert counted["images"][0]["width"] == 768 and counted["image_tokens"] == 765
    assert counted["input_tokens"] > 765
    [asked] = [r for r in emulator.log if r.path == "/responses/input_tokens"]
    assert len(asked.images) == 1 and asked.images[0].width == 768  # the image as it would go
    assert not [r for r in emulator.log if r.path == "/responses"]  # nothing asked of a model
    code, text, _ = count(emulator, "-p", "What is it?", str(photo_path))
    assert code == 0 and "input tokens (exact, counted by the server)" in text


def test_where_the_server_cannot_count_the_estimate_says_why(
    emulator: Emulator, photo_path: Path
) -> None:
    emulator.knobs.disabled_modes = {"input_tokens"}
    code, out, err = count(emulator, "-p", "What is it?", str(photo_path))
    assert code == 0, err
    first, why = out.splitlines()[:2]
    assert first.endswith("input tokens (estimate)") and why.startswith("  not exact: ")
    code, out, _ = count(emulator, "--mode", "chat", "-p", "What is it?", str(photo_path))
    assert code == 0 and "only the Responses API counts exactly" in out


def test_an_image_that_cannot_be_used_exits_2_in_one_line(
    emulator: Emulator, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n no more")
    code, out, err = count(emulator, "-p", "What is it?", str(broken))
    assert code == 2 and out == "" and "broken.png" in err and len(err.strip().splitlines()) == 1
