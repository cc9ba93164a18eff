"""The emulator enforces the real API's rules and reports what it decoded."""

from __future__ import annotations

import base64
import subprocess
import sys
from typing import Any

import httpx2
import pytest

from tests import images
from tests.conftest import TEST_KEY
from tests.turns import poll
from visiondesk.emulator import Emulator

PNG = images.encode(images.screenshot(300, 200), "PNG")
DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def http(emulator: Emulator) -> httpx2.Client:
    return httpx2.Client(
        base_url=emulator.base_url + "/",
        headers={"Authorization": f"Bearer {TEST_KEY}", "OpenAI-Beta": "assistants=v2"},
    )


def error_of(response: httpx2.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


def chat(http: httpx2.Client, content: Any, role: str = "user") -> httpx2.Response:
    return http.post(
        "chat/completions",
        json={"model": "gpt-4o", "messages": [{"role": role, "content": content}]},
    )


def test_listens_on_loopback_only() -> None:
    with Emulator() as emulator:
        assert emulator.base_url.startswith("http://127.0.0.1:")
        assert emulator.host == "127.0.0.1"


def test_chat_reports_the_decoded_image(http: httpx2.Client, emulator: Emulator) -> None:
    content = [
        {"type": "text", "text": "what?"},
        {"type": "image_url", "image_url": {"url": DATA_URL, "detail": "low"}},
    ]
    response = chat(http, content)
    assert response.status_code == 200
    body = response.json()
    assert (
        "| 1 | 300×200 | image/png | data_url | low | 85 |"
        in body["choices"][0]["message"]["content"]
    )
    assert body["usage"]["prompt_tokens"] >= 85
    [facts] = emulator.log[-1].images
    assert (facts.width, facts.height, facts.mime, facts.declared_mime) == (
        300,
        200,
        "image/png",
        "image/png",
    )


def test_images_outside_user_messages_are_refused(http: httpx2.Client) -> None:
    response = chat(http, [{"type": "image_url", "image_url": {"url": DATA_URL}}], role="system")
    assert response.status_code == 400
    assert "only allowed for messages with role 'user'" in error_of(response)["message"]


def test_bad_detail_is_refused(http: httpx2.Client) -> None:
    response = chat(http, [{"type": "image_url", "image_url": {"url": DATA_URL, "detail": "huge"}}])
    error = error_of(response)
    assert response.status_code == 400 and error["code"] == "invalid_value"
    assert error["param"] == "messages[0].content[0].image_url.detail"


def test_undecodable_and_unsupported_images(http: httpx2.Client) -> None:
    garbage = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nbroken").decode()
    response = chat(http, [{"type": "image_url", "image_url": {"url": garbage}}])
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_image"
    bmp = images.encode(images.photo(20, 20), "BMP")
    bmp_url = "data:image/bmp;base64," + base64.b64encode(bmp).decode()
    response = chat(http, [{"type": "image_url", "image_url": {"url": bmp_url}}])
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_image_format"
    assert "unsupported image" in error_of(response)["message"]


def test_key_is_checked(emulator: Emulator) -> None:
    response = httpx2.get(emulator.base_url + "/models", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_api_key"
    assert "nope" not in response.text


def test_assistants_refuses_data_urls_with_the_real_message(http: httpx2.Client) -> None:
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "what?"},
            {"type": "image_url", "image_url": {"url": DATA_URL}},
        ],
    }
    response = http.post("threads", json={"messages": [message]})
    assert response.status_code == 400
    assert error_of(response) == {
        "message": "Invalid 'messages[0].content[1].image_url.url'. Expected a valid URL, but "
        "got a value with an invalid format.",
        "type": "invalid_request_error",
        "param": "messages[0].content[1].image_url.url",
        "code": "invalid_value",
    }


def test_files_lifecycle_and_readiness(http: httpx2.Client, emulator: Emulator) -> None:
    emulator.knobs.file_processing_delay = 0.3
    response = http.post(
        "files",
        data={
            "purpose": "vision",
            "expires_after[anchor]": "created_at",
            "expires_after[seconds]": "3600",
        },
        files={"file": ("a.png", PNG, "image/png")},
    )
    created = response.json()
    assert response.status_code == 200 and created["status"] == "uploaded"
    assert created["bytes"] == len(PNG) and created["expires_at"] > created["created_at"]
    file_id = created["id"]
    status = poll(
        lambda: http.get(f"files/{file_id}").json()["status"] != "uploaded" or None,
        what="the file leaving status uploaded",
    )
    assert status and http.get(f"files/{file_id}").json()["status"] == "processed"
    assert [f["id"] for f in http.get("files").json()["data"]] == [file_id]
    assert http.get(f"files/{file_id}/content").content == PNG
    assert http.delete(f"files/{file_id}").json()["deleted"] is True
    assert http.get(f"files/{file_id}").status_code == 404


def test_unknown_and_unready_files_are_refused(http: httpx2.Client, emulator: Emulator) -> None:
    def thread_with(file_id: str) -> httpx2.Response:
        part = {"type": "image_file", "image_file": {"file_id": file_id}}
        return http.post("threads", json={"messages": [{"role": "user", "content": [part]}]})

    assert thread_with("file-nope").status_code == 404
    emulator.knobs.file_never_ready = True
    file_id = http.post(
        "files", data={"purpose": "vision"}, files={"file": ("a.png", PNG, "image/png")}
    ).json()["id"]
    response = thread_with(file_id)
    assert response.status_code == 400 and "not ready" in error_of(response)["message"]


def test_rate_limit_fault_sends_retry_after(http: httpx2.Client, emulator: Emulator) -> None:
    emulator.knobs.fail_429, emulator.knobs.retry_after = 2, 7
    first, second, third = (http.get("models") for _ in range(3))
    assert first.status_code == second.status_code == 429
    assert first.headers["retry-after"] == "7"
    assert third.status_code == 200


def test_disabled_family_answers_404(http: httpx2.Client, emulator: Emulator) -> None:
    emulator.knobs.disabled_modes.add("assistants")
    assert http.get("assistants").status_code == 404
    assert http.get("models").status_code == 200


def test_the_command_prints_its_url_and_serves() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "visiondesk", "emulator", "--port", "0", "--api-key", "sk-fake"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("VisionDesk emulator listening on http://127.0.0.1:")
        base_url = line.split()[-1]
        response = httpx2.get(base_url + "/models", headers={"Authorization": "Bearer sk-fake"})
        assert response.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=5)
