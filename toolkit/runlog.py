"""The run log: every model call of every batch run in one local SQLite file.

So an analyst can answer "what did last night's run cost, and what failed?" without re-running:
``toolkit logs`` prints a run's summary, ``toolkit logs --sql "..."`` queries it, and
``read_calls()`` hands it to pandas. The file is ``~/.cache/news-toolkit/runlog.sqlite`` unless
``$TOOLKIT_RUNLOG`` or an explicit path says otherwise. WAL mode: a reader (``toolkit logs``
during a run) never blocks the writer.

Tables: ``runs`` (one row per batch run, totals filled in as it goes and at the end; a run
killed hard is shown as ``interrupted`` by the readers: its recorded process is gone) and
``calls`` (one row per model call: status ``ok``, ``invalid``
(answered but not valid against the schema), ``retry`` (a transient failure that was retried),
``failed`` (a chain or article that failed; ``cause`` says why) or ``skipped`` (a chain not run
because one it depends on failed)). Calls answered from the response cache have source
``cached`` and cost 0.
"""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ConfigError
from toolkit.retry import failure_cause

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from toolkit.pricing import PriceTable
    from toolkit.schema import RunResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    command TEXT,
    input TEXT,
    output TEXT,
    model TEXT,
    chains TEXT,
    strategy TEXT,
    pid INTEGER,
    host TEXT,
    concurrency INTEGER,
    articles_ok INTEGER DEFAULT 0,
    articles_failed INTEGER DEFAULT 0,
    articles_skipped INTEGER DEFAULT 0,
    calls INTEGER DEFAULT 0,
    prompt_tokens INTEGER DEFAULT 0,
    completion_tokens INTEGER DEFAULT 0,
    cost_usd REAL DEFAULT 0,
    elapsed_s REAL
);
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    at TEXT NOT NULL,
    article_id TEXT,
    chain TEXT,
    step TEXT,
    prompt TEXT,
    prompt_version TEXT,
    model TEXT,
    attempt INTEGER,
    prompt_tokens INTEGER DEFAULT 0,
    completion_tokens INTEGER DEFAULT 0,
    cost_usd REAL DEFAULT 0,
    duration_s REAL,
    source TEXT,
    status TEXT NOT NULL,
    cause TEXT,
    error TEXT,
    cache_key TEXT
);
CREATE INDEX IF NOT EXISTS calls_run ON calls (run_id, status);
CREATE INDEX IF NOT EXISTS calls_article ON calls (article_id);
"""

CALL_FIELDS = (
    "run_id",
    "at",
    "article_id",
    "chain",
    "step",
    "prompt",
    "prompt_version",
    "model",
    "attempt",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "duration_s",
    "source",
    "status",
    "cause",
    "error",
    "cache_key",
)
RUN_TOTALS = (
    "articles_ok",
    "articles_failed",
    "articles_skipped",
    "calls",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "elapsed_s",
)


_HOST = socket.gethostname()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        pass
    return True


def shown_status(run: dict[str, Any]) -> str:
    """A run's status as readers show it: 'running' whose process on this machine is gone
    (a SIGKILL, a power cut) is 'interrupted'; another machine's run is taken at its word."""
    status = str(run.get("status") or "")
    if status == "running" and run.get("pid") and run.get("host") == _HOST and not _alive(int(run["pid"])):
        return "interrupted"
    return status


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def runlog_path(path: str | Path | None = None) -> Path:
    """Explicit path > $TOOLKIT_RUNLOG > ~/.cache/news-toolkit/runlog.sqlite (resolved at call time)."""
    if path:
        return Path(path)
    if os.environ.get("TOOLKIT_RUNLOG"):
        return Path(os.environ["TOOLKIT_RUNLOG"])
    return Path.home() / ".cache" / "news-toolkit" / "runlog.sqlite"


def new_run_id() -> str:
    """Sortable and unique: UTC time plus a random suffix."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(2)


def connect(path: str | Path | None = None, *, readonly: bool = False) -> sqlite3.Connection:
    file = runlog_path(path)
    try:
        if readonly:
            if not file.is_file():
                raise ConfigError(f"no run log at {file} (run `toolkit batch` first, or pass --db)")
            conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True, timeout=10)
        else:
            file.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(file, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(runs)")}
            for column, kind in (("strategy", "TEXT"), ("pid", "INTEGER"), ("host", "TEXT")):
                if column not in columns:  # a log written by an older version
                    conn.execute(f"ALTER TABLE runs ADD COLUMN {column} {kind}")
    except sqlite3.Error as exc:
        raise ConfigError(f"run log {file}: {exc}") from None
    conn.row_factory = sqlite3.Row
    return conn


class RunLog:
    """Writer for one process; each batch run is a row in `runs` plus its calls."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = runlog_path(path)
        self.conn = connect(self.path)

    def start_run(
        self,
        *,
        command: str = "batch",
        input: str | None = None,  # noqa: A002 - column name
        output: str | None = None,
        model: str | None = None,
        chains: str | None = None,
        concurrency: int | None = None,
        run_id: str | None = None,
        strategy: str | None = None,
    ) -> str:
        run_id = run_id or new_run_id()
        self.conn.execute(
            "INSERT INTO runs (run_id, started_at, status, command, input, output, model, chains, strategy,"
            " concurrency, pid, host) VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, now(), command, input, output, model, chains, strategy, concurrency, os.getpid(), _HOST),
        )
        return run_id

    def add_calls(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        values = [tuple(row.get(f) for f in CALL_FIELDS) for row in rows]
        marks = ", ".join("?" for _ in CALL_FIELDS)
        with self.conn:  # one transaction
            self.conn.execute("BEGIN")
            self.conn.executemany(f"INSERT INTO calls ({', '.join(CALL_FIELDS)}) VALUES ({marks})", values)

    def update_run(self, run_id: str, *, status: str | None = None, finished: bool = False, **totals: Any) -> None:
        fields = {k: v for k, v in totals.items() if k in RUN_TOTALS}
        if status:
            fields["status"] = status
        if finished:
            fields["finished_at"] = now()
        if not fields:
            return
        assignments = ", ".join(f"{k} = ?" for k in fields)
        self.conn.execute(f"UPDATE runs SET {assignments} WHERE run_id = ?", (*fields.values(), run_id))

    def close(self) -> None:
        self.conn.close()


def result_rows(run_id: str, article_id: str, result: RunResult, prices: PriceTable) -> list[dict[str, Any]]:
    """Run-log rows for one article: its calls, then its failed and skipped chains."""
    at = now()
    rows = []
    for call in result.calls:
        rows.append(
            {
                "run_id": run_id,
                "at": at,
                "article_id": article_id,
                "chain": call.chain,
                "step": call.step,
                "prompt": call.prompt,
                "prompt_version": call.prompt_version,
                "model": call.model,
                "attempt": call.attempt,
                "prompt_tokens": call.usage.prompt_tokens,
                "completion_tokens": call.usage.completion_tokens,
                "cost_usd": prices.cost(
                    call.model, call.usage.prompt_tokens, call.usage.completion_tokens, call.source
                ),
                "duration_s": round(call.duration_s, 4),
                "source": call.source,
                "status": "ok" if call.ok else "invalid",
                "cause": None if call.ok else "invalid_output",
                "error": call.error,
                "cache_key": call.cache_key,
            }
        )
    for name, run in result.chains.items():
        if run.status == "ok":
            continue
        skipped = run.error_cause == "dependency_failed"
        rows.append(
            {
                "run_id": run_id,
                "at": at,
                "article_id": article_id,
                "chain": name,
                "model": result.model,
                "status": "skipped" if skipped else "failed",
                "cause": failure_cause(run.error_cause, run.error),
                "error": run.error,
                "duration_s": run.duration_s,
            }
        )
    return rows


# --------------------------------------------------------------------------------------------
# reading


def resolve_run(conn: sqlite3.Connection, run: str | None = "last") -> str | None:
    """'last' -> the newest run; an id or a unique prefix of one -> that run; None/'all' -> None."""
    if run in (None, "all"):
        return None
    if run == "last":
        row = conn.execute("SELECT run_id FROM runs ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        if row is None:
            raise ConfigError("the run log has no runs yet")
        return str(row[0])
    rows = conn.execute("SELECT run_id FROM runs WHERE run_id LIKE ? ORDER BY run_id", (f"{run}%",)).fetchall()
    if not rows:
        raise ConfigError(f"no run '{run}' in the run log (see `toolkit logs --list`)")
    if len(rows) > 1 and rows[0][0] != run:
        raise ConfigError(f"run '{run}' is ambiguous: {', '.join(r[0] for r in rows[:5])}")
    return str(rows[0][0])


def summarize(run: str | None = "last", path: str | Path | None = None) -> dict[str, Any]:
    """A run's totals, per-chain figures, retries and failures by cause, as plain data."""
    conn = connect(path, readonly=True)
    try:
        run_id = resolve_run(conn, run)
        where, args = ("WHERE run_id = ?", (run_id,)) if run_id else ("", ())
        info = dict(conn.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()) if run_id else {}
        if info:
            info["status"] = shown_status(info)
        per_chain = [
            dict(r)
            for r in conn.execute(
                f"""SELECT chain,
                   SUM(status IN ('ok','invalid')) AS calls,
                   SUM(status IN ('ok','invalid') AND source = 'live') AS live,
                   SUM(status IN ('ok','invalid') AND source IN ('cached','replayed')) AS cached,
                   SUM(status = 'invalid') AS invalid,
                   SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
                   ROUND(SUM(cost_usd), 6) AS cost_usd,
                   SUM(status = 'failed') AS failed
                FROM calls {where} {"AND" if where else "WHERE"} chain IS NOT NULL
                GROUP BY chain ORDER BY chain""",
                args,
            )
        ]
        retries = _by_cause(conn, where, args, "retry", "COUNT(*)")
        causes = _by_cause(conn, where, args, "failed", "COUNT(DISTINCT article_id)")
        totals = dict(
            conn.execute(
                f"""SELECT COUNT(DISTINCT CASE WHEN status = 'failed' THEN article_id END) AS failed_articles,
                   SUM(status IN ('ok','invalid')) AS calls,
                   SUM(status IN ('ok','invalid') AND source = 'live') AS live_calls,
                   SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
                   ROUND(SUM(cost_usd), 6) AS cost_usd
                FROM calls {where}""",
                args,
            ).fetchone()
        )
        return {
            "run_id": run_id,
            "run": info,
            "totals": totals,
            "per_chain": per_chain,
            "retries": retries,
            "failures_by_cause": causes,
        }
    finally:
        conn.close()


def failures(run: str | None = "last", path: str | Path | None = None, limit: int = 200) -> list[dict[str, Any]]:
    conn = connect(path, readonly=True)
    try:
        run_id = resolve_run(conn, run)
        where, args = ("AND run_id = ?", (run_id,)) if run_id else ("", ())
        rows = conn.execute(
            f"SELECT run_id, article_id, chain, cause, error FROM calls WHERE status = 'failed' {where}"
            " ORDER BY id LIMIT ?",
            (*args, limit),
        ).fetchall()
        return [dict(r) for r in rows]
    finally:
        conn.close()


def list_runs(path: str | Path | None = None, limit: int = 20) -> list[dict[str, Any]]:
    conn = connect(path, readonly=True)
    try:
        rows = conn.execute("SELECT * FROM runs ORDER BY started_at DESC, rowid DESC LIMIT ?", (limit,)).fetchall()
        return [{**dict(r), "status": shown_status(dict(r))} for r in rows]
    finally:
        conn.close()


def query(sql: str, path: str | Path | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a read-only SQL query (the connection cannot write)."""
    conn = connect(path, readonly=True)
    try:
        cursor = conn.execute(sql)
        columns = [d[0] for d in cursor.description or ()]
        return columns, [tuple(r) for r in cursor.fetchall()]
    except sqlite3.Error as exc:
        raise ConfigError(f"SQL error: {exc}") from None
    finally:
        conn.close()


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError:
        raise ConfigError("this needs pandas: pip install 'news-toolkit[batch]'") from None
    return pd


def read_calls(run: str | None = "last", path: str | Path | None = None, *, status: str | None = None) -> pd.DataFrame:
    """The calls of a run ('last', an id, or None for all runs) as a pandas DataFrame."""
    pd = _pandas()
    conn = connect(path, readonly=True)
    try:
        run_id = resolve_run(conn, run)
        clauses, args = [], []
        if run_id:
            clauses.append("run_id = ?")
            args.append(run_id)
        if status:
            clauses.append("status = ?")
            args.append(status)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return pd.read_sql_query(f"SELECT * FROM calls {where} ORDER BY id", conn, params=args)
    finally:
        conn.close()


def read_runs(path: str | Path | None = None) -> pd.DataFrame:
    pd = _pandas()
    conn = connect(path, readonly=True)
    try:
        runs = pd.read_sql_query("SELECT * FROM runs ORDER BY started_at", conn)
        if len(runs):
            runs["status"] = [shown_status(dict(row)) for _, row in runs.iterrows()]
        return runs
    finally:
        conn.close()


# --------------------------------------------------------------------------------------------
# text


def _n(value: Any) -> str:
    return f"{int(value or 0):,}"


def table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain aligned text table."""
    cells = [[("" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v))) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(lines)


def format_summary(summary: dict[str, Any]) -> str:
    run, totals = summary["run"], summary["totals"]
    lines = []
    if run:
        lines.append(
            f"run {run['run_id']}  {run['status']}  started {run['started_at']}"
            + (f"  finished {run['finished_at']}" if run.get("finished_at") else "")
            + (f"  ({run['elapsed_s']:.1f} s)" if run.get("elapsed_s") else "")
        )
        if run["status"] == "running":
            lines.append("  (still running; rerun the same command after it stops to resume)")
        elif run["status"] == "interrupted":
            lines.append("  (killed before it could finish: rerun the same command to resume)")
        lines.append(f"  {run['command']}: {run['input']} -> {run['output']}")
        strategy = f"   strategy {run['strategy']}" if run.get("strategy") else ""
        lines.append(f"  model {run['model']}   chains {run['chains']}{strategy}   concurrency {run['concurrency']}")
        lines.append(
            f"  articles: {_n(run['articles_ok'])} ok, {_n(run['articles_failed'])} failed, "
            f"{_n(run['articles_skipped'])} skipped (done before)"
        )
    else:
        lines.append("all runs")
    lines.append(
        f"  calls: {_n(totals['calls'])} ({_n(totals['live_calls'])} live, "
        f"{_n((totals['calls'] or 0) - (totals['live_calls'] or 0))} from the cache)"
        + (", retries: " + ", ".join(f"{k} {v}" for k, v in summary["retries"].items()) if summary["retries"] else "")
    )
    lines.append(
        f"  tokens: {_n(totals['prompt_tokens'])} in + {_n(totals['completion_tokens'])} out"
        f"   cost: ${totals['cost_usd'] or 0:.4f}"
    )
    if summary["per_chain"]:
        cols = ["chain", "calls", "live", "cached", "invalid", "in_tokens", "out_tokens", "cost_usd", "failed"]
        rows = [
            [
                c["chain"],
                c["calls"],
                c["live"],
                c["cached"],
                c["invalid"],
                c["prompt_tokens"],
                c["completion_tokens"],
                c["cost_usd"] or 0.0,
                c["failed"],
            ]
            for c in summary["per_chain"]
        ]
        lines += ["  " + line for line in table(cols, rows).splitlines()]
    if summary["failures_by_cause"]:
        lines.append(
            f"  failed articles: {_n(totals['failed_articles'])}; by cause: "
            + ", ".join(f"{k} {v}" for k, v in summary["failures_by_cause"].items())
        )
    else:
        lines.append("  no failures")
    return "\n".join(lines)


def _by_cause(conn: sqlite3.Connection, where: str, args: Any, status: str, count: str) -> dict[str, int]:
    """Counts per cause for calls of one status, most frequent first (retries, failures)."""
    rows = conn.execute(
        f"SELECT cause, {count} FROM calls {where} {'AND' if where else 'WHERE'} status = ?"
        " GROUP BY cause ORDER BY 2 DESC",
        (*args, status),
    )
    return {cause or "error": n for cause, n in rows}
