"""The OpenAI path through the real openai client and langchain-openai, against a local server."""

import pytest

from tests.support.openai_server import FaultPlan, OpenAICompatServer
from toolkit.errors import ConfigError, ModelError
from toolkit.models import ModelRequest
from toolkit.providers import get_model
from toolkit.runner import run

ARTICLE = (
    "Bridge closure splits council\n"
    "The mayor said the old bridge will close in May because engineers found cracks.\n"
    "However, the opposition leader said the cracks are minor and the bridge is safe.\n"
)


def _request() -> ModelRequest:
    schema = {"type": "object", "properties": {"answer": {"type": "string"}}, "required": ["answer"]}
    return ModelRequest(
        model="openai:fake-model",
        messages=[{"role": "user", "content": "Say yes"}],
        schema_name="Answer",
        json_schema=schema,
        params={"temperature": 0},
    )


def test_native_json_schema_path():
    with OpenAICompatServer() as server:
        model = get_model("openai:fake-model", base_url=server.base_url, api_key="test-key")
        response = model.complete(_request())
        assert response.text.startswith("{") and response.usage.prompt_tokens > 0
        assert model._methods[0] == "json_schema"


def test_falls_back_to_function_calling_when_server_lacks_json_schema():
    with OpenAICompatServer(supports_json_schema=False) as server:
        model = get_model("openai:fake-model", base_url=server.base_url, api_key="test-key")
        response = model.complete(_request())
        assert "answer" in response.text
        assert model._methods[0] == "function_calling"


def test_all_three_chains_run_against_the_server():
    with OpenAICompatServer() as server:
        model = get_model("openai:fake-model", base_url=server.base_url, api_key="test-key")
        result = run(ARTICLE, model=model)
    assert result.ok
    claims = result.output("claims").claims
    assert {c.claimant for c in claims} >= {"the mayor", "the opposition leader"} or len(claims) >= 2
    for claim in claims:
        assert ARTICLE[claim.start : claim.end] == claim.quote


def test_missing_key_is_a_config_error(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    model = get_model("openai:gpt-4o-mini")
    with pytest.raises(ConfigError, match="OPENAI_API_KEY is not set"):
        model.complete(_request())


def test_server_errors_become_retryable_model_errors():
    with OpenAICompatServer(faults=FaultPlan(rate=1.0, kinds=("503",))) as server:
        model = get_model("openai:fake-model", base_url=server.base_url, api_key="test-key", max_retries=0)
        with pytest.raises(ModelError) as info:
            model.complete(_request())
    assert info.value.retryable and info.value.status == 503


def test_key_never_appears_in_repr():
    model = get_model("openai:fake-model", api_key="sk-secretsecretsecret")
    assert "secret" not in repr(model)
