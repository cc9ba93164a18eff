""" "Copy as Python" and "Copy as curl": code that reproduces a turn from the very body its mode
sends, reading the images from files and the key from OPENAI_API_KEY (never the key itself).

Each mode module renders its own snippet (`python_snippet`, `curl_snippet`) next to its
`build_request`, from the parts in api/snippet_parts.py; this module saves the images and picks
the mode's renderers from one table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from visiondesk.api import assistants, chat, responses
from visiondesk.config.paths import private_folder, write_private
from visiondesk.domain import ApiMode, PreparedImage, Replay

Renderer = Callable[[Replay, Sequence[Path | None]], str]
"""Code that sends a replayed turn again, given the saved images (`write_images`)."""

PYTHON: Mapping[ApiMode, Renderer] = {
    ApiMode.CHAT: chat.python_snippet,
    ApiMode.RESPONSES: responses.python_snippet,
    ApiMode.ASSISTANTS: assistants.python_snippet,
}
CURL: Mapping[ApiMode, Renderer] = {
    ApiMode.CHAT: chat.curl_snippet,
    ApiMode.RESPONSES: responses.curl_snippet,
    ApiMode.ASSISTANTS: assistants.curl_snippet,
}


def write_images(images: Sequence[PreparedImage], folder: Path) -> list[Path | None]:
    """Save what was sent (not the originals), so the snippet sends the same bytes. URL images
    get None: the snippet sends the URL. Private (0700, files 0600), as all of the cache."""
    private_folder(folder)
    paths: list[Path | None] = []
    for image in images:
        if image.url is not None:
            paths.append(None)
            continue
        path = folder / image.filename
        if not path.exists():
            write_private(path, image.data)
        paths.append(path)
    return paths


def as_python(replay: Replay, paths: Sequence[Path | None]) -> str:
    """A script (openai SDK) that sends the turn again.

    `paths` are `write_images(replay.images, folder)`: every image the body may carry."""
    return PYTHON[replay.mode](replay, paths)


def as_curl(replay: Replay, paths: Sequence[Path | None]) -> str:
    """A POSIX shell script (curl, base64, jq) that sends the turn again."""
    return CURL[replay.mode](replay, paths)
