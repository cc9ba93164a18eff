"""`visiondesk count`: how many input tokens a question with its images is, before it is sent
— exactly where the server counts (`POST /v1/responses/input_tokens`), else the local estimate,
and the output says which."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from visiondesk.commands import COMMANDS
from visiondesk.commands.reaching import add_arguments, reach
from visiondesk.domain import ApiMode, Detail, file_name
from visiondesk.errors import ImageError, VisionDeskError
from visiondesk.escaping import for_terminal, json_line

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "count",
        help=COMMANDS["count"].summary,
        description="Prepare the images as they would be sent and count the request's input "
        "tokens: exact from the server's input_tokens endpoint in Responses mode where it "
        "answers ('exact'), else the local estimate of the images' and the words' tokens "
        "('estimate', with why). Nothing is sent to a model. Exit 0, 2 on bad input or an "
        "image that cannot be used, 1 when the server cannot be reached for the images.",
    )
    add_arguments(parser)
    parser.add_argument("--mode", choices=[m.value for m in ApiMode], default="responses")
    parser.add_argument("--model", required=True)
    parser.add_argument("--detail", choices=[d.value for d in Detail], default=Detail.AUTO.value)
    parser.add_argument("-p", "--prompt", required=True)
    parser.add_argument("--instructions", default="", help="system instructions sent with it")
    parser.add_argument("images", nargs="*", metavar="IMAGE", help="file path or https URL")
    parser.add_argument("--json", action="store_true", help="the count as one JSON object")
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    try:
        return asyncio.run(_count(options))
    except VisionDeskError as error:
        print(for_terminal(f"visiondesk count: {error}"), file=sys.stderr)
        return EXIT_FAILED


async def _count(options: argparse.Namespace) -> int:
    from visiondesk.api.counting import count
    from visiondesk.config.secrets import Secrets
    from visiondesk.connection import Connections
    from visiondesk.session import OwnSettings, Session

    connections = Connections(Secrets(use_keyring=False))
    try:
        reached = reach(options, connections, "count")
        if isinstance(reached, int):
            return reached
        profile, api_key = reached
        mode = ApiMode(options.mode)
        settings = OwnSettings(mode, options.model, Detail(options.detail), options.instructions)
        session = Session(profile, api_key)
        try:
            policy = session.policy(settings)
            images = []
            for source in options.images:
                try:
                    images.append(await session.prepare(source, policy, file_name(source)))
                except ImageError as error:
                    print(for_terminal(f"visiondesk count: {error}"), file=sys.stderr)
                    return EXIT_USAGE
            question = session.question(options.prompt, images, settings)
            counted = await count(
                session.client, profile, question, ask_server=mode is ApiMode.RESPONSES
            )
        finally:
            await session.aclose()
    finally:
        connections.stop()
    image_tokens = sum(image.tokens for image in images)
    if options.json:
        record = {
            "input_tokens": counted.input_tokens,
            "exact": counted.exact,
            "why_estimate": counted.why_estimate or None,
            "image_tokens": image_tokens,
            "images": [
                {"source": i.label, "width": i.width, "height": i.height, "tokens": i.tokens}
                for i in images
            ],
        }
        print(json_line(record))
        return EXIT_OK
    how = "exact, counted by the server" if counted.exact else "estimate"
    print(for_terminal(f"{counted.input_tokens} input tokens ({how})"))
    if not counted.exact:
        print(for_terminal(f"  not exact: {counted.why_estimate}"))
    for image in images:
        size = "as its URL" if image.url else f"{image.width}×{image.height}"
        print(for_terminal(f"  {image.label}: {size}, {image.tokens} tokens"))
    return EXIT_OK
