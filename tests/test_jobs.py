"""The job helper: every job ends in its success or failure path, a broken handler or an
unforeseen error is still reported, groups cancel together, and busy follows what runs."""

from __future__ import annotations

import asyncio

from visiondesk.workspace.jobs import Jobs


def test_success_failure_and_unhandled_paths() -> None:
    seen: list[str] = []
    reported: list[tuple[str, str]] = []

    async def ok() -> int:
        return 7

    async def broken() -> int:
        raise ValueError("no")

    async def main() -> None:
        jobs = Jobs(unhandled=lambda group, error: reported.append((group, str(error))))
        jobs.start("a", ok(), success=lambda value: seen.append(f"ok {value}"))
        jobs.start("b", broken(), failure=lambda error: seen.append(f"failed {error}"))
        jobs.start("c", broken())  # no failure path of its own: reported anyway

        def breaks(_value: int) -> None:
            raise ZeroDivisionError("division by zero")

        jobs.start("d", ok(), success=breaks)  # a handler that breaks
        await asyncio.gather(*(jobs.wait(g) for g in "abcd"))
        assert not jobs.busy

    asyncio.run(main())
    assert seen == ["ok 7", "failed no"]
    assert reported == [("c", "no"), ("d", "division by zero")]


def test_cancel_a_group_by_prefix_and_busy_follows() -> None:
    changes: list[bool] = []

    async def forever() -> None:
        await asyncio.Event().wait()

    async def main() -> None:
        jobs = Jobs()
        jobs.changed.connect(lambda: changes.append(jobs.busy))
        outcomes: list[object] = []
        for name in ("attach:1", "attach:2", "probe"):
            jobs.start(name, forever(), success=outcomes.append, failure=outcomes.append)
        assert jobs.busy and jobs.running("attach:1")
        jobs.cancel("attach:")
        await jobs.wait("attach:1")
        await jobs.wait("attach:2")
        assert jobs.groups() == ["probe"] and outcomes == []  # cancelled: neither path
        await jobs.aclose()
        assert not jobs.busy

    asyncio.run(main())
    assert changes[0] is True and changes[-1] is False
