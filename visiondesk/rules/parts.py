"""Judge one content part of one message: its type for the mode, its role, its image."""

from __future__ import annotations

from dataclasses import dataclass, field

from visiondesk.domain import ApiMode
from visiondesk.rules.catalog import Code, Violation, options_text, violation
from visiondesk.rules.images import ImageRef, NoImage, Source, read_image_part
from visiondesk.rules.shapes import FOREIGN_OWNER, SHAPES, PartKind, part_kind

_OWNER_MODE = {"image_url": ApiMode.CHAT, "input_image": ApiMode.RESPONSES}


@dataclass(slots=True)
class PartReading:
    kind: PartKind
    text: str | None = None
    image: ImageRef | None = None
    problems: list[Violation] = field(default_factory=list)

    def first_error(self) -> Violation | None:
        every = self.problems + (self.image.problems if self.image is not None else [])
        return next((p for p in every if p.is_error), None)


def read_part(mode: ApiMode, role: object, part: object, path: str) -> PartReading:
    """Everything wrong with `part` (at `path`) in a message of `role`, in API order."""
    shape = SHAPES[mode]
    kind = part.get("type") if isinstance(part, dict) else None
    found = part_kind(mode, kind)
    reading = PartReading(found)
    if not isinstance(part, dict) or found is PartKind.OTHER:
        reading.problems.append(
            violation(
                Code.UNKNOWN_PART_TYPE,
                f"{path}.type",
                mode,
                kind=kind,
                options=options_text(shape.part_types),
            )
        )
        return reading
    if found in (PartKind.FOREIGN_TEXT, PartKind.FOREIGN_IMAGE):
        text_shape = f'{{"type": "{shape.text_types[0]}", "text": "…"}}'
        reading.problems.append(
            violation(
                Code.WRONG_PART_TYPE,
                f"{path}.type",
                mode,
                kind=kind,
                options=options_text(shape.part_types),
                other=FOREIGN_OWNER[str(kind)],
                endpoint=shape.name,
                shape=shape.image_shape if found is PartKind.FOREIGN_IMAGE else text_shape,
            )
        )
    if found in (PartKind.TEXT, PartKind.FOREIGN_TEXT):
        text = part.get("text")
        if isinstance(text, dict):  # Assistants' message objects nest the text
            text = text.get("value")
        reading.text = text if isinstance(text, str) else ""
        return reading
    if role != "user":
        reading.problems.append(violation(Code.IMAGE_NOT_IN_USER_MESSAGE, path, mode, role=role))
    reader = mode if found is PartKind.IMAGE else _OWNER_MODE.get(str(kind), ApiMode.ASSISTANTS)
    try:
        reading.image = read_image_part(reader, part, path)
    except NoImage as missing:
        reading.problems.append(missing.problem)
        return reading
    image = reading.image
    inline = image.source in (Source.DATA_URL, Source.RAW_BASE64)
    if reader is not mode and mode is ApiMode.ASSISTANTS and inline:
        image.problems.insert(0, violation(Code.ASSISTANTS_DATA_URL, image.url_path, mode))
    return reading
