"""Scale beyond one machine with OpenAI's own batch engine (the Batch API, half price, 24 h).

The chains are multi-step: later calls depend on earlier answers (claims first, then the
summary's picks and the counter-claim relations, then the rationales; a repair call after an
invalid answer). So a batch goes in rounds, each one an ordinary `toolkit batch` pass whose
model, instead of calling the network, writes every request the response cache cannot answer
to a Batch API request file:

1. ``toolkit batch INPUT --out OUT --via openai-batch --model openai:gpt-4o-mini``
   writes ``OUT-stem.openai-batch/round-001.requests.jsonl`` (custom_id, method, url, body);
2. upload it and create the batch (``client.files.create(purpose="batch")``,
   ``client.batches.create(endpoint="/v1/chat/completions", completion_window="24h")``), wait,
   download the output file;
3. ``toolkit batch INPUT --out OUT --via openai-batch --import results.jsonl`` stores every
   answer in the response cache under exactly the key RecordingModel uses for that request
   (the custom_id *is* that key), then runs the next pass: articles whose calls are all
   answered are written to OUT (or to the failures file), the next round's requests are
   written;
4. repeat until a pass writes no requests: every article is in OUT or in the failures file.

Requests already sent and not yet imported are not written again (use ``--resubmit`` after an
expired or failed batch); an error line in a result file makes its request come back in the
next round. Because the cache holds every answer, a later direct run (``toolkit batch`` without
``--via``) of the same input replays them for free. Imported calls are logged in the run log at
the Batch API price (the table's ``batch_discount``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.batch import BatchPaths, BatchReport, ModelStack, SingleFlight, _run_sync, arun_batch
from toolkit.config import load_config
from toolkit.errors import ConfigError, ToolkitError
from toolkit.models import Model, ModelRequest, ModelResponse, ModelWrapper, Usage
from toolkit.pricing import PriceTable
from toolkit.providers import get_model
from toolkit.recording import RecordingModel, ResponseStore, request_key
from toolkit.runlog import RunLog, now

URL = "/v1/chat/completions"
MAX_REQUESTS_PER_FILE = 50_000  # the Batch API's limits per input file
MAX_BYTES_PER_FILE = 190 * 1024 * 1024
PARAMS = ("temperature", "max_tokens", "seed", "top_p")  # what OpenAIModel sends, too
_ROUND = re.compile(r"round-(\d+)(?:-part-\d+)?\.requests\.jsonl$")


class DeferredCall(ToolkitError):
    """The answer will come from an OpenAI Batch result file (not a failure)."""

    cause = "deferred"


def request_body(request: ModelRequest, model_name: str) -> dict[str, Any]:
    """The chat-completions body OpenAIModel would send (json_schema structured output)."""
    params = {k: v for k, v in request.params.items() if k in PARAMS}
    return {
        "model": model_name,
        "messages": request.messages,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": request.schema_name, "schema": request.json_schema},
        },
        **params,
    }


def request_line(request: ModelRequest, model_name: str) -> dict[str, Any]:
    return {"custom_id": request_key(request), "method": "POST", "url": URL, "body": request_body(request, model_name)}


class RequestFiles:
    """A round's request file(s), split at the Batch API's per-file limits."""

    def __init__(self, folder: Path, round_no: int) -> None:
        self.folder = folder
        self.round_no = round_no
        self.files: list[Path] = []
        self.count = 0
        self._handle: Any = None
        self._lines = 0
        self._bytes = 0

    def _path(self, part: int) -> Path:
        suffix = f"-part-{part:02d}" if part > 1 else ""
        return self.folder / f"round-{self.round_no:03d}{suffix}.requests.jsonl"

    def add(self, line: dict[str, Any]) -> None:
        data = (json.dumps(line, ensure_ascii=False) + "\n").encode("utf-8")
        if self._handle is None or self._lines >= MAX_REQUESTS_PER_FILE or self._bytes + len(data) > MAX_BYTES_PER_FILE:
            self.close()
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self._path(len(self.files) + 1)
            self.files.append(path)
            self._handle = path.open("wb")
            self._lines = self._bytes = 0
        self._handle.write(data)
        self._handle.flush()
        self._lines += 1
        self._bytes += len(data)
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class DeferredModel(ModelWrapper):
    """Answers nothing: records each request for the Batch API and raises DeferredCall. It wraps
    the live model only for its identity and parameters (the live path's requests, so the
    answers imported later are found by the same keys); it never calls it."""

    def __init__(
        self, like: Model, model_name: str, pending_dir: Path, files: RequestFiles, resubmit: bool = False
    ) -> None:
        super().__init__(like)
        self.like = like
        self.model_name = model_name
        self.pending_dir = pending_dir
        self.files = files
        self.resubmit = resubmit
        self.written: set[str] = set()
        self.awaiting: set[str] = set()

    def preflight(self) -> None:
        """Nothing to reach: the requests go to files, uploaded by the user."""

    def complete(self, request: ModelRequest) -> ModelResponse:
        key = request_key(request)
        pending = self.pending_dir / f"{key}.json"
        if key not in self.written:
            if pending.exists() and not self.resubmit:
                self.awaiting.add(key)
            else:
                self.pending_dir.mkdir(parents=True, exist_ok=True)
                pending.write_text(
                    json.dumps(
                        {"custom_id": key, "round": self.files.round_no, "request": request.model_dump(mode="json")}
                    ),
                    "utf-8",
                )
                self.files.add(request_line(request, self.model_name))
                self.written.add(key)
        raise DeferredCall(f"request {key[:12]} waits for an OpenAI Batch result")

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        return self.complete(request)


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    imported: int = 0
    already: int = 0
    unknown: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    cost_usd: float = 0.0

    def format(self) -> str:
        parts = [f"imported {self.imported:,} answers from {', '.join(self.files)}"]
        if self.already:
            parts.append(f"{self.already:,} were imported before")
        if self.unknown:
            parts.append(f"{self.unknown:,} unknown custom_id (not from this output's request files)")
        if self.errors:
            parts.append(
                "errors (their requests go into the next round): "
                + ", ".join(f"{k} {v}" for k, v in self.errors.most_common())
            )
        parts.append(f"cost at Batch API prices: ${self.cost_usd:.4f}")
        return "; ".join(parts)


def _answer_text(body: dict[str, Any]) -> tuple[str, str | None]:
    choice = (body.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    calls = message.get("tool_calls") or []
    if calls:
        return str((calls[0].get("function") or {}).get("arguments") or ""), choice.get("finish_reason")
    content = message.get("content")
    return (content if isinstance(content, str) else json.dumps(content)), choice.get("finish_reason")


def _result_lines(path: Path) -> Iterator[tuple[dict[str, Any], str]]:
    """(parsed line, custom_id) of each non-empty line of a Batch result file."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such result file")
    with path.open("rb") as handle:
        for n, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                custom_id = str(line["custom_id"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise ConfigError(f"{path}:{n}: not an OpenAI Batch result line (custom_id, response, error)") from None
            yield line, custom_id


def _failed_code(line: dict[str, Any]) -> str | None:
    """The error code of a result line that holds no answer, None for an answer."""
    response = line.get("response") or {}
    error, status, body = line.get("error"), response.get("status_code"), response.get("body") or {}
    if error or status != 200 or not body.get("choices"):
        return str((error or {}).get("code") or (body.get("error") or {}).get("code") or f"http_{status}")
    return None


def _answer(line: dict[str, Any], model: str) -> ModelResponse:
    body = line["response"]["body"]
    text, finish = _answer_text(body)
    usage = body.get("usage") or {}
    return ModelResponse(
        text=text,
        model=model,
        finish_reason=finish,
        usage=Usage(prompt_tokens=usage.get("prompt_tokens", 0), completion_tokens=usage.get("completion_tokens", 0)),
    )


def import_results(
    results: Sequence[str | Path],
    *,
    folder: Path,
    store: ResponseStore,
    prices: PriceTable,
    runlog: RunLog | None = None,
) -> ImportReport:
    """Store each result line's answer in the response cache under its request's key."""
    report = ImportReport()
    pending_dir = folder / "pending"
    run_id = (
        runlog.start_run(command="openai-batch import", input=", ".join(map(str, results)), output=str(store.folder))
        if runlog
        else None
    )
    rows: list[dict[str, Any]] = []
    for path in map(Path, results):
        lines = _result_lines(path)
        report.files.append(str(path))
        for line, custom_id in lines:
            pending = pending_dir / f"{custom_id}.json"
            if not pending.exists():
                if _known(store, custom_id):
                    report.already += 1
                else:
                    report.unknown += 1
                continue
            request = ModelRequest.model_validate(json.loads(pending.read_text("utf-8"))["request"])
            if request_key(request) != custom_id:
                raise ConfigError(f"{pending}: request does not match its custom_id (edited by hand?)")
            row = {"run_id": run_id, "at": now(), "model": request.model, "step": request.schema_name}
            row |= {"source": "openai-batch", "cache_key": custom_id}
            code = _failed_code(line)
            if code is not None:
                report.errors[code] += 1
                pending.unlink()
                body = (line.get("response") or {}).get("body") or {}
                error = json.dumps(line.get("error") or body.get("error"))[:500]
                rows.append(row | {"status": "failed", "cause": f"batch/{code}", "error": error})
                continue
            answer = _answer(line, request.model)
            store.save(request, custom_id, answer)
            pending.unlink()
            report.imported += 1
            tokens = answer.usage
            cost = prices.cost(request.model, tokens.prompt_tokens, tokens.completion_tokens, batch=True)
            report.cost_usd += cost
            rows.append(
                row
                | {
                    "prompt_tokens": tokens.prompt_tokens,
                    "completion_tokens": tokens.completion_tokens,
                    "cost_usd": cost,
                    "status": "ok",
                }
            )
    if runlog is not None and run_id:
        runlog.add_calls(rows)
        runlog.update_run(
            run_id,
            status="finished",
            finished=True,
            calls=report.imported,
            prompt_tokens=sum(r.get("prompt_tokens") or 0 for r in rows),
            completion_tokens=sum(r.get("completion_tokens") or 0 for r in rows),
            cost_usd=round(report.cost_usd, 6),
        )
    return report


def _known(store: ResponseStore, custom_id: str) -> bool:
    return any(store.folder.glob(f"*-{custom_id[:24]}.json")) if store.folder.exists() else False


def next_round(folder: Path) -> int:
    rounds = [int(m.group(1)) for p in folder.glob("round-*.requests.jsonl") if (m := _ROUND.search(p.name))]
    return max(rounds, default=0) + 1


@dataclass
class RoundReport:
    """What one --via openai-batch pass did."""

    batch: BatchReport
    imported: ImportReport | None
    round_no: int
    request_files: list[Path]
    requests: int
    awaiting: int

    @property
    def complete(self) -> bool:
        return self.requests == 0 and self.awaiting == 0 and self.batch.pending == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.batch.to_dict(),
            "round": self.round_no,
            "requests": self.requests,
            "awaiting": self.awaiting,
            "request_files": [str(p) for p in self.request_files],
        }

    def format(self, command: str = "toolkit batch INPUT --out OUT") -> str:
        lines = []
        if self.imported is not None:
            lines.append(self.imported.format())
        lines.append(self.batch.format())
        if self.requests:
            files = ", ".join(str(p) for p in self.request_files)
            lines.append(f"openai-batch round {self.round_no}: wrote {self.requests:,} requests to {files}")
            lines.append("  upload each file (purpose 'batch') and create a batch with endpoint /v1/chat/completions,")
            lines.append(f"  then import its output file: {command} --via openai-batch --import RESULTS.jsonl")
        if self.awaiting:
            lines.append(
                f"{self.awaiting:,} requests of earlier rounds still await their results: import them "
                "(or pass --resubmit to write them again)"
            )
        if self.complete:
            lines.append("openai-batch: all chains complete")
        return "\n".join(lines)


def run_openai_batch(
    input: str | Path,  # noqa: A002
    out: str | Path,
    *,
    imports: Sequence[str | Path] = (),
    resubmit: bool = False,
    model: str | None = None,
    runlog: str | Path | bool | None = True,
    prices: str | Path | PriceTable | None = None,
    **options: Any,
) -> RoundReport:
    """Import result files (if any), then run one pass that writes the next round's requests."""
    config = load_config(model=model)
    if not config.model.startswith("openai"):
        raise ConfigError(f"--via openai-batch needs an OpenAI model (--model openai:NAME), not '{config.model}'")
    like = get_model(config.model)  # never called: it gives the model id and parameters the live path uses
    model_name = getattr(like, "name", config.model.partition(":")[2] or config.model)
    paths = BatchPaths.for_output(out, options.pop("failures", None), options.pop("responses_dir", None))
    folder = paths.openai_batch
    store = ResponseStore(paths.responses)
    table = prices if isinstance(prices, PriceTable) else PriceTable.load(prices)
    imported = None
    if imports:
        log = RunLog(None if runlog is True else runlog) if runlog not in (None, False) else None  # type: ignore[arg-type]
        try:
            imported = import_results(imports, folder=folder, store=store, prices=table, runlog=log)
        finally:
            if log is not None:
                log.close()
    round_no = next_round(folder)
    files = RequestFiles(folder, round_no)
    deferred = DeferredModel(like, model_name, folder / "pending", files, resubmit=resubmit)
    stack = ModelStack(SingleFlight(RecordingModel(deferred, store, "cache")), None, None, config.model)
    report = BatchReport()

    async def consume() -> None:
        async for _ in arun_batch(
            input,
            out,
            failures=paths.failures,
            responses_dir=paths.responses,
            runlog=runlog,
            prices=table,
            report=report,
            command="openai-batch pass",
            _stack=stack,
            concurrency=options.pop("concurrency", 64),
            **options,
        ):
            pass

    try:
        _run_sync(consume)
    finally:
        files.close()
    return RoundReport(report, imported, round_no, files.files, files.count, len(deferred.awaiting - deferred.written))
