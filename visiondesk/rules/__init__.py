"""The image rules of each endpoint — what the API accepts and the error it answers — shared
by the emulator (which enforces them) and the doctor (which explains and fixes them)."""

from visiondesk.rules.catalog import RULES, Code, Rule, Severity, Violation, violation
from visiondesk.rules.images import (
    ACCEPTED_MIMES,
    ImageRef,
    NoImage,
    Source,
    judge_bytes,
    read_image_part,
)
from visiondesk.rules.limits import DEFAULT_LIMITS, Limits, check_totals
from visiondesk.rules.parts import PartReading, read_part
from visiondesk.rules.shapes import SHAPES, PartKind, Shape, part_kind

__all__ = [
    "ACCEPTED_MIMES",
    "DEFAULT_LIMITS",
    "RULES",
    "SHAPES",
    "Code",
    "ImageRef",
    "Limits",
    "NoImage",
    "PartKind",
    "PartReading",
    "Rule",
    "Severity",
    "Shape",
    "Source",
    "Violation",
    "check_totals",
    "judge_bytes",
    "part_kind",
    "read_image_part",
    "read_part",
    "violation",
]
