"""The versioned JSON output of a run: what was produced, from what, by what, at what cost.

Schema version 1: `outputs` maps a chain name to that chain's own schema (see `toolkit
plugins`); `chains` holds each chain's provenance (version, prompt versions and hashes, calls,
tokens); `article` carries the hash every offset refers to.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, SerializeAsAny

from toolkit.chain import CallRecord
from toolkit.models import Usage

SCHEMA_VERSION = "1"


class ArticleInfo(BaseModel):
    id: str | None = None
    source: str | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    date: str | None = None
    sha256: str
    chars: int


class ChainRun(BaseModel):
    chain: str
    version: str
    status: Literal["ok", "failed"]
    #: "guided" or "direct": which of the chain's strategies ran
    strategy: str = "guided"
    error: str | None = None
    error_cause: str | None = None
    #: the model's raw answer when the chain failed on invalid output (OutputValidationError)
    raw: str | None = None
    prompts: list[dict[str, str]] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    calls: int = 0
    duration_s: float = 0.0


class RunResult(BaseModel):
    schema_version: str = SCHEMA_VERSION
    toolkit_version: str
    created_at: str
    model: str
    #: the strategy the run asked for once "auto" was resolved (each chain's own is in `chains`)
    strategy: str = "guided"
    article: ArticleInfo
    #: chain name -> that chain's pydantic output; after loading JSON, plain dicts (see `output()`)
    outputs: dict[str, SerializeAsAny[Any]] = Field(default_factory=dict)
    chains: dict[str, ChainRun] = Field(default_factory=dict)
    calls: list[CallRecord] = Field(default_factory=list)

    @property
    def usage(self) -> Usage:
        total = Usage()
        for run in self.chains.values():
            total = total + run.usage
        return total

    @property
    def ok(self) -> bool:
        return all(run.status == "ok" for run in self.chains.values())

    def output(self, chain: str) -> Any:
        """A chain's output as its pydantic object (also after loading from JSON)."""
        value = self.outputs[chain]
        if isinstance(value, BaseModel):
            return value
        from toolkit.plugins import get_chain

        return get_chain(chain).output_schema.model_validate(value)

    def to_json(self, **kwargs: Any) -> str:
        return self.model_dump_json(indent=2, **kwargs)
