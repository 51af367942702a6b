"""Summary chain: an analyst's brief with grounded key points, the 5 Ws, actors and framing.

Extractive by design for small models: the model picks the important sentences chunk by chunk
(numbers constrained to the chunk's range), the chain then balances the picks across the main
voices so both sides' statements appear, and each key point is a grounded article sentence.
Who/when/where, the actors and the framing note are computed from spaCy entities and the
claims chain's attributions, so they cannot be invented.

The direct strategy, for capable models, writes the brief in one call over the opening and the
numbered claims: every key point cites the claim ids it rests on, and a point whose cited claims
are not grounded in the article is dropped. The 5 Ws, actors and framing are computed as above.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from toolkit.chain import Chain, ChainContext, ChainInput, Steps, StructuredCall
from toolkit.grounding import align
from toolkit.text import content_words, is_garbled, near_duplicate
from toolkit_plugins.claims.schema import Claim
from toolkit_plugins.counterclaims.chain import claims_listing
from toolkit_plugins.counterclaims.schema import CounterClaims
from toolkit_plugins.news import NEWS, OUTLET
from toolkit_plugins.news.chunking import chunk_by_budget
from toolkit_plugins.news.claimants import is_short_form
from toolkit_plugins.summary.schema import Actor, KeyPoint, Summary
from toolkit_plugins.summary.view import SummaryView
from toolkit_prompts import ROOT as PROMPTS_ROOT

MAX_KEY_POINTS = 5
#: claims the direct brief chooses its key points from (contested ones first, then each main voice)
BRIEF_CLAIMS = 8
KEY_POINT_CHARS = 240
RELATION_WEIGHT = {"contradicts": 0, "contests": 1, "qualifies": 2}
_WHEN = re.compile(
    r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|today|yesterday|tomorrow|tonight|week|month|year|spring|summer|autumn|"
    r"fall|winter|\d{4})\b|(?<!-)\b(hours?|days?)\b",
    re.I,
)
ANONYMOUS = ("unidentified", "anonymous", "sources", "official", "officials", "source")


class HeadlineAnswer(BaseModel):
    headline: str = Field(min_length=8, max_length=120)


def _selection_schema(numbers: list[int]) -> type[BaseModel]:
    item = Literal[tuple(numbers)]  # type: ignore[valid-type]
    return create_model(
        "SentencePicks",
        sentences=(list[item], Field(min_length=1, max_length=min(3, len(numbers)))),  # type: ignore[valid-type]
    )


def brief_schema(ids: list[str]) -> type[BaseModel]:
    """The direct brief's answer, its claim ids constrained to the article's claims."""
    cid = Literal[tuple(ids)]  # type: ignore[valid-type]
    point = create_model(
        "BriefPoint",
        text=(str, Field(max_length=KEY_POINT_CHARS * 2)),
        claims=(list[cid], Field(min_length=1)),  # type: ignore[valid-type]
    )
    return create_model(
        "Brief",
        headline=(str, Field(max_length=160)),
        key_points=(list[point], Field(max_length=MAX_KEY_POINTS + 3)),  # type: ignore[valid-type]
    )


def brief_candidates(claims: list[Claim], contested: BaseModel | None, limit: int = BRIEF_CLAIMS) -> list[Claim]:
    """The claims a brief rests on: both sides of each dispute first, then the voices with most
    claims in turn, in text order; listed by id. Bounds the brief call's prompt on long articles."""
    if len(claims) <= limit:
        return claims
    by_id = {c.id: c for c in claims}
    chosen: dict[str, Claim] = {}
    if isinstance(contested, CounterClaims):
        for pair in sorted(contested.pairs, key=lambda p: RELATION_WEIGHT[p.relation]):
            for cid in (pair.claim_a, pair.claim_b):
                if cid in by_id and len(chosen) < limit // 2:
                    chosen.setdefault(cid, by_id[cid])
    voices: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.id not in chosen:
            voices.setdefault(claim.claimant, []).append(claim)
    order = sorted(voices, key=lambda v: (-len(voices[v]), voices[v][0].start))
    while len(chosen) < limit and any(voices.values()):
        for voice in order:
            if voices[voice] and len(chosen) < limit:
                claim = voices[voice].pop(0)
                chosen[claim.id] = claim
    return sorted(chosen.values(), key=lambda c: (c.start, c.id))


def _ranked(values: list[str], limit: int) -> list[str]:
    counts = Counter(values)
    first = {v: i for i, v in reversed(list(enumerate(values)))}
    return sorted(counts, key=lambda v: (-counts[v], first[v]))[:limit]


def framing_note(claims: list[Claim]) -> str:
    """Whose statements dominate, how much is attributed, how much rests on unnamed sources."""
    if not claims:
        return "The article makes no attributed claims."
    voices = Counter(c.claimant for c in claims if c.claimant != OUTLET)
    attributed = sum(voices.values())
    anonymous = sum(n for name, n in voices.items() if any(w in name.lower().split() for w in ANONYMOUS))
    parts = [f"{attributed} of {len(claims)} claims are attributed to named or described sources"]
    if voices:
        top = ", ".join(f"{name} ({n})" for name, n in voices.most_common(4))
        parts.append(f"the most-quoted voices are {top}")
    if anonymous:
        parts.append(f"{anonymous} rest on unnamed officials or sources")
    first = next((c for c in claims if c.claimant != OUTLET), None)
    if first is not None:
        parts.append(f"the article opens with the account of {first.claimant}")
    return "; ".join(parts) + "."


def shorten(text: str, limit: int = KEY_POINT_CHARS) -> str:
    """Trim at a word boundary; the full statement stays in the grounded quote."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def is_alias(name: str, full_names: list[str]) -> bool:
    """'NYT' for 'The New York Times', 'Pushilin' for 'Denis Pushilin': the same actor."""
    for full in full_names:
        if name == full:
            return False
        if is_short_form(name, full, loose=True):
            return True
    return False


def accept_headline(headline: str, source: str) -> bool:
    words = content_words(headline)
    return not is_garbled(headline) and bool(words) and len(words - content_words(source)) <= 1


class SummaryChain(Chain[Summary]):
    name = "summary"
    version = "1.0.0"
    description = "Headline, 3-5 grounded key points, who/what/when/where, main actors and a framing note"
    output_schema = Summary
    view_class = SummaryView
    prompt_names = ("select_sentences", "headline")
    direct_prompt_names = ("brief",)
    strategies = ("guided", "direct")
    depends_on = ("claims", "counterclaims")
    prompt_dir = PROMPTS_ROOT / "summary"
    title = "Summary"
    position = 10
    default = True
    analyzers = (NEWS,)

    def direct_steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        """One call for headline and key points over the opening and the numbered claims."""
        text = inp.article.text
        analysis = inp.analysis(NEWS)
        claims: list[Claim] = inp.deps["claims"].claims  # type: ignore[attr-defined]
        body = [s for s in analysis.sentences if not s.is_heading]
        lede = body[0].text if body else text.strip()[:300]
        candidates = brief_candidates(claims, inp.deps.get("counterclaims"))
        calls = []
        if claims:
            calls.append(
                StructuredCall(
                    "brief",
                    self.prompt(ctx, "brief"),
                    {"lede": lede[:400], "claims": claims_listing(candidates)},
                    brief_schema([c.id for c in candidates]),
                    max_tokens=512,
                    required=False,
                )
            )
        answers: list[Any] = yield calls
        brief = answers[0] if answers else None
        by_id = {c.id: c for c in claims}
        key_points: list[KeyPoint] = []
        for point in brief.key_points if brief is not None else []:
            cited = [by_id[i] for i in dict.fromkeys(point.claims) if i in by_id]
            support = [c for c in cited if c.alignment != "ungrounded"]
            if not support or not point.text.strip() or len(key_points) >= MAX_KEY_POINTS:
                continue  # a point without grounded support is dropped
            first = support[0]
            key_points.append(
                KeyPoint(
                    text=shorten(point.text.strip()),
                    claimant=None if first.claimant == OUTLET else first.claimant,
                    quote=first.quote,
                    start=first.start,
                    end=first.end,
                    alignment=first.alignment,
                    claims=[c.id for c in support],
                )
            )
        if not key_points:  # no usable brief: the guided selection from the claims, without a call
            key_points = self.key_points(text, analysis, claims, set(), inp.deps.get("counterclaims"))
        if inp.article.title:
            headline, source = inp.article.title, "article"
        elif brief is not None and brief.headline.strip() and not is_garbled(brief.headline):
            headline, source = brief.headline.strip(), "model"
        else:
            headline, source = (lede if len(lede) <= 140 else lede[:137].rsplit(" ", 1)[0] + "..."), "lede"
        return self._brief(headline, source, key_points, lede, analysis, claims)

    def steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        text = inp.article.text
        analysis = inp.analysis(NEWS)
        claims: list[Claim] = inp.deps["claims"].claims  # type: ignore[attr-defined]
        body = [s for s in analysis.sentences if not s.is_heading]
        budget = max(256, ctx.model.context_window // 2)
        chunks = chunk_by_budget([s.text for s in body], budget, ctx.model.count_tokens)
        select = self.prompt(ctx, "select_sentences")
        calls = []
        for chunk in chunks:
            numbers = [i + 1 for i in range(len(chunk))]
            listing = "\n".join(f"{n}. {body[i].text[:400]}" for n, i in zip(numbers, chunk, strict=True))
            calls.append(
                StructuredCall(
                    "select", select, {"sentences": listing}, _selection_schema(numbers), max_tokens=32, required=False
                )
            )
        lede = body[0].text if body else text.strip()[:300]
        if not inp.article.title:
            calls.append(
                StructuredCall(
                    "headline",
                    self.prompt(ctx, "headline"),
                    {"lede": lede[:600]},
                    HeadlineAnswer,
                    max_tokens=40,
                    required=False,
                )
            )
        answers: list[Any] = yield calls
        picked: set[int] = set()
        for chunk, answer in zip(chunks, answers, strict=False):
            if answer is not None:
                picked |= {body[chunk[n - 1]].index for n in answer.sentences}
        if inp.article.title:
            headline, source = inp.article.title, "article"
        elif answers[-1] is not None and accept_headline(answers[-1].headline, text):
            headline, source = answers[-1].headline.strip(), "model"
        else:
            headline, source = (lede if len(lede) <= 140 else lede[:137].rsplit(" ", 1)[0] + "..."), "lede"
        key_points = self.key_points(text, analysis, claims, picked, inp.deps.get("counterclaims"))
        return self._brief(headline, source, key_points, lede, analysis, claims)

    @staticmethod
    def _brief(
        headline: str, source: str, key_points: list[KeyPoint], lede: str, analysis: Any, claims: list[Claim]
    ) -> Summary:
        """The Summary around the headline and key points: who/when/where, actors and framing
        come from spaCy entities and the claims, under either strategy, so they cannot be invented."""
        entities = analysis.entities
        claimants = [c.claimant for c in claims if c.claimant != OUTLET]
        people = [e[0] for e in entities if e[1] in ("PERSON", "ORG")]
        known = list(dict.fromkeys(claimants + [p for p in people if len(p.split()) > 1]))
        people = [p for p in people if p.count('"') % 2 == 0 and not is_alias(p, known)]
        mentions = Counter(people)
        actors = [
            Actor(name=name, claims=claimants.count(name), mentions=mentions.get(name, 0))
            for name in _ranked(claimants + people, 6)
        ]
        return Summary(
            headline=headline,
            headline_source=source,
            key_points=key_points,
            who=_ranked(claimants + people, 5),
            what=lede,
            when=_ranked([e[0] for e in entities if e[1] in ("DATE", "TIME") and _WHEN.search(e[0])], 4),
            where=_ranked([e[0] for e in entities if e[1] in ("GPE", "LOC", "FAC")], 5),
            main_actors=actors,
            framing=framing_note(claims),
        )

    def key_points(
        self, text: str, analysis: Any, claims: list[Claim], picked: set[int], contested: BaseModel | None
    ) -> list[KeyPoint]:
        """Both sides of the article's main disputes first, then the other main voices in turn.

        The strongest contested pairs (contradicts, then contests, then qualifies) put both
        statements in the brief; the remaining places go round-robin to the voices with most
        claims, preferring the sentences the model picked.
        """
        by_id = {c.id: c for c in claims}
        chosen: list[Claim] = []

        def add(claim: Claim) -> None:
            if len(chosen) < MAX_KEY_POINTS and all(
                claim.id != c.id and not near_duplicate(c.quote, claim.quote) for c in chosen
            ):
                chosen.append(claim)

        if isinstance(contested, CounterClaims):
            pairs = sorted(contested.pairs, key=lambda p: (RELATION_WEIGHT[p.relation], p.cue.startswith("continues")))
            voices: set[str] = set()
            for pair in pairs:  # two disputes between different voices: the article's main fronts
                a, b = by_id[pair.claim_a], by_id[pair.claim_b]
                if len(chosen) >= 4 or {a.claimant, b.claimant} & voices:
                    continue
                voices |= {a.claimant, b.claimant}
                add(a)
                add(b)

        def sentence_index(claim: Claim) -> int:
            return next((s.index for s in analysis.sentences if s.start <= claim.start < s.end), -1)

        by_voice: dict[str, list[Claim]] = {}
        for claim in claims:
            by_voice.setdefault(claim.claimant, []).append(claim)
        for voice in by_voice:
            by_voice[voice].sort(key=lambda c: (sentence_index(c) not in picked, c.start))
        covered = {c.claimant for c in chosen}
        order = sorted(by_voice, key=lambda v: (v in covered, v == OUTLET, -len(by_voice[v]), by_voice[v][0].start))
        while len(chosen) < MAX_KEY_POINTS and any(by_voice.values()):
            for voice in order:
                if by_voice[voice]:
                    add(by_voice[voice].pop(0))
        if len(chosen) < 3:  # few attributed claims: the model's picks, then the article's order
            sentence_of = {s.index: s for s in analysis.sentences}
            extra = [sentence_of[i] for i in sorted(picked)] + [s for s in analysis.sentences if not s.is_heading]
            for sentence in extra:
                if len(chosen) >= 3:
                    break
                if all(not (c.start <= sentence.start < c.end) for c in chosen):
                    g = align(sentence.text, text, hint=sentence.start)
                    chosen.append(
                        Claim(
                            id=f"s{sentence.index}",
                            text=sentence.text,
                            claimant=OUTLET,
                            verb="",
                            type="fact",
                            quote=g.quote,
                            start=g.start,
                            end=g.end,
                            alignment=g.status,
                        )
                    )
        chosen.sort(key=lambda c: c.start)
        return [
            KeyPoint(
                text=shorten(c.text),
                claimant=None if c.claimant == OUTLET else c.claimant,
                quote=c.quote,
                start=c.start,
                end=c.end,
                alignment=c.alignment,
            )
            for c in chosen
        ]

    def review_items(self, output: Summary) -> list[dict[str, Any]]:
        """Each key point; the analyst may reword or drop it."""
        return [
            {
                "id": f"k{n}",
                "label": f"key point {n}: {k.text}",
                "detail": k.quote,
                "fields": {"text": k.text},
                "path": ["key_points", n - 1],
            }
            for n, k in enumerate(output.key_points, 1)
        ]
