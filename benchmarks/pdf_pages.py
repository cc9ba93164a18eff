"""PDF benchmark: 100 pages drawn at the size the model reads and prepared, on every core.

A 100-page PDF of letter-size screenshot pages (made here with Pillow), each page drawn with
pypdfium2 at gpt-4o high detail's size (768×994) and prepared as an image (classified,
encoded) on the preparing threads, as `visiondesk prepare doc.pdf --pages all` does — against
the baseline, measured in the same run, of preparing the same 100 pages given as PNG files of
their full 150-dpi size (decoded, shrunk to 768×994, encoded).

Target: 100 pages in ≤ 15 s on 2 cores.

    python benchmarks/pdf_pages.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import images  # noqa: E402
from visiondesk.domain import Detail, PdfPage  # noqa: E402
from visiondesk.imaging import ImagePolicy, prepare  # noqa: E402

TARGET_SECONDS = 15.0
PAGES = 100


def timed(sources: list[str | PdfPage], policy: ImagePolicy) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        done = list(pool.map(lambda s: prepare(s, policy, cache=None), sources))
    assert all((p.width, p.height) == (768, 994) for p in done), {(p.width, p.height) for p in done}
    return time.perf_counter() - started


def main() -> int:
    policy = ImagePolicy(model="gpt-4o", detail=Detail.HIGH)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        distinct = [images.screenshot(1275, 1650, seed=n).convert("RGB") for n in range(10)]
        pages = [distinct[n % 10] for n in range(PAGES)]
        pdf = folder / "report.pdf"
        pages[0].save(pdf, save_all=True, append_images=pages[1:], resolution=150)
        pngs = []
        for n, page in enumerate(pages):
            path = folder / f"page{n}.png"
            page.save(path, compress_level=1)
            pngs.append(str(path))
        from_pdf = timed([PdfPage(str(pdf), n) for n in range(PAGES)], policy)
        from_png = timed(list[str | PdfPage](pngs), policy)
    print(f"{PAGES} letter pages at gpt-4o high detail (768×994), {os.cpu_count()} cores")
    each = from_pdf / PAGES * 1000
    print(f"  from the PDF (drawn at the size sent): {from_pdf:.1f} s ({each:.0f} ms a page)")
    print(f"  the same pages as 150-dpi PNG files (decoded and shrunk): {from_png:.1f} s")
    print(f"  PDF / PNG: {from_pdf / from_png:.2f}×")
    ok = from_pdf <= TARGET_SECONDS
    print(f"  ≤ {TARGET_SECONDS:.0f} s: {'PASS' if ok else 'MISS'}")
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
