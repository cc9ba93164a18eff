"""Events are handled with `match` + `assert_never`: `Event` is the union of every event
dataclass, so mypy names any kind a consumer forgot."""

from __future__ import annotations

import dataclasses
import inspect
import sys
import textwrap
import typing
from pathlib import Path

import pytest

from visiondesk import events
from visiondesk.errors import NetworkError
from visiondesk.events import Completed, Event, Failed, TextDelta, UploadEvent, ends_turn


def event_classes() -> set[type]:
    return {
        value
        for value in vars(events).values()
        if inspect.isclass(value)
        and dataclasses.is_dataclass(value)
        and value.__module__ == events.__name__
    }


def test_every_event_dataclass_is_in_the_union() -> None:
    assert set(typing.get_args(Event)) == event_classes()
    assert set(typing.get_args(UploadEvent)) <= event_classes()
    assert isinstance(TextDelta("a"), Event)  # a types.UnionType: isinstance still works


def test_exactly_completed_and_failed_end_a_turn() -> None:
    assert ends_turn(Completed("done")) and ends_turn(Failed(NetworkError("lost")))
    assert not ends_turn(TextDelta("a"))


def test_mypy_names_the_kind_a_consumer_forgot(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    names = sorted(cls.__name__ for cls in event_classes() if cls is not events.Usage)
    consumer = tmp_path / "consumer.py"
    consumer.write_text(
        textwrap.dedent(
            f"""
            from typing import assert_never
            from visiondesk.events import Event, {", ".join(names)}

            def handle(event: Event) -> None:
                match event:
                    case {" | ".join(f"{name}()" for name in names)}:
                        pass
                    case _:
                        assert_never(event)
            """
        )
    )
    root = Path(__file__).resolve().parent.parent
    out, _, status = api.run(
        [
            str(consumer),
            "--strict",
            "--follow-imports=silent",
            "--no-incremental",
            "--cache-dir=/dev/null",
            f"--python-executable={sys.executable}",
            "--config-file",
            str(root / "pyproject.toml"),
        ]
    )
    assert status == 1, out
    assert 'incompatible type "Usage"; expected "Never"' in out
