"""The SQLite run log, `toolkit logs`, and the price table behind its costs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit import runlog as rl
from toolkit.cli import app
from toolkit.errors import ConfigError
from toolkit.pricing import PriceTable
from toolkit.runlog import RunLog

runner = CliRunner()


def _rows(run_id: str) -> list[dict]:
    base = {
        "run_id": run_id,
        "at": rl.now(),
        "model": "openai:gpt-4o-mini",
        "prompt": "type_claim",
        "prompt_version": "1",
        "step": "type",
        "attempt": 1,
        "duration_s": 0.2,
    }
    return [
        {
            **base,
            "article_id": "a1",
            "chain": "claims",
            "prompt_tokens": 1000,
            "completion_tokens": 10,
            "cost_usd": 0.0002,
            "source": "live",
            "status": "ok",
        },
        {
            **base,
            "article_id": "a1",
            "chain": "claims",
            "prompt_tokens": 1000,
            "completion_tokens": 10,
            "cost_usd": 0.0,
            "source": "cached",
            "status": "ok",
        },
        {
            **base,
            "article_id": "a2",
            "chain": "claims",
            "source": "live",
            "status": "retry",
            "cause": "rate_limit",
            "error": "429",
        },
        {
            **base,
            "article_id": "a2",
            "chain": "claims",
            "status": "failed",
            "cause": "model/timeout",
            "error": "openai:gpt-4o-mini: APITimeoutError: Request timed out. (gave up after 5 retries)",
        },
        {**base, "article_id": "a2", "chain": "summary", "status": "skipped", "cause": "dependency_failed"},
    ]


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    path = tmp_path / "runlog.sqlite"
    log = RunLog(path)
    old = log.start_run(
        command="batch",
        input="old.csv",
        output="old.jsonl",
        model="openai:gpt-4o-mini",
        chains="claims",
        concurrency=4,
        run_id="20240101-000000-aaaa",
    )
    log.add_calls([{**r, "run_id": old} for r in _rows(old)[:1]])
    run_id = log.start_run(
        command="batch",
        input="in.csv",
        output="out.jsonl",
        model="openai:gpt-4o-mini",
        chains="claims,summary",
        concurrency=8,
        run_id="20240102-000000-bbbb",
    )
    log.add_calls(_rows(run_id))
    log.update_run(
        run_id,
        status="finished",
        finished=True,
        articles_ok=1,
        articles_failed=1,
        calls=2,
        prompt_tokens=2000,
        completion_tokens=20,
        cost_usd=0.0002,
        elapsed_s=1.5,
    )
    log.close()
    return path


def test_default_path_follows_home_and_env(tmp_path, monkeypatch):
    assert rl.runlog_path() == Path.home() / ".cache" / "news-toolkit" / "runlog.sqlite"
    assert str(rl.runlog_path()).startswith(str(tmp_path))  # conftest points HOME at a tmp dir
    monkeypatch.setenv("TOOLKIT_RUNLOG", str(tmp_path / "x.sqlite"))
    assert rl.runlog_path() == tmp_path / "x.sqlite"


def test_wal_mode_and_schema(log_path):
    conn = sqlite3.connect(log_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    columns = {r[1] for r in conn.execute("PRAGMA table_info(calls)")}
    assert {
        "run_id",
        "article_id",
        "chain",
        "step",
        "prompt",
        "prompt_version",
        "model",
        "prompt_tokens",
        "completion_tokens",
        "cost_usd",
        "duration_s",
        "source",
        "status",
        "error",
    } <= columns


def test_summary_of_the_last_run(log_path):
    summary = rl.summarize("last", log_path)
    assert summary["run_id"] == "20240102-000000-bbbb"
    assert summary["totals"]["calls"] == 2 and summary["totals"]["live_calls"] == 1
    assert summary["totals"]["cost_usd"] == pytest.approx(0.0002)
    assert summary["retries"] == {"rate_limit": 1}
    assert summary["failures_by_cause"] == {"model/timeout": 1}
    claims = next(c for c in summary["per_chain"] if c["chain"] == "claims")
    assert claims["calls"] == 2 and claims["cached"] == 1 and claims["failed"] == 1
    text = rl.format_summary(summary)
    assert "20240102-000000-bbbb  finished" in text and "model/timeout 1" in text and "$0.0002" in text
    assert rl.summarize("20240101", log_path)["totals"]["calls"] == 1  # an id prefix works
    assert rl.summarize("all", log_path)["totals"]["calls"] == 3
    with pytest.raises(ConfigError, match="no run 'nope'"):
        rl.summarize("nope", log_path)


def test_read_only_queries_and_pandas(log_path):
    columns, rows = rl.query("SELECT chain, COUNT(*) FROM calls WHERE run_id LIKE '20240102%' GROUP BY chain", log_path)
    assert columns == ["chain", "COUNT(*)"] and dict(rows) == {"claims": 4, "summary": 1}
    with pytest.raises(ConfigError, match="SQL error"):
        rl.query("DELETE FROM calls", log_path)
    frame = rl.read_calls("last", log_path)
    assert len(frame) == 5 and set(frame["status"]) == {"ok", "retry", "failed", "skipped"}
    assert frame.loc[frame.source == "live", "cost_usd"].sum() == pytest.approx(0.0002)
    assert len(rl.read_calls(None, log_path)) == 6
    assert list(rl.read_runs(log_path)["run_id"]) == ["20240101-000000-aaaa", "20240102-000000-bbbb"]
    assert len(rl.read_calls("last", log_path, status="failed")) == 1


def test_toolkit_logs_command(log_path):
    result = runner.invoke(app, ["logs", "--db", str(log_path)])
    assert result.exit_code == 0, result.output
    assert "run 20240102-000000-bbbb" in result.output
    assert "model/timeout 1" in result.output
    failures = runner.invoke(app, ["logs", "--db", str(log_path), "--failures"])
    assert "a2" in failures.output and "APITimeoutError" in failures.output
    listed = runner.invoke(app, ["logs", "--db", str(log_path), "--list"])
    assert listed.output.index("20240102") < listed.output.index("20240101")
    sql = runner.invoke(app, ["logs", "--db", str(log_path), "--sql", "SELECT SUM(cost_usd) AS usd FROM calls"])
    assert sql.exit_code == 0 and "usd" in sql.output and "0.0004" in sql.output
    as_json = runner.invoke(app, ["logs", "--db", str(log_path), "--json"])
    assert '"run_id": "20240102-000000-bbbb"' in as_json.output


def test_toolkit_logs_errors_are_one_line(tmp_path):
    result = runner.invoke(app, ["logs", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error: no run log at") and len(result.output.strip().splitlines()) == 1
    path = tmp_path / "log.sqlite"
    RunLog(path).close()
    result = runner.invoke(app, ["logs", "--db", str(path), "--sql", "SELECT nope FROM calls"])
    assert result.exit_code == 1 and "error: SQL error" in result.output


# -- the price table -------------------------------------------------------------------------


def test_default_prices():
    table = PriceTable.load()
    assert table.source == "defaults"
    assert table.cost("openai:gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert table.cost("openai:gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)  # longest prefix
    assert table.cost("openai:gpt-4o", 1_000_000, 0) == pytest.approx(2.5)
    assert table.cost("openai:gpt-4o-mini", 1_000_000, 0, source="cached") == 0
    assert table.cost("local:qwen2.5-1.5b", 10**9, 10**9) == 0
    assert table.cost("fake:scripted", 10**9, 10**9) == 0
    assert table.cost("openai:gpt-4o-mini", 1_000_000, 0, batch=True) == pytest.approx(0.075)
    assert table.cost("openai:mystery", 1000, 1000) == 0 and table.unpriced == {"openai:mystery"}


def test_price_override_file(tmp_path, monkeypatch):
    user = Path.home() / ".config" / "news-toolkit" / "prices.toml"
    user.parent.mkdir(parents=True)
    user.write_text(
        'batch_discount = 0.4\n[models]\n"gpt-4o-mini" = { input = 1.0, output = 2.0 }\n'
        '"openai:fake-model" = { input = 3, output = 4 }\n',
        "utf-8",
    )
    table = PriceTable.load()
    assert table.source == str(user)
    assert table.cost("openai:gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(3.0)
    assert table.cost("openai:fake-model", 1_000_000, 0, batch=True) == pytest.approx(1.2)
    other = tmp_path / "p.toml"
    other.write_text('[models]\n"gpt-4o" = { input = 5, output = 6 }\n', "utf-8")
    assert PriceTable.load(other).cost("openai:gpt-4o", 0, 1_000_000) == pytest.approx(6.0)
    monkeypatch.setenv("TOOLKIT_PRICES", str(other))
    assert PriceTable.load().source == str(other)


@pytest.mark.parametrize(
    ("content", "message"),
    [("[models]\nx = 1\n", "needs numbers"), ("nope = 1\n", "unknown keys"), ("[models\n", "unreadable")],
)
def test_bad_price_files(tmp_path, content, message):
    path = tmp_path / "p.toml"
    path.write_text(content, "utf-8")
    with pytest.raises(ConfigError, match=message):
        PriceTable.load(path)
    with pytest.raises(ConfigError, match="not found"):
        PriceTable.load(tmp_path / "missing.toml")


def test_a_run_whose_process_is_gone_shows_as_interrupted(tmp_path):
    """A SIGKILLed batch never writes its end: readers see its process gone, not 'running' forever."""
    import subprocess
    import sys

    path = tmp_path / "runlog.sqlite"
    log = RunLog(path)
    alive = log.start_run(command="batch", input="in.jsonl", output="out.jsonl", run_id="20240103-000000-live")
    killed = log.start_run(command="batch", input="in.jsonl", output="out.jsonl", run_id="20240104-000000-dead")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    log.conn.execute("UPDATE runs SET pid = ? WHERE run_id = ?", (int(gone.stdout), killed))
    log.close()
    statuses = {r["run_id"]: r["status"] for r in rl.list_runs(path)}
    assert statuses == {alive: "running", killed: "interrupted"}
    assert rl.summarize(killed, path)["run"]["status"] == "interrupted"
    shown = runner.invoke(app, ["logs", "--db", str(path), "--run", killed])
    assert "interrupted" in shown.output and "rerun the same command to resume" in shown.output
    assert list(rl.read_runs(path)["status"]) == ["running", "interrupted"]


def test_an_older_log_gains_the_process_columns(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE runs (run_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, status TEXT NOT NULL)")
    conn.execute("INSERT INTO runs VALUES ('20230101-000000-aaaa', '2023-01-01T00:00:00Z', 'running')")
    conn.commit()
    conn.close()
    RunLog(path).close()
    assert [r["status"] for r in rl.list_runs(path)] == ["running"]  # no pid recorded: taken at its word
