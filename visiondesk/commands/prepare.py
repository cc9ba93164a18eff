"""`visiondesk prepare`: show (and optionally write) exactly what would be sent per image.

A script runs it once per file and pays its start each time (benchmarks/cli_start.py), so
what only `--json` or `--out` needs (json, pathlib) is imported by them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TextIO

from visiondesk.commands import COMMANDS
from visiondesk.domain import ApiMode, Detail, PdfPage, PreparedImage, human_bytes
from visiondesk.errors import ImageError

if TYPE_CHECKING:
    from visiondesk.imaging.marks import Marks

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
Region = tuple[int, int, int, int]
"""x, y, width, height in pixels of the upright original (`--redact`)."""


def add_parser(commands: Any) -> None:
    prepare = commands.add_parser(
        "prepare",
        help=COMMANDS["prepare"].summary,
        description="Prepare images the way they would be sent and report sizes, formats and "
        "token estimates. Exit 0 if all succeeded, 1 if any failed, 2 on usage errors.",
    )
    prepare.add_argument("images", nargs="+", metavar="IMAGE", help="file path or https URL")
    prepare.add_argument("--mode", choices=[m.value for m in ApiMode], default=ApiMode.CHAT.value)
    prepare.add_argument("--model", default="gpt-4o", help="model name (default: gpt-4o)")
    prepare.add_argument("--detail", choices=[d.value for d in Detail], default=Detail.AUTO.value)
    prepare.add_argument("--json", action="store_true", help="one JSON object per image")
    prepare.add_argument(
        "--pages",
        metavar="PAGES",
        help="of each PDF: all, 3, 2-5 or 1,3,7-9 (default: the first 5), each page an image "
        "drawn at the size the model reads it",
    )
    prepare.add_argument("--out", metavar="DIR", help="write the encoded images here")
    prepare.add_argument("--webp", action="store_true", help="send photos as WebP instead of JPEG")
    prepare.add_argument(
        "--no-webp",
        action="store_true",
        help="graphics as PNG, for servers that may not decode WebP (Ollama, LM Studio)",
    )
    prepare.add_argument(
        "--redact",
        action="append",
        type=_region,
        default=[],
        metavar="X,Y,W,H",
        help="fill this region (pixels of the original, after EXIF orientation) with black "
        "before anything is encoded; repeatable",
    )
    prepare.set_defaults(run=run)


def _region(text: str) -> Region:
    try:
        x, y, w, h = (int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not X,Y,W,H in whole pixels") from None
    return (x, y, w, h)


def _spec(region: Region) -> str:
    return ",".join(str(n) for n in region)


def run(options: argparse.Namespace) -> int:
    from visiondesk.imaging import policy_for, prepare

    policy = policy_for(
        options.mode,
        options.model,
        options.detail,
        accepts_webp=not options.no_webp,
        prefer_webp=options.webp,
    )
    if options.out is not None:
        try:
            os.makedirs(options.out, exist_ok=True)
        except OSError as exc:
            print(f"visiondesk prepare: cannot create {options.out}: {exc}", file=sys.stderr)
            return EXIT_USAGE

    regions: list[Region] = options.redact
    for region in regions:
        if region[2] < 1 or region[3] < 1:
            print(
                f"visiondesk prepare: --redact {_spec(region)} is an empty region "
                "(width and height must be at least 1)",
                file=sys.stderr,
            )
            return EXIT_USAGE
    marks = _redactions(regions)

    from visiondesk.imaging.pdf_pages import expand

    try:
        expanded = expand(options.images, options.pages)
    except ImageError as error:
        print(f"visiondesk prepare: {error}", file=sys.stderr)
        return EXIT_USAGE
    for note in expanded.notes:
        print(f"visiondesk prepare: {note}", file=sys.stderr)
    sources = expanded.sources

    def one(source: str | PdfPage) -> PreparedImage | ImageError:
        try:
            return prepare(source, policy, marks=marks)
        except ImageError as exc:
            return exc

    failed = 0
    out: TextIO = sys.stdout
    table = _Table(out) if not options.json else None
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results: Iterable[tuple[str | PdfPage, PreparedImage | ImageError]]
        results = zip(sources, pool.map(one, sources), strict=True)
        if regions:  # every region is checked against every image before anything is written
            results = list(results)
            for source, result in results:
                if (outside := _outside(regions, result)) is not None:
                    print(f"visiondesk prepare: {source}: {outside}", file=sys.stderr)
                    return EXIT_USAGE
        for source, result in results:
            if isinstance(result, ImageError):
                failed += 1
            elif options.out is not None and not result.is_url:
                _write(options.out, result)
            if table is not None:
                table.row(str(source), result)
            else:
                out.write(_json_line(str(source), result, len(regions)))
            out.flush()
    if table is not None:
        table.summary(len(sources), failed)
    return EXIT_FAILED if failed else EXIT_OK


def _redactions(regions: list[Region]) -> Marks | None:
    """The regions as solid black redactions (the marks module and its fonts only if any)."""
    if not regions:
        return None
    from visiondesk.imaging.marks import Marks, Redact

    return Marks(tuple(Redact((x, y, x + w, y + h)) for x, y, w, h in regions))


def _outside(regions: list[Region], result: PreparedImage | ImageError) -> str | None:
    """Why a region does not lie within the (upright) image, if one does not."""
    if isinstance(result, ImageError) or result.original_width is None:
        return None  # reported as this image's failure
    width, height = result.original_width, result.original_height or 0
    for x, y, w, h in regions:
        if x < 0 or y < 0 or x + w > width or y + h > height:
            return (
                f"--redact {_spec((x, y, w, h))} is outside the image "
                f"({width}×{height} after EXIF orientation)"
            )
    return None


def prepare_record(
    source: str, result: PreparedImage | ImageError, redacted: int = 0
) -> dict[str, Any]:
    """The `--json` line for one image (documented in `visiondesk prepare --help`);
    `redacted` counts the `--redact` regions filled before encoding."""
    if isinstance(result, ImageError):
        return {"source": source, "ok": False, "error": result.message}
    sent: dict[str, Any]
    if result.url is not None:
        sent = {"url": result.url}
    else:
        sent = {
            "width": result.width,
            "height": result.height,
            "mime": result.mime,
            "bytes": len(result.data),
            "base64_chars": 4 * ((len(result.data) + 2) // 3),
        }
    return {
        "source": source,
        "ok": True,
        "original": {
            "width": result.original_width,
            "height": result.original_height,
            "format": result.original_format,
        },
        "sent": sent,
        "detail": result.detail.value,
        "tokens": result.tokens,
        "sha256": result.sha256,
        "redacted": redacted,
        "notes": list(result.notes),
    }


def _json_line(source: str, result: PreparedImage | ImageError, redacted: int) -> str:
    import json

    return json.dumps(prepare_record(source, result, redacted)) + "\n"


def _write(directory: str, prepared: PreparedImage) -> None:
    from pathlib import Path

    stem = Path(prepared.label).stem or "image"
    path = Path(directory, f"{stem}-{prepared.sha256[:8]}.{prepared.extension}")
    path.write_bytes(prepared.data)


class _Table:
    """A plain-text table that prints row by row, so long batches show progress."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.total_bytes = 0
        self.total_tokens = 0
        header = f"{'image':<32} {'original':<20} {'sent':<22} {'bytes':>9} {'tokens':>7}"
        out.write(header + "\n" + "-" * len(header) + "\n")

    def row(self, source: str, result: PreparedImage | ImageError) -> None:
        name = _shorten(os.path.basename(source.rstrip("/")) or source, 32)
        if isinstance(result, ImageError):
            self.out.write(f"{name:<32} FAILED: {result.reason}\n")
            return
        if result.url is not None:
            self.out.write(
                f"{name:<32} {'(URL)':<20} {'sent as URL':<22} {'-':>9} ≤{result.tokens:>6}\n"
            )
            return
        original = f"{result.original_width}×{result.original_height} {result.original_format}"
        sent = f"{result.width}×{result.height} {result.mime.split('/')[1].upper()}"
        self.total_bytes += len(result.data)
        self.total_tokens += result.tokens
        size = human_bytes(len(result.data))
        self.out.write(f"{name:<32} {original:<20} {sent:<22} {size:>9} {result.tokens:>7}\n")
        for note in result.notes:
            self.out.write(f"{'':<32}   · {note}\n")

    def summary(self, count: int, failed: int) -> None:
        ok = count - failed
        self.out.write(
            f"\n{ok} of {count} prepared, {human_bytes(self.total_bytes)}, "
            f"about {self.total_tokens} input tokens"
            + (f"; {failed} failed" if failed else "")
            + "\n"
        )


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1) :]
