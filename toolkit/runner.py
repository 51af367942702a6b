"""Running chains on an article: dependency order, provenance, and failures kept per chain."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from toolkit import __version__
from toolkit.analyzers import compute_analyses, needed_by
from toolkit.article import Article, article_from_text, load_article
from toolkit.chain import ChainContext, ChainInput, resolve_strategy
from toolkit.config import load_config
from toolkit.errors import ToolkitError
from toolkit.models import Model, Usage
from toolkit.plugins import resolve_order
from toolkit.prompts import PromptLoader
from toolkit.providers import get_model
from toolkit.recording import RecordingModel, ResponseStore
from toolkit.schema import ArticleInfo, ChainRun, RunResult


def default_chains() -> tuple[str, ...]:
    """The chains `toolkit run` runs when none are named: those their plugins mark as default."""
    from toolkit.plugins import all_chains

    return tuple(name for name, chain in all_chains().items() if chain.default)


def as_article(article: Article | str | Path) -> Article:
    """Accept an Article, a path, or raw text (a str that is not an existing file)."""
    if isinstance(article, Article):
        return article
    if isinstance(article, Path):
        return load_article(article)
    if "\n" not in article and len(article) < 4096 and Path(article).suffix and Path(article).exists():
        return load_article(article)
    return article_from_text(article)


def make_model(
    model: str | Model | None = None,
    *,
    record_mode: str | None = None,
    responses_dir: str | Path | None = None,
    base_url: str | None = None,
) -> Model:
    """The provider, wrapped with the response store unless recording is off."""
    config = load_config(
        model=model if isinstance(model, str) else None,
        record_mode=record_mode,
        responses_dir=str(responses_dir) if responses_dir else None,
        base_url=base_url,
    )
    spec = model if isinstance(model, Model) else config.model
    inner = get_model(spec, base_url=config.base_url)  # a provider without a base_url ignores it
    if isinstance(inner, RecordingModel) or config.record_mode == "off":
        return inner
    return RecordingModel(inner, ResponseStore(config.responses_dir), config.record_mode)


def _article_info(article: Article) -> ArticleInfo:
    return ArticleInfo(
        id=article.id,
        source=article.source,
        title=article.title,
        outlet=article.outlet,
        url=article.url,
        date=article.date,
        sha256=article.sha256,
        chars=len(article.text),
    )


def _new_result(article: Article, model: Model, strategy: str) -> RunResult:
    return RunResult(
        toolkit_version=__version__,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        model=model.model_id,
        strategy=strategy,
        article=_article_info(article),
    )


def _chain_run(chain: Any, ctx: ChainContext, started: float, first_call: int, error: ToolkitError | None) -> ChainRun:
    calls = ctx.records[first_call:]
    usage = Usage()
    for call in calls:
        usage = usage + call.usage
    strategy = chain.strategy_for(ctx)
    return ChainRun(
        chain=chain.name,
        version=chain.version,
        status="failed" if error else "ok",
        strategy=strategy,
        error=str(error) if error else None,
        error_cause=error.cause if error else None,
        raw=getattr(error, "raw", None),
        prompts=[p.describe() for p in chain.prompts(ctx.prompts, strategy)],
        usage=usage,
        calls=len(calls),
        duration_s=round(time.perf_counter() - started, 3),
    )


def _plan(chains: Sequence[str] | str) -> list[Any]:
    names = [c.strip() for c in chains.split(",")] if isinstance(chains, str) else list(chains)
    return resolve_order([n for n in names if n])


def _context(model: Model, prompts_dir: str | Path | None, drop_ungrounded: bool, strategy: str | None) -> ChainContext:
    config = load_config(prompts_dir=str(prompts_dir) if prompts_dir else None)
    return ChainContext(
        model=model,
        prompts=PromptLoader(config.prompts_dir),
        drop_ungrounded=drop_ungrounded,
        strategy=resolve_strategy(strategy, model),
    )


@dataclass(frozen=True)
class RunOptions:
    """How one article runs: the model and where its answers come from, prompts, checks, strategy."""

    model: str | Model | None = None
    record_mode: str | None = None
    responses_dir: str | Path | None = None
    prompts_dir: str | Path | None = None
    drop_ungrounded: bool = False
    strict: bool = True
    strategy: str | None = None


class _Job:
    """One article's run: the plan, the context, and the bookkeeping run() and arun() share."""

    def __init__(
        self,
        article: Article | str | Path,
        chains: Sequence[str] | str | None,
        options: RunOptions,
        analyses: dict[str, Any] | None,
    ) -> None:
        self.article = as_article(article)
        self.plan = _plan(default_chains() if chains is None else chains)
        self.analyses: dict[str, Any] = dict(analyses or {})
        self.missing = [name for name in needed_by(self.plan) if name not in self.analyses]
        model = options.model
        if not isinstance(model, Model):
            model = make_model(model, record_mode=options.record_mode, responses_dir=options.responses_dir)
        self.ctx = _context(model, options.prompts_dir, options.drop_ungrounded, options.strategy)
        self.result = _new_result(self.article, model, self.ctx.strategy)
        self.outputs: dict[str, BaseModel] = {}
        self.strict = options.strict

    def start(self, chain: Any) -> tuple[ChainInput | None, float, int]:
        """The chain's input, or None when a chain it depends on failed (recorded at once)."""
        self.ctx.chain_name = chain.name
        started, first = time.perf_counter(), len(self.ctx.records)
        missing = _missing_dependency(chain, self.result)
        if missing is not None:
            self.result.chains[chain.name] = _chain_run(chain, self.ctx, started, first, missing)
            return None, started, first
        inp = ChainInput(
            article=self.article, deps={d: self.outputs[d] for d in chain.depends_on}, analyses=self.analyses
        )
        return inp, started, first

    def finish(
        self, chain: Any, started: float, first: int, output: BaseModel | None, error: ToolkitError | None
    ) -> None:
        if error is not None and self.strict:
            raise error
        if output is not None:
            self.outputs[chain.name] = output
        self.result.chains[chain.name] = _chain_run(chain, self.ctx, started, first, error)

    def done(self) -> RunResult:
        self.result.outputs = dict(self.outputs)
        self.result.calls = list(self.ctx.records)
        return self.result


def run(
    article: Article | str | Path,
    chains: Sequence[str] | str | None = None,
    *,
    model: str | Model | None = None,
    record_mode: str | None = None,
    responses_dir: str | Path | None = None,
    prompts_dir: str | Path | None = None,
    drop_ungrounded: bool = False,
    strict: bool = True,
    strategy: str | None = None,
    analyses: dict[str, Any] | None = None,
) -> RunResult:
    """Run the chains (and what they depend on; None: the default chains) on one article.

    strict=True raises the first ToolkitError; strict=False records it on the chain (and on the
    chains that depend on it) and returns what did succeed, as a batch needs.
    strategy: "guided", "direct" or "auto" (None): see toolkit.chain.resolve_strategy.
    analyses: per-article analyses computed ahead (toolkit.analyzers); the missing ones are computed here.
    """
    options = RunOptions(model, record_mode, responses_dir, prompts_dir, drop_ungrounded, strict, strategy)
    job = _Job(article, chains, options, analyses)
    if job.missing:
        job.analyses.update(compute_analyses(job.article.text, job.missing))
    for chain in job.plan:
        inp, started, first = job.start(chain)
        if inp is None:
            continue
        try:
            output, error = chain.build(job.ctx).invoke(inp), None
        except ToolkitError as exc:
            output, error = None, exc
        job.finish(chain, started, first, output, error)
    return job.done()


async def arun(
    article: Article | str | Path,
    chains: Sequence[str] | str | None = None,
    *,
    model: str | Model | None = None,
    record_mode: str | None = None,
    responses_dir: str | Path | None = None,
    prompts_dir: str | Path | None = None,
    drop_ungrounded: bool = False,
    strict: bool = True,
    step_executor: Executor | None = None,
    strategy: str | None = None,
    analyses: dict[str, Any] | None = None,
    analysis_executor: Executor | None = None,
) -> RunResult:
    """Async twin of run(): model calls within a chain step go out concurrently.

    step_executor: run the chains' own code there instead of on the event loop; analysis_executor:
    compute the missing analyses (spaCy) there (default: step_executor).
    """
    options = RunOptions(model, record_mode, responses_dir, prompts_dir, drop_ungrounded, strict, strategy)
    job = _Job(article, chains, options, analyses)
    job.ctx.step_executor = step_executor
    if job.missing:
        loop = asyncio.get_running_loop()
        executor = analysis_executor or step_executor
        computed = await loop.run_in_executor(executor, compute_analyses, job.article.text, job.missing)
        job.analyses.update(computed)
    for chain in job.plan:
        inp, started, first = job.start(chain)
        if inp is None:
            continue
        try:
            output, error = await chain.build(job.ctx).ainvoke(inp), None
        except ToolkitError as exc:
            output, error = None, exc
        job.finish(chain, started, first, output, error)
    return job.done()


class DependencyFailed(ToolkitError):
    cause = "dependency_failed"


def _missing_dependency(chain: Any, result: RunResult) -> ToolkitError | None:
    for dep in chain.depends_on:
        if result.chains.get(dep) is None or result.chains[dep].status != "ok":
            return DependencyFailed(f"{chain.name} skipped: the chain it depends on, {dep}, failed")
    return None
