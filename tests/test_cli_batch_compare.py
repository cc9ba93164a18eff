"""`visiondesk batch --compare`: every image asked once per column, against the emulator, which
answers with what each request carried — so each column is checked to have got its own sizes;
results name their column, the CSV puts the columns side by side, and a stopped compare job
resumes without asking anything twice."""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
from pathlib import Path

import pytest

from tests import images
from tests.cli_runs import run_cli
from tests.conftest import TEST_KEY
from visiondesk.batch import BatchJob, Estimate, JobSpec
from visiondesk.batch.shared_preparations import SharedPreparations
from visiondesk.compare import ColumnSpec
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, BatchEngine, Detail, ItemStatus, PreparedImage
from visiondesk.emulator import Emulator
from visiondesk.imaging import ImagePolicy, policy_for
from visiondesk.store.batches import BatchStore

COLUMNS = ["gpt-4o:chat:high", "gpt-4.1-mini:responses:low", "gpt-4o:responses:high"]
LABELS = ["[1] gpt-4o chat high", "[2] gpt-4.1-mini responses low", "[3] gpt-4o responses high"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "images"
    root.mkdir()
    photo = images.jpeg_with_exif(images.photo(2400, 1800), orientation=6)
    (root / "a-photo.jpg").write_bytes(photo)
    images.screenshot(600, 300).save(root / "b-shot.png")
    return root


def batch(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env: dict[str, str | None] = {
        "VISIONDESK_DATA_DIR": str(tmp_path / "data"),
        "VISIONDESK_CONFIG_DIR": str(tmp_path / "config"),
    }
    return run_cli("batch", *args, env=env)


def compare_args(emulator: Emulator, folder: Path, tmp_path: Path) -> list[str]:
    specs = [f"--compare={spec}" for spec in COLUMNS]
    files = ["--out", str(tmp_path / "r.jsonl"), "--csv", str(tmp_path / "r.csv")]
    return [str(folder), "-p", "What?", "--base-url", emulator.base_url, *specs, *files]


def test_each_image_is_answered_once_per_column_with_its_own_sizes(
    emulator: Emulator, folder: Path, tmp_path: Path
) -> None:
    emulator.api_key = None
    done = batch(tmp_path, *compare_args(emulator, folder, tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    assert "2 images × 3 columns" in done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(printed) == 6 and all(r["status"] == "done" for r in printed)
    saved = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert sorted(saved, key=str) == sorted(printed, key=str)
    photo = {r["column"]: r for r in printed if r["image"].endswith("a-photo.jpg")}
    asked = [(photo[i]["model"], photo[i]["mode"], photo[i]["detail"]) for i in range(3)]
    assert asked == [
        ("gpt-4o", "chat", "high"),
        ("gpt-4.1-mini", "responses", "low"),
        ("gpt-4o", "responses", "high"),
    ]
    assert (photo[1]["width"], photo[1]["height"], photo[1]["image_tokens"]) == (384, 512, 312)
    # The emulator's table of what each request carried: each column its own.
    assert "| 768×1024 | image/jpeg | data_url | high | 765 |" in photo[0]["answer"]
    assert "| 384×512 | image/jpeg | data_url | low | 312 |" in photo[1]["answer"]
    assert "| 768×1024 | image/jpeg | data_url | high | 765 |" in photo[2]["answer"]
    assert photo[1]["input_tokens"] > 312 and photo[1]["output_tokens"] > 0
    paths = sorted(r.path for r in emulator.log if r.method == "POST")
    assert paths == ["/chat/completions"] * 2 + ["/responses"] * 4

    with (tmp_path / "r.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))  # a row once all of its image's columns are done
    rows.sort(key=lambda row: Path(row["image"]).name)
    assert [Path(row["image"]).name for row in rows] == ["a-photo.jpg", "b-shot.png"]
    header = list(rows[0])
    assert header[:3] == ["image", f"{LABELS[0]}: answer", f"{LABELS[0]}: status"]
    assert [name for name in header if name.endswith(": sent size")] == [
        f"{label}: sent size" for label in LABELS
    ]
    first = rows[0]
    assert [first[f"{label}: sent size"] for label in LABELS] == [
        "768×1024",
        "384×512",
        "768×1024",
    ]
    assert "| 384×512 |" in first[f"{LABELS[1]}: answer"]
    assert first[f"{LABELS[1]}: image tokens"] == "312"


def test_a_stopped_compare_job_resumes_without_asking_anything_twice(
    emulator: Emulator, folder: Path, tmp_path: Path
) -> None:
    emulator.api_key = None
    emulator.knobs.disabled_modes = {"responses"}  # column 2 stops the job, as a 404 does
    args = compare_args(emulator, folder, tmp_path)
    stopped = batch(tmp_path, *args, "--concurrency", "1")
    assert stopped.returncode == 1 and "--resume 1" in stopped.stderr
    assert "a-photo.jpg [1: gpt-4o · chat · detail high]: **VisionDesk emulator**" in stopped.stdout
    with (tmp_path / "r.csv").open(newline="") as handle:
        (partial,) = csv.DictReader(handle)  # the photo's row, its columns 2 and 3 unfinished
    assert partial[f"{LABELS[0]}: status"] == "done"
    assert partial[f"{LABELS[1]}: status"] == partial[f"{LABELS[2]}: status"] == "pending"

    emulator.knobs.disabled_modes = set()
    files = ["--out", str(tmp_path / "r.jsonl"), "--csv", str(tmp_path / "r.csv")]
    resumed = batch(tmp_path, "--resume", "1", "--base-url", emulator.base_url, *files)
    assert resumed.returncode == 0, resumed.stderr
    assert "6 answered, 0 failed, 0 refused of 6" in resumed.stderr
    assert emulator.store.answered_total == 6 and emulator.store.duplicates == 0
    with (tmp_path / "r.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 2
    assert all(row[f"{label}: status"] == "done" for row in rows for label in LABELS)
    lines = (tmp_path / "r.jsonl").read_text().splitlines()
    assert sorted((json.loads(line)["image"], json.loads(line)["column"]) for line in lines) == [
        (str(folder / name), column)
        for name in ("a-photo.jpg", "b-shot.png")
        for column in range(3)
    ]
    store = BatchStore(tmp_path / "data")
    assert store.counts(1)[ItemStatus.DONE] == 6
    job = store.job(1)
    assert job is not None
    assert job.columns[1] == ColumnSpec("gpt-4.1-mini", ApiMode.RESPONSES, Detail.LOW)
    store.close()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--compare", "gpt-4o:assistants", "--compare", "gpt-4o"], "asks in assistants mode"),
        (["--compare", "gpt-4o"], "compare takes 2 to 4 columns (--compare given 1 time)"),
    ],
)
def test_columns_a_batch_cannot_ask_exit_2_in_one_line(
    tmp_path: Path, folder: Path, args: list[str], said: str
) -> None:
    done = batch(tmp_path, str(folder), "-p", "x", "--base-url", "http://127.0.0.1:9/v1", *args)
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_on_the_batch_api_each_column_is_a_file_and_a_batch_of_its_own(
    emulator: Emulator, folder: Path, tmp_path: Path
) -> None:
    emulator.api_key = None
    args = compare_args(emulator, folder, tmp_path)
    done = batch(tmp_path, *args, "--engine", "batch-api", "--poll", "0.01", "--json")
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted((Path(r["image"]).name, r["column"]) for r in printed) == [
        (name, column) for name in ("a-photo.jpg", "b-shot.png") for column in range(3)
    ]
    photo = {r["column"]: r for r in printed if r["image"].endswith("a-photo.jpg")}
    assert "| 768×1024 | image/jpeg | data_url | high | 765 |" in photo[0]["answer"]
    assert "| 384×512 | image/jpeg | data_url | low | 312 |" in photo[1]["answer"]
    assert "(gpt-4.1-mini)" in photo[1]["answer"]
    posted = [r for r in emulator.log if r.method == "POST"]
    assert (
        sorted(r.path for r in posted if r.path in ("/files", "/batches"))
        == ["/batches"] * 3 + ["/files"] * 3
    )
    endpoints = sorted(r.body["endpoint"] for r in posted if r.path == "/batches")
    assert endpoints == ["/v1/chat/completions", "/v1/responses", "/v1/responses"]


def test_a_compare_job_stopped_live_finishes_on_the_batch_api(
    emulator: Emulator, folder: Path, tmp_path: Path
) -> None:
    emulator.api_key = None
    emulator.knobs.disabled_modes = {"chat"}  # the first request stops the job, to be resumed
    args = [*compare_args(emulator, folder, tmp_path), "--concurrency", "1"]
    assert batch(tmp_path, *args).returncode == 1
    emulator.knobs.disabled_modes = set()
    moved = batch(tmp_path, "--resume", "1", "--retry-failed", "--engine", "batch-api",
                  "--base-url", emulator.base_url, "--poll", "0.01")  # fmt: skip
    assert moved.returncode == 0, moved.stderr
    assert "6 answered, 0 failed, 0 refused of 6" in moved.stderr
    assert emulator.store.answered_total == 6 and emulator.store.duplicates == 0


def test_columns_sending_the_same_pixels_share_one_preparation(
    tmp_path: Path, folder: Path
) -> None:
    store = BatchStore(tmp_path / "data")
    specs = [
        ColumnSpec("gpt-4o", ApiMode.CHAT, Detail.HIGH),
        ColumnSpec("gpt-4o", ApiMode.RESPONSES, Detail.LOW),
        ColumnSpec("gpt-4o", ApiMode.RESPONSES, Detail.HIGH),
    ]
    job_id = store.create_job(
        profile="p",
        base_url="http://127.0.0.1:9/v1",
        mode=ApiMode.CHAT,
        model="gpt-4o",
        detail=Detail.HIGH,
        engine=BatchEngine.LIVE,
        prompt="What?",
        instructions=None,
        schema=None,
        images=[(str(folder / "a-photo.jpg"), "a" * 64)],
        columns=specs,
    )
    job = store.job(job_id)
    assert job is not None
    items = store.items(job_id)
    assert [item.column for item in items] == [0, 1, 2]

    def policy(column: int | None) -> ImagePolicy:
        asked = job.asks(column)
        return policy_for(asked.mode, asked.model, asked.detail)

    async def prepare_all() -> list[PreparedImage]:
        shared = SharedPreparations(job, items, lambda item: policy(item.column))
        prepared = await asyncio.gather(*(shared.get(i, policy(i.column)) for i in items))
        assert shared.prepared == 2
        return prepared

    chat, low, responses = asyncio.run(prepare_all())
    assert responses is chat and low is not chat
    assert (chat.width, low.width) == (768, 384)
    store.close()


def test_the_estimate_needs_a_batch_api_file_per_column(
    emulator: Emulator, profile: Profile, tmp_path: Path, folder: Path
) -> None:
    store = BatchStore(tmp_path / "data")
    columns = (
        ColumnSpec("gpt-4o", ApiMode.CHAT, Detail.HIGH),
        ColumnSpec("gpt-4.1-mini", ApiMode.RESPONSES, Detail.LOW),
    )
    spec = JobSpec(profile, "What?", "gpt-4o", engine=BatchEngine.BATCH_API, columns=columns)
    job = BatchJob.create(store, spec, [folder], TEST_KEY)

    async def estimate() -> Estimate:
        try:
            return await job.estimate()
        finally:
            await job.aclose()

    estimated = asyncio.run(estimate())
    assert estimated.input_files == 2 and estimated.images == 4
    assert estimated.image_tokens == 765 + 425 + 312 + 208  # each column's own sizes
    assert estimated.cost is not None and estimated.cost > 0
    assert [(i.column, i.width) for i in store.items(job.id)] == [
        (0, 768),
        (1, 384),
        (0, 600),
        (1, 512),
    ]
    store.close()
