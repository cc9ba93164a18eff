"""`visiondesk batch` on a disk that fills up mid-job: one plain line (no traceback), and the
job goes on from where it stopped once there is room again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import images
from tests.disks import fill, small_disk
from visiondesk.emulator import Emulator

WAIT = 60.0  # a deadline for a hung test, not a goal


def batch(data: Path, tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    environment = dict(
        os.environ,
        VISIONDESK_DATA_DIR=str(data),
        VISIONDESK_CONFIG_DIR=str(tmp_path / "config"),
        VISIONDESK_CACHE_DIR=str(tmp_path / "cache"),
    )
    return subprocess.Popen(
        [sys.executable, "-m", "visiondesk", "batch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def test_a_full_disk_mid_batch_is_one_line_and_the_job_resumes(
    emulator: Emulator, tmp_path: Path
) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    for number in range(4):
        images.photo(120, 90, seed=number).save(folder / f"{number}.jpg")
    emulator.api_key = None
    emulator.knobs.hold_after = 1  # the first answer goes through; the second waits
    with small_disk(tmp_path / "disk", "4m") as disk:
        common = ["--base-url", emulator.base_url, "--model", "m", "--concurrency", "1"]
        running = batch(disk / "data", tmp_path, str(folder), "-p", "What is it?", *common)
        assert emulator.wait_until(lambda store: store.admitted >= 2, WAIT)
        filler = fill(disk)  # the disk fills while the second image is being answered
        emulator.knobs.hold_after = None
        emulator.knobs.release.set()
        _, err = running.communicate(timeout=WAIT)
        assert running.returncode == 1, err
        assert "Traceback" not in err and "sqlite3" not in err and "OperationalError" not in err
        [full] = [line for line in err.splitlines() if line.startswith("visiondesk batch:")]
        assert "full" in full and "Free space" in full
        job = err.rsplit("--resume ", 1)[1].split()[0]
        filler.unlink()  # room again: the same job goes on
        resumed = batch(disk / "data", tmp_path, "--resume", job, *common[:2])
        answers, err = resumed.communicate(timeout=WAIT)
        assert resumed.returncode == 0, err
        assert "4 answered, 0 failed, 0 refused of 4" in err
        assert len(answers.splitlines()) == 3  # the other three, answered now
