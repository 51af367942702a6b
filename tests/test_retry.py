"""Retries as a Model wrapper: backoff, Retry-After, limits, and the real fault server over HTTP.

The HTTP tests go through OpenAIModel (langchain-openai + the openai client, its own retries
off) to the local fake server on 127.0.0.1, so the errors are the real ones.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.support.openai_server import FaultPlan, OpenAICompatServer
from toolkit.batch import AdaptiveLimit
from toolkit.errors import ConfigError, ModelError
from toolkit.models import Model, ModelRequest, ModelResponse
from toolkit.providers.openai.chat import OpenAIModel
from toolkit.providers.openai.http import limited_http_client
from toolkit.retry import LimitedModel, RetryingModel, backoff_delay, failure_cause, retry_cause

REQUEST = ModelRequest(
    model="fake:flaky",
    messages=[{"role": "user", "content": "Storm hits the coast overnight"}],
    schema_name="Answer",
    json_schema={"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]},
    params={"temperature": 0.0, "max_tokens": 16},
)


class Flaky(Model):
    """Fails with the given errors first, then answers."""

    model_id = "fake:flaky"

    def __init__(self, errors: list[Exception]) -> None:
        self.errors = list(errors)
        self.calls = 0

    def complete(self, request: ModelRequest) -> ModelResponse:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return ModelResponse(text='{"answer": "ok"}', model=self.model_id)


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)

    def sync(self, delay: float) -> None:
        self.delays.append(delay)


def test_backoff_is_full_jitter_within_the_exponential_cap():
    rng = random.Random(1)
    for attempt in range(8):
        ceiling = min(30.0, 0.5 * 2**attempt)
        delays = [backoff_delay(attempt, 0.5, 30.0, True, rng) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # spread over the range, not stuck at 0
        assert backoff_delay(attempt, 0.5, 30.0, False, rng) == ceiling


def test_retries_transient_errors_then_answers():
    sleeps = Sleeps()
    inner = Flaky([ModelError("503", retryable=True, status=503), ModelError("timeout", retryable=True)])
    events = []
    model = RetryingModel(
        inner,
        max_retries=5,
        base=0.5,
        cap=30,
        sleep=sleeps,
        sync_sleep=sleeps.sync,
        on_retry=events.append,
        rng=random.Random(0),
    )
    assert asyncio.run(model.acomplete(REQUEST)).text == '{"answer": "ok"}'
    assert inner.calls == 3
    assert len(sleeps.delays) == 2 and sleeps.delays[0] <= 0.5 and sleeps.delays[1] <= 1.0
    assert [e.attempt for e in events] == [1, 2]
    assert model.retries == {"http_503": 1, "error": 1}


def test_honours_retry_after_and_the_sync_path():
    sleeps = Sleeps()
    inner = Flaky([ModelError("429", retryable=True, retry_after=2.0, status=429)])
    model = RetryingModel(inner, sleep=sleeps, sync_sleep=sleeps.sync, rng=random.Random(0))
    assert model.complete(REQUEST).text
    assert len(sleeps.delays) == 1 and 2.0 <= sleeps.delays[0] <= 2.25
    assert model.retries == {"rate_limit": 1}


def test_non_retryable_errors_are_raised_at_once():
    sleeps = Sleeps()
    inner = Flaky([ModelError("bad request", retryable=False, status=400)])
    model = RetryingModel(inner, sleep=sleeps, sync_sleep=sleeps.sync)
    with pytest.raises(ModelError, match="bad request"):
        asyncio.run(model.acomplete(REQUEST))
    assert inner.calls == 1 and not sleeps.delays
    inner = Flaky([ConfigError("no key")])
    with pytest.raises(ConfigError):
        RetryingModel(inner, sleep=sleeps, sync_sleep=sleeps.sync).complete(REQUEST)


def test_gives_up_after_the_retry_limit():
    sleeps = Sleeps()
    inner = Flaky([ModelError("down", retryable=True, status=503) for _ in range(10)])
    model = RetryingModel(inner, max_retries=3, sleep=sleeps, sync_sleep=sleeps.sync)
    with pytest.raises(ModelError, match="gave up after 3 retries") as info:
        asyncio.run(model.acomplete(REQUEST))
    assert info.value.status == 503 and info.value.retryable
    assert inner.calls == 4 and len(sleeps.delays) == 3
    assert model.gave_up == {"http_503": 1}


def test_cause_labels():
    assert retry_cause(ModelError("x: OpenAIRateLimitError: Error code: 429", status=429)) == "rate_limit"
    assert retry_cause(ModelError("x: APITimeoutError: Request timed out.")) == "timeout"
    assert retry_cause(ModelError("x: APIConnectionError: Connection error.")) == "connection"
    assert retry_cause(ModelError("x: JSONDecodeError: Unterminated string")) == "bad_response"
    assert failure_cause("model", "openai:m: InternalServerError: Error code: 500 - boom") == "model/http_500"
    assert failure_cause("bad_article", "empty") == "bad_article"
    assert failure_cause(None, None) == "error"


def test_adaptive_limit_cuts_on_429_and_grows_back():
    async def scenario() -> AdaptiveLimit:
        limit = AdaptiveLimit(10, cooldown_s=0.0)
        for _ in range(3):
            await limit.acquire()
        await limit.release(rate_limited=True)
        assert limit.limit == pytest.approx(8.0)
        await limit.release(rate_limited=True)
        await limit.release(rate_limited=True)
        low = limit.limit
        for _ in range(200):
            await limit.acquire()
            await limit.release()
        assert limit.limit > low and limit.limit <= 10
        return limit

    assert asyncio.run(scenario()).cuts == 3


def test_limited_model_bounds_concurrency():
    class Slow(Model):
        model_id = "fake:slow"
        active = peak = 0

        async def acomplete(self, request: ModelRequest) -> ModelResponse:
            Slow.active += 1
            Slow.peak = max(Slow.peak, Slow.active)
            await asyncio.sleep(0.01)
            Slow.active -= 1
            return ModelResponse(text="{}", model=self.model_id)

        def complete(self, request: ModelRequest) -> ModelResponse:  # pragma: no cover - unused
            raise NotImplementedError

    model = LimitedModel(Slow(), 3)

    async def scenario() -> None:
        await asyncio.gather(*(model.acomplete(REQUEST) for _ in range(12)))

    asyncio.run(scenario())
    assert Slow.peak == 3


def _seed_for(kind: str) -> int:
    """A fault seed whose first request gets `kind` and whose next ones are clean."""
    for seed in range(10_000):
        plan = FaultPlan(rate=0.5, kinds=(kind,), seed=seed)
        if plan.fault_for(0) == kind and all(plan.fault_for(i) is None for i in range(1, 4)):
            return seed
    raise AssertionError("no seed found")


def _openai_stack(server: OpenAICompatServer, limit: int = 4, base: float = 0.01) -> tuple[RetryingModel, object]:
    client = limited_http_client(limit)
    inner = OpenAIModel(
        "fake-model", base_url=server.base_url, api_key="test-key", max_retries=0, timeout=0.5, http_async_client=client
    )
    return RetryingModel(inner, max_retries=5, base=base, cap=1.0), client


@pytest.mark.parametrize("kind", ["500", "503", "timeout", "drop", "truncated"])
def test_real_http_faults_are_retried(kind):
    plan = FaultPlan(rate=0.5, kinds=(kind,), seed=_seed_for(kind), timeout_seconds=1.0)
    with OpenAICompatServer(faults=plan) as server:
        model, client = _openai_stack(server)

        async def scenario() -> ModelResponse:
            try:
                return await model.acomplete(REQUEST)
            finally:
                await client.aclose()

        response = asyncio.run(scenario())
        assert '"answer"' in response.text
        log = server.stats.snapshot()["request_log"]
        assert [e["fault"] for e in log] == [kind, None]
        assert log[0]["body_hash"] == log[1]["body_hash"]  # the same request, sent again
    assert sum(model.retries.values()) == 1


def test_real_http_429_with_retry_after():
    with OpenAICompatServer(latency=0.2, max_concurrency=1, retry_after=0.05) as server:
        model, client = _openai_stack(server, limit=3, base=0.1)  # more than the server allows

        async def scenario() -> list[ModelResponse]:
            try:
                return await asyncio.gather(*(model.acomplete(REQUEST) for _ in range(3)))
            finally:
                await client.aclose()

        responses = asyncio.run(scenario())
        assert len(responses) == 3
        assert server.stats.rejected_429 >= 1 and server.stats.completed == 3
    assert model.retries["rate_limit"] == server.stats.rejected_429
    assert not model.gave_up
