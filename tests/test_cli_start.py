"""What a command imports before it does anything: a script that runs `visiondesk prepare`
once per file pays it every time (benchmarks/cli_start.py). Checked by module presence in a
fresh process that runs the command as the console script does, never by time."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from visiondesk.cli import main
from visiondesk.commands import COMMANDS

HEAVY = (
    "asyncio",
    "openai",
    "httpx",
    "ssl",
    "sqlite3",
    "importlib.metadata",
    "PySide6",
    "markdown_it",
    "pygments",
    "platformdirs",
    "keyring",
)
"""What no command needs to start, and only some commands need to run."""


def modules_after(*argv: str) -> tuple[int, str, set[str]]:
    """Run `visiondesk ARGV` in a new Python as the console script does; its exit code,
    output (stdout, then stderr) and every module it had imported by the end."""
    script = (
        "import sys\n"
        "from visiondesk.cli import main\n"
        "try:\n"
        f"    code = main({list(argv)!r})\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "sys.stdout.flush()\n"
        "print('\\0' + ' '.join(sorted(sys.modules)))\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    output, _, modules = result.stdout.rpartition("\0")
    return result.returncode, output + result.stderr, set(modules.split())


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m in names or m.startswith(tuple(f"{n}." for n in names)))


@pytest.fixture
def pixel(tmp_path: Path) -> Path:
    path = tmp_path / "pixel.png"
    Image.new("RGB", (1, 1)).save(path)
    return path


def test_prepare_imports_only_what_preparing_a_png_needs(pixel: Path) -> None:
    """Nothing of the other commands (asyncio, the SDK, TLS, the history, Markdown), no
    version metadata, and not what only --json and --out use or argparse's terminal width
    would pull in (json, pathlib, shutil); --json brings json and nothing heavier."""
    code, output, modules = modules_after("prepare", str(pixel))
    assert code == 0, output
    assert "1 of 1 prepared" in output
    assert loaded(modules, HEAVY) == []
    assert loaded(modules, ("json", "pathlib", "shutil", "urllib")) == []
    assert loaded(modules, ("httpx2", "httpcore", "anyio", "h11", "certifi")) == []

    code, output, modules = modules_after("prepare", "--json", str(pixel))
    assert code == 0, output
    assert '"ok": true' in output
    assert "json" in modules
    assert loaded(modules, HEAVY) == []


def test_the_command_list_and_version_import_no_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`visiondesk --help` lists every command with its one-line help from the table, without
    importing a command's module, and `--version` reads the package metadata alone; each
    `visiondesk CMD --help` is still built by the command's module, complete."""
    for argv in (["--help"], ["--version"]):
        code, output, modules = modules_after(*argv)
        assert code == 0, output
        assert sorted(m for m in modules if m.startswith("visiondesk.commands.")) == []
        assert loaded(modules, tuple(n for n in HEAVY if n != "importlib.metadata")) == []
    assert output.startswith("visiondesk ")  # the version

    code, output, _ = modules_after("--help")
    flat = " ".join(output.split())
    for name, command in COMMANDS.items():
        assert f"{name} {command.summary}" in flat

    for name in COMMANDS:
        with pytest.raises(SystemExit) as exited:
            main([name, "--help"])
        assert exited.value.code == 0
        text = capsys.readouterr().out
        assert text.startswith(f"usage: visiondesk {name} "), text
        assert "options:" in text and "-h, --help" in text


def test_doctor_checks_and_fixes_a_request_without_the_sdk(tmp_path: Path) -> None:
    """Checking a request (and writing it fixed) reads the rules and prepares the images; it
    needs no client: the SDK, asyncio and TLS load only for --upload, Markdown for exports."""
    image = tmp_path / "photo.png"
    Image.new("RGB", (4000, 3000), "teal").save(image)
    data_url = "data:image/jpeg;base64," + base64.b64encode(image.read_bytes()).decode()
    content = [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": data_url}},
    ]
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": content}]}
    request = tmp_path / "request.json"
    request.write_text(json.dumps(body))
    code, output, modules = modules_after(
        "doctor", "--endpoint", "/v1/chat/completions", str(request)
    )
    assert code == 0, output  # warnings only
    assert "mime_mismatch" in output and "Fixed request" in output
    assert loaded(modules, HEAVY) == []
