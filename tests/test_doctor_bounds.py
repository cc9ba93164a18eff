"""The doctor as an adversary uses it: every read is bounded, special files are refused, a
pasted curl names the local files it made the doctor read, deep nesting is unusable input,
and a huge curl command gives the same answer as its body pasted as JSON."""

from __future__ import annotations

import io
import json
import os
import resource
import shlex
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import doctor_corpus as corpus
from tests import images
from visiondesk.cli import main
from visiondesk.doctor import UnusableInput, diagnose
from visiondesk.doctor.words import split_words

LIMIT = 64 * 1024 * 1024
Run = subprocess.CompletedProcess[str]
MEMORY_CAP = 1024 * 1024 * 1024  # the doctor must never need more than this to refuse


def _cap_memory() -> None:
    """The child may not grow past 1 GB: an unbounded read fails fast instead of eating RAM."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP * 2, MEMORY_CAP * 2))


def doctor(
    *args: str, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "visiondesk", "doctor", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        preexec_fn=_cap_memory,
    )


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """`visiondesk doctor` in this process, for inputs the landed code read without harm."""

    def run(*args: str, stdin: str = "", cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        code = main(["doctor", *args])
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out.out, out.err)

    return run


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Error:" not in lines[0]
    return lines[0]


def chat_curl(data_flag: str) -> str:
    headers = "-H 'Content-Type: application/json'"
    return f"curl https://api.openai.com/v1/chat/completions {headers} {data_flag}"


# --- special files behind @file -------------------------------------------------------------


@pytest.mark.parametrize("flag", ["-d", "--json"])
def test_dev_zero_behind_a_data_flag_is_refused_unread(flag: str) -> None:
    line = one_line(doctor(stdin=chat_curl(f"{flag} @/dev/zero")))
    assert "/dev/zero" in line and "not a regular file" in line and "character device" in line


def test_a_fifo_behind_a_data_flag_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "body.json"
    os.mkfifo(fifo)  # nobody writes: opening it for reading would block for ever
    line = one_line(doctor(stdin=chat_curl("-d @body.json"), cwd=tmp_path))
    assert str(fifo) in line and "FIFO" in line and "not a regular file" in line


def test_a_socket_and_a_directory_are_refused(tmp_path: Path, cli: Callable[..., Run]) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "s.sock"))
    try:
        line = one_line(cli(stdin=chat_curl("-d @s.sock"), cwd=tmp_path))
        assert "socket" in line and "not a regular file" in line
    finally:
        server.close()
    line = one_line(cli(stdin=chat_curl(f"-d @{tmp_path}")))
    assert "directory" in line and "not a regular file" in line


@pytest.mark.parametrize("name", ["/proc/self/environ", "/proc/self/status", "/proc/self/cmdline"])
def test_proc_like_files_are_refused(name: str) -> None:
    with pytest.raises(UnusableInput) as raised:
        diagnose(chat_curl(f"-d @{name}"))
    message = str(raised.value)
    assert name in message and "system file" in message and "not read" in message
    assert "\n" not in message


def test_a_body_file_over_the_limit_is_refused_unread(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as file:
        file.truncate(LIMIT + 1)  # sparse: refusing it must not read it
    line = one_line(cli(stdin=chat_curl("-d @big.json"), cwd=tmp_path))
    assert str(big) in line and "64 MB" in line


def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "body.json").symlink_to("/dev/urandom")
    with pytest.raises(UnusableInput, match="character device"):
        diagnose(chat_curl("-d @body.json"), base=tmp_path)


# --- which local file was read ---------------------------------------------------------------


def test_the_report_names_the_local_file_it_read(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))))
    report = diagnose(chat_curl("--data-binary @body.json"), base=tmp_path)
    assert [(f.path, f.size) for f in report.local_files] == [(body, body.stat().st_size)]
    assert f"Read the local file {body} ({body.stat().st_size} bytes)" in report.as_text()
    assert report.as_json()["local_files"] == [str(body)]
    plain = diagnose(corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))))
    assert plain.local_files == () and "local file" not in plain.as_text()


def test_a_system_file_is_named_and_never_quoted(cli: Callable[..., Run]) -> None:
    """`-d @/etc/passwd` is a regular file: read (bounded), named, and not JSON; nothing of it
    is printed."""
    line = one_line(cli(stdin=chat_curl("-d @/etc/passwd")))
    assert "/etc/passwd" in line and "not valid JSON" in line
    assert "root" not in line and "/bin/" not in line


def test_data_raw_never_reads_a_file(cli: Callable[..., Run]) -> None:
    line = one_line(cli(stdin=chat_curl("--data-raw @/etc/passwd")))
    assert "not valid JSON" in line and "/etc/passwd" not in line


# --- the doctor's own input ------------------------------------------------------------------


def test_the_input_file_over_the_limit_is_refused_unread(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    big = tmp_path / "request.json"
    with big.open("wb") as file:
        file.truncate(LIMIT + 1)
    line = one_line(cli(str(big)))
    assert str(big) in line and "64 MB" in line


def test_a_device_as_the_input_file_is_refused() -> None:
    line = one_line(doctor("/dev/zero"))
    assert "/dev/zero" in line and "not a regular file" in line


def test_stdin_is_read_up_to_the_limit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b" " * (LIMIT + 1))))
    assert main(["doctor"]) == 2
    assert "64 MB" in capsys.readouterr().err


def test_pasted_text_over_the_limit_is_unusable() -> None:
    with pytest.raises(UnusableInput, match="64 MB"):
        diagnose("{" + " " * LIMIT + "}")


# --- deep nesting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        '{"a": ' * 10_000 + "1" + "}" * 10_000,
        json.dumps(
            {
                "model": "gpt-4o",
                "messages": [
                    {"role": "user", "content": "x", "x": json.loads("[" * 500 + "]" * 500)}
                ],
            }
        ),
    ],
    ids=["lists", "objects", "500 deep inside a message"],
)
def test_deep_nesting_is_unusable_input(text: str) -> None:
    line = one_line(doctor(stdin=text))
    assert "nested" in line and "deep" in line


def test_deep_nesting_in_a_curl_body_is_unusable_input() -> None:
    body = '{"model": "gpt-4o", "messages": ' + "[" * 10_000 + "]" * 10_000 + "}"
    line = one_line(doctor(stdin=chat_curl(f"-d '{body}'")))
    assert "nested" in line


def test_nesting_a_real_request_uses_is_fine() -> None:
    schema: dict[str, object] = {"type": "string"}
    for _ in range(30):  # a structured-output schema 30 objects deep
        schema = {"type": "object", "properties": {"a": schema}}
    body = json.loads(corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))))
    body["response_format"] = {"type": "json_schema", "json_schema": {"schema": schema}}
    assert diagnose(json.dumps(body)).problems == []


# --- the 10 MB curl command ------------------------------------------------------------------


def test_a_huge_curl_command_says_what_its_json_says() -> None:
    """The doctor's everyday case: a photo as a data URL in a pasted curl (here 10 MB).
    benchmarks/doctor.py measures it; this checks the answer is the same as for the JSON."""
    photo = images.encode(images.photo(4000, 3000), "JPEG", quality=100)
    body = corpus.chat(corpus.chat_image(corpus.wrapped(photo, "image/png")))
    assert len(body) > 10_000_000
    as_json = diagnose(body)
    as_curl = diagnose(chat_curl(f"-d '{body}'"))
    assert as_curl.as_json() == as_json.as_json()
    assert {p.code.value for p in as_curl.problems} >= {"base64_whitespace", "mime_mismatch"}


WORDS = st.text(alphabet=" \t\n'\"\\ab$-@={}", max_size=40)


@settings(deadline=None, max_examples=500)
@given(WORDS)
def test_curl_words_split_as_the_shell_does(command: str) -> None:
    try:
        expected: list[str] | None = shlex.split(command)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(ValueError, match=r"No closing quotation|No escaped character"):
            split_words(command)
    else:
        assert split_words(command) == expected


# --- animated GIF, by each endpoint's rule ---------------------------------------------------

GIF_URL = corpus.data_url(corpus.animated_gif(), "image/gif")
RULE_OF = {
    "/v1/chat/completions": "Chat Completions accepts PNG, JPEG, WEBP and non-animated GIF",
    "/v1/responses": "Responses accepts PNG, JPEG, WEBP and non-animated GIF",
    "/v1/threads": "Assistants accepts PNG, JPEG, WEBP and non-animated GIF",
}


def _function_call_output(*parts: object) -> str:
    """A Responses request whose tool answered with an image (function_call_output)."""
    call = {"type": "function_call", "call_id": "call_1", "name": "look", "arguments": "{}"}
    output = {"type": "function_call_output", "call_id": "call_1", "output": list(parts)}
    question = {"role": "user", "content": "What did the tool see?"}
    return json.dumps({"model": "gpt-4.1-mini", "input": [question, call, output]})


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (corpus.chat(corpus.chat_image(GIF_URL)), "messages[0].content[1].image_url.url"),
        (corpus.responses(corpus.input_image(GIF_URL)), "input[0].content[1].image_url"),
        (_function_call_output(corpus.input_image(GIF_URL)), "input[2].output[0].image_url"),
        (corpus.thread(corpus.chat_image(GIF_URL)), "messages[0].content[1].image_url.url"),
    ],
    ids=["chat", "responses", "responses function_call_output", "assistants"],
)
def test_an_animated_gif_is_flagged_with_the_endpoints_rule(text: str, path: str) -> None:
    report = diagnose(text)
    [problem] = [p for p in report.problems if p.code.value == "animated_gif"]
    assert problem.path == path and problem.is_error and report.exit_code == 1
    assert RULE_OF[report.endpoint.value] in problem.message
    assert "3 frames" in problem.message
    assert report.fixed is not None
    again = diagnose(json.dumps(report.fixed), report.endpoint.value)
    assert "animated_gif" not in {p.code.value for p in again.problems}


def test_a_still_gif_in_a_function_call_output_is_fine() -> None:
    report = diagnose(
        _function_call_output(corpus.input_image(corpus.data_url(corpus.gif(), "image/gif")))
    )
    assert report.problems == [] and len(report.checked.images) == 1


def test_images_past_the_apis_limit_are_counted_not_decoded() -> None:
    """64 MB holds ~400,000 tiny images: the doctor judges as many as the API takes (1,500)
    and counts the rest, so its time is bounded by the limit, not by the paste."""
    tiny = corpus.chat_image(corpus.data_url(corpus.tiny_png(), "image/png"), "low")
    report = diagnose(corpus.chat(*[tiny] * 3000))
    assert len(report.checked.images) == 1500
    [problem] = report.problems
    assert problem.code.value == "too_many_images" and "3000" in problem.message


def test_a_pipe_given_as_the_input_file_is_read() -> None:
    """`visiondesk doctor <(…)` hands over a pipe: the person's own, read up to the limit."""
    body = corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png")))
    result = doctor("/dev/stdin", stdin=body)
    assert result.returncode == 0, result.stderr
    assert "No problems found." in result.stdout
