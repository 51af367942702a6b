"""The direct strategy on real model answers: genuine recordings of Qwen2.5-Coder-1.5B (local,
llama.cpp, grammar-constrained) on the sample articles and the reference article, replayed.

The same recordings then answer over real HTTP from the local OpenAI-compatible server, so the
OpenAI code path (the real openai client through langchain-openai) runs the very same chains
with each structured-output method: json_schema, function calling and JSON mode.
Re-record with `scripts/record-responses --direct` (needs `toolkit models install-qwen`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SAMPLES, SEED
from tests.support.openai_server import OpenAICompatServer
from toolkit.article import load_article
from toolkit.grounding import verify
from toolkit.providers.openai.chat import OpenAIModel
from toolkit.runner import run

DIRECT_RESPONSES = ROOT / "tests" / "responses-direct"
QWEN = "local:qwen2.5-1.5b"
ARTICLES = [SAMPLES / "harbour-strike.txt", SAMPLES / "clinic-funding.json", SAMPLES / "election-audit.html"]
_JSON_MODE_HINT = "Answer with one JSON object only"


def _articles() -> list[Path]:
    return ARTICLES + ([SEED] if SEED.exists() else [])


def _replayed(article: Path) -> Any:
    return run(article, model=QWEN, record_mode="replay", responses_dir=DIRECT_RESPONSES, strategy="direct")


@pytest.mark.parametrize("article", _articles(), ids=lambda p: p.name)
def test_recorded_direct_runs_replay_and_hold_their_checks(article: Path) -> None:
    result = _replayed(article)
    assert result.strategy == "direct"
    assert result.ok, {n: r.error for n, r in result.chains.items()}
    assert len(result.calls) <= 4
    text = load_article(article).text
    claims = result.output("claims").claims
    assert claims
    for claim in claims:
        if claim.alignment != "ungrounded":
            assert verify(text, claim.start, claim.end, claim.quote), claim
    ids = {c.id for c in claims}
    for pair in result.output("counterclaims").pairs:
        assert pair.claim_a in ids and pair.claim_b in ids and pair.claim_a != pair.claim_b
    summary = result.output("summary")
    assert 1 <= len(summary.key_points) <= 5
    for point in summary.key_points:
        assert point.claims and set(point.claims) <= ids
        assert verify(text, point.start, point.end, point.quote)


def _recorded_answers() -> dict[str, str]:
    answers = {}
    for path in DIRECT_RESPONSES.glob("*.json"):
        record = json.loads(path.read_text("utf-8"))
        answers[json.dumps(record["request"]["messages"], sort_keys=True)] = record["response"]["text"]
    return answers


def _responder(answers: dict[str, str]) -> Any:
    """Answers a chat request with the recorded answer to the same messages (a JSON-mode request
    carries the schema in an extra first system message, which the lookup leaves out)."""

    def respond(body: dict) -> str:
        messages = [{"role": m["role"], "content": m["content"]} for m in body["messages"]]
        if messages and messages[0]["role"] == "system" and messages[0]["content"].startswith(_JSON_MODE_HINT):
            messages = messages[1:]
        return answers[json.dumps(messages, sort_keys=True)]

    return respond


def _claims_view(result: Any) -> list[tuple[Any, ...]]:
    return [(c.quote, c.start, c.claimant, c.type, c.text) for c in result.output("claims").claims]


@pytest.mark.parametrize(
    ("json_schema", "forced", "method"),
    [
        (True, None, "json_schema"),  # OpenAI's API
        (False, None, "function_calling"),  # a server without json_schema: the provider falls back
        (False, "json_mode", "json_mode"),  # JSON mode, the schema in the prompt
    ],
)
def test_the_openai_path_runs_the_same_direct_chains_over_http(
    monkeypatch: pytest.MonkeyPatch, json_schema: bool, forced: str | None, method: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    answers = _recorded_answers()
    article = ARTICLES[0]
    expected = _replayed(article)
    with OpenAICompatServer(responder=_responder(answers), supports_json_schema=json_schema) as server:
        model = OpenAIModel("qwen2.5-1.5b", base_url=server.base_url, method=forced)
        result = run(article, model=model)  # auto: the OpenAI provider declares itself capable
    assert result.strategy == "direct" and result.ok
    assert _claims_view(result) == _claims_view(expected)
    assert result.output("counterclaims") == expected.output("counterclaims")
    assert [k.text for k in result.output("summary").key_points] == [
        k.text for k in expected.output("summary").key_points
    ]
    assert len(result.calls) == len(expected.calls)
    assert model._methods[0] == method  # the method the server accepted, remembered for the batch
