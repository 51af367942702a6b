"""OpenAI and OpenAI-compatible servers (Ollama, vLLM, llama.cpp's server) through langchain-openai.

Structured output degrades gracefully: native `json_schema` where the server has it, else
function calling, else JSON mode with the schema in the prompt. The method that worked is
remembered per instance so a batch does not pay the failed attempts again.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from typing import Any

from toolkit.errors import ConfigError, ModelError
from toolkit.models import Model, ModelRequest, ModelResponse, Usage

METHODS = ("json_schema", "function_calling", "json_mode")
#: bound runnables kept per (method, schema, params): binding per call costs CPU in a batch
BOUND_CACHE_SIZE = 64


def _is_format_rejection(exc: Exception) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("response_format", "json_schema", "tool", "function"))


#: seconds a preflight waits for the server's TCP handshake
PREFLIGHT_TIMEOUT_S = 5.0


class OpenAIModel(Model):
    def __init__(
        self,
        name: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        max_retries: int = 2,
        timeout: float = 120.0,
        method: str | None = None,
        http_async_client: Any = None,
        concurrency: int | None = None,
    ) -> None:
        self.name = name or os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL")
        self._api_key = api_key or os.environ.get("OPENAI_API_KEY")
        self.model_id = f"openai:{self.name}"
        self.context_window = 128_000
        self.tier = "capable"
        self.max_retries = max_retries
        self.timeout = timeout
        if method and method not in METHODS:
            raise ConfigError(f"unknown structured-output method '{method}' (choose {', '.join(METHODS)})")
        self._methods = [method] if method else list(METHODS)
        self._client: Any = None
        self._bound_cache: dict[tuple[Any, ...], Any] = {}
        #: None: langchain-openai's shared client (bound to the first event loop that uses it)
        self._http_async_client = http_async_client
        self._owned_client: Any = None
        if concurrency is not None and http_async_client is None:
            # a batch: at most `concurrency` requests on the wire, a slot held only while one is out
            from toolkit.providers.openai.http import limited_http_client

            self._http_async_client = self._owned_client = limited_http_client(concurrency)
            self.limits_concurrency = True

    async def aclose(self) -> None:
        if self._owned_client is not None:
            await self._owned_client.aclose()

    def __repr__(self) -> str:  # never show the key
        return f"OpenAIModel(name={self.name!r}, base_url={self.base_url!r})"

    def _require_key(self) -> None:
        if not self._api_key:
            raise ConfigError("OPENAI_API_KEY is not set: export it, or use --model local for the embedded model")

    def _chat(self) -> Any:
        if self._client is None:
            self._require_key()
            from langchain_openai import ChatOpenAI

            extra = {"http_async_client": self._http_async_client} if self._http_async_client is not None else {}
            self._client = ChatOpenAI(
                model=self.name,
                api_key=self._api_key,
                base_url=self.base_url,
                max_retries=self.max_retries,
                timeout=self.timeout,
                temperature=0,
                **extra,
            )
        return self._client

    def _bound(self, method: str, request: ModelRequest) -> tuple[Any, list[dict[str, str]]]:
        params = {k: v for k, v in request.params.items() if k in ("temperature", "max_tokens", "seed", "top_p")}
        if method == "json_mode":
            return self._bind(method, request, params), self._json_mode_messages(request)
        key = (
            method,
            request.schema_name,
            json.dumps(request.json_schema, sort_keys=True),
            tuple(sorted(params.items())),
        )
        runnable = self._bound_cache.get(key)
        if runnable is None:
            runnable = self._bind(method, request, params)
            if len(self._bound_cache) >= BOUND_CACHE_SIZE:
                self._bound_cache.pop(next(iter(self._bound_cache)))
            self._bound_cache[key] = runnable
        return runnable, request.messages

    @staticmethod
    def _json_mode_messages(request: ModelRequest) -> list[dict[str, str]]:
        hint = "Answer with one JSON object only, valid against this JSON schema:\n" + json.dumps(request.json_schema)
        return [{"role": "system", "content": hint}, *request.messages]

    def _bind(self, method: str, request: ModelRequest, params: dict[str, Any]) -> Any:
        chat = self._chat()
        if method == "json_schema":
            fmt = {"type": "json_schema", "json_schema": {"name": request.schema_name, "schema": request.json_schema}}
            # sent as extra_body, not response_format: langchain-openai would route a response_format
            # through the openai client's beta `parse`, which walks the whole schema through its
            # TypedDict transform and builds a generic ParsedChatCompletion on every call (~3 ms of
            # CPU per call); the request on the wire is the same. _check_finish keeps parse's errors.
            return chat.bind(extra_body={"response_format": fmt}, **params)
        if method == "function_calling":
            tool = {
                "type": "function",
                "function": {"name": request.schema_name, "parameters": request.json_schema},
            }
            return chat.bind(
                tools=[tool], tool_choice={"type": "function", "function": {"name": request.schema_name}}, **params
            )
        return chat.bind(response_format={"type": "json_object"}, **params)

    def _check_finish(self, method: str, message: Any) -> None:
        """The errors the openai client's `parse` raised for a json_schema answer cut short."""
        if method != "json_schema":
            return
        meta = getattr(message, "response_metadata", {}) or {}
        reason = meta.get("finish_reason")
        if reason == "length":
            raise ModelError(
                f"{self.model_id}: LengthFinishReasonError: Could not parse response content as the length limit "
                "was reached",
                retryable=False,
            )
        if reason == "content_filter":
            raise ModelError(
                f"{self.model_id}: ContentFilterFinishReasonError: Could not parse response content as the request "
                "was rejected by the content filter",
                retryable=False,
            )

    @staticmethod
    def _text(message: Any) -> str:
        calls = getattr(message, "tool_calls", None) or []
        if calls:
            return json.dumps(calls[0].get("args", {}))
        content = message.content
        return content if isinstance(content, str) else json.dumps(content)

    def _response(self, message: Any, started: float) -> ModelResponse:
        usage = getattr(message, "usage_metadata", None) or {}
        meta = getattr(message, "response_metadata", {}) or {}
        return ModelResponse(
            text=self._text(message),
            model=self.model_id,
            usage=Usage(prompt_tokens=usage.get("input_tokens", 0), completion_tokens=usage.get("output_tokens", 0)),
            finish_reason=meta.get("finish_reason"),
            duration_s=time.perf_counter() - started,
        )

    def _translate(self, exc: Exception) -> Exception:
        import openai

        if isinstance(exc, openai.AuthenticationError):
            return ConfigError(f"{self.model_id}: the API key was rejected (401)")
        if isinstance(exc, openai.NotFoundError):
            return ConfigError(f"{self.model_id}: model or endpoint not found (404)")
        status = getattr(exc, "status_code", None)
        retry_after = None
        response = getattr(exc, "response", None)
        if response is not None:
            try:
                retry_after = float(response.headers.get("retry-after"))
            except (TypeError, ValueError):
                retry_after = None
        retryable = (
            isinstance(
                exc,
                (
                    openai.RateLimitError,
                    openai.APIConnectionError,
                    openai.APITimeoutError,
                    openai.InternalServerError,
                    ValueError,
                ),
            )
            or (status or 0) >= 500
        )
        text = str(exc).splitlines()[0][:200] if str(exc) else ""
        return ModelError(
            f"{self.model_id}: {type(exc).__name__}: {text}",
            retryable=retryable,
            retry_after=retry_after,
            status=status,
        )

    def preflight(self) -> None:
        """The server answers a TCP connection (no request, no cost): an unreachable server or a
        wrong --base-url stops a batch with one line before its first article."""
        import socket
        from urllib.parse import urlsplit

        self._require_key()
        url = self.base_url or "https://api.openai.com/v1"
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=PREFLIGHT_TIMEOUT_S):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ConfigError(
                f"cannot reach the model server {url}: {reason} (check --base-url and the network)"
            ) from None

    def _attempts(self, request: ModelRequest) -> Generator[tuple[Any, Any], Any, ModelResponse]:
        """One request over the structured-output methods the server still accepts: yields the
        bound runnable and messages, receives the answer (or the call's error, thrown in), and drops
        a method the server rejects as a format. Driven by complete() and acomplete() alike."""
        import openai

        started = time.perf_counter()
        for method in list(self._methods):
            runnable, messages = self._bound(method, request)
            try:
                message = yield runnable, messages
            except openai.BadRequestError as exc:
                if _is_format_rejection(exc) and len(self._methods) > 1:
                    if method in self._methods:
                        self._methods.remove(method)
                    continue
                raise self._translate(exc) from exc
            except (openai.OpenAIError, ValueError) as exc:
                raise self._translate(exc) from exc
            self._check_finish(method, message)
            return self._response(message, started)
        raise ModelError(f"{self.model_id}: the server accepted no structured-output method")

    def complete(self, request: ModelRequest) -> ModelResponse:
        attempts = self._attempts(request)
        runnable, messages = next(attempts)
        while True:
            try:
                answer, error = runnable.invoke(messages), None
            except Exception as exc:  # handed to _attempts, which translates or retries it
                answer, error = None, exc
            try:
                runnable, messages = attempts.throw(error) if error else attempts.send(answer)
            except StopIteration as stop:
                return stop.value

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        attempts = self._attempts(request)
        runnable, messages = next(attempts)
        while True:
            try:
                answer, error = await runnable.ainvoke(messages), None
            except Exception as exc:  # handed to _attempts, which translates or retries it
                answer, error = None, exc
            try:
                runnable, messages = attempts.throw(error) if error else attempts.send(answer)
            except StopIteration as stop:
                return stop.value
