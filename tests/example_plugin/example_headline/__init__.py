"""Example third-party chain: one model call that writes a headline. Registered by entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from toolkit import hookimpl
from toolkit.chain import Chain, ChainContext, ChainInput, Steps, StructuredCall


class Headline(BaseModel):
    headline: str = Field(min_length=3, max_length=120)


class HeadlineChain(Chain):
    name = "headline"
    version = "0.1.0"
    description = "A one-line headline (example plugin)"
    output_schema = Headline
    prompt_names = ("headline",)
    prompt_dir = Path(__file__).parent / "prompts"

    def steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        call = StructuredCall("headline", self.prompt(ctx, "headline"), {"text": inp.article.text[:2000]}, Headline)
        (answer,) = yield [call]
        return answer


@hookimpl
def register_chains(register: Any) -> None:
    register(HeadlineChain())
