"""Batch jobs against the emulator: both engines, duplicates, refusals, schemas, splitting,
failed lines, rate limits, and the estimate shown before a job starts."""

from __future__ import annotations

import asyncio
import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests import images
from tests.conftest import TEST_KEY
from tests.waiting import loop_turns
from visiondesk.batch import BatchJob, JobSpec, ResultFiles
from visiondesk.config.prices import PriceTable
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, BatchEngine, Detail, ItemStatus, JobStatus
from visiondesk.emulator import Emulator
from visiondesk.store.batches import BatchStore

SIZES = [(900, 600), (640, 480), (1200, 300), (500, 500)]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "description": {"type": "string"},
        "width": {"type": "integer"},
        "height": {"type": "integer"},
    },
    "required": ["description", "width", "height"],
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Four photos (one in a subfolder), a copy of one, and a file that is not an image."""
    root = tmp_path / "images"
    (root / "sub").mkdir(parents=True)
    for n, (w, h) in enumerate(SIZES):
        target = root / "sub" if n == 3 else root
        images.photo(w, h, seed=n).save(target / f"photo{n}.jpg", quality=80)
    (root / "copy.jpg").write_bytes((root / "photo0.jpg").read_bytes())
    (root / "notes.png").write_bytes(b"just text, not a PNG")
    return root


def make_job(
    tmp_path: Path,
    profile: Profile,
    folder: Path,
    engine: BatchEngine = BatchEngine.LIVE,
    mode: ApiMode = ApiMode.CHAT,
    schema: dict[str, Any] | None = None,
    **options: Any,
) -> BatchJob:
    store = BatchStore(tmp_path / "data")
    spec = JobSpec(profile, "Describe it.", "gpt-4o", mode, Detail.LOW, engine, None, schema)
    options.setdefault("poll_first", 0.01)
    options.setdefault("prices", PriceTable.defaults())
    return BatchJob.create(store, spec, [folder], TEST_KEY, **options)


def run(job: BatchJob) -> Any:
    async def go() -> Any:
        try:
            return await asyncio.wait_for(job.run(), 60)
        finally:
            await job.aclose()

    return asyncio.run(go())


def decoded_size(answer: str) -> tuple[int, int]:
    match = re.search(r"\| (\d+)×(\d+) \|", answer)
    assert match, answer
    return int(match[1]), int(match[2])


def model_requests(emulator: Emulator) -> list[Any]:
    return [r for r in emulator.log if r.path in ("/chat/completions", "/responses")]


@pytest.mark.parametrize("engine", list(BatchEngine))
def test_every_image_arrives_once_at_its_prepared_size(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path, engine: BatchEngine
) -> None:
    job = make_job(tmp_path, profile, folder, engine)
    progress = run(job)
    assert progress.status is JobStatus.FINISHED
    assert (progress.total, progress.done, progress.refused, progress.remaining) == (6, 5, 1, 0)
    results = {Path(i.path).name: i for i in job.results()}
    assert "not an image" in results["notes.png"].error
    for name, item in results.items():
        if item.status is ItemStatus.DONE:
            # low detail: the emulator decoded exactly the size the pipeline prepared
            assert decoded_size(item.answer or "") == (item.width, item.height), name
            assert max(item.width or 0, item.height or 0) <= 512
    assert results["copy.jpg"].answer == results["photo0.jpg"].answer
    # the same bytes twice: the first in name order is sent, the other takes its answer
    assert results["photo0.jpg"].duplicate_of == results["copy.jpg"].id
    sent = len(model_requests(emulator)) if engine is BatchEngine.LIVE else None
    assert sent in (4, None)
    assert emulator.store.answered_total == 4 and emulator.store.duplicates == 0


def test_batch_api_splits_input_files_and_joins_shuffled_output(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    emulator.knobs.batch_fail_lines = 1
    job = make_job(tmp_path, profile, folder, BatchEngine.BATCH_API, ApiMode.RESPONSES)
    job = BatchJob.open(job.store, job.id, profile, TEST_KEY, max_lines=3, poll_first=0.01)
    estimate = asyncio.run(job.estimate())
    assert estimate.input_files == 2 and len(estimate.refused) == 1
    progress = run(job)
    parts = job.store.parts(job.id)
    assert [p.lines for p in parts] == [3, 1]
    for part in parts:
        assert not Path(part.path).exists()  # the local copy goes once its answers are in
        uploaded = emulator.store.files[part.input_file_id or ""]
        assert uploaded.filename == Path(part.path).name and uploaded.purpose == "batch"
        lines = [json.loads(line) for line in uploaded.data.splitlines()]
        assert {line["url"] for line in lines} == {"/v1/responses"}
        assert all("stream" not in line["body"] for line in lines)
    # the first line of each batch failed (one of them the image copied): listed with reasons
    assert progress.failed == 3 and progress.done == 2
    failed = [i for i in job.results() if i.status is ItemStatus.FAILED]
    assert all("500" in i.error for i in failed)
    creates = [r for r in emulator.log if r.method == "POST" and r.path == "/batches"]
    assert len(creates) == 2 and all(r.body["endpoint"] == "/v1/responses" for r in creates)
    # failed lines run again live; nothing that succeeded is sent again
    emulator.knobs.batch_fail_lines = 0
    job = BatchJob.open(job.store, job.id, profile, TEST_KEY)
    assert job.retry_failed(BatchEngine.LIVE) == 2
    progress = run(job)
    assert progress.done == 5 and progress.failed == 0
    assert emulator.store.duplicates == 0


@pytest.mark.parametrize(
    ("knob", "reason"),
    [("batch_expire", "expired"), ("batch_invalid", "refused the batch file")],
)
def test_an_expired_or_refused_batch_lists_what_was_not_answered(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path, knob: str, reason: str
) -> None:
    setattr(emulator.knobs, knob, True)
    job = make_job(tmp_path, profile, folder, BatchEngine.BATCH_API)
    progress = run(job)
    failed = [i for i in job.results() if i.status is ItemStatus.FAILED]
    assert failed and all(reason in i.error for i in failed)
    assert progress.done + progress.failed + progress.refused == progress.total


@pytest.mark.parametrize("mode", [ApiMode.CHAT, ApiMode.RESPONSES])
def test_schema_answers_are_validated_and_become_csv_columns(
    emulator: Emulator,
    profile: Profile,
    folder: Path,
    tmp_path: Path,
    mode: ApiMode,
) -> None:
    job = make_job(tmp_path, profile, folder, mode=mode, schema=SCHEMA)
    files = ResultFiles(SCHEMA, tmp_path / "r.jsonl", tmp_path / "r.csv")
    job.result_listeners.append(files.write)
    run(job)
    files.close()
    body = model_requests(emulator)[0].body
    if mode is ApiMode.CHAT:
        assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    else:
        assert body["text"]["format"]["schema"] == SCHEMA
    rows = list(csv.DictReader((tmp_path / "r.csv").open()))
    assert list(rows[0]) == ["image", "description", "width", "height", "status", "error"]
    done = [r for r in rows if r["status"] == "done"]
    assert len(done) == 5
    records = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    for record in records:
        if record["status"] == "done":
            assert record["answer"]["width"] == record["width"]


def test_an_answer_that_does_not_fit_the_schema_fails_its_image(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    narrow = {"type": "integer", "maximum": 10}
    strict = {**SCHEMA, "properties": {**SCHEMA["properties"], "width": narrow}}
    job = make_job(tmp_path, profile, folder, schema=strict)
    # the emulator answers the real width, larger than the schema allows
    progress = run(job)
    assert progress.done == 0 and progress.failed == 5
    assert all("does not fit the schema" in i.error for i in job.results() if i.answer)


def test_live_engine_waits_out_rate_limits_and_shrinks_concurrency(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    emulator.knobs.fail_429 = 3
    emulator.knobs.retry_after = 0.01
    job = make_job(tmp_path, profile, folder, concurrency=4)
    seen: list[int] = []
    job.progress_listeners.append(lambda p: seen.append(p.concurrency or 0))
    progress = run(job)
    assert progress.done == 5 and progress.failed == 0
    assert min(seen) < 4
    assert sum(1 for r in emulator.log if r.status == 429) == 3


def test_the_estimate_counts_exact_tokens_and_the_batch_price(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    live = make_job(tmp_path, profile, folder)
    batch = make_job(tmp_path / "b", profile, folder, BatchEngine.BATCH_API)
    first, second = asyncio.run(live.estimate()), asyncio.run(batch.estimate())
    assert first.images == 6 and first.duplicates == 1 and len(first.refused) == 1
    assert first.image_tokens == 4 * 85  # gpt-4o at low detail
    assert first.input_files == 0 and second.input_files == 1
    assert first.cost is not None and second.cost == pytest.approx(first.cost / 2)
    assert not emulator.log  # estimating sends nothing


def test_failed_lines_can_go_again_as_a_new_batch(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    emulator.knobs.batch_fail_lines = 1
    job = make_job(tmp_path, profile, folder, BatchEngine.BATCH_API)
    run(job)
    emulator.knobs.batch_fail_lines = 0
    job = BatchJob.open(job.store, job.id, profile, TEST_KEY, poll_first=0.01)
    assert job.retry_failed() == 1
    progress = run(job)
    assert progress.done == 5 and progress.failed == 0
    assert [p.lines for p in job.store.parts(job.id)] == [4, 1]
    assert emulator.store.duplicates == 0


def test_batch_files_go_into_the_ledger_and_are_deleted_after_the_answers(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    from visiondesk.config.settings import Cleanup
    from visiondesk.store import History

    history = History(tmp_path / "data")
    job = make_job(
        tmp_path,
        profile,
        folder,
        BatchEngine.BATCH_API,
        ledger=history,
        cleanup=Cleanup.AFTER_ANSWER,
    )
    run(job)
    ledger = history.uploads(profile.name, include_deleted=True)
    assert {r.filename.rsplit("-", 1)[-1] for r in ledger} == {"input.jsonl", "output.jsonl"}
    assert all(r.deleted_at is not None for r in ledger)
    assert not emulator.store.files  # nothing left on the server


@pytest.mark.parametrize("engine", list(BatchEngine))
def test_cancel_stops_the_job_and_keeps_what_was_answered(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path, engine: BatchEngine
) -> None:
    emulator.knobs.hold_after = 2  # live: two answers, then the rest wait
    emulator.knobs.batch_delay = 30.0  # Batch API: the batch sits in validating
    job = make_job(tmp_path, profile, folder, engine, concurrency=2)

    async def scenario() -> Any:
        running = asyncio.ensure_future(job.run())
        if engine is BatchEngine.LIVE:
            await asyncio.to_thread(
                emulator.wait_until, lambda s: s.admitted > 2 and len(job.results()) >= 3, 30
            )
        else:
            await asyncio.to_thread(emulator.wait_until, lambda s: bool(s.batches), 30)
            emulator.knobs.batch_delay = 0.0  # the cancellation itself is quick
        await job.cancel()
        emulator.knobs.release.set()
        progress = await asyncio.wait_for(running, 30)
        await job.aclose()
        return progress

    progress = asyncio.run(scenario())
    assert progress.status is JobStatus.CANCELLED
    if engine is BatchEngine.LIVE:
        # two answers arrived (with the copy of one, if it was among them); the rest wait
        assert emulator.store.answered_total == 2 and progress.done in (2, 3)
        assert progress.remaining == 5 - progress.done > 0
    else:
        failed = [i for i in job.results() if i.status is ItemStatus.FAILED]
        assert len(failed) == 5 and all("cancelled" in i.error for i in failed)
        assert job.store.parts(job.id)[0].status is not None


def test_pause_starts_no_new_image_until_continued(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    job = make_job(tmp_path, profile, folder, concurrency=1)
    paused = asyncio.Event()

    def pause_after_the_first(item: Any) -> None:
        if item.status is ItemStatus.DONE and not paused.is_set():
            job.pause()
            paused.set()

    job.result_listeners.append(pause_after_the_first)

    async def scenario() -> Any:
        running = asyncio.ensure_future(job.run())
        await asyncio.wait_for(paused.wait(), 30)
        await loop_turns(50)  # a worker that could start would start now
        sent_while_paused = len(model_requests(emulator))
        assert job.progress().status is JobStatus.PAUSED
        job.resume()
        progress = await asyncio.wait_for(running, 30)
        await job.aclose()
        return sent_while_paused, progress

    sent_while_paused, progress = asyncio.run(scenario())
    assert sent_while_paused == 1
    assert progress.status is JobStatus.FINISHED and progress.done == 5


def test_the_batch_status_moves_as_the_real_api_does(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    from visiondesk.domain import BatchStatus

    emulator.knobs.batch_delay = 0.05
    emulator.knobs.file_processing_delay = 0.2  # the batch is made once its file is processed
    job = make_job(tmp_path, profile, folder, BatchEngine.BATCH_API, poll_max=0.02)
    seen: list[BatchStatus] = []
    job.progress_listeners.append(
        lambda p: (
            seen.append(p.batch_status) if p.batch_status and p.batch_status not in seen else None
        )
    )
    progress = run(job)
    order = [BatchStatus.VALIDATING, BatchStatus.IN_PROGRESS, BatchStatus.FINALIZING]
    assert seen[0] is BatchStatus.VALIDATING and seen[-1] is BatchStatus.COMPLETED
    assert seen[:-1] == [s for s in order if s in seen]
    assert progress.request_counts == (4, 4, 0)


def test_a_refused_key_stops_the_job_instead_of_failing_every_image(
    emulator: Emulator, profile: Profile, folder: Path, tmp_path: Path
) -> None:
    from visiondesk.errors import AuthError

    store = BatchStore(tmp_path / "data")
    spec = JobSpec(profile, "Describe it.", "gpt-4o", engine=BatchEngine.LIVE)
    job = BatchJob.create(store, spec, [folder], "sk-wrong", prices=PriceTable.defaults())
    with pytest.raises(AuthError, match="rejected the API key"):
        run(job)
    progress = job.progress()
    assert progress.status is JobStatus.PAUSED and progress.failed == 0
    assert progress.remaining >= 4  # resumable once the key is fixed
