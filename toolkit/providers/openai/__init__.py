"""The `openai` provider: OpenAI and OpenAI-compatible servers through langchain-openai, and the
OpenAI Batch API as a way to run a batch (`toolkit batch --via openai-batch`)."""

from __future__ import annotations

from typing import Any

from toolkit.hookspecs import hookimpl


def openai_model(name: str | None = None, **options: Any) -> Any:
    from toolkit.providers.openai.chat import OpenAIModel

    return OpenAIModel(name, **options)


def openai_batch(input: Any, out: Any, **options: Any) -> Any:  # noqa: A002 - the batch's own name
    from toolkit.providers.openai.batch_api import run_openai_batch

    return run_openai_batch(input, out, **options)


@hookimpl
def register_models(register: Any) -> None:
    register("openai", openai_model)


@hookimpl
def register_batch_runners(register: Any) -> None:
    register("openai-batch", openai_batch)
