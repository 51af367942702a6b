"""A scripted model for tests of edge cases (malformed JSON, schema violations).

Responses from it are hand-written fixtures, not recordings of a real model: tests that use
it say so. Like LangChain's fake chat models, it answers from a list, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from toolkit.models import Model, ModelRequest, ModelResponse, Usage


class ScriptedModel(Model):
    def __init__(
        self,
        answers: Iterable[str] | Callable[[ModelRequest], str],
        model_id: str = "fake:scripted",
        tier: str = "small",
    ) -> None:
        self._answers = answers if callable(answers) else iter(list(answers))
        self.model_id = model_id
        self.tier = tier
        self.requests: list[ModelRequest] = []

    def complete(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        if callable(self._answers):
            text = self._answers(request)
        else:
            text = next(self._answers, None)
            if text is None:
                raise AssertionError("ScriptedModel ran out of answers")
        words = sum(len(m["content"].split()) for m in request.messages)
        return ModelResponse(
            text=text, model=self.model_id, usage=Usage(prompt_tokens=words, completion_tokens=len(text.split()))
        )
