"""Only visiondesk/ui/ may import Qt or qasync (DESIGN.md, layers)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "visiondesk"
FORBIDDEN = ("PySide6", "qasync", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def core_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if "ui" not in p.relative_to(PACKAGE).parts]


def test_no_module_outside_ui_imports_qt() -> None:
    offenders = {
        str(path.relative_to(PACKAGE.parent)): sorted(
            name for name in imported_modules(path) if name.split(".")[0] in FORBIDDEN
        )
        for path in core_modules()
    }
    offenders = {path: names for path, names in offenders.items() if names}
    assert not offenders, f"Qt imported outside visiondesk/ui/: {offenders}"


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import PySide6.QtCore\nfrom qasync import QEventLoop\n"
        "def late():\n    from PySide6 import QtWidgets\n"
    )
    assert {"PySide6.QtCore", "qasync", "PySide6"} <= imported_modules(sample)


def test_importing_the_core_loads_no_qt() -> None:
    modules = sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in core_modules()
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


def test_the_emulator_bills_without_the_clients_sizing_code() -> None:
    """An emulator that reused imaging/ would agree with any sizing bug instead of exposing it."""
    emulator = PACKAGE / "emulator"
    borrowed = {
        str(path.relative_to(PACKAGE.parent)): sorted(
            name for name in imported_modules(path) if name.startswith("visiondesk.imaging")
        )
        for path in emulator.rglob("*.py")
    }
    borrowed = {path: names for path, names in borrowed.items() if names}
    assert not borrowed, f"the emulator imports the client's image code: {borrowed}"
