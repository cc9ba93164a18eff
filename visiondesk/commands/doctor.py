"""`visiondesk doctor`: check an image request you wrote (JSON or curl), explain what the API
will say about it, and print it fixed."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from visiondesk.commands import COMMANDS

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "doctor",
        help=COMMANDS["doctor"].summary,
        description='Check a request body, an {"endpoint", "body"} object or a pasted curl '
        "command against the image rules of its endpoint. Exit 0 when no error is found "
        "(warnings only), 1 when the API would refuse it, 2 when the input is unusable.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE|-", help="default: stdin")
    parser.add_argument("--endpoint", metavar="PATH", help="e.g. /v1/chat/completions")
    parser.add_argument("--model", help="the model to size images for (default: the body's)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--upload",
        action="store_true",
        help="upload Assistants images (purpose vision) and print the request with real ids",
    )
    parser.add_argument("--base-url", help="where --upload uploads, e.g. https://api.openai.com/v1")
    parser.add_argument("--api-key-env", default="OPENAI_API_KEY", metavar="NAME")
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    from visiondesk.doctor import diagnose
    from visiondesk.errors import VisionDeskError
    from visiondesk.escaping import for_terminal, json_line

    if options.upload and not options.base_url:
        print("visiondesk doctor: --upload needs --base-url", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        text, base = _read(options.file)
        report = diagnose(text, options.endpoint, options.model, base=base)
    except VisionDeskError as error:
        print(for_terminal(f"visiondesk doctor: {error}"), file=sys.stderr)
        return EXIT_UNUSABLE
    if options.upload and report.uploads and report.fixed is not None:
        import asyncio  # only uploads need it, not checking

        try:
            report.fixed = asyncio.run(_upload(report.fixed, report.uploads, options))
        except VisionDeskError as error:
            print(for_terminal(f"visiondesk doctor: upload failed: {error}"), file=sys.stderr)
            return EXIT_ERRORS
    if options.json:
        print(json_line(report.as_json()))
    else:  # the request quoted in it came from who knows where
        sys.stdout.write(for_terminal(report.as_text()))
    return report.exit_code


def _read(name: str) -> tuple[str, Path]:
    """The input, at most 64 MB: a regular file or a pipe, or standard input."""
    from visiondesk.doctor.bounded import read_file, read_stream

    if name == "-":
        return read_stream(sys.stdin, "The standard input"), Path.cwd()
    path = Path(name)
    return read_file(path, "The input file", pipes=True), path.resolve().parent


async def _upload(fixed: dict[str, Any], uploads: Any, options: argparse.Namespace) -> Any:
    from visiondesk.doctor.upload import upload_placeholders

    def ready(placeholder: str, file_id: str) -> None:
        print(f"uploaded {placeholder} → {file_id} (processed)", file=sys.stderr)

    key = os.environ.get(options.api_key_env)
    return await upload_placeholders(fixed, uploads, options.base_url, key, ready)
