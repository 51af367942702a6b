"""Validation, the one repair attempt, and the clear failure that keeps the raw answer.

The model answers here are hand-written fixtures (ScriptedModel), not recordings.
"""

import sys
from pathlib import Path

import pytest

from toolkit.errors import OutputValidationError
from toolkit.runner import run
from toolkit.testing.fakes import ScriptedModel

sys.path.insert(0, str(Path(__file__).parent / "example_plugin"))
from example_headline import HeadlineChain  # noqa: E402

from toolkit.article import article_from_text  # noqa: E402
from toolkit.chain import ChainContext, ChainInput  # noqa: E402

ARTICLE = article_from_text("The council voted to close the bridge on Tuesday.")


def _run(answers):
    model = ScriptedModel(answers)
    ctx = ChainContext(model=model)
    out = HeadlineChain().build(ctx).invoke(ChainInput(article=ARTICLE))
    return out, ctx, model


def test_valid_answer_needs_one_call():
    out, ctx, _ = _run(['{"headline": "Bridge closes"}'])
    assert out.headline == "Bridge closes" and len(ctx.records) == 1 and ctx.records[0].ok


def test_malformed_json_gets_one_repair_with_the_error():
    out, ctx, model = _run(['{"headline": "Bridge', '{"headline": "Bridge closes"}'])
    assert out.headline == "Bridge closes"
    assert [r.ok for r in ctx.records] == [False, True]
    repair = model.requests[1].messages
    assert repair[-2] == {"role": "assistant", "content": '{"headline": "Bridge'}
    assert "not valid" in repair[-1]["content"]


def test_schema_violation_twice_raises_with_raw_answer():
    with pytest.raises(OutputValidationError) as info:
        _run(['{"title": "x"}', '{"headline": ""}'])
    assert info.value.raw == '{"headline": ""}'
    assert "stayed invalid after one repair" in str(info.value)


def test_langchain_runnable_supports_batch_and_async():
    import asyncio

    model = ScriptedModel(lambda request: '{"headline": "Same"}')
    runnable = HeadlineChain().build(ChainContext(model=model))
    assert [o.headline for o in runnable.batch([ChainInput(article=ARTICLE)] * 2)] == ["Same", "Same"]
    assert asyncio.run(runnable.ainvoke(ChainInput(article=ARTICLE))).headline == "Same"


def test_run_records_provenance_and_tokens(monkeypatch):
    monkeypatch.syspath_prepend(str(Path(__file__).parent / "example_plugin"))
    import importlib

    from toolkit import plugins

    plugins.register_plugin(importlib.import_module("example_headline"), name="headline-test")
    try:
        result = run(ARTICLE, chains="headline", model=ScriptedModel(['{"headline": "Bridge closes"}']))
    finally:
        plugins.unregister_plugin("headline-test")
    assert result.article.sha256 == ARTICLE.sha256
    run_info = result.chains["headline"]
    assert run_info.version == "0.1.0" and run_info.prompts[0]["sha256"]
    assert run_info.usage.prompt_tokens > 0 and result.model == "fake:scripted"
