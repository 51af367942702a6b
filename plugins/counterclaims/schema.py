"""The counterclaims chain's output: what other chains, the front-ends and the evaluation read."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Relation = Literal["contradicts", "contests", "qualifies"]


class ClaimPair(BaseModel):
    claim_a: str = Field(description="id of the earlier claim")
    claim_b: str = Field(description="id of the claim that contests it")
    relation: Relation
    rationale: str
    cue: str = ""
    decided_by: Literal["model", "cue", "rules", "reviewer"] = "model"
    checks: list[str] = Field(default_factory=list)


class CounterClaims(BaseModel):
    pairs: list[ClaimPair]
    uncontested: list[str] = Field(description="ids of claims no other claim in the article contests")
