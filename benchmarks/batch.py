"""Batch benchmark against the emulator (no token delay, --batch-delay 0), same run:

(a) Live engine over N generated images (mixed photos and screenshots): images/s and peak RSS,
    against the script people write today (one image at a time, the naive pipeline from
    ../shared/baseline, Chat Completions without streaming) on a sample of the same images.
(b) Batch API engine end to end: time, peak RSS, the JSONL input files' count and sizes.
(c) kill -9 at 50% of a live job, then --resume: time until the first new answer and until
    the end, and duplicated requests as counted by the emulator (target 0).

Each run is `python -m visiondesk batch` in a child process (peak RSS is the child's own).

    python benchmarks/batch.py [--count 1000] [--baseline-sample 100]
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import images  # noqa: E402
from visiondesk.emulator import Emulator, Knobs  # noqa: E402
from visiondesk.store.batches import BatchStore  # noqa: E402

SHARED = Path(os.environ.get("VISIONDESK_SHARED", ROOT.parent / "shared"))
CHILD = (
    "import resource, sys\n"
    "from visiondesk.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "usage = resource.getrusage(resource.RUSAGE_SELF)\n"
    "peak = usage.ru_maxrss\n"
    "# ru_maxrss survives exec and so counts the forking parent's pages: on Linux read the\n"
    "# high-water mark of this program's own memory instead.\n"
    "try:\n"
    "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
    "    peak = int(status.split()[0])\n"
    "except (OSError, IndexError, ValueError):\n"
    "    pass\n"
    "print(f'PEAK_RSS_KB {peak}', file=sys.stderr)\n"
    "print(f'CPU_S {usage.ru_utime + usage.ru_stime}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)
BASELINE = """
import sys
sys.path.insert(0, sys.argv[1])
from naive_pipeline import data_url as naive_data_url
from openai import OpenAI
client = OpenAI(base_url=sys.argv[2], api_key="not-needed", max_retries=0)
for path in sys.argv[3:]:
    data_url = naive_data_url(path, 2048)
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": [
        {"type": "text", "text": "Alt text?"},
        {"type": "image_url", "image_url": {"url": data_url}}]}])
peak = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print("PEAK_RSS_KB", peak, file=sys.stderr)
"""


def generate(folder: Path, count: int) -> list[Path]:
    """Photos (JPEG, 1600×1200) and screenshots (PNG, 1280×800), every one different."""
    paths = []
    for n in range(count):
        if n % 3 == 2:
            path = folder / f"shot{n:05d}.png"
            images.screenshot(1280, 800, seed=n).save(path)
        else:
            path = folder / f"photo{n:05d}.jpg"
            images.photo(1600, 1200, seed=n).save(path, quality=85)
        paths.append(path)
    return paths


def environment(data: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["VISIONDESK_DATA_DIR"] = str(data)
    env["VISIONDESK_CONFIG_DIR"] = str(data / "config")
    env["PYTHONPATH"] = str(ROOT)
    return env


def batch(data: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, "batch", *args, "--json", "--poll", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(data),
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, int]:
    out, err = process.communicate()
    if process.returncode not in (0, 1):
        raise RuntimeError(err[-2000:])
    return out.count("\n"), err, peak_rss(err)


def peak_rss(stderr: str) -> int:
    return int(reported(stderr, "PEAK_RSS_KB")) // 1024


def reported(stderr: str, name: str) -> float:
    for line in stderr.splitlines():
        if line.startswith(name):
            return float(line.split()[1])
    return -1.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--baseline-sample", type=int, default=100)
    parser.add_argument("--parts", default="abc", help="which measurements to run, e.g. b")
    options = parser.parse_args()
    ok = True
    knobs = Knobs(token_delay=0.0, batch_delay=0.0, file_processing_delay=0.0)
    with tempfile.TemporaryDirectory() as tmp, Emulator(knobs=knobs) as emulator:
        root = Path(tmp)
        folder = root / "images"
        folder.mkdir()
        started = time.perf_counter()
        paths = generate(folder, options.count)
        size = sum(p.stat().st_size for p in paths)
        print(
            f"{len(paths)} images generated ({size / 2**20:.0f} MB) in "
            f"{time.perf_counter() - started:.0f} s"
        )
        url = emulator.base_url

        if "a" in options.parts:
            print("\n(a) Live engine, concurrency 4")
            sample = [str(p) for p in paths[: options.baseline_sample]]
            started = time.perf_counter()
            naive = subprocess.run(
                [sys.executable, "-c", BASELINE, str(SHARED / "baseline"), url, *sample],
                capture_output=True,
                text=True,
                env=environment(root / "naive"),
            )
            naive_rate = len(sample) / (time.perf_counter() - started)
            if naive.returncode != 0:
                raise RuntimeError(naive.stderr[-2000:])
            print(
                f"    naive script, one at a time ({len(sample)} images): "
                f"{naive_rate:6.1f} images/s, peak RSS {peak_rss(naive.stderr)} MB"
            )
            started = time.perf_counter()
            server_cpu = time.process_time()
            lines, err, rss = finish(
                batch(root / "live", str(folder), "-p", "Alt text?", "--base-url", url)
            )
            elapsed = time.perf_counter() - started
            server_cpu = time.process_time() - server_cpu
            rate = lines / elapsed
            client_cpu = reported(err, "CPU_S")
            print(
                f"    visiondesk batch ({lines} images): {rate:6.1f} images/s in {elapsed:.1f} s, "
                f"peak RSS {rss} MB  [targets ≥ 20 images/s, ≤ 300 MB]"
            )
            per_image = (client_cpu + server_cpu) / max(1, lines)
            print(
                f"    CPU per image: client {client_cpu / max(1, lines) * 1000:.0f} ms + emulator "
                f"{server_cpu / max(1, lines) * 1000:.0f} ms → {2 / per_image:.1f} images/s on 2 "
                f"idle cores (load average now {os.getloadavg()[0]:.1f})"
            )
            print(f"    live / naive = {rate / naive_rate:.1f}×")
            ok &= rate >= 20 and 0 < rss <= 300

        if "b" in options.parts:
            print("\n(b) Batch API engine, --batch-delay 0")
            started = time.perf_counter()
            data = root / "batch-api"
            lines, _, rss = finish(
                batch(
                    data, str(folder), "-p", "Alt text?", "--base-url", url, "--engine", "batch-api"
                )
            )
            elapsed = time.perf_counter() - started
            store = BatchStore(data)
            parts = store.parts(store.jobs()[0].id)
            store.close()
            print(
                f"    {lines} images end to end in {elapsed:.1f} s "
                f"({lines / elapsed:.1f} images/s), peak RSS {rss} MB  [target ≤ 300 MB]"
            )
            print(
                f"    {len(parts)} JSONL input file(s): "
                + ", ".join(f"{p.lines} lines / {p.bytes / 2**20:.1f} MB" for p in parts)
            )
            ok &= 0 < rss <= 300

        if "c" in options.parts:
            print("\n(c) kill -9 at 50% of a live job, then --resume")
            half = len(paths) // 2
            before = emulator.store.answered_total
            duplicates_before = emulator.store.duplicates
            emulator.knobs.release.clear()
            emulator.store.admitted = 0
            emulator.knobs.hold_after = half
            data = root / "resume"
            process = batch(data, str(folder), "-p", "Resume?", "--base-url", url)
            arrived: queue.Queue[str] = queue.Queue()

            def pump() -> None:
                for line in process.stdout or []:
                    arrived.put(line)

            threading.Thread(target=pump, daemon=True).start()
            for _ in range(half):
                arrived.get(timeout=600)
            process.send_signal(signal.SIGKILL)
            process.wait()
            emulator.knobs.hold_after = None
            emulator.knobs.release.set()
            store = BatchStore(data)
            job_id = store.jobs()[0].id
            store.close()
            started = time.perf_counter()
            resumed = batch(data, "--resume", str(job_id))
            first, lines = None, 0
            for _ in resumed.stdout or []:
                first = first if first is not None else time.perf_counter() - started
                lines += 1
            resumed.wait()
            total = time.perf_counter() - started
            answered = emulator.store.answered_total - before
            duplicates = emulator.store.duplicates - duplicates_before
            print(
                f"    killed after {half} answers; resumed: first new answer after "
                f"{first or 0:.2f} s, the remaining {lines} in {total:.1f} s"
            )
            print(
                f"    answered by the emulator in this part: {answered} for {len(paths)} images; "
                f"duplicated requests: {duplicates}  [target 0]"
            )
            ok &= duplicates == 0 and answered == len(paths)
    print("\nall targets met" if ok else "\nSOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
