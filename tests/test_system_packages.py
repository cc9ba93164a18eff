"""The system packages: one table that `make` installs from, the window's start-up message
names, and the README lists — checked against each other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from visiondesk import cli
from visiondesk.system_packages import NEEDS, Family, Use, family, missing, packages

ROOT = Path(__file__).resolve().parents[1]


def readme_lists(tool: str) -> dict[str, set[str]]:
    """`# make X` followed by `sudo <tool> install …` in the README, by X."""
    text = (ROOT / "README.md").read_text()
    found = re.findall(rf"^# make (\w+)\nsudo {tool} install (.+)$", text, re.MULTILINE)
    return {use: set(names.split()) for use, names in found}


def table(of: Family, use: Use) -> set[str]:
    """The names the table gives (Debian 12's where a package was renamed since)."""
    return {names[-1] for n in NEEDS if use in n.uses and (names := packages(n, of))}


@pytest.mark.parametrize(("of", "tool"), [(Family.DEBIAN, "apt"), (Family.FEDORA, "dnf")])
def test_the_readme_lists_what_make_installs(of: Family, tool: str) -> None:
    listed = readme_lists(tool)
    assert set(listed) == {"run", "test", "package"}
    for use in Use:
        assert listed[use.value] == table(of, use), use


def test_ci_and_make_install_from_the_table() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line for line in ci.splitlines() if line and not line.startswith("#")]
    assert commands[-1] == "make test" and not re.search(r"apt|dnf|dpkg", ci)
    makefile = (ROOT / "Makefile").read_text()
    assert "SYSTEM := $(PYTHON) -m visiondesk.system_packages install" in makefile
    for use in Use:
        target = "run" if use is Use.RUN else use.value
        assert re.search(rf"^{target}: system-{use.value} ", makefile, re.MULTILINE), use


def test_release_names_and_families(tmp_path: Path) -> None:
    release = tmp_path / "os-release"
    release.write_text('ID=ubuntu\nID_LIKE=debian\nVERSION_ID="24.04"\n')
    assert family(str(release)) == (Family.DEBIAN, "ubuntu")
    glib = next(n for n in NEEDS if n.provides == "libglib-2.0.so.0")
    assert packages(glib, Family.DEBIAN, "ubuntu") == ("libglib2.0-0t64", "libglib2.0-0")
    chromium = next(n for n in NEEDS if n.provides == "chromium")
    assert packages(chromium, Family.DEBIAN, "ubuntu") == ()  # a snap there
    release.write_text("ID=fedora\n")
    assert family(str(release)) == (Family.FEDORA, "fedora")
    assert packages(glib, Family.FEDORA) == ("glib2",)
    release.write_text("ID=arch\n")
    assert family(str(release)) == (None, "arch")


def test_the_window_names_every_missing_library(tmp_path: Path) -> None:
    cache = tmp_path / "ld.so.cache"
    known = [n.provides for n in NEEDS if ".so" in n.provides]
    kept = [name for name in known if name not in ("libEGL.so.1", "libxcb-cursor.so.0")]
    cache.write_bytes(b"\0".join(name.encode() for name in kept))
    x11 = cli.missing_window_libraries(x11=True, cache=str(cache))
    assert x11 == ["libEGL.so.1", "libxcb-cursor.so.0"]
    offscreen = cli.missing_window_libraries(x11=False, cache=str(cache))
    assert offscreen == ["libEGL.so.1"]  # no X11 plugin without X11
    if family()[0] is Family.DEBIAN:
        assert cli.hint_for(x11) == "sudo apt install libegl1 libxcb-cursor0"


def test_make_test_left_nothing_missing() -> None:
    """`make test` installs before it tests: on a machine it ran on, nothing is missing."""
    if family()[0] is None:
        pytest.skip("neither apt nor dnf here")
    lacking = [need.provides for need in missing(Use.TEST)]
    if lacking == ["chromium"] and family()[1] == "ubuntu":
        lacking = []
    assert lacking == []
