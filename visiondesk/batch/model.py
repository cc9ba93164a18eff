"""The values a batch job is made of and reports: what to ask, and how far it got."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from visiondesk.compare import ColumnSpec
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, BatchEngine, BatchStatus, Detail, JobStatus, human_bytes

DEFAULT_CONCURRENCY = 4
BATCH_MODES = (ApiMode.CHAT, ApiMode.RESPONSES)
"""The modes a batch runs in: the ones whose requests carry their images (Assistants uploads
every image first and keeps a thread per question)."""


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One question over many images."""

    profile: Profile
    prompt: str
    model: str
    mode: ApiMode = ApiMode.CHAT
    detail: Detail = Detail.AUTO
    engine: BatchEngine = BatchEngine.LIVE
    instructions: str | None = None
    schema: dict[str, Any] | None = None
    columns: tuple[ColumnSpec, ...] = ()
    """Compare: each image asked once per column (its own model, mode and detail); the job's
    model, mode and detail are then the first column's."""

    def __post_init__(self) -> None:
        if any(mode not in BATCH_MODES for mode in (self.mode, *(c.mode for c in self.columns))):
            raise ValueError("a batch runs in Chat or Responses mode")
        if not self.prompt.strip():
            raise ValueError("a batch needs a question")


@dataclass(frozen=True, slots=True)
class Refusal:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a job will send, known before it starts (tokens are the pipeline's own)."""

    images: int
    duplicates: int
    refused: tuple[Refusal, ...]
    image_tokens: int
    cost: float | None
    """US$ for the input tokens (output is extra); None when the model's price is unknown."""
    prices_taken: str
    input_files: int
    """JSONL files the Batch API needs (0 for the live engine)."""
    input_bytes: int

    def summary(self) -> str:
        """What the job will send, in one line (and its refusals, five named)."""
        lines = [
            f"{self.images} images found"
            + (f" ({self.duplicates} duplicates, sent once)" if self.duplicates else ""),
            f"{self.image_tokens:,} image tokens",
        ]
        if self.cost is not None:
            lines.append(f"about ${self.cost:.2f} for the input (prices of {self.prices_taken})")
        if self.input_files:
            lines.append(
                f"{self.input_files} Batch API input file(s), {human_bytes(self.input_bytes)}"
            )
        text = " · ".join(lines)
        if self.refused:
            shown = "; ".join(f"{r.path}: {r.reason}" for r in self.refused[:5])
            more = len(self.refused) - 5
            text += f"\n{len(self.refused)} refused: {shown}" + (
                f" (+{more} more)" if more > 0 else ""
            )
        return text


@dataclass(frozen=True, slots=True)
class Progress:
    status: JobStatus
    total: int
    done: int
    failed: int
    refused: int
    remaining: int
    rate: float = 0.0
    """Images finished per second since this run started."""
    eta: float | None = None
    batch_status: BatchStatus | None = None
    request_counts: tuple[int, int, int] | None = None
    """The provider's (total, completed, failed) over this job's batches."""
    concurrency: int | None = None
    message: str = ""

    @property
    def finished(self) -> int:
        return self.done + self.failed + self.refused

    def summary(self) -> str:
        """Counts, pace and the last word, in one line."""
        text = (
            f"{self.done} done · {self.failed} failed · {self.refused} refused · "
            f"{self.remaining} remaining"
        )
        if self.rate > 0:
            text += f" · {self.rate:.1f} images/s"
        if self.eta is not None:
            text += f" · about {self.eta:.0f} s left"
        if self.message:
            text += f" — {self.message}"
        return text

    def remote_summary(self) -> str:
        """What the Batch API says of the job's batches ("" for the live engine)."""
        if self.batch_status is None:
            return ""
        remote = f"Batch API: {self.batch_status.value.replace('_', ' ')}"
        if self.request_counts:
            total, completed, failed = self.request_counts
            remote += f" · {completed} of {total} answered, {failed} failed"
        return remote
