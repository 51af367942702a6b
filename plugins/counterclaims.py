"""Counter-claims chain: which claims in the article contest each other, and which stand alone.

It consumes the claims chain's output (no second extraction). Candidate pairs come from the
article's own structure: a contrast connective ("However", "But", "Despite") opening a claim by
a different claimant, or two claimants speaking about the same places and things. The model
labels each candidate's relation under an enum-constrained schema and writes a rationale;
checks after it keep cue-marked pairs the tiny model calls unrelated, drop weakly linked pairs
it cannot support, and replace a garbled rationale with one built from the claims.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from toolkit.chain import Chain, ChainContext, ChainInput, Steps, StructuredCall
from toolkit.hookspecs import hookimpl
from toolkit.nlp import OUTLET
from toolkit.text import content_words, is_garbled
from toolkit_plugins.claims import Claim, ClaimList
from toolkit_prompts import ROOT as PROMPTS_ROOT

Relation = Literal["contradicts", "contests", "qualifies"]
CONTRAST_CUES = ("however", "but", "yet", "nevertheless", "nonetheless", "in contrast", "despite", "still",
                 "contrary", "on the other hand", "instead", "although", "though", "while")
MAX_CANDIDATES = 12


class RelationAnswer(BaseModel):
    relation: Literal["contradicts", "contests", "qualifies", "unrelated"]


class RationaleAnswer(BaseModel):
    rationale: str = Field(min_length=10, max_length=240)


class ClaimPair(BaseModel):
    claim_a: str = Field(description="id of the earlier claim")
    claim_b: str = Field(description="id of the claim that contests it")
    relation: Relation
    rationale: str
    cue: str = ""
    decided_by: Literal["model", "cue"] = "model"
    checks: list[str] = Field(default_factory=list)


class CounterClaims(BaseModel):
    pairs: list[ClaimPair]
    uncontested: list[str] = Field(description="ids of claims no other claim in the article contests")


def contrast_cue(claim: Claim) -> str:
    cue = claim.cue.strip().lower()
    return claim.cue if any(cue == c or cue.startswith(c + " ") for c in CONTRAST_CUES) else ""


def _topic(claim: Claim) -> set[str]:
    return content_words(claim.quote) - content_words(claim.claimant)


def candidate_pairs(claims: list[Claim]) -> list[tuple[Claim, Claim, str, int]]:
    """(earlier, later, cue, shared-topic size), cue-marked pairs first, then by topic overlap."""
    found: dict[tuple[str, str], tuple[Claim, Claim, str, int]] = {}
    for j, b in enumerate(claims):
        cue = contrast_cue(b)
        if cue:
            earlier = [a for a in claims[:j] if a.claimant != b.claimant and b.start - a.end < 600]
            for a in earlier[-1:]:
                found[(a.id, b.id)] = (a, b, cue, len(_topic(a) & _topic(b)))
        for a in claims[:j]:
            if a.claimant == b.claimant or OUTLET in (a.claimant, b.claimant):
                continue
            shared = len(_topic(a) & _topic(b))
            if shared >= 3 and (a.id, b.id) not in found:
                found[(a.id, b.id)] = (a, b, "", shared)
    ranked = sorted(found.values(), key=lambda p: (not p[2], -p[3], p[1].start))
    return ranked[:MAX_CANDIDATES]


def template_rationale(a: Claim, b: Claim, relation: str, cue: str) -> str:
    verb = {"contradicts": "contradicts", "contests": "disputes", "qualifies": "qualifies"}[relation]
    lead = f"Introduced with '{cue}', " if cue else ""
    return f"{lead}{b.claimant}'s statement {verb} the account of {a.claimant}."


def accept_rationale(text: str, a: Claim, b: Claim) -> bool:
    if is_garbled(text):
        return False
    words = content_words(text)
    source = content_words(a.text + " " + b.text + " " + a.claimant + " " + b.claimant) | {
        "contest", "contradict", "qualif", "disput", "claim", "account", "statement", "because", "while",
    }
    return bool(words) and len(words - source) <= max(1, len(words) // 4)


class CounterClaimsChain(Chain):
    name = "counterclaims"
    version = "1.0.0"
    description = "Pairs of claims that contradict, contest or qualify each other, and the uncontested claims"
    output_schema = CounterClaims
    prompt_names = ("relate_claims", "explain_pair")
    depends_on = ("claims",)
    prompt_dir = PROMPTS_ROOT / "counterclaims"

    def steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        claims = inp.deps["claims"].claims  # type: ignore[attr-defined]
        candidates = candidate_pairs(claims)
        relate = self.prompt(ctx, "relate_claims")
        answers: list[Any] = yield [
            StructuredCall("relate", relate, {"claim_a": a.text, "claim_b": b.text}, RelationAnswer, max_tokens=16, required=False)
            for a, b, _, _ in candidates
        ]
        kept: list[tuple[Claim, Claim, str, str, list[str], str]] = []
        for (a, b, cue, shared), answer in zip(candidates, answers, strict=True):
            said = answer.relation if answer else "unrelated"
            checks: list[str] = []
            if said == "unrelated":
                if not cue:
                    continue
                relation, decided_by = "contests", "cue"
                checks.append("model_unrelated_overridden_by_cue")
            elif not cue and shared < 4:
                continue  # weak link and no textual signal: the tiny model's say-so is not enough
            else:
                relation, decided_by = said, "model"
            kept.append((a, b, relation, cue, checks, decided_by))
        explain = self.prompt(ctx, "explain_pair")
        rationales: list[Any] = yield [
            StructuredCall(
                "explain", explain, {"claim_a": a.text, "claim_b": b.text, "relation": relation}, RationaleAnswer,
                max_tokens=72, required=False,
            )
            for a, b, relation, *_ in kept
        ]
        pairs: list[ClaimPair] = []
        for (a, b, relation, cue, checks, decided_by), answer in zip(kept, rationales, strict=True):
            rationale = answer.rationale.strip() if answer else ""
            if not rationale or not accept_rationale(rationale, a, b):
                rationale = template_rationale(a, b, relation, cue)
                checks.append("rationale_from_template")
            pairs.append(ClaimPair(claim_a=a.id, claim_b=b.id, relation=relation, rationale=rationale, cue=cue,
                                   decided_by=decided_by, checks=checks))
        paired = {p.claim_a for p in pairs} | {p.claim_b for p in pairs}
        return CounterClaims(pairs=pairs, uncontested=[c.id for c in claims if c.id not in paired])

    def render_text(self, output: CounterClaims, deps: dict[str, BaseModel] | None = None) -> str:  # type: ignore[override]
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


@hookimpl
def register_chains(register: Any) -> None:
    register(CounterClaimsChain())
