"""Model providers behind one small interface: a request with a JSON schema in, JSON text out.

Providers register through the `register_models` hook (the built-in ones too), so a third-party
package can add a backend exactly as `local` and `openai` do.
"""

from __future__ import annotations

import asyncio
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from toolkit.errors import ConfigError


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


ModelFactory = Callable[..., Model]

_SPEC = re.compile(r"^(?P<prefix>[a-z][a-z0-9_-]*)(?::(?P<name>.+))?$")


def available_providers() -> dict[str, ModelFactory]:
    from toolkit.plugins import get_plugin_manager

    providers: dict[str, ModelFactory] = {}

    def register(prefix: str, factory: ModelFactory) -> None:
        providers[prefix] = factory

    get_plugin_manager().hook.register_models(register=register)
    return providers


def get_model(spec: str | Model | None = None, **options: Any) -> Model:
    """Resolve 'local', 'local:qwen2.5-1.5b' or 'openai:gpt-4o-mini' to a provider instance."""
    if isinstance(spec, Model):
        return spec
    if spec is None:
        from toolkit.config import load_config

        spec = load_config().model
    match = _SPEC.match(spec.strip())
    if not match:
        raise ConfigError(f"model '{spec}' is not of the form PROVIDER[:NAME], e.g. local or openai:gpt-4o-mini")
    providers = available_providers()
    prefix = match["prefix"]
    if prefix not in providers:
        known = ", ".join(sorted(providers)) or "none"
        raise ConfigError(f"unknown model provider '{prefix}' (installed: {known})")
    return providers[prefix](match["name"], **options)
