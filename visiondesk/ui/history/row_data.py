"""What a conversation's row in the sidebar carries for its painter (conversation_rows.py):
the roles of its date and picture, the picture's size, and the date in words. Light, so the
sidebar can fill its list before the painter (and the style classes it needs) is loaded."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt

PICTURE_SIDE = 40
"""The picture's side in logical pixels (decoded with as many device pixels as the screen has)."""
DATE_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's "when" ("Today 14:02")."""
PICTURE_ROLE = Qt.ItemDataRole.UserRole + 2
"""The row's picture: a square QImage, or nothing yet."""


def when(timestamp: float, now: float | None = None) -> str:
    """A date as a list of conversations says it: the time today, "Yesterday", the day and
    month this year, the year too before that."""
    today = time.localtime(time.time() if now is None else now)
    then = time.localtime(timestamp)
    start = time.mktime((*today[:3], 0, 0, 0, 0, 0, -1))
    if timestamp >= start:
        return f"Today {then.tm_hour:02d}:{then.tm_min:02d}"
    yesterday = time.localtime(start - 43200)  # noon of the day before: DST-proof
    if then[:3] == yesterday[:3]:
        return "Yesterday"
    month = time.strftime("%b", then)
    if then.tm_year == today.tm_year:
        return f"{then.tm_mday} {month}"
    return f"{then.tm_mday} {month} {then.tm_year}"
