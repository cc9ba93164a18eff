"""The `visiondesk` subcommands, one module each; no Qt.

`COMMANDS` is all that `visiondesk --help` and `--version` need, so they import none of the
modules (whose imports are for running: asyncio, the SDK, the history), and each module takes
its one-line help from here.
"""

from typing import NamedTuple


class Command(NamedTuple):
    module: str
    """The module in visiondesk.commands whose `add_parser` defines the command."""
    summary: str
    """The one-line help `visiondesk --help` lists."""


COMMANDS = {
    "prepare": Command(
        "prepare", "show (and optionally write) exactly what would be sent for each image"
    ),
    "send": Command("send", "ask a model about images and stream the answer"),
    "batch": Command(
        "batch", "ask one question about many images (live, or on the Batch API at half price)"
    ),
    "doctor": Command("doctor", "check an image request you wrote (JSON or curl) and fix it"),
    "emulator": Command(
        "emulator", "run an OpenAI-API emulator on 127.0.0.1 (for tests and checking requests)"
    ),
    "backup": Command(
        "backup", "copy the history and its images into a folder (safe while VisionDesk runs)"
    ),
    "capture": Command(
        "capture", "grab a region, a screen or the active window into a PNG (no window opens)"
    ),
    "conversations": Command("conversations", "list the saved conversations"),
    "export": Command("conversations", "export a saved conversation as HTML or Markdown"),
    "count": Command("count", "count a question's input tokens with its images, before sending"),
    "prices": Command("prices", "print the price table costs are computed from, and its date"),
}
