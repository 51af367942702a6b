"""Per-article analyses computed once by the runner, and in a worker process ahead of a batch's chains."""

from __future__ import annotations

import asyncio
import json
import pickle
from pathlib import Path

import pytest

import toolkit_plugins.news as nlp
from tests.support.openai_server import generate_instance
from toolkit.analysis_pool import AnalysisPool, AnalysisWorkers, take
from toolkit.batch import nlp_workers, run_batch, use_nlp_process
from toolkit.errors import PluginError
from toolkit.models import Model, ModelRequest, ModelResponse, Usage
from toolkit.runner import run

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


def test_the_runner_computes_each_analysis_once_per_article(monkeypatch):
    from toolkit import analyzers

    calls: list[str] = []
    real = analyzers.compute_analyses

    def counting(text, names):
        calls.append(text)
        return real(text, names)

    monkeypatch.setattr("toolkit.runner.compute_analyses", counting)
    result = run(TEXTS[0], model=SchemaModel())  # claims and summary both read the news analysis
    assert result.ok and calls == [TEXTS[0]]
    given = {"news": nlp.compute_analysis(TEXTS[0])}
    calls.clear()
    run(TEXTS[0], model=SchemaModel(), analyses=given)  # computed ahead (a batch's worker): not again
    assert calls == []


def test_a_chain_input_built_by_hand_computes_its_analysis():
    from toolkit.article import article_from_text
    from toolkit.chain import ChainInput

    inp = ChainInput(article=article_from_text(TEXTS[1]))
    first = inp.analysis("news")
    assert first == nlp.compute_analysis(TEXTS[1]) and inp.analysis("news") is first
    with pytest.raises(PluginError, match="unknown analyzer 'nosuch'"):
        inp.analysis("nosuch")


def test_an_analysis_survives_pickling_unchanged():
    analysis = nlp.compute_analysis(TEXTS[0])
    assert analysis.attributions
    assert pickle.loads(pickle.dumps(analysis)) == analysis


def test_the_worker_process_gives_the_in_process_analysis_and_reloads_its_pipeline():
    pool = AnalysisPool(("news",), reload_every=2)
    try:

        async def analyse_all() -> list:
            return [await pool.submit(t) for t in TEXTS[:5]]

        remote = asyncio.run(analyse_all())
        stats = pool.stats()
    finally:
        pool.shutdown()
    assert remote == [{"news": nlp.compute_analysis(t)} for t in TEXTS[:5]]
    assert stats["texts"] == 5 and stats["loads"] == 3
    assert pool.submit(TEXTS[0]) is None and pool.broken  # shut down: the chains analyse in-process


def test_several_workers_share_the_texts_and_give_the_in_process_analyses():
    workers = AnalysisWorkers(("news",), workers=2)
    try:

        async def analyse_all() -> list:
            futures = [workers.submit(t) for t in TEXTS]  # all in hand at once: both workers get some
            return [await f for f in futures]

        remote = asyncio.run(analyse_all())
        per_worker = [p.stats()["texts"] for p in workers.pools]
        total = workers.stats()
    finally:
        workers.shutdown()
    assert remote == [{"news": nlp.compute_analysis(t)} for t in TEXTS]
    assert sorted(per_worker) == [3, 3] and total["texts"] == len(TEXTS) and total["workers"] == 2
    assert workers.submit(TEXTS[0]) is None and workers.broken


def test_direct_chains_get_a_spacy_worker_per_core_guided_ones_one():
    assert nlp_workers("guided", cores=2) == 1 and nlp_workers("guided", cores=16) == 1
    assert nlp_workers("direct", cores=2) == 2 and nlp_workers("direct", cores=1) == 1
    assert nlp_workers("direct", cores=64) == 4  # each worker holds its own pipeline: capped


def test_take_gives_the_prefetched_analyses_and_a_failed_prefetch_is_ignored():
    async def main() -> tuple:
        loop = asyncio.get_running_loop()
        good = loop.create_future()
        good.set_result({"news": nlp.compute_analysis(TEXTS[3])})
        bad = loop.create_future()
        bad.set_exception(RuntimeError("worker died"))
        return await take(good), await take(bad), await take(None)

    good, bad, none = asyncio.run(main())
    assert good == {"news": nlp.compute_analysis(TEXTS[3])} and bad is None and none is None


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


def test_a_batch_with_the_nlp_process_gives_the_same_outputs(tmp_path, monkeypatch):
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)), "utf-8")
    in_process = run_batch(inp, tmp_path / "thread.jsonl", model=SchemaModel(), runlog=False, nlp_process=False)
    from toolkit import runner

    local: list[str] = []
    real = runner.compute_analyses
    monkeypatch.setattr(runner, "compute_analyses", lambda text, names: local.extend(names) or real(text, names))
    offloaded = run_batch(inp, tmp_path / "process.jsonl", model=SchemaModel(), runlog=False, nlp_process=True)
    assert in_process.ok == offloaded.ok == len(TEXTS)
    assert _outputs(tmp_path / "thread.jsonl") == _outputs(tmp_path / "process.jsonl")
    assert local == []  # every article's analysis came from the worker: no spaCy pass in this process


def test_in_process_spacy_keeps_one_thread_while_chains_use_several(tmp_path, monkeypatch):
    """The chains' code runs on several threads; spaCy, when it runs in the batch process, on one of its own."""
    import threading

    from toolkit import runner
    from toolkit.batch import run as batch_run

    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": f"a{i}", "text": t}) + "\n" for i, t in enumerate(TEXTS)), "utf-8")
    threads: set[str] = set()
    real = runner.compute_analyses

    def computing(text: str, names: list[str]) -> dict:
        threads.add(threading.current_thread().name)
        return real(text, names)

    monkeypatch.setattr(runner, "compute_analyses", computing)
    report = run_batch(inp, tmp_path / "out.jsonl", model=SchemaModel(), runlog=False, nlp_process=False)
    assert report.ok == len(TEXTS)
    assert batch_run.CHAIN_THREADS >= 2
    assert len(threads) == 1 and next(iter(threads)).startswith("toolkit-nlp")


def test_openai_json_schema_answer_cut_short_is_an_error_and_bindings_are_reused():
    from types import SimpleNamespace

    from toolkit.errors import ModelError
    from toolkit.models import ModelRequest
    from toolkit.providers.openai.chat import OpenAIModel

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
