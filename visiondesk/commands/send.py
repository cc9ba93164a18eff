"""`visiondesk send`: one turn from the command line — the answer streams to stdout, progress
to stderr (or every event as a JSON line with --json)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, assert_never

from visiondesk.commands import COMMANDS
from visiondesk.commands.reaching import add_arguments, reach
from visiondesk.domain import (
    ApiMode,
    Continuation,
    Detail,
    PreparedImage,
)
from visiondesk.errors import ImageError, VisionDeskError
from visiondesk.escaping import for_terminal, json_line
from visiondesk.events import (
    Completed,
    Event,
    Failed,
    FileFailed,
    FileReady,
    Prepared,
    Preparing,
    Processing,
    RateLimitWait,
    RequestSent,
    StateChanged,
    TextDelta,
    TurnStarted,
    UploadProgress,
    Usage,
    Waiting,
)

if TYPE_CHECKING:
    from visiondesk.commands.compare_send import ColumnResult
    from visiondesk.commands.saving import Saving
    from visiondesk.compare import ColumnSpec
    from visiondesk.config.profiles import Profile
    from visiondesk.session import OwnSettings, Session

from visiondesk.commands.event_json import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    event_json,
)


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "send",
        help=COMMANDS["send"].summary,
        description="Send a prompt and images in one API mode and stream the answer. The key "
        "comes from an environment variable (default OPENAI_API_KEY), never from the command "
        "line. Exit 0 on success, 1 on an API failure, 2 on bad input, 130 when interrupted.",
    )
    add_arguments(parser)
    parser.add_argument(
        "--mode",
        choices=[m.value for m in ApiMode],
        help="required, except with --compare (a default) or --continue",
    )
    parser.add_argument(
        "--model", help="required, except with --compare columns or --continue (as sent)"
    )
    parser.add_argument("--detail", choices=[d.value for d in Detail], default=Detail.AUTO.value)
    parser.add_argument("-p", "--prompt", required=True)
    parser.add_argument("images", nargs="*", metavar="IMAGE", help="file path or https URL")
    parser.add_argument(
        "--pages",
        metavar="PAGES",
        help="of each PDF: all, 3, 2-5 or 1,3,7-9 (default: the first 5), sent as images",
    )
    parser.add_argument("--json", action="store_true", help="print every event as a JSON line")
    parser.add_argument(
        "--compare",
        action="append",
        metavar="SPEC",
        help="a column MODEL[:MODE[:DETAIL]], 2 to 4 times: every column answers the same "
        "question and images at once (missing parts from --mode and --detail)",
    )
    saving = parser.add_mutually_exclusive_group()
    saving.add_argument(
        "--save",
        action="store_true",
        help="save the turn in the history (as the window does); its id is the last line on "
        "stderr: conversation: ID",
    )
    saving.add_argument(
        "--continue",
        dest="continue_id",
        type=int,
        metavar="ID",
        help="go on with a saved conversation or compare (from `visiondesk conversations`) "
        "and save the turn",
    )
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    if (refused := _refused(options)) is not None:
        print(for_terminal(f"visiondesk send: {refused}"), file=sys.stderr)
        return EXIT_USAGE
    from visiondesk.imaging.pdf_pages import expand

    try:
        expanded = expand(options.images, options.pages)
    except ImageError as error:
        print(for_terminal(f"visiondesk send: {error}"), file=sys.stderr)
        return EXIT_USAGE
    for note in expanded.notes:
        print(for_terminal(f"visiondesk send: {note}"), file=sys.stderr)
    options.images = expanded.sources  # each PDF as its pages, drawn as the model reads them
    saving = _saving(options)
    if isinstance(saving, int):
        return saving
    try:
        return asyncio.run(_send(options, saving))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except VisionDeskError as error:  # one line, never a traceback
        print(for_terminal(f"error: {error}"), file=sys.stderr)
        return EXIT_FAILED
    finally:
        if saving is not None:
            saving.close()  # the last line: conversation: ID


def _refused(options: argparse.Namespace) -> str | None:
    """What is wrong with the arguments argparse could not tell alone, in one line."""
    if not options.compare:
        missing = [name for name in ("mode", "model") if getattr(options, name) is None]
        if missing and options.continue_id is None:  # else: as the conversation was sent
            return "the following arguments are required: " + ", ".join(
                f"--{name}" for name in missing
            )
        return None
    from visiondesk.compare import SpecError, parse_specs

    if options.continue_id is not None:
        return "a saved compare goes on with its own columns: --continue ID without --compare"
    mode = ApiMode(options.mode) if options.mode else None
    try:
        options.columns = parse_specs(options.compare, mode, Detail(options.detail))
    except SpecError as error:
        return str(error)
    return None


def _saving(options: argparse.Namespace) -> Saving | int | None:
    """The history this send is saved in (--save, --continue), None when it is not saved, or
    the exit code when it cannot be opened (2 for an unknown conversation)."""
    if not options.save and options.continue_id is None:
        return None
    from visiondesk.commands.saving import Saving, UnknownConversation

    try:
        return Saving.open(options.continue_id)
    except VisionDeskError as error:
        print(for_terminal(f"visiondesk send: {error}"), file=sys.stderr)
        return EXIT_USAGE if isinstance(error, UnknownConversation) else EXIT_FAILED


async def _send(options: argparse.Namespace, saving: Saving | None = None) -> int:
    from visiondesk.config.profiles import ProviderKind
    from visiondesk.config.secrets import Secrets
    from visiondesk.connection import Connection, Connections
    from visiondesk.session import OwnSettings, Session

    connections = Connections(Secrets(use_keyring=False))
    reached = reach(options, connections, "send")
    if isinstance(reached, int):
        return reached
    profile, api_key = reached
    keeps_ids = not options.base_url and profile.kind is not ProviderKind.EMULATOR
    compared = None
    if saving is not None:
        compared = saving.compare_continued(profile.name, keeps_ids=keeps_ids)
    if options.compare or compared:
        return await _compare(options, profile, api_key, connections, saving, compared)
    if saving is not None and (options.mode is None or options.model is None):
        mode, model = saving.stored_settings() or ("chat", "gpt-4o")
        options.mode, options.model = options.mode or mode, options.model or model
    settings = OwnSettings(ApiMode(options.mode), options.model, Detail(options.detail))
    continuation = Continuation()  # this command's one conversation, kept here as a value
    if saving is not None:  # its server outlives the command: not an emulator started for it
        continuation, instructions = saving.continued_from(
            profile.name, options.mode, keeps_ids=keeps_ids
        )
        settings = replace(settings, instructions=instructions)
    store = saving.history if saving else None
    session = Session(profile, api_key, connection=Connection(profile, api_key, store=store))
    conversation = _Conversation(session, settings, continuation)
    from visiondesk.compare import ColumnSpec

    out = _Printer(options.json, ColumnSpec(settings.model, settings.mode, settings.detail))
    try:
        if saving is None:
            return await _turn(conversation, options, out)
        return await _saved_turn(conversation, options, out, saving)
    finally:
        out.summary()  # with --json, the turn's last line, however it ended
        await session.connection.aclose()
        connections.stop()


async def _compare(
    options: argparse.Namespace,
    profile: Profile,
    api_key: str | None,
    connections: Any,
    saving: Saving | None,
    continued: list[ColumnResult] | None,
) -> int:
    """The compare's columns (given, or those of the saved compare `--continue` names), saved
    as the window saves a compare when the history is open (--save, --continue)."""
    from visiondesk.commands.compare_send import ColumnResult, ComparePrinter, Grouping, run_columns
    from visiondesk.config.prices import PriceTable
    from visiondesk.connection import Connection
    from visiondesk.session import Session

    columns = continued or [ColumnResult(i, spec) for i, spec in enumerate(options.columns)]
    store = saving.history if saving is not None else None
    session = Session(profile, api_key, connection=Connection(profile, api_key, store=store))
    group = Grouping(saving.continued if saving is not None else None)
    out = ComparePrinter(options.json, len(columns))
    try:
        return await run_columns(
            session,
            columns,
            options.prompt,
            options.images,
            out,
            PriceTable.load(),
            saved=group if saving is not None else None,
        )
    finally:
        if saving is not None:
            saving.sending()  # every column's answer is saved by its send, however it ended
            saving.conversation_id = group.first
        await session.connection.aclose()
        connections.stop()


@dataclass
class _Conversation:
    """The command's one conversation: the stateless services, and the settings and
    continuation this command owns as values (moved on from each event by `followed`)."""

    session: Session
    settings: OwnSettings
    continuation: Continuation


async def _turn(
    conversation: _Conversation,
    options: argparse.Namespace,
    out: _Printer,
    saving: Saving | None = None,
) -> int:
    from visiondesk.session import followed

    session, settings = conversation.session, conversation.settings
    for image in options.images:
        async for event in session.attach(image, settings):
            out.event(event)
            if out.failure is not None:
                return _exit_code(out.failure)
    stored = None
    if saving is not None:
        saving.prepared(session, out.prepared)
        saving.sending()
        stored = saving.stored
    question = session.question(options.prompt, out.prepared, settings)
    async for event in session.send(question, settings, conversation.continuation, stored):
        conversation.continuation = followed(conversation.continuation, event, question)
        out.event(event)
        if isinstance(out.failure, Failed):  # an upload's FileFailed is followed by it
            return _exit_code(out.failure)
    return EXIT_OK


async def _saved_turn(
    conversation: _Conversation, options: argparse.Namespace, out: _Printer, saving: Saving
) -> int:
    """The turn, saved as the window saves it: the question and its images' sources first,
    the answer however it ends (a bad image and Ctrl+C included)."""
    from visiondesk.domain import AnswerStatus

    session = conversation.session
    stored = saving.question(
        session, conversation.settings, conversation.continuation, options.prompt, options.images
    )
    if stored is not None and stored.conversation_id is not None:
        conversation.continuation = replace(
            conversation.continuation, conversation_id=stored.conversation_id
        )
    try:
        code = await _turn(conversation, options, out, saving)
    except asyncio.CancelledError:
        saving.ended(session, AnswerStatus.CANCELLED)
        raise
    if out.failure is not None:
        saving.ended(session, AnswerStatus.FAILED, out.failure.error.message)
    return code


class _Pace(Enum):
    """What a person was last told of an upload's pace."""

    MOVING = "moving"
    STALLED = "stalled"


class _Printer:
    """The one consumer of a command-line turn's events: the answer on stdout, progress for
    people on stderr (or every event as JSON on stdout); it keeps the prepared images and the
    failure that ends the command."""

    def __init__(self, as_json: bool, spec: ColumnSpec) -> None:
        from visiondesk.commands.compare_send import ColumnResult

        self.as_json = as_json
        self.result = ColumnResult(0, spec)
        """What the turn came to, for the summary line (as a compare column's)."""
        self.prepared: list[PreparedImage] = []
        self.failure: Failed | FileFailed | None = None
        self._last_percent: dict[str, int] = {}
        self._pace: dict[str, _Pace] = {}
        self._rate_limited = False

    def event(self, event: Event) -> None:
        if self.as_json:
            print(json_line(event_json(event)), flush=True)
        self._follow(event)
        match event:
            case Preparing(source=source):
                self._say(f"preparing {source}…")
            case Prepared(image=image):
                self.prepared.append(image)
                self._say(f"prepared {image.label}: " + _describe(image))
            case UploadProgress(bytes_sent=sent, total=total):
                self._upload(event, 100 * sent // max(1, total))
            case Processing(file_id=file_id):
                self._say(f"uploaded as {file_id}; waiting until the server has processed it")
            case FileReady(file_id=file_id):
                self._say(f"ready: {file_id}")
            case FileFailed(error=error) | Failed(error=error):
                self.failure = event
                self._say(f"error: {error}")
            case Waiting(seconds=seconds, server=server):
                self._say(f"no answer yet from {server} ({seconds:.0f} s); waiting…")
            case RateLimitWait(seconds=seconds, server=server):
                if seconds and not self._rate_limited:  # the start of a countdown
                    self._say(f"rate limited by {server}; retrying in {seconds:.0f} s…")
                self._rate_limited = bool(seconds)
            case Usage(input_tokens=tokens_in, output_tokens=tokens_out):
                self._say(f"tokens: {tokens_in} in, {tokens_out} out")
            case TextDelta(text=text):
                if not self.as_json:
                    sys.stdout.write(for_terminal(text))  # a server's ESC or BEL is shown
                    sys.stdout.flush()
            case Completed(text=text):
                if not self.as_json and not text.endswith("\n"):
                    sys.stdout.write("\n")
            case TurnStarted() | RequestSent() | StateChanged():
                pass  # for the request inspector (and --json)
            case _:
                assert_never(event)

    def _follow(self, event: Event) -> None:
        result = self.result
        match event:
            case Prepared(image=image):
                result.prepared.append(image)
            case TextDelta() if result.first_token is None:
                result.first_token = time.monotonic()
            case Usage():
                result.usage = event
            case Completed(text=text):
                result.text = text
            case Failed() | FileFailed():
                result.failure = event
            case _:
                pass

    def summary(self) -> None:
        """`{"event": "summary", …}`: model, mode, detail, ok, text, usage, cost_usd (from
        the price table), times and the images as sent, as a compare column ends."""
        if not self.as_json:
            return
        from visiondesk.config.prices import PriceTable

        self.result.ended = time.monotonic()
        record = self.result.summary(PriceTable.load())
        del record["column"]
        print(json_line(record), flush=True)

    def _upload(self, event: UploadProgress, percent: int) -> None:
        """Every quarter of an upload, its stall once, and once more when it moves again."""
        sha256 = event.sha256
        pace = _Pace.STALLED if event.stalled else _Pace.MOVING
        was = self._pace.get(sha256, _Pace.MOVING)
        self._pace[sha256] = pace
        if pace is _Pace.STALLED and was is _Pace.MOVING:
            self._say(
                f"upload of {sha256[:8]} stalled at {percent}%: nothing sent for "
                f"{event.stalled_for:.0f} s; waiting for the server…"
            )
        elif pace is _Pace.MOVING and was is _Pace.STALLED:
            self._say(f"upload of {sha256[:8]} sending again ({percent}%)")
        elif self._last_percent.get(sha256, -1) // 25 != percent // 25:
            self._say(f"uploading {sha256[:8]}… {percent}%")
        self._last_percent[sha256] = percent

    def _say(self, message: str) -> None:
        if not self.as_json:
            print(for_terminal(message), file=sys.stderr, flush=True)


def _exit_code(failure: Failed | FileFailed) -> int:
    return EXIT_USAGE if isinstance(failure.error, ImageError) else EXIT_FAILED


def _describe(image: PreparedImage) -> str:
    if image.url is not None:
        return f"sent as URL, detail {image.detail}, up to {image.tokens} tokens"
    return (
        f"{image.width}×{image.height} {image.mime}, {len(image.data) // 1024} KB, "
        f"detail {image.detail}, about {image.tokens} tokens"
    )
