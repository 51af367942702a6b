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
from typing import Any, Literal

from pydantic import BaseModel, Field

from toolkit.chain import Chain, ChainContext, ChainInput, StructuredCall, Steps
from toolkit.grounding import AlignmentStatus, align
from toolkit.hookspecs import hookimpl
from toolkit.nlp import OUTLET, Analysis, Attribution, analyse
from toolkit.text import content_words, is_garbled, near_duplicate
from toolkit_prompts import ROOT as PROMPTS_ROOT

ClaimType = Literal["fact", "opinion", "prediction", "allegation"]
PROMPTS = PROMPTS_ROOT / "claims"

_PREDICTION = re.compile(r"\b(will|won't|shall|'ll|going to|expects?|expected to|plans? to|would soon|next (week|month|year))\b", re.I)
_ALLEGATION = re.compile(r"\b(accus\w*|alleg\w*|blam\w*|fraud\w*|rigg\w*|cover(ed)?[- ]up|lied|illegal\w*|war crimes?)\b", re.I)
_OPINION = re.compile(
    r"\b(very|too|should|must|disgrace\w*|terrible|difficult|good|bad|best|worst|wrong|right to|"
    r"believe\w*|think\w*|feel\w*|hope\w*|unacceptable|outrageous|important)\b",
    re.I,
)


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


def template_claim(att: Attribution) -> str:
    """A faithful restatement built from the parsed parts, used when the model's fails checks."""
    content = att.content.strip().strip('"“”').strip().rstrip(",")
    if att.claimant == OUTLET or not att.verb:
        text = content
    elif att.verb.lower().startswith(("according", "based on", "cited", "reported")):
        text = f"{content} (according to {att.claimant})"
    else:
        text = f"{att.claimant} {att.verb.lower()}: {content}"
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."


def accept_rewrite(rewrite: str, att: Attribution) -> bool:
    """The model's restatement may rephrase but not invent or drop the substance."""
    if is_garbled(rewrite):
        return False
    source = content_words(att.quote) | content_words(att.claimant)
    new = content_words(rewrite)
    if not new or len(new - source) > max(1, len(new) // 5):
        return False
    core = content_words(att.content)
    return bool(core) and len(core & new) >= 0.6 * len(core)


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
            calls.append(StructuredCall("type", type_prompt, {"statement": statement}, TypeAnswer, max_tokens=16, required=False))
            calls.append(
                StructuredCall(
                    "rewrite",
                    rewrite_prompt,
                    {"claimant": att.claimant if att.claimant != OUTLET else "The article", "statement": statement},
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
            if not text_out or not accept_rewrite(text_out, att):
                text_out = template_claim(att)
                checks.append("rewrite_rejected" if rewritten else "rewrite_invalid")
            rule = rule_type(att.content, att.verb)
            claim_type: ClaimType = typed.type if typed else (rule or "fact")
            if rule and typed and rule != typed.type:
                checks.append(f"type_{typed.type}_overridden")
                claim_type = rule
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
            lines.append(f"      quote @{c.start}-{c.end} ({c.alignment}): \"{c.quote[:160]}\"")
        return "\n".join(lines)


@hookimpl
def register_chains(register: Any) -> None:
    register(ClaimsChain())
