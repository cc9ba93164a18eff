"""`prepare()`: one attachment in, exactly what the API will get out."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import replace
from typing import TYPE_CHECKING

from visiondesk.domain import PdfPage, PreparedImage
from visiondesk.errors import ImageError
from visiondesk.imaging import sizing
from visiondesk.imaging.cache import PreparedCache
from visiondesk.imaging.decode import Crop, decode, heif_available
from visiondesk.imaging.encode import encode, make_thumbnail
from visiondesk.imaging.models import PatchRule, TileRule
from visiondesk.imaging.pdf_pages import is_pdf, render_page
from visiondesk.imaging.policy import ImagePolicy
from visiondesk.imaging.sniff import sniff
from visiondesk.imaging.sources import (
    BytesSource,
    Fetcher,
    ImageInput,
    UrlSource,
    fetch_url,
    read_source,
)

if TYPE_CHECKING:
    from visiondesk.imaging.marks import Marks

default_cache = PreparedCache()
_helper = ThreadPoolExecutor(max_workers=4, thread_name_prefix="prepare")
"""Threads for the steps of one preparation that can overlap (Pillow releases the GIL)."""


def prepare(
    source: ImageInput,
    policy: ImagePolicy | None = None,
    *,
    label: str | None = None,
    cache: PreparedCache | None = default_cache,
    fetch: Fetcher = fetch_url,
    crop: Crop | None = None,
    marks: Marks | None = None,
) -> PreparedImage:
    """Prepare one image (or the `crop` of it, in upright pixels) for `policy`, with `marks`
    (in upright pixels of the whole image) drawn on; raises ImageError (and nothing else) on
    bad input. A marked URL is fetched and prepared here: the server never sees it unmarked."""
    policy = policy or ImagePolicy()
    if isinstance(source, PdfPage):  # drawn at the size the model reads, then as any image
        document = read_source(source.path, os.path.basename(source.path))
        assert isinstance(document, BytesSource)
        page, name = render_page(document.data, source.index, policy, document.label)
        return prepare_bytes(page, policy, label or name, cache=cache, crop=crop, marks=marks)
    loaded = read_source(source, label)
    if isinstance(loaded, UrlSource):
        if policy.keep_urls and not marks:
            return _as_url(loaded, policy)
        loaded = BytesSource(loaded.label, fetch(loaded.url))
    return prepare_bytes(loaded.data, policy, loaded.label, cache=cache, crop=crop, marks=marks)


def prepare_bytes(
    data: bytes,
    policy: ImagePolicy,
    label: str,
    *,
    cache: PreparedCache | None = default_cache,
    crop: Crop | None = None,
    marks: Marks | None = None,
) -> PreparedImage:
    marks = marks or None  # no marks, however given, is the unmarked image and its cache entry
    if not data:
        raise ImageError(label, "is empty (0 bytes)")
    digest = hashlib.sha256(data).hexdigest()
    key = (digest, policy, crop) if marks is None else (digest, policy, crop, marks)
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit if hit.label == label else _relabelled(hit, label)
    prepared = _prepare_uncached(data, digest, policy, label, crop, marks)
    if cache is not None:
        cache.put(key, prepared)
    return prepared


def _prepare_uncached(
    data: bytes,
    digest: str,
    policy: ImagePolicy,
    label: str,
    crop: Crop | None = None,
    marks: Marks | None = None,
) -> PreparedImage:
    sniffed = sniff(data[:512])
    if sniffed.mime is None and is_pdf(data[:1024]):
        raise ImageError(
            label,
            "is a PDF: its pages are sent as images from the command line for now "
            "(visiondesk send … file.pdf --pages 1-3), not yet from the window",
        )
    if sniffed.mime is None:
        raise ImageError(
            label, f"is not an image VisionDesk can read: it looks like {sniffed.kind}"
        )
    if sniffed.mime in ("image/heic", "image/avif") and not heif_available():
        raise ImageError(label, f"is {sniffed.kind}; install pillow-heif to read it")
    decoded = decode(
        data, label, sniffed, policy.rule, policy.detail, policy.max_pixels, crop, marks
    )
    # The window's thumbnail is made on another core while the image is encoded.
    thumbnail_job = _helper.submit(make_thumbnail, decoded.image)
    try:
        encoded = encode(
            decoded.image,
            lossy_source=decoded.lossy_source,
            photo_mime=policy.photo_format,
            quality=policy.jpeg_quality,
            webp=policy.webp,
        )
        thumbnail = thumbnail_job.result()
    except Exception as exc:  # an encoder failure is still this image's problem, not a crash
        raise ImageError(label, f"could not be encoded ({exc})") from None
    finally:
        wait([thumbnail_job])  # it reads the image closed next
        decoded.image.close()
    notes = list(decoded.notes)
    width, height = decoded.original_size
    plan = decoded.plan
    if crop is None and (plan.width, plan.height) != (width, height):
        notes.append(f"downscaled {width}×{height} → {plan.width}×{plan.height} for {policy.model}")
    if not policy.model_known:
        notes.append(f"unknown model '{policy.model}': tokens estimated with gpt-4o's rule")
    notes.append(f"sent as {encoded.mime.split('/')[1].upper()} {encoded.why}")
    notes.append("metadata removed")
    mime = sniff(encoded.data[:16]).mime
    assert mime == encoded.mime, "the encoder wrote a different format than it claims"
    return PreparedImage(
        label=label,
        sha256=digest,
        original_width=width,
        original_height=height,
        original_format=decoded.original_format,
        width=plan.width,
        height=plan.height,
        mime=encoded.mime,
        data=encoded.data,
        detail=plan.detail,
        tokens=plan.tokens,
        notes=tuple(notes),
        thumbnail=thumbnail,
    )


def _as_url(source: UrlSource, policy: ImagePolicy) -> PreparedImage:
    """An https image the server fetches itself: its size is unknown, so tokens are a ceiling."""
    rule = policy.rule
    tokens = max_tokens(policy)
    detail = sizing.plan(rule, policy.detail, 1024, 1024).detail
    return PreparedImage(
        label=source.label,
        sha256=hashlib.sha256(source.url.encode()).hexdigest(),
        original_width=None,
        original_height=None,
        original_format=None,
        width=None,
        height=None,
        mime="",
        data=b"",
        detail=detail,
        tokens=tokens,
        url=source.url,
        notes=("sent as a URL: the server downloads it; tokens are an upper bound",),
    )


def max_tokens(policy: ImagePolicy) -> int:
    """The most an image can cost at this model and detail (for URLs, whose size is unknown)."""
    rule = policy.rule
    if isinstance(rule, TileRule):
        return sizing.plan(rule, policy.detail, 768, 2048).tokens
    assert isinstance(rule, PatchRule)
    shapes = ((768, 2048), (2048, 2048), (4800, 6400), (6000, 6000), (20_000, 20_000))
    return max(sizing.plan(rule, policy.detail, w, h).tokens for w, h in shapes)


def _relabelled(prepared: PreparedImage, label: str) -> PreparedImage:
    return replace(prepared, label=label)
