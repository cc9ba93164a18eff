"""How each mode carries one prepared image inside a message, and nothing of the SDK: the
doctor writes its fixed requests with these without loading the clients (the SDK, ~0.6 s of
`visiondesk doctor`)."""

from __future__ import annotations

from typing import Any

from visiondesk.domain import Detail, PreparedImage


def chat(image: PreparedImage) -> dict[str, Any]:
    return {
        "type": "image_url",
        "image_url": {"url": image.image_url(), "detail": image.detail.value},
    }


def responses(image: PreparedImage, file_id: str | None = None) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "input_image", "detail": image.detail.value}
    if file_id is not None:
        part["file_id"] = file_id
    else:
        part["image_url"] = image.image_url()
    return part


def assistants_detail(detail: Detail) -> str:
    """Assistants knows auto/low/high only: `original` becomes `high`."""
    return Detail.HIGH.value if detail is Detail.ORIGINAL else detail.value


def assistants(image: PreparedImage, file_id: str | None) -> dict[str, Any]:
    detail = assistants_detail(image.detail)
    if image.url is not None:
        return {"type": "image_url", "image_url": {"url": image.url, "detail": detail}}
    if file_id is None:
        raise ValueError(f"{image.label} has no uploaded file")
    return {"type": "image_file", "image_file": {"file_id": file_id, "detail": detail}}
