"""The job helper: every job ends in exactly one of its success, failure or cancelled paths, and
`ended` hears the outcome; a broken handler or an unforeseen error is still reported; a group
cancels all its keyed jobs together; busy follows what runs."""

from __future__ import annotations

import asyncio
import functools

import pytest

from tests.waiting import until
from visiondesk.workspace.jobs import Group, Jobs, Key, Outcome


def test_success_failure_and_unhandled_paths() -> None:
    seen: list[str] = []
    reported: list[tuple[Key, str]] = []
    outcomes: list[Outcome] = []

    async def ok() -> int:
        return 7

    async def broken() -> int:
        raise ValueError("no")

    async def main() -> None:
        jobs = Jobs(unhandled=lambda key, error: reported.append((key, str(error))))
        jobs.start(
            Group.PROBE,
            ok(),
            success=lambda value: seen.append(f"ok {value}"),
            ended=outcomes.append,
        )
        jobs.start(
            Group.SWEEP,
            broken(),
            failure=lambda error: seen.append(f"failed {error}"),
            ended=outcomes.append,
        )
        jobs.start(Group.BACKUP, broken(), ended=outcomes.append)  # no failure path: reported

        def breaks(_value: int) -> None:
            raise ZeroDivisionError("division by zero")

        jobs.start(Group.EXPORT, ok(), success=breaks, ended=outcomes.append)  # a broken handler
        groups = (Group.PROBE, Group.SWEEP, Group.BACKUP, Group.EXPORT)
        await asyncio.gather(*(jobs.wait(g) for g in groups))
        assert not jobs.busy and jobs.keys() == []

    asyncio.run(main())
    assert seen == ["ok 7", "failed no"]
    assert reported == [(Key(Group.BACKUP), "no"), (Key(Group.EXPORT), "division by zero")]
    assert outcomes == [Outcome.SUCCEEDED, Outcome.FAILED, Outcome.FAILED, Outcome.SUCCEEDED]


@pytest.mark.parametrize("moment", ["before its first step", "while it waits"])
def test_a_cancelled_job_runs_its_cancelled_handler(moment: str) -> None:
    """However early it is cancelled (even before the coroutine started), the handler runs
    and exactly one path is taken."""
    heard: list[str] = []

    async def forever() -> None:
        heard.append("started")
        await asyncio.Event().wait()

    async def main() -> None:
        jobs = Jobs()
        jobs.start(
            Group.SEND,
            forever(),
            success=lambda _: heard.append("success"),
            failure=lambda _: heard.append("failure"),
            cancelled=lambda: heard.append("cancelled"),
            ended=lambda outcome: heard.append(outcome.value),
        )
        if moment == "while it waits":
            await until(lambda: heard == ["started"])  # its first step ran, it now waits
        jobs.cancel(Group.SEND)
        await jobs.wait(Group.SEND)
        assert not jobs.running(Group.SEND)

    asyncio.run(main())
    expected = ["cancelled", "cancelled"]
    assert heard == (["started", *expected] if moment == "while it waits" else expected)


def test_cancel_a_group_with_keyed_jobs_and_busy_follows() -> None:
    changes: list[bool] = []

    async def forever() -> None:
        await asyncio.Event().wait()

    async def main() -> None:
        jobs = Jobs()
        jobs.changed.connect(lambda: changes.append(jobs.busy))
        stopped: list[Key] = []
        for key in (Key(Group.ATTACH, 1), Key(Group.ATTACH, 2), Key(Group.PROBE)):
            jobs.start(key, forever(), cancelled=functools.partial(stopped.append, key))
        assert jobs.busy and jobs.running(Key(Group.ATTACH, 1)) and jobs.running(Group.ATTACH)
        assert not jobs.running(Key(Group.ATTACH, 3))
        jobs.cancel(Key(Group.ATTACH, 2))
        await jobs.wait(Key(Group.ATTACH, 2))
        assert jobs.keys(Group.ATTACH) == [Key(Group.ATTACH, 1)]
        jobs.cancel(Group.ATTACH)
        await jobs.wait(Group.ATTACH)
        assert jobs.keys() == [Key(Group.PROBE)]
        assert stopped == [Key(Group.ATTACH, 2), Key(Group.ATTACH, 1)]
        await jobs.aclose()
        assert not jobs.busy and stopped[-1] == Key(Group.PROBE)

    asyncio.run(main())
    assert changes[0] is True and changes[-1] is False
