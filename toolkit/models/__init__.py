"""The model interface every provider implements: a request with a JSON schema in, JSON text out.

Providers live in `toolkit.providers` (the built-in `local` and `openai` too) and register through
the `register_models` hook, so a third-party package adds a backend exactly as they do. This module
knows no provider and no plugin manager.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any

from pydantic import BaseModel, Field


class Usage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class ModelRequest(BaseModel):
    """The canonical request: everything that determines the answer, and nothing secret."""

    model: str
    messages: list[dict[str, str]]
    schema_name: str
    json_schema: dict[str, Any]
    params: dict[str, Any] = Field(default_factory=dict)


class ModelResponse(BaseModel):
    text: str
    model: str
    usage: Usage = Field(default_factory=Usage)
    finish_reason: str | None = None
    duration_s: float = 0.0
    #: "live", "replayed" or "cached": tells reports which calls cost nothing
    source: str = "live"
    cache_key: str | None = None


class Model(ABC):
    """A provider instance. Construction must be cheap: load weights or clients lazily."""

    model_id: str = "model"
    context_window: int = 8192
    #: what the provider declares about itself: "capable" models follow free-form extraction
    #: instructions (the direct strategy); "small" ones need the guided strategy's rules
    tier: str = "small"

    @abstractmethod
    def complete(self, request: ModelRequest) -> ModelResponse: ...

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        return await asyncio.to_thread(self.complete, request)

    def count_tokens(self, text: str) -> int:
        """Rough count (about 4 characters a token) used when the provider has no tokenizer."""
        return max(1, len(text) // 4)

    def default_params(self) -> dict[str, Any]:
        return {"temperature": 0.0}

    #: True when the provider bounds its own requests in flight (e.g. in its HTTP client), so a
    #: batch does not wrap it in a second concurrency limit
    limits_concurrency: bool = False

    async def aclose(self) -> None:
        """Release what the provider holds (HTTP connections); a batch calls it at the end."""
        return None

    def preflight(self) -> None:
        """Raise a ToolkitError (one line) if the model cannot be reached or loaded at all, so a
        batch stops before its first article instead of failing every one. Cheap: no model call."""
        return None

    def reject(self, request: ModelRequest, response: ModelResponse, reason: str) -> None:
        """The answer to `request` failed validation; a model that keeps answers (a response cache)
        keeps it for diagnosis but must not serve it again. Nothing to do for a plain provider."""
        return None


class ModelWrapper(Model):
    """A model around another that passes everything through: its identity (the same model id,
    so recorded responses still match), context window, tier, parameters, token counting and
    closing. Retry, recording, rate limiting, single-flight, batch deferral and progress observers
    subclass it and override only what they change."""

    def __init__(self, inner: Model) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.context_window = inner.context_window
        self.tier = inner.tier

    def complete(self, request: ModelRequest) -> ModelResponse:
        return self.inner.complete(request)

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        return await self.inner.acomplete(request)

    def default_params(self) -> dict[str, Any]:
        return self.inner.default_params()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def reject(self, request: ModelRequest, response: ModelResponse, reason: str) -> None:
        self.inner.reject(request, response, reason)

    def preflight(self) -> None:
        self.inner.preflight()
