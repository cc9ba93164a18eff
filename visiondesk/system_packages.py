"""The system packages VisionDesk needs, and installing the missing ones: what `make run`,
`make test` and `make package` do before anything else, on a machine with only python3, make
and git. Standard library only: it runs before the virtual environment exists
(`python3 -m visiondesk.system_packages install test`), and the window's start-up message
for a missing library names packages from the same table.

Each need is found by what it provides (a shared library in the loader's cache, a command on
PATH), not by a package name, so it holds whatever the distribution calls the package: Debian
12 and 13, Ubuntu 24.04 (the `t64` renames) and Fedora."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Use(Enum):
    RUN = "run"
    """The window on a desktop (Qt's X11 plugin included)."""
    TEST = "test"
    """The test suite: Qt offscreen, the "Copy as curl" scripts, exports opened in a browser,
    and `visiondesk capture` on Qt's X11 plugin under Xvfb, checked with ImageMagick's import."""
    PACKAGE = "package"
    """Building the double-click bundle with PyInstaller."""


class Family(Enum):
    DEBIAN = "debian"
    FEDORA = "fedora"


@dataclass(frozen=True)
class Need:
    provides: str
    """A shared library (`lib….so.N`), a command, or a Python module (`python:venv`)."""
    debian: tuple[str, ...]
    """The package, or its names across releases (the first one apt knows is installed)."""
    fedora: str | None
    uses: frozenset[Use]
    ubuntu: tuple[str, ...] | None = None
    """Where Ubuntu differs from Debian; () when it has no such package (chromium is a snap)."""


QT = frozenset({Use.RUN, Use.TEST, Use.PACKAGE})
WINDOW = frozenset({Use.RUN, Use.TEST})
TESTS = frozenset({Use.TEST})
BUILD = frozenset({Use.PACKAGE})
VENV = frozenset({Use.RUN, Use.TEST, Use.PACKAGE})

NEEDS: tuple[Need, ...] = (
    Need("libEGL.so.1", ("libegl1",), "libglvnd-egl", QT),
    Need("libGL.so.1", ("libgl1",), "libglvnd-glx", QT),
    Need("libxkbcommon.so.0", ("libxkbcommon0",), "libxkbcommon", QT),
    Need("libfontconfig.so.1", ("libfontconfig1",), "fontconfig", QT),
    Need("libdbus-1.so.3", ("libdbus-1-3",), "dbus-libs", QT),
    Need("libglib-2.0.so.0", ("libglib2.0-0t64", "libglib2.0-0"), "glib2", QT),
    Need("fonts", ("fonts-dejavu-core",), "dejavu-sans-fonts", QT),
    Need("python:venv", ("python3-venv",), None, VENV),
    Need("libxcb.so.1", ("libxcb1",), "libxcb", WINDOW),
    Need("libX11-xcb.so.1", ("libx11-xcb1",), "libX11-xcb", WINDOW),
    Need("libxcb-cursor.so.0", ("libxcb-cursor0",), "xcb-util-cursor", WINDOW),
    Need("libxcb-icccm.so.4", ("libxcb-icccm4",), "xcb-util-wm", WINDOW),
    Need("libxcb-image.so.0", ("libxcb-image0",), "xcb-util-image", WINDOW),
    Need("libxcb-keysyms.so.1", ("libxcb-keysyms1",), "xcb-util-keysyms", WINDOW),
    Need("libxcb-randr.so.0", ("libxcb-randr0",), "libxcb", WINDOW),
    Need("libxcb-render-util.so.0", ("libxcb-render-util0",), "xcb-util-renderutil", WINDOW),
    Need("libxcb-shape.so.0", ("libxcb-shape0",), "libxcb", WINDOW),
    Need("libxcb-xkb.so.1", ("libxcb-xkb1",), "libxcb", WINDOW),
    Need("libxkbcommon-x11.so.0", ("libxkbcommon-x11-0",), "libxkbcommon-x11", WINDOW),
    Need("curl", ("curl",), "curl", TESTS),
    Need("jq", ("jq",), "jq", TESTS),
    Need("chromium", ("chromium",), "chromium", TESTS, ubuntu=()),
    Need("Xvfb", ("xvfb",), "xorg-x11-server-Xvfb", TESTS),
    Need("import", ("imagemagick",), "ImageMagick", TESTS),
    Need("xprop", ("x11-utils",), "xprop", TESTS),
    Need("dbus-daemon", ("dbus-daemon",), "dbus-daemon", TESTS),
    Need("objdump", ("binutils",), "binutils", BUILD),
    Need("python:libpython", ("libpython{version}",), "python3-libs", BUILD),
)


def family(os_release: str = "/etc/os-release") -> tuple[Family | None, str]:
    """The distribution's family and its ID (`debian`, `ubuntu`, `fedora`…)."""
    fields: dict[str, str] = {}
    try:
        for line in Path(os_release).read_text(errors="replace").splitlines():
            key, _, value = line.partition("=")
            fields[key] = value.strip().strip('"')
    except OSError:
        return None, ""
    ident = fields.get("ID", "")
    kin = {ident, *fields.get("ID_LIKE", "").split()}
    if kin & {"debian", "ubuntu"}:
        return Family.DEBIAN, ident
    if kin & {"fedora", "rhel", "centos"}:
        return Family.FEDORA, ident
    return None, ident


def packages(need: Need, of: Family, ident: str = "") -> tuple[str, ...]:
    """The package names that provide `need` there (several: one of them, by release)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if of is Family.FEDORA:
        names: tuple[str, ...] = (need.fedora,) if need.fedora else ()
    elif ident == "ubuntu" and need.ubuntu is not None:
        names = need.ubuntu
    else:
        names = need.debian
    return tuple(name.format(version=version) for name in names)


def present(need: Need, known_libraries: bytes) -> bool:
    """Whether this machine already has what the need provides."""
    what = need.provides
    if what.startswith("lib") and ".so" in what:
        folders = [f for f in os.environ.get("LD_LIBRARY_PATH", "").split(":") if f]
        return what.encode() in known_libraries or any(Path(f, what).exists() for f in folders)
    if what == "fonts":
        return any(Path(folder).is_dir() and any(Path(folder).rglob("*.[ot]tf"))
                   for folder in ("/usr/share/fonts", "/usr/local/share/fonts"))  # fmt: skip
    if what == "python:venv":
        return _python_can("import ensurepip, venv")
    if what == "python:libpython":
        return not _distribution_python() or _has_shared_libpython()
    return shutil.which(what) is not None


def missing(use: Use, cache: str = "/etc/ld.so.cache") -> list[Need]:
    try:
        known = Path(cache).read_bytes()
    except OSError:
        known = b""
    return [need for need in NEEDS if use in need.uses and not present(need, known)]


def missing_libraries(names: Sequence[str], cache: str = "/etc/ld.so.cache") -> list[Need]:
    """The needs among these libraries the loader does not know (the window's start-up check)."""
    try:
        known = Path(cache).read_bytes()
    except OSError:
        return []
    return [n for n in NEEDS if n.provides in names and not present(n, known)]


def install_command(names: Sequence[str], of: Family) -> list[str]:
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if of is Family.FEDORA:
        return [*sudo, "dnf", "install", "-y", *names]
    return [*sudo, "apt-get", "install", "-y", "--no-install-recommends", *names]


def hint(needs: Sequence[Need]) -> str:
    """The one command that installs these here, for a message; '' where unknown."""
    of, ident = family()
    if of is None:
        return ""
    names = sorted({_chosen(packages(n, of, ident), of) for n in needs if packages(n, of, ident)})
    tool = "dnf install" if of is Family.FEDORA else "apt install"
    return f"sudo {tool} {' '.join(names)}" if names else ""


def _chosen(names: tuple[str, ...], of: Family) -> str:
    """Of a package's names across releases, the one this release knows."""
    if of is Family.DEBIAN and len(names) > 1 and shutil.which("apt-cache"):
        for name in names:
            shown = subprocess.run(
                ["apt-cache", "policy", name], capture_output=True, text=True, check=False
            ).stdout
            if "Candidate:" in shown and "Candidate: (none)" not in shown:
                return name
    return names[-1]


def install(use: Use) -> int:
    """Install what `use` still lacks; 0 when nothing is missing or all went in."""
    needs = missing(use)
    if not needs:
        return 0
    of, ident = family()
    if of is None:
        listed = ", ".join(n.provides for n in needs)
        print(f"VisionDesk needs these, which this system lacks: {listed}.", file=sys.stderr)
        print("Install them with your package manager, then run make again.", file=sys.stderr)
        return 1
    if of is Family.DEBIAN:
        _run(["sudo"] * (os.geteuid() != 0) + ["apt-get", "update", "-qq"])
    wanted = [packages(n, of, ident) for n in needs]
    names = sorted({_chosen(p, of) for p in wanted if p})
    skipped = [n.provides for n, p in zip(needs, wanted, strict=True) if not p]
    for what in skipped:
        print(f"(no {of.value} package for {what} on {ident}: the tests that need it skip)")
    if not names:
        return 0
    command = install_command(names, of)
    print(f"VisionDesk needs system packages for `make {use.value}`: {' '.join(names)}")
    print("  " + " ".join(command), flush=True)
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return _run(command, environment)


def _run(command: list[str], environment: dict[str, str] | None = None) -> int:
    try:
        return subprocess.run(command, env=environment, check=False).returncode
    except FileNotFoundError as error:
        print(f"cannot run {command[0]} ({error}); install the packages above by hand")
        return 1


def _python_can(code: str) -> bool:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    return done.returncode == 0


def _distribution_python() -> bool:
    """The running Python is the distribution's (its shared library is a package there)."""
    return str(Path(sys.executable).resolve()).startswith("/usr/bin/")


def _has_shared_libpython() -> bool:
    import sysconfig

    folder = sysconfig.get_config_var("LIBDIR") or ""
    name = sysconfig.get_config_var("INSTSONAME") or ""
    return bool(folder and name and Path(folder, name).exists())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m visiondesk.system_packages")
    parser.add_argument("action", choices=("install", "missing", "list"))
    parser.add_argument("use", choices=[u.value for u in Use])
    parser.add_argument("--family", choices=[f.value for f in Family])
    options = parser.parse_args(argv)
    use = Use(options.use)
    if options.action == "install":
        return install(use)
    if options.action == "missing":
        print(" ".join(n.provides for n in missing(use)))
        return 0
    of = Family(options.family) if options.family else (family()[0] or Family.DEBIAN)
    names = [" | ".join(packages(n, of)) for n in NEEDS if use in n.uses and packages(n, of)]
    print(" ".join(dict.fromkeys(names)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
