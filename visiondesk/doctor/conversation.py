""" "Open in VisionDesk": the question and images of a checked request, as a plain value the
window turns into a new conversation in the right mode."""

from __future__ import annotations

from dataclasses import dataclass

from visiondesk.doctor.report import Report
from visiondesk.domain import ApiMode, Detail
from visiondesk.rules import PartKind, Source


@dataclass(frozen=True, slots=True)
class DoctorConversation:
    prompt: str
    images: tuple[bytes | str, ...]
    """Each image as its original bytes or an https URL (VisionDesk prepares them itself)."""
    mode: ApiMode
    model: str
    detail: Detail


def conversation_of(report: Report) -> DoctorConversation:
    """The last question asked with its images; unreadable images and file ids are left out."""
    texts: dict[str, list[str]] = {}
    for path, reading in report.checked.parts.items():
        if reading.kind in (PartKind.TEXT, PartKind.FOREIGN_TEXT) and reading.text:
            texts.setdefault(_message_of(path), []).append(reading.text)
    images: list[bytes | str] = []
    detail = Detail.AUTO
    for checked in report.checked.images:
        ref = checked.ref
        if ref.source is Source.URL and ref.url and ref.url.startswith("https://"):
            images.append(ref.url)
        elif ref.data is not None and checked.prepared is not None:
            images.append(ref.data)
        else:
            continue
        detail = Detail(ref.detail)
    prompt = " ".join(texts[max(texts, key=_order)]) if texts else _string_prompt(report)
    return DoctorConversation(prompt, tuple(images), report.endpoint.mode, report.model, detail)


def _message_of(path: str) -> str:
    return path.rsplit(".content[", 1)[0]


def _order(message: str) -> tuple[int, ...]:
    return tuple(int(n) for n in "".join(c if c.isdigit() else " " for c in message).split())


def _string_prompt(report: Report) -> str:
    """Bodies whose question is a plain string (Responses' `input`, string content)."""
    value = report.body.get("input")
    if isinstance(value, str):
        return value
    messages = report.body.get("messages") or report.body.get("input") or [report.body]
    for message in reversed(messages if isinstance(messages, list) else []):
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            return str(message["content"])
    return ""
