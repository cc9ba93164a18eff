"""The HTTP side of the emulator: stdlib ThreadingHTTPServer on 127.0.0.1, JSON and SSE.

Chosen over an ASGI stack because it starts in milliseconds, needs no dependency, and runs in a
background thread of any process (tests, the app's offline profile) as well as on its own.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from email import policy as email_policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, assert_never
from urllib.parse import parse_qsl, urlsplit

from visiondesk.emulator.app import handle
from visiondesk.emulator.errors import HttpError
from visiondesk.emulator.faults import Knobs
from visiondesk.emulator.http import JsonResponse, RawResponse, Request, StreamResponse
from visiondesk.emulator.store import Recorded, Store

log = logging.getLogger("visiondesk.emulator")

WEB_PAGE = (
    b"<!doctype html><html><head><title>Welcome</title></head>"
    b"<body><h1>It works!</h1><p>This is a web page, not an API.</p></body></html>"
)
"""What `--serve-html` answers: the page a web server shows at a wrong base URL."""


class Emulator:
    """An OpenAI-API emulator on 127.0.0.1. Use as a context manager or start()/stop()."""

    def __init__(self, port: int = 0, api_key: str | None = None, knobs: Knobs | None = None):
        self.store = Store(knobs=knobs or Knobs())
        self.api_key = api_key
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.emulator = self
        self._thread: threading.Thread | None = None

    @property
    def knobs(self) -> Knobs:
        return self.store.knobs

    @property
    def host(self) -> str:
        """The address it listens on: always the loopback."""
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def log(self) -> list[Recorded]:
        with self.store.lock:
            return list(self.store.log)

    def start(self) -> Emulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="visiondesk-emulator", daemon=True
        )
        self._thread.start()
        return self

    def wait_until(self, condition: Callable[[Store], bool], timeout: float) -> bool:
        """Block until `condition(store)` holds (checked on every request and answer) or the
        timeout passes; returns whether it holds. Tests wait on this instead of sleeping."""
        with self.store.changed:
            return self.store.changed.wait_for(lambda: condition(self.store), timeout)

    def stop(self) -> None:
        """Stop listening and drop open connections, as a server that goes away does."""
        self._server.stopping.set()
        self.knobs.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.drop_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve on this thread (the `visiondesk emulator` command) until interrupted."""
        self._server.serve_forever()

    def stop_listening(self) -> None:
        self._server.stopping.set()
        self._server.server_close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: Emulator

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        self.stopping = threading.Event()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def drop_connections(self) -> None:
        with self.sockets_lock:
            sockets = list(self.open_sockets)
            self.open_sockets.clear()
        for connection in sockets:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a cancelled request) is normal here, not worth a trace."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def _dispatch(self) -> None:
        emulator = self.server.emulator
        url = urlsplit(self.path)
        knobs = emulator.knobs
        try:
            body = self._read_body(knobs)
            if knobs.serve_html:
                self._send(200, WEB_PAGE, "text/html; charset=utf-8")
                return
            if knobs.never_answer:
                with emulator.store.lock:  # logged with status 0: never answered
                    emulator.store.log.append(
                        Recorded(self.command, url.path.removeprefix("/v1"), None, len(body), [], 0)
                    )
                self.server.stopping.wait()  # until the emulator stops; the client gives up
                self.close_connection = True
                return
            if not url.path.startswith("/v1/"):
                raise HttpError(404, f"Invalid URL ({self.command} {url.path}); the API is at /v1")
            request = self._request(url.path.removeprefix("/v1"), url.query, body)
            response = handle(emulator.store, request, emulator.api_key)
        except HttpError as error:
            self._send_json(error.status, error.body(), error.headers)
            return
        except (ConnectionError, TimeoutError):
            self.close_connection = True
            return
        match response:
            case JsonResponse(body=body, status=status, headers=headers):
                self._send_json(status, body, headers)
            case RawResponse(data=data, content_type=content_type, status=status):
                self._send(status, data, content_type)
            case StreamResponse():
                self._send_stream(response, emulator.knobs)
            case _:
                assert_never(response)

    def _request(self, path: str, query: str, body: bytes) -> Request:
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, path, dict(parse_qsl(query)), headers, body_bytes=len(body))
        content_type = headers.get("content-type", "")
        if content_type.startswith("multipart/form-data"):
            self._parse_multipart(request, content_type, body)
        elif body:
            try:
                request.json = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                raise HttpError(400, "We could not parse the JSON body of your request.") from None
        return request

    @staticmethod
    def _parse_multipart(request: Request, content_type: str, body: bytes) -> None:
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = BytesParser(policy=email_policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                request.files[name] = (filename, part.get_content_type(), data)
            else:
                request.form[name] = data.decode("utf-8", "replace")

    def _read_body(self, knobs: Knobs) -> bytes:
        with knobs.lock:
            rate = knobs.upload_bytes_per_second
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if not rate:
            return self.rfile.read(length)
        chunks: list[bytes] = []
        left, step = length, 16 * 1024
        while left > 0:  # a slow link: read a little, wait, read again
            chunk = self.rfile.read(min(step, left))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
            time.sleep(len(chunk) / rate)
        return b"".join(chunks)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _send(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-request-id", f"req_emulator_{time.monotonic_ns()}")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _send_stream(self, response: StreamResponse, knobs: Knobs) -> None:
        cut = knobs.take_cut()
        with knobs.lock:
            delay = knobs.token_delay
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            deltas = 0
            with knobs.lock:
                malformed, quirks = knobs.malformed_stream, knobs.gateway_quirks
                early, thinking = knobs.end_stream_early, knobs.first_token_delay
            for event in response.events:
                if thinking and event.is_delta and not deltas:
                    time.sleep(thinking)
                if early and deltas and not event.is_delta:
                    break  # the deltas went through, the final events do not
                data = event.data if isinstance(event.data, str) else json.dumps(event.data)
                name = event.event
                if quirks and name and name.startswith("thread."):
                    # Gateways put the event's name inside the data, with no `event:` line.
                    data, name = json.dumps({"event": name, "data": event.data}), None
                text = (f"event: {name}\n" if name else "") + f"data: {data}\n\n"
                self._write_chunk(text.encode())
                if event.is_delta:
                    deltas += 1
                    if malformed and deltas == 2:
                        self._write_chunk(b'data: {"type": response.output_text.delta,\n\n')
                    if cut is not None and deltas >= cut:
                        self._drop_connection()
                        return
                    if delay:
                        time.sleep(delay)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the client went away (cancelled): stop quietly

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _drop_connection(self) -> None:
        """End mid-stream without the final chunk, as a dropped connection looks."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
