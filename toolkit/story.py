"""Cross-article analyses: one analysis over many run results (a batch output, a folder of runs).

The core knows no claim and no story rule. It streams the results (plain dicts: pydantic would
cost more than the analysis on 10,000 results), hands them to an analysis a plugin registers
through `register_cross_analyses`, drives that analysis' model calls through the same machinery
as a chain's (record/replay, repair, provenance), and wraps its output with provenance: the
inputs' hashes, the analysis and prompt versions, the model, the calls and tokens.

`toolkit story OUTPUT.jsonl --out story.json [--html FILE]` and `build(...)` run the built-in
"stories" analysis (toolkit_plugins.stories); `--analysis NAME` runs another.
"""

from __future__ import annotations

import json
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from toolkit import __version__
from toolkit.chain import CallRecord, ChainContext, Steps, drive
from toolkit.errors import ConfigError
from toolkit.hashing import sha256_text
from toolkit.models import Model, Usage
from toolkit.prompts import PromptLoader, PromptSpec
from toolkit.view import ChainView

OutputT = TypeVar("OutputT", bound=BaseModel)
DEFAULT_ANALYSIS = "stories"
#: files in a results folder that are not run results
_NOT_RESULTS = (".review.json", ".gold.json", ".failures.jsonl", ".story.json")


@dataclass
class CrossInput:
    """What a cross-article analysis reads: the results, streamed once, and the caller's options."""

    results: Iterable[dict[str, Any]]
    options: dict[str, Any] = field(default_factory=dict)


class CrossAnalysis(ABC, Generic[OutputT]):
    """An analysis over many articles' results. Subclass it in a plugin and register an instance
    via `register_cross_analyses`; `steps` yields model calls as a chain's steps do."""

    name: str
    version: str
    description: str = ""
    output_schema: type[OutputT]
    #: chains whose outputs it reads; results without them are skipped and counted
    requires: tuple[str, ...] = ()
    prompt_dir: Path
    prompt_names: tuple[str, ...] = ()
    view_class: type[ChainView[Any]] = ChainView
    title: str = ""

    @abstractmethod
    def steps(self, inp: CrossInput, ctx: ChainContext) -> Steps:
        """Yield lists of StructuredCalls, receive their answers, return an `output_schema` instance."""

    def prompt(self, ctx: ChainContext, name: str) -> PromptSpec:
        return ctx.prompts.load(self.name, name, self.prompt_dir)

    @property
    def view(self) -> ChainView[OutputT]:
        return self.view_class(self.title or self.name.capitalize())


class CrossResult(BaseModel):
    """A cross-article analysis' output with its provenance: what it read, how, at what cost."""

    schema_version: str = "1"
    kind: str = "cross-analysis"
    toolkit_version: str
    created_at: str
    analysis: str
    version: str
    model: str
    source: str
    #: how many results were read, used, and skipped (failed, or lacking a required chain)
    results_read: int = 0
    results_used: int = 0
    results_skipped: int = 0
    #: sha256 over the sorted article hashes: the same articles give the same value in any order
    articles_sha256: str = ""
    prompts: list[dict[str, str]] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    calls: list[CallRecord] = Field(default_factory=list)
    duration_s: float = 0.0
    output: dict[str, Any] = Field(default_factory=dict)

    def output_as(self, schema: type[OutputT]) -> OutputT:
        return schema.model_validate(self.output)


def all_cross_analyses() -> dict[str, CrossAnalysis[Any]]:
    from toolkit.plugins import collect_named

    return collect_named("register_cross_analyses", "cross-article analysis")


def get_cross_analysis(name: str) -> CrossAnalysis[Any]:
    from toolkit.plugins import pick_named

    return pick_named(all_cross_analyses(), name, "cross-article analysis")


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for n, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}:{n}: not a JSON line ({exc.msg})") from None
            if isinstance(data, dict):
                yield data


def iter_results(source: str | Path) -> Iterator[dict[str, Any]]:
    """Run results as plain dicts, streamed: a batch .jsonl, a `toolkit run --out` .json (one result
    or a list), or a folder of them. Review, gold, failures and story files are passed over."""
    path = Path(source)
    if not path.exists():
        raise ConfigError(f"{path}: no such file or folder")
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.suffix in (".json", ".jsonl") and not p.name.endswith(_NOT_RESULTS)
        )
        if not files:
            raise ConfigError(f"{path}: no .json or .jsonl results in this folder")
    else:
        files = [path]
    for file in files:
        if file.suffix == ".jsonl":
            yield from _lines(file)
            continue
        try:
            data = json.loads(file.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{file}: not a JSON run result ({exc})") from None
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and "outputs" in item:
                yield item


class _Counted:
    """The results stream, counting what the analysis read and hashing the articles as they pass."""

    def __init__(self, results: Iterable[dict[str, Any]], requires: tuple[str, ...]) -> None:
        self.results, self.requires = results, requires
        self.read = self.used = 0
        self.hashes: list[str] = []

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for result in self.results:
            self.read += 1
            outputs = result.get("outputs") or {}
            if any(name not in outputs for name in self.requires):
                continue
            self.used += 1
            self.hashes.append(str((result.get("article") or {}).get("sha256", "")))
            yield result


def build(
    source: str | Path | Iterable[dict[str, Any] | BaseModel],
    *,
    analysis: str = DEFAULT_ANALYSIS,
    model: str | Model | None = None,
    record_mode: str | None = None,
    responses_dir: str | Path | None = None,
    prompts_dir: str | Path | None = None,
    label: bool | None = None,
    options: dict[str, Any] | None = None,
) -> CrossResult:
    """Run a cross-article analysis over results (a path, or results in memory).

    label: True, the model labels what the analysis asks it to (candidate pairs); False, rules only,
    no model call (very large inputs, no model at hand); None (auto), the model labels when it
    declares itself capable (`Model.tier`), as the strategies do: on the story gold the embedded
    135M model's labels lowered pair recall (0.67 -> 0.61) at the same precision. `options` go to
    the analysis as they are. With a responses folder and no record mode, answers are cached there
    (a rerun asks the model nothing twice), as in a batch.
    """
    from toolkit.config import load_config
    from toolkit.runner import make_model

    chosen = get_cross_analysis(analysis)
    if isinstance(source, str | Path):
        results: Iterable[dict[str, Any]] = iter_results(source)
        where = str(source)
    else:
        results = (r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in source)
        where = "(in memory)"
    if record_mode is None and responses_dir is not None and "TOOLKIT_RECORD_MODE" not in os.environ:
        record_mode = "cache"  # as in a batch: a rerun asks the model nothing twice
    the_model = (
        model if isinstance(model, Model) else make_model(model, record_mode=record_mode, responses_dir=responses_dir)
    )
    config = load_config(prompts_dir=str(prompts_dir) if prompts_dir else None)
    ctx = ChainContext(model=the_model, prompts=PromptLoader(config.prompts_dir), chain_name=chosen.name)
    counted = _Counted(results, chosen.requires)
    started = time.perf_counter()
    if label is None:
        label = getattr(the_model, "tier", "small") == "capable"
    output = drive(chosen.steps(CrossInput(counted, {"label": label, **(options or {})}), ctx), ctx)
    data = output.model_dump(mode="json")
    del output  # one copy of a large output at a time
    usage = Usage()
    for call in ctx.records:
        usage = usage + call.usage
    used_prompts = {c.prompt for c in ctx.records}
    prompts = [p.describe() for p in (chosen.prompt(ctx, n) for n in chosen.prompt_names) if p.name in used_prompts]
    return CrossResult(
        toolkit_version=__version__,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        analysis=chosen.name,
        version=chosen.version,
        model=the_model.model_id if label else "none (rules only)",
        source=where,
        results_read=counted.read,
        results_used=counted.used,
        results_skipped=counted.read - counted.used,
        articles_sha256=sha256_text("\n".join(sorted(counted.hashes))),
        prompts=prompts,
        usage=usage,
        calls=ctx.records,
        duration_s=round(time.perf_counter() - started, 3),
        output=data,
    )


def load_cross_result(path: str | Path) -> CrossResult:
    """A `toolkit story --out` file."""
    path = Path(path)
    try:
        return CrossResult.model_validate_json(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a cross-article analysis output ({type(exc).__name__})") from None


def is_cross_result(path: str | Path) -> bool:
    """Whether a file is a cross-article analysis output (rather than run results)."""
    path = Path(path)
    if not path.is_file() or path.suffix != ".json":
        return False
    with path.open("rb") as handle:
        head = handle.read(4096)
    return b'"kind"' in head and b'"cross-analysis"' in head


def view_html(result: CrossResult) -> str:
    """The analysis' own view of its output (escaped HTML), as the batch dashboard's Stories tab shows it."""
    chosen = get_cross_analysis(result.analysis)
    return chosen.view.html_view(chosen.output_schema.model_validate(result.output))


def html_report(result: CrossResult) -> str:
    """A standalone HTML page of the analysis' view, with the provenance on top."""
    from toolkit import html

    chosen = get_cross_analysis(result.analysis)
    head = html.tag(
        "p",
        f"{result.analysis} v{result.version} · model {result.model} · {result.results_used} results "
        f"({result.results_skipped} skipped) · {len(result.calls)} calls · {result.duration_s} s",
        class_="ntk-note",
    )
    body = html.join([head, html.Markup(view_html(result))])
    return str(html.document(f"{chosen.view.title}: {result.source}", body))
