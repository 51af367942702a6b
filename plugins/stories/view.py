"""How the stories read: per story, the claim-by-outlet matrix and the cross-outlet pairs side by side."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from toolkit import html
from toolkit.view import ChainView
from toolkit_plugins.stories.schema import Occurrence, Stories, Story, StoryClaim

#: rows of a story's matrix shown (claims carried by most articles, and every contested one, first)
MATRIX_ROWS = 30
STANCE_MARK = {"asserts": ("asserts", "good"), "contests": ("contests", "bad"), "silent": ("·", "")}


def matrix_rows(story: Story) -> list[StoryClaim]:
    """The claims the matrix shows: contested ones and those 2+ articles carry, most carried first."""
    paired = {p.a for p in story.pairs} | {p.b for p in story.pairs}
    shown = [c for c in story.claims if c.id in paired or len(c.articles) > 1]
    return sorted(shown, key=lambda c: (-len(c.articles), c.id not in paired, c.id))[:MATRIX_ROWS]


def evidence_html(occurrence: Occurrence, claimant: str) -> html.Markup:
    """The article's sentence with the claim's quote highlighted (the quote alone if it is not in it)."""
    context = occurrence.context or occurrence.quote
    at = context.find(occurrence.quote) if occurrence.quote else -1
    if at < 0:
        context, at = occurrence.quote, 0
    span = html.Span(
        at, at + len(occurrence.quote), label="", key=claimant, tooltip=f"@{occurrence.start}-{occurrence.end}"
    )
    return html.highlight(context, [span], legend=False)


class StoriesView(ChainView[Stories]):
    facets = ("story", "claimant", "contested")

    def table_rows(self, output: Stories) -> list[dict[str, Any]]:
        """One row per aligned claim: its story, claimant, how many articles carry it, contested or not."""
        rows = []
        for story in output.stories:
            paired = {p.a for p in story.pairs} | {p.b for p in story.pairs}
            rows += [
                {
                    "id": f"{story.id}/{c.id}",
                    "story": story.title,
                    "claimant": c.claimant,
                    "text": c.text,
                    "articles": len(c.articles),
                    "contested": c.id in paired,
                }
                for c in story.claims
            ]
        return rows

    def render_text(self, output: Stories, deps: dict[str, BaseModel] | None = None) -> str:
        lines = [f"Stories ({len(output.stories)}; {output.single_articles} articles in no story)"]
        for story in output.stories:
            by_id = {c.id: c for c in story.claims}
            lines.append(f"  {story.id} {story.title} ({len(story.articles)} articles)")
            for p in story.pairs:
                a, b = by_id[p.a], by_id[p.b]
                lines.append(f"    {p.b} {p.relation} {p.a} [{p.signal}, {p.decided_by}]: {p.rationale}")
                lines.append(f"      A {a.claimant} in {', '.join(a.articles)}")
                lines.append(f"      B {b.claimant} in {', '.join(b.articles)}")
        return "\n".join(lines)

    def story_html(self, story: Story) -> html.Markup:
        """One story: its articles, the claim-by-outlet matrix, the pairs side by side, the uncontested."""
        by_id = {c.id: c for c in story.claims}
        stances = story.stances()
        keys = [a.key for a in story.articles]
        header = [("claim", "claim"), *((k, k) for k in keys)]
        rows = []
        for claim in matrix_rows(story):
            row: dict[str, Any] = {"claim": f"{claim.id} · {claim.claimant}: {claim.text}"}
            for key in keys:
                label, tone = STANCE_MARK[stances[claim.id][key]]
                row[key] = html.badge(label, tone) if tone else label
            rows.append(row)

        def side(cid: str, occurrence: Occurrence) -> html.Markup:
            c = by_id[cid]
            return html.join(
                [
                    html.tag("div", html.tag("strong", f"{c.id} · {c.claimant}"), " ", html.badge(c.type)),
                    html.tag("div", f"in {occurrence.article}", class_="ntk-note"),
                    evidence_html(occurrence, c.claimant),
                    html.tag("div", f"carried by {len(c.articles)}: {', '.join(c.articles)}", class_="ntk-note"),
                ]
            )

        pairs = [
            html.pair(side(p.a, p.evidence_a), side(p.b, p.evidence_b), f"{p.relation} · {p.signal}", p.rationale)
            for p in story.pairs
        ]
        articles = [{"article": a.key, "outlet": a.outlet, "title": a.title} for a in story.articles]
        uncontested = [
            {"claim": c.id, "claimant": c.claimant, "text": c.text, "articles": len(c.articles)}
            for c in story.claims
            if c.id in set(story.uncontested) and len(c.articles) > 1
        ]
        none = html.tag("p", "No claims in this story contest each other.", class_="ntk-note")
        return html.section(
            f"{story.title} ({len(story.articles)} articles) · {story.id}",
            html.tag("p", "Names: " + (", ".join(story.entities) or "-"), class_="ntk-note"),
            html.table(articles, css_class="ntk-story-articles"),
            html.section(
                "Claim by outlet", html.table(rows, header, css_class="ntk-matrix", empty="No shared claims.")
            ),
            html.section(f"Cross-outlet pairs ({len(story.pairs)})", *(pairs or [none]), css_class="ntk-pairs"),
            html.section(
                f"Uncontested claims carried by 2+ articles ({len(uncontested)})",
                html.table(uncontested, empty="None."),
            ),
            css_class="ntk-story",
        )

    def html_view(self, output: Stories, deps: dict[str, BaseModel] | None = None, article_text: str = "") -> str:
        summary = "; ".join(f"{v} {k}" for k, v in output.summary.items())
        parts: list[Any] = [html.tag("p", summary, class_="ntk-note")]
        if not output.stories:
            parts.append(html.tag("p", "No two articles share a story.", class_="ntk-note"))
        parts += [self.story_html(s) for s in output.stories]
        return html.view(*parts)
