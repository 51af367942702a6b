"""Claims chain: who claims what, typed, with the verbatim evidence quote and its offsets.

The tiny default model cannot find claims on its own, so the work is split:
1. spaCy (toolkit.nlp) finds attributed statements: claimant, reporting verb, content, sentence;
2. the model labels each with a type and restates it as a self-contained sentence, both under
   schema-constrained decoding;
3. checks after the model: a restatement must reuse the source's words and keep its substance,
   else a faithful template is used; clear lexical markers (future modals, accusation verbs)
   override a type the model got wrong;
4. every quote is aligned to the article, near-duplicates are merged.
"""

from __future__ import annotations

import re
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from toolkit.chain import Chain, ChainContext, ChainInput, Steps, StructuredCall
from toolkit.grounding import AlignmentStatus, align
from toolkit.hookspecs import hookimpl
from toolkit.nlp import OUTLET, Analysis, Attribution, analyse
from toolkit.text import content_words, content_words_in_order, is_garbled, near_duplicate
from toolkit_prompts import ROOT as PROMPTS_ROOT

ClaimType = Literal["fact", "opinion", "prediction", "allegation"]
PROMPTS = PROMPTS_ROOT / "claims"

_PREDICTION = re.compile(r"\b(will|won't|shall|'ll|going to|expects?|expected to|next (week|month|year))\b", re.I)
_ALLEGATION = re.compile(
    r"\b(accus\w*|alleg\w*|blam\w*|fraud\w*|rigg\w*|cover(ed)?[- ]up|lied|illegal\w*|war crimes?|corrupt\w*|"
    r"hiding|concealed|irregularit\w*)\b",
    re.I,
)
_OPINION = re.compile(
    r"\b(very|too|should|must|disgrace\w*|terrible|difficult|wrong|unacceptable|outrageous|no other choice|"
    r"believe\w*|think\w*|feel\w*|hope\w*)\b",
    re.I,
)
_NEGATION = re.compile(r"\b(not|no|never|none|neither|nor|n't|without)\b", re.I)


class TypeAnswer(BaseModel):
    type: ClaimType


class RewriteAnswer(BaseModel):
    claim: str = Field(min_length=10, max_length=300)


class Claim(BaseModel):
    id: str
    text: str = Field(description="the claim as one self-contained sentence")
    claimant: str = Field(description="who asserts it; 'the outlet' for the article's own voice")
    claimant_mention: str = ""
    verb: str = Field(description="attribution verb as written, e.g. said, told reporters, according to")
    type: ClaimType
    quote: str = Field(description="verbatim evidence from the article")
    start: int
    end: int
    alignment: AlignmentStatus
    cue: str = Field(default="", description="discourse connective opening the sentence, e.g. However")
    checks: list[str] = Field(default_factory=list, description="which post-model checks changed this item")


class ClaimList(BaseModel):
    claims: list[Claim]
    dropped_ungrounded: int = 0
    merged_duplicates: int = 0


def rule_type(text: str, verb: str) -> ClaimType | None:
    """Lexical markers that outrank a tiny model's label; None when nothing is clear-cut."""
    if _ALLEGATION.search(verb) or _ALLEGATION.search(text):
        return "allegation"
    if _PREDICTION.search(text):
        return "prediction"
    if _OPINION.search(text):
        return "opinion"
    return None


def check_type(model_type: ClaimType | None, text: str, verb: str) -> tuple[ClaimType, str | None]:
    """Final type and, when the checks changed the model's label, a note saying so.

    Markers win; without any, 'allegation' and 'prediction' need evidence the text lacks,
    so they fall back to 'fact' (what a statement with no such markers reports).
    """
    rule = rule_type(text, verb)
    if rule is not None:
        return rule, (f"type_{model_type}_overridden" if model_type and model_type != rule else None)
    if model_type in (None, "allegation", "prediction"):
        return "fact", (f"type_{model_type}_unsupported" if model_type else "type_from_rules")
    return model_type, None


def _balance_quotes(text: str) -> str:
    if text.count('"') % 2:
        text = text.replace('"', "", 1) if text.startswith('"') else text + '"'
    return text


CONNECTIVES = frozenset(
    {
        "however",
        "furthermore",
        "moreover",
        "meanwhile",
        "but",
        "yet",
        "nevertheless",
        "nonetheless",
        "still",
        "also",
        "additionally",
        "instead",
        "in addition",
        "in contrast",
        "on the other hand",
        "at the same time",
    }
)
_PARTICIPLES = {
    "saying": "said",
    "claiming": "claimed",
    "adding": "added",
    "warning": "warned",
    "noting": "noted",
    "insisting": "insisted",
    "stating": "stated",
    "arguing": "argued",
    "announcing": "announced",
}


def clean_content(att: Attribution) -> str:
    """The asserted content without the attribution parenthetical and an opening connective."""
    content = att.content.strip()
    if att.claimant_mention and att.verb:
        content = re.sub(rf",?\s*{re.escape(att.claimant_mention)}\s+{re.escape(att.verb)}\s*,?", "", content, count=1)
    if att.cue and att.cue.lower() in CONNECTIVES and content.startswith(att.cue):
        content = content[len(att.cue) :].lstrip(" ,")
    content = re.sub(r',"$', '"', content.strip()).rstrip(",").strip()
    content = _balance_quotes(content)
    return content[:1].upper() + content[1:] if content else content


NO_THAT = re.compile(r"^(accus|urg|call|blam|prais|critici|ask|thank|condemn|welcom)", re.I)


def claimant_phrase(att: Attribution) -> str:
    """'The electoral commission' rather than 'electoral commission' when the article says so."""
    mention = att.claimant_mention.strip()
    article, _, rest = mention.partition(" ")
    if article.lower() in ("the", "a", "an") and rest.lower() == att.claimant.lower():
        return article.capitalize() + " " + rest
    return att.claimant


def template_claim(att: Attribution, text: str = "") -> str:
    """A faithful restatement built from the parsed parts, used when the model's fails checks."""
    content = clean_content(att)
    claimant = claimant_phrase(att)
    verb = _PARTICIPLES.get(att.verb.lower(), att.verb.lower())
    direct = 0 < att.content_start <= len(text) and text[att.content_start - 1] in '"“'
    if att.claimant == OUTLET or not att.verb:
        out = content
    elif verb.startswith(("according", "based on", "cited", "reported")):
        source = "t" + claimant[1:] if claimant.startswith("The ") and claimant != att.claimant else claimant
        out = f"{content.rstrip('.')} (according to {source})"
    elif direct:
        out = f'{claimant} {verb}: "{content.rstrip(",. ")}."'
    else:
        body = content if content[:2].isupper() or content.startswith('"') else content[:1].lower() + content[1:]
        out = f"{claimant} {verb} {'' if NO_THAT.match(verb) else 'that '}{body}"
    out = out[:1].upper() + out[1:]
    return out if out.endswith((".", "!", "?", ")", '"')) else out + "."


def _bigrams(text: str) -> set[tuple[str, str]]:
    words = [w.lower() for w in re.findall(r"[A-Za-z0-9']+", text)]
    return set(zip(words, words[1:], strict=False))


def accept_rewrite(rewrite: str, att: Attribution) -> str | None:
    """Why the model's restatement is refused, or None when it is faithful.

    It may reorder and trim, but not bring in a word of substance the source lacks, drop the
    claimant, flip a negation, or stray far from the source's phrasing.
    """
    if is_garbled(rewrite):
        return "garbled"
    source = att.quote + " " + att.claimant
    new = content_words(rewrite)
    if new - content_words(source):
        return "new_words"
    if att.claimant != OUTLET and att.claimant.split()[-1].lower() not in rewrite.lower():
        return "claimant_missing"
    if bool(_NEGATION.search(rewrite)) != bool(_NEGATION.search(att.content)):
        return "negation_changed"
    core = content_words(att.content)
    if not core or len(core & new) < 0.6 * len(core):
        return "substance_dropped"
    pairs = _bigrams(rewrite)
    if pairs and len(pairs & _bigrams(source)) < 0.7 * len(pairs):
        return "phrasing_drift"
    if not keeps_order(rewrite, att):
        return "order_changed"
    return None


def keeps_order(rewrite: str, att: Attribution) -> bool:
    """Words taken from the source must keep their order: moving a phrase can change who did what.

    ('Anna Ruiz, the incumbent mayor, said ...' from '... Anna Ruiz said ..., which the incumbent
    mayor won' reuses every word and is still false.)
    """
    claimant = content_words(att.claimant) | content_words(att.claimant_mention)
    mine = [w for w in content_words_in_order(rewrite) if w not in claimant]
    theirs = [w for w in content_words_in_order(att.quote) if w not in claimant]
    if not mine:
        return True
    # longest common subsequence, O(n*m) on a sentence's words
    prev = [0] * (len(theirs) + 1)
    for word in mine:
        row = [0]
        for j, other in enumerate(theirs):
            row.append(prev[j] + 1 if word == other else max(prev[j + 1], row[j]))
        prev = row
    return prev[-1] >= 0.9 * len(mine)


class ClaimsChain(Chain):
    name = "claims"
    version = "1.0.0"
    description = "Atomic claims with claimant, attribution verb, type and grounded evidence quote"
    output_schema = ClaimList
    prompt_names = ("type_claim", "rewrite_claim")
    prompt_dir = PROMPTS

    def candidates(self, analysis: Analysis) -> list[Attribution]:
        return list(analysis.attributions)

    def steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        text = inp.article.text
        analysis = analyse(text)
        candidates = self.candidates(analysis)
        type_prompt, rewrite_prompt = self.prompt(ctx, "type_claim"), self.prompt(ctx, "rewrite_claim")
        calls: list[StructuredCall] = []
        for att in candidates:
            statement = att.quote[:1200]
            calls.append(
                StructuredCall("type", type_prompt, {"statement": statement}, TypeAnswer, max_tokens=16, required=False)
            )
            calls.append(
                StructuredCall(
                    "rewrite",
                    rewrite_prompt,
                    {
                        "claimant": att.claimant if att.claimant != OUTLET else "The article",
                        "verb": att.verb or "reports",
                        "statement": att.content[:1200],
                    },
                    RewriteAnswer,
                    max_tokens=96,
                    params={"repeat_penalty": 1.1},
                    required=False,
                )
            )
        answers: list[Any] = yield calls if calls else []
        claims: list[Claim] = []
        contents: list[str] = []
        dropped = merged = 0
        for i, att in enumerate(candidates):
            typed, rewritten = answers[2 * i], answers[2 * i + 1]
            checks: list[str] = []
            text_out = rewritten.claim.strip() if rewritten else ""
            refusal = accept_rewrite(text_out, att) if text_out else "rewrite_invalid"
            if refusal:
                text_out = template_claim(att, text)
                checks.append(f"rewrite_refused:{refusal}")
            claim_type, note = check_type(typed.type if typed else None, att.content, att.verb)
            if note:
                checks.append(note)
            grounding = align(att.quote, text, hint=att.quote_start)
            if not grounding.grounded and ctx.drop_ungrounded:
                dropped += 1
                continue
            claim = Claim(
                id="",
                text=text_out,
                claimant=att.claimant,
                claimant_mention=att.claimant_mention,
                verb=att.verb,
                type=claim_type,
                quote=grounding.quote,
                start=grounding.start,
                end=grounding.end,
                alignment=grounding.status,
                cue=att.cue,
                checks=checks,
            )
            twin = next((j for j, seen in enumerate(contents) if near_duplicate(seen, att.content)), None)
            if twin is not None:
                merged += 1
                if claims[twin].claimant == OUTLET and claim.claimant != OUTLET:
                    claims[twin], contents[twin] = claim, att.content
                continue
            claims.append(claim)
            contents.append(att.content)
        claims.sort(key=lambda c: c.start)
        for n, claim in enumerate(claims, 1):
            claim.id = f"c{n}"
        return ClaimList(claims=claims, dropped_ungrounded=dropped, merged_duplicates=merged)

    def render_text(self, output: ClaimList, deps: dict[str, BaseModel] | None = None) -> str:  # type: ignore[override]
        lines = [f"Claims ({len(output.claims)})"]
        for c in output.claims:
            flag = "" if c.alignment != "ungrounded" else "  [UNGROUNDED]"
            lines.append(f"  {c.id} [{c.type}] {c.claimant} ({c.verb or 'outlet'}): {c.text}{flag}")
            lines.append(f'      quote @{c.start}-{c.end} ({c.alignment}): "{c.quote[:160]}"')
        return "\n".join(lines)

    # Notebook views (toolkit.widgets, toolkit.review): read-only over the output.
    def table_rows(self, output: ClaimList) -> list[dict[str, Any]]:  # type: ignore[override]
        """One row per claim, flat, for the filters (claimant, type, grounded) and CSV export."""
        return [
            {
                "id": c.id,
                "claimant": c.claimant,
                "type": c.type,
                "verb": c.verb,
                "text": c.text,
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
                "alignment": c.alignment,
                "grounded": c.alignment != "ungrounded",
                "cue": c.cue,
                "checks": "; ".join(c.checks),
            }
            for c in output.claims
        ]

    def facets(self) -> tuple[str, ...]:
        return ("claimant", "type", "grounded")

    def review_items(self, output: ClaimList) -> list[dict[str, Any]]:  # type: ignore[override]
        """Each claim; the analyst may correct its wording, claimant or type (the quote stays as found)."""
        return [
            {
                "id": c.id,
                "label": f"{c.id} [{c.type}] {c.claimant}: {c.text}",
                "detail": c.quote,
                "fields": {"text": c.text, "claimant": c.claimant, "type": c.type},
                "path": ["claims", i],
            }
            for i, c in enumerate(output.claims)
        ]

    def addable_fields(  # type: ignore[override]
        self, output: ClaimList, deps: dict[str, BaseModel]
    ) -> dict[str, list[str] | None]:
        """An added claim: its quote (select it in the article and paste it), claimant, type, wording."""
        return {"quote": None, "claimant": None, "type": list(get_args(ClaimType)), "text": None}

    def new_review_item(  # type: ignore[override]
        self, output: ClaimList, fields: dict[str, Any], article_text: str, deps: dict[str, BaseModel]
    ) -> dict[str, Any]:
        """A claim the analyst adds: the quote must stand in the article (exact or up to spacing/quote marks)."""
        quote, claimant = str(fields.get("quote") or "").strip(), str(fields.get("claimant") or "").strip()
        if not quote or not claimant:
            raise ValueError("an added claim needs a quote from the article and a claimant")
        if not article_text:
            raise ValueError("the article text is not at hand, so the quote cannot be located")
        grounding = align(quote, article_text)
        if grounding.status not in ("exact", "normalized"):
            raise ValueError(f"the quote is not in the article: {quote[:60]!r}")
        used = {c.id for c in output.claims}
        n = 1
        while f"r{n}" in used:
            n += 1
        claim = Claim(
            id=f"r{n}",
            text=str(fields.get("text") or "").strip() or grounding.quote,
            claimant=claimant,
            verb="",
            type=fields.get("type") or "fact",
            quote=grounding.quote,
            start=grounding.start,
            end=grounding.end,
            alignment=grounding.status,
            checks=["added_in_review"],
        )
        return claim.model_dump(mode="json")

    def with_added_items(self, output: ClaimList, items: list[dict[str, Any]]) -> ClaimList:  # type: ignore[override]
        claims = [*output.claims, *(Claim.model_validate(i) for i in items)]
        return output.model_copy(update={"claims": sorted(claims, key=lambda c: (c.start, c.end))})

    def html_view(  # type: ignore[override]
        self, output: ClaimList, deps: dict[str, BaseModel] | None = None, article_text: str = ""
    ) -> str:
        """The claims table, then the article with each evidence quote highlighted, a colour per claimant."""
        from toolkit import html

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


@hookimpl
def register_chains(register: Any) -> None:
    register(ClaimsChain())
