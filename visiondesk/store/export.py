"""Export a conversation: Markdown with the images beside it, or one self-contained HTML file.

A damaged conversation exports what can be read, each unreadable image or message named. The
files are written readable by the person only (0600), like everything VisionDesk keeps.

Exports are inert: everything in them came from a person, a file, a URL or a server, so each
value is escaped for where it goes; the HTML page forbids scripts and remote loads (its CSP)
and draws only its own embedded pixels; an image known only by its URL, or named in an answer,
is a link the reader may follow, never something the file loads when opened."""

from __future__ import annotations

import html
from pathlib import Path

from visiondesk.config.paths import private_folder, write_private
from visiondesk.domain import PreparedImage, file_name
from visiondesk.escaping import (
    attribute,
    inert_markdown,
    markdown_destination,
    markdown_label,
    web_link,
)
from visiondesk.render import markdown_to_html
from visiondesk.store.history import History, StoredConversation
from visiondesk.store.messages import StoredMessage

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'"
)
"""No script, no frame, no font or image from anywhere but the page itself."""

_STATUS = {
    "failed": "failed",
    "cancelled": "stopped — partial answer",
    "interrupted": "interrupted — partial answer",
}


def to_markdown(
    history: History, conversation_id: int, folder: Path, name: str | None = None
) -> Path:
    """`folder/<title>.md` (or `folder/name`) plus `folder/images/…` for every image sent."""
    conversation = history.conversation(conversation_id)
    if conversation is None:
        raise ValueError(f"no conversation {conversation_id}")
    images_dir = folder / "images"
    if conversation.compare_of is not None and len(_columns(history, conversation)) > 1:
        lines = _compare_markdown(history, conversation, images_dir)
        path = folder / (name or f"{_safe(conversation.title)}.md")
        return write_private(path, "\n".join(lines))
    title = markdown_label(conversation.title)
    lines = [f"# {title}", "", f"*{markdown_label(f'{conversation.model} · {conversation.mode}')}*"]
    lines.append("")
    for message in _shown(history, conversation_id):
        if message.role == "user":
            lines += ["## You", "", inert_markdown(message.text), ""]
            for image in message.images:
                lines += [_markdown_image(image, images_dir), ""]
            for problem in _problems(message):
                lines += [f"> {_quoted(problem)}", ""]
        else:
            status = _STATUS.get(message.status)
            lines += ["## Assistant" + (f" ({status})" if status else ""), ""]
            lines += [inert_markdown(message.text), ""]
            if message.error:
                lines += [f"> {_quoted(message.error)}", ""]
            if message.damaged and message.damaged != message.error:
                lines += [f"> {_quoted(message.damaged)}", ""]
    path = folder / (name or f"{_safe(conversation.title)}.md")
    return write_private(path, "\n".join(lines))


def to_html(history: History, conversation_id: int, path: Path) -> Path:
    """One file, images inlined as data URLs, answers rendered from Markdown."""
    conversation = history.conversation(conversation_id)
    if conversation is None:
        raise ValueError(f"no conversation {conversation_id}")
    parts = [
        '<!doctype html><html><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{html.escape(conversation.title)}</title>",
        "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.45}"
        "img{max-width:22em;margin:.3em}.who{color:#5f6368;font-weight:bold}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}"
        "</style></head><body>",
        f"<h1>{html.escape(conversation.title)}</h1>",
    ]
    if conversation.compare_of is not None and len(_columns(history, conversation)) > 1:
        parts += _compare_html(history, conversation)
        parts.append("</body></html>")
        return write_private(path, "\n".join(parts))
    for message in _shown(history, conversation_id):
        if message.role == "user":
            parts.append("<p class='who'>You</p>")
            parts.append("<p>" + html.escape(message.text).replace("\n", "<br>") + "</p>")
            parts += [_html_image(image) for image in message.images]
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


# Compares: the questions once, each column's answers side by side under what it was --------


def _columns(history: History, conversation: StoredConversation) -> list[StoredConversation]:
    return history.compare_columns(conversation.compare_of or conversation.id)


def _exchanges(
    history: History, column: StoredConversation
) -> list[tuple[StoredMessage, StoredMessage | None]]:
    """A column's questions, each with its answer (None: none was saved)."""
    pairs: list[tuple[StoredMessage, StoredMessage | None]] = []
    for message in _shown(history, column.id):
        if message.role == "user":
            pairs.append((message, None))
        elif pairs and pairs[-1][1] is None:
            pairs[-1] = (pairs[-1][0], message)
    return pairs


def _column_name(column: StoredConversation) -> str:
    return f"{column.model} · {column.mode} · {column.detail} detail · {column.profile}"


def _seen(question: StoredMessage) -> str:
    """What a column's model was sent, by file name (a label may be a whole local path)."""
    return "; ".join(
        f"{file_name(image.label)} {image.width}×{image.height}, {image.tokens} tokens"
        if image.url is None
        else f"{file_name(image.label)} as its URL"
        for image in question.images
    )


def _compare_html(history: History, conversation: StoredConversation) -> list[str]:
    columns = _columns(history, conversation)
    exchanges = [_exchanges(history, column) for column in columns]
    count = len(columns)
    parts = [
        "<style>body{max-width:none;margin:2em}"
        f".turn{{display:grid;grid-template-columns:repeat({count},minmax(0,1fr));gap:1em}}"
        ".column{border:1px solid #ccc;border-radius:6px;padding:.5em 1em;overflow-wrap:anywhere}"
        ".seen{color:#5f6368;font-size:90%}</style>",
        "<p class='who'>Compared: "
        + html.escape(", ".join(_column_name(column) for column in columns))
        + "</p>",
    ]
    for turn in range(max(len(pairs) for pairs in exchanges)):
        asked = next((pairs[turn][0] for pairs in exchanges if turn < len(pairs)), None)
        if asked is None:
            continue
        parts.append("<p class='who'>You</p>")
        parts.append("<p>" + html.escape(asked.text).replace("\n", "<br>") + "</p>")
        parts += [_html_image(image) for image in asked.images]
        parts += [f"<p><em>{html.escape(p)}</em></p>" for p in _problems(asked)]
        parts.append("<div class='turn'>")
        for column, pairs in zip(columns, exchanges, strict=True):
            parts.append("<div class='column'>")
            parts.append(f"<p class='who'>{html.escape(_column_name(column))}</p>")
            if turn < len(pairs):
                question, answer = pairs[turn]
                if seen := _seen(question):
                    parts.append(f"<p class='seen'>Saw: {html.escape(seen)}</p>")
                if answer is not None:
                    status = _STATUS.get(answer.status)
                    if status:
                        parts.append(f"<p class='seen'>{html.escape(status)}</p>")
                    parts.append(markdown_to_html(answer.text))
                    if answer.error:
                        parts.append(f"<p><em>{html.escape(answer.error)}</em></p>")
            parts.append("</div>")
        parts.append("</div>")
    return parts


def _compare_markdown(
    history: History, conversation: StoredConversation, images_dir: Path
) -> list[str]:
    columns = _columns(history, conversation)
    exchanges = [_exchanges(history, column) for column in columns]
    lines = [f"# {markdown_label(conversation.title)}", "", "*Compare*", ""]
    for turn in range(max(len(pairs) for pairs in exchanges)):
        asked = next((pairs[turn][0] for pairs in exchanges if turn < len(pairs)), None)
        if asked is None:
            continue
        lines += ["## You", "", inert_markdown(asked.text), ""]
        lines += [
            line for image in asked.images for line in (_markdown_image(image, images_dir), "")
        ]
        lines += [line for problem in _problems(asked) for line in (f"> {_quoted(problem)}", "")]
        for column, pairs in zip(columns, exchanges, strict=True):
            if turn >= len(pairs):
                continue
            question, answer = pairs[turn]
            lines += [f"### {markdown_label(_column_name(column))}", ""]
            if seen := _seen(question):
                lines += [f"*Saw: {markdown_label(seen)}*", ""]
            if answer is not None:
                lines += [inert_markdown(answer.text), ""]
                if answer.error:
                    lines += [f"> {_quoted(answer.error)}", ""]
    return lines


def _shown(history: History, conversation_id: int) -> list[StoredMessage]:
    """The version of each exchange the conversation shows (as the window has it)."""
    return [message for message in history.messages(conversation_id) if message.shown]


def _quoted(text: str) -> str:
    """A note (an error, what could not be read) as one inert line of a block quote."""
    return inert_markdown(" ".join(text.split()))


def _html_image(image: PreparedImage) -> str:
    """The image's own pixels, embedded; one known only by its URL as a link."""
    label = html.escape(image.label)
    if image.url is None:
        return f'<img src="{attribute(image.data_url())}" alt="{attribute(image.label)}">'
    link = web_link(image.url)
    if link is None:
        return f"<p>[image: {label}]</p>"
    return f'<p><a href="{attribute(link)}" rel="noreferrer">[image: {label}]</a></p>'


def _markdown_image(image: PreparedImage, folder: Path) -> str:
    """`![label](images/file)` for the pixels written beside the file; a link for a URL."""
    label = markdown_label(image.label) or "image"
    if image.url is not None:
        link = web_link(image.url)
        return f"[image: {label}]({markdown_destination(link)})" if link else f"[image: {label}]"
    private_folder(folder)
    name = image.filename
    if image.data and not (folder / name).exists():
        write_private(folder / name, image.data)
    return f"![{label}](images/{name})"  # a name of hex digits and an extension


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
