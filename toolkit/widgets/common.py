"""What both front-ends share: pure helpers (tested directly), the observed model, the
controls both show, and the run/start/cancel logic."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as w

from toolkit import html
from toolkit import review as rv
from toolkit.article import SUPPORTED_SUFFIXES, Article, load_article
from toolkit.chain import CallRecord
from toolkit.config import load_config
from toolkit.errors import ArticleError, ToolkitError
from toolkit.models import Model, ModelRequest, ModelResponse, ModelWrapper
from toolkit.plugins import all_chains, get_chain
from toolkit.schema import RunResult

log = logging.getLogger(__name__)

MODEL_CHOICES = ("local", "local:qwen2.5-1.5b", "openai:gpt-4o-mini", "openai:gpt-4.1-mini")
_SPINNER = html.Markup(
    '<span class="ntk-spin" role="progressbar" aria-label="running" style="display:inline-block;width:12px;'
    "height:12px;border:2px solid #999;border-top-color:transparent;border-radius:50%;"
    'animation:ntk-spin 0.8s linear infinite;vertical-align:-2px;margin-right:6px"></span>'
    "<style>@keyframes ntk-spin{to{transform:rotate(360deg)}}</style>"
)


# --- pure helpers (tested directly) ---------------------------------------------------------------


def repo_root() -> Path | None:
    """The checkout this toolkit runs from (editable install), found from the package, not the cwd."""
    import toolkit

    root = Path(toolkit.__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def default_samples_dir() -> Path | None:
    root = repo_root()
    return root / "samples" if root and (root / "samples").is_dir() else None


def list_articles(path: str | Path) -> list[Path]:
    """Article files in a folder (sorted; hidden files and README/LICENSE notes skipped), or the file."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise ArticleError(f"{path}: no such file or folder")
    return sorted(
        p
        for p in path.iterdir()
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not p.name.startswith(".")
        and not p.name.upper().startswith(("README", "LICENSE"))
    )


def article_from_upload(name: str, content: bytes) -> Article:
    """An uploaded file read exactly as `toolkit run` would read it from disk."""
    import tempfile

    suffix = Path(name).suffix.lower()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / (Path(name).name or "upload.txt")
        path.write_bytes(bytes(content))
        article = load_article(path)
    return article.model_copy(update={"source": name, "id": article.id if suffix == ".json" else Path(name).stem})


def price_table() -> Any:
    """The user's price table, or None when pricing is unavailable (cost then shows as n/a)."""
    try:
        from toolkit.pricing import PriceTable

        return PriceTable.load()
    except Exception as exc:  # a broken price file must not stop a run
        log.warning("no price table: %s", exc)
        return None


def calls_cost(calls: Iterable[CallRecord], prices: Any) -> float | None:
    """USD for these calls; replayed and cached calls are free; None without a price table."""
    if prices is None:
        return None
    return sum(prices.cost(c.model, c.usage.prompt_tokens, c.usage.completion_tokens, c.source) for c in calls)


@dataclass
class Tally:
    """Live counters for the workbench's progress line, updated as each model call answers."""

    calls: int = 0
    from_store: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = 0.0
    started: float = field(default_factory=time.perf_counter)

    def add_call(self, response: ModelResponse, prices: Any = None) -> None:
        self.calls += 1
        self.from_store += response.source in ("replayed", "cached")
        self.prompt_tokens += response.usage.prompt_tokens
        self.completion_tokens += response.usage.completion_tokens
        if self.cost is not None:
            if prices is None:
                self.cost = None
            else:
                self.cost += prices.cost(
                    response.model, response.usage.prompt_tokens, response.usage.completion_tokens, response.source
                )

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


def tally_text(t: Tally) -> str:
    """One line: model calls (how many came from recorded responses), tokens, cost, elapsed."""
    calls = f"{t.calls:,} model calls"
    if t.from_store:
        calls += f" ({t.from_store:,} from recorded responses)"
    cost = "cost n/a" if t.cost is None else f"${t.cost:.4f}"
    return " · ".join([calls, f"{t.tokens:,} tokens", cost, f"{t.elapsed:.1f} s"])


def batch_row(result: RunResult, prices: Any = None) -> dict[str, Any]:
    """One row per article for the dashboard table: status, item counts per chain, calls, tokens, cost."""
    art = result.article
    row: dict[str, Any] = {
        "article": art.id or (Path(art.source).name if art.source else art.sha256[:12]),
        "title": art.title or "",
        "status": "ok" if result.ok else "partial",
    }
    for name, run in result.chains.items():
        if run.status != "ok" or name not in result.outputs:
            row[name] = "failed"
            continue
        chain = get_chain(name)
        output = result.output(name)
        row[name] = len(chain.review_items(output) or chain.view.table_rows(output))
    row.update(
        calls=len(result.calls),
        tokens=result.usage.total_tokens,
        cost_usd=calls_cost(result.calls, prices),
        seconds=round(sum(r.duration_s for r in result.chains.values()), 2),
    )
    return row


def failures_html(failures: Sequence[dict[str, Any]]) -> html.Markup:
    """Failed articles (and failed chains of partial ones), each with its reason."""
    if not failures:
        return html.Markup("")
    return html.view(html.section(f"Failures ({len(failures)})", html.table(failures, css_class="ntk-failures")))


def chain_tab_order(names: Iterable[str]) -> list[str]:
    """Chains in the reading order their plugins give (`Chain.position`), then by name."""
    chains = all_chains()
    return sorted(names, key=lambda n: (chains[n].position if n in chains else 1000, n))


def chain_title(name: str) -> str:
    chains = all_chains()
    return chains[name].display_title if name in chains else name.capitalize()


def visible_output(chain_name: str, output: Any, facets: dict[str, Any], query: str = "") -> Any:
    """The output with the review items whose table rows fail the filters left out."""
    chain = get_chain(chain_name)
    rows = chain.view.table_rows(output)
    kept = {r.get("id") for r in html.filter_rows(rows, facets, query)}
    hidden = [i["id"] for i in chain.review_items(output) if i["id"] not in kept]
    return rv.without_items(chain_name, output, hidden) if hidden else output


# --- observing a model ------------------------------------------------------------------------------


class ObservedModel(ModelWrapper):
    """Passes calls through unchanged (same model id, so recorded responses still match) and
    reports each answer, for live progress."""

    def __init__(self, inner: Model, on_response: Callable[[ModelResponse], None]) -> None:
        super().__init__(inner)
        self.on_response = on_response

    def complete(self, request: ModelRequest) -> ModelResponse:
        response = self.inner.complete(request)
        self.on_response(response)
        return response

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        response = await self.inner.acomplete(request)
        self.on_response(response)
        return response


def _close_tree(widget: w.Widget) -> None:
    """Close a replaced widget and its children, so their comms do not pile up in the kernel."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _error_html(exc: BaseException) -> html.Markup:
    if isinstance(exc, ToolkitError):
        return html.view(html.error_box(str(exc), title="Could not run"))
    return html.view(html.error_box(f"{type(exc).__name__}: {exc}", title="Unexpected error"))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _chain_picker(selected: Iterable[str]) -> dict[str, w.Checkbox]:
    chosen = set(selected)
    return {
        name: w.Checkbox(
            value=name in chosen,
            description=name,
            indent=False,
            tooltip=chain.description,
            layout=w.Layout(width="auto"),
        )
        for name, chain in sorted(all_chains().items())
    }


def _strategy_box() -> Any:
    """auto (by what the model declares), guided or direct: see toolkit.chain.resolve_strategy."""
    from toolkit.chain import STRATEGY_CHOICES

    return w.Dropdown(
        options=list(STRATEGY_CHOICES),
        value="auto",
        description="Strategy",
        tooltip="guided: rules find claims, the model labels them; direct: the model reads; auto: by the model",
        layout=w.Layout(width="220px"),
    )


def _model_box(model: str | Model | None) -> w.Combobox:
    if isinstance(model, Model):
        return w.Combobox(value=model.model_id, options=[model.model_id], description="Model", disabled=True)
    value = model or load_config().model
    return w.Combobox(
        value=value,
        options=list(dict.fromkeys([value, *MODEL_CHOICES])),
        description="Model",
        ensure_option=False,
        tooltip="local, local:qwen2.5-1.5b, openai:MODEL",
    )


class _Runs:
    """Run/start/cancel shared by both front-ends: a task on the kernel's loop, or a blocking run."""

    _task: asyncio.Task[Any] | None = None
    _name = "widget"

    async def arun(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def run(self) -> Any:
        """Blocking run for code and scripts; inside a running event loop use `await <widget>.arun()`."""
        if _running_loop() is not None:
            raise RuntimeError(f"an event loop is running here (a notebook): use `await {self._name}.arun()`")
        return asyncio.run(self.arun())

    def start(self) -> Any:
        """What the Run button does: a task on the kernel's loop, or a blocking run without one."""
        if self._task is not None and not self._task.done():
            return self._task
        loop = _running_loop()
        if loop is None:
            return self.run()
        self._task = loop.create_task(self.arun())
        return self._task

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
