"""PDF pages as images: each chosen page drawn at the size the model and detail read it at,
labelled "file.pdf p. 3", on the command line (prepare, send) and in the saved sources; a
damaged PDF, a page that is not there or too many pages end in one line naming the file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from tests import images
from tests.cli_runs import run_cli
from visiondesk.domain import Detail, PdfPage
from visiondesk.emulator import Emulator
from visiondesk.errors import ImageError
from visiondesk.imaging import ImagePolicy, prepare
from visiondesk.imaging.pdf_pages import MAX_PAGES_AT_ONCE, parse_pages, render_page
from visiondesk.store.sources import SavedSource, question_sources

ENV: dict[str, str | None] = {"VISIONDESK_CONFIG_DIR": "/nonexistent-visiondesk-config"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seven letter-size pages of screenshots (150 dpi), drawn once: no test changes it."""
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    pages = [images.screenshot(1275, 1650, seed=n).convert("RGB") for n in range(7)]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=150)
    return path


def blank_pdf(path: Path, pages: int, size: tuple[float, float] = (612, 792)) -> Path:
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(*size)
    out = io.BytesIO()
    pdf.save(out)
    path.write_bytes(out.getvalue())
    return path


def test_chosen_pages_are_drawn_at_the_size_the_model_reads(document: Path) -> None:
    done = run_cli(
        "prepare", str(document), "--pages", "2-3", "--json", "--model", "gpt-4o",
        "--detail", "high", env=ENV,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["source"] for r in records] == ["report.pdf p. 2", "report.pdf p. 3"]
    for record in records:
        assert (record["sent"]["width"], record["sent"]["height"]) == (768, 994)
        # Drawn at that size, not drawn large and shrunk.
        assert (record["original"]["width"], record["original"]["height"]) == (768, 994)
    low = ImagePolicy(model="gpt-4o", detail=Detail.LOW)
    page, label = render_page(document.read_bytes(), 0, low, "report.pdf")
    assert label == "report.pdf p. 1" and Image.open(io.BytesIO(page)).size == (396, 512)


def test_the_first_pages_by_default_and_the_choice_said(document: Path) -> None:
    done = run_cli("prepare", str(document), "--json", env=ENV)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["source"] for line in done.stdout.splitlines()] == [
        f"report.pdf p. {n}" for n in range(1, 6)
    ]
    assert "report.pdf: 7 pages; sending pages 1–5" in done.stderr


@pytest.mark.parametrize(
    ("pages", "said"),
    [("9", "has 7 page(s): --pages '9'"), ("two", "write pages as 3, 2-5"), ("3-1", "has 7 page")],
)
def test_pages_that_are_not_there_end_in_one_line(document: Path, pages: str, said: str) -> None:
    done = run_cli("prepare", str(document), "--pages", pages, env=ENV)
    assert done.returncode == 2 and done.stdout == ""
    assert said in done.stderr and "report.pdf" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_damaged_pdf_ends_in_one_line_naming_it(tmp_path: Path, document: Path) -> None:
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(document.read_bytes()[:1500])
    done = run_cli("prepare", str(damaged), env=ENV)
    assert done.returncode == 2 and "damaged.pdf" in done.stderr
    assert "damaged PDF" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_too_many_pages_at_once_are_refused_and_a_huge_page_is_drawn_small(
    tmp_path: Path,
) -> None:
    many = blank_pdf(tmp_path / "many.pdf", MAX_PAGES_AT_ONCE + 1)
    with pytest.raises(ImageError, match=f"chooses {MAX_PAGES_AT_ONCE + 1} pages"):
        parse_pages("all", MAX_PAGES_AT_ONCE + 1, "many.pdf")
    assert parse_pages("2,4-5,4", 9, "x.pdf") == [1, 3, 4]
    done = run_cli("prepare", str(many), "--pages", "all", env=ENV)
    assert done.returncode == 2 and "one question takes at most" in done.stderr
    # A page of 200 × 200 inches (PDF's largest) is drawn at the size sent, never whole.
    huge = blank_pdf(tmp_path / "poster.pdf", 1, (14_400, 14_400))
    prepared = prepare(PdfPage(str(huge), 0), ImagePolicy(model="gpt-4o", detail=Detail.HIGH))
    assert (prepared.width, prepared.height) == (768, 768)
    assert prepared.label == "poster.pdf p. 1"


def test_send_sends_each_page_as_an_image(emulator: Emulator, document: Path) -> None:
    done = run_cli(
        "send", "--base-url", emulator.base_url, "--mode", "chat", "--model", "gpt-4o",
        "--detail", "high", "-p", "Summarise", str(document), "--pages", "1,7",
        env={**ENV, "OPENAI_API_KEY": "sk-test-visiondesk-0000000000000000"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [asked] = [r for r in emulator.log if r.path == "/chat/completions" and r.images]
    assert [(i.width, i.height) for i in asked.images] == [(768, 994), (768, 994)]
    assert "prepared report.pdf p. 7" in done.stderr


def test_a_page_is_saved_as_its_pdf_and_page(document: Path) -> None:
    [saved] = question_sources([(PdfPage(str(document), 2), "report.pdf p. 3", None, None)])  # type: ignore[list-item]
    assert saved.reference == str(document) and saved.page == 2 and saved.data is None
    assert saved.input == PdfPage(str(document), 2)
    with pytest.raises(ValueError, match="reference to its PDF"):
        SavedSource("x", b"bytes", None, page=1)
