"""Which API modes a server implements, found by asking it (never assumed), cached per profile.

Each probe is a request the server refuses cheaply when the endpoint exists (400/422 for an
empty body) and answers 404 when it does not — OpenAI's Assistants since 2026-08-26, say.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from enum import StrEnum

import httpx2
import openai
from openai import AsyncOpenAI

from visiondesk.api.errors import translate
from visiondesk.api.retries import only_once
from visiondesk.api.wire import ROUTE_NOT_CONFIGURED
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode
from visiondesk.errors import AuthError, ModeUnsupported, NetworkError, UnexpectedAnswer

MODE_NAMES = {
    ApiMode.CHAT: "Chat Completions",
    ApiMode.RESPONSES: "the Responses API",
    ApiMode.ASSISTANTS: "the Assistants API",
}
_PROBES = {
    ApiMode.CHAT: ("POST", "/chat/completions"),
    ApiMode.RESPONSES: ("POST", "/responses"),
    ApiMode.ASSISTANTS: ("GET", "/assistants"),
}
PREFERENCE = (ApiMode.RESPONSES, ApiMode.CHAT, ApiMode.ASSISTANTS)
"""The order modes are suggested in when the chosen one is missing."""
CACHE_SECONDS = 3600.0
PROBE_SECONDS = 10.0
"""The probe waits no longer than this (or the profile's read timeout) for each answer."""


class ModeStatus(StrEnum):
    """What the probe learned about one mode."""

    PRESENT = "present"
    MISSING = "missing"
    UNKNOWN = "unknown"
    """The server failed (5xx) while asked: the mode stays selectable."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    missing: dict[ApiMode, str] = field(default_factory=dict)
    """Modes the server lacks, with the reason to show next to them."""
    models: tuple[str, ...] = ()
    checked_at: float = field(default_factory=time.time)
    unknown: dict[ApiMode, str] = field(default_factory=dict)
    """Modes the probe could not judge, with the line to show ("unknown: the server said …")."""

    def supports(self, mode: ApiMode) -> bool:
        return mode not in self.missing

    def status(self, mode: ApiMode) -> ModeStatus:
        if mode in self.missing:
            return ModeStatus.MISSING
        return ModeStatus.UNKNOWN if mode in self.unknown else ModeStatus.PRESENT

    def note(self, mode: ApiMode) -> str:
        """The line to show next to the mode ("" when it is simply there)."""
        if mode in self.missing:
            return f"missing: {self.missing[mode]}"
        return self.unknown.get(mode, "")

    def suggest(self, instead_of: ApiMode) -> ApiMode | None:
        """A mode this server has, to offer when `instead_of` is missing (Responses first)."""
        for mode in PREFERENCE:
            if mode is not instead_of and self.supports(mode):
                return mode
        return None

    def require(self, mode: ApiMode, profile: Profile) -> None:
        if mode in self.missing:
            suggested = self.suggest(mode)
            hint = f"Use {MODE_NAMES[suggested]}." if suggested else "Choose another server."
            raise ModeUnsupported(
                f"{profile.name} ({profile.base_url}) does not implement "
                f"{MODE_NAMES[mode]}: {self.missing[mode]}. {hint}",
                suggested=suggested,
            )


async def probe(client: AsyncOpenAI, profile: Profile) -> Capabilities:
    """Ask the server; raises AuthError for a rejected key and NetworkError when unreachable."""
    wait = min(PROBE_SECONDS, profile.read_timeout)
    quick = client.with_options(timeout=httpx2.Timeout(wait, connect=5.0))
    with only_once():  # a probe wants the server's first answer, not a retry's
        models = await _models(quick, profile)
        results = await asyncio.gather(*(_has(quick, profile, mode) for mode in _PROBES))
    missing: dict[ApiMode, str] = {}
    unknown: dict[ApiMode, str] = {}
    for mode, (status, line) in zip(_PROBES, results, strict=True):
        if status is ModeStatus.MISSING:
            missing[mode] = line
        elif status is ModeStatus.UNKNOWN:
            unknown[mode] = line
    return Capabilities(missing, models, unknown=unknown)


async def _models(client: AsyncOpenAI, profile: Profile) -> tuple[str, ...]:
    """The model list; raises the line that says why when the server is not the API at all."""
    try:
        page = await client.models.list()
        return tuple(sorted(str(model.id) for model in page.data))
    except openai.NotFoundError:
        return ()  # some servers have no model list; free text still works
    except Exception as exc:
        error = translate(exc, profile, what="the model list")
        if isinstance(error, AuthError | NetworkError | UnexpectedAnswer):
            raise error from exc
        return ()


async def _has(client: AsyncOpenAI, profile: Profile, mode: ApiMode) -> tuple[ModeStatus, str]:
    """Whether the endpoint exists, and the line to show when it does not or is unclear."""
    method, path = _PROBES[mode]
    headers = {"OpenAI-Beta": "assistants=v2"} if mode is ApiMode.ASSISTANTS else {}
    try:
        if method == "GET":
            await client.get(
                path, cast_to=object, options={"headers": headers, "params": {"limit": 1}}
            )
        else:
            await client.post(path, cast_to=object, body={}, options={"headers": headers})
    except openai.APIStatusError as exc:
        status = exc.status_code
        said = _said(exc)
        if status in (404, 405, 501):
            return ModeStatus.MISSING, f"the server answered {status} on {path}"
        if status >= 500 and ROUTE_NOT_CONFIGURED.search(said):
            return ModeStatus.MISSING, f"not configured on this server ({status}: {said})"
        if status >= 500:
            return ModeStatus.UNKNOWN, f"unknown: the server said {status} on {path}: {said}"
        return ModeStatus.PRESENT, ""  # 400/401/422…: the endpoint is there and judged it
    except Exception as exc:
        raise translate(exc, profile, what=f"the probe of {path}") from exc
    return ModeStatus.PRESENT, ""


def _said(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])[:200]
    return " ".join(str(exc.message).split())[:200]


class CapabilityCache:
    """Probe results per profile, for an hour; the window shows them beside the mode picker."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self._ttl = ttl
        self._entries: dict[tuple[str, str], Capabilities] = {}
        self._inflight: dict[tuple[str, str], asyncio.Task[Capabilities]] = {}

    def cached(self, profile: Profile) -> Capabilities | None:
        entry = self._entries.get((profile.name, profile.base_url))
        if entry is not None and time.time() - entry.checked_at < self._ttl:
            return entry
        return None

    async def get(self, client: AsyncOpenAI, profile: Profile) -> Capabilities:
        key = (profile.name, profile.base_url)
        entry = self.cached(profile)
        if entry is not None:
            return entry
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(probe(client, profile))
            self._inflight[key] = task
        try:
            entry = await asyncio.shield(task)
        finally:
            if task.done():
                self._inflight.pop(key, None)
        self._entries[key] = entry
        return entry

    def cancel(self) -> None:
        """Stop probes still under way (the connection is closing)."""
        for task in self._inflight.values():
            task.cancel()
        self._inflight.clear()

    async def aclose(self) -> None:
        """Stop probes under way and let them unwind while the loop still runs."""
        tasks = list(self._inflight.values())
        self.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def forget(self, profile: Profile) -> None:
        self._entries.pop((profile.name, profile.base_url), None)
