"""The model stack a batch calls through: concurrency limit, retries, the response cache, single-flight."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.config import load_config
from toolkit.errors import ConfigError
from toolkit.models import Model, ModelRequest, ModelResponse, ModelWrapper
from toolkit.providers import get_model
from toolkit.recording import RecordingModel, ResponseStore, request_key
from toolkit.retry import LimitedModel, RetryingModel

if TYPE_CHECKING:  # pragma: no cover
    pass


class AdaptiveLimit:
    """At most `limit` holders; a 429 shrinks the limit, successes grow it back (AIMD, as TCP).

    So a --concurrency above what the provider allows settles just under its limit instead of
    spending the retry budget on 429s.
    """

    def __init__(self, maximum: int, *, decrease: float = 0.8, cooldown_s: float = 0.5) -> None:
        self.maximum = maximum
        self.limit = float(maximum)
        self.active = 0
        self.decrease = decrease
        self.cooldown_s = cooldown_s
        self.cuts = 0
        self._cond: asyncio.Condition | None = None
        self._last_cut = 0.0

    def _condition(self) -> asyncio.Condition:
        if self._cond is None:  # created lazily: it binds to the running loop
            self._cond = asyncio.Condition()
        return self._cond

    def _free(self) -> int:
        return max(1, int(self.limit)) - self.active

    async def acquire(self) -> None:
        cond = self._condition()
        async with cond:
            await cond.wait_for(lambda: self._free() > 0)
            self.active += 1

    async def release(self, rate_limited: bool = False) -> None:
        cond = self._condition()
        async with cond:
            self.active -= 1
            if rate_limited:
                clock = time.monotonic()
                if clock - self._last_cut >= self.cooldown_s:
                    self.limit = max(1.0, self.limit * self.decrease)
                    self._last_cut = clock
                    self.cuts += 1
            elif self.limit < self.maximum:
                self.limit = min(float(self.maximum), self.limit + 1.0 / self.limit)
            if self._free() > 0:
                cond.notify(self._free())


class SingleFlight(ModelWrapper):
    """Identical requests in flight at once go out once; the others wait for that answer."""

    def __init__(self, inner: Model) -> None:
        super().__init__(inner)
        self._inflight: dict[str, asyncio.Future[ModelResponse]] = {}

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        key = request_key(request)
        waiting = self._inflight.get(key)
        if waiting is not None:  # answered once, paid once: the copy counts as from the cache
            response = await asyncio.shield(waiting)
            return response.model_copy(update={"source": "cached"}) if response.source == "live" else response
        future: asyncio.Future[ModelResponse] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            response = await self.inner.acomplete(request)
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        finally:
            del self._inflight[key]
        future.set_result(response)
        return response


@dataclass
class ModelStack:
    model: Model
    retrying: RetryingModel | None = None
    #: the provider's own model, closed at the end (its HTTP connections)
    provider: Model | None = None
    spec: str = ""

    async def aclose(self) -> None:
        if self.provider is not None:
            await self.provider.aclose()


def build_model(
    model: str | Model | None,
    *,
    base_url: str | None = None,
    concurrency: int = 8,
    max_retries: int = 5,
    timeout: float = 60.0,
    record_mode: str = "cache",
    responses_dir: Path | None = None,
    on_retry: Any = None,
) -> ModelStack:
    """SingleFlight(RecordingModel(RetryingModel(limited provider))): cache hits never reach the
    network; a completed call is stored before the next; retries hold no concurrency slot."""
    if isinstance(model, Model):
        provider, spec = model, model.model_id
    else:
        config = load_config(model=model, base_url=base_url)
        spec = config.model
        # the provider takes what it understands: an HTTP provider bounds its own requests in
        # flight and leaves retries to the batch; a local model takes none of these
        provider = get_model(spec, base_url=config.base_url, concurrency=concurrency, timeout=timeout, max_retries=0)
    inner = provider if provider.limits_concurrency else LimitedModel(provider, concurrency)
    retrying = RetryingModel(inner, max_retries=max_retries, on_retry=on_retry)
    stacked: Model = retrying
    if record_mode != "off":
        if responses_dir is None:
            raise ConfigError("the response cache needs a folder: give --responses-dir or an output file")
        stacked = RecordingModel(retrying, ResponseStore(responses_dir), record_mode)
    return ModelStack(SingleFlight(stacked), retrying, provider, spec)
