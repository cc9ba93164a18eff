"""The request doctor: every corpus request gets exactly its expected codes, the emulator
answers the first error with the same message, and every fixed request is accepted."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests import doctor_corpus as corpus
from tests.conftest import TEST_KEY
from visiondesk.cli import main
from visiondesk.doctor import Endpoint, Report, UnknownEndpoint, UnusableInput, diagnose
from visiondesk.doctor.upload import upload_placeholders
from visiondesk.emulator import Emulator
from visiondesk.rules import RULES, Code, Limits

CASES = corpus.cases()
REQUIRED = {
    "assistants_data_url",
    "raw_base64_not_url",
    "mime_mismatch",
    "base64_whitespace",
    "not_an_image",
    "unsupported_format",
    "animated_gif",
    "image_not_in_user_message",
    "wrong_part_type",
    "image_url_not_object",
    "bad_detail",
    "oversized",
    "too_many_images",
}


def run_case(case: corpus.Case, tmp_path: Path) -> Report:
    for name, text in case.files.items():
        (tmp_path / name).write_text(text)
    return diagnose(case.text, case.endpoint, base=tmp_path)


def test_the_corpus_covers_every_code_mode_and_input_form() -> None:
    broken = [case for case in CASES if case.codes]
    assert len(broken) >= 30
    assert len([case for case in CASES if not case.codes]) >= 8
    assert set().union(*(case.codes for case in CASES)) >= REQUIRED
    assert sum(len(case.codes) > 1 for case in CASES) >= 5
    assert sum(case.text.startswith("curl") for case in CASES) >= 5
    endpoints = {run_case(case, Path("/nonexistent")).endpoint for case in CASES if not case.files}
    assert endpoints == set(Endpoint)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_finds_exactly_the_expected_problems(case: corpus.Case, tmp_path: Path) -> None:
    report = run_case(case, tmp_path)
    assert {p.code.value for p in report.problems} == case.codes
    errors = [p for p in report.problems if p.is_error]
    assert report.exit_code == (1 if errors else 0)
    for problem in report.problems:
        assert problem.message and problem.fix
        if problem.path:
            assert _exists(report.body, problem.path), problem.path
    if not case.codes:
        assert report.fixed is None
        return
    if case.codes & corpus.UNFIXABLE:
        return
    assert report.fixed is not None
    again = diagnose(json.dumps(report.fixed), report.endpoint.value, report.model)
    assert [p for p in again.problems if p.is_error] == []


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_emulator_agrees_and_accepts_the_fixed_request(
    case: corpus.Case, tmp_path: Path, emulator: Emulator
) -> None:
    report = run_case(case, tmp_path)
    http = httpx2.Client(
        base_url=emulator.base_url + "/",
        headers={"Authorization": f"Bearer {TEST_KEY}", "OpenAI-Beta": "assistants=v2"},
        timeout=60,
    )
    response = _send(http, report.endpoint, report.body)
    errors = [p for p in report.problems if p.is_error]
    if errors:
        assert response.status_code == errors[0].status
        answer = response.json()["error"]
        assert answer["message"] == errors[0].message
        assert answer["code"] == errors[0].api_code
        assert (answer["param"] or "") == errors[0].path.removeprefix("thread.")
    else:
        assert response.status_code == 200, response.text
    if report.fixed is None or case.codes & corpus.UNFIXABLE:
        return
    fixed = report.fixed
    if report.uploads:
        assert "file-UPLOAD-1" in json.dumps(fixed)
        fixed = asyncio.run(upload_placeholders(fixed, report.uploads, emulator.base_url, TEST_KEY))
        assert "file-UPLOAD-" not in json.dumps(fixed)
    response = _send(http, report.endpoint, fixed)
    assert response.status_code == 200, response.text


def _send(http: httpx2.Client, endpoint: Endpoint, body: dict[str, Any]) -> httpx2.Response:
    if endpoint is Endpoint.CHAT:
        return http.post("chat/completions", json=body)
    if endpoint is Endpoint.RESPONSES:
        return http.post("responses", json=body)
    if endpoint is Endpoint.THREAD_MESSAGES:
        thread_id = http.post("threads", json={}).json()["id"]
        return http.post(f"threads/{thread_id}/messages", json=body)
    if endpoint is Endpoint.THREAD_AND_RUN:
        return http.post("threads", json=body["thread"])
    return http.post("threads", json=body)


def _exists(body: Any, path: str) -> bool:
    value = body
    for name, index in _steps(path):
        if not isinstance(value, dict) or name not in value:
            return False
        value = value[name]
        if index is not None:
            if not isinstance(value, list) or index >= len(value):
                return False
            value = value[index]
    return True


def _steps(path: str) -> list[tuple[str, int | None]]:
    steps: list[tuple[str, int | None]] = []
    for piece in path.split("."):
        name, _, rest = piece.partition("[")
        steps.append((name, int(rest.rstrip("]")) if rest else None))
    return steps


def test_oversized_reports_the_savings() -> None:
    case = next(case for case in CASES if case.name == "chat 12 MP photo")
    report = diagnose(case.text)
    [image] = report.as_json()["images"]
    assert (image["width"], image["height"], image["mime"]) == (4000, 3000, "image/jpeg")
    assert image["bytes"] == len(corpus.big_photo())
    assert image["tokens"] == image["tokens_if_prepared"] == 765
    [problem] = report.problems
    assert problem.code is Code.OVERSIZED and "1024×768" in problem.message
    [fixed_image] = diagnose(json.dumps(report.fixed)).as_json()["images"]
    assert (fixed_image["width"], fixed_image["height"]) == (1024, 768)
    assert fixed_image["bytes"] < image["bytes"] / 10


def test_payload_too_large_is_fixed_by_preparing_the_images() -> None:
    text = corpus.chat(corpus.chat_image(corpus.data_url(corpus.big_photo(), "image/jpeg")))
    limits = Limits(max_payload_bytes=400_000)
    report = diagnose(text, limits=limits)
    assert {p.code for p in report.problems} == {Code.PAYLOAD_TOO_LARGE, Code.OVERSIZED}
    assert report.exit_code == 1
    again = diagnose(json.dumps(report.fixed), limits=limits)
    assert again.exit_code == 0


def test_messages_quote_the_real_api_where_known() -> None:
    report = diagnose(corpus.thread(corpus.chat_image(corpus.data_url(corpus.png(), "image/png"))))
    [problem] = report.problems
    assert problem.message == (
        "Invalid 'messages[0].content[1].image_url.url'. Expected a valid URL, but got a value "
        "with an invalid format."
    )
    assert "purpose='vision'" in problem.fix and "processed" in problem.fix
    assert RULES[Code.ASSISTANTS_DATA_URL].real_wording


def test_curl_forms(tmp_path: Path) -> None:
    body = corpus.chat(corpus.chat_image(corpus.b64(corpus.png())))
    for command in (
        f"curl https://x.test/v1/chat/completions -d '{body}'",
        f"curl -X POST --url https://x.test/v1/chat/completions --data-raw='{body}'",
        f"$ curl https://x.test/v1/chat/completions -d'{body}' -sS",
        "curl https://x.test/v1/chat/completions --json @body.json",
    ):
        (tmp_path / "body.json").write_text(body)
        report = diagnose(command, base=tmp_path)
        assert report.endpoint is Endpoint.CHAT
        assert [p.code for p in report.problems] == [Code.RAW_BASE64_NOT_URL], command


def test_a_body_for_another_endpoint_is_named() -> None:
    body = corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png")))
    report = diagnose(f"curl https://api.openai.com/v1/responses -d '{body}'")
    assert report.endpoint is Endpoint.RESPONSES
    [problem] = report.problems
    assert problem.code is Code.MISSING_PARAMETER and problem.path == "input"
    assert problem.message == "Missing required parameter: 'input'."
    assert "'messages'" in problem.fix and report.exit_code == 1


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", UnusableInput),
        ("{not json", UnusableInput),
        ("[1, 2]", UnusableInput),
        ("curl https://api.openai.com/v1/chat/completions -H 'x: y'", UnusableInput),
        ("curl https://x.test/v1/chat/completions -d @missing.json", UnusableInput),
        ('{"model": "gpt-4o"}', UnknownEndpoint),
        ('{"endpoint": "/v1/embeddings", "body": {"input": "x"}}', UnknownEndpoint),
    ],
)
def test_unusable_input_says_why(text: str, error: type[Exception], tmp_path: Path) -> None:
    with pytest.raises(error) as raised:
        diagnose(text, base=tmp_path)
    if error is UnknownEndpoint:
        assert "/v1/chat/completions" in str(raised.value) and "--endpoint" in str(raised.value)


def test_cli_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(corpus.chat(corpus.chat_image(corpus.b64(corpus.png()))))
    assert main(["doctor", str(broken), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["endpoint"] == "/v1/chat/completions" and out["model"] == "gpt-4o"
    [problem] = out["problems"]
    assert problem["code"] == "raw_base64_not_url" and problem["severity"] == "error"
    assert problem["path"] == "messages[0].content[1].image_url.url"
    assert out["images"][0]["mime"] == "image/png" and out["fixed"] is not None
    warned = tmp_path / "warned.json"
    warned.write_text(corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/jpeg"))))
    assert main(["doctor", str(warned)]) == 0
    text = capsys.readouterr().out
    assert "WARNING mime_mismatch" in text and "Fixed request" in text
    assert main(["doctor", str(tmp_path / "absent.json")]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_cli_reads_stdin_and_takes_the_endpoint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = corpus.chat(corpus.chat_image(corpus.data_url(corpus.png(), "image/png")))
    monkeypatch.setattr("sys.stdin", io.StringIO(body))
    assert main(["doctor", "--endpoint", "/v1/threads", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["endpoint"] == "/v1/threads"
    assert [p["code"] for p in out["problems"]] == ["assistants_data_url"]
    assert "file-UPLOAD-1" in json.dumps(out["fixed"])
    monkeypatch.setattr("sys.stdin", io.StringIO('{"temperature": 1}'))
    assert main(["doctor"]) == 2
    assert "--endpoint" in capsys.readouterr().err


def test_cli_upload_prints_real_file_ids(
    emulator: Emulator,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    emulator.knobs.file_processing_delay = 0.2
    request = tmp_path / "thread.json"
    request.write_text(
        corpus.thread(corpus.chat_image(corpus.data_url(corpus.jpeg(), "image/jpeg")))
    )
    code = main(["doctor", str(request), "--json", "--upload", "--base-url", emulator.base_url])
    assert code == 1  # the request as written is still refused; the fixed one is not
    out = json.loads(capsys.readouterr().out)
    [part] = [p for p in out["fixed"]["messages"][0]["content"] if p["type"] == "image_file"]
    file_id = part["image_file"]["file_id"]
    uploaded = emulator.store.files[file_id]
    assert uploaded.purpose == "vision" and uploaded.status() == "processed"
    http = httpx2.Client(
        base_url=emulator.base_url + "/", headers={"Authorization": f"Bearer {TEST_KEY}"}
    )
    assert http.post("threads", json=out["fixed"]).status_code == 200
    assert main(["doctor", str(request), "--upload"]) == 2
