"""What the first word on the command line is: a command, a file or URL for the window, or a
typo that ends at once (exit 2, one line naming the commands) instead of opening the window."""

from __future__ import annotations

from pathlib import Path

import pytest

from visiondesk.cli import main, openable
from visiondesk.commands import COMMANDS


@pytest.mark.parametrize(
    ("word", "guess"),
    [("captur", "capture"), ("sned", "send"), ("prepre", "prepare"), ("zzz", None)],
)
def test_a_word_that_is_no_command_or_file_exits_2(
    word: str, guess: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([word, "--region", "0,0,1,1"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"visiondesk: {word!r} is not a command or a file")
    assert lines[0].endswith("commands: " + ", ".join(COMMANDS))
    assert (f"did you mean {guess!r}?" in lines[0]) == (guess is not None)


def test_files_and_urls_still_go_to_the_window(tmp_path: Path) -> None:
    image = tmp_path / "shot.png"
    image.touch()
    (tmp_path / "dangling.png").symlink_to(tmp_path / "gone.png")
    assert openable(str(image)) and openable(str(tmp_path / "dangling.png"))
    assert openable("https://example.com/cat.png") and openable("file:///tmp/cat.png")
    assert not openable(str(tmp_path / "missing.png")) and not openable("captur")
