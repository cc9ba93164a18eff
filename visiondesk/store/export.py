"""Export a conversation: Markdown with the images beside it, or one self-contained HTML file.

A damaged conversation exports what can be read, each unreadable image or message named. The
files are written readable by the person only (0600), like everything VisionDesk keeps."""

from __future__ import annotations

import html
from pathlib import Path

from visiondesk.config.paths import private_folder, write_private
from visiondesk.domain import PreparedImage
from visiondesk.render import markdown_to_html
from visiondesk.store.history import History
from visiondesk.store.messages import StoredMessage

_STATUS = {
    "failed": "failed",
    "cancelled": "stopped — partial answer",
    "interrupted": "interrupted — partial answer",
}


def to_markdown(history: History, conversation_id: int, folder: Path) -> Path:
    """`folder/<title>.md` plus `folder/images/…` for every image that was sent."""
    conversation = history.conversation(conversation_id)
    if conversation is None:
        raise ValueError(f"no conversation {conversation_id}")
    images_dir = folder / "images"
    lines = [f"# {conversation.title}", "", f"*{conversation.model} · {conversation.mode}*", ""]
    for message in history.messages(conversation_id):
        if message.role == "user":
            lines += ["## You", "", message.text, ""]
            for image in message.images:
                name = _write_image(image, images_dir)
                lines += [f"![{image.label}](images/{name})", ""]
            for problem in _problems(message):
                lines += [f"> {problem}", ""]
        else:
            status = _STATUS.get(message.status)
            lines += ["## Assistant" + (f" ({status})" if status else ""), "", message.text, ""]
            if message.error:
                lines += [f"> {message.error}", ""]
            if message.damaged and message.damaged != message.error:
                lines += [f"> {message.damaged}", ""]
    path = folder / f"{_safe(conversation.title)}.md"
    return write_private(path, "\n".join(lines))


def to_html(history: History, conversation_id: int, path: Path) -> Path:
    """One file, images inlined as data URLs, answers rendered from Markdown."""
    conversation = history.conversation(conversation_id)
    if conversation is None:
        raise ValueError(f"no conversation {conversation_id}")
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(conversation.title)}</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.45}"
        "img{max-width:22em;margin:.3em}.who{color:#5f6368;font-weight:bold}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
        "</style></head><body>",
        f"<h1>{html.escape(conversation.title)}</h1>",
    ]
    for message in history.messages(conversation_id):
        if message.role == "user":
            parts.append("<p class='who'>You</p>")
            parts.append("<p>" + html.escape(message.text).replace("\n", "<br>") + "</p>")
            for image in message.images:
                source = image.url if image.url is not None else image.data_url()
                parts.append(f"<img src='{source}' alt='{html.escape(image.label)}'>")
            parts += [f"<p><em>{html.escape(p)}</em></p>" for p in _problems(message)]
        else:
            status = _STATUS.get(message.status)
            parts.append("<p class='who'>Assistant" + (f" ({status})" if status else "") + "</p>")
            parts.append(markdown_to_html(message.text))
            if message.error:
                parts.append(f"<p><em>{html.escape(message.error)}</em></p>")
            if message.damaged and message.damaged != message.error:
                parts.append(f"<p><em>{html.escape(message.damaged)}</em></p>")
    parts.append("</body></html>")
    return write_private(path, "\n".join(parts))


def _write_image(image: PreparedImage, folder: Path) -> str:
    private_folder(folder)
    name = image.filename
    if image.data and not (folder / name).exists():
        write_private(folder / name, image.data)
    return name


def _problems(message: StoredMessage) -> list[str]:
    """What could not be read of a question: shown where its images would be."""
    problems = [
        f"Image {m.position + 1}{f' ({m.label})' if m.label else ''} could not be read: {m.problem}"
        if m.position >= 0
        else f"Images could not be read: {m.problem}"
        for m in message.missing
    ]
    return problems + ([message.damaged] if message.damaged else [])


def _safe(title: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in " -_" else "_" for c in title).strip()
    return cleaned[:60] or "conversation"
