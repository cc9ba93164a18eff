"""Tell what a byte string is from its first bytes, never from a file name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sniffed:
    kind: str  # a short name for messages: "JPEG", "a PDF document", …
    mime: str | None  # set for image formats VisionDesk can decode
    supported: bool


_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


def sniff(head: bytes) -> Sniffed:
    """Classify by magic number; `head` needs at most the first 64 bytes."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("PNG", "image/png", True)
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("JPEG", "image/jpeg", True)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("GIF", "image/gif", True)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("WebP", "image/webp", True)
    if head.startswith(b"BM"):
        return Sniffed("BMP", "image/bmp", True)
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Sniffed("TIFF", "image/tiff", True)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _AVIF_BRANDS:
            return Sniffed("AVIF", "image/avif", True)
        if brand in _HEIF_BRANDS:
            return Sniffed("HEIC", "image/heic", True)
        return Sniffed("a video or other ISO media file", None, False)
    return _not_supported(head)


def _not_supported(head: bytes) -> Sniffed:
    if head.startswith(b"%PDF"):
        return Sniffed("a PDF document", None, False)
    if head.startswith(b"8BPS"):
        return Sniffed("a Photoshop document", None, False)
    if head[:4] in (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00"):
        return Sniffed("a Windows icon", None, False)
    if head.startswith((b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!")):
        return Sniffed("an archive", None, False)
    if head.startswith((b"\x00\x00\x00\x0cjP  ", b"\xffO\xffQ")):
        return Sniffed("a JPEG 2000 image (not supported)", None, False)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<svg", b"<?xml")) and b"svg" in head.lower():
        return Sniffed("an SVG drawing (vector, not a bitmap)", None, False)
    if text.startswith((b"<?xml", b"<!doctype html", b"<html")):
        return Sniffed("a web page or XML document", None, False)
    if _looks_like_text(head):
        return Sniffed("a text file", None, False)
    return Sniffed("data in an unrecognised format", None, False)


def _looks_like_text(head: bytes) -> bool:
    try:
        decoded = head.decode("utf-8")
    except UnicodeDecodeError:
        # A cut multi-byte character at the end of the sample is still text.
        try:
            decoded = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\r\n\t\f" for ch in decoded)
