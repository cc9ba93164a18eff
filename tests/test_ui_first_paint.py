"""The first paint stays cheap: the window is on screen before PySide6 builds QtCore.Qt (93
enum classes, ~17 ms on Python 3.11) and before the model, Markdown or the message widgets
load (benchmarks/ui.py, "first window"). A fresh interpreter, since this one has them all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

FIRST_PAINT = """
import json, sys
import PySide6.QtCore as QtCore
from visiondesk.ui.app import make_app
from visiondesk.ui.window.main_window import MainWindow
app = make_app([])
window = MainWindow()
window.show()
app.processEvents()
print(json.dumps({
    "qt_namespace": "Qt" in vars(QtCore),
    "modules": sorted(name for name in sys.modules if name.startswith("visiondesk")),
}))
"""


def first_paint() -> dict[str, object]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_the_window_shows_before_qt_namespace_and_model_load() -> None:
    shown = first_paint()

    assert shown["qt_namespace"] is False, "something before the first paint touched QtCore.Qt"
    modules = shown["modules"]
    assert isinstance(modules, list)
    late = [
        name
        for name in modules
        if name.startswith(("visiondesk.domain", "visiondesk.workspace", "visiondesk.imaging"))
        or name
        in ("visiondesk.ui.transcript.message_widgets", "visiondesk.ui.transcript.markdown_view")
    ]
    assert late == []
    assert "visiondesk.ui.window.main_window" in modules
