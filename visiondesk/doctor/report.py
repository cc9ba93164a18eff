"""The doctor's answer for one request: problems, images, the fixed request; as JSON or text."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visiondesk.doctor import endpoints, inputs
from visiondesk.doctor.check import Checked, check
from visiondesk.doctor.endpoints import Endpoint
from visiondesk.doctor.fix import Fixed, fix
from visiondesk.doctor.inputs import LocalFile
from visiondesk.domain import PreparedImage
from visiondesk.rules import DEFAULT_LIMITS, Limits, Violation

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2


@dataclass(slots=True)
class Report:
    endpoint: Endpoint
    model: str
    body: dict[str, Any]
    text: str  # the request as pasted (JSON), which problem paths point into
    checked: Checked
    fixed: dict[str, Any] | None
    uploads: dict[str, PreparedImage] = field(default_factory=dict)
    local_files: tuple[LocalFile, ...] = ()
    """The files on this computer a pasted curl command's `@file` made the doctor read."""

    @property
    def problems(self) -> list[Violation]:
        return self.checked.problems

    @property
    def exit_code(self) -> int:
        return EXIT_ERRORS if self.checked.errors else EXIT_OK

    def as_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint.value,
            "model": self.model,
            "problems": [
                {
                    "code": p.code.value,
                    "severity": p.severity.value,
                    "path": p.path,
                    "message": p.message,
                    "fix": p.fix,
                }
                for p in self.problems
            ],
            "images": [image.record() for image in self.checked.images],
            "fixed": self.fixed,
            "local_files": [str(file.path) for file in self.local_files],
        }

    def as_text(self) -> str:
        lines = [f"{self.endpoint.value} · model {self.model}"]
        lines += [f"Read the local file {f.path} ({f.size} bytes)." for f in self.local_files]
        if not self.problems:
            lines.append("No problems found.")
        for p in self.problems:
            lines.append(f"\n{p.severity.value.upper()} {p.code.value} at {p.path or '(request)'}")
            lines.append(f"  API says: {p.message}")
            lines.append(f"  Fix: {p.fix}")
        if self.checked.images:
            lines.append("\nImages:")
        for image in self.checked.images:
            r = image.record()
            size = f"{r['width']}×{r['height']}" if r["width"] else "size unknown"
            then = r["tokens_if_prepared"]
            lines.append(
                f"  {r['path']}: {r['mime'] or r['source']}, {size}, "
                f"{r['bytes'] if r['bytes'] is not None else '-'} bytes, "
                f"{r['tokens'] if r['tokens'] is not None else '?'} tokens"
                + (f" ({then} if prepared)" if then is not None else "")
            )
        if self.fixed is not None:
            lines.append("\nFixed request (--json prints it in full):")
            lines.append(json.dumps(_elided(self.fixed), indent=2, ensure_ascii=False))
        return "\n".join(lines) + "\n"


def diagnose(
    text: str,
    endpoint: str | None = None,
    model: str | None = None,
    *,
    base: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Report:
    """Check pasted text (JSON, envelope or curl). Raises UnusableInput / UnknownEndpoint."""
    pasted = inputs.read(text, base)
    given = endpoint or pasted.endpoint
    target = endpoints.from_path(given) if given else endpoints.from_body(pasted.body)
    checked = check(pasted.body, target, model, limits)
    fixed: Fixed = fix(pasted.body, checked)
    return Report(
        target,
        checked.model,
        pasted.body,
        pasted.text,
        checked,
        fixed.body,
        fixed.uploads,
        pasted.local_files,
    )


def _elided(value: Any) -> Any:
    """Data URLs shortened, for reading in a terminal."""
    if isinstance(value, dict):
        return {key: _elided(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_elided(item) for item in value]
    if isinstance(value, str) and value.startswith("data:") and len(value) > 80:
        return f"{value[:40]}…({len(value)} characters)"
    return value
