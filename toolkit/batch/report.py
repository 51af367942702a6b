"""What a batch did: per-article items, totals per chain, failures, cost, and the printed report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from toolkit.batch.inputs import InputItem
from toolkit.errors import ToolkitError
from toolkit.pricing import PriceTable
from toolkit.retry import failure_cause
from toolkit.runlog import now

if TYPE_CHECKING:  # pragma: no cover
    from toolkit.schema import RunResult


#: characters per token when the article's size in tokens is estimated for the budget figures
CHARS_PER_TOKEN = 4


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
            **self.rates(),
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

    def rates(self) -> dict[str, float]:
        """The headline figures: articles (ok or failed) and live calls per second of the run,
        calls and estimated cost per article whose calls were counted."""
        elapsed, n = self.elapsed_s, self.articles_counted
        return {
            "articles_per_s": round(self.processed / elapsed, 3) if elapsed else 0.0,
            "live_calls_per_s": round(self.live_calls / elapsed, 2) if elapsed else 0.0,
            "calls_per_article": round(self.calls / n, 2) if n else 0.0,
            "cost_per_article_usd": round(self.cost_usd / n, 7) if n else 0.0,
        }

    def format(self) -> str:
        from toolkit.runlog import table

        head = "batch interrupted" if self.interrupted else "batch done"
        rates = self.rates()
        cost = f"${rates['cost_per_article_usd']:.5f} per article" if self.articles_counted else "no article priced"
        lines = [
            f"{head}: {rates['articles_per_s']:.2f} articles/s, {cost} ({self.processed:,} articles in "
            f"{self.elapsed_s:.1f} s; {rates['calls_per_article']:g} calls per article, "
            f"{rates['live_calls_per_s']:.1f} live calls/s)",
            f"  articles: {self.ok:,} ok, {self.failed:,} failed, {self.skipped:,} skipped (done before)"
            + (f", {self.duplicates:,} duplicate ids ignored" if self.duplicates else "")
            + (f", {self.pending:,} waiting for OpenAI Batch results" if self.pending else ""),
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
