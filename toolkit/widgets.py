"""JupyterLab front-ends: the analyst Workbench (one article) and the BatchDashboard (a folder).

Thin shells on purpose: what is shown comes from pure functions (toolkit.html, each chain's
`html_view` / `table_rows` / `review_items`, toolkit.review), which are tested without a
browser; this module only wires ipywidgets to them and keeps the Python objects at hand
(`wb.result`, `wb.reviewed`, `dash.results`, `dash.dataframe()`).

Runs started by a button go out as an asyncio task on the kernel's loop, so the kernel stays
responsive and the progress line updates while the model works; `run()` / `await arun()` do
the same from code and return the result.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as w

from toolkit import html
from toolkit import review as rv
from toolkit.article import SUPPORTED_SUFFIXES, Article, article_from_text, load_article
from toolkit.chain import CallRecord
from toolkit.config import load_config
from toolkit.errors import ArticleError, ToolkitError
from toolkit.files import write_atomic
from toolkit.hashing import sha256_text
from toolkit.models import Model, ModelRequest, ModelResponse, ModelWrapper
from toolkit.plugins import all_chains, get_chain
from toolkit.recording import MODES
from toolkit.runner import arun, default_chains, make_model
from toolkit.schema import RunResult

log = logging.getLogger(__name__)

TABLE_ROWS = 500  # the dashboard shows the latest results; the DataFrame has all
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


# --- the workbench ------------------------------------------------------------------------------


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


class Workbench(_Runs):
    """One article: input, run, results in tabs, review, export. Display it as the last expression
    of a cell; everything it shows is also on it as Python objects."""

    _name = "wb"

    def __init__(
        self,
        model: str | Model | None = None,
        record_mode: str | None = None,
        responses_dir: str | Path | None = None,
        samples_dir: str | Path | None = None,
        *,
        chains: Sequence[str] | None = None,
        prompts_dir: str | Path | None = None,
        out_dir: str | Path = "out",
        gold: str | Path | dict[str, Any] | None = None,
    ) -> None:
        self.model_spec = model
        #: a gold file (path or dict): an Evaluate tab scores each result against it
        self.gold = gold
        self.responses_dir = responses_dir
        self.prompts_dir = prompts_dir
        self.samples_dir = Path(samples_dir) if samples_dir else default_samples_dir()
        self.result: RunResult | None = None
        self.review: rv.Review | None = None
        self.article: Article | None = None  # the article the result belongs to
        self.last_error: BaseException | None = None
        self.runs = 0
        self.tally = Tally()
        self._loaded: Article | None = None  # sample or upload, kept while the text is unchanged
        self._task: asyncio.Task[Any] | None = None
        self._filters: dict[str, dict[str, Any]] = {}
        self._editing: tuple[str, str] | None = None
        self._last_paint = 0.0
        self._prices: Any = None

        # input
        self.text = w.Textarea(
            placeholder="Paste the article text here, upload a file, or pick a sample.",
            layout=w.Layout(width="100%", height="180px"),
        )
        self.upload = w.FileUpload(accept=",".join(SUPPORTED_SUFFIXES), multiple=False, description="Upload")
        samples = list_articles(self.samples_dir) if self.samples_dir and self.samples_dir.is_dir() else []
        self.sample = w.Dropdown(
            options=[("— sample article —", None)] + [(p.name, p) for p in samples],
            description="Sample",
            layout=w.Layout(width="320px"),
        )
        self.chain_boxes = _chain_picker(default_chains() if chains is None else chains)
        self.model_box = _model_box(model)
        self.strategy_box = _strategy_box()
        config = load_config(record_mode=record_mode)
        self.record_box = w.Dropdown(
            options=list(MODES),
            value=config.record_mode,
            description="Responses",
            tooltip="off: call the model; replay: answer only from recorded responses; record / cache: call and store",
        )
        self.run_button = w.Button(
            description="Run chains",
            button_style="primary",
            icon="play",
            tooltip="Run the chosen chains on this article",
        )
        self.run_button.add_class("ntk-run")
        self.cancel_button = w.Button(description="Cancel", icon="stop", layout=w.Layout(display="none"))
        self.status = w.HTML()
        self.status.add_class("ntk-status")
        self.error = w.HTML()
        self.error.add_class("ntk-error-area")
        self.tabs = w.Tab(layout=w.Layout(width="100%"))
        self.tabs.add_class("ntk-tabs")
        # review and export
        self.review_status = w.HTML()
        self.review_chain = w.Dropdown(description="Items of")
        self.review_list = w.VBox()
        self.edit_form = w.VBox()
        self.review_path = w.Text(
            description="Result file",
            layout=w.Layout(width="60%"),
            tooltip="the result JSON; its review is saved next to it as .review.json",
        )
        self.save_button = w.Button(description="Save result + review", icon="save")
        self.load_button = w.Button(description="Load", icon="folder-open")
        self.review_msg = w.HTML()
        self.add_form = w.VBox()
        self.added_list = w.VBox()
        self.accept_pending_button = w.Button(
            description="Accept all pending", icon="check", tooltip="Accept every pending item of these items"
        )
        self.gold_pending = w.Checkbox(value=False, description="pending items count as accepted", indent=False)
        self.gold_button = w.Button(
            description="Save as gold", icon="star", tooltip="Write the reviewed result as a gold file (dev-set format)"
        )
        self.gold_msg = w.HTML()
        self.eval_view = w.HTML()
        self.eval_view.add_class("ntk-view-evaluate")
        self.eval_tab = w.VBox([self.eval_view])
        self.out_dir = w.Text(value=str(out_dir), description="Export to", layout=w.Layout(width="60%"))
        self.export_buttons = {
            kind: w.Button(description=label, icon="download")
            for kind, label in (("json", "JSON"), ("csv", "CSV"), ("html", "HTML report"))
        }
        self.export_msg = w.HTML()
        self.review_tab = w.VBox([
            self.review_status, w.HBox([self.review_chain, self.accept_pending_button]), self.review_list,
            self.edit_form, self.added_list, self.add_form,
            w.HBox([self.review_path, self.save_button, self.load_button]), self.review_msg,
            w.HBox([self.gold_button, self.gold_pending]), self.gold_msg,
        ])  # fmt: skip
        self.export_tab = w.VBox([w.HBox([self.out_dir, *self.export_buttons.values()]), self.export_msg])
        self._chain_tabs: list[w.Widget] = []

        self.sample.observe(self._on_sample, names="value")
        self.upload.observe(self._on_upload, names="value")
        self.run_button.on_click(lambda _b: self.start())
        self.cancel_button.on_click(lambda _b: self.cancel())
        self.review_chain.observe(lambda _c: self._paint_review(), names="value")
        self.save_button.on_click(lambda _b: self._guard(self.review_msg, self.save))
        self.load_button.on_click(lambda _b: self._guard(self.review_msg, lambda: self.load(self.review_path.value)))
        self.accept_pending_button.on_click(
            lambda _b: self._guard(self.review_msg, lambda: self.accept_pending(self.review_chain.value))
        )
        self.gold_button.on_click(lambda _b: self._guard(self.gold_msg, self.save_gold))
        for kind, button in self.export_buttons.items():
            button.on_click(lambda _b, k=kind: self._guard(self.export_msg, lambda: self._export_one(k)))

        chains_row = w.HBox([w.Label("Chains:"), *self.chain_boxes.values()], layout=w.Layout(flex_flow="row wrap"))
        self.ui = w.VBox(
            [
                w.HBox([self.sample, self.upload]),
                self.text,
                chains_row,
                w.HBox([self.model_box, self.strategy_box, self.record_box]),
                w.HBox([self.run_button, self.cancel_button, self.status]),
                self.error,
                self.tabs,
            ],
            layout=w.Layout(width="100%"),
        )
        self.ui.add_class("ntk-workbench")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    # -- input --------------------------------------------------------------------------------------

    def use_article(self, article: Article) -> None:
        """Put an article in the text box, keeping its metadata (title, id) while the text is unchanged."""
        self._loaded = article
        self.text.value = article.text
        self.error.value = ""

    def load_sample(self, name: str) -> Article:
        """Pick a sample by file name (as the dropdown does)."""
        for label, path in self.sample.options:
            if path is not None and label == name:
                self.sample.value = path
                assert self._loaded is not None
                return self._loaded
        raise ArticleError(f"no sample named {name!r} in {self.samples_dir}")

    def load_file(self, path: str | Path) -> Article:
        article = load_article(path)
        self.use_article(article)
        return article

    def _on_sample(self, change: dict[str, Any]) -> None:
        if change["new"] is not None:
            self._guard(self.error, lambda: self.load_file(change["new"]))

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if files:
            item = files[0]
            self._guard(self.error, lambda: self.use_article(article_from_upload(item["name"], item["content"])))

    def current_article(self) -> Article:
        text = self.text.value
        if self._loaded is not None and self._loaded.text == text:
            return self._loaded
        return article_from_text(text, source="pasted text")

    def selected_chains(self) -> list[str]:
        return [name for name, box in self.chain_boxes.items() if box.value]

    # -- running ------------------------------------------------------------------------------------

    def _prepare(self) -> tuple[Article, list[str], Model]:
        chains = self.selected_chains()
        if not chains:
            raise ToolkitError("choose at least one chain")
        article = self.current_article()
        spec = self.model_spec if isinstance(self.model_spec, Model) else (self.model_box.value.strip() or None)
        base = make_model(spec, record_mode=self.record_box.value, responses_dir=self.responses_dir)
        self.tally = Tally()
        self._prices = price_table()
        return article, chains, ObservedModel(base, self._on_response)

    def _on_response(self, response: ModelResponse) -> None:
        self.tally.add_call(response, self._prices)
        now = time.perf_counter()
        if now - self._last_paint > 0.2:  # a comm message per call would flood the browser
            self._last_paint = now
            self._paint_running()

    def _paint_running(self) -> None:
        self.status.value = html.join([_SPINNER, f"Run {self.runs}: running… ", tally_text(self.tally)])

    def _begin(self) -> None:
        self.runs += 1
        self.last_error = None
        self.error.value = ""
        self.run_button.disabled = True
        self.cancel_button.layout.display = ""
        self._paint_running()

    def _end(self, result: RunResult | None, exc: BaseException | None) -> None:
        self.run_button.disabled = False
        self.cancel_button.layout.display = "none"
        if exc is not None:
            self.last_error = exc
            self.status.value = html.escape(f"Run {self.runs}: failed.")
            self.error.value = _error_html(exc)
            if not isinstance(exc, ToolkitError):
                log.error("workbench run failed:\n%s", "".join(traceback.format_exception(exc)))
            return
        assert result is not None
        failed = [n for n, r in result.chains.items() if r.status != "ok"]
        note = f" · {len(failed)} chain(s) failed: {', '.join(failed)} (see their tabs)" if failed else ""
        self.status.value = html.escape(
            f"Run {self.runs}: finished · {len(result.chains) - len(failed)}/{len(result.chains)} chains ok · "
            f"{tally_text(self.tally)}{note}"
        )
        self.set_result(result)

    async def arun(self) -> RunResult | None:
        """Run the chosen chains on the current text; errors are shown inline and kept in last_error."""
        self._begin()
        try:
            article, chains, model = self._prepare()
            self.article = article
            result = await arun(
                article,
                chains,
                model=model,
                prompts_dir=self.prompts_dir,
                strict=False,
                strategy=self.strategy_box.value,
            )
        except asyncio.CancelledError:
            self._end(None, ToolkitError("cancelled"))
            raise
        except Exception as exc:
            self._end(None, exc)
            return None
        self._end(result, None)
        return result

    # -- results --------------------------------------------------------------------------------------

    def set_result(self, result: RunResult, review: rv.Review | None = None) -> None:
        """Show a result (from a run or loaded from disk) with a review, fresh unless given."""
        self.result = result
        self.review = review or rv.new_review(result)
        self._filters = {}
        self._editing = None
        stem = result.article.id or result.article.sha256[:12]
        if not self.review_path.value:
            self.review_path.value = str(Path(self.out_dir.value) / f"{stem}.json")
        self._paint_results()

    @property
    def reviewed(self) -> RunResult | None:
        """The result with the review applied (rejected items out, edits in)."""
        if self.result is None or self.review is None:
            return None
        return rv.apply_review(self.result, self.review)

    def output(self, chain: str, *, reviewed: bool = True) -> Any:
        source = self.reviewed if reviewed else self.result
        if source is None:
            raise ToolkitError("nothing has run yet")
        return source.output(chain)

    @property
    def outputs(self) -> dict[str, Any]:
        """Each chain's reviewed output as its pydantic object."""
        source = self.reviewed
        return {} if source is None else {name: source.output(name) for name in source.outputs}

    def _article_text(self) -> str:
        if self.result is None:
            return ""
        sha = self.result.article.sha256
        for candidate in (self.article, self._loaded):
            if candidate is not None and candidate.sha256 == sha:
                return candidate.text
        if self.text.value and sha256_text(self.text.value) == sha:
            return self.text.value
        source = self.result.article.source
        if source and Path(source).is_file():
            try:
                article = load_article(source)
            except ToolkitError:
                return ""
            if article.sha256 == sha:
                return article.text
        return ""

    def _chain_view(self, name: str, reviewed: RunResult) -> str:
        run = reviewed.chains[name]
        if run.status != "ok":
            return html.view(html.error_box(f"{run.error} ({run.error_cause})", title=f"{name} failed"))
        chain = get_chain(name)
        outputs = {k: reviewed.output(k) for k in reviewed.outputs}
        state = self._filters.get(name, {})
        shown = visible_output(name, outputs[name], state.get("facets", {}), state.get("query", ""))
        return chain.view.html_view(shown, outputs, self._article_text())

    def _filter_bar(self, name: str, reviewed: RunResult, view: w.HTML) -> w.Widget | None:
        chain = get_chain(name)
        if reviewed.chains[name].status != "ok" or not chain.view.facets:
            return None
        rows = chain.view.table_rows(reviewed.output(name))
        controls: dict[str, w.SelectMultiple] = {}
        for facet in chain.view.facets:
            values = list(dict.fromkeys(r.get(facet) for r in rows if r.get(facet) is not None))
            options = [("yes" if v is True else "no" if v is False else str(v), v) for v in values]
            controls[facet] = w.SelectMultiple(
                options=options,
                description=facet,
                rows=min(4, max(2, len(options))),
                layout=w.Layout(width="260px"),
                tooltip="none selected: all",
            )
        query = w.Text(description="Search", placeholder="words in any column", layout=w.Layout(width="260px"))

        def changed(_change: Any) -> None:
            self._filters[name] = {"facets": {k: c.value for k, c in controls.items()}, "query": query.value}
            self._guard(view, lambda: setattr(view, "value", self._chain_view(name, self.reviewed)))

        for control in [*controls.values(), query]:
            control.observe(changed, names="value")
        bar = w.HBox([*controls.values(), query], layout=w.Layout(flex_flow="row wrap"))
        bar.add_class("ntk-filters")
        return bar

    def _paint_results(self) -> None:
        reviewed = self.reviewed
        if reviewed is None:
            return
        children, titles = [], []
        for name in chain_tab_order(reviewed.chains):
            view = w.HTML(self._chain_view(name, reviewed))
            view.add_class(f"ntk-view-{name}")
            bar = self._filter_bar(name, reviewed, view)
            children.append(w.VBox([bar, view] if bar else [view]))
            titles.append(chain_title(name))
        old, self._chain_tabs = self._chain_tabs, children
        extra, extra_titles = [self.review_tab, self.export_tab], ["Review", "Export"]
        if self.gold is not None:
            extra, extra_titles = [self.eval_tab, *extra], ["Evaluate", *extra_titles]
            self._paint_evaluation()
        self.tabs.children = [*children, *extra]
        self.tabs.titles = (*titles, *extra_titles)
        for tab in old:
            _close_tree(tab)
        assert self.result is not None
        chains = rv.reviewable_chains(self.result)
        self.review_chain.options = chains
        if chains and self.review_chain.value not in chains:
            self.review_chain.value = chains[0]
        self._paint_review()

    def _refresh_views(self) -> None:
        reviewed = self.reviewed
        if reviewed is None:
            return
        for name, tab in zip(chain_tab_order(reviewed.chains), self._chain_tabs, strict=False):
            view = tab.children[-1]
            view.value = self._chain_view(name, reviewed)
        if self.gold is not None:
            self._paint_evaluation()

    # -- evaluation against gold ---------------------------------------------------------------------

    def evaluate(self, gold: str | Path | dict[str, Any] | None = None) -> Any:
        """Score the reviewed result against the gold file (an Evaluate tab shows it); returns the report."""
        from toolkit.eval import score

        if gold is not None:
            self.gold = gold
            if self.result is not None:
                self._paint_results()
        if self.gold is None:
            raise ToolkitError("no gold file given (Workbench(gold=...) or wb.evaluate(gold))")
        reviewed = self.reviewed
        if reviewed is None:
            raise ToolkitError("nothing has run yet")
        text = self._article_text()
        return score(reviewed, self.gold, texts={reviewed.article.sha256: text} if text else None)

    def _paint_evaluation(self) -> None:
        self._guard(self.eval_view, lambda: setattr(self.eval_view, "value", self.evaluate().html_view()))

    # -- review -------------------------------------------------------------------------------------

    def _decide(self, action: Callable[[], rv.Review]) -> None:
        self.review = action()
        self._close_editor()
        self._refresh_views()
        self._paint_review()

    def accept(self, chain: str, item_id: str) -> None:
        self._decide(lambda: rv.accept(self._review(), self._result(), chain, item_id))

    def reject(self, chain: str, item_id: str, note: str = "") -> None:
        self._decide(lambda: rv.reject(self._review(), self._result(), chain, item_id, note))

    def edit(self, chain: str, item_id: str, **fields: Any) -> None:
        self._decide(lambda: rv.edit(self._review(), self._result(), chain, item_id, **fields))

    def undo(self, chain: str, item_id: str) -> None:
        self._decide(lambda: rv.undo(self._review(), chain, item_id))

    def add(self, chain: str, **fields: Any) -> None:
        """Add an item the chains missed: a claim by its quote (select it in the article, paste it), a pair."""
        self._decide(lambda: rv.add_item(self._review(), self._result(), chain, fields, self._article_text()))

    def remove_added(self, chain: str, item_id: str) -> None:
        self._decide(lambda: rv.remove_added(self._review(), chain, item_id))

    def accept_pending(self, chain: str | None = None) -> None:
        self._decide(lambda: rv.decide_pending(self._review(), self._result(), "accepted", chain))

    def to_gold(self, include_pending: bool | None = None) -> dict[str, Any]:
        """The reviewed result as a gold file (dict): accepted, edited and added items."""
        from toolkit.eval import gold_from_review

        text = self._article_text()
        if not text:
            raise ToolkitError("the article text is not at hand, so quotes cannot be checked")
        pending = self.gold_pending.value if include_pending is None else include_pending
        return gold_from_review(self._result(), self._review(), text, include_pending=pending)

    def save_gold(self, path: str | Path | None = None, include_pending: bool | None = None) -> Path:
        """Write the gold file, by default next to the result file as `<name>.gold.json`."""
        import json

        from toolkit.eval import gold_path

        data = self.to_gold(include_pending)
        target = Path(path) if path else gold_path(self.review_path.value or Path(self.out_dir.value) / "article.json")
        write_atomic(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        self.gold_msg.value = html.escape(
            f"Saved {target}: {len(data.get('claims', []))} claims, {len(data.get('counter_pairs', []))} pairs."
        )
        return target

    def _result(self) -> RunResult:
        if self.result is None:
            raise ToolkitError("nothing has run yet")
        return self.result

    def _review(self) -> rv.Review:
        if self.review is None:
            raise ToolkitError("nothing has run yet")
        return self.review

    def _paint_review(self) -> None:
        if self.result is None or self.review is None:
            return
        counts = rv.progress(self.result, self.review)
        stale = rv.conflicts(self.result, self.review)
        summary = " · ".join(f"{n} {k}" for k, n in counts.items())
        parts: list[Any] = [html.tag("p", f"Review: {summary}")]
        if stale:
            parts.append(html.error_box("; ".join(stale), title="Decisions that no longer match"))
        self.review_status.value = html.view(*parts)
        chain = self.review_chain.value
        rows = []
        for item in rv.review_items(self.result, chain) if chain else []:
            status = self.review.status(chain, item["id"])
            tone = {"accepted": "good", "edited": "warn", "rejected": "bad"}.get(status, "")
            label = item["label"] if len(item["label"]) <= 180 else item["label"][:177] + "…"
            caption = html.tag("span", label, title=item.get("detail", ""))
            text = w.HTML(html.join([html.badge(status, tone), " ", caption]), layout=w.Layout(width="70%"))
            buttons = []
            for caption, act in (("Accept", self.accept), ("Edit", None), ("Reject", self.reject), ("Undo", self.undo)):
                button = w.Button(
                    description=caption, layout=w.Layout(width="72px"), tooltip=f"{caption} {chain} {item['id']}"
                )
                if act is None:
                    button.on_click(lambda _b, i=item: self._open_editor(chain, i))
                else:
                    button.on_click(lambda _b, a=act, i=item["id"]: self._guard(self.review_msg, lambda: a(chain, i)))
                buttons.append(button)
            row = w.HBox([text, *buttons])
            row.add_class(f"ntk-review-{status}")
            rows.append(row)
        old, self.review_list.children = self.review_list.children, rows
        for row in old:
            _close_tree(row)
        self._paint_added(chain)

    def _paint_added(self, chain: str | None) -> None:
        """The items the analyst added to this chain, and the form to add one more."""
        rows: list[w.Widget] = []
        for item in self._review().added.get(chain, []) if chain else []:
            label = item.get("quote") or f"{item.get('claim_b')} {item.get('relation')} {item.get('claim_a')}"
            text = w.HTML(
                html.join([html.badge("added", "good"), " ", html.tag("span", f"{item['id']}: {label}"[:180])]),
                layout=w.Layout(width="70%"),
            )
            remove = w.Button(description="Remove", layout=w.Layout(width="72px"), tooltip=f"Remove {item['id']}")
            remove.on_click(lambda _b, i=item["id"]: self._guard(self.review_msg, lambda: self.remove_added(chain, i)))
            row = w.HBox([text, remove])
            row.add_class("ntk-review-added")
            rows.append(row)
        old, self.added_list.children = self.added_list.children, rows
        for row in old:
            _close_tree(row)
        form: list[w.Widget] = []
        reviewed = self.reviewed
        if chain and reviewed is not None and chain in reviewed.outputs:
            chain_obj = get_chain(chain)
            deps = {d: reviewed.output(d) for d in chain_obj.depends_on if d in reviewed.outputs}
            spec = chain_obj.addable_fields(reviewed.output(chain), deps)
            if spec:
                inputs: dict[str, w.Widget] = {
                    k: w.Dropdown(options=opts, description=k, layout=w.Layout(width="45%"))
                    if opts
                    else w.Text(description=k, layout=w.Layout(width="90%"))
                    for k, opts in spec.items()
                }
                message = w.HTML()
                button = w.Button(description=f"Add to {chain}", icon="plus")
                button.add_class("ntk-add")
                button.on_click(
                    lambda _b: self._guard(message, lambda: self.add(chain, **{k: i.value for k, i in inputs.items()}))
                )
                hint = "Select the quote in the article (Claims tab), copy, paste it here." if "quote" in spec else ""
                title = html.view(html.tag("strong", f"Add to {chain}"), " ", html.tag("span", hint, class_="ntk-note"))
                form = [w.HTML(title), *inputs.values(), button, message]
        old_form, self.add_form.children = self.add_form.children, form
        for child in old_form:
            _close_tree(child)

    def _open_editor(self, chain: str, item: dict[str, Any]) -> None:
        decided = self._review().decision(chain, item["id"])
        current = {**item["fields"], **(decided.fields if decided and decided.status == "edited" else {})}
        inputs = {
            k: (w.Textarea if len(str(v)) > 60 else w.Text)(value=str(v), description=k, layout=w.Layout(width="90%"))
            for k, v in current.items()
        }
        message = w.HTML()
        save = w.Button(description="Save edit", button_style="success")
        cancel = w.Button(description="Cancel")
        save.on_click(
            lambda _b: self._guard(
                message, lambda: self.edit(chain, item["id"], **{k: i.value for k, i in inputs.items()})
            )
        )
        cancel.on_click(lambda _b: self._close_editor())
        self._close_editor()
        self._editing = (chain, item["id"])
        self.edit_form.children = [
            w.HTML(html.view(html.tag("strong", f"Edit {chain} {item['id']}"))),
            *inputs.values(),
            w.HBox([save, cancel]),
            message,
        ]

    def _close_editor(self) -> None:
        old, self.edit_form.children = self.edit_form.children, []
        self._editing = None
        for child in old:
            _close_tree(child)

    def _guard(self, target: w.HTML, action: Callable[[], Any]) -> Any:
        """Run a UI action; a failure becomes a readable message in `target`, never a traceback."""
        target.value = ""
        try:
            return action()
        except Exception as exc:
            self.last_error = exc
            target.value = _error_html(exc)
            return None

    # -- save, load, export ------------------------------------------------------------------------

    def save(self, path: str | Path | None = None) -> tuple[Path, Path]:
        """Write the result and, next to it, its review (`.review.json`)."""
        target = Path(path or self.review_path.value)
        paths = rv.save(self._result(), self._review(), target)
        self.review_msg.value = html.escape(f"Saved {paths[0]} and {paths[1].name}.")
        return paths

    def load(self, path: str | Path) -> RunResult:
        """Open a saved result with its review (checked against the article's sha256)."""
        result, review = rv.load(path)
        self.review_path.value = str(path)
        self.set_result(result, review)
        self.review_msg.value = html.escape(f"Loaded {path}.")
        return result

    def to_json(self) -> str:
        """The reviewed result as JSON, with the review decisions in a `review` block."""
        return rv.export_json(self._result(), self._review())

    def to_csv(self, include_rejected: bool = True) -> str:
        return rv.export_csv(self._result(), self._review(), include_rejected=include_rejected)

    def to_html(self) -> str:
        """A standalone report (no scripts; a content security policy forbids them anyway)."""
        reviewed = self.reviewed
        if reviewed is None:
            raise ToolkitError("nothing has run yet")
        title = reviewed.article.title or reviewed.article.id or "article"
        return html.document(
            title, html.join(html.Markup(self._chain_view(n, reviewed)) for n in chain_tab_order(reviewed.chains))
        )

    def dataframe(self, include_rejected: bool = True) -> Any:
        """The export rows as a pandas DataFrame (chain, review status, the chain's columns)."""
        import pandas as pd

        return pd.DataFrame(rv.export_rows(self._result(), self._review(), include_rejected=include_rejected))

    def export(self, out_dir: str | Path | None = None) -> dict[str, Path]:
        """Write JSON, CSV and an HTML report; returns their paths."""
        return {kind: self._export_one(kind, out_dir) for kind in ("json", "csv", "html")}

    def _export_one(self, kind: str, out_dir: str | Path | None = None) -> Path:
        folder = Path(out_dir or self.out_dir.value)
        result = self._result()
        stem = result.article.id or result.article.sha256[:12]
        text = {"json": self.to_json, "csv": self.to_csv, "html": self.to_html}[kind]()
        path = folder / f"{stem}.reviewed.{kind}"
        write_atomic(path, text)
        self.export_msg.value = html.escape(f"Wrote {path}")
        return path


# --- the batch dashboard --------------------------------------------------------------------------


def report_text(report: Any) -> str:
    """One progress line from a live toolkit.batch.BatchReport."""
    total = report.total if report.total is not None else "?"
    parts = [f"{report.processed}/{total} articles", f"{report.ok} ok", f"{report.failed} failed"]
    if report.skipped:
        parts.append(f"{report.skipped} skipped (done before)")
    calls = f"{report.calls:,} model calls"
    if report.calls != report.live_calls:
        calls += f" ({report.calls - report.live_calls:,} from recorded responses)"
    parts += [
        calls,
        f"{report.prompt_tokens + report.completion_tokens:,} tokens",
        f"${report.cost_usd:.4f}",
        f"{report.elapsed_s:.1f} s",
    ]
    return " · ".join(parts)


def batch_failure_row(failure: dict[str, Any]) -> dict[str, Any]:
    """A failures-file record, reduced to what the dashboard lists."""
    return {
        "article": failure.get("article_id"),
        "chain": failure.get("chain") or "",
        "cause": failure.get("cause"),
        "reason": failure.get("error"),
    }


class BatchDashboard(_Runs):
    """Many articles (toolkit.batch): pick a folder, .jsonl or .csv, chains, model and concurrency;
    watch counts, tokens and cost while the table fills; failures are listed with their reasons;
    `dataframe()` hands the results to pandas."""

    _name = "dash"

    def __init__(
        self,
        path: str | Path | None = None,
        model: str | Model | None = None,
        record_mode: str | None = None,
        responses_dir: str | Path | None = None,
        *,
        chains: Sequence[str] | None = None,
        concurrency: int = 2,
        samples_dir: str | Path | None = None,
        out: str | Path | None = None,
        prompts_dir: str | Path | None = None,
        runlog: str | Path | bool | None = True,
    ) -> None:
        self.model_spec = model
        self.responses_dir = responses_dir
        self.prompts_dir = prompts_dir
        self.out = Path(out) if out else None
        self.runlog = runlog
        samples = Path(samples_dir) if samples_dir else default_samples_dir()
        self.results: list[RunResult] = []
        self.rows: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []
        self.report: Any = None
        self.last_error: BaseException | None = None
        self._task: asyncio.Task[Any] | None = None
        self._prices: Any = None

        options = []
        if samples and samples.is_dir():
            options = [str(samples)] + [str(p) for p in sorted(samples.iterdir()) if p.suffix in (".jsonl", ".csv")]
        self.path_box = w.Combobox(
            value=str(path or samples or ""),
            options=options,
            ensure_option=False,
            description="Input",
            placeholder="a folder of articles, a .jsonl or a .csv",
            layout=w.Layout(width="70%"),
        )
        self.chain_boxes = _chain_picker(default_chains() if chains is None else chains)
        self.model_box = _model_box(model)
        self.strategy_box = _strategy_box()
        config = load_config(record_mode=record_mode)
        self.record_box = w.Dropdown(options=list(MODES), value=config.record_mode, description="Responses")
        self.concurrency = w.BoundedIntText(
            value=concurrency, min=1, max=64, description="Concurrency", layout=w.Layout(width="180px")
        )
        self.run_button = w.Button(description="Run batch", button_style="primary", icon="play")
        self.run_button.add_class("ntk-run-batch")
        self.cancel_button = w.Button(description="Cancel", icon="stop", layout=w.Layout(display="none"))
        self.progress = w.IntProgress(value=0, min=0, max=1, description="Articles", bar_style="info")
        self.counts = w.HTML()
        self.counts.add_class("ntk-counts")
        self.table = w.HTML()
        self.table.add_class("ntk-batch-table")
        self.failure_view = w.HTML()
        self.failure_view.add_class("ntk-batch-failures")
        self.error = w.HTML()
        self.run_button.on_click(lambda _b: self.start())
        self.cancel_button.on_click(lambda _b: self.cancel())
        chains_row = w.HBox([w.Label("Chains:"), *self.chain_boxes.values()], layout=w.Layout(flex_flow="row wrap"))
        self.ui = w.VBox(
            [
                self.path_box,
                chains_row,
                w.HBox([self.model_box, self.strategy_box, self.record_box, self.concurrency]),
                w.HBox([self.run_button, self.cancel_button, self.progress]),
                self.counts,
                self.error,
                self.failure_view,
                self.table,
            ],
            layout=w.Layout(width="100%"),
        )
        self.ui.add_class("ntk-batch")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.ui._repr_mimebundle_(**kwargs)

    def selected_chains(self) -> list[str]:
        return [name for name, box in self.chain_boxes.items() if box.value]

    def _paint(self) -> None:
        report = self.report
        if report is None:
            return
        self.progress.max = max(1, report.total or report.processed or 1)
        self.progress.value = report.processed
        self.progress.bar_style = "danger" if report.failed else "info"
        self.counts.value = html.escape(report_text(report))
        shown = self.rows[-TABLE_ROWS:]
        note = (
            f"Latest {len(shown)} of {len(self.rows)} articles; dash.dataframe() has them all."
            if len(shown) < len(self.rows)
            else ""
        )
        self.table.value = html.view(
            html.table(shown, empty="No results yet.", css_class="ntk-batch-rows", caption=note or None)
        )
        self.failure_view.value = failures_html(self.failures)

    def _add(self, item: Any) -> None:
        if item.result is not None:
            self.results.append(item.result)
            row = batch_row(item.result, self._prices)
            row["article"] = item.article_id
            row["status"] = item.status if item.result.ok else "partial"
            self.rows.append(row)
        else:
            self.rows.append({"article": item.article_id, "status": "failed"})
        if item.failure is not None:
            self.failures.append(batch_failure_row(item.failure))
        self._paint()

    async def _tick(self) -> None:
        while True:  # elapsed time moves even while a slow article holds up the table
            await asyncio.sleep(0.5)
            if self.report is not None:
                self.counts.value = html.escape(report_text(self.report))

    async def arun(self) -> list[RunResult]:
        """Run the batch; results arrive in completion order and fill the table as they do."""
        from toolkit import batch

        self.results, self.rows, self.failures = [], [], []
        self.error.value = ""
        self.last_error = None
        self.run_button.disabled = True
        self.cancel_button.layout.display = ""
        ticker: asyncio.Task[None] | None = None
        try:
            chains = self.selected_chains()
            if not chains:
                raise ToolkitError("choose at least one chain")
            source = self.path_box.value.strip()
            spec = self.model_spec if isinstance(self.model_spec, Model) else (self.model_box.value.strip() or None)
            self.report = batch.BatchReport()
            self.report.total = await asyncio.get_running_loop().run_in_executor(None, batch.count_inputs, source)
            self._prices = price_table()
            self._paint()
            ticker = asyncio.create_task(self._tick())
            async for item in batch.arun_batch(
                source,
                self.out,
                chains=chains,
                model=spec,
                concurrency=int(self.concurrency.value),
                record_mode=self.record_box.value,
                responses_dir=self.responses_dir,
                report=self.report,
                runlog=self.runlog,
                prompts_dir=self.prompts_dir,
                strategy=self.strategy_box.value,
            ):
                self._add(item)
        except Exception as exc:
            self.last_error = exc
            self.error.value = _error_html(exc)
        finally:
            if ticker is not None:
                ticker.cancel()
            self.run_button.disabled = False
            self.cancel_button.layout.display = "none"
            self._paint()
        return self.results

    def dataframe(self, level: str = "articles") -> Any:
        """pandas, as toolkit.batch.to_dataframe gives it: level "articles" (a row per article), a
        chain name (a row per claim, key point or pair) or "failures". Read from the output file
        when there is one, else from this run's results in memory."""
        import json

        import pandas as pd

        from toolkit import batch

        if self.out is not None and self.out.exists():
            return batch.to_dataframe(self.out, level)
        if level == "failures":
            return pd.DataFrame(self.failures)
        lines = [json.loads(batch.output_line(r.article.id or r.article.sha256[:12], r)) for r in self.results]
        if level == "articles":
            return pd.DataFrame([batch.article_row(d) for d in lines])
        return pd.DataFrame([row for d in lines for row in batch.item_rows(d, level)])
