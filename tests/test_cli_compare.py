"""`visiondesk send --compare`: the same question and images through several columns at
once, against the emulator, which answers with what each column's request carried — so each
column is checked to have got its own sizes, tokens and price."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli_runs import run_cli
from tests.conftest import TEST_KEY
from visiondesk.compare import ColumnSpec, SpecError, parse_spec, parse_specs
from visiondesk.domain import ApiMode, Detail
from visiondesk.emulator import Emulator


def send(*args: str, data: Path | None = None) -> subprocess.CompletedProcess[str]:
    env: dict[str, str | None] = {
        "OPENAI_API_KEY": TEST_KEY,
        "VISIONDESK_CONFIG_DIR": "/nonexistent-visiondesk-config",
    }
    if data is not None:
        env["VISIONDESK_DATA_DIR"] = str(data)
    return run_cli("send", *args, env=env)


COLUMNS = ["gpt-4o:chat:high", "gpt-4.1-mini:responses:low", "gpt-4o:responses:high"]


def test_every_column_answers_under_its_header_with_what_it_saw(
    emulator: Emulator, photo_path: Path
) -> None:
    args = [f"--compare={spec}" for spec in COLUMNS]
    done = send("--base-url", emulator.base_url, *args, "--detail", "high", "-p", "What?",
                str(photo_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    parts = done.stdout.split("=== ")[1:]
    assert [part.split(" — ")[0] for part in parts] == [
        "[1] gpt-4o · chat · detail high",
        "[2] gpt-4.1-mini · responses · detail low",
        "[3] gpt-4o · responses · detail high",
    ]
    # The emulator's table of what each request carried: each column its own.
    assert "| 768×1024 | image/jpeg | data_url | high | 765 |" in parts[0]
    assert "| 384×512 | image/jpeg | data_url | low | 312 |" in parts[1]
    assert "| 768×1024 | image/jpeg | data_url | high | 765 |" in parts[2]
    assert "saw: photo.jpg 384×512, about 312 tokens" in parts[1]
    assert "(prices of " in parts[0] and "first token" in parts[0]


def test_json_tags_every_event_with_its_column_and_ends_each_with_a_summary(
    emulator: Emulator, photo_path: Path
) -> None:
    args = [f"--compare={spec}" for spec in COLUMNS]
    done = send("--base-url", emulator.base_url, *args, "-p", "What?", str(photo_path), "--json")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(event["column"] in (0, 1, 2) for event in events)
    summaries = {e["column"]: e for e in events if e["event"] == "summary"}
    assert sorted(summaries) == [0, 1, 2]
    low = summaries[1]
    assert (low["model"], low["mode"], low["detail"]) == ("gpt-4.1-mini", "responses", "low")
    assert low["images"][0]["width"] == 384 and low["images"][0]["tokens"] == 312
    assert "| 384×512 | image/jpeg | data_url | low | 312 |" in low["text"]
    assert low["usage"]["input_tokens"] > 312 and low["usage"]["output_tokens"] > 0
    # gpt-4.1-mini at $0.40 / $1.60 per million (the default table)
    expected = (low["usage"]["input_tokens"] * 0.40 + low["usage"]["output_tokens"] * 1.60) / 1e6
    assert low["cost_usd"] == pytest.approx(expected, abs=1e-6)
    assert all(isinstance(s["seconds"], float) and s["ok"] for s in summaries.values())
    # Columns 0 and 2 send the same pixels: prepared once, by whichever asked first.
    by = {e["column"]: e["prepared_by"] for e in events if e["event"] == "prepared"}
    assert by[1] == 1 and by[0] == by[2] in (0, 2)


def test_one_columns_failure_stays_in_that_column(emulator: Emulator, photo_path: Path) -> None:
    emulator.knobs.disabled_modes = {"assistants"}
    args = [f"--compare={spec}" for spec in [*COLUMNS[:2], "gpt-4o:assistants"]]
    done = send("--base-url", emulator.base_url, *args, "-p", "What?", str(photo_path), "--json")
    assert done.returncode == 1
    summaries = {
        e["column"]: e for e in map(json.loads, done.stdout.splitlines()) if e["event"] == "summary"
    }
    assert summaries[0]["ok"] and summaries[1]["ok"] and summaries[0]["text"]
    assert not summaries[2]["ok"] and summaries[2]["error"]


def test_an_assistants_upload_goes_once_for_two_columns(
    emulator: Emulator, photo_path: Path
) -> None:
    done = send("--base-url", emulator.base_url, "--compare", "gpt-4o:assistants",
                "--compare", "gpt-4.1:assistants", "-p", "Hi", str(photo_path))  # fmt: skip
    assert done.returncode == 0, done.stderr
    uploads = [r for r in emulator.log if r.method == "POST" and r.path == "/files"]
    assert len(uploads) == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--compare", "gpt-4o:chat"], "compare takes 2 to 4 columns (--compare given 1 time)"),
        (["--compare", "gpt-4o", "--compare", "gpt-4.1:chat"], "'gpt-4o' names no mode"),
        (["--compare", "a:chat"] * 2 + ["--continue", "3"], "goes on with its own columns"),
        ([], "the following arguments are required: --mode, --model"),
    ],
)
def test_bad_columns_exit_2_in_one_line(args: list[str], said: str) -> None:
    done = send("--profile", "emulator", *args, "-p", "Hi")
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_specs_are_read_from_the_right_so_a_models_colons_stay() -> None:
    assert parse_spec("llava:13b", ApiMode.CHAT, Detail.AUTO) == ColumnSpec(
        "llava:13b", ApiMode.CHAT, Detail.AUTO
    )
    assert parse_spec("llava:13b:responses:LOW", None, Detail.AUTO) == ColumnSpec(
        "llava:13b", ApiMode.RESPONSES, Detail.LOW
    )
    assert parse_spec("gpt-4o:original", ApiMode.CHAT, Detail.AUTO).detail is Detail.ORIGINAL
    with pytest.raises(SpecError, match="names no model"):
        parse_spec(":chat", None, Detail.AUTO)
    with pytest.raises(SpecError, match="2 to 4"):
        parse_specs(["a:chat"] * 5, None, Detail.AUTO)


def test_a_saved_compare_goes_on_with_its_own_columns(
    emulator: Emulator, photo_path: Path, tmp_path: Path
) -> None:
    from visiondesk.store import History

    columns = ["--compare", "gpt-4o:chat:high", "--compare", "gpt-4.1-mini:responses:low"]
    base = ["--base-url", emulator.base_url]
    first = send(*base, *columns, "-p", "What is it?", str(photo_path), "--save", data=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stderr.strip().splitlines()[-1] == "conversation: 1"
    again = send(*base, "--continue", "1", "-p", "And the colour?", data=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stderr.strip().splitlines()[-1] == "conversation: 1"
    asked = [r for r in emulator.log if "And the colour?" in json.dumps(r.body)]
    assert sorted(r.path for r in asked) == ["/chat/completions", "/responses"]
    for request in asked:  # each column's own history (and its own image size) went along
        assert "What is it?" in json.dumps(request.body) and len(request.images) == 1
    sizes = sorted(request.images[0].width or 0 for request in asked)
    assert sizes == [384, 768]
    history = History(tmp_path, read_only=True)
    assert [c.id for c in history.conversations()] == [1]
    stored = history.compare_columns(1)
    assert [(c.model, c.mode, c.detail) for c in stored] == [
        ("gpt-4o", "chat", "high"),
        ("gpt-4.1-mini", "responses", "low"),
    ]
    for column in stored:
        texts = [m.text for m in history.messages(column.id) if m.role == "user"]
        assert texts == ["What is it?", "And the colour?"]
