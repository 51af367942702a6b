"""How the counterclaims chain's output reads: CLI text, notebook HTML, rows for filters and CSV."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from toolkit import html
from toolkit.view import ChainView
from toolkit_plugins.claims.schema import ClaimList
from toolkit_plugins.counterclaims.schema import CounterClaims


class CounterClaimsView(ChainView[CounterClaims]):
    facets = ("kind", "relation")

    def render_text(self, output: CounterClaims, deps: dict[str, BaseModel] | None = None) -> str:
        claims = (deps or {}).get("claims")
        by_id = {c.id: c for c in claims.claims} if isinstance(claims, ClaimList) else {}
        lines = [f"Counter-claims ({len(output.pairs)} pairs)"]
        for p in output.pairs:
            a, b = by_id.get(p.claim_a), by_id.get(p.claim_b)
            lines.append(f"  {p.claim_b} {p.relation} {p.claim_a}: {p.rationale}")
            if a and b:
                lines.append(f"      A ({a.claimant}): {a.text[:110]}")
                lines.append(f"      B ({b.claimant}): {b.text[:110]}")
        lines.append("  Uncontested: " + (", ".join(output.uncontested) or "none"))
        for cid in output.uncontested:
            if cid in by_id:
                lines.append(f"      {cid} ({by_id[cid].claimant}): {by_id[cid].text[:110]}")
        return "\n".join(lines)

    # Notebook views (toolkit.widgets, toolkit.review): read-only over the output.
    def table_rows(self, output: CounterClaims) -> list[dict[str, Any]]:
        """A row per pair, then a row per uncontested claim (kind tells them apart)."""
        rows: list[dict[str, Any]] = [
            {
                "id": f"{p.claim_a}~{p.claim_b}",
                "kind": "pair",
                "claim_a": p.claim_a,
                "claim_b": p.claim_b,
                "relation": p.relation,
                "rationale": p.rationale,
                "cue": p.cue,
                "decided_by": p.decided_by,
                "checks": "; ".join(p.checks),
            }
            for p in output.pairs
        ]
        rows += [{"id": cid, "kind": "uncontested", "claim_a": cid} for cid in output.uncontested]
        return rows

    def html_view(self, output: CounterClaims, deps: dict[str, BaseModel] | None = None, article_text: str = "") -> str:
        """Contesting pairs side by side with relation and rationale; uncontested claims listed apart."""
        claims = (deps or {}).get("claims")
        by_id = {c.id: c for c in claims.claims} if isinstance(claims, ClaimList) else {}

        def side(cid: str) -> html.Markup:
            c = by_id.get(cid)
            if c is None:
                return html.tag("div", html.tag("strong", cid), " (claim text not available)")
            return html.join(
                [
                    html.tag("div", html.tag("strong", f"{c.id} · {c.claimant}"), " ", html.badge(c.type)),
                    html.tag("div", c.text),
                    html.tag("div", f"“{c.quote}”", class_="ntk-note"),
                ]
            )

        pairs = [html.pair(side(p.claim_a), side(p.claim_b), p.relation, p.rationale, cue=p.cue) for p in output.pairs]
        rows = [
            {
                "id": cid,
                "claimant": by_id[cid].claimant if cid in by_id else "",
                "type": by_id[cid].type if cid in by_id else "",
                "claim": by_id[cid].text if cid in by_id else "",
            }
            for cid in output.uncontested
        ]
        none = html.tag("p", "No claims in this article contest each other.", class_="ntk-note")
        return html.view(
            html.section(f"Counter-claim pairs ({len(output.pairs)})", *(pairs or [none]), css_class="ntk-pairs"),
            html.section(
                f"Uncontested claims ({len(rows)})", html.table(rows, empty="None."), css_class="ntk-uncontested"
            ),
        )
