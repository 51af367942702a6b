"""Batch commands (`toolkit batch`, `toolkit logs`): registered onto the main app.

Exit codes of `toolkit batch`: 0 every article done, 2 finished with failures (they are in the
failures file; run the same command again to redo them), 1 an error (one line on stderr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli_options import Debug

Opt = typer.Option


def batch(
    input: Annotated[
        Path,
        typer.Argument(  # noqa: A002 - the user-facing name
            metavar="INPUT", help="A folder of articles, a .jsonl (one article object a line) or a .csv"
        ),
    ],
    out: Annotated[Path, Opt("--out", "-o", help="Output .jsonl (one article a line, appended; rerun resumes)")],
    chains: Annotated[
        str | None, Opt(help="Comma-separated chains; dependencies are added (default: the default chains)")
    ] = None,
    model: Annotated[str | None, typer.Option(help="openai:MODEL, local, ... (env TOOLKIT_MODEL)")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL (env OPENAI_BASE_URL)")] = None,
    concurrency: Annotated[int, typer.Option(help="Model requests in flight at once")] = 8,
    max_retries: Annotated[int, typer.Option(help="Retries of a call on 429, 5xx, timeouts, dropped connections")] = 5,
    timeout: Annotated[float, typer.Option(help="Seconds before a model request times out")] = 60.0,
    fmt: Annotated[str | None, Opt("--format", help="Also write a table: csv or parquet (one row per article)")] = None,
    text_column: Annotated[
        str | None, Opt(help="CSV column / JSON field with the text (default text, articleBody)")
    ] = None,
    id_column: Annotated[
        str | None, Opt(help="Column with the article id (default id, Body ID; else sha256 of the text)")
    ] = None,
    title_column: Annotated[str | None, typer.Option(help="Column with the title")] = None,
    outlet_column: Annotated[str | None, typer.Option(help="Column with the outlet")] = None,
    url_column: Annotated[str | None, typer.Option(help="Column with the URL")] = None,
    date_column: Annotated[str | None, typer.Option(help="Column with the date")] = None,
    failures: Annotated[Path | None, typer.Option(help="Failures file (default OUT-stem.failures.jsonl)")] = None,
    responses_dir: Annotated[Path | None, typer.Option(help="Response cache (default OUT-stem.responses/)")] = None,
    no_cache: Annotated[bool, Opt("--no-cache", help="No response cache: a rerun pays completed calls again")] = False,
    runlog: Annotated[Path | None, typer.Option(help="Run log SQLite file (env TOOLKIT_RUNLOG)")] = None,
    no_runlog: Annotated[bool, typer.Option("--no-runlog", help="Do not write the run log")] = False,
    prices: Annotated[Path | None, Opt(help="Price table TOML (default ~/.config/news-toolkit/prices.toml)")] = None,
    prompts_dir: Annotated[Path | None, typer.Option(help="Folder overriding prompt files")] = None,
    drop_ungrounded: Annotated[bool, typer.Option(help="Drop claims whose quote is not found in the article")] = False,
    strategy: Annotated[
        str, typer.Option(help="guided (rules find, the model labels), direct (the model reads), or auto: by the model")
    ] = "auto",
    progress: Annotated[
        bool | None, Opt("--progress/--no-progress", help="Progress bar (default: on a terminal)")
    ] = None,
    via: Annotated[
        str, Opt(help="direct (call the model), or a provider's batch runner: openai-batch (Batch API files)")
    ] = "direct",
    import_: Annotated[
        list[Path] | None, Opt("--import", help="With --via openai-batch: Batch API result file(s) to load")
    ] = None,
    resubmit: Annotated[bool, Opt(help="With --via openai-batch: write again requests still awaiting results")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
    debug: Debug = False,
) -> None:
    """Run chains over a folder or feed of articles: concurrent, resumable, logged, nothing lost.

    Rerun the same command to resume: done articles are skipped, failed ones redone, and calls
    that completed before are answered by the response cache (never paid twice).
    """
    from toolkit.batch import Columns, one_blas_thread, run_batch
    from toolkit.errors import ConfigError
    from toolkit.providers import available_batch_runners

    one_blas_thread()  # this process is the batch's: before anything loads numpy
    runners = available_batch_runners()  # other ways to run a batch, registered by providers
    if via != "direct" and via not in runners:
        raise ConfigError(f"unknown --via '{via}' (choose {', '.join(['direct', *sorted(runners)])})")
    if import_ and via == "direct":
        raise ConfigError(f"--import needs --via {' or '.join(sorted(runners)) or 'a batch runner'}")
    columns = Columns(
        text=text_column, id=id_column, title=title_column, outlet=outlet_column, url=url_column, date=date_column
    )
    show = sys.stderr.isatty() if progress is None else progress
    options = dict(
        chains=chains,
        columns=columns,
        failures=failures,
        responses_dir=responses_dir,
        runlog=False if no_runlog else (runlog or True),
        prices=prices,
        prompts_dir=prompts_dir,
        drop_ungrounded=drop_ungrounded,
        progress=show,
        strategy=strategy,
    )
    if via != "direct":
        round_report = runners[via](input, out, imports=import_ or (), resubmit=resubmit, model=model, **options)
        if as_json:
            typer.echo(json.dumps(round_report.to_dict()))
        else:
            typer.echo(round_report.format(f"toolkit batch {input} --out {out}"))
        report = round_report.batch
    else:
        report = run_batch(
            input,
            out,
            fmt=fmt,
            model=model,
            base_url=base_url,
            concurrency=concurrency,
            max_retries=max_retries,
            timeout=timeout,
            record_mode="off" if no_cache else "cache",
            **options,
        )
        typer.echo(json.dumps(report.to_dict()) if as_json else report.format())
    if report.remaining_failures:
        raise typer.Exit(2)


def logs(
    run: Annotated[str, typer.Option(help="last, a run id (or its start), or all")] = "last",
    failures: Annotated[bool, typer.Option("--failures", help="List the failed articles and chains")] = False,
    sql: Annotated[str | None, typer.Option(help="Run a read-only SQL query on the log (tables runs, calls)")] = None,
    list_runs: Annotated[bool, typer.Option("--list", help="List recent runs")] = False,
    db: Annotated[Path | None, typer.Option(help="Run log file (env TOOLKIT_RUNLOG)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    debug: Debug = False,
) -> None:
    """What did a run cost, and what failed? Reads the batch run log; no model is called.

    Examples: toolkit logs; toolkit logs --failures; toolkit logs --list;
    toolkit logs --sql "SELECT chain, SUM(cost_usd) FROM calls GROUP BY chain"
    """
    from toolkit import runlog as rl

    if sql:
        columns, rows = rl.query(sql, db)
        if as_json:
            typer.echo(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str))
        else:
            typer.echo(rl.table(columns, rows))
        return
    if list_runs:
        runs = rl.list_runs(db)
        if as_json:
            typer.echo(json.dumps(runs, default=str))
            return
        cols = [
            "run_id",
            "status",
            "started_at",
            "command",
            "input",
            "articles_ok",
            "articles_failed",
            "calls",
            "cost_usd",
        ]
        typer.echo(rl.table(cols, [[r[c] for c in cols] for r in runs]))
        return
    if failures:
        rows = rl.failures(run, db)
        if as_json:
            typer.echo(json.dumps(rows, default=str))
            return
        cols = ["article_id", "chain", "cause", "error"]
        typer.echo(
            rl.table(cols, [[r["article_id"], r["chain"], r["cause"], (r["error"] or "")[:100]] for r in rows])
            if rows
            else "no failures"
        )
        return
    summary = rl.summarize(run, db)
    typer.echo(json.dumps(summary, default=str) if as_json else rl.format_summary(summary))


def register(app: typer.Typer) -> None:
    """Add `batch` and `logs` to the main app."""
    from toolkit.cli import clean_errors  # here, not at import: cli.py imports this module

    app.command("batch")(clean_errors(batch))
    app.command("logs")(clean_errors(logs))
