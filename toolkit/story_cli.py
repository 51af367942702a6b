"""`toolkit story`: a cross-article analysis over batch or run outputs, registered onto the main app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli_options import Debug, RecordMode, ResponsesDir


def story(
    source: Annotated[
        Path, typer.Argument(help="A batch output .jsonl, a `toolkit run --out` file, or a folder of them")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Write the analysis (JSON, with provenance)")],
    html_out: Annotated[Path | None, typer.Option("--html", help="Also write a standalone HTML report")] = None,
    analysis: Annotated[str, typer.Option(help="The cross-article analysis to run")] = "stories",
    model: Annotated[str | None, typer.Option(help="The model that labels candidate pairs (env TOOLKIT_MODEL)")] = None,
    record_mode: RecordMode = None,
    responses_dir: ResponsesDir = None,
    label: Annotated[
        bool | None,
        typer.Option(
            "--label/--no-label",
            help="The model labels candidate pairs / rules only, no model call (default: the model labels "
            "when it declares itself capable, e.g. openai:...; rules for the embedded small model)",
        ),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option", "-O", help="KEY=VALUE passed to the analysis (stories: similarity=auto|embeddings|words)"
        ),
    ] = None,
    debug: Debug = False,
) -> None:
    """Group articles into stories; align claims across outlets; find who contests whom, with evidence."""
    from toolkit.errors import ConfigError
    from toolkit.files import write_atomic
    from toolkit.story import build, html_report

    options = {}
    for item in option or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option wants KEY=VALUE, got {item!r}")
        options[key.strip()] = value.strip()
    result = build(
        source,
        analysis=analysis,
        model=model,
        record_mode=record_mode,
        responses_dir=responses_dir,
        label=label,
        options=options,
    )
    write_atomic(out, result.model_dump_json(indent=1) + "\n")
    summary = result.output.get("summary") or {}
    figures = ", ".join(f"{v} {k}" for k, v in summary.items())
    typer.echo(
        f"{result.analysis}: {result.results_used} results ({result.results_skipped} skipped), "
        f"{figures}; {len(result.calls)} model calls, {result.duration_s} s -> {out}",
        err=True,
    )
    if html_out is not None:
        write_atomic(html_out, html_report(result))
        typer.echo(f"wrote {html_out}", err=True)


def register(app: typer.Typer) -> None:
    """Add `story` to the main app."""
    from toolkit.cli import clean_errors  # here, not at import: cli.py imports this module

    app.command("story")(clean_errors(story))
