"""The first paint stays cheap: the window is on screen before the heavy parts load — the SDK
(openai), Pillow, sqlite3, Markdown (markdown-it, Pygments), the message widgets and the
model's types (visiondesk.domain and workspace: hashlib's OpenSSL and dataclasses, about as
much as building QtCore.Qt), which are where the start-up time is (benchmarks/ui.py, "first
window"). Qt itself is imported and used normally. A fresh interpreter, since this one has
them all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

FIRST_PAINT = """
import json, sys
from visiondesk.ui.app import make_app
from visiondesk.ui.window.main_window import MainWindow
app = make_app([])
window = MainWindow()
window.show()
app.processEvents()
print(json.dumps(sorted(sys.modules)))
"""

HEAVY = ("openai", "PIL", "sqlite3", "_sqlite3", "markdown_it", "pygments")
"""Top-level packages that load only after the first paint."""
LATE = (
    "visiondesk.ui.transcript.message_widgets",
    "visiondesk.ui.widgets.markdown_view",
    "visiondesk.ui.attachments.attachment_card",
    "visiondesk.domain",
    "visiondesk.workspace",
    "visiondesk.imaging",
)
"""The message widgets and Markdown view (built with the first message), the attachment card
(with the first card) and the model's types (with the presenters)."""


def first_paint() -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    modules: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return modules


def test_the_window_shows_before_the_heavy_modules_load() -> None:
    modules = first_paint()

    heavy = [name for name in modules if name.split(".")[0] in HEAVY]
    assert heavy == [], "loaded before the first paint"
    assert [name for name in modules if name.startswith(LATE)] == []
    assert "visiondesk.ui.window.main_window" in modules  # the check saw the window
