"""Bundle start-up: process start (a double-click) → window shown, for `make package`'s
bundle against a bare PySide6 hello bundle built the same way (PyInstaller, one folder,
windowed) in a temporary folder in the same run. Target ≤ 1.5×.

VisionDesk reports the moment its window is shown when VISIONDESK_REPORT_SHOWN is set
(visiondesk/ui/app.py); the hello app prints the same marker. Runs alternate between the two
after one warm-up each (file cache), and each gets a fresh data folder and instance name.

    make bench-package                  (builds dist/VisionDesk first; not part of make test)
    python benchmarks/bundle.py [--bundle dist/VisionDesk/VisionDesk] [--repeat N]
                                [--compare OTHER_BUNDLE]   (e.g. one built from an older commit)
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5
TIMEOUT = 60.0
TODAY = 1.75
"""The ratio before the window came first (issue 15), for the line printed next to the target."""

HELLO = """\
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.setWindowTitle("Hello")
window.show()
app.processEvents()
print(f"shown {time.time():.6f}", flush=True)
"""


def build_hello(folder: Path) -> Path:
    """The hello app as a one-folder, windowed bundle, as packaging/visiondesk.spec builds."""
    script = folder / "hello.py"
    script.write_text(HELLO)
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        "--onedir",
        "--windowed",
        "--name=Hello",
        f"--distpath={folder / 'dist'}",
        f"--workpath={folder / 'build'}",
        f"--specpath={folder}",
        "--exclude-module=tkinter",
        str(script),
    ]
    subprocess.run(command, check=True, cwd=folder)
    return folder / "dist" / "Hello" / "Hello"


def time_to_shown(executable: Path, folder: Path, run: int) -> float:
    """Seconds from starting the process to its 'shown <time>' line."""
    data = folder / f"data-{run}"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "VISIONDESK_REPORT_SHOWN": "1",
        "VISIONDESK_DATA_DIR": str(data),
        "VISIONDESK_INSTANCE": f"visiondesk-bench-{os.getpid()}-{run}",
    }
    started = time.time()
    process = subprocess.Popen(
        [str(executable)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    assert process.stdout is not None
    try:
        deadline = started + TIMEOUT
        while True:
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.time()))
            if not ready:
                raise RuntimeError(f"{executable.name} showed no window within {TIMEOUT:.0f} s")
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"{executable.name} exited before showing a window")
            if line.startswith("shown "):
                return float(line.split()[1]) - started
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "VisionDesk" / "VisionDesk")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--compare", type=Path, help="another VisionDesk bundle, same runs")
    options = parser.parse_args()
    if not options.bundle.is_file():
        print(f"no bundle at {options.bundle}: run `make package` first", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("building the hello bundle with PyInstaller …", flush=True)
        hello = build_hello(folder)
        runs = {"hello": hello, "VisionDesk": options.bundle.resolve()}
        if options.compare:
            runs["compared"] = options.compare.resolve()
        for executable in runs.values():
            time_to_shown(executable, folder, -1)  # warm-up: the file cache
        times: dict[str, list[float]] = {name: [] for name in runs}
        for run in range(options.repeat):
            for name, executable in runs.items():
                times[name].append(time_to_shown(executable, folder, run))
    bare = statistics.median(times["hello"])
    ours = statistics.median(times["VisionDesk"])
    ratio = ours / bare
    print(f"process start → window shown, median of {options.repeat} (offscreen):")
    print(f"    PySide6 hello bundle {bare * 1000:7.0f} ms")
    print(
        f"    VisionDesk bundle    {ours * 1000:7.0f} ms   {ratio:.2f}×  [target ≤ {TARGET}×; "
        f"before the window came first: {TODAY}×]"
    )
    if options.compare:
        other = statistics.median(times["compared"])
        print(f"    compared bundle      {other * 1000:7.0f} ms   {other / bare:.2f}×")
    ok = ratio <= TARGET
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
