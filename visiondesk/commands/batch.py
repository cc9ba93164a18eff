"""`visiondesk batch`: one question over a folder of images, live or on the Batch API.

Results go to stdout (or files) as they arrive, a progress bar to stderr when it is a terminal.
The job lives in the history database: `--resume ID` continues it after anything.
With `--compare SPEC` (2–4 times) every image is asked once per column, as `send --compare`
asks: one result per image and column, the CSV with the columns side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from visiondesk.commands import COMMANDS
from visiondesk.compare import ColumnSpec
from visiondesk.domain import ApiMode, BatchEngine, Detail, ItemStatus

if TYPE_CHECKING:
    from visiondesk.store.batches import ItemRecord

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "batch",
        help=COMMANDS["batch"].summary,
        description="Ask one question about every image in folders or files. Each image is "
        "prepared exactly as in a chat and sent once (the same bytes twice are sent once). "
        "The job is saved as it runs: --resume ID continues it after a crash. Exit 0 when "
        "every image was answered, 1 when some failed (listed), 2 on bad input.",
    )
    parser.add_argument(
        "--compare",
        action="append",
        metavar="SPEC",
        help="a column MODEL[:MODE[:DETAIL]] (chat or responses), 2 to 4 times: every image is "
        "asked once per column (missing parts from --mode and --detail); on the Batch API each "
        "column's requests go in files of their own",
    )
    parser.add_argument("sources", nargs="*", metavar="DIR_OR_FILE")
    parser.add_argument("-p", "--prompt", help="the question asked about each image")
    parser.add_argument("--instructions", help="system instructions sent with each request")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--profile", help="a saved profile, or: openai, ollama, lmstudio")
    where.add_argument("--base-url", help="any OpenAI-compatible base URL")
    parser.add_argument("--api-key-env", metavar="NAME", help="variable holding the key")
    parser.add_argument("--model")
    parser.add_argument("--mode", choices=[ApiMode.CHAT.value, ApiMode.RESPONSES.value])
    parser.add_argument("--detail", choices=[d.value for d in Detail])
    parser.add_argument("--schema", type=Path, help="JSON schema the answers must fit")
    parser.add_argument(
        "--engine", choices=[e.value for e in BatchEngine], help="live (default) or batch-api"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="live requests at once")
    parser.add_argument("--no-recursive", action="store_true", help="do not enter subfolders")
    parser.add_argument("--out", type=Path, help="write results as JSON Lines")
    parser.add_argument("--csv", type=Path, help="write results as CSV")
    parser.add_argument("--resume", type=int, metavar="ID", help="continue a saved job")
    parser.add_argument(
        "--retry-failed", action="store_true", help="with --resume: send failed images again"
    )
    parser.add_argument(
        "--lines-per-file", type=int, default=50_000, help="split Batch API input files here"
    )
    parser.add_argument(
        "--poll", type=float, default=1.0, metavar="SECONDS", help="first Batch API poll interval"
    )
    parser.add_argument("--json", action="store_true", help="results as JSON lines on stdout")
    parser.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    try:
        return asyncio.run(_batch(options))
    except KeyboardInterrupt:
        print("\ninterrupted; continue with --resume", file=sys.stderr)
        return EXIT_INTERRUPTED


class UsageError(Exception):
    pass


async def _batch(options: argparse.Namespace) -> int:
    from visiondesk.batch import BatchJob, JobSpec, record, writing_results
    from visiondesk.batch.answers import schema_problem
    from visiondesk.config.paths import data_dir
    from visiondesk.config.settings import AppSettings
    from visiondesk.errors import VisionDeskError
    from visiondesk.store.batches import BatchStore

    store = BatchStore(data_dir())
    job: BatchJob | None = None
    try:
        common: dict[str, Any] = {
            "ledger": store,
            "cleanup": AppSettings.load().cleanup,
            "concurrency": max(1, options.concurrency),
            "max_lines": max(1, min(50_000, options.lines_per_file)),
            "poll_first": max(0.01, options.poll),
        }
        if options.resume is not None:
            saved = store.job(options.resume)
            if saved is None:
                raise UsageError(f"there is no batch job {options.resume}")
            if options.compare:
                raise UsageError("--resume keeps the job's own columns: leave out --compare")
            engine = BatchEngine(options.engine) if options.engine else None
            profile, key = _profile(options, saved.profile, saved.base_url)
            job = BatchJob.open(store, options.resume, profile, key, **common)
            if options.retry_failed:
                job.retry_failed(engine)
        else:
            if not options.sources or not options.prompt:
                raise UsageError("give folders or images and a question (-p)")
            engine = BatchEngine(options.engine or BatchEngine.LIVE.value)
            mode = ApiMode(options.mode or ApiMode.CHAT.value)
            profile, key = _profile(options, None, None)
            detail = Detail(options.detail or profile.detail)
            columns = _columns(options.compare or [], mode, detail)
            schema = None
            if options.schema is not None:
                schema = _read_schema(options.schema)
                problem = schema_problem(schema)
                if problem:
                    raise UsageError(f"{options.schema}: {problem}")
            first = columns[0] if columns else None
            spec = JobSpec(
                profile,
                options.prompt,
                first.model if first else options.model or profile.model,
                first.mode if first else mode,
                first.detail if first else detail,
                engine,
                options.instructions,
                schema,
                columns,
            )
            missing = [s for s in options.sources if not Path(s).exists()]
            if missing:
                raise UsageError(f"not found: {', '.join(missing)}")
            job = BatchJob.create(
                store, spec, options.sources, key, recursive=not options.no_recursive, **common
            )
        total = job.progress().total
        if total == 0:
            raise UsageError("no images found")
        compare = job.record.columns
        asked = f"{total} images"
        if compare:
            asked = f"{total // len(compare)} images × {len(compare)} columns"
            for index, column in enumerate(compare):
                print(f"  column {index + 1}: {column}", file=sys.stderr)
        print(
            f"batch job {job.id}: {asked}, {job.record.engine.value} engine "
            f"(continue with: visiondesk batch --resume {job.id})",
            file=sys.stderr,
            flush=True,
        )
        bar = _Bar(total, job.progress().finished)

        def on_result(item: Any) -> None:
            if options.json:
                line = record(item, job.record.schema, compare)
                print(json.dumps(line, ensure_ascii=False), flush=True)
            elif item.status is ItemStatus.DONE:
                first = (item.answer or "").strip().splitlines()[:1]
                print(f"{_named(item, compare)}: {first[0] if first else ''}", flush=True)

        try:
            with writing_results(job, options.out, options.csv):
                job.result_listeners.append(on_result)  # after the files: written, then printed
                job.progress_listeners.append(bar.update)
                progress = await job.run()
        finally:
            bar.close()
        failed = [i for i in job.results() if i.status is not ItemStatus.DONE]
        print(
            f"{progress.done} answered, {progress.failed} failed, {progress.refused} refused "
            f"of {progress.total}",
            file=sys.stderr,
        )
        for item in failed:
            print(f"  {item.status.value}: {_named(item, compare)}: {item.error}", file=sys.stderr)
        if progress.remaining:
            print(
                f"{progress.remaining} not finished; continue with --resume {job.id}",
                file=sys.stderr,
            )
        return EXIT_FAILED if failed or progress.remaining else EXIT_OK
    except UsageError as error:
        print(f"visiondesk batch: {error}", file=sys.stderr)
        return EXIT_USAGE
    except VisionDeskError as error:
        print(f"visiondesk batch: {error}", file=sys.stderr)
        if job is not None:
            print(f"continue later with --resume {job.id}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if job is not None:
            await job.aclose()
        store.close()


def _profile(
    options: argparse.Namespace, saved_name: str | None, saved_url: str | None
) -> tuple[Any, str | None]:
    from visiondesk.config.profile_store import EMULATOR, load_profiles
    from visiondesk.config.profiles import Profile, ProviderKind

    try:
        profiles = load_profiles()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if options.base_url or (saved_url and not options.profile and saved_name not in profiles):
        url = str(options.base_url or saved_url)
        profile = Profile("command line", ProviderKind.COMPATIBLE, url)
    else:
        name = options.profile or saved_name or "openai"
        if name not in profiles:
            raise UsageError(f"no profile '{name}' (known: {', '.join(sorted(profiles))})")
        if name == EMULATOR:
            raise UsageError(
                "batch needs a running server: start `visiondesk emulator` and pass its --base-url"
            )
        profile = profiles[name]
    variable = options.api_key_env or profile.api_key_env
    key = os.environ.get(variable) if variable else None
    if profile.needs_key and not key:
        raise UsageError(f"set ${variable or 'OPENAI_API_KEY'} to the API key of {profile.name}")
    return profile, key


def _named(item: ItemRecord, compare: tuple[ColumnSpec, ...]) -> str:
    """An image's path, and in a compare job the column that asked:
    `a.jpg [2: gpt-4o · chat · detail low]`."""
    if item.column is None:
        return str(item.path)
    return f"{item.path} [{item.column + 1}: {compare[item.column]}]"


def _columns(texts: list[str], mode: ApiMode, detail: Detail) -> tuple[ColumnSpec, ...]:
    """The --compare columns (none without it); a column in a mode a batch cannot run in is
    refused by name."""
    from visiondesk.batch.model import BATCH_MODES
    from visiondesk.compare import SpecError, parse_specs

    if not texts:
        return ()
    try:
        columns = parse_specs(texts, mode, detail)
    except SpecError as error:
        raise UsageError(str(error)) from None
    for text, column in zip(texts, columns, strict=True):
        if column.mode not in BATCH_MODES:
            raise UsageError(
                f"--compare {text!r} asks in {column.mode.value} mode; a batch runs in "
                + " or ".join(m.value for m in BATCH_MODES)
            )
    return tuple(columns)


def _read_schema(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UsageError(f"{path} must hold a JSON object")
    return value


class _Bar:
    """A tqdm bar on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, total: int, initial: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(
            total=total,
            initial=initial,
            unit="img",
            file=sys.stderr,
            disable=not sys.stderr.isatty(),
            dynamic_ncols=True,
        )
        self._shown = initial

    def update(self, progress: Any) -> None:
        self._bar.update(progress.finished - self._shown)
        self._shown = progress.finished
        detail = f"failed {progress.failed}"
        if progress.batch_status is not None:
            detail += f", batch {progress.batch_status.value}"
            if progress.request_counts:
                detail += " {1}/{0}".format(*progress.request_counts)
        elif progress.concurrency is not None:
            detail += f", {progress.concurrency} at once"
        self._bar.set_postfix_str(detail, refresh=False)

    def close(self) -> None:
        self._bar.close()
