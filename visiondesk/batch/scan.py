"""Find the images a batch will ask about: files given, and folders walked (optionally
recursively) in a stable order, each hashed so the same bytes are sent once."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from visiondesk.formats import IMAGE_SUFFIXES


def find_images(
    sources: Iterable[str | os.PathLike[str]], recursive: bool = True
) -> Iterator[Path]:
    """Every image path under `sources`, folders in name order, each path once."""
    seen: set[Path] = set()
    for source in sources:
        path = Path(source)
        candidates = _walk(path, recursive) if path.is_dir() else iter([path])
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield candidate


def _walk(folder: Path, recursive: bool) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            if recursive:
                yield from _walk(Path(entry.path), recursive)
        elif entry.is_file() and Path(entry.name).suffix.lower() in IMAGE_SUFFIXES:
            yield Path(entry.path)


def file_sha256(path: Path) -> str:
    """The hash of a file's bytes, read in chunks (a folder of photos never sits in memory);
    an unreadable file gets a hash of its path, so it is kept and refused with its reason."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return "unreadable:" + hashlib.sha256(str(path).encode()).hexdigest()
