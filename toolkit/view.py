"""How a chain's output reads: plain text for the CLI, escaped HTML for the notebooks, flat rows
for filters and CSV export.

Kept apart from the chain's logic so that changing how an output looks never touches how it is
made, and so a plugin can restyle a chain (subclass its view, set `view_class`) without
inheriting its rules. The defaults show any output as JSON.
"""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

OutputT = TypeVar("OutputT", bound=BaseModel)


class ChainView(Generic[OutputT]):
    """Read-only presentation of one chain's output; `title` is the chain's display title."""

    #: columns of `table_rows` an analyst filters by (e.g. claimant, type)
    facets: tuple[str, ...] = ()

    def __init__(self, title: str = "") -> None:
        self.title = title

    def render_text(self, output: OutputT, deps: dict[str, BaseModel] | None = None) -> str:
        """A readable plain-text section for the CLI report."""
        return f"{self.title or type(output).__name__}:\n" + output.model_dump_json(indent=2)

    def html_view(self, output: OutputT, deps: dict[str, BaseModel] | None = None, article_text: str = "") -> str:
        """Escaped HTML for the workbench (see toolkit.html); `deps` are the other chains' outputs."""
        from toolkit import html

        return html.view(html.section(self.title, html.pre(output.model_dump_json(indent=2))))

    def table_rows(self, output: OutputT) -> list[dict[str, Any]]:
        """Flat rows for filtering and CSV export; the default is one row of the top-level fields."""
        data = output.model_dump(mode="json")
        return [
            {k: v if v is None or isinstance(v, str | int | float | bool) else json.dumps(v) for k, v in data.items()}
        ]
