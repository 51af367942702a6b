"""How the summary chain's output reads: CLI text, notebook HTML, rows for filters and CSV."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from toolkit import html
from toolkit.view import ChainView
from toolkit_plugins.summary.schema import Summary


class SummaryView(ChainView[Summary]):
    def render_text(self, output: Summary, deps: dict[str, BaseModel] | None = None) -> str:
        lines = [f"Summary: {output.headline}", "  Key points:"]
        lines += [f"   - {k.text}  [@{k.start}-{k.end} {k.alignment}]" for k in output.key_points]
        lines.append(f"  Who: {', '.join(output.who) or '-'}")
        lines.append(f"  What: {output.what}")
        lines.append(f"  When: {', '.join(output.when) or '-'}   Where: {', '.join(output.where) or '-'}")
        lines.append(f"  Framing: {output.framing}")
        return "\n".join(lines)

    # Notebook views (toolkit.widgets, toolkit.review): read-only over the output.
    def table_rows(self, output: Summary) -> list[dict[str, Any]]:
        """The brief as rows: headline, key points, the 5 Ws and the framing note."""
        rows: list[dict[str, Any]] = [{"id": "headline", "kind": "headline", "text": output.headline}]
        rows += [
            {
                "id": f"k{n}",
                "kind": "key point",
                "text": k.text,
                "claimant": k.claimant,
                "start": k.start,
                "end": k.end,
                "alignment": k.alignment,
            }
            for n, k in enumerate(output.key_points, 1)
        ]
        rows += [
            {"id": "who", "kind": "who", "text": "; ".join(output.who)},
            {"id": "what", "kind": "what", "text": output.what},
            {"id": "when", "kind": "when", "text": "; ".join(output.when)},
            {"id": "where", "kind": "where", "text": "; ".join(output.where)},
            {"id": "framing", "kind": "framing", "text": output.framing},
        ]
        return rows

    def html_view(self, output: Summary, deps: dict[str, BaseModel] | None = None, article_text: str = "") -> str:
        """The brief as one card: headline, grounded key points, who/what/when/where, actors, framing."""
        points = [
            html.join(
                [
                    k.text,
                    " ",
                    html.badge(k.claimant) if k.claimant else "",
                    html.badge("not found in the text", "bad") if k.alignment == "ungrounded" else "",
                ]
            )
            for k in output.key_points
        ]
        return html.view(
            html.card(
                output.headline,
                {
                    "Key points": points,
                    "Who": ", ".join(output.who),
                    "What": output.what,
                    "When": ", ".join(output.when),
                    "Where": ", ".join(output.where),
                    "Main actors": [f"{a.name} ({a.claims} claims, {a.mentions} mentions)" for a in output.main_actors],
                    "Framing": output.framing,
                },
                css_class="ntk-summary",
                subtitle=f"headline from the {output.headline_source}",
            )
        )
