"""Keep freed image memory mapped between preparations, so the next image need not fault in
every page again.

Each preparation allocates and frees about 50 MB (a 4K screenshot's 33 MB of decoded pixels in
Pillow's 16 MB blocks, the reduced copy, libwebp's buffers). glibc serves blocks that size with
mmap, or trims them off the heap on free, so the next preparation takes ~12,000 page faults and
spends ~15 ms of an ~85 ms preparation zeroing pages (benchmarks/pipeline.py, "page faults").
Raising the mmap and trim thresholds above those sizes keeps the pages for reuse; at most
TRIM_THRESHOLD bytes stay mapped while idle. Other C libraries (macOS, Windows, musl) are left
as they are, and so is glibc when VISIONDESK_KEEP_FREED_MEMORY=0 (the benchmark's comparison).
"""

from __future__ import annotations

import ctypes
import os
import platform

MMAP_THRESHOLD = 32 << 20
"""Above Pillow's 16 MB blocks: image memory comes from the heap and returns to it."""
TRIM_THRESHOLD = 64 << 20
"""The most freed memory kept mapped; a 4K screenshot's working set fits."""
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds; False where the C library is not glibc."""
    if os.environ.get("VISIONDESK_KEEP_FREED_MEMORY") == "0":
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)  # the process itself: glibc's symbols, no library search
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # pragma: no cover - an unusual C library
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
