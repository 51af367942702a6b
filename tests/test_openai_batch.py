"""OpenAI Batch API export/import, in rounds, against recorded (generated) fixture files.

No OpenAI key exists here. The fixture result files in tests/fixtures/openai_batch/ were made by
make_fixtures.py, which sends the toolkit's own request file to the local fake server and wraps
each answer in the Batch API's output-line format: generated fixtures, not OpenAI recordings.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.openai_server import OpenAICompatServer
from toolkit.batch import BatchPaths, run_batch
from toolkit.cli import app
from toolkit.models import Model, ModelRequest, ModelResponse
from toolkit.plugins import register_plugin, unregister_plugin
from toolkit.providers.openai.batch_api import URL, request_body, run_openai_batch
from toolkit.runlog import read_calls

FIXTURES = Path(__file__).parent / "fixtures" / "openai_batch"
MODEL = "openai:gpt-4o-mini"
runner = CliRunner()


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, FIXTURES / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def echo_chain():
    module = _load("batch_echo_chain", "echo_chain.py")
    register_plugin(module.EchoPlugin(), name="echo-test")
    yield module
    unregister_plugin("echo-test")


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    return Path(shutil.copy(FIXTURES / "articles.jsonl", tmp_path / "articles.jsonl"))


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def by_id(requests: list[dict]) -> list[dict]:
    return sorted(requests, key=lambda r: r["custom_id"])


class NoNetwork(Model):
    """Stands in for gpt-4o-mini: any call that reaches it is a cache miss, and fails the test."""

    model_id = MODEL
    tier = "capable"  # as the OpenAI provider declares: the same (direct) strategy runs
    context_window = 128_000
    calls = 0

    def complete(self, request: ModelRequest) -> ModelResponse:
        NoNetwork.calls += 1
        raise AssertionError("a call reached the model: the response cache should have answered it")


def test_request_lines_are_in_the_batch_api_format():
    for line in lines(FIXTURES / "round-001.requests.jsonl"):
        assert set(line) == {"custom_id", "method", "url", "body"}
        assert line["method"] == "POST" and line["url"] == URL == "/v1/chat/completions"
        body = line["body"]
        assert body["model"] == "gpt-4o-mini" and body["messages"][0]["role"] == "system"
        assert body["response_format"]["type"] == "json_schema"
        assert set(body["response_format"]["json_schema"]) == {"name", "schema"}
        assert body["temperature"] == 0.0 and body["max_tokens"] > 0
        assert len(line["custom_id"]) == 64
    request = ModelRequest(
        model=MODEL,
        messages=[{"role": "user", "content": "x"}],
        schema_name="S",
        json_schema={"type": "object"},
        params={"temperature": 0, "repeat_penalty": 1.1},
    )
    assert "repeat_penalty" not in request_body(request, "gpt-4o-mini")  # only what OpenAIModel sends


def test_recorded_rounds_round_trip(tmp_path, articles, echo_chain):
    out = tmp_path / "out.jsonl"
    imports: list[Path] = []
    for round_no in (1, 2, 3):
        report = run_openai_batch(articles, out, imports=imports, model=MODEL, chains="echo_test")
        assert report.round_no == round_no and not report.complete
        (written,) = report.request_files
        # articles run side by side, so requests reach the file in no fixed order; the ids pair them up
        assert by_id(lines(written)) == by_id(lines(FIXTURES / f"round-{round_no:03d}.requests.jsonl"))
        if round_no == 2:  # round 1's error line: that request is back, the others moved on
            assert report.imported.imported == 2 and report.imported.errors == {"server_error": 1}
            assert report.batch.ok == 0 and report.batch.pending == 3
        if round_no == 3:
            assert report.batch.ok == 2 and report.batch.pending == 1
        imports = [FIXTURES / f"round-{round_no:03d}.results.jsonl"]
    final = run_openai_batch(articles, out, imports=imports, model=MODEL, chains="echo_test")
    assert final.complete and final.requests == 0 and final.batch.ok == 1
    assert "all chains complete" in final.format()
    got = {r["article_id"]: r["outputs"] for r in lines(out)}
    assert got == {r["article_id"]: r["outputs"] for r in lines(FIXTURES / "expected-output.jsonl")}
    assert not BatchPaths.for_output(out).failures.read_text("utf-8")

    # imported calls are in the run log at the Batch API price; the final pass replayed them for free
    calls = read_calls(None)
    imported = calls[calls.source == "openai-batch"]
    assert (imported.status == "ok").sum() == 6 and (imported.status == "failed").sum() == 1
    assert imported.cost_usd.sum() > 0
    assert calls[calls.source == "cached"].cost_usd.sum() == 0

    # a later direct run of the same input is answered by the cache: nothing reaches the model
    NoNetwork.calls = 0
    report = run_batch(
        articles,
        tmp_path / "direct.jsonl",
        responses_dir=BatchPaths.for_output(out).responses,
        model=NoNetwork(),
        chains="echo_test",
        runlog=False,
    )
    assert report.ok == 3 and NoNetwork.calls == 0 and report.live_calls == 0


def test_sent_requests_are_not_written_twice(tmp_path, articles, echo_chain):
    out = tmp_path / "out.jsonl"
    first = run_openai_batch(articles, out, model=MODEL, chains="echo_test", runlog=False)
    assert first.requests == 3
    again = run_openai_batch(articles, out, model=MODEL, chains="echo_test", runlog=False)
    assert again.requests == 0 and again.awaiting == 3 and not again.complete
    assert "still await their results" in again.format()
    resent = run_openai_batch(articles, out, model=MODEL, chains="echo_test", resubmit=True, runlog=False)
    assert resent.requests == 3 and resent.round_no == 2
    # importing the same results twice, or results of another output, is reported, not stored
    results = FIXTURES / "round-001.results.jsonl"
    report = run_openai_batch(articles, out, imports=[results], model=MODEL, chains="echo_test", runlog=False)
    assert report.imported.imported == 2
    report = run_openai_batch(articles, out, imports=[results], model=MODEL, chains="echo_test", runlog=False)
    assert report.imported.already == 2 and report.imported.imported == 0
    other = tmp_path / "other.jsonl"
    other.write_text(json.dumps({"custom_id": "f" * 64, "response": None, "error": {"code": "x"}}) + "\n", "utf-8")
    report = run_openai_batch(articles, out, imports=[other], model=MODEL, chains="echo_test", runlog=False)
    assert report.imported.unknown == 1


def test_builtin_chains_complete_in_rounds_through_the_fake_server(tmp_path):
    make = _load("make_openai_batch_fixtures", "make_fixtures.py")
    inp = tmp_path / "in.jsonl"
    inp.write_text(
        json.dumps(
            {
                "id": "b1",
                "text": "Officials said the storm destroyed three bridges on Monday. However, "
                "residents said the damage was far worse than officials reported.",
            }
        )
        + "\n"
        + json.dumps(
            {
                "id": "b2",
                "text": "The mayor told reporters that repairs will take months. Critics said "
                "the mayor had ignored warnings about the bridges for years.",
            }
        )
        + "\n",
        "utf-8",
    )
    out = tmp_path / "out.jsonl"
    imports: list[Path] = []
    with OpenAICompatServer() as server:
        for _ in range(8):
            report = run_openai_batch(inp, out, imports=imports, model=MODEL, runlog=False)
            if report.complete:
                break
            imports = []
            for n, requests in enumerate(report.request_files):
                results = tmp_path / f"results-{report.round_no}-{n}.jsonl"
                make.write_jsonl(results, make.results_for(requests, server.base_url))
                imports.append(results)
        requested = server.stats.completed
    assert report.complete and report.round_no >= 3  # direct strategy: claims, then pairs, then the brief
    assert sorted(r["article_id"] for r in lines(out)) == ["b1", "b2"]
    assert set(lines(out)[0]["outputs"]) == {"summary", "claims", "counterclaims"}
    NoNetwork.calls = 0
    direct = run_batch(
        inp,
        tmp_path / "direct.jsonl",
        responses_dir=BatchPaths.for_output(out).responses,
        model=NoNetwork(),
        runlog=False,
    )
    assert direct.ok == 2 and NoNetwork.calls == 0 and direct.calls == requested


def test_cli_via_openai_batch(tmp_path, articles, echo_chain, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app,
        [
            "batch",
            "articles.jsonl",
            "--out",
            "out.jsonl",
            "--via",
            "openai-batch",
            "--model",
            MODEL,
            "--chains",
            "echo_test",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "openai-batch round 1: wrote 3 requests to out.openai-batch/round-001.requests.jsonl" in result.output
    assert "--via openai-batch --import RESULTS.jsonl" in result.output
    result = runner.invoke(
        app,
        [
            "batch",
            "articles.jsonl",
            "--out",
            "out.jsonl",
            "--via",
            "openai-batch",
            "--model",
            MODEL,
            "--chains",
            "echo_test",
            "--import",
            str(FIXTURES / "round-001.results.jsonl"),
        ],
    )
    assert result.exit_code == 0 and "imported 2 answers" in result.output and "server_error 1" in result.output
    bad = runner.invoke(
        app, ["batch", "articles.jsonl", "--out", "out.jsonl", "--via", "openai-batch", "--model", "local"]
    )
    assert bad.exit_code == 1 and bad.output.strip() == (
        "error: --via openai-batch needs an OpenAI model (--model openai:NAME), not 'local'"
    )
