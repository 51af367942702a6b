"""The local OpenAI-compatible server, exercised through the real openai / langchain clients.

All traffic goes to 127.0.0.1; every test starts its own server on an ephemeral port.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import time
from enum import StrEnum
from typing import Annotated, Literal

import openai
import pytest
from pydantic import BaseModel, Field, ValidationError

from tests.support.openai_server import (
    INVALID_JSON_CONTENT,
    FaultPlan,
    OpenAICompatServer,
    generate_instance,
    main,
)

API_KEY = "test-key"
MESSAGES = [
    {"role": "system", "content": "You summarise news."},
    {"role": "user", "content": "Storm hits the coast overnight, thousands without power"},
]


class Summary(BaseModel):
    title: str
    points: list[str] = Field(min_length=1)
    score: float = Field(ge=0, le=1)


class Stance(StrEnum):
    support = "support"
    oppose = "oppose"


class Claim(BaseModel):
    text: Annotated[str, Field(min_length=20, max_length=40)]
    stance: Stance
    kind: Literal["fact", "opinion"]
    weight: int = Field(gt=3, le=10)
    source: str | None = None
    tags: dict[str, int] = Field(default_factory=dict)


class Report(BaseModel):
    headline: str
    claims: list[Claim] = Field(min_length=2, max_length=3)
    pair: tuple[int, str]
    confident: bool
    parent: Report | None = None


def _schema_format(model: type[BaseModel]) -> dict:
    return {
        "type": "json_schema",
        "json_schema": {"name": model.__name__, "schema": model.model_json_schema()},
    }


def _client(server: OpenAICompatServer, **kw) -> openai.OpenAI:
    kw.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=server.base_url, api_key=API_KEY, **kw)


def _raw(server: OpenAICompatServer, method: str, path: str, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# happy paths through the real clients
# --------------------------------------------------------------------------------------------


def test_openai_client_json_schema_roundtrip():
    with OpenAICompatServer() as server:
        with _client(server) as client:
            resp = client.chat.completions.create(
                model="fake-model", messages=MESSAGES, response_format=_schema_format(Summary)
            )
            models = client.models.list()
        parsed = Summary.model_validate_json(resp.choices[0].message.content)
        assert parsed.title.startswith("Storm hits the coast")
        assert parsed.points and 0 <= parsed.score <= 1
        assert resp.choices[0].finish_reason == "stop"
        assert resp.object == "chat.completion"
        assert resp.usage.prompt_tokens == 3 + 8  # whitespace words of both messages
        assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens
        assert [m.id for m in models.data] == ["fake-model"]
        assert server.stats.completed == 1
        assert server.stats.requests == 2


def test_openai_parse_helper_and_plain_text():
    with OpenAICompatServer() as server, _client(server) as client:
        parsed = client.chat.completions.parse(model="fake-model", messages=MESSAGES, response_format=Summary)
        assert isinstance(parsed.choices[0].message.parsed, Summary)
        plain = client.chat.completions.create(model="fake-model", messages=MESSAGES)
        assert "Storm hits the coast" in plain.choices[0].message.content


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
def test_langchain_structured_output(method):
    from langchain_openai import ChatOpenAI

    with OpenAICompatServer() as server:
        llm = ChatOpenAI(base_url=server.base_url, api_key=API_KEY, model="fake-model", max_retries=0)
        result = llm.with_structured_output(Report, method=method).invoke(
            "Summarise: parliament passes the budget after a long night"
        )
        assert isinstance(result, Report)
        assert 2 <= len(result.claims) <= 3
        assert result.claims[0].weight == 4 and result.claims[0].stance is Stance.support
        assert server.stats.completed == 1


def test_tool_call_shape_and_custom_responder():
    seen = []

    def responder(body: dict) -> str:
        seen.append(body)
        return json.dumps({"title": "custom", "points": ["a"], "score": 0.5})

    tool = {
        "type": "function",
        "function": {"name": "Summary", "parameters": Summary.model_json_schema()},
    }
    with OpenAICompatServer(responder=responder) as server, _client(server) as client:
        resp = client.chat.completions.create(
            model="fake-model", messages=MESSAGES, tools=[tool], tool_choice="required"
        )
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.function.name == "Summary"
    assert Summary.model_validate_json(call.function.arguments).title == "custom"
    assert seen and seen[0]["messages"] == MESSAGES


def test_supports_tools_false_answers_with_content():
    tool = {
        "type": "function",
        "function": {"name": "Summary", "parameters": Summary.model_json_schema()},
    }
    with OpenAICompatServer(supports_tools=False) as server, _client(server) as client:
        resp = client.chat.completions.create(model="m", messages=MESSAGES, tools=[tool])
    assert resp.choices[0].finish_reason == "stop"
    assert not resp.choices[0].message.tool_calls
    Summary.model_validate_json(resp.choices[0].message.content)


def test_generate_instance_is_valid_for_pydantic_schemas():
    for model in (Summary, Claim, Report):
        instance = generate_instance(model.model_json_schema(), "a b c")
        model.model_validate(instance)
        # the OpenAI strict variant (all required, additionalProperties false) too
        from openai.lib._pydantic import to_strict_json_schema

        model.model_validate(generate_instance(to_strict_json_schema(model), "a b c"))
    assert generate_instance({"type": "integer", "exclusiveMinimum": 3}) == 4
    assert generate_instance({"type": "string", "enum": ["x", "y"]}) == "x"
    assert generate_instance({"type": "array", "items": {}, "maxItems": 0}) == []


# --------------------------------------------------------------------------------------------
# errors, rate limiting, faults
# --------------------------------------------------------------------------------------------


def test_json_schema_unsupported_gives_400():
    with OpenAICompatServer(supports_json_schema=False) as server, _client(server) as client:
        with pytest.raises(openai.BadRequestError) as info:
            client.chat.completions.create(
                model="fake-model", messages=MESSAGES, response_format=_schema_format(Summary)
            )
        assert info.value.status_code == 400
        assert info.value.param == "response_format"
        assert "json_schema not supported" in info.value.message
        # json_object still works, so the toolkit can fall back
        resp = client.chat.completions.create(
            model="fake-model", messages=MESSAGES, response_format={"type": "json_object"}
        )
        assert isinstance(json.loads(resp.choices[0].message.content), dict)


def test_stream_true_is_rejected():
    with OpenAICompatServer() as server, _client(server) as client:
        with pytest.raises(openai.BadRequestError, match="stream"):
            client.chat.completions.create(model="m", messages=MESSAGES, stream=True)


def test_max_concurrency_gives_429_with_retry_after():
    async def scenario(server: OpenAICompatServer):
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key=API_KEY, max_retries=0) as client:
            calls = [client.chat.completions.create(model="fake-model", messages=MESSAGES) for _ in range(6)]
            return await asyncio.gather(*calls, return_exceptions=True)

    with OpenAICompatServer(latency=0.3, max_concurrency=2, retry_after=0.25) as server:
        results = asyncio.run(scenario(server))
        limited = [r for r in results if isinstance(r, openai.RateLimitError)]
        ok = [r for r in results if not isinstance(r, BaseException)]
        assert limited and ok
        assert len(limited) + len(ok) == 6
        assert limited[0].response.headers["retry-after"] == "0.25"
        assert limited[0].code == "rate_limit_exceeded"
        assert server.stats.max_in_flight <= 2
        assert server.stats.rejected_429 == len(limited)


def test_openai_client_retries_after_429():
    async def scenario(server: OpenAICompatServer):
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key=API_KEY, max_retries=10) as client:
            calls = [client.chat.completions.create(model="fake-model", messages=MESSAGES) for _ in range(3)]
            return await asyncio.gather(*calls)

    with OpenAICompatServer(latency=0.02, max_concurrency=1, retry_after=0.05) as server:
        results = asyncio.run(scenario(server))
        assert len(results) == 3
        assert server.stats.completed == 3
        assert server.stats.rejected_429 > 0


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("500", openai.InternalServerError),
        ("503", openai.InternalServerError),
        ("timeout", openai.APITimeoutError),
        ("drop", openai.APIConnectionError),
        ("truncated", json.JSONDecodeError),
    ],
)
def test_transport_faults(kind, error):
    plan = FaultPlan(rate=1.0, kinds=(kind,), timeout_seconds=0.5)
    with OpenAICompatServer(faults=plan) as server, _client(server, timeout=0.2) as client:
        start = time.monotonic()
        with pytest.raises(error) as info:
            client.chat.completions.create(model="fake-model", messages=MESSAGES)
        if kind in ("500", "503"):
            assert info.value.status_code == int(kind)
        assert time.monotonic() - start < 2
        assert server.stats.faults_by_kind == {kind: 1}
        assert server.stats.completed == 0
        (entry,) = server.stats.request_log
        expected = {"500": 500, "503": 503, "truncated": 200}.get(kind)
        assert entry["status"] == expected and entry["fault"] == kind


def test_truncated_is_half_a_json_body():
    plan = FaultPlan(rate=1.0, kinds=("truncated",))
    with OpenAICompatServer(faults=plan) as server:
        status, headers, body = _raw(
            server,
            "POST",
            "/v1/chat/completions",
            {"model": "m", "messages": MESSAGES},
            {"Authorization": "Bearer x", "Content-Type": "application/json"},
        )
    assert status == 200 and int(headers["Content-Length"]) == len(body)
    assert body.startswith(b'{"id":"chatcmpl-')
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)


@pytest.mark.parametrize("kind", ["invalid_json", "schema_invalid"])
@pytest.mark.parametrize("use_tools", [False, True])
def test_content_faults(kind, use_tools):
    plan = FaultPlan(rate=1.0, kinds=(kind,))
    extra = (
        {
            "tools": [
                {
                    "type": "function",
                    "function": {"name": "Summary", "parameters": Summary.model_json_schema()},
                }
            ],
            "tool_choice": {"type": "function", "function": {"name": "Summary"}},
        }
        if use_tools
        else {"response_format": _schema_format(Summary)}
    )
    with OpenAICompatServer(faults=plan) as server, _client(server) as client:
        resp = client.chat.completions.create(model="fake-model", messages=MESSAGES, **extra)
    message = resp.choices[0].message
    text = message.tool_calls[0].function.arguments if use_tools else message.content
    if kind == "invalid_json":
        assert text == INVALID_JSON_CONTENT
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)
    else:
        json.loads(text)
        with pytest.raises(ValidationError):
            Summary.model_validate_json(text)


def test_fault_plan_is_deterministic():
    plan = FaultPlan(rate=0.3, seed=7)
    first = [plan.fault_for(i) for i in range(2000)]
    assert first == [FaultPlan(rate=0.3, seed=7).fault_for(i) for i in range(2000)]
    assert first != [FaultPlan(rate=0.3, seed=8).fault_for(i) for i in range(2000)]
    hit = [k for k in first if k]
    assert 450 < len(hit) < 750
    assert set(hit) == set(plan.kinds)
    with pytest.raises(ValueError):
        FaultPlan(kinds=("nope",))


def test_mixed_faults_follow_the_plan():
    plan = FaultPlan(rate=0.5, seed=3, kinds=("500", "invalid_json", "schema_invalid"))
    with OpenAICompatServer(faults=plan) as server, _client(server) as client:
        for _ in range(20):
            try:
                client.chat.completions.create(model="m", messages=MESSAGES)
            except openai.InternalServerError:
                pass
        expected = [plan.fault_for(i) for i in range(20)]
        assert [e["fault"] for e in server.stats.request_log] == expected
        assert server.stats.completed == expected.count(None)


# --------------------------------------------------------------------------------------------
# auth, secrets, protocol
# --------------------------------------------------------------------------------------------


def test_auth_required_and_secret_never_stored():
    secret = "sk-" + "very-secret-value-123"  # built at run time: no key-shaped literal in the tree
    with OpenAICompatServer() as server:
        body = {"model": "m", "messages": MESSAGES}
        status, _, payload = _raw(server, "POST", "/v1/chat/completions", body)
        assert status == 401
        assert json.loads(payload)["error"]["code"] == "invalid_api_key"
        status, _, _ = _raw(server, "GET", "/v1/models", headers={"Authorization": "Basic abc"})
        assert status == 401
        with openai.OpenAI(base_url=server.base_url, api_key=secret, max_retries=0) as client:
            client.chat.completions.create(model="m", messages=MESSAGES)
        snapshot = server.stats.snapshot()
        assert [e["status"] for e in snapshot["request_log"]] == [401, 401, 200]
        assert all(set(e) == {"seq", "method", "path", "body_hash", "status", "fault"} for e in snapshot["request_log"])
        assert secret not in repr(snapshot) and secret not in repr(server.stats)
        assert "Authorization" not in repr(snapshot) and "Bearer" not in repr(snapshot)


def test_unknown_path_and_keep_alive():
    with OpenAICompatServer() as server:
        auth = {"Authorization": "Bearer x"}
        assert _raw(server, "GET", "/v1/nope", headers=auth)[0] == 404
        assert _raw(server, "GET", "/v1/chat/completions", headers=auth)[0] == 405
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            for _ in range(5):
                conn.request("GET", "/v1/models", headers=auth)
                resp = conn.getresponse()
                assert resp.status == 200 and json.loads(resp.read())["data"]
        finally:
            conn.close()
        assert server.stats.connections == 3  # two one-shot connections + one reused


def test_32_concurrent_clients_share_keepalive_connections():
    async def scenario(server: OpenAICompatServer, n: int):
        async with openai.AsyncOpenAI(base_url=server.base_url, api_key=API_KEY, max_retries=0) as client:
            sem = asyncio.Semaphore(32)

            async def one():
                async with sem:
                    return await client.chat.completions.create(
                        model="fake-model",
                        messages=MESSAGES,
                        response_format=_schema_format(Summary),
                    )

            return await asyncio.gather(*(one() for _ in range(n)))

    with OpenAICompatServer(latency=0.05, max_concurrency=32) as server:
        results = asyncio.run(scenario(server, 320))
        assert len(results) == 320
        assert server.stats.completed == 320 and server.stats.rejected_429 == 0
        assert server.stats.max_in_flight <= 32
        assert server.stats.connections <= 40  # keep-alive reuse


def test_main_runs_bounded(capsys):
    main(["--port", "0", "--max-seconds", "0.3", "--latency", "0.01"])  # returns by itself
    captured = capsys.readouterr()
    assert "listening on http://127.0.0.1:" in captured.out
    assert '"requests": 0' in captured.err
