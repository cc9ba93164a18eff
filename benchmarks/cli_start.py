"""Command-line start benchmark: a script that loops over files pays the CLI's start every
time. Whole-process `visiondesk prepare` of a 1-pixel PNG, run the way the README tells people
to (the console script `.venv/bin/visiondesk`, on this checkout), against
`python -c "import PIL.Image"` (the least a Pillow command can cost). Target: ≤ 1.5×.

Also timed in the same rounds: `python -m visiondesk prepare`, and the floor, a script that
does only what any prepare of that PNG must (Pillow opens, decodes and encodes it as lossless
WebP, hashes the bytes, prints a line). Every command runs once per round, in an order that
rotates; each figure is the median of the rounds, wall clock (the verdict) and CPU time (less
swayed by the other work of a shared machine), between two readings of the load average.

    python benchmarks/cli_start.py [--rounds N] [--compare OTHER_CHECKOUT]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 41
TARGET = 1.5

FLOOR = """\
import hashlib, io, sys
from PIL import Image, PngImagePlugin, WebPImagePlugin
data = open(sys.argv[1], "rb").read()
image = Image.open(io.BytesIO(data), formats=["PNG"])
image.load()
out = io.BytesIO()
image.save(out, "WEBP", lossless=True)
print(sys.argv[1], image.size, len(out.getvalue()), hashlib.sha256(data).hexdigest())
"""


def console_script() -> list[str]:
    """The installed `visiondesk` wrapper beside this Python (what people run), else the same
    two lines it holds."""
    script = Path(sys.executable).parent / "visiondesk"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "import sys; from visiondesk.cli import main; sys.exit(main())"]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds (user + system), of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="CHECKOUT",
        help="also time the console script on another checkout (e.g. an older commit's)",
    )
    arguments = parser.parse_args()
    rounds = arguments.rounds
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
        # This checkout first (an editable install of another one must not be measured);
        # bytecode written by the warm-up run, as an installed package has it; nothing written
        # into the person's folders.
        env = {**os.environ, "PYTHONPATH": str(ROOT), "VISIONDESK_LOG_DIR": folder}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        prepare = [*console_script(), "prepare", str(image)]
        commands = {
            "python -c 'import PIL.Image'": ([sys.executable, "-c", "import PIL.Image"], env),
            "visiondesk prepare (console script)": (prepare, env),
            "python -m visiondesk prepare": (
                [sys.executable, "-m", "visiondesk", "prepare", str(image)],
                env,
            ),
            "floor: Pillow's part of prepare alone": (
                [sys.executable, "-c", FLOOR, str(image)],
                env,
            ),
        }
        if arguments.compare is not None:
            other = {**env, "PYTHONPATH": str(arguments.compare.resolve())}
            commands[f"visiondesk prepare ({arguments.compare.name})"] = (prepare, other)
        names = list(commands)
        for command, command_env in commands.values():  # warm the file cache and bytecode
            timed(command, command_env)
        print(f"load average before: {load()} ({os.cpu_count()} cores)")
        times: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        for round_ in range(rounds):
            order = names[round_ % len(names) :] + names[: round_ % len(names)]
            for name in order:
                wall, used = timed(*commands[name])
                times[name].append(wall)
                cpu[name].append(used)
        print(f"load average after:  {load()}")
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu.items()}
    base, cpu_base = medians[names[0]], cpu_medians[names[0]]
    print(f"{'':<40} {'wall (median)':>14} {'range':>10} {'CPU (median)':>14}")
    for name in names:
        low, high = min(times[name]) * 1000, max(times[name]) * 1000
        print(
            f"{name:<40} {medians[name] * 1000:5.0f} ms {medians[name] / base:4.2f}×"
            f" {low:4.0f}–{high:<4.0f} {cpu_medians[name] * 1000:5.0f} ms"
            f" {cpu_medians[name] / cpu_base:4.2f}×"
        )
    ratio = medians[names[1]] / base
    verdict = "PASS" if ratio <= TARGET else "MISS"
    print(
        f"visiondesk prepare: {ratio:.2f}× `import PIL.Image` (median of {rounds} rounds, "
        f"wall clock; CPU {cpu_medians[names[1]] / cpu_base:.2f}×), target ≤ {TARGET}×: {verdict}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
