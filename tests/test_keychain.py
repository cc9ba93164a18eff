"""A locked keychain (one that asks for a password and blocks whoever reads it) never blocks the
workspace: the key is fetched as a job and the status bar says so meanwhile."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from tests.keychains import LockedKeychain, RefusingKeychain
from tests.waiting import until
from visiondesk.config.profile_store import BUILTIN, EMULATOR
from visiondesk.config.secrets import KeychainError, Secrets, written
from visiondesk.emulator import Knobs
from visiondesk.store import History
from visiondesk.workspace import ConnectionState, Workspace
from visiondesk.workspace.transcript import Notice


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
        write = secrets.store(profile, "sk-typed")  # returns while the keychain is locked
        assert write is not None and not write.done()
        assert secrets.key_for(profile) == "sk-typed" and secrets.known(profile)
        assert await secrets.fetch(profile) == "sk-typed"
        keychain.unlocked.set()
        await written(write)
        assert keychain.saved.get("Other") == "sk-typed"
        assert secrets.source_of(profile) == "saved to the system keychain (LockedKeychain)"

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


def test_a_refused_write_says_so_and_keeps_the_key_for_the_session() -> None:
    keychain = RefusingKeychain()
    secrets = Secrets(backend=keychain)
    profile = replace(BUILTIN[EMULATOR], name="Refused")

    async def main() -> None:
        write = secrets.store(profile, "sk-refused-0000")
        assert write is not None
        with pytest.raises(KeychainError) as refused:
            await written(write)
        assert refused.value.message == (
            "the system keychain (RefusingKeychain) would not save the key of “Refused”: the "
            "keychain is locked and its prompt was dismissed. The key is kept for this session "
            "only."
        )
        assert "sk-refused" not in refused.value.message
        assert secrets.key_for(profile) == "sk-refused-0000"
        assert secrets.source_of(profile) == (
            "this session only (the system keychain (RefusingKeychain) refused to save it)"
        )
        keychain.refusing = False  # unlocked: the same write again succeeds
        again = secrets.store(profile, "sk-refused-0000")
        assert again is not None
        await written(again)
        assert keychain.saved == {"Refused": "sk-refused-0000"}

    asyncio.run(asyncio.wait_for(main(), 30))
