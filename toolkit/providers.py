"""Built-in model providers, registered through the same hook a third-party provider uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from toolkit.hookspecs import hookimpl


def _local(name: str | None = None, **options: Any) -> Any:
    from toolkit.models.local import LocalModel

    return LocalModel(name, **options)


def _openai(name: str | None = None, **options: Any) -> Any:
    from toolkit.models.openai_compat import OpenAIModel

    return OpenAIModel(name, **options)


@hookimpl
def register_models(register: Callable[[str, Callable[..., Any]], None]) -> None:
    register("local", _local)
    register("openai", _openai)
