"""Settings → Test connection: the capability probe on a profile as it is being edited (before
it is saved), with its own short-lived connection, said in one line."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from visiondesk.api.capabilities import probe
from visiondesk.config.profiles import Profile
from visiondesk.config.secrets import Secrets
from visiondesk.connection import Connection, Connections
from visiondesk.domain import ApiMode
from visiondesk.emulator import Knobs
from visiondesk.errors import VisionDeskError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProfileCheck:
    ok: bool
    text: str


async def check_profile(
    profile: Profile, secrets: Secrets, key: str | None = None, knobs: Knobs | None = None
) -> ProfileCheck:
    """Reach the server with this profile (and `key`, if one was just typed) and say which
    modes and how many models it has, or why it cannot be reached."""
    connections = Connections(secrets, None, knobs or Knobs(token_delay=0.0))
    connection: Connection | None = None
    try:
        resolved = connections.resolve(profile)
        api_key = key or await secrets.fetch(resolved)
        connection = Connection(resolved, api_key)
        capabilities = await probe(connection.client, resolved)
    except VisionDeskError as error:
        return ProfileCheck(False, error.message)
    except Exception as error:  # a reply nobody foresaw: still one line
        log.exception("test connection failed")
        return ProfileCheck(False, f"Something went wrong: {type(error).__name__}: {error}")
    finally:
        if connection is not None:
            await connection.aclose()
        await connections.aclose()
    parts = []
    for mode in ApiMode:
        note = capabilities.note(mode)
        parts.append(f"{mode.label} ✓" if not note else f"{mode.label}: {note}")
    count = len(capabilities.models)
    models = f"{count} model{'s' if count != 1 else ''}" if count else "no model list"
    return ProfileCheck(True, f"Connected to {resolved.base_url} — {models}; " + "; ".join(parts))
