"""kill -9 while an answer is being checkpointed: the next start finds the history whole
(integrity_check clean), the answer marked interrupted with at least the text last saved, and
the files still private. (The kill -9 tests of the Send flow, per mode, belong with it.)"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from visiondesk.store import History

WRITER = r"""
import sys
from pathlib import Path
from visiondesk.domain import Question
from visiondesk.store import History

history = History(Path(sys.argv[1]))
conversation = history.create_conversation("Killed", "p", "chat", "gpt-4o", "auto")
history.add_user_message(conversation, Question("Will this survive?"))
answer = history.add_answer(conversation)
text = ""
for n in range(1_000_000):
    text += f"word{n} "
    history.checkpoint(answer, text, "streaming")
    if n % 50 == 0:
        print(len(text), flush=True)  # saved up to here
"""


@pytest.mark.skipif(os.name != "posix", reason="kill -9 is POSIX")
def test_kill_9_mid_answer_leaves_a_whole_history(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    assert writer.stdout is not None
    saved = 0
    for _ in range(5):  # a few hundred checkpoints in, mid-write
        line = writer.stdout.readline()
        assert line, "the writer stopped before it was killed"
        saved = int(line)
    writer.send_signal(signal.SIGKILL)
    assert writer.wait(timeout=30) == -signal.SIGKILL
    writer.stdout.close()

    with History(folder) as history:
        assert history.recovered == 1 and history.integrity_check() == []
        [conversation] = history.conversations()
        question, answer = history.messages(conversation.id)
        assert question.text == "Will this survive?"
        assert answer.status == "interrupted" and len(answer.text) >= saved
        assert answer.text.startswith("word0 word1 ")
    for path in folder.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
