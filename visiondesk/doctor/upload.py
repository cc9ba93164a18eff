"""`--upload`: really upload the images an Assistants request needs (purpose 'vision', wait
until processed) and put their file ids where the placeholders were."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from visiondesk.api.client import make_client
from visiondesk.api.uploads import Uploader
from visiondesk.config.profiles import Profile, ProviderKind
from visiondesk.domain import PreparedImage


async def upload_placeholders(
    fixed: dict[str, Any],
    uploads: dict[str, PreparedImage],
    base_url: str,
    api_key: str | None,
    on_ready: Callable[[str, str], None] | None = None,
) -> dict[str, Any]:
    """The fixed request with each placeholder id replaced by the id of a processed upload."""
    profile = Profile("doctor", ProviderKind.COMPATIBLE, base_url)
    client = make_client(profile, api_key)
    uploader = Uploader(client, profile)
    real: dict[str, str] = {}
    try:
        for placeholder, image in uploads.items():
            real[placeholder] = await uploader.file_id(image)
            if on_ready is not None:
                on_ready(placeholder, real[placeholder])
    finally:
        await client.close()
    text = json.dumps(fixed)
    for placeholder, file_id in real.items():
        text = text.replace(json.dumps(placeholder), json.dumps(file_id))
    replaced: dict[str, Any] = json.loads(text)
    return replaced
