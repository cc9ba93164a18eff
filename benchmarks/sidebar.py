"""The sidebar with 500 conversations, each with an image of its own: how long the list takes
to show (filled and painted), how long until every row has its picture, how long it takes to
show again (the pictures kept), and the slowest paint while scrolling it top to bottom.

    QT_QPA_PLATFORM=offscreen python benchmarks/sidebar.py [--conversations N]

Runs on an older tree too (without pictures it prints what it can), so a before/after is the
same script with another PYTHONPATH.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("VISIONDESK_TREE", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(ROOT))

import qasync  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests import images  # noqa: E402
from visiondesk.config.profile_store import BUILTIN, EMULATOR  # noqa: E402
from visiondesk.config.secrets import Secrets  # noqa: E402
from visiondesk.domain import Detail, PreparedImage, Question  # noqa: E402
from visiondesk.emulator import Knobs  # noqa: E402
from visiondesk.store import History  # noqa: E402
from visiondesk.ui.window.controller import Controller  # noqa: E402
from visiondesk.ui.window.main_window import MainWindow  # noqa: E402
from visiondesk.workspace.jobs import Group  # noqa: E402

ROUNDS = 5
TARGETS_MS = {"list shown, first 12 pictures": 250.0, "scroll paint, slowest": 16.0}
"""The first screen of rows with its pictures within a quarter second; no scroll step slower
than a 60 Hz frame."""


def seed(folder: Path, count: int) -> None:
    """`count` conversations, each asked about a photo of its own (thumbnail as prepared)."""
    history = History(folder)
    for number in range(count):
        picture = images.photo(320, 240, seed=number)
        data, thumb = io.BytesIO(), io.BytesIO()
        picture.save(data, format="JPEG", quality=80)
        picture.resize((192, 144)).save(thumb, format="PNG", compress_level=1)
        image = PreparedImage(
            f"photo-{number}.jpg",
            f"{number:064x}",
            320,
            240,
            "JPEG",
            320,
            240,
            "image/jpeg",
            data.getvalue(),
            Detail.AUTO,
            85,
            thumbnail=thumb.getvalue(),
        )
        conversation = history.create_conversation(
            f"Conversation {number} about a photo", "Local emulator", "chat", "gpt-4o", "auto"
        )
        history.add_user_message(conversation, Question("What is in it?", (image,)))
    history.close()


async def measure(folder: Path) -> dict[str, float]:
    window = MainWindow()
    window.resize(1100, 760)
    controller = Controller(
        window,
        profiles={EMULATOR: BUILTIN[EMULATOR]},
        secrets=Secrets(use_keyring=False),
        emulator_knobs=Knobs(token_delay=0.0),
        history=History(folder),
    )
    window.show()
    await asyncio.sleep(0.3)
    presenter, listing = controller.history_view, window.sidebar.list
    jobs = controller.workspace.jobs
    pictures = getattr(Group, "PICTURES", None)
    results: dict[str, float] = {}

    async def shown(name: str) -> None:
        start = time.perf_counter()
        presenter.refresh()
        listing.viewport().repaint()
        results[name] = (time.perf_counter() - start) * 1000
        if pictures is not None:
            first = listing.item(min(listing.count(), 12) - 1)
            while first is not None and first.data(Qt.ItemDataRole.UserRole + 2) is None:
                await asyncio.sleep(0.002)
            listing.viewport().repaint()
            results[f"{name}, first 12 pictures"] = (time.perf_counter() - start) * 1000
            while jobs.running(pictures):
                await asyncio.sleep(0.002)
            listing.viewport().repaint()
            results[f"{name}, every picture"] = (time.perf_counter() - start) * 1000

    await shown("list shown")
    again: dict[str, list[float]] = {}
    for _ in range(ROUNDS):
        await shown("shown again")
        for name, value in results.items():
            if name.startswith("shown again"):
                again.setdefault(f"{name} (median of {ROUNDS})", []).append(value)
    for name in [name for name in results if name.startswith("shown again")]:
        del results[name]
    results.update({name: statistics.median(values) for name, values in again.items()})
    bar = listing.verticalScrollBar()
    paints = []
    for value in range(0, bar.maximum() + 1, max(1, listing.viewport().height() // 3)):
        bar.setValue(value)
        start = time.perf_counter()
        listing.viewport().repaint()
        paints.append((time.perf_counter() - start) * 1000)
    results["scroll paint, median"] = statistics.median(paints)
    results["scroll paint, slowest"] = max(paints)
    results["rows"] = listing.count()
    await controller.aclose()
    window.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=500)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="visiondesk-sidebar-")
    for name in ("DATA", "CONFIG", "CACHE", "LOG"):
        os.environ[f"VISIONDESK_{name}_DIR"] = os.path.join(scratch, name.lower())
    folder = Path(scratch) / "history"
    seed(folder, args.conversations)
    QApplication([])
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        results = runner.run(measure(folder))
    print(f"sidebar, {args.conversations} conversations with an image each ({ROOT}):")
    for name, value in results.items():
        target = TARGETS_MS.get(name)
        goal = "" if target is None else f"  (target ≤ {target:.0f} ms)"
        print(f"  {name:44} {value:8.1f}" + ("" if name == "rows" else " ms") + goal)
    missed = [name for name, target in TARGETS_MS.items() if results.get(name, 0.0) > target]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
