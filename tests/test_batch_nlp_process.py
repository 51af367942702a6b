"""analyse()'s primable cache, and spaCy in a worker process ahead of a batch's chains."""

from __future__ import annotations

import asyncio
import json
import pickle
from pathlib import Path

import pytest

from toolkit import nlp
from toolkit.analysis_pool import AnalysisPool, take
from toolkit.batch import run_batch, use_nlp_process
from toolkit.models import Model, ModelRequest, ModelResponse, Usage
from toolkit.testing.openai_server import generate_instance

TEXTS = [
    (
        f"Storm damages town {i}\n\n"
        f"Officials in town {i} said the storm destroyed {i + 3} bridges on Monday. "
        f'"We have never seen anything like it," the mayor, Ana Ruiz, told reporters. '
        f"According to the police, road {i} will stay closed for months."
    )
    for i in range(6)
]


class SchemaModel(Model):
    """Answers every request with a valid instance of its schema (deterministic)."""

    model_id = "fake:schema"

    def complete(self, request: ModelRequest) -> ModelResponse:
        user = [m["content"] for m in request.messages if m.get("role") == "user"]
        hint = " ".join((user[-1] if user else "example").split()[:8])
        answer = json.dumps(generate_instance(request.json_schema, hint))
        return ModelResponse(text=answer, model=self.model_id, usage=Usage(prompt_tokens=10, completion_tokens=3))

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        return self.complete(request)


@pytest.fixture
def fresh_cache():
    cache = nlp.analysis_cache()
    old = cache.maxsize
    nlp.analyse.cache_clear()
    yield cache
    cache.resize(old)
    nlp.analyse.cache_clear()


def test_analyse_is_cached_and_a_primed_analysis_is_returned_as_is(fresh_cache):
    first = nlp.analyse(TEXTS[0])
    assert nlp.analyse(TEXTS[0]) is first and fresh_cache.hits == 1
    other = nlp.compute_analysis(TEXTS[1])
    nlp.prime(TEXTS[1], other)
    assert nlp.analyse(TEXTS[1]) is other
    nlp.forget(TEXTS[1])
    assert TEXTS[1] not in fresh_cache
    with pytest.raises(ValueError):
        nlp.prime(TEXTS[2], other)


def test_the_cache_is_a_bounded_lru(fresh_cache):
    fresh_cache.resize(2)
    a, b, c = (nlp.compute_analysis(t) for t in TEXTS[:3])
    nlp.prime(TEXTS[0], a)
    nlp.prime(TEXTS[1], b)
    assert nlp.analyse(TEXTS[0]) is a  # TEXTS[0] is now the most recent
    nlp.prime(TEXTS[2], c)
    assert len(fresh_cache) == 2 and TEXTS[1] not in fresh_cache and TEXTS[0] in fresh_cache
    assert fresh_cache.resize(1) == 2 and list(fresh_cache._data) == [TEXTS[2]]


def test_an_analysis_survives_pickling_unchanged():
    analysis = nlp.compute_analysis(TEXTS[0])
    assert analysis.attributions
    assert pickle.loads(pickle.dumps(analysis)) == analysis


def test_the_worker_process_gives_the_in_process_analysis_and_reloads_its_pipeline():
    pool = AnalysisPool(reload_every=2)
    try:

        async def analyse_all() -> list:
            return [await pool.submit(t) for t in TEXTS[:5]]

        remote = asyncio.run(analyse_all())
        stats = pool.stats()
    finally:
        pool.shutdown()
    assert remote == [nlp.compute_analysis(t) for t in TEXTS[:5]]
    assert stats["texts"] == 5 and stats["loads"] == 3
    assert pool.submit(TEXTS[0]) is None and pool.broken  # shut down: the chains analyse in-process


def test_take_primes_the_cache_and_a_failed_prefetch_is_ignored(fresh_cache):
    async def main() -> tuple[bool, bool, bool]:
        loop = asyncio.get_running_loop()
        good = loop.create_future()
        good.set_result(nlp.compute_analysis(TEXTS[3]))
        bad = loop.create_future()
        bad.set_exception(RuntimeError("worker died"))
        return await take(good, TEXTS[3]), await take(bad, TEXTS[4]), await take(None, TEXTS[4])

    assert asyncio.run(main()) == (True, False, False)
    assert TEXTS[3] in fresh_cache and TEXTS[4] not in fresh_cache


def test_use_nlp_process(monkeypatch):
    assert use_nlp_process(True) and not use_nlp_process(False)
    monkeypatch.setenv("TOOLKIT_NLP_PROCESS", "1")
    assert use_nlp_process()
    monkeypatch.setenv("TOOLKIT_NLP_PROCESS", "0")
    assert not use_nlp_process()
    monkeypatch.delenv("TOOLKIT_NLP_PROCESS")
    assert not use_nlp_process()  # automatic: off under pytest


def _outputs(path: Path) -> dict[str, dict]:
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    return {d["article_id"]: d["outputs"] for d in lines}


def test_a_batch_with_the_nlp_process_gives_the_same_outputs(tmp_path, fresh_cache):
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)), "utf-8")
    fresh_cache.resize(5)
    in_process = run_batch(inp, tmp_path / "thread.jsonl", model=SchemaModel(), runlog=False, nlp_process=False)
    nlp.analyse.cache_clear()
    offloaded = run_batch(inp, tmp_path / "process.jsonl", model=SchemaModel(), runlog=False, nlp_process=True)
    assert in_process.ok == offloaded.ok == len(TEXTS)
    assert _outputs(tmp_path / "thread.jsonl") == _outputs(tmp_path / "process.jsonl")
    # every chain found its analysis primed: no spaCy pass in this process
    assert fresh_cache.misses == 0
    # finished articles are forgotten, and the cache size is restored after the batch
    assert len(fresh_cache) == 0 and fresh_cache.maxsize == 5


def test_openai_json_schema_answer_cut_short_is_an_error_and_bindings_are_reused():
    from types import SimpleNamespace

    from toolkit.errors import ModelError
    from toolkit.models import ModelRequest
    from toolkit.models.openai_compat import OpenAIModel

    model = OpenAIModel("fake-model", base_url="http://127.0.0.1:9/v1", api_key="k")
    request = ModelRequest(
        model=model.model_id,
        messages=[{"role": "user", "content": "hi"}],
        schema_name="Answer",
        json_schema={"type": "object", "properties": {"a": {"type": "string"}}},
        params={"max_tokens": 8},
    )
    first, _ = model._bound("json_schema", request)
    second, messages = model._bound("json_schema", request)
    assert first is second and messages == request.messages
    assert first.kwargs["extra_body"]["response_format"]["json_schema"]["name"] == "Answer"
    model._check_finish("json_schema", SimpleNamespace(response_metadata={"finish_reason": "stop"}))
    with pytest.raises(ModelError, match="LengthFinishReasonError") as caught:
        model._check_finish("json_schema", SimpleNamespace(response_metadata={"finish_reason": "length"}))
    assert not caught.value.retryable
