"""A local OpenAI-compatible chat-completions server for tests, benchmarks and fault drills
(dev-only: it lives with the tests, outside the installed package).

No internet and no API keys exist where the toolkit is tested, so the real ``openai`` client
and ``langchain_openai.ChatOpenAI`` are pointed at this server over real HTTP on 127.0.0.1.

Stdlib only: asyncio streams and a minimal HTTP/1.1 parser (keep-alive, Content-Length and
chunked request bodies).  The server runs its own event loop in a daemon thread::

    with OpenAICompatServer(latency=0.2, max_concurrency=32) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test-key")
        ...

or standalone::

    python -m tests.support.openai_server --port 8000 --latency 0.2 --max-concurrency 32 \\
        --fault-rate 0.1 --max-seconds 600

Endpoints: ``POST /v1/chat/completions`` and ``GET /v1/models`` (also without the ``/v1``
prefix).  Every request must carry ``Authorization: Bearer <anything>``; the value is never
logged or stored.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import hashlib
import json
import math
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self

__all__ = [
    "FAULT_KINDS",
    "FaultPlan",
    "OpenAICompatServer",
    "ServerStats",
    "generate_instance",
    "main",
]

FAULT_KINDS: tuple[str, ...] = (
    "500",
    "503",
    "timeout",
    "drop",
    "truncated",
    "invalid_json",
    "schema_invalid",
)

#: content sent by the ``invalid_json`` fault (an answer that starts chatting instead of JSON)
INVALID_JSON_CONTENT = "Sure! Here is"

_MAX_HEADER_BYTES = 64 * 1024
_MAX_BODY_BYTES = 32 * 1024 * 1024
_KEEP_ALIVE_IDLE_SECONDS = 120.0
_MAX_SCHEMA_DEPTH = 12
_HINT_WORDS = 8


# --------------------------------------------------------------------------------------------
# fault plan and statistics
# --------------------------------------------------------------------------------------------


@dataclass
class FaultPlan:
    """Which requests fail, and how.

    ``fault_for(seq)`` is a pure function of ``seed`` and the request sequence number (the
    0-based index of the chat-completion request, counted on arrival), so a run is
    reproducible request by request.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 0
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be within [0, 1], got {self.rate!r}")
        self.kinds = tuple(str(k) for k in self.kinds)
        unknown = [k for k in self.kinds if k not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kind(s) {unknown}; known: {list(FAULT_KINDS)}")
        if self.rate > 0 and not self.kinds:
            raise ValueError("fault rate > 0 needs at least one fault kind")
        if self.timeout_seconds < 0:
            raise ValueError("timeout_seconds must be >= 0")

    def fault_for(self, seq: int) -> str | None:
        """The fault kind injected into request number ``seq``, or None."""
        if self.rate <= 0 or not self.kinds:
            return None
        digest = hashlib.blake2b(f"{self.seed}:{seq}".encode(), digest_size=16).digest()
        draw = int.from_bytes(digest[:8], "big") / 2.0**64
        if draw >= self.rate:
            return None
        return self.kinds[int.from_bytes(digest[8:], "big") % len(self.kinds)]


@dataclass
class ServerStats:
    """Counters, updated by the server thread and readable from any thread.

    Read single counters directly, or take a consistent copy with :meth:`snapshot`.
    ``request_log`` holds one dict per HTTP request, in arrival order: ``seq`` (chat
    requests only, else None), ``method``, ``path``, ``body_hash`` (sha256 of the raw body),
    ``status`` (None while the request is in flight and when no response was sent:
    drop/timeout faults) and ``fault``.  Headers are never recorded.  Always read it through
    :meth:`snapshot` from other threads.
    """

    connections: int = 0  # TCP connections accepted (keep-alive reuse => few)
    requests: int = 0  # every parsed HTTP request
    chat_requests: int = 0  # POST chat/completions that passed auth (= next seq)
    completed: int = 0  # well-formed successful chat completions (faults excluded)
    rejected_429: int = 0
    errors_4xx: int = 0  # 400/401/404/405/413 … answers, 429 excluded
    faults_by_kind: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0
    request_log: list[dict[str, Any]] = field(default_factory=list)
    request_log_limit: int = 200_000
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "connections": self.connections,
                "requests": self.requests,
                "chat_requests": self.chat_requests,
                "completed": self.completed,
                "rejected_429": self.rejected_429,
                "errors_4xx": self.errors_4xx,
                "faults_by_kind": dict(self.faults_by_kind),
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "request_log": [dict(e) for e in self.request_log],
            }

    def summary(self) -> dict[str, Any]:
        """Like :meth:`snapshot` without the per-request log."""
        snap = self.snapshot()
        snap.pop("request_log")
        return snap

    def reset(self) -> None:
        with self._lock:
            self.connections = self.requests = self.chat_requests = self.completed = 0
            self.rejected_429 = self.errors_4xx = self.max_in_flight = 0
            self.faults_by_kind = {}
            self.request_log = []


# --------------------------------------------------------------------------------------------
# JSON-schema instance generation
# --------------------------------------------------------------------------------------------

_FORMAT_EXAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00",
    "duration": "P1D",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "hostname": "example.com",
}


def batch_command(inp: Any, out: Any, base_url: str, *options: str) -> list[str]:
    """The `toolkit batch` command line that runs a feed against this server (the fake model), for
    the tests and the batch benchmark alike; `options` are further CLI options."""
    return [
        sys.executable, "-m", "toolkit.cli", "batch", str(inp), "--out", str(out),
        "--model", "openai:fake-model", "--base-url", base_url, "--no-progress", *options,
    ]  # fmt: skip


def generate_instance(schema: Any, hint: str = "", *, root: Any = None) -> Any:
    """A small, deterministic, valid instance of a JSON schema.

    Aimed at pydantic v2 ``model_json_schema()`` / OpenAI strict schemas: object (all listed
    properties are filled, not only the required ones), array (``max(minItems, 1)`` items,
    bounded by ``maxItems``), string (enum/const/format/minLength/maxLength; strings are
    filled from ``hint``), integer/number (minimum/maximum, exclusive bounds, multipleOf),
    boolean, null, ``$ref`` into ``$defs``/``definitions``, anyOf/oneOf (first non-null,
    constrained branch; null when only ``{}`` is offered besides null, and for optional
    recursion beyond a depth limit) and allOf (merged).  ``pattern`` is not honoured.
    """
    return _gen(schema, root if root is not None else schema, hint or "example", 0, 0)


def _resolve(schema: Any, root: Any) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = schema["$ref"]
        target: Any = root
        if isinstance(ref, str) and ref.startswith("#"):
            for part in ref.lstrip("#").split("/"):
                if not part:
                    continue
                part = part.replace("~1", "/").replace("~0", "~")
                if isinstance(target, dict) and part in target:
                    target = target[part]
                else:
                    target = {}
                    break
        else:
            target = {}
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra} if extra and isinstance(target, dict) else target
        seen += 1
    return schema


def _merge_all_of(schema: dict, root: Any) -> dict:
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    for sub in schema.get("allOf") or []:
        sub = _resolve(sub, root)
        if not isinstance(sub, dict):
            continue
        if "allOf" in sub:
            sub = _merge_all_of(sub, root)
        for key, value in sub.items():
            if key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            elif key == "required":
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
            else:
                merged.setdefault(key, value)
    return merged


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null"


def _gen(schema: Any, root: Any, hint: str, depth: int, index: int) -> Any:
    schema = _resolve(schema, root)
    if schema is True or not isinstance(schema, dict):
        return hint
    if "allOf" in schema:
        schema = _merge_all_of(schema, root)
    if "const" in schema:
        return copy.deepcopy(schema["const"])
    if schema.get("enum"):
        return copy.deepcopy(schema["enum"][0])
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if options:
            options = [_resolve(o, root) for o in options]
            non_null = [o for o in options if not _is_null_schema(o)]
            nullable = len(non_null) < len(options)
            # an unconstrained branch ({} / true, e.g. a recursive $ref that langchain's
            # converter dereferenced away) says nothing about the real type: prefer null
            informative = [o for o in non_null if o not in ({}, True)]
            if nullable and (depth >= _MAX_SCHEMA_DEPTH or not informative):
                return None
            pick = (informative or non_null or options)[0]
            rest = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
            if isinstance(pick, dict) and rest:
                pick = {**rest, **pick}
            return _gen(pick, root, hint, depth + 1, index)

    typ = schema.get("type")
    if isinstance(typ, list):
        non_null_types = [t for t in typ if t != "null"]
        typ = non_null_types[0] if non_null_types else "null"
    if typ is None:
        if "properties" in schema or "additionalProperties" in schema:
            typ = "object"
        elif "items" in schema or "prefixItems" in schema:
            typ = "array"
        else:
            return hint

    if typ == "null":
        return None
    if typ == "boolean":
        return False
    if typ in ("integer", "number"):
        return _gen_number(schema, typ == "integer", index)
    if typ == "string":
        return _gen_string(schema, hint, index)
    if typ == "array":
        return _gen_array(schema, root, hint, depth)
    if typ == "object":
        return _gen_object(schema, root, hint, depth)
    return hint


def _gen_number(schema: dict, integer: bool, index: int) -> int | float:
    lo = schema.get("minimum")
    hi = schema.get("maximum")
    ex_lo = schema.get("exclusiveMinimum")
    ex_hi = schema.get("exclusiveMaximum")
    # draft-4 boolean style
    if ex_lo is True:
        ex_lo, lo = lo, None
    if ex_hi is True:
        ex_hi, hi = hi, None
    if isinstance(ex_lo, bool):
        ex_lo = None
    if isinstance(ex_hi, bool):
        ex_hi = None
    upper = hi if ex_hi is None else (ex_hi if hi is None else min(hi, ex_hi))
    if integer:
        low: float | None = None
        if lo is not None:
            low = math.ceil(lo)
        if ex_lo is not None:
            low = max(low, math.floor(ex_lo) + 1) if low is not None else math.floor(ex_lo) + 1
        high: float | None = None
        if hi is not None:
            high = math.floor(hi)
        if ex_hi is not None:
            cap = math.ceil(ex_hi) - 1
            high = min(high, cap) if high is not None else cap
        value = int(low) if low is not None else 0
        if high is not None and value > high:
            value = int(high)
        value += index if high is None or value + index <= high else 0
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0 and value % step:
            value += step - value % step
        return value
    if lo is not None:
        value = float(lo)
    elif ex_lo is not None:
        value = (ex_lo + upper) / 2.0 if upper is not None else float(ex_lo) + 1.0
    else:
        value = 0.0
    if upper is not None and (value > upper or (ex_hi is not None and value >= ex_hi)):
        value = (value + upper) / 2.0 if ex_hi is not None else float(upper)
    step = schema.get("multipleOf")
    if isinstance(step, (int, float)) and step > 0:
        value = math.ceil(value / step) * step
    return value


def _gen_string(schema: dict, hint: str, index: int) -> str:
    fmt = schema.get("format")
    text = _FORMAT_EXAMPLES.get(fmt, hint) if isinstance(fmt, str) else hint
    if index and fmt not in _FORMAT_EXAMPLES:
        text = f"{text} {index + 1}"
    min_len = schema.get("minLength") or 0
    max_len = schema.get("maxLength")
    if len(text) < min_len:
        text = text + "x" * (min_len - len(text))
    if isinstance(max_len, int) and len(text) > max_len:
        text = text[:max_len]
    return text


def _gen_array(schema: dict, root: Any, hint: str, depth: int) -> list:
    prefix = schema.get("prefixItems") or []
    min_items = int(schema.get("minItems") or 0)
    max_items = schema.get("maxItems")
    want = max(min_items, len(prefix), 1)
    if depth >= _MAX_SCHEMA_DEPTH:
        want = max(min_items, len(prefix))
    if isinstance(max_items, int):
        want = min(want, max_items)
    items = schema.get("items", {})
    out = []
    for i in range(want):
        sub = prefix[i] if i < len(prefix) else items
        if sub is False:
            break
        out.append(_gen(sub, root, hint, depth + 1, i))
    return out


def _gen_object(schema: dict, root: Any, hint: str, depth: int) -> dict:
    props = schema.get("properties") or {}
    required = list(schema.get("required") or [])
    keys = list(props) if depth < _MAX_SCHEMA_DEPTH else [k for k in props if k in required]
    out = {key: _gen(props[key], root, hint, depth + 1, 0) for key in keys}
    for key in required:  # required but not described: anything goes
        out.setdefault(key, hint)
    min_props = int(schema.get("minProperties") or 0)
    extra = schema.get("additionalProperties")
    n = 1
    while len(out) < min_props:
        out[f"key{n}"] = _gen(extra if isinstance(extra, dict) else {}, root, hint, depth + 1, 0)
        n += 1
    return out


# --------------------------------------------------------------------------------------------
# request interpretation
# --------------------------------------------------------------------------------------------


def _message_text(message: Any) -> str:
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, str):
                parts.append(part)
        return " ".join(parts)
    return ""


def _hint_from(body: dict) -> str:
    messages = body.get("messages") or []
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            words = _message_text(message).split()
            if words:
                return " ".join(words[:_HINT_WORDS])
    return "example"


def _count_words(text: str) -> int:
    return len(text.split())


def _selected_tool(body: dict) -> dict | None:
    """The function the fake model calls, or None when it should answer with content."""
    tools = [
        t["function"]
        for t in body.get("tools") or []
        if isinstance(t, dict) and t.get("type", "function") == "function" and isinstance(t.get("function"), dict)
    ]
    if not tools:
        return None
    choice = body.get("tool_choice")
    if choice == "none":
        return None
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        for tool in tools:
            if tool.get("name") == name:
                return tool
    rf = body.get("response_format")
    forced = choice == "required" or isinstance(choice, dict)
    if not forced and isinstance(rf, dict) and rf.get("type") in ("json_schema", "json_object"):
        # tools offered but the answer format is prescribed: answer with content
        return None
    return tools[0]


def _response_schema(body: dict) -> tuple[bool, Any]:
    """(wants_json, schema or None) from ``response_format``."""
    rf = body.get("response_format")
    if not isinstance(rf, dict):
        return False, None
    kind = rf.get("type")
    if kind == "json_schema":
        js = rf.get("json_schema") or {}
        return True, js.get("schema", {}) if isinstance(js, dict) else {}
    if kind == "json_object":
        return True, rf.get("schema")
    return False, None


def _violating_json(schema: Any) -> str:
    """Valid JSON that does not satisfy ``schema`` (best effort)."""
    schema = _resolve(schema, schema) if schema is not None else None
    if isinstance(schema, dict) and schema.get("required"):
        return "{}"
    if isinstance(schema, dict) and schema.get("type") == "array":
        return "{}"
    return "[]"


def _error_body(message: str, etype: str, param: str | None = None, code: str | None = None) -> dict:
    return {"error": {"message": message, "type": etype, "param": param, "code": code}}


class _Reply:
    __slots__ = ("fault", "headers", "ok", "payload", "raw", "status")

    def __init__(
        self,
        status: int,
        payload: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        fault: str | None = None,
        ok: bool = False,
    ) -> None:
        self.status = status
        self.payload = payload
        self.headers = headers or {}
        self.raw = raw
        self.fault = fault
        self.ok = ok


class _Close(Exception):
    """Internal: close the connection without (further) response."""


# --------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------


class OpenAICompatServer:
    """OpenAI-compatible fake server on 127.0.0.1, running in a daemon thread."""

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        latency: float = 0.0,
        max_concurrency: int | None = None,
        faults: FaultPlan | None = None,
        responder: Callable[[dict], str] | None = None,
        supports_json_schema: bool = True,
        supports_tools: bool = True,
        model_name: str = "fake-model",
        retry_after: float = 0.05,
        port: int = 0,
    ) -> None:
        if latency < 0:
            raise ValueError("latency must be >= 0")
        if max_concurrency is not None and max_concurrency < 1:
            raise ValueError("max_concurrency must be >= 1 or None")
        self.latency = float(latency)
        self.max_concurrency = max_concurrency
        self.faults = faults or FaultPlan()
        self.responder = responder
        self.supports_json_schema = supports_json_schema
        self.supports_tools = supports_tools
        self.model_name = model_name
        self.retry_after = float(retry_after)
        self.stats = ServerStats()
        self._requested_port = int(port)
        self.port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None
        self._stop_event: asyncio.Event | None = None
        self._conn_tasks: set[asyncio.Task] = set()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> OpenAICompatServer:
        if self._thread is not None:
            raise RuntimeError("server already started")
        self._ready.clear()
        self._startup_error = None
        self._thread = threading.Thread(target=self._thread_main, name="openai-compat-server", daemon=True)
        self._thread.start()
        self._ready.wait(timeout=10)
        if self._startup_error is not None:
            self._thread.join(timeout=5)
            self._thread = None
            raise RuntimeError("openai-compat server failed to start") from self._startup_error
        if self.port is None:
            raise RuntimeError("openai-compat server did not start within 10 s")
        return self

    def stop(self) -> None:
        thread, loop = self._thread, self._loop
        if thread is None:
            return
        if loop is not None and self._stop_event is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._stop_event.set)
        thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            if not self._ready.is_set():
                self._startup_error = exc
        finally:
            self._ready.set()
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self) -> None:
        self._stop_event = asyncio.Event()
        server = await asyncio.start_server(
            self._handle_connection,
            host=self.host,
            port=self._requested_port,
            limit=_MAX_HEADER_BYTES,
            reuse_address=True,
            backlog=1024,
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            await self._stop_event.wait()
        finally:
            server.close()
            tasks = list(self._conn_tasks)
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), timeout=2)

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._conn_tasks.add(task)
        with self.stats._lock:
            self.stats.connections += 1
        try:
            while True:
                try:
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=_KEEP_ALIVE_IDLE_SECONDS)
                except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                    return
                except asyncio.LimitOverrunError:
                    await self._write(
                        writer,
                        431,
                        _error_body("headers too large", "invalid_request_error"),
                        close=True,
                    )
                    return
                try:
                    method, path, version, headers = _parse_head(head)
                except ValueError:
                    await self._write(
                        writer,
                        400,
                        _error_body("malformed HTTP request", "invalid_request_error"),
                        close=True,
                    )
                    return
                body, body_error = await _read_body(reader, headers)
                if body_error is not None:
                    await self._write(
                        writer,
                        body_error,
                        _error_body(
                            "unsupported or oversized request body",
                            "invalid_request_error",
                        ),
                        close=True,
                    )
                    return
                keep_alive = _wants_keep_alive(version, headers)
                try:
                    reply = await self._dispatch(method, path, headers, body, reader)
                except _Close:
                    return
                del headers  # the Authorization value must not outlive the request
                await self._write(
                    writer,
                    reply.status,
                    reply.payload,
                    headers=reply.headers,
                    raw=reply.raw,
                    close=not keep_alive,
                )
                if not keep_alive:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        except asyncio.CancelledError:
            # server shutdown.  Not re-raised: Python 3.11's StreamReaderProtocol callback
            # calls task.exception() on a cancelled task and logs a spurious traceback.
            return
        finally:
            if task is not None:
                self._conn_tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _write(
        self,
        writer: asyncio.StreamWriter,
        status: int,
        payload: Any,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        close: bool = False,
    ) -> None:
        data = raw if raw is not None else json.dumps(payload, separators=(",", ":")).encode()
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Unknown"
        lines = [
            f"HTTP/1.1 {status} {phrase}",
            "Content-Type: application/json",
            f"Content-Length: {len(data)}",
            f"Connection: {'close' if close else 'keep-alive'}",
        ]
        for key, value in (headers or {}).items():
            lines.append(f"{key}: {value}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
        await writer.drain()

    # -- routing -----------------------------------------------------------------------------

    async def _dispatch(
        self,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
        reader: asyncio.StreamReader,
    ) -> _Reply:
        route = path.split("?", 1)[0].rstrip("/")
        if route.startswith("/v1/"):
            route = route[3:]
        entry: dict[str, Any] = {
            "seq": None,
            "method": method,
            "path": path.split("?", 1)[0],
            "body_hash": hashlib.sha256(body).hexdigest(),
            "status": None,
            "fault": None,
        }
        stats = self.stats
        with stats._lock:
            stats.requests += 1
            if len(stats.request_log) < stats.request_log_limit:
                stats.request_log.append(entry)  # arrival order; status filled in below
        reply: _Reply | None = None
        try:
            if not _authorized(headers):
                reply = _Reply(
                    401,
                    _error_body(
                        "You didn't provide an API key. Send 'Authorization: Bearer <key>'.",
                        "invalid_request_error",
                        code="invalid_api_key",
                    ),
                )
            elif route == "/models":
                if method != "GET":
                    reply = _method_not_allowed(method)
                else:
                    reply = _Reply(200, self._models_payload())
            elif route == "/chat/completions":
                if method != "POST":
                    reply = _method_not_allowed(method)
                else:
                    reply = await self._chat(body, entry, reader)
            else:
                reply = _Reply(
                    404,
                    _error_body(
                        f"Unknown endpoint {method} {entry['path']}",
                        "invalid_request_error",
                        code="unknown_url",
                    ),
                )
            return reply
        finally:
            status = reply.status if reply is not None else None
            with stats._lock:
                entry["status"] = status
                if reply is not None:
                    if reply.ok:
                        stats.completed += 1
                    if status == 429:
                        stats.rejected_429 += 1
                    elif status is not None and 400 <= status < 500 and reply.fault is None:
                        stats.errors_4xx += 1

    def _models_payload(self) -> dict:
        return {
            "object": "list",
            "data": [
                {
                    "id": self.model_name,
                    "object": "model",
                    "created": 0,
                    "owned_by": "local-test",
                }
            ],
        }

    async def _chat(self, body_bytes: bytes, entry: dict, reader: asyncio.StreamReader) -> _Reply:
        stats = self.stats
        with stats._lock:
            seq = stats.chat_requests
            stats.chat_requests += 1
            admitted = self.max_concurrency is None or stats.in_flight < self.max_concurrency
            if admitted:
                stats.in_flight += 1
                stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            entry["seq"] = seq
        if not admitted:
            retry = f"{self.retry_after:g}"
            return _Reply(
                429,
                _error_body(
                    f"Rate limit reached: more than {self.max_concurrency} concurrent requests. "
                    f"Please try again in {retry}s.",
                    "requests",
                    code="rate_limit_exceeded",
                ),
                headers={
                    "Retry-After": retry,
                    "retry-after-ms": str(round(self.retry_after * 1000)),
                    "x-ratelimit-limit-requests": str(self.max_concurrency),
                    "x-ratelimit-remaining-requests": "0",
                },
            )
        try:
            return await self._chat_admitted(seq, body_bytes, entry, reader)
        finally:
            with stats._lock:
                stats.in_flight -= 1

    async def _chat_admitted(self, seq: int, body_bytes: bytes, entry: dict, reader: asyncio.StreamReader) -> _Reply:
        try:
            body = json.loads(body_bytes or b"null")
        except (ValueError, UnicodeDecodeError):
            return _bad_request("The request body is not valid JSON.")
        if not isinstance(body, dict):
            return _bad_request("The request body must be a JSON object.")
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            return _bad_request("'messages' must be a non-empty array.", param="messages")
        if body.get("stream"):
            return _bad_request(
                "stream=true is not supported by this test server; send stream=false.",
                param="stream",
            )
        rf = body.get("response_format")
        if not self.supports_json_schema and isinstance(rf, dict) and rf.get("type") == "json_schema":
            return _bad_request(
                "Invalid request: response_format json_schema not supported by this server "
                "(only 'text' and 'json_object').",
                param="response_format",
            )

        fault = self.faults.fault_for(seq)
        if fault is not None:
            with self.stats._lock:
                entry["fault"] = fault
                self.stats.faults_by_kind[fault] = self.stats.faults_by_kind.get(fault, 0) + 1
        if fault == "timeout":
            await _hold(reader, self.faults.timeout_seconds)
            raise _Close
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        if fault == "drop":
            raise _Close
        if fault == "500":
            return _Reply(
                500,
                _error_body(
                    "The server had an error while processing your request. Sorry about that!",
                    "server_error",
                ),
                fault=fault,
            )
        if fault == "503":
            return _Reply(
                503,
                _error_body(
                    "The engine is currently overloaded, please try again later.",
                    "server_error",
                ),
                headers={"Retry-After": f"{self.retry_after:g}"},
                fault=fault,
            )

        tool = _selected_tool(body) if self.supports_tools else None
        wants_json, schema = _response_schema(body)
        if tool is not None:
            schema = tool.get("parameters") or {"type": "object", "properties": {}}
            wants_json = True
        if fault == "invalid_json":
            text = INVALID_JSON_CONTENT
        elif fault == "schema_invalid":
            text = _violating_json(schema)
        elif self.responder is not None:
            try:
                result = self.responder(body)
            except Exception as exc:  # noqa: BLE001 - becomes a 500, like a crashing backend
                return _Reply(
                    500,
                    _error_body(f"responder failed: {type(exc).__name__}", "server_error"),
                )
            text = result if isinstance(result, str) else json.dumps(result)
        else:
            text = self._default_text(body, wants_json, schema, tool is not None)

        payload = self._completion_payload(seq, body, text, tool)
        if fault == "truncated":
            data = json.dumps(payload, separators=(",", ":")).encode()
            return _Reply(200, raw=data[: len(data) // 2], fault=fault)
        return _Reply(200, payload, fault=fault, ok=fault is None)

    def _default_text(self, body: dict, wants_json: bool, schema: Any, is_tool: bool) -> str:
        hint = _hint_from(body)
        if schema is not None:
            return json.dumps(generate_instance(schema, hint), ensure_ascii=False)
        if wants_json or is_tool:
            return json.dumps({"result": hint}, ensure_ascii=False)
        if body.get("tools"):
            # tools offered but the server does not do tool calls: the model writes JSON
            tool = _selected_tool({**body, "response_format": None})
            if tool is not None and tool.get("parameters"):
                return json.dumps(generate_instance(tool["parameters"], hint), ensure_ascii=False)
        return f"This is a fake answer about: {hint}"

    def _completion_payload(self, seq: int, body: dict, text: str, tool: dict | None) -> dict:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None if tool else text,
            "refusal": None,
        }
        if tool is not None:
            message["tool_calls"] = [
                {
                    "id": f"call_{seq:08d}",
                    "type": "function",
                    "function": {
                        "name": tool.get("name", "function"),
                        "arguments": text,
                    },
                }
            ]
            finish = "tool_calls"
        else:
            finish = "stop"
        n = body.get("n") if isinstance(body.get("n"), int) and body.get("n", 1) > 0 else 1
        prompt_tokens = sum(_count_words(_message_text(m)) for m in body.get("messages") or [])
        completion_tokens = _count_words(text) * n
        return {
            "id": f"chatcmpl-{seq:08d}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model") or self.model_name,
            "system_fingerprint": "fp_local_test",
            "choices": [
                {
                    "index": i,
                    "message": copy.deepcopy(message) if i else message,
                    "logprobs": None,
                    "finish_reason": finish,
                }
                for i in range(min(n, 16))
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


# --------------------------------------------------------------------------------------------
# HTTP helpers
# --------------------------------------------------------------------------------------------


def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise ValueError("bad request line")
    method, path, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ValueError("bad header line")
        headers[name.lower()] = value.strip()
    return method.upper(), path, version, headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> tuple[bytes, int | None]:
    """(body, None) or (b"", error status)."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        chunks = []
        total = 0
        while True:
            size_line = await reader.readuntil(b"\r\n")
            try:
                size = int(size_line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                return b"", 400
            if size == 0:
                # trailers, up to the empty line
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return b"".join(chunks), None
            total += size
            if total > _MAX_BODY_BYTES:
                return b"", 413
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
    length = headers.get("content-length")
    if length is None:
        return b"", None
    try:
        n = int(length)
    except ValueError:
        return b"", 400
    if n < 0:
        return b"", 400
    if n > _MAX_BODY_BYTES:
        return b"", 413
    return (await reader.readexactly(n) if n else b""), None


def _wants_keep_alive(version: str, headers: dict[str, str]) -> bool:
    conn = headers.get("connection", "").lower()
    if version == "HTTP/1.0":
        return "keep-alive" in conn
    return "close" not in conn


def _authorized(headers: dict[str, str]) -> bool:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def _bad_request(message: str, param: str | None = None) -> _Reply:
    return _Reply(400, _error_body(message, "invalid_request_error", param=param))


def _method_not_allowed(method: str) -> _Reply:
    return _Reply(405, _error_body(f"Method {method} not allowed", "invalid_request_error"))


async def _hold(reader: asyncio.StreamReader, seconds: float) -> None:
    """Stall for ``seconds`` or until the client goes away, whichever comes first."""
    with contextlib.suppress(TimeoutError, ConnectionError):
        await asyncio.wait_for(reader.read(1), timeout=seconds)


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tests.support.openai_server",
        description="Local OpenAI-compatible fake server (127.0.0.1 only) for tests and benchmarks.",
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port on 127.0.0.1 (0 = ephemeral)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds each request takes")
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=None,
        help="429 beyond this many in flight",
    )
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument(
        "--fault-kinds",
        default=",".join(FAULT_KINDS),
        help="comma-separated fault kinds",
    )
    parser.add_argument("--fault-seed", type=int, default=0)
    parser.add_argument("--fault-timeout", type=float, default=30.0, help="stall of a 'timeout' fault")
    parser.add_argument("--retry-after", type=float, default=0.05, help="Retry-After of 429 answers")
    parser.add_argument("--model-name", default="fake-model")
    parser.add_argument(
        "--no-json-schema",
        action="store_true",
        help="answer 400 to response_format json_schema",
    )
    parser.add_argument("--no-tools", action="store_true", help="ignore tools, answer with content")
    parser.add_argument("--max-seconds", type=float, default=3600.0, help="exit after this long")
    args = parser.parse_args(argv)

    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip())
    try:
        plan = FaultPlan(
            rate=args.fault_rate,
            kinds=kinds,
            seed=args.fault_seed,
            timeout_seconds=args.fault_timeout,
        )
    except ValueError as exc:
        parser.error(str(exc))
    server = OpenAICompatServer(
        latency=args.latency,
        max_concurrency=args.max_concurrency,
        faults=plan,
        supports_json_schema=not args.no_json_schema,
        supports_tools=not args.no_tools,
        model_name=args.model_name,
        retry_after=args.retry_after,
        port=args.port,
    )
    done = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        done.set()

    previous = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(ValueError, OSError):  # not in the main thread
            previous[sig] = signal.signal(sig, _on_signal)
    try:
        server.start()
        print(f"openai-compat server listening on {server.base_url}", flush=True)
        done.wait(timeout=max(0.0, args.max_seconds))
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print(json.dumps({"stats": server.stats.summary()}), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
