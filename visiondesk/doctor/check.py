"""Check a request body against the rules of its endpoint, image by image."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from visiondesk import rules
from visiondesk.doctor.endpoints import Endpoint, join, messages, tool_outputs
from visiondesk.domain import Detail, PreparedImage, human_bytes
from visiondesk.errors import ImageError
from visiondesk.imaging import max_tokens, policy_for, prepare_bytes, sizing
from visiondesk.imaging.models import rule_for
from visiondesk.rules import Code, Source, Violation

OVERSIZE_FACTOR = 2
"""An image is worth shrinking when it has at least this many times the pixels the model
looks at: below that the upload saved is small."""


@dataclass(slots=True)
class CheckedImage:
    """One image of the request and what preparing it would give."""

    ref: rules.ImageRef
    tokens: int | None
    prepared: PreparedImage | None = None
    needs_preparing: bool = False

    def record(self) -> dict[str, Any]:
        probe = self.ref.probe
        return {
            "path": self.ref.url_path,
            "source": self.ref.source.value,
            "mime": probe.mime if probe is not None else None,
            "width": probe.width if probe is not None else None,
            "height": probe.height if probe is not None else None,
            "bytes": len(self.ref.data) if self.ref.data is not None else None,
            "tokens": self.tokens,
            "tokens_if_prepared": self.prepared.tokens if self.prepared is not None else None,
        }


@dataclass(slots=True)
class Checked:
    endpoint: Endpoint
    model: str
    problems: list[Violation] = field(default_factory=list)
    images: list[CheckedImage] = field(default_factory=list)
    parts: dict[str, rules.PartReading] = field(default_factory=dict)

    @property
    def errors(self) -> list[Violation]:
        return [p for p in self.problems if p.is_error]


def check(
    body: dict[str, Any],
    endpoint: Endpoint,
    model: str | None = None,
    limits: rules.Limits = rules.DEFAULT_LIMITS,
) -> Checked:
    """Every problem of `body` for `endpoint`, in the order the API would meet them."""
    mode = endpoint.mode
    chosen = model or _model(body) or "gpt-4o"
    checked = Checked(endpoint, chosen)
    checked.problems += _missing(body, endpoint)
    lists = [
        (join(prefix, "content"), message.get("role"), message.get("content"))
        for prefix, message in messages(endpoint, body)
    ]
    # A tool's output may hold images as a user message does: judge them with a user's role.
    lists += [(prefix, "user", output) for prefix, output in tool_outputs(endpoint, body)]
    unread = 0  # images past the API's limit: counted, not decoded (the request is refused)
    for prefix, role, content in lists:
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            if len(checked.images) >= limits.max_images and _is_image(mode, part):
                unread += 1
                continue
            path = f"{prefix}[{j}]"
            reading = rules.read_part(mode, role, part, path)
            if reading.kind is rules.PartKind.OTHER:
                continue  # audio, files, refusals: not an image question
            checked.parts[path] = reading
            checked.problems += reading.problems
            if reading.image is not None:
                checked.images.append(_image(reading.image, mode, chosen, checked.problems))
    size = len(json.dumps(body, separators=(",", ":")).encode())
    checked.problems += rules.check_totals(len(checked.images) + unread, size, mode, limits)
    return checked


def _is_image(mode: Any, part: Any) -> bool:
    kind = rules.part_kind(mode, part.get("type")) if isinstance(part, dict) else None
    return kind in (rules.PartKind.IMAGE, rules.PartKind.FOREIGN_IMAGE)


def _missing(body: dict[str, Any], endpoint: Endpoint) -> list[Violation]:
    """The list of messages the endpoint needs, when the body has none (a body written for
    another endpoint)."""
    field = {Endpoint.CHAT: "messages", Endpoint.RESPONSES: "input"}.get(endpoint)
    if field is None or field in body:
        return []
    other = [key for key in ("messages", "input") if key in body]
    hint = f", not '{other[0]}': this body was written for another endpoint" if other else ""
    name = rules.SHAPES[endpoint.mode].name
    return [
        rules.violation(
            Code.MISSING_PARAMETER, field, endpoint.mode, field=field, endpoint=name, hint=hint
        )
    ]


def _model(body: dict[str, Any]) -> str | None:
    model = body.get("model")
    return model if isinstance(model, str) and model else None


def _image(ref: rules.ImageRef, mode: Any, model: str, problems: list[Violation]) -> CheckedImage:
    problems += ref.problems
    rule = rule_for(model)[0]
    detail = Detail(ref.detail)
    policy = policy_for(mode, model, detail)
    probe = ref.probe
    if ref.source is Source.URL:
        return CheckedImage(ref, max_tokens(policy))
    if ref.data is None or probe is None or probe.width is None or probe.height is None:
        return CheckedImage(ref, None)
    if not probe.decodes:
        return CheckedImage(ref, None)
    plan = sizing.plan(rule, detail, probe.width, probe.height)
    checked = CheckedImage(ref, plan.tokens)
    try:
        checked.prepared = prepare_bytes(ref.data, policy, ref.url_path)
    except ImageError:
        return checked
    codes = {p.code for p in ref.problems}
    big = probe.width * probe.height >= OVERSIZE_FACTOR * plan.width * plan.height
    if big and len(checked.prepared.data) < len(ref.data):
        saved = len(ref.data) - len(checked.prepared.data)
        problems.append(
            rules.violation(
                Code.OVERSIZED,
                ref.url_path,
                mode,
                width=probe.width,
                height=probe.height,
                size=human_bytes(len(ref.data)),
                model=model,
                detail=detail.value,
                sent_width=plan.width,
                sent_height=plan.height,
                prepared_size=human_bytes(len(checked.prepared.data)),
                saved=human_bytes(saved),
                tokens_note=_tokens_note(plan.tokens, checked.prepared.tokens),
            )
        )
        codes.add(Code.OVERSIZED)
    checked.needs_preparing = bool(
        codes & {Code.OVERSIZED, Code.UNSUPPORTED_FORMAT, Code.ANIMATED_GIF}
    )
    return checked


def _tokens_note(tokens: int, prepared: int) -> str:
    if prepared < tokens:
        return f", and {prepared} tokens instead of {tokens}"
    return f"; the tokens stay {tokens} (the server bills the shrunk size)"
