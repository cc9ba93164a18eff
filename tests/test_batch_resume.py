"""kill -9 in the middle of a batch, then --resume: nothing answered is sent again, nothing is
lost (both engines; the emulator counts every answered request body)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests import images
from visiondesk.domain import ItemStatus
from visiondesk.emulator import Emulator
from visiondesk.store.batches import BatchStore

COUNT = 6
TIMEOUT = 60


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "images"
    root.mkdir()
    for n in range(COUNT):
        images.photo(400 + 10 * n, 300, seed=n).save(root / f"p{n}.jpg", quality=80)
    return root


def start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env["VISIONDESK_DATA_DIR"] = str(tmp_path / "data")
    env["VISIONDESK_CONFIG_DIR"] = str(tmp_path / "config")
    return subprocess.Popen(
        [sys.executable, "-m", "visiondesk", "batch", *args, "--json", "--poll", "0.02"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """stdout lines as they come, read on a thread so waiting on them can time out."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    return lines


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=TIMEOUT)


def finish(tmp_path: Path, job_id: int) -> subprocess.CompletedProcess[str]:
    process = start(tmp_path, "--resume", str(job_id))
    out, err = process.communicate(timeout=TIMEOUT)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_live_job_killed_midway_resumes_without_resending(
    emulator: Emulator, folder: Path, tmp_path: Path
) -> None:
    emulator.api_key = None
    emulator.knobs.hold_after = 3  # three answers, then the next requests hang unanswered
    process = start(
        tmp_path, str(folder), "-p", "What?", "--base-url", emulator.base_url, "--concurrency", "2"
    )
    arrived = lines_of(process)
    answered = [json.loads(arrived.get(timeout=TIMEOUT)) for _ in range(3)]
    kill(process)
    emulator.knobs.hold_after = None
    emulator.knobs.release.set()  # the held requests are dropped, never answered
    store = BatchStore(tmp_path / "data")
    job_id = store.jobs()[0].id
    assert store.counts(job_id)[ItemStatus.DONE] == 3
    result = finish(tmp_path, job_id)
    assert result.returncode == 0, result.stderr
    resent = [json.loads(line)["image"] for line in result.stdout.splitlines()]
    assert sorted(resent) == sorted(
        str(p) for p in folder.iterdir() if str(p) not in {a["image"] for a in answered}
    )
    assert store.counts(job_id)[ItemStatus.DONE] == COUNT
    assert emulator.store.answered_total == COUNT and emulator.store.duplicates == 0
    store.close()


def test_batch_api_job_killed_after_creating_its_batch_resumes_it(
    emulator: Emulator, folder: Path, tmp_path: Path
) -> None:
    emulator.api_key = None
    emulator.knobs.batch_delay = 0.2
    process = start(
        tmp_path,
        str(folder),
        "-p",
        "What?",
        "--base-url",
        emulator.base_url,
        "--engine",
        "batch-api",
    )
    created = emulator.wait_until(
        lambda s: any(r.method == "POST" and r.path == "/batches" for r in s.log), TIMEOUT
    )
    kill(process)
    assert created
    store = BatchStore(tmp_path / "data")
    job_id = store.jobs()[0].id
    result = finish(tmp_path, job_id)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == COUNT
    assert store.counts(job_id)[ItemStatus.DONE] == COUNT
    creates = [r for r in emulator.log if r.method == "POST" and r.path == "/batches"]
    uploads = [r for r in emulator.log if r.method == "POST" and r.path == "/files"]
    assert len(creates) == 1 and len(uploads) == 1
    assert emulator.store.answered_total == COUNT and emulator.store.duplicates == 0
    store.close()
