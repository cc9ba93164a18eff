"""VisionDesk: ask vision models about images, through every OpenAI API mode."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    # Looked up on first use: importlib.metadata costs ~30 ms, and the window comes first.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("visiondesk")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0.0.0"
    raise AttributeError(name)
