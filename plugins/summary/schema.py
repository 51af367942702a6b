"""The summary chain's output: what other chains, the front-ends and the evaluation read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from toolkit.grounding import AlignmentStatus


class KeyPoint(BaseModel):
    text: str
    claimant: str | None = None
    quote: str
    start: int
    end: int
    alignment: AlignmentStatus
    #: ids of the claims the point rests on (direct strategy; the quote is the first one's)
    claims: list[str] = Field(default_factory=list)


class Actor(BaseModel):
    name: str
    claims: int = Field(description="claims attributed to this actor in the article")
    mentions: int


class Summary(BaseModel):
    headline: str
    headline_source: Literal["article", "model", "lede"]
    key_points: list[KeyPoint]
    who: list[str]
    what: str
    when: list[str]
    where: list[str]
    main_actors: list[Actor]
    framing: str
