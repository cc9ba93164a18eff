"""A locked keychain (one that asks for a password and blocks whoever reads it) never blocks the
workspace: the key is fetched as a job and the status bar says so meanwhile."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import Secrets
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.workspace import ConnectionState, Workspace
from visiondesk.workspace.transcript import Notice


class LockedKeychain:
    """A keyring backend whose reads wait until the person "types the password"."""

    name = "LockedKeychain"

    def __init__(self) -> None:
        self.unlocked = threading.Event()
        self.asked: list[str] = []
        self.saved: dict[str, str] = {"Emulator": "sk-from-the-keychain"}
        self.threads: list[str] = []

    def get_password(self, service: str, name: str) -> str | None:
        self.threads.append(threading.current_thread().name)
        self.asked.append(name)
        self.unlocked.wait(30)
        return self.saved.get(name)

    def set_password(self, service: str, name: str, key: str) -> None:
        self.unlocked.wait(30)
        self.saved[name] = key

    def delete_password(self, service: str, name: str) -> None:
        self.saved.pop(name, None)


def test_a_locked_keychain_never_blocks_the_workspace(tmp_path: Path) -> None:
    keychain = LockedKeychain()
    secrets = Secrets(backend=keychain)
    profile = replace(BUILTIN[EMULATOR], name="Emulator")

    async def main() -> None:
        ws = Workspace(
            History(tmp_path / "history"),
            {EMULATOR: profile},
            secrets,
            emulator_knobs=Knobs(token_delay=0.0),
        )
        try:
            ws.select_profile(EMULATOR)  # returns at once although the keychain is locked
            assert ws.status.state is ConnectionState.KEYCHAIN
            assert "waiting for the keychain" in ws.status.text
            assert secrets.source_of(profile).endswith("not read yet (it may be locked)")
            await until(lambda: keychain.asked == ["Emulator"])
            ws.set_text("Anyone there?")
            assert ws.conversation.send() is None and ws.text == "Anyone there?"
            notice = ws.transcript.items[-1]
            assert isinstance(notice, Notice)
            assert "still being read from the system keychain" in notice.text
            keychain.unlocked.set()  # the person typed the keychain's password
            await until(lambda: ws.status.state is ConnectionState.CONNECTED)
            assert ws.connection.client.api_key == "sk-from-the-keychain"
            assert secrets.key_for(profile) == "sk-from-the-keychain"
            assert "keychain" in secrets.source_of(profile)
            assert keychain.threads == ["keychain"]  # never the loop's thread
        finally:
            keychain.unlocked.set()
            await ws.aclose()

    asyncio.run(asyncio.wait_for(main(), 60))


def test_saving_a_key_to_a_locked_keychain_uses_it_at_once(tmp_path: Path) -> None:
    keychain = LockedKeychain()
    secrets = Secrets(backend=keychain)
    profile = replace(BUILTIN[EMULATOR], name="Other")

    async def main() -> None:
        assert secrets.store(profile, "sk-typed") is True  # returns while the keychain is locked
        assert secrets.key_for(profile) == "sk-typed" and secrets.known(profile)
        assert await secrets.fetch(profile) == "sk-typed"
        keychain.unlocked.set()
        await until(lambda: keychain.saved.get("Other") == "sk-typed")

    asyncio.run(asyncio.wait_for(main(), 30))


def test_an_empty_keychain_says_there_is_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    keychain = LockedKeychain()
    keychain.unlocked.set()
    secrets = Secrets(backend=keychain)

    async def main() -> None:
        ws = Workspace(History(tmp_path / "history"), {"openai": BUILTIN["openai"]}, secrets)
        try:
            ws.select_profile("openai")
            await until(lambda: ws.status.state is ConnectionState.FAILED)
            assert ws.status.text == (
                "OpenAI: no API key — enter one in Settings (or set $OPENAI_API_KEY)."
            )
        finally:
            await ws.aclose()

    asyncio.run(asyncio.wait_for(main(), 30))
