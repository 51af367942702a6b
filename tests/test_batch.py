"""Batch runs: inputs, failures kept, resume (also after SIGKILL), faults, CLI, tables.

Two kinds of model: an in-process fake that answers from the request's JSON schema (its
answers are generated, not recordings of a real model), and the real path -- OpenAIModel via
langchain-openai and the openai client -- against the local fake server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import csv
import importlib.util
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.openai_server import FaultPlan, OpenAICompatServer, batch_command, generate_instance
from toolkit.batch import (
    BatchPaths,
    BatchReport,
    Columns,
    arun_batch,
    count_inputs,
    read_inputs,
    recover_jsonl,
    run_batch,
    to_dataframe,
)
from toolkit.cli import app
from toolkit.errors import ModelError
from toolkit.hashing import sha256_text
from toolkit.models import Model, ModelRequest, ModelResponse, Usage
from toolkit.plugins import register_plugin, unregister_plugin
from toolkit.runlog import read_calls, summarize

FIXTURES = Path(__file__).parent / "fixtures" / "openai_batch"
runner = CliRunner()


def make_text(i: int, extra: str = "") -> str:
    return (
        f"Storm damages town {i}\n\n"
        f"Officials in town {i} said the storm destroyed {i + 3} bridges on Monday. "
        f"However, residents of town {i} said the damage was far worse than reported. "
        f"The mayor told reporters that repairs to road {i} will take months. {extra}"
    ).strip()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


def hint(messages: list[dict]) -> str:
    user = [m["content"] for m in messages if m.get("role") == "user"]
    return " ".join((user[-1] if user else "example").split()[:8])


class SchemaModel(Model):
    """Answers every request with a valid instance of its schema; fails on a marker word."""

    model_id = "fake:schema"

    def __init__(self, fail_on: str | None = None, answer: str | None = None) -> None:
        self.fail_on = fail_on
        self.answer = answer
        self.requests: list[ModelRequest] = []

    def complete(self, request: ModelRequest) -> ModelResponse:
        self.requests.append(request)
        text = " ".join(m["content"] for m in request.messages)
        if self.fail_on and self.fail_on in text:
            raise ModelError("fake:schema: BadRequestError: Error code: 400 - refused", retryable=False, status=400)
        answer = self.answer or json.dumps(generate_instance(request.json_schema, hint(request.messages)))
        return ModelResponse(text=answer, model=self.model_id, usage=Usage(prompt_tokens=10, completion_tokens=3))

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        return self.complete(request)


def ids_in(path: Path) -> list[str]:
    """Ids of the complete lines (a line being written, or torn by a kill, has no newline yet)."""
    if not path.exists():
        return []
    lines = path.read_text("utf-8").splitlines(keepends=True)
    return [json.loads(line)["article_id"] for line in lines if line.strip() and line.endswith("\n")]


def exactly_once(out: Path, expected: set[str]) -> tuple[list[str], list[str]]:
    """Every expected id in exactly one of output and failures, no duplicates anywhere."""
    for path in (out, BatchPaths.for_output(out).failures):
        assert not path.exists() or path.read_bytes().endswith(b"\n") or not path.read_bytes()
    done, failed = ids_in(out), ids_in(BatchPaths.for_output(out).failures)
    assert len(done) == len(set(done)), "an article is twice in the output"
    assert len(failed) == len(set(failed)), "an article is twice in the failures file"
    assert not set(done) & set(failed), "an article is both done and failed"
    assert set(done) | set(failed) == expected
    return done, failed


@pytest.fixture
def echo_chain():
    spec = importlib.util.spec_from_file_location("batch_echo_chain", FIXTURES / "echo_chain.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    register_plugin(module.EchoPlugin(), name="echo-test")
    yield module
    unregister_plugin("echo-test")


# --------------------------------------------------------------------------------------------
# inputs


def test_folder_input(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(make_text(1), "utf-8")
    (folder / "b.md").write_text(make_text(2), "utf-8")
    (folder / "c.json").write_text(json.dumps({"id": "custom", "text": make_text(3), "outlet": "Daily"}), "utf-8")
    (folder / "empty.txt").write_text("   \n", "utf-8")
    (folder / "notes.csv").write_text("ignored", "utf-8")
    assert count_inputs(folder) == 4
    out = tmp_path / "out.jsonl"
    report = run_batch(folder, out, model=SchemaModel(), concurrency=4, runlog=False)
    assert (report.ok, report.failed) == (3, 1)
    done, failed = exactly_once(out, {"a", "b", "custom", "empty"})
    assert failed == ["empty"]
    record = json.loads(BatchPaths.for_output(out).failures.read_text("utf-8"))
    assert record["cause"] == "bad_article" and "empty" in record["error"] and record["chain"] is None
    first = json.loads(out.read_text("utf-8").splitlines()[0])
    assert set(first) >= {"article_id", "outputs", "chains", "calls", "article"}
    assert set(first["outputs"]) == {"summary", "claims", "counterclaims"}


def test_jsonl_with_bad_lines_in_the_middle(tmp_path):
    inp = tmp_path / "feed.jsonl"
    inp.write_text(
        json.dumps({"id": "n1", "text": make_text(1)})
        + "\n"
        + "{not json\n"
        + json.dumps({"id": "n2", "title": "no text here"})
        + "\n"
        + "\n"
        + json.dumps({"text": make_text(3), "title": "Given title"})
        + "\n"
        + json.dumps({"id": "n4", "text": make_text(4)})
        + "\n",
        "utf-8",
    )
    out = tmp_path / "out.jsonl"
    report = run_batch(inp, out, model=SchemaModel(), chains="claims", runlog=False)
    sha = sha256_text(make_text(3))
    done, failed = exactly_once(out, {"n1", "feed.jsonl:line-2", "n2", sha, "n4"})
    assert sorted(done) == sorted(["n1", sha, "n4"]) and report.failed == 2
    causes = {
        json.loads(line)["article_id"]: json.loads(line)["error"]
        for line in BatchPaths.for_output(out).failures.read_text("utf-8").splitlines()
    }
    assert "invalid JSON" in causes["feed.jsonl:line-2"] and "no text" in causes["n2"]
    titled = next(json.loads(line) for line in out.read_text("utf-8").splitlines() if sha in line)
    assert titled["article"]["title"] == "Given title"


def test_malformed_feed_lines_are_failures_with_their_line_number_and_reason(tmp_path):
    """Bad JSON, a missing text, binary bytes and latin-1 bytes in a 20-line feed: each bad line is
    one failure record naming its line and why; every other line is processed."""
    bad = {
        4: b"{not json at all\n",
        8: json.dumps({"id": "m8", "title": "no text"}).encode() + b"\n",
        12: b"\x00\xff\xfe\x89PNG\x1a\x0b binary\n",
        16: '{"id": "m16", "text": "Caf\u00e9 owners said the storm hit."}\n'.encode("latin-1"),
    }
    lines = [bad.get(n) or (json.dumps({"id": f"g{n}", "text": make_text(n)}) + "\n").encode() for n in range(1, 21)]
    inp = tmp_path / "feed.jsonl"
    inp.write_bytes(b"".join(lines))
    out = tmp_path / "out.jsonl"
    report = run_batch(inp, out, model=SchemaModel(), chains="claims", runlog=False)
    assert (report.ok, report.failed) == (16, 4)
    failures = {
        json.loads(line)["source"]: json.loads(line)
        for line in BatchPaths.for_output(out).failures.read_text("utf-8").splitlines()
    }
    reasons = {4: "invalid JSON", 8: "no text", 12: "not valid UTF-8", 16: "not valid UTF-8"}
    assert set(failures) == {f"feed.jsonl:line {n}" for n in reasons}
    for n, reason in reasons.items():
        record = failures[f"feed.jsonl:line {n}"]
        assert reason in record["error"] and f"line {n}" in record["error"] and record["cause"] == "bad_article"
    assert failures["feed.jsonl:line 8"]["article_id"] == "m8"  # the id is kept when the line has one
    exactly_once(
        out,
        {f"g{n}" for n in range(1, 21) if n not in bad}
        | {"feed.jsonl:line-4", "m8"}
        | {
            "feed.jsonl:line-12",
            "feed.jsonl:line-16",
        },
    )


def test_report_headline_is_articles_per_second_and_cost_per_article(tmp_path):
    prices = tmp_path / "prices.toml"
    prices.write_text('[models]\n"fake:schema" = { input = 100.0, output = 200.0 }\n', "utf-8")
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": f"a{i}", "text": make_text(i)} for i in range(3)])
    report = run_batch(inp, tmp_path / "out.jsonl", model=SchemaModel(), chains="claims", runlog=False, prices=prices)
    rates = report.to_dict()
    assert rates["articles_per_s"] == pytest.approx(3 / report.elapsed_s, rel=1e-2)
    assert rates["cost_per_article_usd"] == pytest.approx(report.cost_usd / 3, rel=1e-3) and report.cost_usd > 0
    assert rates["calls_per_article"] == pytest.approx(report.calls / 3, abs=0.01)
    assert rates["live_calls_per_s"] == pytest.approx(report.live_calls / report.elapsed_s, rel=1e-2)
    head = report.format().splitlines()[0]
    assert head == (
        f"batch done: {rates['articles_per_s']:.2f} articles/s, ${rates['cost_per_article_usd']:.5f} per article "
        f"(3 articles in {report.elapsed_s:.1f} s; {rates['calls_per_article']:g} calls per article, "
        f"{rates['live_calls_per_s']:.1f} live calls/s)"
    )


def test_toolkit_batch_runs_with_one_blas_thread_unless_the_user_set_a_count(monkeypatch):
    from toolkit.batch import BLAS_THREAD_VARS, one_blas_thread

    for var in BLAS_THREAD_VARS:
        monkeypatch.setenv(var, "x")  # restored after the test
        monkeypatch.delenv(var)
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    one_blas_thread()
    assert os.environ["OPENBLAS_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "1"
    assert os.environ["OMP_NUM_THREADS"] == "4"


def test_csv_in_the_fnc1_format_and_with_a_column_mapping(tmp_path):
    fnc = tmp_path / "bodies.csv"
    with fnc.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Body ID", "articleBody"])
        for i in range(3):
            writer.writerow([str(100 + i), make_text(i).replace(". ", ".\n\n", 1)])  # quoted multi-line fields
        writer.writerow(["103", ""])
    items = list(read_inputs(fnc))
    assert [i.article_id for i in items] == ["100", "101", "102", "103"]
    assert "\n" in items[0].article.text and items[3].error is not None
    out = tmp_path / "fnc.jsonl"
    run_batch(fnc, out, model=SchemaModel(), chains="claims", runlog=False)
    exactly_once(out, {"100", "101", "102", "103"})

    mapped = tmp_path / "mapped.csv"
    with mapped.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["key", "body", "headline", "paper", "link", "published"])
        writer.writerow(["k1", make_text(7), "Storm", "The Paper", "https://example.com/1", "2024-01-02"])
    columns = Columns(text="body", id="key", title="headline", outlet="paper", url="link", date="published")
    out2 = tmp_path / "mapped.jsonl"
    run_batch(mapped, out2, model=SchemaModel(), chains="claims", columns=columns, runlog=False)
    article = json.loads(out2.read_text("utf-8"))["article"]
    assert article["id"] == "k1" and article["title"] == "Storm" and article["outlet"] == "The Paper"
    assert article["url"] == "https://example.com/1" and article["date"] == "2024-01-02"
    with pytest.raises(Exception, match="no text column 'nope'"):
        list(read_inputs(mapped, Columns(text="nope")))


# --------------------------------------------------------------------------------------------
# failures and resume


def test_a_failing_article_is_recorded_and_redone_on_resume(tmp_path):
    inp = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a1", "text": make_text(1)},
            {"id": "a2", "text": make_text(2, "Police said the FAILME bridge in town 2 was closed.")},
            {"id": "a3", "text": make_text(3)},
        ],
    )
    out = tmp_path / "out.jsonl"
    broken = SchemaModel(fail_on="FAILME")
    report = run_batch(inp, out, model=broken, concurrency=2, runlog=False)
    assert (report.ok, report.failed, report.remaining_failures) == (2, 1, 1)
    exactly_once(out, {"a1", "a2", "a3"})
    failure = json.loads(BatchPaths.for_output(out).failures.read_text("utf-8"))
    assert failure["article_id"] == "a2" and failure["chain"] == "claims"  # the root, not its dependants
    assert failure["cause"] == "model/http_400" and "refused" in failure["error"]
    assert set(failure["failed_chains"]) == {"claims", "summary", "counterclaims"}
    assert failure["raw"] is None

    healthy = SchemaModel()
    report = run_batch(inp, out, model=healthy, concurrency=2, runlog=False)
    assert (report.ok, report.failed, report.skipped) == (1, 0, 2)
    done, failed = exactly_once(out, {"a1", "a2", "a3"})
    assert failed == [] and done[-1] == "a2"
    assert not BatchPaths.for_output(out).failures.read_text("utf-8")
    # only a2 went to the model again, and its calls completed in the first run came from the cache
    assert healthy.requests and all("town 2" in " ".join(m["content"] for m in r.messages) for r in healthy.requests)
    assert report.per_chain["claims"].cached > 0


def test_raw_answer_of_an_invalid_output_is_kept(tmp_path, echo_chain):
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": "x", "text": make_text(1)}])
    out = tmp_path / "out.jsonl"
    run_batch(inp, out, chains="echo_test", model=SchemaModel(answer="Sure! Here is"), runlog=False)
    failure = json.loads(BatchPaths.for_output(out).failures.read_text("utf-8"))
    assert failure["chain"] == "echo_test" and failure["cause"] == "invalid_output"
    assert failure["raw"] == "Sure! Here is"


def test_a_torn_last_line_is_cut_and_the_article_redone(tmp_path):
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": f"t{i}", "text": make_text(i)} for i in range(3)])
    out = tmp_path / "out.jsonl"
    run_batch(inp, out, model=SchemaModel(), chains="claims", runlog=False)
    lines = out.read_text("utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:2]) + lines[2][: len(lines[2]) // 2], "utf-8")  # a crash mid-write
    assert recover_jsonl(out) == {json.loads(line)["article_id"] for line in lines[:2]}
    assert out.read_text("utf-8") == "".join(lines[:2])
    out.write_text("".join(lines[:2]) + lines[2][: len(lines[2]) // 2], "utf-8")
    report = run_batch(inp, out, model=SchemaModel(), chains="claims", runlog=False)
    assert (report.ok, report.skipped) == (1, 2)
    exactly_once(out, {"t0", "t1", "t2"})


def test_duplicate_ids_are_ignored(tmp_path):
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": "d", "text": make_text(1)}, {"id": "d", "text": make_text(2)}])
    report = run_batch(inp, tmp_path / "out.jsonl", model=SchemaModel(), chains="claims", runlog=False)
    assert (report.ok, report.duplicates) == (1, 1)


# --------------------------------------------------------------------------------------------
# python API and tables


def test_async_api_streams_results_and_tables_for_pandas(tmp_path):
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": f"p{i}", "text": make_text(i)} for i in range(4)])
    out = tmp_path / "out.jsonl"
    report = BatchReport()

    async def collect() -> list:
        return [item async for item in arun_batch(inp, out, model=SchemaModel(), report=report, runlog=False)]

    items = asyncio.run(collect())
    assert sorted(i.article_id for i in items) == ["p0", "p1", "p2", "p3"]
    assert all(i.status == "ok" and i.result.ok for i in items) and report.ok == 4
    frame = to_dataframe(out)
    assert len(frame) == 4 and {"article_id", "summary.headline", "claims.n_claims", "prompt_tokens"} <= set(frame)
    claims = to_dataframe(out, level="claims")
    assert len(claims) == frame["claims.n_claims"].sum() and {"article_id", "claimant", "quote"} <= set(claims)
    assert to_dataframe(out, level="failures").empty

    report = run_batch(inp, out, model=SchemaModel(), fmt="csv", runlog=False)
    table = tmp_path / "out.csv"
    assert report.tables == [str(table)]
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert len(rows) == 4 and rows[0]["article_id"].startswith("p")
    run_batch(inp, out, model=SchemaModel(), fmt="parquet", runlog=False)
    import pandas as pd

    parquet = pd.read_parquet(tmp_path / "out.parquet")
    assert len(parquet) == 4 and parquet["claims.n_claims"].dtype.kind == "i"


def test_no_output_file_runs_without_resume(tmp_path):
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": "only", "text": make_text(1)}])

    async def collect() -> list:
        return [item async for item in arun_batch(inp, model=SchemaModel(), chains="claims", runlog=False)]

    assert [i.article_id for i in asyncio.run(collect())] == ["only"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


# --------------------------------------------------------------------------------------------
# the real HTTP path: CLI, run log, prices, faults


def _cli(args: list[str]) -> object:
    result = runner.invoke(app, args)
    return result


def test_cli_against_the_fake_server_with_run_log_and_prices(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # `toolkit batch` sets them
        monkeypatch.setenv(var, os.environ.get(var, "1"))
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": f"h{i}", "text": make_text(i)} for i in range(4)])
    prices = tmp_path / "prices.toml"
    prices.write_text('[models]\n"openai:fake-model" = { input = 100.0, output = 200.0 }\n', "utf-8")
    out = tmp_path / "out.jsonl"
    with OpenAICompatServer(latency=0.01, max_concurrency=4) as server:
        args = [
            "batch",
            str(inp),
            "--out",
            str(out),
            "--model",
            "openai:fake-model",
            "--base-url",
            server.base_url,
            "--concurrency",
            "4",
            "--prices",
            str(prices),
            "--format",
            "csv",
            "--no-progress",
        ]
        result = _cli(args)
        assert result.exit_code == 0, result.output
        completed = server.stats.completed
        assert "batch done: " in result.output and " per article (4 articles in " in result.output
        assert "articles: 4 ok, 0 failed" in result.output and "estimated cost: $" in result.output
        assert "$0.0000" not in result.output.split("estimated cost:")[1][:12]
        exactly_once(out, {"h0", "h1", "h2", "h3"})
        assert (tmp_path / "out.csv").exists()

        again = _cli(args)
        assert again.exit_code == 0 and "0 ok, 0 failed, 4 skipped" in again.output
        assert server.stats.completed == completed  # nothing re-requested

    summary = summarize("all")  # the default run log under the tests' HOME
    assert summary["totals"]["live_calls"] == completed
    calls = read_calls("all")
    live = calls[(calls.status == "ok") & (calls.source == "live")]
    assert len(live) == completed and (live.cost_usd > 0).all()
    assert set(live.chain) == {"summary", "claims", "counterclaims"}
    assert {"prompt", "prompt_version", "model", "duration_s"} <= set(calls.columns)
    logs = _cli(["logs", "--run", "all"])
    assert logs.exit_code == 0 and "claims" in logs.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["batch", "missing.csv", "--out", "o.jsonl"], "no such file or folder"),
        (["batch", "IN", "--out", "o.jsonl", "--format", "xls", "--model", "openai:m"], "unknown format 'xls'"),
        (["batch", "IN", "--out", "o.jsonl", "--chains", "nope"], "unknown chain 'nope'"),
        (
            ["batch", "IN", "--out", "o.jsonl", "--model", "openai:fake-model", "--base-url", "http://127.0.0.1:9/v1"],
            "OPENAI_API_KEY is not set",
        ),
        (["batch", "IN", "--out", "o.jsonl", "--import", "r.jsonl"], "--import needs --via openai-batch"),
    ],
)
def test_cli_errors_are_one_clean_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    write_jsonl(tmp_path / "in.jsonl", [{"id": "e", "text": make_text(1)}])
    result = runner.invoke(app, [a.replace("IN", "in.jsonl") for a in args])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "o.failures.jsonl").exists() or not (tmp_path / "o.failures.jsonl").read_text()


def test_ten_percent_faults_lose_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    ids = {f"f{i}" for i in range(12)}
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": f"f{i}", "text": make_text(i)} for i in range(12)])
    out = tmp_path / "out.jsonl"
    plan = FaultPlan(rate=0.1, seed=5, timeout_seconds=1.0)
    with OpenAICompatServer(latency=0.01, max_concurrency=8, faults=plan) as server:
        report = run_batch(
            inp,
            out,
            model="openai:fake-model",
            base_url=server.base_url,
            concurrency=8,
            max_retries=1,
            timeout=0.3,
            runlog=tmp_path / "log.sqlite",
        )
        faults = server.stats.faults_by_kind
    assert sum(faults.values()) > 0
    done, failed = exactly_once(out, ids)
    assert report.ok == len(done) and report.failed == len(failed)
    assert sum(report.retries.values()) > 0
    calls = read_calls("last", tmp_path / "log.sqlite")
    assert (calls.status == "retry").sum() == sum(report.retries.values())
    with OpenAICompatServer(latency=0.01, faults=FaultPlan()) as server:  # resume on a healthy server
        run_batch(inp, out, model="openai:fake-model", base_url=server.base_url, concurrency=8, runlog=False)
    done, failed = exactly_once(out, ids)
    assert failed == []


# --------------------------------------------------------------------------------------------
# SIGKILL mid-run, then resume: nothing lost, no completed call requested again


def _call_key(messages: list[dict], schema_name: str) -> str:
    return json.dumps([[m["role"], m["content"]] for m in messages] + [schema_name])


def test_sigkill_mid_run_then_resume(tmp_path):
    ids = {f"k{i}" for i in range(24)}
    inp = write_jsonl(tmp_path / "in.jsonl", [{"id": f"k{i}", "text": make_text(i)} for i in range(24)])
    out = tmp_path / "out.jsonl"
    answered: list[str] = []

    def responder(body: dict) -> str:  # the server's usual schema-shaped answers, and a record of each
        schema = body["response_format"]["json_schema"]
        answered.append(_call_key(body["messages"], schema["name"]))
        return json.dumps(generate_instance(schema["schema"], hint(body["messages"])))

    env = {**os.environ, "OPENAI_API_KEY": "test-key", "TOOLKIT_RUNLOG": str(tmp_path / "log.sqlite")}
    with OpenAICompatServer(latency=0.1, max_concurrency=4, responder=responder) as server:
        cmd = batch_command(inp, out, server.base_url, "--concurrency", "4")
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 90
        while len(ids_in(out)) < 4 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, "the run finished before it could be killed: " + proc.stderr.read().decode()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stderr.close()
        first_log = server.stats.snapshot()["request_log"]
        first_answered = len(answered)
        done_before = ids_in(out)
        assert 4 <= len(done_before) < len(ids)
        stored = set()
        for path in BatchPaths.for_output(out).responses.glob("*.json"):
            request = json.loads(path.read_text("utf-8"))["request"]
            stored.add(_call_key(request["messages"], request["schema_name"]))
        assert stored and stored <= set(answered)

        rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stdout + rerun.stderr
        assert f"{len(done_before)} skipped" in rerun.stdout
        second_log = server.stats.snapshot()["request_log"][len(first_log) :]

    exactly_once(out, ids)
    # no call whose answer the first run had stored was requested again
    assert not stored & set(answered[first_answered:])
    # by the server's log: a body answered in run 1 and sent again is at most one that was on the
    # wire when the process died (answered by the server, never received by the client)
    completed = {e["body_hash"] for e in first_log if e["status"] == 200 and e["fault"] is None}
    again = {e["body_hash"] for e in second_log} & completed
    assert len(again) <= 4


def test_an_unreachable_server_stops_the_batch_before_any_article(tmp_path, monkeypatch):
    """Fail fast on the environment: one clear line and exit 1, no article recorded as failed."""
    from typer.testing import CliRunner

    from toolkit.cli import app

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("The mayor said the bridge will open in May.\n")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-not-real")
    out = tmp_path / "out.jsonl"
    done = CliRunner().invoke(
        app,
        ["batch", str(folder), "--out", str(out), "--model", "openai:gpt-4o-mini", "--base-url",
         "http://127.0.0.1:9/v1", "--no-runlog"],
    )  # fmt: skip
    assert done.exit_code == 1
    assert "cannot reach the model server http://127.0.0.1:9/v1" in done.output
    assert not out.exists() and not (tmp_path / "out.failures.jsonl").exists()


def test_a_missing_parser_model_stops_run_and_batch_with_one_line(tmp_path, monkeypatch):
    """The news analysis' check: spaCy's English model missing is one line, before any work."""
    from typer.testing import CliRunner

    from toolkit.cli import app
    from toolkit_plugins.news import sentences

    monkeypatch.setattr(sentences, "MODEL_NAME", "en_core_web_missing")
    monkeypatch.setattr(sentences, "MODEL_MISSING", "spaCy model 'en_core_web_missing' is missing: run scripts/setup")
    sentences.get_nlp.cache_clear()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("The mayor said the bridge will open in May.\n")
    try:
        runner = CliRunner()
        batch = runner.invoke(app, ["batch", str(folder), "--out", str(tmp_path / "o.jsonl"), "--no-runlog",
                                    "--model", "local", "--concurrency", "1"])  # fmt: skip
        assert batch.exit_code == 1 and "en_core_web_missing' is missing" in batch.output
        run = runner.invoke(app, ["run", str(folder / "a.txt"), "--model", "local", "--record-mode", "replay",
                                  "--responses-dir", str(tmp_path / "none")])  # fmt: skip
        assert run.exit_code == 1 and "en_core_web_missing' is missing" in run.output
        assert "Traceback" not in run.output
    finally:
        sentences.get_nlp.cache_clear()
