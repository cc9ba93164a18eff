"""The HTTP side of the emulator: stdlib ThreadingHTTPServer on 127.0.0.1, JSON and SSE.

Chosen over an ASGI stack because it starts in milliseconds, needs no dependency, and runs in a
background thread of any process (tests, the app's offline profile) as well as on its own.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import socket
import sys
import threading
import time
import weakref
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, assert_never
from urllib.parse import parse_qsl, urlsplit

from visiondesk import rules
from visiondesk.domain import ApiMode, human_bytes
from visiondesk.emulator import multipart
from visiondesk.emulator.app import handle
from visiondesk.emulator.body import PIECE, BodyReader, TooLarge
from visiondesk.emulator.errors import BodyError, HttpError, content_too_large
from visiondesk.emulator.faults import Knobs
from visiondesk.emulator.http import (
    FileResponse,
    JsonResponse,
    RawResponse,
    Request,
    StreamResponse,
)
from visiondesk.emulator.store import Recorded, Store, new_folder

log = logging.getLogger("visiondesk.emulator")

WEB_PAGE = (
    b"<!doctype html><html><head><title>Welcome</title></head>"
    b"<body><h1>It works!</h1><p>This is a web page, not an API.</p></body></html>"
)
"""What `--serve-html` answers: the page a web server shows at a wrong base URL."""

DRAIN_BYTES = 4 * 2**30
"""After refusing a body, read at most this much more of it (so the client, still sending,
gets to see the answer), then close the connection."""
DRAIN_IDLE_SECONDS = 10.0
"""…and give up on a client that sends nothing for this long."""


class Emulator:
    """An OpenAI-API emulator on 127.0.0.1. Use as a context manager or start()/stop()."""

    def __init__(self, port: int = 0, api_key: str | None = None, knobs: Knobs | None = None):
        folder = new_folder()
        # The uploads' folder goes when the emulator stops, or at the latest with the process.
        self._discard = weakref.finalize(self, shutil.rmtree, folder, True)
        self.store = Store(knobs=knobs or Knobs(), folder=folder)
        self.api_key = api_key
        self._server = _Server(("127.0.0.1", port), _Handler, self.knobs.receive_buffer)
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
        """Block until `condition(store)` holds (checked on every request, answer and streamed
        delta) or the timeout passes; returns whether it holds. Tests wait on this instead of
        sleeping."""
        with self.store.changed:
            return self.store.changed.wait_for(lambda: condition(self.store), timeout)

    def stop(self) -> None:
        """Stop listening and drop open connections, as a server that goes away does."""
        self._server.stopping.set()
        self.knobs.release.set()
        self.knobs.resume_uploads.set()
        self._server.shutdown()
        self._server.server_close()
        self._server.drop_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._discard()

    def serve_forever(self) -> None:
        """Serve on this thread (the `visiondesk emulator` command) until interrupted."""
        self._server.serve_forever()

    def stop_listening(self) -> None:
        self._server.stopping.set()
        self._server.server_close()
        self._discard()

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

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        receive_buffer: int | None = None,
    ) -> None:
        self.receive_buffer = receive_buffer
        super().__init__(address, handler)
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        self.stopping = threading.Event()

    def server_bind(self) -> None:
        """A receive buffer set before listening is the one each connection starts with (and
        the window it announces)."""
        if self.receive_buffer:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
        super().server_bind()

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
        if isinstance(error, ConnectionError | TimeoutError) or self.stopping.is_set():
            return  # …nor is a connection cut by stopping
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
        reader: BodyReader | None = None
        try:
            reader = self._body_reader(knobs)
            if knobs.serve_html or not url.path.startswith("/v1/"):
                reader.drain(DRAIN_BYTES)  # the body is no request to this server
                self.close_connection = not reader.done
                if not knobs.serve_html:
                    raise HttpError(
                        404, f"Invalid URL ({self.command} {url.path}); the API is at /v1"
                    )
                self._send(200, WEB_PAGE, "text/html; charset=utf-8")
                return
            if knobs.never_answer:
                size = reader.drain(DRAIN_BYTES)
                with emulator.store.lock:  # logged with status 0: never answered
                    emulator.store.log.append(
                        Recorded(self.command, url.path.removeprefix("/v1"), None, size, [], 0)
                    )
                self.server.stopping.wait()  # until the emulator stops; the client gives up
                self.close_connection = True
                return
            request = self._request(url.path, url.query, reader, knobs)
            try:
                response = handle(emulator.store, request, emulator.api_key)
            finally:
                multipart.Form(files=request.files).discard()  # the uploads nobody kept
        except BodyError as error:
            self._refuse_body(error, reader, url.path.removeprefix("/v1"))
            return
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
            case FileResponse():
                self._send_file(response)
            case StreamResponse():
                self._send_stream(response, emulator.knobs)
            case _:
                assert_never(response)

    def _body_reader(self, knobs: Knobs) -> BodyReader:
        with knobs.lock:
            rate = knobs.upload_bytes_per_second
        chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
        declared = self.headers.get("Content-Length")
        try:
            length = None if chunked else int(declared or 0)
        except ValueError:
            length = -1
        if length is not None and length < 0:
            raise BodyError(400, "We could not read your request: its Content-Length is invalid.")
        stopping = self.server.stopping
        if not self.headers.get("Content-Type", "").startswith("multipart/form-data"):
            return BodyReader(self.rfile, length, chunked=chunked, rate=rate, stopping=stopping)
        store = self.server.emulator.store
        reader = BodyReader(
            self.rfile, length, chunked=chunked, rate=rate, stopping=stopping, on_read=store.receive
        )
        with knobs.lock:
            reader.pause_at = knobs.stall_uploads_after
        reader.pause = store.hold_upload
        return reader

    def _request(self, path: str, query: str, reader: BodyReader, knobs: Knobs) -> Request:
        """The request with its body: uploads spooled to disk, JSON read within its bound."""
        headers = {name.lower(): value for name, value in self.headers.items()}
        request = Request(self.command, path.removeprefix("/v1"), dict(parse_qsl(query)), headers)
        content_type = headers.get("content-type", "")
        with knobs.lock:
            max_file, max_json = knobs.max_file_bytes, knobs.max_json_bytes
        if content_type.startswith("multipart/form-data"):
            limits = multipart.FormLimits(max_file_bytes=max_file)
            try:
                reader.bound(limits.max_body_bytes)
                form = multipart.parse(
                    reader, content_type, limits, self.server.emulator.store.incoming
                )
            except TooLarge as over:
                raise content_too_large(max_file, over.size) from None
            request.form, request.files = form.fields, form.files
        else:
            try:
                reader.bound(max_json)
                body = reader.read_all()
            except TooLarge as over:
                raise _payload_too_large(over.size, max_json, path) from None
            if body:
                try:
                    request.json = json.loads(body)
                except (ValueError, UnicodeDecodeError, RecursionError):
                    raise HttpError(
                        400, "We could not parse the JSON body of your request."
                    ) from None
        request.body_bytes = reader.consumed
        return request

    def _refuse_body(self, error: BodyError, reader: BodyReader | None, path: str) -> None:
        """Log it, answer, read away what the client still sends (bounded), then close: a
        client busy sending a body reads the answer only once it has sent it all."""
        self.close_connection = True
        store = self.server.emulator.store
        read = reader.consumed if reader is not None else 0
        with store.changed:  # logged with the body read so far (0: refused unread)
            store.log.append(Recorded(self.command, path, None, read, [], error.status))
            store.changed.notify_all()
        self._send_json(error.status, error.body(), {"Connection": "close", **error.headers})
        if reader is None:
            return
        with contextlib.suppress(OSError, BodyError):
            self.connection.settimeout(DRAIN_IDLE_SECONDS)
            reader.drain(DRAIN_BYTES)

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

    def _send_file(self, response: FileResponse) -> None:
        try:
            with response.path.open("rb") as content:
                self.send_response(200)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(response.size))
                self.send_header("x-request-id", f"req_emulator_{time.monotonic_ns()}")
                self.end_headers()
                while piece := content.read(PIECE):
                    self.wfile.write(piece)
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
            deltas, paced = 0, 0.0
            with knobs.lock:
                malformed, quirks = knobs.malformed_stream, knobs.gateway_quirks
                odd = knobs.odd_shapes
                early, thinking = knobs.end_stream_early, knobs.first_token_delay
            for event in response.events:
                if (
                    thinking
                    and event.is_delta
                    and not deltas
                    and self.server.stopping.wait(thinking)
                ):
                    return
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
                    self.server.emulator.store.stream_progress(response.record)
                    if malformed and deltas == 2:
                        self._write_chunk(b'data: {"type": response.output_text.delta,\n\n')
                    if odd and deltas == 2:
                        self._write_chunk(_odd_shape(event.event, event.data).encode())
                    if cut is not None and deltas >= cut:
                        self._drop_connection()
                        return
                    # Delta n leaves `n × delay` after the first, however long writing took.
                    paced = paced or time.monotonic()
                    wait = paced + deltas * delay - time.monotonic()
                    if delay and self.server.stopping.wait(max(0.0, wait)):
                        return  # the emulator stops: so does the stream
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


def _odd_shape(name: str | None, data: object) -> str:
    """The event `name` again, every field of another type than the API's."""
    kind = data.get("type") if isinstance(data, dict) else None
    odd: dict[str, object] = {
        "type": kind,
        "id": 7,
        "object": [],
        "choices": "none",
        "delta": 5,
        "data": "x",
    }
    return (f"event: {name}\n" if name else "") + f"data: {json.dumps(odd)}\n\n"


def _payload_too_large(size: int, limit: int, path: str) -> BodyError:
    """The rule's own 413 (as chat and responses answer an oversized body they have read)."""
    mode = ApiMode.RESPONSES if path.endswith("/responses") else ApiMode.CHAT
    problem = rules.violation(
        rules.Code.PAYLOAD_TOO_LARGE,
        "",
        mode,
        size=human_bytes(size),
        limit=human_bytes(limit),
    )
    return BodyError(problem.status, problem.message, code=problem.api_code)
