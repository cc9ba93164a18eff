"""The Files API: multipart upload, retrieve, list, content, delete; uploaded → processed."""

from __future__ import annotations

import time

from visiondesk.emulator.errors import HttpError, bad_request, not_found
from visiondesk.emulator.http import FileResponse, JsonResponse, Request, Response, new_id, now
from visiondesk.emulator.store import Store, StoredFile

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")


def create(store: Store, request: Request) -> Response:
    if "file" not in request.files:
        raise bad_request("Missing required parameter: 'file'.", param="file")
    purpose = request.form.get("purpose")
    if purpose not in PURPOSES:
        raise bad_request(
            f"Invalid value for 'purpose': '{purpose}'. Expected one of {', '.join(PURPOSES)}.",
            param="purpose",
            code="invalid_value",
        )
    upload = request.files["file"]
    expires_at = None
    if store.knobs.no_expiry and any(key.startswith("expires_after") for key in request.form):
        raise bad_request(
            "Unrecognized request argument supplied: expires_after", param="expires_after"
        )
    if "expires_after[seconds]" in request.form:
        if request.form.get("expires_after[anchor]") != "created_at":
            raise bad_request("expires_after.anchor must be 'created_at'.", param="expires_after")
        try:
            seconds = int(request.form["expires_after[seconds]"])
        except ValueError:
            seconds = -1
        if not 3600 <= seconds <= 2_592_000:
            raise bad_request(
                "expires_after.seconds must be between 3600 and 2592000.",
                param="expires_after.seconds",
            )
        expires_at = now() + seconds
    knobs = store.knobs
    with knobs.lock:
        ready_at = time.monotonic() + knobs.file_processing_delay
        fails, never = knobs.file_error, knobs.file_never_ready
    file_id = new_id("file-")
    stored = StoredFile(
        file_id,
        upload.filename or "upload",
        purpose,
        store.keep(file_id, upload.path),
        upload.size,
        now(),
        ready_at,
        fails,
        never,
        expires_at,
    )
    with store.lock:
        store.files[stored.id] = stored
    return JsonResponse(stored.as_json())


def retrieve(store: Store, file_id: str) -> Response:
    return JsonResponse(_get(store, file_id).as_json())


def content(store: Store, file_id: str) -> Response:
    stored = _get(store, file_id)
    return FileResponse(stored.path, stored.size)


def delete(store: Store, file_id: str) -> Response:
    with store.lock:
        stored = store.files.pop(file_id, None)
    if stored is None:
        raise not_found(f"No such File object: {file_id}", param="id")
    store.forget(stored)
    return JsonResponse({"id": file_id, "object": "file", "deleted": True})


def list_files(store: Store, request: Request) -> Response:
    purpose = request.query.get("purpose")
    with store.lock:
        items = [f.as_json() for f in store.files.values() if purpose in (None, f.purpose)]
    return JsonResponse({"object": "list", "data": items, "has_more": False})


def _get(store: Store, file_id: str) -> StoredFile:
    with store.lock:
        stored = store.files.get(file_id)
    if stored is None:
        raise not_found(f"No such File object: {file_id}", param="id")
    return stored


def usable_file(
    store: Store, file_id: str, param: str, purposes: tuple[str, ...] = ("vision",)
) -> StoredFile:
    """A file a message may refer to: it exists, has an image purpose and is processed."""
    with store.lock:
        stored = store.files.get(file_id)
    if stored is None:
        raise not_found(f"No file found with id '{file_id}'.", param=param)
    if stored.purpose not in purposes:
        raise bad_request(
            f"File '{file_id}' has purpose '{stored.purpose}'; images must be uploaded with "
            f"purpose {' or '.join(repr(p) for p in purposes)}.",
            param=param,
            code="invalid_value",
        )
    status = stored.status()
    if status != "processed":
        raise HttpError(
            400,
            f"File '{file_id}' is not ready: its status is '{status}'.",
            param=param,
            code="file_not_ready" if status == "uploaded" else "file_processing_failed",
        )
    return stored


def image_bytes(store: Store, stored: StoredFile, param: str) -> bytes:
    """An image file's content read back from disk to decode it, never past the bound."""
    with store.knobs.lock:
        most = store.knobs.max_image_bytes
    try:
        data = stored.read_bounded(most)
    except FileNotFoundError:  # deleted since it was looked up
        raise not_found(f"No file found with id '{stored.id}'.", param=param) from None
    if data is None:
        raise bad_request(
            f"File '{stored.id}' is {stored.size} bytes; images are decoded up to {most} bytes.",
            param=param,
            code="image_file_too_large",
        )
    return data
