"""Batch: one question over many images, live or on the provider's Batch API, resumable.

Plain asyncio beside session.py (DESIGN.md): the window's panel and `visiondesk batch` drive
`BatchJob`; state lives in the history database (store/batches.py).
"""

from visiondesk.batch.job import BatchJob
from visiondesk.batch.model import Estimate, JobSpec, Progress, Refusal
from visiondesk.batch.results import ResultFiles, record, writing_results

__all__ = [
    "BatchJob",
    "Estimate",
    "JobSpec",
    "Progress",
    "Refusal",
    "ResultFiles",
    "record",
    "writing_results",
]
