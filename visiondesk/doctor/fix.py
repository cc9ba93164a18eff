"""The same request with every fixable problem fixed: parts reshaped for the endpoint, images
relabelled, cleaned or prepared, moved into user messages; Assistants images to upload."""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import Any

from visiondesk.api import image_parts
from visiondesk.doctor.check import Checked, CheckedImage
from visiondesk.doctor.endpoints import Endpoint, join, message_list, tool_outputs
from visiondesk.domain import ApiMode, Detail, PreparedImage
from visiondesk.errors import ImageError
from visiondesk.imaging import policy_for, prepare
from visiondesk.rules import Code, PartKind, PartReading, Source

PLACEHOLDER = "file-UPLOAD-{}"


@dataclass(slots=True)
class Fixed:
    body: dict[str, Any] | None
    uploads: dict[str, PreparedImage] = field(default_factory=dict)
    """Placeholder file id → the image to upload with purpose 'vision' (Assistants)."""


def fix(body: dict[str, Any], checked: Checked) -> Fixed:
    new = copy.deepcopy(body)
    fixer = _Fixer(checked)
    if checked.endpoint is Endpoint.THREAD_MESSAGES:
        fixer.message("", new)
    else:
        listed = message_list(checked.endpoint, new)
        if listed is not None:
            prefix = "input" if checked.endpoint is Endpoint.RESPONSES else "messages"
            if checked.endpoint is Endpoint.THREAD_AND_RUN:
                prefix = "thread.messages"
            fixer.messages(prefix, listed)
    for prefix, output in tool_outputs(checked.endpoint, new):
        fixer.parts(prefix, output)
    return Fixed(new if new != body else None, fixer.uploads)


class _Fixer:
    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self.mode = checked.endpoint.mode
        self.images = {image.ref.path: image for image in checked.images}
        self.uploads: dict[str, PreparedImage] = {}
        self.prepare_all = any(p.code is Code.PAYLOAD_TOO_LARGE for p in checked.problems)

    def messages(self, prefix: str, listed: list[Any]) -> None:
        carry: list[dict[str, Any]] = []
        kept: list[Any] = []
        for i, message in enumerate(listed):
            if not isinstance(message, dict) or "content" not in message:
                kept.append(message)
                continue
            moved = self.message(f"{prefix}[{i}]", message)
            if message.get("role") == "user" and carry:
                message["content"] = carry + _as_parts(self.mode, message["content"])
                carry = []
            carry += moved
            if message.get("content") != []:
                kept.append(message)
        if carry:
            kept.append({"role": "user", "content": carry})
        listed[:] = kept

    def parts(self, prefix: str, output: list[Any]) -> None:
        """Fix a tool output's parts in place (images stay there: a tool may return them)."""
        for j, part in enumerate(output):
            reading = self.checked.parts.get(f"{prefix}[{j}]")
            if reading is None or reading.kind is PartKind.TEXT:
                continue
            if reading.kind is PartKind.FOREIGN_TEXT:
                output[j] = _text_part(self.mode, reading.text or "")
            else:
                output[j] = self.image_part(reading, part)

    def message(self, prefix: str, message: dict[str, Any]) -> list[dict[str, Any]]:
        """Fix the parts of one message in place; returns image parts to move to a user one."""
        content = message.get("content")
        if not isinstance(content, list):
            return []
        user = message.get("role") == "user" or prefix == ""
        parts: list[Any] = []
        moved: list[dict[str, Any]] = []
        for j, part in enumerate(content):
            reading = self.checked.parts.get(join(prefix, f"content[{j}]"))
            if reading is None or reading.kind is PartKind.TEXT:
                parts.append(part)
            elif reading.kind is PartKind.FOREIGN_TEXT:
                parts.append(_text_part(self.mode, reading.text or ""))
            elif user:
                parts.append(self.image_part(reading, part))
            else:
                moved.append(self.image_part(reading, part))
        message["content"] = parts
        return moved

    def image_part(self, reading: PartReading, original: dict[str, Any]) -> dict[str, Any]:
        ref = reading.image
        if ref is None:
            return original
        checked = self.images[ref.path]
        if not (reading.problems or ref.problems or checked.needs_preparing or self.prepare_all):
            return original
        detail = Detail(ref.detail)
        if ref.source is Source.FILE:
            return _file_part(self.mode, str(ref.file_id), detail) or original
        if ref.source is Source.URL:
            try:
                image = prepare(str(ref.url), policy_for(self.mode, self.checked.model, detail))
            except ImageError:
                return original
        else:
            found = self.inline(checked)
            if found is None:
                return original
            image = found
        if self.mode is ApiMode.CHAT:
            return image_parts.chat(image)
        if self.mode is ApiMode.RESPONSES:
            return image_parts.responses(image)
        file_id = None
        if image.url is None:
            file_id = PLACEHOLDER.format(len(self.uploads) + 1)
            self.uploads[file_id] = image
        return image_parts.assistants(image, file_id)

    def inline(self, checked: CheckedImage) -> PreparedImage | None:
        """The bytes to send: prepared for the model, or the same bytes labelled truthfully."""
        if checked.prepared is None:
            return None  # not an image VisionDesk can read: nothing to fix it with
        if checked.needs_preparing or self.prepare_all:
            return checked.prepared
        ref, probe = checked.ref, checked.ref.probe
        assert ref.data is not None and probe is not None and probe.mime is not None
        return PreparedImage(
            label=ref.url_path,
            sha256=hashlib.sha256(ref.data).hexdigest(),
            original_width=probe.width,
            original_height=probe.height,
            original_format=probe.kind,
            width=probe.width,
            height=probe.height,
            mime=probe.mime,
            data=ref.data,
            detail=Detail(ref.detail),
            tokens=checked.tokens or 0,
        )


def _file_part(mode: ApiMode, file_id: str, detail: Detail) -> dict[str, Any] | None:
    if mode is ApiMode.RESPONSES:
        return {"type": "input_image", "file_id": file_id, "detail": detail.value}
    if mode is ApiMode.ASSISTANTS:
        value = Detail.HIGH if detail is Detail.ORIGINAL else detail
        return {"type": "image_file", "image_file": {"file_id": file_id, "detail": value.value}}
    return None  # Chat Completions cannot refer to an uploaded file


def _text_part(mode: ApiMode, text: str) -> dict[str, Any]:
    return {"type": "input_text" if mode is ApiMode.RESPONSES else "text", "text": text}


def _as_parts(mode: ApiMode, content: Any) -> list[Any]:
    if isinstance(content, list):
        return content
    return [_text_part(mode, str(content))] if content else []
