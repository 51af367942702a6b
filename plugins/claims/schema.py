"""The claims chain's output: what other chains, the front-ends and the evaluation read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from toolkit.grounding import AlignmentStatus

ClaimType = Literal["fact", "opinion", "prediction", "allegation"]


class Claim(BaseModel):
    id: str
    text: str = Field(description="the claim as one self-contained sentence")
    claimant: str = Field(description="who asserts it; 'the outlet' for the article's own voice")
    claimant_mention: str = ""
    verb: str = Field(description="attribution verb as written, e.g. said, told reporters, according to")
    type: ClaimType
    quote: str = Field(description="verbatim evidence: the minimal span of the article that states the claim")
    start: int
    end: int
    alignment: AlignmentStatus
    context: str = Field(default="", description="the whole sentence the evidence stands in")
    cue: str = Field(default="", description="discourse connective opening the sentence, e.g. However")
    checks: list[str] = Field(default_factory=list, description="which post-model checks changed this item")


class ClaimList(BaseModel):
    claims: list[Claim]
    dropped_ungrounded: int = 0
    merged_duplicates: int = 0
