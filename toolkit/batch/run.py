"""Running a batch: articles in flight, analyses ahead in a worker, the chains, the run log; resumable."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import analysis_pool
from toolkit.analysis_pool import AnalysisWorkers
from toolkit.analyzers import check_analyzers, needed_by
from toolkit.batch.inputs import Columns, InputItem, check_input, count_inputs, read_inputs
from toolkit.batch.report import BatchItem, BatchReport, failure_record
from toolkit.batch.stack import ModelStack, build_model
from toolkit.batch.store import BatchPaths, JsonlAppender, compact_failures, output_line, recover_jsonl
from toolkit.batch.tables import export_table
from toolkit.chain import resolve_strategy
from toolkit.errors import ConfigError, ToolkitError
from toolkit.models import Model
from toolkit.plugins import resolve_order
from toolkit.pricing import PriceTable
from toolkit.retry import RetryEvent
from toolkit.runlog import RunLog, now, result_rows
from toolkit.runner import arun, default_chains

if TYPE_CHECKING:  # pragma: no cover
    pass


#: the article whose chains are running (read by the retry hook to attribute a retry)
CURRENT_ARTICLE: contextvars.ContextVar[str | None] = contextvars.ContextVar("toolkit_batch_article", default=None)


_END = object()


def _take(iterator: Iterator[InputItem], n: int) -> list[InputItem]:
    out = []
    for item in iterator:
        out.append(item)
        if len(out) >= n:
            break
    return out


class _Progress:
    def __init__(self, enabled: bool, total: int | None) -> None:
        self.bar = None
        self._last = 0.0
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total,
                unit="art",
                file=sys.stderr,
                dynamic_ncols=True,
                smoothing=0.05,
                mininterval=0.5,
                desc="batch",
            )

    def update(self, report: BatchReport) -> None:
        if self.bar is None:
            return
        self.bar.update(1)
        clock = time.monotonic()
        if clock - self._last >= 0.5:
            self._last = clock
            tokens = report.prompt_tokens + report.completion_tokens
            self.bar.set_postfix_str(
                f"calls={report.calls:,} tok={tokens:,} ${report.cost_usd:.4f} fail={report.failed}", refresh=False
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs its chains, built once from arun_batch's keywords and read by every part."""

    chains: tuple[str, ...]
    columns: Columns
    concurrency: int
    max_in_flight: int
    prompts_dir: Any = None
    drop_ungrounded: bool = False
    progress: bool = False
    command: str = "batch"
    nlp_process: bool = False
    strategy: str = "guided"


#: threads running the chains' own code (candidate pairs, sentence embeddings) for the articles in
#: flight: two, as numpy releases the GIL in its products, so one article's embeddings overlap another's
#: steps (guided, 300 FNC-1 bodies against the local server: 3.15 articles/s with one, 3.57 with two)
CHAIN_THREADS = 2


class _Batch:
    """One batch run's state; `results()` is the async generator behind arun_batch."""

    def __init__(
        self,
        *,
        input: Path,  # noqa: A002
        options: BatchOptions,
        paths: BatchPaths | None,
        stack: ModelStack,
        prices: PriceTable,
        runlog: RunLog | None,
        report: BatchReport,
    ) -> None:
        self.input = input
        self.options = options
        self.paths = paths
        self.stack = stack
        self.prices = prices
        self.runlog = runlog
        self.report = report
        self.done: set[str] = set()
        self.seen: set[str] = set()
        self.pending_rows: list[dict[str, Any]] = []
        self.fatal: BaseException | None = None
        self.out: JsonlAppender | None = None
        self.failures: JsonlAppender | None = None
        self.executor = ThreadPoolExecutor(max_workers=CHAIN_THREADS, thread_name_prefix="toolkit-chain-cpu")
        #: spaCy, when it runs in this process, on one thread of its own (a pipeline is not shared
        #: between threads)
        self.nlp_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toolkit-nlp")
        #: the chains' per-article analyses (spaCy) in worker processes, ahead of the chains
        #: (None: the runner computes them on self.nlp_executor)
        self.analysis_pool: AnalysisWorkers | None = None
        self.prefetched: dict[str, asyncio.Future[Any]] = {}
        self.progress = _Progress(False, None)
        self._last_run_update = 0.0

    # -- per article ------------------------------------------------------------------------

    def on_retry(self, event: RetryEvent) -> None:
        self.pending_rows.append(
            {
                "run_id": self.report.run_id,
                "at": now(),
                "article_id": CURRENT_ARTICLE.get(),
                "model": event.request.model,
                "step": event.request.schema_name,
                "attempt": event.attempt,
                "duration_s": round(event.duration_s, 4),
                "source": "live",
                "status": "retry",
                "cause": event.cause,
                "error": event.error[:500],
            }
        )

    async def _run_one(self, item: InputItem) -> BatchItem | None:
        if item.error is not None or item.article is None:
            failure = failure_record(item, self.report.run_id, None, item.error)
            return BatchItem(item.article_id, "failed", failure=failure)
        token = CURRENT_ARTICLE.set(item.article_id)
        try:
            analyses = await analysis_pool.take(self.prefetched.pop(item.article_id, None))
            result = await arun(
                item.article,
                self.options.chains,
                model=self.stack.model,
                prompts_dir=self.options.prompts_dir,
                drop_ungrounded=self.options.drop_ungrounded,
                strict=False,
                step_executor=self.executor,
                analysis_executor=self.nlp_executor,
                strategy=self.options.strategy,
                analyses=analyses,
            )
        except ConfigError as exc:
            self.fatal = self.fatal or exc
            return None
        except ToolkitError as exc:
            return BatchItem(item.article_id, "failed", failure=failure_record(item, self.report.run_id, None, exc))
        except Exception as exc:  # a chain's bug must not stop the batch: it is this article's failure
            return BatchItem(item.article_id, "failed", failure=failure_record(item, self.report.run_id, None, exc))
        finally:
            CURRENT_ARTICLE.reset(token)
        causes = {run.error_cause for run in result.chains.values()}
        if "config" in causes:
            run = next(r for r in result.chains.values() if r.error_cause == "config")
            self.fatal = self.fatal or ConfigError(run.error or "configuration error")
            return None
        if "deferred" in causes:  # waiting for OpenAI Batch results: neither done nor failed
            self.report.pending += 1
            return None
        if result.ok:
            return BatchItem(item.article_id, "ok", result=result)
        return BatchItem(
            item.article_id, "failed", result=result, failure=failure_record(item, self.report.run_id, result)
        )

    def _record(self, item: BatchItem) -> None:
        """Write the article's line, its run-log rows, and count it (before it is yielded)."""
        report = self.report
        if item.status == "ok" and item.result is not None:
            if self.out is not None:
                self.out.write(output_line(item.article_id, item.result))
            report.ok += 1
        else:
            assert item.failure is not None
            if self.failures is not None:
                self.failures.write(json.dumps(item.failure, ensure_ascii=False))
            report.failed += 1
            report.failures_by_cause[item.failure["cause"]] += 1
        rows, self.pending_rows = self.pending_rows, []
        if item.result is not None:
            report.add_result(item.result, self.prices)
            rows += result_rows(report.run_id or "", item.article_id, item.result, self.prices)
        elif item.failure is not None:
            rows.append(
                {
                    "run_id": report.run_id,
                    "at": now(),
                    "article_id": item.article_id,
                    "status": "failed",
                    "cause": item.failure["cause"],
                    "error": item.failure["error"],
                }
            )
        if self.runlog is not None and report.run_id:
            self.runlog.add_calls(rows)
            if time.monotonic() - self._last_run_update > 2.0:
                self._update_run()
        self.progress.update(report)

    def _update_run(self, status: str | None = None, finished: bool = False) -> None:
        self._last_run_update = time.monotonic()
        if self.runlog is None or not self.report.run_id:
            return
        r = self.report
        self.runlog.update_run(
            r.run_id,
            status=status,
            finished=finished,
            articles_ok=r.ok,
            articles_failed=r.failed,
            articles_skipped=r.skipped,
            calls=r.calls,
            prompt_tokens=r.prompt_tokens,
            completion_tokens=r.completion_tokens,
            cost_usd=round(r.cost_usd, 6),
            elapsed_s=round(r.elapsed_s, 3),
        )

    async def _process(self, item: InputItem, slots: asyncio.Semaphore, queue: asyncio.Queue[Any]) -> None:
        try:
            done = await self._run_one(item)
            if done is not None and self.fatal is None:
                self._record(done)
                await queue.put(done)
        except Exception as exc:  # writing failed (disk full...): stop the batch
            self.fatal = self.fatal or exc
        finally:
            slots.release()

    async def _dispatch(self, queue: asyncio.Queue[Any]) -> None:
        loop = asyncio.get_running_loop()
        slots = asyncio.Semaphore(self.options.max_in_flight)
        tasks: set[asyncio.Task[None]] = set()
        inputs = read_inputs(self.input, self.options.columns)
        try:
            while self.fatal is None:
                chunk = await loop.run_in_executor(None, _take, inputs, 64)
                if not chunk:
                    break
                for item in chunk:
                    if self.fatal is not None:
                        break
                    if item.article_id in self.done:
                        self.report.skipped += 1
                        continue
                    if item.article_id in self.seen:
                        self.report.duplicates += 1
                        continue
                    self.seen.add(item.article_id)
                    if self.analysis_pool is not None and item.article is not None:
                        future = self.analysis_pool.submit(item.article.text)
                        if future is not None:
                            self.prefetched[item.article_id] = future
                    await slots.acquire()
                    task = asyncio.create_task(self._process(item, slots, queue))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
        except BaseException as exc:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if not isinstance(exc, asyncio.CancelledError):
                self.fatal = self.fatal or exc
            raise
        finally:
            close = getattr(inputs, "close", None)
            if close is not None:
                close()
            await queue.put(_END)

    # -- the run ----------------------------------------------------------------------------

    def _open(self) -> None:
        names = needed_by(resolve_order(list(self.options.chains)))
        if self.options.nlp_process and names:
            self.analysis_pool = AnalysisWorkers(names, nlp_workers(self.options.strategy))
        if self.paths is not None:
            self.done = recover_jsonl(self.paths.out)
            recover_jsonl(self.paths.failures)
            compact_failures(self.paths.failures, self.done)
            self.out = JsonlAppender(self.paths.out)
            self.failures = JsonlAppender(self.paths.failures)
        total = None
        if self.options.progress:
            total = count_inputs(self.input, self.options.columns)
            self.report.total = total
        self.progress = _Progress(self.options.progress, None if total is None else max(0, total - len(self.done)))
        if self.runlog is not None:
            self.report.run_id = self.runlog.start_run(
                command=self.options.command,
                input=str(self.input),
                output=str(self.paths.out) if self.paths else None,
                model=self.stack.spec,
                chains=self.report.chains,
                concurrency=self.options.concurrency,
                strategy=self.options.strategy,
            )

    def _close(self, completed: bool) -> None:
        self.progress.close()
        for handle in (self.out, self.failures):
            if handle is not None:
                handle.close()
        if self.paths is not None and completed:
            self.report.remaining_failures = compact_failures(self.paths.failures, recover_jsonl(self.paths.out))
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.nlp_executor.shutdown(wait=False, cancel_futures=True)
        for future in self.prefetched.values():
            future.cancel()
        self.prefetched.clear()
        if self.analysis_pool is not None:
            self.analysis_pool.shutdown()
        if self.stack.retrying is not None:
            self.report.retries.update(self.stack.retrying.retries)
            self.report.gave_up.update(self.stack.retrying.gave_up)
        self.report.unpriced |= self.prices.unpriced
        self.report.interrupted = not completed
        status = "finished" if completed else ("error" if self.fatal else "interrupted")
        if self.runlog is not None:
            if self.pending_rows:
                self.runlog.add_calls(self.pending_rows)
                self.pending_rows = []
            self._update_run(status=status, finished=True)
            self.runlog.close()

    async def results(self) -> AsyncIterator[BatchItem]:
        started = time.perf_counter()
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=self.options.max_in_flight)
        dispatcher: asyncio.Task[None] | None = None
        completed = False
        try:
            self._open()
            dispatcher = asyncio.create_task(self._dispatch(queue))
            while True:
                item = await queue.get()
                if item is _END:
                    break
                self.report.elapsed_s = time.perf_counter() - started
                yield item
            await dispatcher
            if self.fatal is not None:
                raise self.fatal
            completed = True
        finally:
            if dispatcher is not None and not dispatcher.done():
                dispatcher.cancel()
                await asyncio.gather(dispatcher, return_exceptions=True)
            self.report.elapsed_s = time.perf_counter() - started
            await self.stack.aclose()
            self._close(completed)


async def arun_batch(
    input: str | Path,  # noqa: A002 - the natural name
    out: str | Path | None = None,
    *,
    chains: Sequence[str] | str | None = None,
    model: str | Model | None = None,
    base_url: str | None = None,
    concurrency: int = 8,
    max_retries: int = 5,
    timeout: float = 60.0,
    columns: Columns | None = None,
    record_mode: str = "cache",
    responses_dir: str | Path | None = None,
    failures: str | Path | None = None,
    runlog: str | Path | bool | None = True,
    prices: str | Path | PriceTable | None = None,
    prompts_dir: str | Path | None = None,
    drop_ungrounded: bool = False,
    progress: bool = False,
    max_in_flight: int | None = None,
    report: BatchReport | None = None,
    command: str = "batch",
    nlp_process: bool | None = None,
    strategy: str | None = None,
    _stack: ModelStack | None = None,
) -> AsyncIterator[BatchItem]:
    """Run the chains over every article of `input`, yielding each article as it completes.

    With `out`, results are appended there, failures to the failures file, and a rerun resumes.
    `model` is a spec ('openai:gpt-4o-mini') or a provider instance (the batch adds retries,
    the concurrency limit and the response cache around it). Pass a BatchReport to read the
    totals as they grow and after the run.

    `nlp_process`: run spaCy in a worker process ahead of the chains (a second core); None:
    automatic (see `use_nlp_process`). `strategy`: guided, direct or auto (None), resolved once
    from what the model declares (see toolkit.chain.resolve_strategy).
    """
    source = check_input(input)
    if concurrency < 1:
        raise ConfigError("concurrency must be at least 1")
    if chains is None:
        chains = default_chains()
    names = [c.strip() for c in chains.split(",")] if isinstance(chains, str) else list(chains)
    plan = resolve_order([n for n in names if n])  # unknown chains fail now, not per article
    paths = BatchPaths.for_output(out, failures, responses_dir) if out is not None else None
    if paths is not None and paths.out.resolve() == source.resolve():
        raise ConfigError(f"--out {paths.out} is the input file")
    cache_dir = paths.responses if paths is not None else (Path(responses_dir) if responses_dir else None)
    if cache_dir is None:
        record_mode = "off"
    table = prices if isinstance(prices, PriceTable) else PriceTable.load(prices)
    report = report if report is not None else BatchReport()
    report.input, report.concurrency = str(source), concurrency
    report.chains = ",".join(c.name for c in plan)
    report.prices_source = table.source
    if paths is not None:
        report.out, report.failures_path = str(paths.out), str(paths.failures)
    log = RunLog(None if runlog is True else runlog) if runlog not in (None, False) else None  # type: ignore[arg-type]
    batch: _Batch | None = None
    try:
        batch_holder: list[_Batch] = []

        def on_retry(event: RetryEvent) -> None:
            if batch_holder:
                batch_holder[0].on_retry(event)

        stack = _stack or build_model(
            model,
            base_url=base_url,
            concurrency=concurrency,
            max_retries=max_retries,
            timeout=timeout,
            record_mode=record_mode,
            responses_dir=cache_dir,
            on_retry=on_retry,
        )
        report.model = stack.model.model_id
        report.strategy = resolve_strategy(strategy, stack.model)
        # the environment, once, before any article: a missing parser model or model file, an
        # unreachable server is one clear error, not every article recorded as failed
        check_analyzers(needed_by(plan))
        stack.model.preflight()
        options = BatchOptions(
            chains=tuple(n for n in names if n),
            columns=columns or Columns(),
            concurrency=concurrency,
            max_in_flight=max_in_flight or max(4 * concurrency, 16),
            prompts_dir=prompts_dir,
            drop_ungrounded=drop_ungrounded,
            progress=progress,
            command=command,
            nlp_process=use_nlp_process(nlp_process),
            strategy=report.strategy,
        )
        batch = _Batch(input=source, options=options, paths=paths, stack=stack, prices=table, runlog=log, report=report)
        batch_holder.append(batch)
    except BaseException:
        if log is not None:
            log.close()
        raise
    results = batch.results()
    try:
        async for item in results:
            yield item
    finally:
        await results.aclose()  # stop in-flight work now, not when the generator is collected


#: the BLAS libraries' thread-count variables (OpenBLAS, OpenMP, MKL)
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """One BLAS thread for a batch process and the workers it starts, unless the user set a count.

    A batch's matrix work (sentence embeddings of a few dozen claims, spaCy) is small products
    run beside the event loop, the analysis worker and the HTTP client; a second BLAS thread only
    waits for a busy core (on a loaded 2-core machine a 640x384x1152 product took 30 ms with two
    threads, 13 ms with one). Takes effect only before numpy is imported (toolkit batch calls it first).
    """
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")


def use_nlp_process(requested: bool | None = None) -> bool:
    """Whether a batch runs spaCy in a worker process: as requested, else $TOOLKIT_NLP_PROCESS
    ("1"/"0"), else on when there are at least two cores and not under pytest (a test turns it
    on explicitly)."""
    if requested is not None:
        return requested
    env = os.environ.get("TOOLKIT_NLP_PROCESS", "").strip().lower()
    if env in ("1", "true", "yes", "on"):
        return True
    if env in ("0", "false", "no", "off"):
        return False
    return (os.cpu_count() or 1) >= 2 and "PYTEST_CURRENT_TEST" not in os.environ


#: most spaCy worker processes a batch starts (each holds its own pipeline, about 180 MB)
MAX_NLP_WORKERS = 4


def nlp_workers(strategy: str, cores: int | None = None) -> int:
    """How many spaCy worker processes keep the chains fed.

    Guided chains do more work per article in the batch process (about 0.3 s of CPU: embeddings,
    candidate pairs, two dozen calls) than spaCy does (0.14 s), so one worker keeps up and a second
    only competes for the cores (300 FNC-1 bodies on 2 cores: 3.79 articles/s with one, 3.40 with
    two). Direct chains make three calls and little else, so spaCy is what they wait for: a worker
    per core (8.41 -> 11.34 articles/s with two).
    """
    cores = cores or os.cpu_count() or 1
    return 1 if strategy != "direct" else max(1, min(cores, MAX_NLP_WORKERS))


def _run_sync(coro_factory: Any) -> Any:
    """asyncio.run, also from a thread when a loop is already running (Jupyter)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro_factory()).result()


def run_batch(
    input: str | Path,
    out: str | Path | None = None,
    *,
    fmt: str | None = None,  # noqa: A002
    **options: Any,
) -> BatchReport:
    """Blocking run_batch: process everything, write `out` (+ a .csv/.parquet table with fmt), return the report."""
    if fmt not in (None, "jsonl", "csv", "parquet"):
        raise ConfigError(f"unknown format '{fmt}' (choose jsonl, csv or parquet)")
    if fmt in ("csv", "parquet") and out is None:
        raise ConfigError(f"--format {fmt} needs an output file")
    report: BatchReport = options.pop("report", None) or BatchReport()

    async def consume() -> BatchReport:
        async for _ in arun_batch(input, out, report=report, **options):
            pass
        return report

    _run_sync(consume)
    if fmt in ("csv", "parquet") and out is not None:
        report.tables.append(str(export_table(out, fmt)))
    return report
