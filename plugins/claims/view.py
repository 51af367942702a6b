"""How the claims chain's output reads: CLI text, notebook HTML, rows for filters and CSV."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from toolkit import html
from toolkit.view import ChainView
from toolkit_plugins.claims.schema import ClaimList


class ClaimsView(ChainView[ClaimList]):
    facets = ("claimant", "type", "grounded")

    def render_text(self, output: ClaimList, deps: dict[str, BaseModel] | None = None) -> str:
        lines = [f"Claims ({len(output.claims)})"]
        for c in output.claims:
            flag = "" if c.alignment != "ungrounded" else "  [UNGROUNDED]"
            lines.append(f"  {c.id} [{c.type}] {c.claimant} ({c.verb or 'outlet'}): {c.text}{flag}")
            lines.append(f'      quote @{c.start}-{c.end} ({c.alignment}): "{c.quote[:160]}"')
        return "\n".join(lines)

    # Notebook views (toolkit.widgets, toolkit.review): read-only over the output.
    def table_rows(self, output: ClaimList) -> list[dict[str, Any]]:
        """One row per claim, flat, for the filters (claimant, type, grounded) and CSV export."""
        return [
            {
                "id": c.id,
                "claimant": c.claimant,
                "type": c.type,
                "verb": c.verb,
                "text": c.text,
                "quote": c.quote,
                "context": c.context,
                "start": c.start,
                "end": c.end,
                "alignment": c.alignment,
                "grounded": c.alignment != "ungrounded",
                "cue": c.cue,
                "checks": "; ".join(c.checks),
            }
            for c in output.claims
        ]

    def html_view(self, output: ClaimList, deps: dict[str, BaseModel] | None = None, article_text: str = "") -> str:
        """The claims table, then the article with each evidence quote highlighted, a colour per claimant."""
        columns = [
            ("id", "id"),
            ("claimant", "claimant"),
            ("type", "type"),
            ("text", "claim"),
            ("quote", "evidence (verbatim)"),
            ("alignment", "grounding"),
        ]
        notes = []
        if output.dropped_ungrounded:
            notes.append(f"{output.dropped_ungrounded} ungrounded claims dropped")
        if output.merged_duplicates:
            notes.append(f"{output.merged_duplicates} near-duplicates merged")
        parts = [
            html.section(
                f"Claims ({len(output.claims)})",
                html.table(self.table_rows(output), columns, empty="No claims found.", css_class="ntk-claims"),
                html.tag("p", "; ".join(notes), class_="ntk-note") if notes else "",
            )
        ]
        if article_text:
            spans = [
                html.Span(
                    c.start,
                    c.end,
                    label=c.id,
                    key=c.claimant,
                    tooltip=f"{c.id} · {c.claimant} · {c.type}" + (f" · {c.verb}" if c.verb else ""),
                )
                for c in output.claims
            ]
            parts.append(html.section("Article with the evidence highlighted", html.highlight(article_text, spans)))
        return html.view(*parts)
