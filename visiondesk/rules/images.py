"""Read one image part the way its API mode does, and judge the bytes it carries."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from visiondesk.domain import ApiMode
from visiondesk.imaging.probe import Probe, probe
from visiondesk.rules.catalog import Code, Violation, options_text, violation
from visiondesk.rules.shapes import SHAPES

ACCEPTED_MIMES = ("image/png", "image/jpeg", "image/gif", "image/webp")
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]+")
_WHITESPACE = re.compile(r"\s")


class Source(Enum):
    DATA_URL = "data_url"
    RAW_BASE64 = "raw_base64"
    URL = "url"
    FILE = "file"


@dataclass(slots=True)
class ImageRef:
    """One image of a request as the API would read it, with what is wrong with it."""

    path: str  # the part, e.g. messages[0].content[1]
    source: Source
    url_path: str  # the field holding the URL or file id
    detail_path: str
    detail: str  # a valid detail (the given one, or "auto" when missing or invalid)
    url: str | None = None
    file_id: str | None = None
    data: bytes | None = None
    declared_mime: str | None = None
    probe: Probe | None = None
    problems: list[Violation] = field(default_factory=list)

    @property
    def errors(self) -> list[Violation]:
        return [p for p in self.problems if p.is_error]


def read_image_part(mode: ApiMode, part: dict[str, Any], path: str) -> ImageRef:
    """The image of an image part read as `mode` reads it; raises NoImage when the part names
    no image at all (then that is the only thing to say about it)."""
    kind = part.get("type")
    if mode is ApiMode.RESPONSES:
        return _responses_part(part, path)
    if kind == "image_file":
        value = part.get("image_file")
        file_id = value.get("file_id") if isinstance(value, dict) else None
        if not isinstance(file_id, str) or not file_id:
            raise NoImage(violation(Code.IMAGE_SOURCE, f"{path}.image_file", mode))
        ref = ImageRef(
            path, Source.FILE, f"{path}.image_file.file_id", f"{path}.image_file.detail", "auto"
        )
        ref.file_id = file_id
        _detail(ref, mode, value.get("detail") if isinstance(value, dict) else None)
        return ref
    value = part.get("image_url")
    problems: list[Violation] = []
    if isinstance(value, str):
        problems.append(violation(Code.IMAGE_URL_NOT_OBJECT, f"{path}.image_url", mode))
        url, detail, url_path = value, part.get("detail"), f"{path}.image_url"
    elif isinstance(value, dict) and isinstance(value.get("url"), str):
        url, detail, url_path = value["url"], value.get("detail"), f"{path}.image_url.url"
    else:
        raise NoImage(violation(Code.INVALID_IMAGE_URL, f"{path}.image_url", mode, url=""))
    ref = ImageRef(path, Source.URL, url_path, f"{path}.image_url.detail", "auto", url=url)
    ref.problems += problems
    _detail(ref, mode, detail)
    _read_url(ref, mode)
    return ref


class NoImage(Exception):
    """An image part that names no image at all."""

    def __init__(self, problem: Violation) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _responses_part(part: dict[str, Any], path: str) -> ImageRef:
    mode = ApiMode.RESPONSES
    url, file_id = part.get("image_url"), part.get("file_id")
    if (url is None) == (file_id is None):
        raise NoImage(violation(Code.IMAGE_SOURCE, path, mode))
    if file_id is not None:
        ref = ImageRef(path, Source.FILE, f"{path}.file_id", f"{path}.detail", "auto")
        ref.file_id = str(file_id)
        _detail(ref, mode, part.get("detail"))
        return ref
    ref = ImageRef(path, Source.URL, f"{path}.image_url", f"{path}.detail", "auto")
    detail = part.get("detail")
    if isinstance(url, dict) and isinstance(url.get("url"), str):
        ref.problems.append(violation(Code.IMAGE_URL_NOT_STRING, f"{path}.image_url", mode))
        detail = detail if detail is not None else url.get("detail")
        url = url["url"]
    if not isinstance(url, str):
        raise NoImage(violation(Code.INVALID_IMAGE_URL, f"{path}.image_url", mode, url=""))
    ref.url = url
    _detail(ref, mode, detail)
    _read_url(ref, mode)
    return ref


def _detail(ref: ImageRef, mode: ApiMode, value: Any) -> None:
    allowed = SHAPES[mode].details
    if value is None:
        return
    if value in allowed:
        ref.detail = str(value)
        return
    fixed = "high" if value == "original" else "auto"
    ref.problems.append(
        violation(
            Code.BAD_DETAIL,
            ref.detail_path,
            mode,
            value=value,
            options=options_text(allowed),
            fixed=fixed,
        )
    )
    ref.detail = fixed


def _read_url(ref: ImageRef, mode: ApiMode) -> None:
    url = ref.url or ""
    if url.startswith("data:"):
        ref.source = Source.DATA_URL
        if mode is ApiMode.ASSISTANTS:
            ref.problems.append(violation(Code.ASSISTANTS_DATA_URL, ref.url_path, mode))
        header, _, payload = url.partition(",")
        if ";base64" not in header:
            ref.problems.append(violation(Code.INVALID_BASE64, ref.url_path, mode))
            return
        ref.declared_mime = header[5:].split(";")[0].strip().lower() or None
        _decode(ref, mode, payload)
    elif url.lower().startswith("https://"):
        ref.source = Source.URL
    elif _looks_like_base64(url):
        ref.source = Source.RAW_BASE64
        if not _decode(ref, mode, url, report=False):
            ref.problems.append(
                violation(Code.INVALID_IMAGE_URL, ref.url_path, mode, url=_short(url))
            )
            return
        mime = ref.probe.mime if ref.probe is not None else None
        ref.problems.insert(
            0,
            violation(Code.RAW_BASE64_NOT_URL, ref.url_path, mode, mime=mime or "image/png"),
        )
    else:
        ref.problems.append(violation(Code.INVALID_IMAGE_URL, ref.url_path, mode, url=_short(url)))


def _looks_like_base64(text: str) -> bool:
    return len(text) >= 16 and _BASE64.fullmatch(text) is not None


def _decode(ref: ImageRef, mode: ApiMode, payload: str, *, report: bool = True) -> bool:
    """Decode the base64 and judge the bytes; False when it is not base64 at all."""
    spaces = len(_WHITESPACE.findall(payload))
    clean = _WHITESPACE.sub("", payload)
    try:
        data = base64.b64decode(clean, validate=True)
    except (binascii.Error, ValueError):
        if report:
            ref.problems.append(violation(Code.INVALID_BASE64, ref.url_path, mode))
        return False
    if not report and not data:
        return False
    if spaces:
        ref.problems.append(violation(Code.BASE64_WHITESPACE, ref.url_path, mode, count=spaces))
    ref.data = data
    found = judge_bytes(data, ref.declared_mime, ref.url_path, mode)
    ref.probe = found.probe
    ref.problems += found.problems
    return True


@dataclass(frozen=True, slots=True)
class Judged:
    probe: Probe | None
    problems: list[Violation]


def judge_bytes(data: bytes, declared: str | None, path: str, mode: ApiMode) -> Judged:
    """What the API says about these bytes: empty, not an image, a format it refuses, …"""
    if not data:
        return Judged(None, [violation(Code.EMPTY_IMAGE, path, mode)])
    found = probe(data)
    problems: list[Violation] = []
    if found.mime is None:
        problems.append(violation(Code.NOT_AN_IMAGE, path, mode, kind=found.kind))
    elif found.mime not in ACCEPTED_MIMES:
        problems.append(violation(Code.UNSUPPORTED_FORMAT, path, mode, kind=found.kind))
    elif not found.decodes:
        problems.append(
            violation(Code.NOT_AN_IMAGE, path, mode, kind=f"a damaged or truncated {found.kind}")
        )
    elif found.mime == "image/gif" and found.frames > 1:
        problems.append(violation(Code.ANIMATED_GIF, path, mode, frames=found.frames))
    label = _ALIASES.get(declared or "", declared)
    if found.mime is not None and label is not None and label != found.mime:
        problems.append(
            violation(
                Code.MIME_MISMATCH, path, mode, declared=declared, kind=found.kind, mime=found.mime
            )
        )
    return Judged(found, problems)


def _short(url: str) -> str:
    return url if len(url) <= 60 else url[:57] + "…"
