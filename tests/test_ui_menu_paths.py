"""Every menu path a message or a help text names ("Tools → Check history") is one the window
really has: a person told where to click finds it there."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from PySide6.QtWidgets import QMenu

import visiondesk
from visiondesk.ui.window.controller import Controller

PATH = re.compile(r"\b([A-Z][a-z]+) → ([A-Za-z][A-Za-z ]*)")


def said_to_people() -> dict[str, list[str]]:
    """The menu paths in the package's strings that are not docstrings, by file."""
    found: dict[str, list[str]] = {}
    root = Path(visiondesk.__file__).parent
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        texts = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ]
        paths = [" → ".join(match) for text in texts for match in PATH.findall(text)]
        if paths:
            found[str(path.relative_to(root))] = paths
    return found


def menus(app: Controller) -> dict[str, list[str]]:
    """The window's menus and their entries, as a person reads them (no & or …)."""

    def clean(text: str) -> str:
        return text.replace("&", "").replace("…", "").strip()

    return {
        clean(top.text()): [clean(item.text()) for item in menu.actions() if item.text()]
        for top in app.window.menuBar().actions()
        if isinstance(menu := top.menu(), QMenu)
    }


def test_every_menu_path_in_a_message_is_a_real_one(app: Controller) -> None:
    real = menus(app)
    said = said_to_people()
    assert any("Check history" in p for paths in said.values() for p in paths)  # the damage one
    wrong = [
        f"{where}: {path}"
        for where, paths in said.items()
        for path in paths
        if (menu := path.split(" → ")[0]) in real
        and not any(
            entry.startswith(words.strip()) or words.startswith(entry)
            for words in [path.split(" → ")[1]]
            for entry in real[menu]
        )
    ]
    assert wrong == []
