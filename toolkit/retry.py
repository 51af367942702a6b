"""Retries and concurrency limits as Model wrappers, so every provider gets the same policy.

A batch wraps its provider as ``RecordingModel(RetryingModel(provider))``: a cache hit never
reaches the retry layer (nor the network), and a call is stored the moment it completes. The
provider's own retries are switched off (OpenAIModel(max_retries=0)) so there is one policy:

- ModelError(retryable=True) -- 429, 5xx, timeouts, dropped connections, truncated bodies --
  is retried up to ``max_retries`` times; anything else is raised at once;
- exponential backoff with full jitter, ``uniform(0, min(cap, base * 2**attempt))`` (AWS's
  "full jitter" scheme); a Retry-After the server sent is a floor (plus a little jitter so
  waiting callers do not come back in one burst);
- a backoff sleep never holds a concurrency slot: the limit sits below this layer.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from toolkit.errors import ModelError
from toolkit.models import Model, ModelRequest, ModelResponse, ModelWrapper


@dataclass(frozen=True)
class RetryEvent:
    """One failed attempt that will be retried (for progress, reports and the run log)."""

    request: ModelRequest
    attempt: int
    delay_s: float
    cause: str
    error: str
    duration_s: float


_STATUS = re.compile(r"Error code: (\d{3})")


def _classify(status: int | None, text: str) -> str:
    if status is None:
        found = _STATUS.search(text)
        status = int(found.group(1)) if found else None
    if status == 429 or "RateLimitError" in text:
        return "rate_limit"
    if "Timeout" in text:
        return "timeout"
    if "APIConnectionError" in text or "ConnectionError" in text:
        return "connection"
    if status:
        return f"http_{status}"
    if "JSONDecodeError" in text or "Expecting" in text or "Unterminated" in text:
        return "bad_response"
    return "error"


def retry_cause(exc: BaseException) -> str:
    """A short label for why a call failed: rate_limit, http_503, timeout, connection, bad_response, ..."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionError):
        return "connection"
    return _classify(getattr(exc, "status", None), str(exc))


def failure_cause(cause: str | None, message: str | None) -> str:
    """A failure's cause for reports: ToolkitError.cause, refined for model errors (model/timeout)."""
    if cause == "model":
        return f"model/{_classify(None, message or '')}"
    return cause or "error"


def backoff_delay(attempt: int, base: float, cap: float, jitter: bool, rng: random.Random) -> float:
    """Delay before retry number ``attempt`` (0-based)."""
    ceiling = min(cap, base * (2**attempt))
    return rng.uniform(0, ceiling) if jitter else ceiling


class RetryingModel(ModelWrapper):
    """Retry transient ModelErrors of ``inner`` with backoff; honour Retry-After."""

    def __init__(
        self,
        inner: Model,
        max_retries: int = 5,
        base: float = 0.5,
        cap: float = 30.0,
        jitter: bool = True,
        *,
        on_retry: Callable[[RetryEvent], None] | None = None,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        sync_sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        super().__init__(inner)
        self.max_retries = max_retries
        self.base = base
        self.cap = cap
        self.jitter = jitter
        self.on_retry = on_retry
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._sync_sleep = sync_sleep
        self._lock = threading.Lock()
        #: retries by cause, and calls that gave up, over this wrapper's life
        self.retries: Counter[str] = Counter()
        self.gave_up: Counter[str] = Counter()

    def _delay(self, exc: ModelError, attempt: int) -> float:
        backoff = backoff_delay(attempt, self.base, self.cap, self.jitter, self._rng)
        if exc.retry_after is not None and exc.retry_after >= 0:
            # never before the server allows; later as attempts grow (a tiny Retry-After under a
            # sustained overload would otherwise burn the retry budget in a second)
            spread = self._rng.uniform(0, min(1.0, 0.1 * exc.retry_after + 0.01)) if self.jitter else 0.0
            return max(exc.retry_after + spread, backoff)
        return backoff

    def _on_failure(self, request: ModelRequest, exc: ModelError, attempt: int, started: float) -> float | None:
        """The delay before the next attempt, or None to give up (and re-raise)."""
        cause = retry_cause(exc)
        if not exc.retryable:
            return None
        if attempt >= self.max_retries:
            with self._lock:
                self.gave_up[cause] += 1
            return None
        delay = self._delay(exc, attempt)
        with self._lock:
            self.retries[cause] += 1
        if self.on_retry is not None:
            self.on_retry(RetryEvent(request, attempt + 1, delay, cause, str(exc), time.perf_counter() - started))
        return delay

    def _give_up(self, exc: ModelError, attempts: int) -> ModelError:
        if not exc.retryable or attempts == 0:
            return exc
        return ModelError(
            f"{exc} (gave up after {attempts} retries)", retryable=True, retry_after=exc.retry_after, status=exc.status
        )

    def complete(self, request: ModelRequest) -> ModelResponse:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                return self.inner.complete(request)
            except ModelError as exc:
                delay = self._on_failure(request, exc, attempt, started)
                if delay is None:
                    raise self._give_up(exc, attempt) from exc
            self._sync_sleep(delay)
            attempt += 1

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                return await self.inner.acomplete(request)
            except ModelError as exc:
                delay = self._on_failure(request, exc, attempt, started)
                if delay is None:
                    raise self._give_up(exc, attempt) from exc
            await self._sleep(delay)
            attempt += 1


class LimitedModel(ModelWrapper):
    """At most ``limit`` calls of ``inner`` at once (for providers that are not HTTP clients).

    For OpenAI-compatible servers the batch limits the HTTP client instead (see
    toolkit.batch.limited_http_client), which holds a slot only while a request is on the wire.
    """

    def __init__(self, inner: Model, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be >= 1")
        super().__init__(inner)
        self.limit = limit
        self._sem: asyncio.Semaphore | None = None
        self._sync_sem = threading.BoundedSemaphore(limit)

    def complete(self, request: ModelRequest) -> ModelResponse:
        with self._sync_sem:
            return self.inner.complete(request)

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        if self._sem is None:  # created lazily: it binds to the running loop
            self._sem = asyncio.Semaphore(self.limit)
        async with self._sem:
            return await self.inner.acomplete(request)
