"""The stories analysis' output: stories of articles, claims aligned across them, and who contests whom."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Stance = Literal["asserts", "contests", "silent"]


class StoryArticle(BaseModel):
    key: str = Field(description="the article's id in the input (its sha256 prefix when it has none)")
    title: str = ""
    outlet: str = ""
    sha256: str


class Occurrence(BaseModel):
    """One article's wording of an aligned claim, grounded as its chain grounded it."""

    article: str
    claim: str = Field(description="the claim's id in that article's result")
    quote: str
    start: int
    end: int
    alignment: str
    context: str = ""


class StoryClaim(BaseModel):
    id: str
    claimant: str
    text: str
    type: str
    occurrences: list[Occurrence]

    @property
    def articles(self) -> list[str]:
        return list(dict.fromkeys(o.article for o in self.occurrences))


class StoryPair(BaseModel):
    a: str
    b: str
    relation: Literal["contradicts", "contests", "qualifies"]
    rationale: str
    #: what made it a candidate: a denial or doubt, different figures, or a pair inside one article
    signal: Literal["challenge", "figures", "in-article"]
    decided_by: Literal["model", "rules"]
    checks: list[str] = Field(default_factory=list)
    #: one wording of each side, from different articles where the story allows
    evidence_a: Occurrence
    evidence_b: Occurrence
    cross_outlet: bool


class Story(BaseModel):
    id: str = Field(description="stable: derived from the story's articles, not from input order")
    title: str
    entities: list[str]
    articles: list[StoryArticle]
    claims: list[StoryClaim]
    pairs: list[StoryPair]
    uncontested: list[str]

    def stances(self) -> dict[str, dict[str, Stance]]:
        """claim id -> article key -> asserts / contests / silent: the claim-by-outlet matrix."""
        by_id = {c.id: c for c in self.claims}
        matrix: dict[str, dict[str, Stance]] = {}
        for claim in self.claims:
            row: dict[str, Stance] = dict.fromkeys((a.key for a in self.articles), "silent")
            for art in claim.articles:
                row[art] = "asserts"
            for pair in self.pairs:
                if pair.relation == "qualifies" or claim.id not in (pair.a, pair.b):
                    continue
                other = by_id[pair.b if pair.a == claim.id else pair.a]
                for art in other.articles:
                    if row.get(art) == "silent":
                        row[art] = "contests"
            matrix[claim.id] = row
        return matrix


class Stories(BaseModel):
    stories: list[Story]
    #: articles no other article shares a story with (not listed one by one)
    single_articles: int = 0
    #: how texts were compared: "embeddings" (MiniLM) or "words" (TF-IDF), for articles and for claims
    similarity: dict[str, str] = Field(default_factory=dict)
    summary: dict[str, int] = Field(default_factory=dict)
