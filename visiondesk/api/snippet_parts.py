"""What the mode modules' "Copy as Python" / "Copy as curl" renderers share: rendering a body
as a Python literal or as JSON for a curl heredoc, with the images replaced by references.

It imports no mode module (they import it), so api/snippets.py can hold the table of renderers
without an import cycle.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visiondesk.domain import PreparedImage

_MARK = "@@visiondesk:{}@@"


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One saved image as a snippet refers to it: a data URL (IMAGE1) or an upload (FILE1)."""

    name: str
    path: Path
    mime: str
    uploaded: bool


@dataclass
class Refs:
    """The values in a body that stand for images, and which of them a body really uses."""

    by_value: dict[str, ImageRef] = field(default_factory=dict)
    file_ids: dict[str, str] = field(default_factory=dict)
    """sha256 → a placeholder file id, for build_request; the snippet uploads instead."""
    used: list[ImageRef] = field(default_factory=list)

    @classmethod
    def of(cls, images: Sequence[PreparedImage], paths: Sequence[Path | None]) -> Refs:
        refs = cls()
        for number, (image, path) in enumerate(zip(images, paths, strict=True), 1):
            if path is None or image.sha256 in refs.file_ids:
                continue
            refs.by_value[image.data_url()] = ImageRef(f"IMAGE{number}", path, image.mime, False)
            placeholder = _MARK.format(f"FILE{number}")
            refs.file_ids[image.sha256] = placeholder
            refs.by_value[placeholder] = ImageRef(f"FILE{number}", path, image.mime, True)
        return refs

    def take(self, value: str) -> ImageRef | None:
        ref = self.by_value.get(value)
        if ref is not None and ref not in self.used:
            self.used.append(ref)
        return ref


# --- Python -------------------------------------------------------------------------------


def python_literal(value: Any, refs: Refs, indent: int = 0) -> str:
    """`value` as Python source, one item a line, image values replaced by their variable."""
    pad, end = "    " * (indent + 1), "    " * indent
    if isinstance(value, str):
        ref = refs.take(value)
        return ref.name if ref is not None else repr(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [
            f"{pad}{key!r}: {python_literal(v, refs, indent + 1)}," for key, v in value.items()
        ]
        return "{\n" + "\n".join(items) + f"\n{end}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = [f"{pad}{python_literal(v, refs, indent + 1)}," for v in value]
        return "[\n" + "\n".join(items) + f"\n{end}]"
    return repr(value)


def python_script(base_url: str, refs: Refs, body_lines: list[str]) -> str:
    """Imports, the client, the helpers and image variables the body uses, then the body."""
    uploads = any(ref.uploaded for ref in refs.used)
    data_urls = any(not ref.uploaded for ref in refs.used)
    head = ["import base64"] if data_urls else []
    head += [
        "import os",
        "",
        "from openai import OpenAI",
        "",
        f"client = OpenAI(base_url={base_url!r}, api_key=os.environ['OPENAI_API_KEY'])",
        "",
    ]
    if data_urls:
        head += [
            "",
            "def data_url(path, mime):",
            "    with open(path, 'rb') as file:",
            "        return f'data:{mime};base64,' + base64.b64encode(file.read()).decode()",
            "",
        ]
    if uploads:
        head += [
            "",
            "def upload(path):",
            "    # Uploaded images are files (purpose 'vision'), usable once processed.",
            "    with open(path, 'rb') as file:",
            "        uploaded = client.files.create(file=file, purpose='vision')",
            "    uploaded = client.files.wait_for_processing(uploaded.id, poll_interval=0.5)",
            "    if uploaded.status != 'processed':",
            "        raise SystemExit(f'{path}: upload failed: {uploaded.status_details}')",
            "    return uploaded.id",
            "",
        ]
    if data_urls or uploads:
        head.append("")
    for ref in refs.used:
        call = "upload" if ref.uploaded else "data_url"
        arguments = repr(str(ref.path)) + ("" if ref.uploaded else f", {ref.mime!r}")
        head.append(f"{ref.name} = {call}({arguments})")
    return "\n".join(head + ([""] if refs.used else []) + body_lines) + "\n"


# --- curl ---------------------------------------------------------------------------------


def curl_json(value: Any, refs: Refs) -> str:
    """JSON for an unquoted heredoc: image values become ${IMAGE1}/${FILE1}, every other `$`,
    backslash and backtick is escaped so the shell passes it through."""
    text = json.dumps(_marked(value, refs), indent=2, ensure_ascii=False)
    text = text.replace("\\", "\\\\").replace("`", "\\`").replace("$", "\\$")
    for ref in refs.used:
        shell = f"${{{ref.name}}}" if ref.uploaded else f"data:{ref.mime};base64,${{{ref.name}}}"
        text = text.replace(_MARK.format(ref.name), shell)
    for name in SHELL_NAMES:
        text = text.replace(_MARK.format(name), f"${{{name}}}")
    return text


SHELL_NAMES = ("ASSISTANT", "THREAD")
"""Variables a script sets itself (Assistants), written into bodies as `shell_var(name)`."""


def shell_var(name: str) -> str:
    """A value that `curl_json` writes as `${name}`."""
    return _MARK.format(name)


def _marked(value: Any, refs: Refs) -> Any:
    if isinstance(value, str):
        ref = refs.take(value)
        return _MARK.format(ref.name) if ref is not None else value
    if isinstance(value, dict):
        return {key: _marked(v, refs) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(v, refs) for v in value]
    return value


def curl_post(base_url: str, path: str, body: str, *, beta: bool = False, then: str = "") -> str:
    """`curl` POSTing `body` (JSON from `curl_json`) through a heredoc; `then` follows the
    command on its line (a pipe, a redirection). `path` may name shell variables."""
    headers = ['-H "Authorization: Bearer $OPENAI_API_KEY"', '-H "Content-Type: application/json"']
    if beta:
        headers.append('-H "OpenAI-Beta: assistants=v2"')
    url = f'"{base_url.rstrip("/")}{path}"'
    return f"curl -sSN {url} {' '.join(headers)} -d @- <<JSON{then}\n{body}\nJSON"


def sse_data(jq_filter: str) -> str:
    """A pipe that prints the text an SSE stream carries: its JSON `data:` lines through jq."""
    return f" | sed -n 's/^data: {{/{{/p' | jq -j {shlex.quote(jq_filter)}"


def curl_script(base_url: str, refs: Refs, body_lines: list[str]) -> str:
    """The shebang, each used image read or uploaded into a variable, then the requests."""
    base = base_url.rstrip("/")
    auth = '-H "Authorization: Bearer $OPENAI_API_KEY"'
    lines = [
        "#!/bin/sh",
        "# Needs curl, base64 and jq; the key comes from $OPENAI_API_KEY.",
        "set -e",
    ]
    for ref in refs.used:
        path = shlex.quote(str(ref.path))
        if not ref.uploaded:
            lines.append(f"{ref.name}=$(base64 -w0 {path})")
            continue
        lines += [
            f"{ref.name}=$(curl -sS {base}/files {auth} -F purpose=vision -F file=@{path} "
            "| jq -r .id)",
            f'until [ "$(curl -sS {base}/files/${ref.name} {auth} | jq -r .status)" = processed ]; '
            "do",
            f'  [ "$(curl -sS {base}/files/${ref.name} {auth} | jq -r .status)" != error ] '
            f'|| {{ echo "{path}: upload failed" >&2; exit 1; }}',
            "  sleep 0.5",
            "done",
        ]
    return "\n".join(lines + body_lines) + "\n"
