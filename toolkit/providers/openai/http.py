"""An async HTTP client for the openai SDK that bounds the requests on the wire (a batch's
concurrency), backing off when the server answers 429."""

from __future__ import annotations

import functools
from typing import Any

from toolkit.batch import AdaptiveLimit


@functools.cache
def _limited_client_class() -> type:
    import openai

    class LimitedAsyncClient(openai.DefaultAsyncHttpxClient):  # type: ignore[misc, name-defined]
        """At most `limit` requests on the wire: a slot is held only while a request is out."""

        def __init__(self, limit: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.slots = AdaptiveLimit(limit)

        async def send(self, request: Any, **kwargs: Any) -> Any:
            await self.slots.acquire()
            rate_limited = False
            try:
                response = await super().send(request, **kwargs)
                rate_limited = response.status_code == 429
                return response
            finally:
                await self.slots.release(rate_limited)

    return LimitedAsyncClient


def limited_http_client(limit: int) -> Any:
    """An async HTTP client for the openai SDK that never has more than `limit` requests out."""
    return _limited_client_class()(limit)
