"""Make request bodies fit to show: base64 payloads shortened to a size marker."""

from __future__ import annotations

import re
from typing import Any

from visiondesk.domain import human_bytes

_DATA_URL = re.compile(r"^(data:[\w/+.-]*;base64,)([A-Za-z0-9+/=]{64,})$")


def shorten_base64(value: Any) -> Any:
    """A copy of `value` with every data URL's payload replaced by `…(183 KB base64)…`."""
    if isinstance(value, str):
        match = _DATA_URL.match(value)
        if match:
            return f"{match.group(1)}…({human_bytes(len(match.group(2)))} base64)…"
        return value
    if isinstance(value, dict):
        return {key: shorten_base64(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [shorten_base64(item) for item in value]
    return value
