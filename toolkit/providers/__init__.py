"""Model providers: the registry, and the built-in `local` and `openai` providers as plugins.

Each provider is a package that registers itself through hooks, exactly as a third-party one
would: `register_models` (its `--model PREFIX:NAME` factory), and where it needs them
`register_commands` (CLI commands, e.g. `toolkit models install-qwen`) and `register_batch_runners`
(other ways to run a batch, e.g. `--via openai-batch`). The core imports no provider's SDK.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

from toolkit.errors import ConfigError
from toolkit.models import Model

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
    factory = providers[prefix]
    return factory(match["name"], **_accepted(factory, options))


def _accepted(factory: ModelFactory, options: dict[str, Any]) -> dict[str, Any]:
    """The options this provider's factory takes (a local model has no base_url, no timeout)."""
    given = {k: v for k, v in options.items() if v is not None}
    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return given
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params):
        return given
    names = {p.name for p in params}
    return {k: v for k, v in given.items() if k in names}


def available_batch_runners() -> dict[str, Callable[..., Any]]:
    """Ways to run a batch besides calling the model directly (`toolkit batch --via NAME`)."""
    from toolkit.plugins import get_plugin_manager

    runners: dict[str, Callable[..., Any]] = {}

    def register(name: str, runner: Callable[..., Any]) -> None:
        runners[name] = runner

    get_plugin_manager().hook.register_batch_runners(register=register)
    return runners
