"""`visiondesk batch`: exit codes, results on stdout and in files, failures listed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests import images
from visiondesk.cli import main
from visiondesk.emulator import Emulator

SCHEMA = {"type": "object", "properties": {"caption": {"type": "string"}}}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "images"
    (root / "deeper").mkdir(parents=True)
    images.photo(500, 400, seed=1).save(root / "a.jpg")
    images.screenshot(600, 300).save(root / "deeper" / "b.png")
    return root


@pytest.fixture(autouse=True)
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISIONDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("VISIONDESK_CONFIG_DIR", str(tmp_path / "config"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "x"], "give folders or images"),
        (["nowhere", "-p", "x", "--base-url", "http://127.0.0.1:9/v1"], "not found: nowhere"),
        (["--resume", "99"], "no batch job 99"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["batch", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_schema_that_is_not_an_object_is_refused(
    capsys: pytest.CaptureFixture[str], folder: Path, tmp_path: Path
) -> None:
    schema = tmp_path / "schema.json"
    schema.write_text('{"type": "string"}')
    args = ["batch", str(folder), "-p", "x", "--base-url", "http://127.0.0.1:9/v1"]
    assert main([*args, "--schema", str(schema)]) == 2
    assert "must describe a JSON object" in capsys.readouterr().err


def test_results_go_to_stdout_and_files_and_failures_exit_1(
    capsys: pytest.CaptureFixture[str], emulator: Emulator, folder: Path, tmp_path: Path
) -> None:
    emulator.api_key = None
    emulator.knobs.batch_fail_lines = 1
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(SCHEMA))
    code = main(
        [
            "batch",
            str(folder),
            "-p",
            "Caption?",
            "--base-url",
            emulator.base_url,
            "--engine",
            "batch-api",
            "--mode",
            "responses",
            "--schema",
            str(schema),
            "--poll",
            "0.01",
            "--json",
            "--out",
            str(tmp_path / "r.jsonl"),
            "--csv",
            str(tmp_path / "r.csv"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1
    printed = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["status"] for r in printed) == ["done", "failed"]
    failed = next(r for r in printed if r["status"] == "failed")
    assert f"failed: {failed['image']}" in err  # listed on stderr
    done = next(r for r in printed if r["status"] == "done")
    assert done["answer"]["caption"].startswith(f"{done['width']}×{done['height']}")
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert list(rows[0]) == ["image", "caption", "status", "error"]
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 2
