"""PDF pages as images, each rendered with pypdfium2 (PDFium's maintained Python binding: fast,
no external programs, wheels for every platform) at exactly the size the chosen model and
detail read it at — never rendered large and shrunk — then prepared like any image.

The size comes from the sizing rules themselves: the page as if scanned at 600 dpi is planned
as any image would be (fit, tiles or patches), and the page is drawn straight at the planned
size. Only one page's pixels are held at a time. A damaged or password-protected PDF, a page
out of range or a page larger than PDF allows ends in one line naming the file."""

from __future__ import annotations

import io
import os
import stat
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from visiondesk.domain import PdfPage, page_label
from visiondesk.errors import ImageError
from visiondesk.imaging import sizing
from visiondesk.imaging.policy import ImagePolicy
from visiondesk.imaging.sources import UrlSource, is_url, read_source

NOMINAL_DPI = 600
"""The page as a fine scan: the plan then says what the model reads of it."""
POINTS_PER_INCH = 72
MAX_PAGE_POINTS = 14_400
"""PDF's own limit on a page's side (200 inches)."""
MAX_PAGES_AT_ONCE = 100
"""Pages one question may carry; a longer range is refused with the count."""
DEFAULT_PAGES = 5
"""Pages sent from a PDF when none are chosen (the first ones)."""

_pdfium_lock = threading.Lock()
"""PDFium is not thread-safe: one page is opened and drawn at a time, whatever the thread."""


def is_pdf(head: bytes) -> bool:
    """PDF readers accept the header anywhere in the first kilobyte."""
    return b"%PDF-" in head[:1024]


def page_count(data: bytes, label: str) -> int:
    with _pdfium_lock:
        document = _open(data, label)
        try:
            return len(document)
        finally:
            document.close()


def parse_pages(spec: str, count: int, label: str) -> list[int]:
    """`all`, `3`, `2-5`, `1,3,7-9` (1-based, as people number pages) → 0-based indexes, in
    order, each once; raises ImageError saying what is wrong."""
    text = spec.strip().lower()
    if text == "all":
        chosen = list(range(count))
    else:
        chosen = []
        for part in filter(None, (p.strip() for p in text.split(","))):
            first, _, last = part.partition("-")
            try:
                start, end = int(first), int(last or first)
            except ValueError:
                raise ImageError(
                    label, f"--pages {spec!r}: write pages as 3, 2-5 or 1,3,7-9"
                ) from None
            if not 1 <= start <= end or end > count:
                raise ImageError(label, f"has {count} page(s): --pages {part!r} is not among them")
            chosen += [i for i in range(start - 1, end) if i not in chosen]
    if not chosen:
        raise ImageError(label, f"--pages {spec!r} chooses no page")
    if len(chosen) > MAX_PAGES_AT_ONCE:
        raise ImageError(
            label,
            f"--pages {spec!r} chooses {len(chosen)} pages; one question takes at most "
            f"{MAX_PAGES_AT_ONCE} (ask about a range, or use visiondesk batch)",
        )
    return chosen


def render_page(data: bytes, index: int, policy: ImagePolicy, label: str) -> tuple[bytes, str]:
    """The page drawn at the size `policy` sends it, as PNG bytes, and its label."""
    name = page_label(label, index)
    with _pdfium_lock:
        document = _open(data, label)
        try:
            if not 0 <= index < len(document):
                raise ImageError(
                    label, f"has {len(document)} page(s): there is no page {index + 1}"
                )
            page = document[index]
            try:
                width_pt, height_pt = page.get_size()
                if not (0 < width_pt <= MAX_PAGE_POINTS and 0 < height_pt <= MAX_PAGE_POINTS):
                    raise ImageError(
                        name,
                        f"measures {width_pt:.0f}×{height_pt:.0f} points: not a page PDF allows",
                    )
                width, height = _size(policy, width_pt, height_pt)
                bitmap = page.render(scale=width / width_pt, fill_color=(255, 255, 255, 255))
                try:
                    image = bitmap.to_pil()
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    try:
        if image.size != (width, height):  # PDFium rounds each side on its own: a pixel off
            image = image.resize((width, height))
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG", compress_level=1)
        return out.getvalue(), name
    finally:
        image.close()


def _size(policy: ImagePolicy, width_pt: float, height_pt: float) -> tuple[int, int]:
    nominal = (
        max(1, round(width_pt / POINTS_PER_INCH * NOMINAL_DPI)),
        max(1, round(height_pt / POINTS_PER_INCH * NOMINAL_DPI)),
    )
    plan = sizing.plan(policy.rule, policy.detail, *nominal)
    return plan.width, plan.height


def _open(data: bytes, label: str):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        said = str(error).lower()
        if "password" in said:
            raise ImageError(
                label, "is password-protected: open it, print it to a new PDF, attach that"
            ) from None
        raise ImageError(label, f"is a damaged PDF that cannot be read ({error})") from None


@dataclass(frozen=True, slots=True)
class Expanded:
    """A command line's image arguments with each PDF turned into its chosen pages."""

    sources: list[str | PdfPage]
    notes: list[str]
    """What a person should be told (the first pages taken by default)."""


def expand(arguments: Sequence[str], pages: str | None) -> Expanded:
    """Each PDF among `arguments` becomes the pages `pages` chooses (by default the first
    `DEFAULT_PAGES`, said in a note); other arguments stay as they are. Raises ImageError
    naming the file."""
    sources: list[str | PdfPage] = []
    notes: list[str] = []
    for argument in arguments:
        if is_url(argument) or not _looks_like_pdf(argument):
            sources.append(argument)
            continue
        label = os.path.basename(argument) or argument
        document = read_source(argument, label)
        assert not isinstance(document, UrlSource)
        count = page_count(document.data, label)
        spec = pages
        if spec is None:
            spec = f"1-{min(DEFAULT_PAGES, count)}"
            if count > DEFAULT_PAGES:
                notes.append(
                    f"{label}: {count} pages; sending pages 1–{DEFAULT_PAGES} "
                    "(choose others with --pages, e.g. --pages 2-4 or --pages all)"
                )
        sources += [PdfPage(argument, index) for index in parse_pages(spec, count, label)]
    return Expanded(sources, notes)


def _looks_like_pdf(path: str) -> bool:
    """By its first kilobyte (a regular file only: a FIFO is left for the reader to refuse)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as file:
            return is_pdf(file.read(1024))
    except OSError:
        return False  # the image reader says what is wrong with it
