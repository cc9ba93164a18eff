""" "Copy as Python" and "Copy as curl": code that reproduces a turn, reading the images from
files and the key from OPENAI_API_KEY. The key itself never appears."""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from visiondesk.config.paths import private_folder, write_private
from visiondesk.domain import ApiMode, Detail, PreparedImage, Turn


def write_images(images: Sequence[PreparedImage], folder: Path) -> list[Path | None]:
    """Save what was sent (not the originals), so the snippet sends the same bytes; in a
    private folder (0700, files 0600), as everything in VisionDesk's cache."""
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


def as_python(mode: ApiMode, base_url: str, turn: Turn, paths: Sequence[Path | None]) -> str:
    lines = [
        "import base64",
        "import os",
        "",
        "from openai import OpenAI",
        "",
        f"client = OpenAI(base_url={base_url!r}, api_key=os.environ['OPENAI_API_KEY'])",
        "",
    ]
    if mode is ApiMode.ASSISTANTS:
        return "\n".join(lines + _assistants_python(turn, paths)) + "\n"
    lines += [
        "",
        "def data_url(path, mime):",
        "    with open(path, 'rb') as file:",
        "        return f'data:{mime};base64,' + base64.b64encode(file.read()).decode()",
        "",
        "",
    ]
    parts = []
    for image, path in zip(turn.images, paths, strict=True):
        url = repr(image.url) if path is None else f"data_url({str(path)!r}, {image.mime!r})"
        if mode is ApiMode.CHAT:
            parts.append(
                f"        {{'type': 'image_url', 'image_url': {{'url': {url}, "
                f"'detail': {image.detail.value!r}}}}},"
            )
        else:
            parts.append(
                f"        {{'type': 'input_image', 'image_url': {url}, "
                f"'detail': {image.detail.value!r}}},"
            )
    text_type = "text" if mode is ApiMode.CHAT else "input_text"
    content = [f"        {{'type': {text_type!r}, 'text': {turn.prompt!r}}},", *parts]
    if mode is ApiMode.CHAT:
        lines += ["response = client.chat.completions.create(", f"    model={turn.model!r},"]
        lines += ["    messages=[{'role': 'user', 'content': [", *content, "    ]}],", ")"]
        lines += ["print(response.choices[0].message.content)"]
    else:
        lines += ["response = client.responses.create(", f"    model={turn.model!r},"]
        lines += ["    input=[{'role': 'user', 'content': [", *content, "    ]}],", ")"]
        lines += ["print(response.output_text)"]
    return "\n".join(lines) + "\n"


def _assistants_python(turn: Turn, paths: Sequence[Path | None]) -> list[str]:
    lines = [f"content = [{{'type': 'text', 'text': {turn.prompt!r}}}]"]
    for image, path in zip(turn.images, paths, strict=True):
        detail = Detail.HIGH.value if image.detail is Detail.ORIGINAL else image.detail.value
        if path is None:
            lines.append(
                f"content.append({{'type': 'image_url', 'image_url': {{'url': {image.url!r}, "
                f"'detail': {detail!r}}}}})"
            )
            continue
        lines += [
            "# Assistants refuses data URLs: upload (purpose 'vision'), wait until processed.",
            f"with open({str(path)!r}, 'rb') as file:",
            "    uploaded = client.files.create(file=file, purpose='vision')",
            "uploaded = client.files.wait_for_processing(uploaded.id, poll_interval=0.5)",
            "if uploaded.status != 'processed':",
            "    raise SystemExit(f'upload failed: {uploaded.status_details}')",
            f"content.append({{'type': 'image_file', 'image_file': {{'file_id': uploaded.id, "
            f"'detail': {detail!r}}}}})",
        ]
    lines += [
        f"assistant = client.beta.assistants.create(model={turn.model!r}, name='VisionDesk')",
        "thread = client.beta.threads.create(messages=[{'role': 'user', 'content': content}])",
        "run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, "
        "assistant_id=assistant.id)",
        "answer = client.beta.threads.messages.list(thread_id=thread.id, order='desc').data[0]",
        "print(answer.content[0].text.value)",
    ]
    return lines


def as_curl(mode: ApiMode, base_url: str, turn: Turn, paths: Sequence[Path | None]) -> str:
    base = base_url.rstrip("/")
    auth = '-H "Authorization: Bearer $OPENAI_API_KEY"'
    lines = ["#!/bin/sh", "set -e"]
    variables: list[str] = []
    for number, path in enumerate(paths, 1):
        if path is not None:
            lines.append(f"IMAGE{number}=$(base64 -w0 {shlex.quote(str(path))})")
            variables.append(f"IMAGE{number}")
    if mode is ApiMode.ASSISTANTS:
        return "\n".join(lines + _assistants_curl(base, auth, turn, paths)) + "\n"
    body: dict[str, Any]
    parts: list[dict[str, Any]] = []
    for number, (image, path) in enumerate(zip(turn.images, paths, strict=True), 1):
        url = image.url if path is None else f"data:{image.mime};base64,${{IMAGE{number}}}"
        if mode is ApiMode.CHAT:
            parts.append(
                {"type": "image_url", "image_url": {"url": url, "detail": image.detail.value}}
            )
        else:
            parts.append({"type": "input_image", "image_url": url, "detail": image.detail.value})
    if mode is ApiMode.CHAT:
        content = [{"type": "text", "text": turn.prompt}, *parts]
        body = {"model": turn.model, "messages": [{"role": "user", "content": content}]}
        endpoint = "chat/completions"
    else:
        content = [{"type": "input_text", "text": turn.prompt}, *parts]
        body = {"model": turn.model, "input": [{"role": "user", "content": content}]}
        endpoint = "responses"
    lines += [
        f'curl -sS {base}/{endpoint} {auth} -H "Content-Type: application/json" -d @- <<JSON',
        _heredoc_json(body),
        "JSON",
    ]
    return "\n".join(lines) + "\n"


def _assistants_curl(base: str, auth: str, turn: Turn, paths: Sequence[Path | None]) -> list[str]:
    beta = '-H "OpenAI-Beta: assistants=v2"'
    lines: list[str] = []
    parts: list[dict[str, Any]] = [{"type": "text", "text": turn.prompt}]
    for number, (image, path) in enumerate(zip(turn.images, paths, strict=True), 1):
        detail = Detail.HIGH.value if image.detail is Detail.ORIGINAL else image.detail.value
        if path is None:
            parts.append({"type": "image_url", "image_url": {"url": image.url, "detail": detail}})
            continue
        lines += [
            f"FILE{number}=$(curl -sS {base}/files {auth} -F purpose=vision "
            f"-F file=@{shlex.quote(str(path))} | jq -r .id)",
            f'until [ "$(curl -sS {base}/files/$FILE{number} {auth} | jq -r .status)" '
            "= processed ]; do sleep 0.5; done",
        ]
        parts.append(
            {
                "type": "image_file",
                "image_file": {"file_id": f"${{FILE{number}}}", "detail": detail},
            }
        )
    assistant = {"model": turn.model, "name": "VisionDesk"}
    run = {
        "assistant_id": "${ASSISTANT}",
        "thread": {"messages": [{"role": "user", "content": parts}]},
        "stream": True,
    }
    lines += [
        f'ASSISTANT=$(curl -sS {base}/assistants {auth} {beta} -H "Content-Type: application/json" '
        f"-d '{json.dumps(assistant)}' | jq -r .id)",
        f'curl -sS {base}/threads/runs {auth} {beta} -H "Content-Type: application/json" '
        "-d @- <<JSON",
        _heredoc_json(run),
        "JSON",
    ]
    return lines


def _heredoc_json(body: dict[str, Any]) -> str:
    """JSON for an unquoted heredoc: `$` stays a shell variable, backslashes and backticks
    are escaped so the shell passes them through."""
    text = json.dumps(body, indent=2, ensure_ascii=False)
    text = text.replace("\\", "\\\\").replace("`", "\\`").replace("$", "\\$")
    for name in ("IMAGE", "FILE", "ASSISTANT"):  # our own variables expand
        text = text.replace("\\${" + name, "${" + name)
    return text
