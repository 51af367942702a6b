"""The BatchDashboard: many articles through toolkit.batch, live counts, table, failures."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w

from toolkit import html
from toolkit.config import load_config
from toolkit.errors import ToolkitError
from toolkit.models import Model
from toolkit.recording import MODES
from toolkit.runner import default_chains
from toolkit.schema import RunResult
from toolkit.widgets.common import (
    _SPINNER,
    _chain_picker,
    _error_html,
    _model_box,
    _running_loop,
    _Runs,
    _strategy_box,
    batch_row,
    default_samples_dir,
    failures_html,
    price_table,
)

TABLE_ROWS = 500  # the dashboard shows the latest results; the DataFrame has all


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
        self._build_story_tab()
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
                self.tabs,
            ],
            layout=w.Layout(width="100%"),
        )
        self.ui.add_class("ntk-batch")

    def _build_story_tab(self) -> None:
        """Articles (the table, the failures) and Stories (toolkit.story over this batch's results)."""
        self.stories: Any = None  # the last toolkit.story.CrossResult
        self.story_button = w.Button(
            description="Build stories",
            icon="sitemap",
            tooltip="toolkit story over these results",
            layout=w.Layout(width="160px"),
        )
        self.story_button.add_class("ntk-build-stories")
        self.story_label = w.Dropdown(
            options=[("pairs: a capable model labels, else rules", "auto"), ("pairs: the model labels", "model"),
                     ("pairs: rules only", "rules")],
            value="auto",
            layout=w.Layout(width="320px"),
        )  # fmt: skip
        self.story_status = w.HTML()
        self.story_status.add_class("ntk-story-status")
        self.story_view = w.HTML()
        self.story_view.add_class("ntk-view-stories")
        self.story_button.on_click(lambda _b: self._start_stories())
        self.tabs = w.Tab(
            children=[
                w.VBox([self.failure_view, self.table]),
                w.VBox([w.HBox([self.story_button, self.story_label, self.story_status]), self.story_view]),
            ],
            layout=w.Layout(width="100%"),
        )
        self.tabs.titles = ("Articles", "Stories")
        self.tabs.add_class("ntk-batch-tabs")

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

    def _start_stories(self) -> Any:
        loop = _running_loop()
        if loop is None:
            return self.build_stories()
        return loop.create_task(self.abuild_stories())

    def build_stories(self) -> Any:
        """Blocking twin of `abuild_stories` for code and scripts."""
        return asyncio.run(self.abuild_stories())

    async def abuild_stories(self) -> Any:
        """Stories across this batch's results (toolkit.story): shown in the Stories tab, kept on
        `dash.stories`; who labels the candidate pairs follows the dropdown (toolkit.story.build's label)."""
        from toolkit.story import build, view_html

        self.story_button.disabled = True
        self.story_status.value = html.join([_SPINNER, "grouping articles, aligning claims, labelling pairs…"])
        try:
            if not self.results:
                raise ToolkitError("no results yet: run the batch first")
            spec = self.model_spec if isinstance(self.model_spec, Model) else (self.model_box.value.strip() or None)
            self.stories = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: build(
                    list(self.results),
                    model=spec,
                    record_mode=self.record_box.value,
                    responses_dir=self.responses_dir,
                    prompts_dir=self.prompts_dir,
                    label={"model": True, "rules": False}.get(self.story_label.value),
                ),
            )
            self.story_view.value = view_html(self.stories)
            summary = self.stories.output.get("summary") or {}
            self.story_status.value = html.escape(
                "; ".join(f"{v} {k}" for k, v in summary.items()) + f" · {len(self.stories.calls)} model calls"
            )
        except Exception as exc:
            self.last_error = exc
            self.story_status.value = _error_html(exc)
        finally:
            self.story_button.disabled = False
        return self.stories

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
        return batch.results_frame(lines, level)
