"""Is a local OpenAI-compatible server running? Ollama listens on 11434, LM Studio on 1234."""

from __future__ import annotations

import socket

KNOWN = {"ollama": 11434, "lmstudio": 1234}


def running(ports: dict[str, int] | None = None, timeout: float = 0.3) -> list[str]:
    """The profile keys whose port accepts a connection on 127.0.0.1."""
    found = []
    for key, port in (ports or KNOWN).items():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout):
                found.append(key)
        except OSError:
            continue
    return found
