"""Who contests whom across a story: candidate pairs by content and stance, then checks.

Candidates come three ways, as within an article: a pair one article already set side by side
(its counter-claims chain), mapped onto the aligned claims; a challenge (denial, doubt, 'hoax',
'no evidence') by one party set against the most similar assertions by others; and different
figures for what reads as the same quantity. The model labels each candidate (contradicts,
contests, qualifies, unrelated); the checks after it keep what a signal in the text supports:
an article's own pairing, or a close challenge, stands even when the model calls it unrelated;
'qualifies' without an article's pairing is dropped. Without a model (`label=False`) the signal
decides: a challenge contests, different figures contradict. A pair whose two sides only one
article carries is left to that article's own counter-claims: the story keeps cross-outlet pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from toolkit_plugins.counterclaims.challenge import CHALLENGE
from toolkit_plugins.news import OUTLET
from toolkit_plugins.stories.align import claimant_key, figures_in, is_generic
from toolkit_plugins.stories.schema import Occurrence, StoryClaim, StoryPair
from toolkit_plugins.stories.similarity import Thresholds

#: how many of the most similar assertions by others each challenge is set against
CHALLENGE_TARGETS = 2
#: candidates per story sent to the model, strongest first
MAX_CANDIDATES = 30


@dataclass
class Candidate:
    a: StoryClaim
    b: StoryClaim
    signal: str
    similarity: float
    #: the relation an article's own pairing gave ("" for the other signals)
    relation: str = ""


def _voices_differ(a: StoryClaim, b: StoryClaim) -> bool:
    """Different claimants, or one voice (the outlets', a generic one) in different articles."""
    if claimant_key(a.claimant) != claimant_key(b.claimant):
        return True
    return (a.claimant == OUTLET or is_generic(a.claimant)) and not set(a.articles) & set(b.articles)


def _figures(claim: StoryClaim) -> set[str]:
    return set().union(*(figures_in(o.quote) for o in claim.occurrences))


def _is_challenge(claim: StoryClaim) -> bool:
    return any(CHALLENGE.search(o.quote) for o in claim.occurrences)


def candidates(
    claims: list[StoryClaim], sims: Any, in_article: dict[tuple[str, str], str], limits: Thresholds
) -> list[Candidate]:
    """Candidate pairs over a story's aligned claims; `sims` is their cosine-similarity matrix and
    `in_article` maps (claim id, claim id) to the relation an article's own pairing gave."""
    found: dict[tuple[str, str], Candidate] = {}
    index = {c.id: i for i, c in enumerate(claims)}

    def add(a: StoryClaim, b: StoryClaim, signal: str, relation: str = "") -> None:
        key = (a.id, b.id) if index[a.id] < index[b.id] else (b.id, a.id)
        if key not in found and evidence(a, b)[2]:  # within one article only: its own pairing shows it
            first, second = (a, b) if key[0] == a.id else (b, a)
            found[key] = Candidate(first, second, signal, float(sims[index[a.id], index[b.id]]), relation)

    by_id = {c.id: c for c in claims}
    for (x, y), relation in in_article.items():
        if x != y and x in by_id and y in by_id:
            add(by_id[x], by_id[y], "in-article", relation)
    challenges = [c for c in claims if _is_challenge(c)]
    assertions = [c for c in claims if not _is_challenge(c)]
    for b in challenges:
        others = sorted(
            (a for a in assertions if _voices_differ(a, b)), key=lambda a: -float(sims[index[a.id], index[b.id]])
        )
        for a in others[:CHALLENGE_TARGETS]:
            if float(sims[index[a.id], index[b.id]]) >= limits.challenge:
                add(a, b, "challenge")
    with_figures = [(c, _figures(c)) for c in claims]
    for i, (a, fa) in enumerate(with_figures):
        for b, fb in with_figures[i + 1 :]:
            if fa and fb and not fa & fb and _voices_differ(a, b):
                if float(sims[index[a.id], index[b.id]]) >= limits.figures:
                    add(a, b, "figures")
    order = {"in-article": 0, "figures": 1, "challenge": 2}
    ranked = sorted(found.values(), key=lambda c: (order[c.signal], -c.similarity))
    return ranked[:MAX_CANDIDATES]


def evidence(a: StoryClaim, b: StoryClaim) -> tuple[Occurrence, Occurrence, bool]:
    """One wording of each side, from two different articles when the story has them."""
    for oa in a.occurrences:
        for ob in b.occurrences:
            if oa.article != ob.article:
                return oa, ob, True
    return a.occurrences[0], b.occurrences[0], False


def _gist(quote: str, words: int = 14) -> str:
    cut = quote.strip(' "“”.').split()
    return " ".join(cut[:words]) + ("…" if len(cut) > words else "")


def rationale(a: StoryClaim, b: StoryClaim, relation: str, signal: str, ev_a: Occurrence, ev_b: Occurrence) -> str:
    """Built from the evidence shown: who says what, in which article, and how many carry it."""
    verb = {"contradicts": "contradicts", "contests": "disputes", "qualifies": "qualifies"}[relation]
    lead = {"figures": "Different figures: ", "in-article": "", "challenge": ""}[signal]
    where_a, where_b = len(a.articles), len(b.articles)
    return (
        f"{lead}{b.claimant} in {ev_b.article} (“{_gist(ev_b.quote)}”; {where_b} article{'s' * (where_b > 1)}) "
        f"{verb} {a.claimant} in {ev_a.article} (“{_gist(ev_a.quote)}”; {where_a} article{'s' * (where_a > 1)})."
    )


def decide(candidate: Candidate, said: str | None, limits: Thresholds) -> StoryPair | None:
    """The checks after the model (said=None: no model asked)."""
    checks: list[str] = []
    signal = candidate.signal
    if said is None:
        relation = candidate.relation or ("contradicts" if signal == "figures" else "contests")
        decided_by = "rules"
    elif said == "unrelated":
        if signal == "in-article":
            relation, decided_by = candidate.relation, "rules"
        elif signal == "challenge" and candidate.similarity >= limits.sure_challenge:
            relation, decided_by = "contests", "rules"
        else:
            return None
        checks.append("model_unrelated_overridden_by_signal")
    elif said == "qualifies" and signal != "in-article":
        return None
    else:
        relation, decided_by = said, "model"
    if relation not in ("contradicts", "contests", "qualifies"):
        relation = "contests"
    ev_a, ev_b, cross = evidence(candidate.a, candidate.b)
    if not cross:  # both sides in one article only: that article's own counter-claims show it
        return None
    why = rationale(candidate.a, candidate.b, relation, signal, ev_a, ev_b)
    return StoryPair(
        a=candidate.a.id,
        b=candidate.b.id,
        relation=relation,  # type: ignore[arg-type]
        rationale=why,
        signal=signal,  # type: ignore[arg-type]
        decided_by=decided_by,  # type: ignore[arg-type]
        checks=checks,
        evidence_a=ev_a,
        evidence_b=ev_b,
        cross_outlet=cross,
    )
