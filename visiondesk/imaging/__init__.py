"""The image pipeline: plain Python and Pillow, no Qt, no network except fetching a URL."""

from visiondesk.imaging.cache import PreparedCache
from visiondesk.imaging.pipeline import max_tokens, prepare, prepare_bytes
from visiondesk.imaging.policy import ImagePolicy, policy_for
from visiondesk.imaging.sources import ImageInput

__all__ = [
    "ImageInput",
    "ImagePolicy",
    "PreparedCache",
    "max_tokens",
    "policy_for",
    "prepare",
    "prepare_bytes",
]
