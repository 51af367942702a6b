"""Batch runs over folders and feeds: fast, resumable, observable, and nothing lost.

``run_batch(input, out)`` (and the async generator ``arun_batch``, and ``toolkit batch``) runs
the chains over every article of a folder, a .jsonl or a .csv:

- fast: model calls go out concurrently up to ``concurrency`` requests on the wire (the limit
  sits on the HTTP client, so a retry's backoff or the client's own CPU work holds no slot),
  and the chains' CPU work (spaCy) runs on a worker thread, not on the event loop;
- rate limits honoured: 429 + Retry-After, exponential backoff with jitter on 5xx, timeouts
  and dropped connections, a retry limit (toolkit.retry.RetryingModel);
- nothing lost: one bad article becomes a line in the failures file (article id, chain,
  cause, error, the raw answer when there was one), never a stopped batch;
- resumable: the output .jsonl is append-only and flushed line by line; a rerun of the same
  command skips the ids already in it and redoes only what failed or never ran, and every
  model call that completed before (even in a run killed with SIGKILL) is answered by the
  response cache next to the output, so it is never paid twice;
- observable: a tqdm progress bar (articles/s, ETA, tokens, cost), a final report, and a row
  per model call in the SQLite run log (toolkit.runlog);
- flat memory: the input is streamed, at most a bounded number of articles are in flight, and
  resuming keeps only a set of ids.

Files, for ``--out results.jsonl``: ``results.jsonl`` (one RunResult per line, with
``article_id`` first; completion order, not input order), ``results.failures.jsonl`` (one
line per failed article; after a run each article is in exactly one of the two),
``results.responses/`` (the response cache), and on request ``results.csv`` /
``results.parquet`` (one row per article; ``to_dataframe(path, level="claims")`` gives one row
per claim). Run one process per output file.
"""

from __future__ import annotations

import asyncio
import contextvars
import csv
import json
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import analysis_pool
from toolkit.analysis_pool import AnalysisPool
from toolkit.analyzers import needed_by
from toolkit.article import SUPPORTED_SUFFIXES, Article, article_from_text, load_article
from toolkit.chain import resolve_strategy
from toolkit.config import load_config
from toolkit.errors import ArticleError, ConfigError, ToolkitError
from toolkit.hashing import sha256_text
from toolkit.models import Model, ModelRequest, ModelResponse, ModelWrapper
from toolkit.plugins import resolve_order
from toolkit.pricing import PriceTable
from toolkit.providers import get_model
from toolkit.recording import RecordingModel, ResponseStore, request_key
from toolkit.retry import LimitedModel, RetryEvent, RetryingModel, failure_cause
from toolkit.runlog import RunLog, now, result_rows
from toolkit.runner import arun, default_chains

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from toolkit.schema import RunResult

TEXT_COLUMNS = ("text", "articleBody", "body", "content", "article")
ID_COLUMNS = ("id", "Body ID", "article_id", "doc_id")
FSYNC_EVERY = 50
#: the article whose chains are running (read by the retry hook to attribute a retry)
CURRENT_ARTICLE: contextvars.ContextVar[str | None] = contextvars.ContextVar("toolkit_batch_article", default=None)
_ID_PREFIX = re.compile(rb'^\{"article_id":\s*("(?:[^"\\]|\\.)*")')

#: characters per token when the article's size in tokens is estimated for the budget figures
CHARS_PER_TOKEN = 4


# --------------------------------------------------------------------------------------------
# input


@dataclass(frozen=True)
class Columns:
    """Which CSV column / JSON field holds what; None: the usual names (text, articleBody; id, Body ID)."""

    text: str | None = None
    id: str | None = None  # noqa: A003 - mirrors the field
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    date: str | None = None


@dataclass
class InputItem:
    """One input record: an article, or the reason it could not be read."""

    article_id: str
    source: str
    article: Article | None = None
    error: ToolkitError | None = None


def input_kind(path: Path) -> str:
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    raise ArticleError(f"{path}: batch input must be a folder of articles, a .jsonl or a .csv")


def check_input(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise ArticleError(f"{path}: no such file or folder")
    input_kind(path)
    return path


def _folder_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUPPORTED_SUFFIXES
    )


def _pick(fields: Sequence[str], wanted: str | None, candidates: Sequence[str], what: str, where: Path) -> str | None:
    if wanted:
        if wanted not in fields:
            raise ArticleError(f"{where}: no {what} column '{wanted}' (columns: {', '.join(fields)})")
        return wanted
    return next((c for c in candidates if c in fields), None)


def _valid_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _record_item(
    data: dict[str, Any], cols: Columns, text_key: str | None, id_key: str | None, source: str, fallback_id: str
) -> InputItem:
    """An input record (CSV row or JSON object) as an article with its id, or its failure."""
    raw_id = data.get(id_key) if id_key else None
    article_id = str(raw_id).strip() if raw_id not in (None, "") else ""
    text = data.get(text_key) if text_key else None
    if not isinstance(text, str):
        return InputItem(
            article_id or fallback_id,
            source,
            error=ArticleError(f"{source}: no text (field '{text_key or cols.text or 'text'}')"),
        )
    if not _valid_utf8(text):
        return InputItem(article_id or fallback_id, source, error=ArticleError(f"{source}: text is not valid UTF-8"))
    meta = {}
    for name in ("title", "outlet", "url", "date"):
        key = getattr(cols, name) or name
        value = data.get(key)
        meta[name] = str(value) if value not in (None, "") else None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not article_id and text.strip():
        article_id = sha256_text(text)
    try:
        article = article_from_text(text, id=article_id or fallback_id, source=source, **meta)
    except ArticleError as exc:
        return InputItem(article_id or fallback_id, source, error=exc)
    return InputItem(article.id or fallback_id, source, article=article)


def _csv_items(path: Path, cols: Columns) -> Iterator[InputItem]:
    csv.field_size_limit(64 * 1024 * 1024)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        fields = reader.fieldnames or []
        text_key = _pick(fields, cols.text, TEXT_COLUMNS, "text", path)
        if text_key is None:
            raise ArticleError(
                f"{path}: no text column (looked for {', '.join(TEXT_COLUMNS)}); "
                f"name it with --text-column (columns: {', '.join(fields)})"
            )
        id_key = _pick(fields, cols.id, ID_COLUMNS, "id", path)
        row = 0
        errors_in_a_row = 0
        while True:
            row += 1
            source = f"{path.name}:row {row}"
            try:
                data = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                errors_in_a_row += 1
                if errors_in_a_row > 100:
                    raise ArticleError(f"{path}: unreadable as CSV near row {row} ({exc})") from None
                yield InputItem(f"{path.name}:row-{row}", source, error=ArticleError(f"{source}: bad CSV row ({exc})"))
                continue
            errors_in_a_row = 0
            yield _record_item(data, cols, text_key, id_key, source, f"{path.name}:row-{row}")


def _jsonl_items(path: Path, cols: Columns) -> Iterator[InputItem]:
    text_key, id_key = cols.text or "text", cols.id or "id"
    with path.open("rb") as handle:
        for n, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            source, fallback = f"{path.name}:line {n}", f"{path.name}:line-{n}"
            try:
                data = json.loads(raw.decode("utf-8-sig" if n == 1 else "utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                reason = "not valid UTF-8" if isinstance(exc, UnicodeDecodeError) else f"invalid JSON ({exc.msg})"
                yield InputItem(fallback, source, error=ArticleError(f"{source}: {reason}"))
                continue
            if not isinstance(data, dict):
                yield InputItem(fallback, source, error=ArticleError(f"{source}: a line must be a JSON object"))
                continue
            keys = list(data)
            text = text_key if text_key in data else next((c for c in TEXT_COLUMNS if c in keys), text_key)
            ident = id_key if id_key in data else next((c for c in ID_COLUMNS if c in keys), None)
            yield _record_item(data, cols, text, ident, source, fallback)


def _folder_items(folder: Path) -> Iterator[InputItem]:
    for path in _folder_files(folder):
        try:
            article = load_article(path)
        except ArticleError as exc:
            yield InputItem(path.stem, str(path), error=exc)
            continue
        ident = article.id or path.stem
        yield InputItem(ident, str(path), article=article.model_copy(update={"id": ident}))


def read_inputs(path: str | Path, columns: Columns | None = None) -> Iterator[InputItem]:
    """Stream the input's articles (a bad record is an item with .error, not an exception)."""
    path = check_input(path)
    cols = columns or Columns()
    kind = input_kind(path)
    if kind == "folder":
        return _folder_items(path)
    if kind == "jsonl":
        return _jsonl_items(path, cols)
    return _csv_items(path, cols)


def count_inputs(path: str | Path, columns: Columns | None = None) -> int:
    """How many records the input has (one streaming pass; for the progress bar's ETA)."""
    path = check_input(path)
    kind = input_kind(path)
    if kind == "folder":
        return len(_folder_files(path))
    if kind == "jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    csv.field_size_limit(64 * 1024 * 1024)
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        next(reader, None)
        count = 0
        while True:
            try:
                next(reader)
            except StopIteration:
                return count
            except csv.Error:
                pass
            count += 1


# --------------------------------------------------------------------------------------------
# output files


@dataclass(frozen=True)
class BatchPaths:
    out: Path
    failures: Path
    responses: Path
    openai_batch: Path

    @classmethod
    def for_output(
        cls, out: str | Path, failures: str | Path | None = None, responses: str | Path | None = None
    ) -> BatchPaths:
        out = Path(out)
        stem = out.with_suffix("") if out.suffix else out
        return cls(
            out=out,
            failures=Path(failures) if failures else stem.with_name(stem.name + ".failures.jsonl"),
            responses=Path(responses) if responses else stem.with_name(stem.name + ".responses"),
            openai_batch=stem.with_name(stem.name + ".openai-batch"),
        )


def line_id(line: bytes) -> str | None:
    """The article_id of an output/failures line (read from its start, without parsing it all)."""
    match = _ID_PREFIX.match(line)
    if match:
        try:
            return str(json.loads(match.group(1)))
        except json.JSONDecodeError:
            return None
    try:
        value = json.loads(line).get("article_id")
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
        return None
    return str(value) if value is not None else None


def recover_jsonl(path: Path) -> set[str]:
    """The ids in an append-only .jsonl; a torn last line (a crash mid-write) is cut off."""
    ids: set[str] = set()
    if not path.exists():
        return ids
    good_end = 0
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):  # only a torn write lacks its newline: the last line
                break
            ident = line_id(line)
            if ident is not None:
                ids.add(ident)
            good_end += len(line)
    if good_end != path.stat().st_size:
        with path.open("r+b") as handle:
            handle.truncate(good_end)
    return ids


def compact_failures(path: Path, done: set[str]) -> int:
    """Keep, per article not done, only its latest failure line; returns how many remain."""
    if not path.exists():
        return 0
    latest: dict[str, int] = {}
    with path.open("rb") as handle:
        for n, line in enumerate(handle):
            ident = line_id(line)
            if ident is not None and ident not in done:
                latest[ident] = n
    keep = set(latest.values())
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as handle:
            for n, line in enumerate(handle):
                if n in keep:
                    out.write(line if line.endswith(b"\n") else line + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(keep)


class JsonlAppender:
    """Append lines, flushed at once (a SIGKILL loses nothing written) and fsynced every N."""

    def __init__(self, path: Path, fsync_every: int = FSYNC_EVERY) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._handle = path.open("a", encoding="utf-8")
        self._fsync_every = fsync_every
        self._pending = 0

    def write(self, line: str) -> None:
        self._handle.write(line + "\n")
        self._handle.flush()
        self._pending += 1
        if self._pending >= self._fsync_every:
            os.fsync(self._handle.fileno())
            self._pending = 0

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()


def output_line(article_id: str, result: RunResult) -> str:
    """RunResult JSON with article_id first (so a resume reads ids without parsing whole lines)."""
    return '{"article_id":' + json.dumps(article_id, ensure_ascii=False) + "," + result.model_dump_json()[1:]


# --------------------------------------------------------------------------------------------
# the model stack


class AdaptiveLimit:
    """At most `limit` holders; a 429 shrinks the limit, successes grow it back (AIMD, as TCP).

    So a --concurrency above what the provider allows settles just under its limit instead of
    spending the retry budget on 429s.
    """

    def __init__(self, maximum: int, *, decrease: float = 0.8, cooldown_s: float = 0.5) -> None:
        self.maximum = maximum
        self.limit = float(maximum)
        self.active = 0
        self.decrease = decrease
        self.cooldown_s = cooldown_s
        self.cuts = 0
        self._cond: asyncio.Condition | None = None
        self._last_cut = 0.0

    def _condition(self) -> asyncio.Condition:
        if self._cond is None:  # created lazily: it binds to the running loop
            self._cond = asyncio.Condition()
        return self._cond

    def _free(self) -> int:
        return max(1, int(self.limit)) - self.active

    async def acquire(self) -> None:
        cond = self._condition()
        async with cond:
            await cond.wait_for(lambda: self._free() > 0)
            self.active += 1

    async def release(self, rate_limited: bool = False) -> None:
        cond = self._condition()
        async with cond:
            self.active -= 1
            if rate_limited:
                clock = time.monotonic()
                if clock - self._last_cut >= self.cooldown_s:
                    self.limit = max(1.0, self.limit * self.decrease)
                    self._last_cut = clock
                    self.cuts += 1
            elif self.limit < self.maximum:
                self.limit = min(float(self.maximum), self.limit + 1.0 / self.limit)
            if self._free() > 0:
                cond.notify(self._free())


class SingleFlight(ModelWrapper):
    """Identical requests in flight at once go out once; the others wait for that answer."""

    def __init__(self, inner: Model) -> None:
        super().__init__(inner)
        self._inflight: dict[str, asyncio.Future[ModelResponse]] = {}

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        key = request_key(request)
        waiting = self._inflight.get(key)
        if waiting is not None:  # answered once, paid once: the copy counts as from the cache
            response = await asyncio.shield(waiting)
            return response.model_copy(update={"source": "cached"}) if response.source == "live" else response
        future: asyncio.Future[ModelResponse] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            response = await self.inner.acomplete(request)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        finally:
            del self._inflight[key]
        future.set_result(response)
        return response


@dataclass
class ModelStack:
    model: Model
    retrying: RetryingModel | None = None
    #: the provider's own model, closed at the end (its HTTP connections)
    provider: Model | None = None
    spec: str = ""

    async def aclose(self) -> None:
        if self.provider is not None:
            await self.provider.aclose()


def build_model(
    model: str | Model | None,
    *,
    base_url: str | None = None,
    concurrency: int = 8,
    max_retries: int = 5,
    timeout: float = 60.0,
    record_mode: str = "cache",
    responses_dir: Path | None = None,
    on_retry: Any = None,
) -> ModelStack:
    """SingleFlight(RecordingModel(RetryingModel(limited provider))): cache hits never reach the
    network; a completed call is stored before the next; retries hold no concurrency slot."""
    if isinstance(model, Model):
        provider, spec = model, model.model_id
    else:
        config = load_config(model=model, base_url=base_url)
        spec = config.model
        # the provider takes what it understands: an HTTP provider bounds its own requests in
        # flight and leaves retries to the batch; a local model takes none of these
        provider = get_model(spec, base_url=config.base_url, concurrency=concurrency, timeout=timeout, max_retries=0)
    inner = provider if provider.limits_concurrency else LimitedModel(provider, concurrency)
    retrying = RetryingModel(inner, max_retries=max_retries, on_retry=on_retry)
    stacked: Model = retrying
    if record_mode != "off":
        if responses_dir is None:
            raise ConfigError("the response cache needs a folder: give --responses-dir or an output file")
        stacked = RecordingModel(retrying, ResponseStore(responses_dir), record_mode)
    return ModelStack(SingleFlight(stacked), retrying, provider, spec)


# --------------------------------------------------------------------------------------------
# results and the report


@dataclass
class BatchItem:
    """One processed article: its result (status ok) or its failure record (status failed)."""

    article_id: str
    status: str
    result: RunResult | None = None
    failure: dict[str, Any] | None = None


@dataclass
class ChainTotals:
    calls: int = 0
    live: int = 0
    cached: int = 0
    invalid: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    failed: int = 0


@dataclass
class BatchReport:
    """What a batch run did, what it cost and what failed (also printed at the end)."""

    input: str = ""
    out: str = ""
    failures_path: str = ""
    run_id: str | None = None
    model: str = ""
    chains: str = ""
    strategy: str = ""
    concurrency: int = 0
    total: int | None = None
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    duplicates: int = 0
    pending: int = 0
    elapsed_s: float = 0.0
    per_chain: dict[str, ChainTotals] = field(default_factory=dict)
    failures_by_cause: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    gave_up: Counter[str] = field(default_factory=Counter)
    unpriced: set[str] = field(default_factory=set)
    prices_source: str = "defaults"
    interrupted: bool = False
    tables: list[str] = field(default_factory=list)
    remaining_failures: int = 0
    #: articles whose calls are counted in per_chain, and their size in estimated tokens
    articles_counted: int = 0
    article_tokens: int = 0

    @property
    def processed(self) -> int:
        return self.ok + self.failed

    def _total(self, attr: str) -> Any:
        return sum(getattr(c, attr) for c in self.per_chain.values())

    calls = property(lambda self: self._total("calls"))
    live_calls = property(lambda self: self._total("live"))
    prompt_tokens = property(lambda self: self._total("prompt_tokens"))
    completion_tokens = property(lambda self: self._total("completion_tokens"))
    cost_usd = property(lambda self: self._total("cost_usd"))

    def add_result(self, result: RunResult, prices: PriceTable) -> None:
        self.articles_counted += 1
        self.article_tokens += max(1, result.article.chars // CHARS_PER_TOKEN)
        for call in result.calls:
            totals = self.per_chain.setdefault(call.chain, ChainTotals())
            totals.calls += 1
            live = call.source == "live"
            totals.live += live
            totals.cached += not live
            totals.invalid += not call.ok
            totals.prompt_tokens += call.usage.prompt_tokens
            totals.completion_tokens += call.usage.completion_tokens
            usage = call.usage
            totals.cost_usd += prices.cost(call.model, usage.prompt_tokens, usage.completion_tokens, call.source)
        for name, run in result.chains.items():
            if run.status != "ok" and run.error_cause != "dependency_failed":
                self.per_chain.setdefault(name, ChainTotals()).failed += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "input": self.input,
            "out": self.out,
            "failures": self.failures_path,
            "model": self.model,
            "chains": self.chains,
            "strategy": self.strategy,
            "total": self.total,
            "ok": self.ok,
            "failed": self.failed,
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "pending": self.pending,
            "elapsed_s": round(self.elapsed_s, 3),
            "calls": self.calls,
            "live_calls": self.live_calls,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": round(self.cost_usd, 6),
            "per_article": self.per_article(),
            "failures_by_cause": dict(self.failures_by_cause),
            "retries": dict(self.retries),
            "gave_up": dict(self.gave_up),
            "per_chain": {k: vars(v) for k, v in self.per_chain.items()},
            "interrupted": self.interrupted,
        }

    def per_article(self) -> dict[str, float]:
        """Calls, prompt tokens and cost per article, and prompt tokens over the article's own
        (estimated at CHARS_PER_TOKEN characters a token): the budget figures of a strategy."""
        n = self.articles_counted
        if not n:
            return {}
        return {
            "calls": round(self.calls / n, 2),
            "prompt_tokens": round(self.prompt_tokens / n, 1),
            "article_tokens": round(self.article_tokens / n, 1),
            "prompt_to_article": round(self.prompt_tokens / max(1, self.article_tokens), 2),
            "cost_usd": round(self.cost_usd / n, 6),
        }

    def format(self) -> str:
        from toolkit.runlog import table

        rate = self.processed / self.elapsed_s if self.elapsed_s else 0.0
        call_rate = self.live_calls / self.elapsed_s if self.elapsed_s else 0.0
        head = "batch interrupted" if self.interrupted else "batch done"
        lines = [
            f"{head}: {self.ok:,} ok, {self.failed:,} failed, {self.skipped:,} skipped (done before)"
            + (f", {self.duplicates:,} duplicate ids ignored" if self.duplicates else "")
            + (f", {self.pending:,} waiting for OpenAI Batch results" if self.pending else "")
            + f" in {self.elapsed_s:.1f} s ({rate:.2f} articles/s, {call_rate:.1f} live calls/s)",
            f"  calls: {self.calls:,} ({self.live_calls:,} live, {self.calls - self.live_calls:,} from the cache)"
            + (", retries: " + ", ".join(f"{k} {v}" for k, v in self.retries.most_common()) if self.retries else "")
            + (", gave up: " + ", ".join(f"{k} {v}" for k, v in self.gave_up.most_common()) if self.gave_up else ""),
            f"  tokens: {self.prompt_tokens:,} in + {self.completion_tokens:,} out   "
            f"estimated cost: ${self.cost_usd:.4f} (prices: {self.prices_source})",
        ]
        each = self.per_article()
        if each:
            lines.append(
                f"  per article ({self.strategy or 'guided'} strategy): {each['calls']:g} calls, "
                f"{each['prompt_tokens']:,.0f} prompt tokens = {each['prompt_to_article']:.1f}x the article "
                f"(~{each['article_tokens']:,.0f} tokens), ${each['cost_usd']:.5f}"
            )
        if self.unpriced:
            lines.append(f"  no price for {', '.join(sorted(self.unpriced))}: counted as $0 (add it to prices.toml)")
        if self.per_chain:
            cols = ["chain", "calls", "live", "cached", "invalid", "in_tokens", "out_tokens", "cost_usd", "failed"]
            rows = [
                [
                    name,
                    c.calls,
                    c.live,
                    c.cached,
                    c.invalid,
                    c.prompt_tokens,
                    c.completion_tokens,
                    round(c.cost_usd, 6),
                    c.failed,
                ]
                for name, c in sorted(self.per_chain.items())
            ]
            lines += ["  " + line for line in table(cols, rows).splitlines()]
        if self.failures_by_cause:
            causes = self.failures_by_cause.most_common()
            lines.append("  failures by cause: " + ", ".join(f"{k} {v}" for k, v in causes))
        if self.out:
            redo = f"   failures: {self.failures_path} ({self.remaining_failures} to redo)"
            lines.append(f"  output: {self.out}" + (redo if self.remaining_failures else ""))
        for path in self.tables:
            lines.append(f"  table: {path}")
        if self.run_id:
            lines.append(f"  run log: toolkit logs --run {self.run_id}")
        return "\n".join(lines)


def failure_record(
    item: InputItem, run_id: str | None, result: RunResult | None, error: BaseException | None = None
) -> dict[str, Any]:
    """One failures-file line: article id, the chain that failed first, cause, error, raw answer."""
    record: dict[str, Any] = {"article_id": item.article_id, "run_id": run_id, "at": now(), "source": item.source}
    if result is not None:
        failed = [(n, r) for n, r in result.chains.items() if r.status != "ok"]
        root = next(((n, r) for n, r in failed if r.error_cause != "dependency_failed"), failed[0])
        name, run = root
        record.update(
            chain=name,
            cause=failure_cause(run.error_cause, run.error),
            error=run.error,
            raw=run.raw,
            failed_chains=[n for n, _ in failed],
            ok_chains=[n for n, r in result.chains.items() if r.status == "ok"],
        )
    else:
        cause = error.cause if isinstance(error, ToolkitError) else "internal"
        message = str(error) if isinstance(error, ToolkitError) else f"{type(error).__name__}: {error}"
        record.update(
            chain=None,
            cause=failure_cause(cause, message),
            error=message,
            raw=getattr(error, "raw", None),
            failed_chains=[],
            ok_chains=[],
        )
    return record


# --------------------------------------------------------------------------------------------
# the run


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


class _Batch:
    """One batch run's state; `results()` is the async generator behind arun_batch."""

    def __init__(
        self,
        *,
        input: Path,
        paths: BatchPaths | None,
        chains: Sequence[str] | str,  # noqa: A002
        stack: ModelStack,
        columns: Columns,
        concurrency: int,
        max_in_flight: int,
        prompts_dir: Any,
        drop_ungrounded: bool,
        prices: PriceTable,
        runlog: RunLog | None,
        progress: bool,
        report: BatchReport,
        command: str,
        nlp_process: bool = False,
        strategy: str = "guided",
    ) -> None:
        self.input = input
        self.strategy = strategy
        self.paths = paths
        self.chains = chains
        self.stack = stack
        self.columns = columns
        self.concurrency = concurrency
        self.max_in_flight = max_in_flight
        self.prompts_dir = prompts_dir
        self.drop_ungrounded = drop_ungrounded
        self.prices = prices
        self.runlog = runlog
        self.progress_enabled = progress
        self.report = report
        self.command = command
        self.done: set[str] = set()
        self.seen: set[str] = set()
        self.pending_rows: list[dict[str, Any]] = []
        self.fatal: BaseException | None = None
        self.out: JsonlAppender | None = None
        self.failures: JsonlAppender | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="toolkit-chain-cpu")
        self.nlp_process = nlp_process
        #: the chains' per-article analyses (spaCy) in a worker process, ahead of the chains
        #: (None: the runner computes them on self.executor)
        self.analysis_pool: AnalysisPool | None = None
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
                self.chains,
                model=self.stack.model,
                prompts_dir=self.prompts_dir,
                drop_ungrounded=self.drop_ungrounded,
                strict=False,
                step_executor=self.executor,
                strategy=self.strategy,
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
        slots = asyncio.Semaphore(self.max_in_flight)
        tasks: set[asyncio.Task[None]] = set()
        inputs = read_inputs(self.input, self.columns)
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
        names = needed_by(resolve_order(list(self.chains)))
        if self.nlp_process and names:
            self.analysis_pool = AnalysisPool(names)
        if self.paths is not None:
            self.done = recover_jsonl(self.paths.out)
            recover_jsonl(self.paths.failures)
            compact_failures(self.paths.failures, self.done)
            self.out = JsonlAppender(self.paths.out)
            self.failures = JsonlAppender(self.paths.failures)
        total = None
        if self.progress_enabled:
            total = count_inputs(self.input, self.columns)
            self.report.total = total
        self.progress = _Progress(self.progress_enabled, None if total is None else max(0, total - len(self.done)))
        if self.runlog is not None:
            self.report.run_id = self.runlog.start_run(
                command=self.command,
                input=str(self.input),
                output=str(self.paths.out) if self.paths else None,
                model=self.stack.spec,
                chains=self.report.chains,
                concurrency=self.concurrency,
                strategy=self.strategy,
            )

    def _close(self, completed: bool) -> None:
        self.progress.close()
        for handle in (self.out, self.failures):
            if handle is not None:
                handle.close()
        if self.paths is not None and completed:
            self.report.remaining_failures = compact_failures(self.paths.failures, recover_jsonl(self.paths.out))
        self.executor.shutdown(wait=False, cancel_futures=True)
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
        queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=self.max_in_flight)
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
        batch = _Batch(
            input=source,
            paths=paths,
            chains=names,
            stack=stack,
            columns=columns or Columns(),
            concurrency=concurrency,
            max_in_flight=max_in_flight or max(4 * concurrency, 16),
            prompts_dir=prompts_dir,
            drop_ungrounded=drop_ungrounded,
            prices=table,
            runlog=log,
            progress=progress,
            report=report,
            command=command,
            nlp_process=use_nlp_process(nlp_process),
            strategy=report.strategy,
        )
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


# --------------------------------------------------------------------------------------------
# tables for pandas


def _iter_results(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line of a run still in progress


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False)


def article_row(data: dict[str, Any]) -> dict[str, Any]:
    """One flat row per article: metadata, tokens, and each chain's fields (lists as JSON + a count)."""
    article = data.get("article") or {}
    row: dict[str, Any] = {"article_id": data.get("article_id")}
    for key in ("title", "outlet", "url", "date", "source", "chars", "sha256"):
        row[key] = article.get(key)
    row["model"] = data.get("model")
    row["created_at"] = data.get("created_at")
    chains = data.get("chains") or {}
    row["prompt_tokens"] = sum((c.get("usage") or {}).get("prompt_tokens", 0) for c in chains.values())
    row["completion_tokens"] = sum((c.get("usage") or {}).get("completion_tokens", 0) for c in chains.values())
    row["calls"] = sum(c.get("calls", 0) for c in chains.values())
    for chain, output in (data.get("outputs") or {}).items():
        if not isinstance(output, dict):
            row[chain] = _scalar(output)
            continue
        for key, value in output.items():
            if isinstance(value, list):
                row[f"{chain}.n_{key}"] = len(value)
                if all(isinstance(v, str) for v in value):
                    row[f"{chain}.{key}"] = "; ".join(value)
                    continue
            row[f"{chain}.{key}"] = _scalar(value)
    return row


def item_rows(data: dict[str, Any], chain: str) -> list[dict[str, Any]]:
    """One row per item of a chain's first list of objects (claims, key points, pairs)."""
    output = (data.get("outputs") or {}).get(chain)
    if not isinstance(output, dict):
        return []
    items = next((v for v in output.values() if isinstance(v, list) and v and isinstance(v[0], dict)), [])
    return [{"article_id": data.get("article_id"), **{k: _scalar(v) for k, v in item.items()}} for item in items]


def _columns(path: Path) -> dict[str, type]:
    kinds: dict[str, type] = {}
    for data in _iter_results(path):
        for key, value in article_row(data).items():
            if value is None:
                kinds.setdefault(key, type(None))
                continue
            kind = float if isinstance(value, float) else type(value)
            old = kinds.get(key, type(None))
            if old is type(None):
                kinds[key] = kind
            elif old is not kind:
                kinds[key] = float if {old, kind} == {int, float} else str
    return {k: (str if v is type(None) else v) for k, v in kinds.items()}


def export_table(out: str | Path, fmt: str) -> Path:
    """Write <out>.csv or .parquet, one row per article, streaming the .jsonl (memory stays flat)."""
    path = Path(out)
    target = path.with_suffix(f".{fmt}")
    columns = _columns(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if fmt == "csv":
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(columns))
                writer.writeheader()
                for data in _iter_results(path):
                    writer.writerow(article_row(data))
        else:
            _write_parquet(path, Path(tmp), columns)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _write_parquet(path: Path, target: Path, columns: dict[str, type]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError("--format parquet needs pyarrow: pip install 'news-toolkit[batch]'") from None
    types = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    schema = pa.schema([(name, types.get(kind, pa.string())) for name, kind in columns.items()])

    def cast(value: Any, kind: type) -> Any:
        if value is None:
            return None
        if kind is str and not isinstance(value, str):
            return json.dumps(value) if not isinstance(value, int | float | bool) else str(value)
        return kind(value) if kind in (int, float) and not isinstance(value, bool) else value

    with pq.ParquetWriter(target, schema) as writer:
        chunk: list[dict[str, Any]] = []
        for data in _iter_results(path):
            row = article_row(data)
            chunk.append({name: cast(row.get(name), kind) for name, kind in columns.items()})
            if len(chunk) >= 1000:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                chunk = []
        if chunk:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))


def to_dataframe(path: str | Path, level: str = "articles") -> pd.DataFrame:
    """A batch output as a pandas DataFrame.

    level="articles": one row per article (as the .csv); a chain name ("claims", "summary",
    "counterclaims"): one row per item of that chain's list (claims, key points, pairs);
    "failures": the failures file next to the output.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ConfigError("to_dataframe needs pandas: pip install 'news-toolkit[batch]'") from None
    path = Path(path)
    if level == "failures":
        failures = path if path.name.endswith(".failures.jsonl") else BatchPaths.for_output(path).failures
        return pd.DataFrame(list(_iter_results(failures)) if failures.exists() else [])
    if level == "articles":
        return pd.DataFrame([article_row(d) for d in _iter_results(path)])
    return pd.DataFrame([row for d in _iter_results(path) for row in item_rows(d, level)])
