"""What all conversations on one profile share, and the registry that opens them: the SDK
client, the uploads (an image is uploaded once per profile), the capability probe, and for the
offline profile the built-in emulator. The window and `visiondesk send` both open them here."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace

from visiondesk.api.capabilities import CapabilityCache
from visiondesk.api.client import Client, make_client
from visiondesk.api.uploads import UploadedFile, Uploader
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.config.secrets import Secrets
from visiondesk.emulator import Emulator, Knobs
from visiondesk.errors import StorageError
from visiondesk.store import History

log = logging.getLogger(__name__)


class Connection:
    def __init__(
        self,
        profile: Profile,
        api_key: str | None,
        *,
        client: Client | None = None,
        capabilities: CapabilityCache | None = None,
        upload_timeout: float | None = None,
        store: History | None = None,
    ) -> None:
        self.profile = profile
        self.has_key = bool(api_key)
        """Whether a key was given (a profile that needs one cannot be asked without it)."""
        self.client = client or make_client(profile, api_key)
        self.capabilities = capabilities or CapabilityCache()
        self.store = store
        options: dict[str, object] = {}
        if upload_timeout is not None:
            options["ready_timeout"] = upload_timeout
        if store is not None:
            options["on_uploaded"] = self._record_upload
            options["known"] = lambda key: store.known_upload(profile.name, key)
        self.uploader = Uploader(self.client, profile, **options)  # type: ignore[arg-type]

    def _record_upload(self, upload: UploadedFile) -> None:
        """Every file uploaded on the person's behalf goes into the ledger at once."""
        assert self.store is not None
        with contextlib.suppress(StorageError):  # the store keeps it until writing works again
            self.store.record_upload(
                upload.profile,
                upload.file_id,
                upload.upload_key,
                upload.bytes,
                upload.filename,
                None,
                upload.created_at,
            )

    async def delete_files(self, file_ids: list[str]) -> int:
        """Delete files on the server (a 404 means already gone) and mark them in the ledger;
        returns how many are gone."""
        deleted = await self.uploader.delete(file_ids)
        for file_id in deleted:
            if self.store is not None:
                self.store.mark_deleted(self.profile.name, file_id)
        return len(deleted)

    async def sweep(self) -> int:
        """Delete the uploads no conversation refers to any more (start-up, after a delete)."""
        if self.store is None:
            return 0
        records = self.store.unreferenced_uploads(self.profile.name)
        return await self.delete_files([r.file_id for r in records]) if records else 0

    async def delete_uploads(self, upload_keys: list[str]) -> int:
        """Delete the files uploaded for these bytes (clean-up after an answer)."""
        if self.store is None:
            return 0
        uploads = self.store.uploads(self.profile.name)
        ids = [u.file_id for u in uploads if u.upload_key in upload_keys]
        return await self.delete_files(ids)

    async def withdraw_upload(self, upload_key: str) -> int:
        """The person redacted the image these bytes were made from: the server's copy goes,
        unless a conversation already sent refers to it (that copy left with the question)."""
        if self.store is None:
            return 0
        records = self.store.unreferenced_uploads(self.profile.name)
        ids = [r.file_id for r in records if r.upload_key == upload_key]
        return await self.delete_files(ids) if ids else 0

    async def aclose(self) -> None:
        self.uploader.cancel()
        await self.capabilities.aclose()
        try:
            await self.client.close()
        except Exception as error:  # closing: nothing left to tell the person
            log.debug("closing the client: %r", error)


class Connections:
    """One connection per profile key, opened on first use; the offline profile's emulator is
    started here (and stopped on close), so its address is known before anything is sent."""

    def __init__(
        self,
        secrets: Secrets,
        store: History | None = None,
        emulator_knobs: Knobs | None = None,
    ) -> None:
        self.secrets = secrets
        self.store = store
        self.emulator_knobs = emulator_knobs or Knobs(token_delay=0.02, file_processing_delay=1.0)
        self.emulator: Emulator | None = None
        self._open: dict[str, Connection] = {}

    def resolve(self, profile: Profile) -> Profile:
        """The profile as it is reached: the emulator's per-run address filled in."""
        if profile.kind is not ProviderKind.EMULATOR:
            return profile
        if self.emulator is None:
            self.emulator = Emulator(knobs=self.emulator_knobs).start()
        return replace(profile, base_url=self.emulator.base_url, api_key_env="")

    def open(self, key: str, profile: Profile) -> Connection:
        """The connection for this profile key, made anew when the profile changed."""
        resolved = self.resolve(profile)
        existing = self._open.get(key)
        if existing is not None and _same(existing, resolved):
            return existing
        connection = Connection(resolved, self.secrets.key_for(resolved), store=self.store)
        self._open[key] = connection
        return connection

    def drop(self, key: str) -> Connection | None:
        """Forget a connection (its key or address changed); the caller closes it."""
        return self._open.pop(key, None)

    def all(self) -> list[Connection]:
        return list(self._open.values())

    def stop(self) -> None:
        """Stop at once what must not outlive the window: uploads and the emulator."""
        for connection in self._open.values():
            connection.uploader.cancel()
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    async def aclose(self) -> None:
        self.stop()
        for connection in self._open.values():
            await connection.aclose()
        self._open.clear()


def _same(connection: Connection, profile: Profile) -> bool:
    """Whether the connection still reaches this profile's server the same way (a new default
    model or mode does not need a new client; a new address, key variable or headers does)."""
    old = connection.profile
    return (old.name, old.base_url, old.kind, old.api_key_env, old.extra_headers, old.server) == (
        profile.name,
        profile.base_url,
        profile.kind,
        profile.api_key_env,
        profile.extra_headers,
        profile.server,
    )
