"""Desktop integration files are well formed and install for the user."""

from __future__ import annotations

import configparser
import os
import subprocess
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
APP_ID = "io.github.visiondesk.VisionDesk"


def desktop_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser["Desktop Entry"]


def test_desktop_file_opens_every_image_type() -> None:
    entry = desktop_entry(LINUX / f"{APP_ID}.desktop")
    assert entry["Type"] == "Application" and entry["Icon"] == APP_ID
    assert entry["Exec"].endswith("%F")
    types = set(entry["MimeType"].strip(";").split(";"))
    assert {
        "image/png",
        "image/jpeg",
        "image/webp",
        "image/gif",
        "image/heic",
        "image/avif",
        "image/bmp",
        "image/tiff",
    } <= types


def test_appstream_metainfo_names_the_launcher() -> None:
    tree = ElementTree.parse(LINUX / f"{APP_ID}.metainfo.xml")
    assert tree.findtext("id") == APP_ID
    assert tree.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]


def test_install_desktop_for_the_user(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(LINUX / "install-desktop.sh"), "/opt/visiondesk/bin/visiondesk-gui"],
        capture_output=True,
        text=True,
        env=dict(os.environ, XDG_DATA_HOME=str(tmp_path)),
    )
    assert result.returncode == 0, result.stderr
    entry = desktop_entry(tmp_path / "applications" / f"{APP_ID}.desktop")
    assert entry["Exec"] == '"/opt/visiondesk/bin/visiondesk-gui" %F'
    assert (tmp_path / "icons/hicolor/256x256/apps" / f"{APP_ID}.png").exists()
    assert (tmp_path / "icons/hicolor/scalable/apps" / f"{APP_ID}.svg").exists()
    assert (tmp_path / "metainfo" / f"{APP_ID}.metainfo.xml").exists()


def test_running_local_servers_are_detected() -> None:
    import socket

    from visiondesk.config.local_servers import running

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            closed = probe.getsockname()[1]  # bound, not listening: refuses connections
            assert running({"ollama": port, "lmstudio": closed}) == ["ollama"]
