"""What a chain is, and how its model calls are executed.

A chain's logic is a generator: it yields lists of StructuredCall and receives the validated
results. One logic thus runs under a sync driver (invoke) and an async driver (ainvoke, calls
of one step run concurrently), and `build()` wraps both as a LangChain Runnable that users can
compose in their own LangChain code.
"""

from __future__ import annotations

import asyncio
import functools
import json
from abc import ABC, abstractmethod
from collections.abc import Generator
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import BaseModel, ValidationError

from toolkit.article import Article
from toolkit.errors import ConfigError, OutputValidationError
from toolkit.models import Model, ModelRequest, ModelResponse, Usage
from toolkit.prompts import PromptLoader, PromptSpec
from toolkit.view import ChainView

#: guided: rules find the claims and the model labels each (any model, two calls per claim at most);
#: direct: the model reads the article and returns everything in a few structured calls, checked after
STRATEGIES = ("guided", "direct")
STRATEGY_CHOICES = ("auto", *STRATEGIES)
#: the smallest context a model needs for the direct strategy (an article chunk, the example, the answer)
DIRECT_MIN_CONTEXT = 4096

REPAIR_INSTRUCTION = "That answer is not valid: {error}. Reply again with only a JSON object that matches the schema."


@dataclass
class StructuredCall:
    """One model call whose answer must validate against `schema`."""

    step: str
    prompt: PromptSpec
    variables: dict[str, Any]
    schema: type[BaseModel]
    max_tokens: int = 256
    params: dict[str, Any] = field(default_factory=dict)
    #: False: an answer still invalid after the repair gives None (recorded), so the chain can
    #: fall back; True: it raises OutputValidationError with the raw answer.
    required: bool = True


class CallRecord(BaseModel):
    """One model request, for provenance, cost and the run log."""

    chain: str
    step: str
    schema_name: str
    prompt: str
    prompt_version: str
    model: str
    attempt: int
    usage: Usage
    duration_s: float
    source: str
    cache_key: str | None = None
    ok: bool
    error: str | None = None


@dataclass
class ChainInput:
    article: Article
    deps: dict[str, BaseModel] = field(default_factory=dict)
    #: per-article analyses by analyzer name (see toolkit.analyzers), computed once by the runner
    analyses: dict[str, Any] = field(default_factory=dict)

    def analysis(self, name: str) -> Any:
        """The named analysis of this article; computed here if the caller built the input by hand."""
        if name not in self.analyses:
            from toolkit.analyzers import compute_analyses

            self.analyses.update(compute_analyses(self.article.text, [name]))
        return self.analyses[name]


@functools.lru_cache(maxsize=256)
def _json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """A schema class's JSON schema, generated once (pydantic rebuilds it on every call, ~0.5 ms)."""
    return schema.model_json_schema()


@dataclass
class ChainContext:
    """What a chain needs at run time; built by the runner, or by hand in LangChain code."""

    model: Model
    prompts: PromptLoader = field(default_factory=PromptLoader)
    drop_ungrounded: bool = False
    records: list[CallRecord] = field(default_factory=list)
    chain_name: str = ""
    #: where adrive runs the chain's own code between model calls (spaCy etc.); None: on the
    #: event loop. A batch passes a thread so CPU work does not stall in-flight HTTP calls.
    step_executor: Executor | None = None
    #: "guided" or "direct" (see STRATEGIES); resolve_strategy turns "auto" into one of them
    strategy: str = "guided"

    def _request(self, call: StructuredCall, messages: list[dict[str, str]]) -> ModelRequest:
        params = {**self.model.default_params(), "max_tokens": call.max_tokens, **call.params}
        return ModelRequest(
            model=self.model.model_id,
            messages=messages,
            schema_name=call.schema.__name__,
            json_schema=_json_schema(call.schema),
            params=params,
        )

    def _record(self, call: StructuredCall, attempt: int, resp: ModelResponse, error: str | None) -> None:
        self.records.append(
            CallRecord(
                chain=self.chain_name or call.prompt.chain,
                step=call.step,
                schema_name=call.schema.__name__,
                prompt=call.prompt.name,
                prompt_version=call.prompt.version,
                model=resp.model,
                attempt=attempt,
                usage=resp.usage,
                duration_s=resp.duration_s,
                source=resp.source,
                cache_key=resp.cache_key,
                ok=error is None,
                error=error,
            )
        )

    @staticmethod
    def _validate(call: StructuredCall, text: str) -> tuple[BaseModel | None, str | None]:
        try:
            return call.schema.model_validate_json(text), None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ())) or "answer"
            return None, f"{where}: {first.get('msg', 'invalid')}"

    def _repair_messages(self, messages: list[dict[str, str]], raw: str, error: str) -> list[dict[str, str]]:
        return [
            *messages,
            {"role": "assistant", "content": raw},
            {"role": "user", "content": REPAIR_INSTRUCTION.format(error=error)},
        ]

    def _finish(self, call: StructuredCall, raw: str, error: str) -> None:
        if call.required:
            snippet = json.dumps(raw[:200])
            raise OutputValidationError(
                f"model output for {call.prompt.chain}/{call.step} stayed invalid after one repair ({error}); "
                f"raw answer: {snippet}",
                raw=raw,
            )

    def _exchange(self, call: StructuredCall) -> Generator[ModelRequest, ModelResponse, BaseModel | None]:
        """One call's exchange with the model: yields requests, receives responses, returns the
        validated value. Invalid JSON gets one repair request; still invalid, see `required`.
        `execute` and `aexecute` drive it, so the sync and async paths cannot drift apart."""
        messages = call.prompt.format(**call.variables)
        request = self._request(call, messages)
        resp = yield request
        value, error = self._validate(call, resp.text)
        self._record(call, 1, resp, error)
        if value is not None:
            return value
        self.model.reject(request, resp, error or "invalid")  # kept for diagnosis, never served again
        repair = self._request(call, self._repair_messages(messages, resp.text, error or ""))
        resp2 = yield repair
        value, error2 = self._validate(call, resp2.text)
        self._record(call, 2, resp2, error2)
        if value is None:
            self.model.reject(repair, resp2, error2 or "invalid")
            self._finish(call, resp2.text, error2 or "")
        return value

    def execute(self, call: StructuredCall) -> BaseModel | None:
        exchange = self._exchange(call)
        try:
            request = next(exchange)
            while True:
                request = exchange.send(self.model.complete(request))
        except StopIteration as stop:
            return stop.value

    async def aexecute(self, call: StructuredCall) -> BaseModel | None:
        exchange = self._exchange(call)
        try:
            request = next(exchange)
            while True:
                request = exchange.send(await self.model.acomplete(request))
        except StopIteration as stop:
            return stop.value


Steps = Generator[list[StructuredCall], list[Any], BaseModel]


def resolve_strategy(requested: str | None, model: Model) -> str:
    """'auto' (or None) follows what the model declares: direct for a capable model with room
    for an article chunk, guided otherwise; an explicit choice is kept as it is."""
    choice = (requested or "auto").strip().lower()
    if choice not in STRATEGY_CHOICES:
        raise ConfigError(f"unknown strategy '{requested}' (choose {', '.join(STRATEGY_CHOICES)})")
    if choice != "auto":
        return choice
    capable = getattr(model, "tier", "small") == "capable"
    return "direct" if capable and model.context_window >= DIRECT_MIN_CONTEXT else "guided"


def drive(steps: Steps, ctx: ChainContext) -> BaseModel:
    """Run a chain's generator with blocking model calls."""
    try:
        calls = next(steps)
        while True:
            calls = steps.send([ctx.execute(c) for c in calls])
    except StopIteration as stop:
        return stop.value


def _advance(steps: Steps, value: Any) -> tuple[bool, Any]:
    """One step of the generator as (finished, calls or output): StopIteration cannot cross a Future."""
    try:
        return False, steps.send(value)
    except StopIteration as stop:
        return True, stop.value


async def adrive(steps: Steps, ctx: ChainContext) -> BaseModel:
    """Run a chain's generator; the calls of one step go out concurrently."""
    if ctx.step_executor is None:
        try:
            calls = next(steps)
            while True:
                results = await asyncio.gather(*(ctx.aexecute(c) for c in calls))
                calls = steps.send(list(results))
        except StopIteration as stop:
            return stop.value
    loop = asyncio.get_running_loop()
    done, value = await loop.run_in_executor(ctx.step_executor, _advance, steps, None)
    while not done:
        results = await asyncio.gather(*(ctx.aexecute(c) for c in value))
        done, value = await loop.run_in_executor(ctx.step_executor, _advance, steps, list(results))
    return value


OutputT = TypeVar("OutputT", bound=BaseModel)


class Chain(ABC, Generic[OutputT]):
    """A prompt chain. Subclass it in a plugin and register an instance via `register_chains`."""

    name: str
    version: str
    description: str = ""
    output_schema: type[OutputT]
    prompt_names: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    #: folder holding this chain's `<prompt>.toml` files
    prompt_dir: Path
    #: per-article analyses (toolkit.analyzers) this chain reads through `inp.analysis(name)`
    analyzers: tuple[str, ...] = ()
    #: the tab title front-ends show for this chain's output (default: the name, capitalised)
    title: str = ""
    #: where front-ends place this chain's tab: lower first, then by name
    position: int = 100
    #: whether `toolkit run` runs this chain when no --chains are given
    default: bool = False
    #: the strategies this chain implements; a chain without "direct" runs guided under any model
    strategies: tuple[str, ...] = ("guided",)
    #: prompts only the direct strategy uses (listed in provenance when it runs)
    direct_prompt_names: tuple[str, ...] = ()
    #: how the output reads in the CLI and the notebooks (toolkit.view); plugins set their own
    view_class: type[ChainView[Any]] = ChainView

    @functools.cached_property
    def view(self) -> ChainView[OutputT]:
        return self.view_class(self.display_title)

    @abstractmethod
    def steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        """Yield lists of calls, receive their results, return an `output_schema` instance."""

    def direct_steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        """The direct strategy: the model does the reading in a few calls; chains that declare
        "direct" in `strategies` override this."""
        raise NotImplementedError(f"{self.name} has no direct strategy")

    def strategy_for(self, ctx: ChainContext) -> str:
        """The strategy this chain runs under the context's choice."""
        return ctx.strategy if ctx.strategy in self.strategies else "guided"

    def steps_for(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        if self.strategy_for(ctx) == "direct":
            return self.direct_steps(inp, ctx)
        return self.steps(inp, ctx)

    @property
    def display_title(self) -> str:
        return self.title or self.name.capitalize()

    def prompt(self, ctx: ChainContext, name: str) -> PromptSpec:
        return ctx.prompts.load(self.name, name, self.prompt_dir)

    def prompts(self, loader: PromptLoader | None = None, strategy: str | None = None) -> list[PromptSpec]:
        """The chain's prompts: those of one strategy, or of all when strategy is None."""
        loader = loader or PromptLoader()
        if strategy is None:
            names = self.prompt_names + self.direct_prompt_names
        else:
            names = self.direct_prompt_names if strategy == "direct" else self.prompt_names
        return [loader.load(self.name, n, self.prompt_dir) for n in names]

    def build(self, ctx: ChainContext) -> Runnable[ChainInput, BaseModel]:
        """A Runnable (invoke/batch/stream and async twins) over ChainInput."""

        def _run(inp: ChainInput) -> BaseModel:
            return drive(self.steps_for(inp, ctx), ctx)

        async def _arun(inp: ChainInput) -> BaseModel:
            return await adrive(self.steps_for(inp, ctx), ctx)

        return RunnableLambda(_run, afunc=_arun, name=f"toolkit:{self.name}")

    def review_items(self, output: OutputT) -> list[dict[str, Any]]:
        """What an analyst can accept, edit or reject: dicts of id, label, fields (editable values),
        path (keys from the output's JSON to the item) and detail; none by default."""
        return []

    def addable_fields(self, output: OutputT, deps: dict[str, BaseModel]) -> dict[str, list[str] | None]:
        """Fields an analyst fills to add an item in review (options, or None for free text); none by default."""
        return {}

    def new_review_item(
        self, output: OutputT, fields: dict[str, Any], article_text: str, deps: dict[str, BaseModel]
    ) -> dict[str, Any]:
        """A complete item (with its id) from an analyst's fields; ValueError says what is wrong."""
        raise ValueError(f"{self.name} does not take added items")

    def with_added_items(self, output: OutputT, items: list[dict[str, Any]]) -> OutputT:
        """The output with analyst-added items (from `new_review_item`) put in."""
        return output

    def reconcile(self, output: OutputT, deps: dict[str, BaseModel]) -> OutputT:
        """Make a reviewed output consistent with its reviewed dependencies (e.g. drop references
        to rejected items); called by toolkit.review after applying decisions."""
        return output

    def describe(self, loader: PromptLoader | None = None) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "depends_on": list(self.depends_on),
            "strategies": list(self.strategies),
            "schema": self.output_schema.__name__,
            "fields": list(self.output_schema.model_fields),
            "prompts": [p.describe() for p in self.prompts(loader)],
        }
