"""The analyst Workbench: one article, run, results in tabs, review, gold, export."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w

from toolkit import html
from toolkit import review as rv
from toolkit.article import SUPPORTED_SUFFIXES, Article, article_from_text, load_article
from toolkit.config import load_config
from toolkit.errors import ArticleError, ToolkitError
from toolkit.files import write_atomic
from toolkit.hashing import sha256_text
from toolkit.models import Model, ModelResponse
from toolkit.plugins import get_chain
from toolkit.recording import MODES
from toolkit.runner import arun, default_chains, make_model
from toolkit.schema import RunResult
from toolkit.widgets.common import (
    _SPINNER,
    ObservedModel,
    Tally,
    _chain_picker,
    _close_tree,
    _error_html,
    _model_box,
    _Runs,
    _strategy_box,
    article_from_upload,
    chain_tab_order,
    chain_title,
    default_samples_dir,
    list_articles,
    price_table,
    tally_text,
    visible_output,
)

log = logging.getLogger(__name__)


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
        self._last_paint = 0.0
        self._prices: Any = None

        self._build_input(chains, model, record_mode)
        self._build_review_and_export(out_dir)
        self._wire()
        self.ui = self._layout()

    def _build_input(self, chains: Sequence[str] | None, model: str | Model | None, record_mode: str | None) -> None:
        """The article box, sample and upload pickers, chain/model/strategy/responses controls, run and tabs."""
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

    def _build_review_and_export(self, out_dir: str | Path) -> None:
        """The Review, Evaluate and Export tabs' controls."""
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

    def _wire(self) -> None:
        """Buttons and pickers to the methods they call (each guarded: an error shows, nothing is lost)."""
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

    def _layout(self) -> w.VBox:
        """The main column; the result, review, evaluate and export tabs are filled after a run."""
        chains_row = w.HBox([w.Label("Chains:"), *self.chain_boxes.values()], layout=w.Layout(flex_flow="row wrap"))
        ui = w.VBox(
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
        ui.add_class("ntk-workbench")
        return ui

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
        self.edit_form.children = [
            w.HTML(html.view(html.tag("strong", f"Edit {chain} {item['id']}"))),
            *inputs.values(),
            w.HBox([save, cancel]),
            message,
        ]

    def _close_editor(self) -> None:
        old, self.edit_form.children = self.edit_form.children, []
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
