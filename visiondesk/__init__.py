"""VisionDesk: ask vision models about images, through every OpenAI API mode."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("visiondesk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
