"""`visiondesk emulator`: run the OpenAI-API emulator on 127.0.0.1 until Ctrl+C."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from visiondesk.commands import COMMANDS

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}


def byte_size(text: str) -> int:
    """A size such as 1048576, 512M or 2G (binary units, as the API's limits are)."""
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)i?B?\s*", text, re.IGNORECASE)
    if match is None:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1048576, 512M, 2G)")
    return int(match[1]) * _UNITS[match[2].upper()]


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "emulator",
        help=COMMANDS["emulator"].summary,
        description="Serve the OpenAI endpoints VisionDesk uses (models, chat completions, "
        "responses, files, batches, assistants, threads, runs) on 127.0.0.1. Answers report "
        "what was decoded from each image. Point any OpenAI client at the printed base URL.",
    )
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--api-key",
        metavar="KEY",
        help="require this bearer key (a made-up key for testing clients, never a real one)",
    )
    parser.add_argument(
        "--api-key-env",
        metavar="NAME",
        help="require `Authorization: Bearer <value of $NAME>` (the key is never a flag value)",
    )
    parser.add_argument("--token-delay", type=float, default=0.02, metavar="SECONDS")
    parser.add_argument(
        "--first-token-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="think this long before the first word of each answer",
    )
    parser.add_argument(
        "--answer-file",
        type=Path,
        metavar="PATH",
        help="answer every question with this file's text (UTF-8), e.g. a long Markdown answer",
    )
    parser.add_argument(
        "--file-delay",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="time until an uploaded file is processed",
    )
    parser.add_argument(
        "--fail-429", type=int, default=0, metavar="N", help="answer the next N requests with 429"
    )
    parser.add_argument("--retry-after", type=float, default=1.0, metavar="SECONDS")
    parser.add_argument("--fail-500", type=int, default=0, metavar="N")
    parser.add_argument(
        "--cut-after", type=int, metavar="N", help="drop the first stream after N deltas"
    )
    parser.add_argument("--file-error", action="store_true", help="uploads end in status error")
    parser.add_argument("--file-never-ready", action="store_true")
    parser.add_argument(
        "--slow-upload",
        type=float,
        metavar="BYTES_PER_SECOND",
        help="read upload bodies no faster than this (a slow link)",
    )
    parser.add_argument(
        "--stall-uploads-after",
        type=byte_size,
        metavar="SIZE",
        help="stop reading each upload after SIZE bytes of it for --stall-seconds, then read "
        "on (e.g. 256K)",
    )
    parser.add_argument(
        "--stall-seconds",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="how long a stalled upload waits (default 15)",
    )
    parser.add_argument(
        "--receive-buffer",
        type=byte_size,
        metavar="SIZE",
        help="the socket receive buffer (SO_RCVBUF, e.g. 32K): a small one makes a slow or "
        "stalled server push back on the sender at once",
    )
    parser.add_argument(
        "--max-file-size",
        type=byte_size,
        default=512 * 2**20,
        metavar="SIZE",
        help="answer 413 for larger uploads, as the API does past 512M (e.g. 1M, 2G)",
    )
    parser.add_argument(
        "--max-json-size",
        type=byte_size,
        default=512 * 2**20,
        metavar="SIZE",
        help="answer 413 for larger JSON bodies (the API's payload limit is 512M)",
    )
    parser.add_argument(
        "--no-expiry",
        action="store_true",
        help="refuse expires_after on uploads, like servers without it",
    )
    parser.add_argument(
        "--serve-html", action="store_true", help="answer every request with a web page"
    )
    parser.add_argument(
        "--never-answer",
        action="store_true",
        help="accept requests and never answer them (not even headers)",
    )
    parser.add_argument(
        "--malformed-stream",
        action="store_true",
        help="break each stream's format after two deltas",
    )
    parser.add_argument(
        "--odd-shapes",
        action="store_true",
        help="streams send, after two deltas, an event whose fields are of another shape",
    )
    parser.add_argument(
        "--end-stream-early",
        action="store_true",
        help="end streams cleanly after the last delta, without their final events",
    )
    parser.add_argument(
        "--gateway-quirks",
        action="store_true",
        help="act like a gateway: drop POST /threads bodies, put run event names inside the "
        "data, lack GET /threads/{id}/runs/{id}, answer 500 for routes it lacks",
    )
    parser.add_argument(
        "--batch-delay",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="time a batch spends in each stage (validating, in progress, finalizing)",
    )
    parser.add_argument(
        "--batch-fail-lines", type=int, default=0, metavar="N", help="fail N lines of each batch"
    )
    parser.add_argument(
        "--batch-expire", action="store_true", help="batches expire with half their lines done"
    )
    parser.add_argument("--batch-invalid", action="store_true", help="batches fail validation")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=["responses", "assistants", "files", "batches"],
        help="answer 404 for this API family (e.g. assistants, as OpenAI now does)",
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from visiondesk.emulator import Emulator, Knobs

    api_key = options.api_key
    if options.api_key_env:
        api_key = os.environ.get(options.api_key_env)
        if not api_key:
            print(f"visiondesk emulator: ${options.api_key_env} is not set", file=sys.stderr)
            return 2
    try:
        scripted = options.answer_file.read_text(encoding="utf-8") if options.answer_file else None
    except (OSError, UnicodeDecodeError) as exc:
        print(f"visiondesk emulator: cannot read {options.answer_file}: {exc}", file=sys.stderr)
        return 2
    knobs = Knobs(
        token_delay=options.token_delay,
        scripted_answer=scripted,
        file_processing_delay=options.file_delay,
        first_token_delay=options.first_token_delay,
        fail_429=options.fail_429,
        retry_after=options.retry_after,
        fail_500=options.fail_500,
        cut_stream_after=options.cut_after,
        file_error=options.file_error,
        file_never_ready=options.file_never_ready,
        upload_bytes_per_second=options.slow_upload,
        stall_uploads_after=options.stall_uploads_after,
        stall_seconds=options.stall_seconds,
        receive_buffer=options.receive_buffer,
        max_file_bytes=options.max_file_size,
        max_json_bytes=options.max_json_size,
        no_expiry=options.no_expiry,
        serve_html=options.serve_html,
        never_answer=options.never_answer,
        malformed_stream=options.malformed_stream,
        odd_shapes=options.odd_shapes,
        gateway_quirks=options.gateway_quirks,
        end_stream_early=options.end_stream_early,
        batch_delay=options.batch_delay,
        batch_fail_lines=options.batch_fail_lines,
        batch_expire=options.batch_expire,
        batch_invalid=options.batch_invalid,
        disabled_modes=set(options.without),
    )
    try:
        emulator = Emulator(options.port, api_key=api_key, knobs=knobs)
    except OSError as exc:
        print(f"visiondesk emulator: cannot listen on port {options.port}: {exc}", file=sys.stderr)
        return 2
    print(f"VisionDesk emulator listening on {emulator.base_url}", flush=True)
    print("Point an OpenAI client at it, e.g. OPENAI_BASE_URL=" + emulator.base_url, flush=True)
    print(f"Uploads are kept in {emulator.store.folder} until it stops.", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` ends it as Ctrl+C does: folder removed
    try:
        emulator.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop_listening()
    return 0


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
