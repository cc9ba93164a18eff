"""Command-line start benchmark: a script that loops over files pays the CLI's start every
time. Whole-process `visiondesk prepare` of a 1-pixel PNG against `python -c "import
PIL.Image"` (the least a Pillow command can cost), both measured in this run, alternating, the
median of RUNS each. Target: ≤ 1.5×.

    python benchmarks/cli_start.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 21
TARGET = 1.5


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        image = Path(folder) / "pixel.png"
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"from PIL import Image; Image.new('RGB', (1, 1)).save({str(image)!r})",
            ],
            check=True,
        )
        os.environ["VISIONDESK_LOG_DIR"] = folder  # nothing written into the person's folders
        baseline_command = [sys.executable, "-c", "import PIL.Image"]
        prepare_command = [sys.executable, "-m", "visiondesk", "prepare", str(image)]
        for command in (baseline_command, prepare_command):  # warm the file cache
            timed(command)
        baseline, prepare = [], []
        for _ in range(RUNS):
            baseline.append(timed(baseline_command))
            prepare.append(timed(prepare_command))
    base, cli = statistics.median(baseline), statistics.median(prepare)
    ratio = cli / base
    print(f"python -c 'import PIL.Image': {base * 1000:.0f} ms (median of {RUNS})")
    print(f"visiondesk prepare (1-pixel PNG): {cli * 1000:.0f} ms")
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(f"ratio {ratio:.2f}× (target ≤ {TARGET}×) {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
