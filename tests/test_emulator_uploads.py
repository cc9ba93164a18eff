"""The emulator takes uploads as a real server must: streamed to disk, with the API's size
limit, a bounded multipart parse, and bounded JSON bodies."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest

from tests import images
from tests.conftest import TEST_KEY
from tests.waiting import until
from visiondesk.emulator import Emulator

BOUNDARY = b"visiondesk-test-boundary"
MiB = 2**20
PNG = images.encode(images.screenshot(64, 48), "PNG")


@pytest.fixture
def http(emulator: Emulator) -> httpx2.Client:
    return httpx2.Client(
        base_url=emulator.base_url + "/",
        headers={"Authorization": f"Bearer {TEST_KEY}", "OpenAI-Beta": "assistants=v2"},
        timeout=60,  # generous: a hang fails the test instead of holding the run
    )


def error_of(response: httpx2.Response) -> dict[str, Any]:
    error: dict[str, Any] = response.json()["error"]
    return error


def field(name: str, value: str) -> bytes:
    return (
        b"--" + BOUNDARY + b"\r\n"
        b'Content-Disposition: form-data; name="'
        + name.encode()
        + b'"\r\n\r\n'
        + value.encode()
        + b"\r\n"
    )


def file_head(filename: str = "big.bin") -> bytes:
    return (
        b"--" + BOUNDARY + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename.encode() + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
    )


TAIL = b"\r\n--" + BOUNDARY + b"--\r\n"
MULTIPART = {"Content-Type": "multipart/form-data; boundary=" + BOUNDARY.decode()}


def zeros(size: int) -> Iterator[bytes]:
    """`size` bytes made as they are sent: the test never holds the upload."""
    piece = bytes(MiB)
    while size > 0:
        yield piece[: min(size, MiB)]
        size -= MiB


def upload_body(size: int) -> Iterator[bytes]:
    yield field("purpose", "batch") + file_head()
    yield from zeros(size)
    yield TAIL


def upload_length(size: int) -> int:
    return len(field("purpose", "batch") + file_head()) + size + len(TAIL)


def spooled(emulator: Emulator) -> list[Path]:
    return sorted(emulator.store.incoming.iterdir())


class Command:
    """`visiondesk emulator` in its own process, so its memory can be read from /proc."""

    def __init__(self, *flags: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "visiondesk", "emulator", "--port", "0", *flags],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        lines = [self.process.stdout.readline() for _ in range(3)]
        self.base_url = lines[0].split()[-1]
        self.folder = Path(lines[2].removeprefix("Uploads are kept in ").split(" until")[0])

    @property
    def peak_rss(self) -> int:
        """VmHWM: the most resident memory the process ever had, in bytes."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmHWM in /proc/<pid>/status")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


def upload_through(command: Command, size: int) -> httpx2.Response:
    with httpx2.Client(timeout=120) as client:
        return client.post(
            command.base_url + "/files",
            content=upload_body(size),
            headers={**MULTIPART, "Content-Length": str(upload_length(size))},
        )


def check_streamed_upload(size: int) -> None:
    command = Command("--max-file-size", "2G", "--file-delay", "0")
    try:
        before = command.peak_rss
        response = upload_through(command, size)
        assert response.status_code == 200, response.text
        assert response.json()["bytes"] == size
        [kept] = (command.folder / "files").iterdir()  # on disk, whole
        assert kept.stat().st_size == size
        peak = command.peak_rss
        report = (
            f"{size // MiB} MiB upload: peak RSS {peak / MiB:.0f} MiB (idle {before / MiB:.0f})"
        )
        print(report)  # shown with `pytest -s`
        assert peak < 100 * MiB, report
    finally:
        assert command.stop() == 0
    assert not command.folder.exists()  # the uploads' folder goes with the emulator


def test_a_200_mb_upload_goes_to_disk_not_memory() -> None:
    check_streamed_upload(200 * MiB)


@pytest.mark.slow
def test_a_1_gb_upload_keeps_the_emulator_under_100_mb() -> None:
    check_streamed_upload(1024 * MiB)


def test_a_million_parts_get_a_400(http: httpx2.Client, emulator: Emulator) -> None:
    part = field("purpose", "vision")

    def parts() -> Iterator[bytes]:
        for _ in range(1000):
            yield part * 1000  # a million parts, a thousand at a time
        yield TAIL

    response = http.post("files", content=parts(), headers=MULTIPART)
    assert response.status_code == 400
    assert "more than 64 parts" in error_of(response)["message"]
    assert http.get("models").status_code == 200  # and it goes on serving


def test_an_upload_over_the_limit_gets_the_apis_413(
    http: httpx2.Client, emulator: Emulator
) -> None:
    emulator.knobs.max_file_bytes = MiB
    response = http.post(
        "files", data={"purpose": "vision"}, files={"file": ("big.png", bytes(2 * MiB))}
    )
    assert response.status_code == 413
    error = error_of(response)
    read = int(error["message"].split("(")[2].split()[0])
    assert error == {
        "message": f"Maximum content size limit ({MiB}) exceeded ({read} bytes read)",
        "type": "server_error",
        "param": None,
        "code": None,
    }
    assert MiB < read < 2 * MiB  # it stopped reading, and kept nothing
    assert spooled(emulator) == [] and not emulator.store.files


def test_an_announced_oversized_body_is_refused_unread(
    http: httpx2.Client, emulator: Emulator
) -> None:
    emulator.knobs.max_file_bytes = MiB
    size = 64 * MiB
    response = http.post(
        "files",
        content=upload_body(size),
        headers={**MULTIPART, "Content-Length": str(upload_length(size))},
    )
    assert response.status_code == 413
    assert f"({upload_length(size)} bytes read)" in error_of(response)["message"]
    [record] = emulator.log
    assert (record.path, record.status, record.body_bytes) == ("/files", 413, 0)  # unread


def test_the_sdk_gets_the_413_and_does_not_retry(emulator: Emulator) -> None:
    emulator.knobs.max_file_bytes = MiB
    client = openai.OpenAI(base_url=emulator.base_url, api_key=TEST_KEY, max_retries=2)
    with pytest.raises(openai.APIStatusError) as raised:
        client.files.create(file=("big.jsonl", bytes(2 * MiB)), purpose="batch")
    assert raised.value.status_code == 413
    assert "Maximum content size limit (1048576) exceeded" in raised.value.message
    assert [(r.path, r.status) for r in emulator.log] == [("/files", 413)]


def test_a_chunked_upload_over_the_limit_gets_413(http: httpx2.Client, emulator: Emulator) -> None:
    emulator.knobs.max_file_bytes = MiB
    response = http.post("files", content=upload_body(3 * MiB), headers=MULTIPART)
    assert response.status_code == 413 and response.request.headers.get("content-length") is None
    assert spooled(emulator) == []


def test_a_chunked_upload_under_the_limit_is_kept(http: httpx2.Client, emulator: Emulator) -> None:
    response = http.post("files", content=upload_body(3 * MiB + 17), headers=MULTIPART)
    assert response.status_code == 200, response.text
    created = response.json()
    assert created["bytes"] == 3 * MiB + 17 and created["purpose"] == "batch"
    content = http.get(f"files/{created['id']}/content")
    assert content.content == bytes(3 * MiB + 17)
    assert spooled(emulator) == []  # moved into the store, not copied


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"no boundary at all" * 10_000, "no boundary"),
        (field("purpose", "vision"), "ends inside a part"),
        (b"--" + BOUNDARY + b"\r\nX-Long: " + b"a" * 20_000 + b"\r\n\r\nv" + TAIL, "headers"),
        (field("purpose", "v" * 100_000) + TAIL, "field is over"),
        (field("purpose", "vision") + b"--" + BOUNDARY + b"junk\r\n", "boundary line"),
    ],
)
def test_malformed_multipart_is_a_400(http: httpx2.Client, body: bytes, reason: str) -> None:
    response = http.post("files", content=body, headers=MULTIPART)
    assert response.status_code == 400
    assert reason in error_of(response)["message"]


def test_a_multipart_type_without_a_boundary_is_a_400(http: httpx2.Client) -> None:
    response = http.post("files", content=b"x", headers={"Content-Type": "multipart/form-data"})
    assert response.status_code == 400 and "boundary" in error_of(response)["message"]


def test_json_bodies_are_bounded(http: httpx2.Client, emulator: Emulator) -> None:
    emulator.knobs.max_json_bytes = 10_000
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "x" * 20_000}]}
    response = http.post("chat/completions", json=body)
    assert response.status_code == 413 and error_of(response)["code"] == "request_too_large"

    def chunked() -> Iterator[bytes]:
        yield b'{"model": "gpt-4o", "messages": "'
        yield b"x" * 50_000
        yield b'"}'

    response = http.post(
        "chat/completions", content=chunked(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and error_of(response)["code"] == "request_too_large"
    small = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
    assert http.post("chat/completions", json=small).status_code == 200


def test_image_files_are_decoded_within_a_bound(http: httpx2.Client, emulator: Emulator) -> None:
    file_id = http.post(
        "files", data={"purpose": "vision"}, files={"file": ("a.png", PNG, "image/png")}
    ).json()["id"]
    part = {"type": "image_file", "image_file": {"file_id": file_id}}
    thread = {"messages": [{"role": "user", "content": [part]}]}
    emulator.knobs.max_image_bytes = len(PNG) - 1
    refused = http.post("threads", json=thread)
    assert refused.status_code == 400 and error_of(refused)["code"] == "image_file_too_large"
    emulator.knobs.max_image_bytes = len(PNG)
    assert http.post("threads", json=thread).status_code == 200
    assert [(f.width, f.height) for f in emulator.log[-1].images] == [(64, 48)]


def test_the_uploads_folder_goes_when_the_emulator_stops() -> None:
    with Emulator() as emulator:
        folder = emulator.store.folder
        with httpx2.Client(base_url=emulator.base_url + "/") as http:
            created = http.post(
                "files", data={"purpose": "vision"}, files={"file": ("a.png", PNG)}
            ).json()
            assert (folder / "files" / created["id"]).read_bytes() == PNG
            assert http.delete(f"files/{created['id']}").json()["deleted"] is True
            assert not (folder / "files" / created["id"]).exists()
            http.post("files", data={"purpose": "vision"}, files={"file": ("b.png", PNG)})
    assert not folder.exists()


def test_a_client_that_stops_mid_upload_leaves_nothing(emulator: Emulator) -> None:
    length = upload_length(4 * MiB)
    with socket.create_connection((emulator.host, emulator.port), timeout=30) as client:
        client.sendall(
            b"POST /v1/files HTTP/1.1\r\nHost: emulator\r\n"
            b"Content-Type: multipart/form-data; boundary=" + BOUNDARY + b"\r\n"
            b"Content-Length: " + str(length).encode() + b"\r\n\r\n"
        )
        client.sendall(field("purpose", "vision") + file_head() + bytes(MiB))
        asyncio.run(until(lambda: spooled(emulator), timeout=30))  # it is on disk, arriving
    asyncio.run(until(lambda: not spooled(emulator), timeout=30))  # the hang-up removed it
    assert emulator.store.files == {}
