"""`visiondesk prepare`: the table, the JSON lines, --out, and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from visiondesk.cli import main


@pytest.fixture
def photo(photo_path: Path) -> Path:
    return photo_path  # 2400×1800 stored with EXIF orientation 6


@pytest.fixture
def shot(shot_path: Path) -> Path:
    return shot_path


def test_json_lines_describe_every_image(
    photo: Path, shot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["prepare", "--json", "--model", "gpt-4o", "--detail", "high", str(photo), str(shot)]
    )
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["source"] for line in lines] == [str(photo), str(shot)]
    first = lines[0]
    assert first["ok"] is True
    assert first["original"] == {"width": 1800, "height": 2400, "format": "JPEG"}
    assert first["sent"]["width"] == 768
    assert first["sent"]["height"] == 1024
    assert first["sent"]["mime"] == "image/jpeg"
    assert first["sent"]["base64_chars"] == 4 * ((first["sent"]["bytes"] + 2) // 3)
    assert first["detail"] == "high"
    assert first["tokens"] == 765
    assert len(first["sha256"]) == 64
    assert any("EXIF orientation 6" in note for note in first["notes"])
    assert lines[1]["sent"]["mime"] == "image/webp"


def test_no_webp_keeps_graphics_png(shot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prepare", "--json", "--no-webp", str(shot)]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["sent"]["mime"] == "image/png"


def test_bad_images_are_reported_and_the_rest_still_prepared(
    photo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    code = main(["prepare", "--json", str(bad), str(photo)])
    assert code == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0] == {
        "source": str(bad),
        "ok": False,
        "error": f"{bad}: is not an image VisionDesk can read: it looks like a text file",
    }
    assert lines[1]["ok"] is True


def test_table_output(photo: Path, shot: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prepare", str(photo), str(shot)]) == 0
    out = capsys.readouterr().out
    assert "photo.jpg" in out
    assert "1800×2400 JPEG" in out
    assert "768×1024 JPEG" in out
    assert "shot.png" in out
    assert "1365×768 WEBP" in out
    assert "2 of 2 prepared" in out


def test_out_writes_the_encoded_files(photo: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    assert main(["prepare", "--out", str(out_dir), "--detail", "low", str(photo)]) == 0
    [written] = list(out_dir.iterdir())
    assert written.name.startswith("photo-")
    assert written.suffix == ".jpg"
    with Image.open(written) as image:
        assert image.size == (384, 512)


def test_url_sources_are_reported_as_urls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prepare", "--json", "https://example.com/a.png"]) == 0
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert line["sent"] == {"url": "https://example.com/a.png"}


@pytest.mark.parametrize(
    "argv",
    [["prepare"], ["prepare", "--detail", "huge", "x.png"], ["prepare", "--mode", "fax", "x.png"]],
)
def test_usage_errors_exit_2(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2


def test_the_installed_command_runs_without_qt(photo: Path) -> None:
    """`python -m visiondesk prepare` works and never loads Qt."""
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['visiondesk', 'prepare', '--json', {str(photo)!r}]\n"
        "try:\n"
        "    runpy.run_module('visiondesk', run_name='__main__')\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "assert not any(m.startswith(('PySide6', 'qasync')) for m in sys.modules), 'Qt loaded'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_preparing_a_png_imports_only_what_a_png_needs(shot: Path) -> None:
    """A script that runs `visiondesk prepare` per file pays for every import each time
    (benchmarks/cli_start.py): no other reader of Pillow's ~45, no HEIF plugin, no colour
    management, no URL fetching for a local file."""
    script = (
        "import sys\n"
        "from visiondesk.cli import main\n"
        f"code = main(['prepare', {str(shot)!r}])\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded = set(result.stderr.split())
    assert "PIL.PngImagePlugin" in loaded and "PIL.WebPImagePlugin" in loaded
    unneeded = {
        "PIL.TiffImagePlugin",
        "PIL.PdfImagePlugin",
        "PIL.IcnsImagePlugin",
        "PIL.ImageCms",
        "pillow_heif",
        "urllib.request",
        "asyncio",
        "importlib.metadata",
    }
    assert loaded.isdisjoint(unneeded), sorted(loaded & unneeded)
