"""The core runs without Qt (DESIGN.md, layers). Which module may import what is checked
statically by the import-linter contracts in pyproject.toml (`make layers`); this checks the same
promise at run time: importing every module outside visiondesk/ui/ loads no Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "visiondesk"
FORBIDDEN = ("PySide6", "qasync", "shiboken6")


def test_importing_the_core_loads_no_qt() -> None:
    core = [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]
    modules = sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in core
        if path.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
