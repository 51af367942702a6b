"""JupyterLab front-ends: the analyst Workbench (one article) and the BatchDashboard (a folder).

Thin shells on purpose: what is shown comes from pure functions (toolkit.html, each chain's
`html_view` / `table_rows` / `review_items`, toolkit.review), which are tested without a
browser; this module only wires ipywidgets to them and keeps the Python objects at hand
(`wb.result`, `wb.reviewed`, `dash.results`, `dash.dataframe()`).

Runs started by a button go out as an asyncio task on the kernel's loop, so the kernel stays
responsive and the progress line updates while the model works; `run()` / `await arun()` do
the same from code and return the result.
"""

from toolkit.widgets.common import (
    ObservedModel,
    Tally,
    article_from_upload,
    batch_row,
    calls_cost,
    chain_tab_order,
    chain_title,
    default_samples_dir,
    failures_html,
    list_articles,
    price_table,
    repo_root,
    tally_text,
    visible_output,
)
from toolkit.widgets.dashboard import BatchDashboard, batch_failure_row, report_text
from toolkit.widgets.workbench import Workbench

__all__ = [
    "BatchDashboard",
    "ObservedModel",
    "Tally",
    "Workbench",
    "article_from_upload",
    "batch_failure_row",
    "batch_row",
    "calls_cost",
    "chain_tab_order",
    "chain_title",
    "default_samples_dir",
    "failures_html",
    "list_articles",
    "price_table",
    "repo_root",
    "report_text",
    "tally_text",
    "visible_output",
]
