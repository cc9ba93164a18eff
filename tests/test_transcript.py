"""The transcript owns its turns: they are values, changed only by id through the one method
that announces the new value (issue 19, "one owner by construction")."""

from __future__ import annotations

import dataclasses

import pytest

from visiondesk.domain import ApiMode
from visiondesk.workspace import Notice, Transcript, Turn, TurnStatus
from visiondesk.workspace.transcript import IllegalTransition


def asked(transcript: Transcript, prompt: str = "What is it?") -> Turn:
    return transcript.add_turn(prompt, [], ApiMode.CHAT, "gpt-4o", "http://x")


def test_a_turn_cannot_be_changed_in_place() -> None:
    transcript = Transcript()
    turn = asked(transcript)
    notice = transcript.add_notice("Switched to Responses.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        turn.answer = "changed behind the transcript's back"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        turn.status = TurnStatus.DONE  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.text = "another text"  # type: ignore[misc]
    with pytest.raises(AttributeError):  # what it holds is immutable too (tuples)
        turn.requests.append(None)  # type: ignore[attr-defined]
    assert isinstance(turn.images, tuple) and isinstance(turn.missing, tuple)
    assert transcript.turn(turn.id) == turn and transcript.turn(turn.id) is turn
    assert isinstance(transcript.item(notice.id), Notice)


def test_update_by_id_announces_the_new_value_and_leaves_the_old_one() -> None:
    transcript = Transcript()
    old = asked(transcript)
    changed: list[object] = []
    appended: list[tuple[Turn, str]] = []
    transcript.changed.connect(changed.append)
    transcript.appended.connect(lambda turn, text: appended.append((turn, text)))

    streaming = transcript.update(old.id, status=TurnStatus.STREAMING, waiting=0.0)
    assert changed == [streaming] and streaming is not old
    assert streaming.status is TurnStatus.STREAMING and streaming.id == old.id
    assert old.status is TurnStatus.PENDING  # a value someone kept does not change under them
    assert transcript.turn(old.id) == streaming and transcript.turns == [streaming]

    grown = transcript.append(old.id, "A harbour")
    more = transcript.append(old.id, " at dusk.")
    assert appended == [(grown, "A harbour"), (more, " at dusk.")]
    assert grown.answer == "A harbour" and more.answer == "A harbour at dusk."
    assert streaming.answer == "" and transcript.turn(old.id) == more

    ended = transcript.update(old.id, status=TurnStatus.DONE)
    assert changed[-1] == ended and ended.answer == "A harbour at dusk."
    assert ended != more  # equality is value equality: the status differs
    assert ended == dataclasses.replace(more, status=TurnStatus.DONE)


def test_status_moves_only_as_the_transition_table_allows() -> None:
    transcript = Transcript()
    turn = transcript.update(asked(transcript).id, status=TurnStatus.DONE)
    changed: list[object] = []
    transcript.changed.connect(changed.append)
    with pytest.raises(IllegalTransition):
        transcript.update(turn.id, status=TurnStatus.STREAMING)
    assert transcript.turn(turn.id) == turn and changed == []  # refused: nothing changed


def test_a_removed_turn_cannot_be_updated() -> None:
    transcript = Transcript()
    turn = asked(transcript)
    transcript.remove(turn.id)
    assert transcript.turn(turn.id) is None and transcript.turns == []
    with pytest.raises(KeyError):
        transcript.update(turn.id, answer="too late")
    with pytest.raises(KeyError):
        transcript.append(turn.id, "too late")
