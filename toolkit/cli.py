"""The `toolkit` command. Expected failures print one line and exit non-zero, no traceback."""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from toolkit.cli_options import Debug, RecordMode, ResponsesDir
from toolkit.errors import ToolkitError
from toolkit.files import write_atomic

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Structured summaries, claims and counter-claims from news articles.",
)
models_app = typer.Typer(no_args_is_help=True, help="Model providers and local model files.")
app.add_typer(models_app, name="models")


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn ToolkitError (and Ctrl-C) into a one-line message unless --debug."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False) or os.environ.get("TOOLKIT_DEBUG") == "1"
        try:
            return func(*args, **kwargs)
        except ToolkitError as exc:
            if debug:
                traceback.print_exc()
            _fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        except KeyboardInterrupt:
            _fail("interrupted", 130)

    return wrapper


@app.command()
@clean_errors
def run(
    articles: Annotated[list[Path], typer.Argument(help="Article files: .txt, .md, .html or .json")],
    chains: Annotated[
        str | None, typer.Option(help="Comma-separated chains; dependencies are added (default: the default chains)")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="local, local:qwen2.5-1.5b, openai:MODEL (env TOOLKIT_MODEL)")
    ] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL (env OPENAI_BASE_URL)")] = None,
    out: Annotated[Path | None, typer.Option(help="Write JSON (.json, or .jsonl one article a line)")] = None,
    record_mode: RecordMode = None,
    responses_dir: ResponsesDir = None,
    prompts_dir: Annotated[
        Path | None, typer.Option(help="Folder overriding prompt files: <chain>/<name>.toml")
    ] = None,
    drop_ungrounded: Annotated[bool, typer.Option(help="Drop claims whose quote is not found in the article")] = False,
    strategy: Annotated[
        str, typer.Option(help="guided (rules find, the model labels), direct (the model reads), or auto: by the model")
    ] = "auto",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No report on stdout")] = False,
    debug: Debug = False,
) -> None:
    """Run chains on articles: print a report, and write versioned JSON with --out."""
    from toolkit.article import load_article
    from toolkit.render import render_text
    from toolkit.runner import make_model
    from toolkit.runner import run as run_chains

    loaded = [load_article(p) for p in articles]  # all inputs checked before any model work
    llm = make_model(model, record_mode=record_mode, responses_dir=responses_dir, base_url=base_url)
    results = []
    for article in loaded:
        result = run_chains(
            article, chains, model=llm, prompts_dir=prompts_dir, drop_ungrounded=drop_ungrounded, strategy=strategy
        )
        results.append(result)
        if not quiet:
            typer.echo(render_text(result, order=[c.strip() for c in chains.split(",")] if chains else None))
    if out is not None:
        if out.suffix == ".jsonl":
            text = "".join(r.model_dump_json() + "\n" for r in results)
        elif len(results) == 1:
            text = results[0].to_json() + "\n"
        else:
            text = "[\n" + ",\n".join(r.to_json() for r in results) + "\n]\n"
        write_atomic(out, text)
        typer.echo(f"wrote {out}", err=True)


@app.command()
@clean_errors
def plugins(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    schemas: Annotated[bool, typer.Option("--schemas", help="Include each chain's JSON schema")] = False,
    debug: Debug = False,
) -> None:
    """List installed chains with versions, output schemas, prompt versions, and broken plugins."""
    from toolkit.plugins import all_chains, broken_plugins, get_plugin_manager

    chains = all_chains()
    info = []
    for chain in chains.values():
        item = chain.describe()
        if schemas:
            item["json_schema"] = chain.output_schema.model_json_schema()
        info.append(item)
    if as_json:
        typer.echo(json.dumps({"chains": info, "broken": broken_plugins}, indent=2))
        return
    for item in info:
        deps = f"  (uses {', '.join(item['depends_on'])})" if item["depends_on"] else ""
        typer.echo(f"{item['name']} {item['version']}  schema {item['schema']}{deps}")
        typer.echo(f"    {item['description']}")
        for p in item["prompts"]:
            typer.echo(f"    prompt {p['name']} v{p['version']} sha256:{p['sha256'][:12]}")
    names = sorted(n for n in (get_plugin_manager().list_name_plugin()) if n[0])
    typer.echo(f"plugins loaded: {', '.join(n for n, _ in names)}")
    for name, reason in broken_plugins:
        typer.echo(f"BROKEN plugin {name} (skipped): {reason}")


@models_app.command("list")
@clean_errors
def models_list(debug: Debug = False) -> None:
    """Show model providers and which model is configured."""
    from toolkit.config import load_config
    from toolkit.providers import available_providers

    config = load_config()
    typer.echo(f"configured model: {config.model}  (from {config.source}; env TOOLKIT_MODEL; flag --model)")
    for prefix in sorted(available_providers()):
        typer.echo(f"provider {prefix}")


@app.command("eval")
@clean_errors
def evaluate(
    outputs: Annotated[Path, typer.Argument(help="A `toolkit run --out` file, a folder of them, or a batch .jsonl")],
    gold: Annotated[Path, typer.Argument(help="A gold file or a folder of them (dev-set format)")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (with per-claim details)")] = False,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write a standalone HTML report")] = None,
    debug: Debug = False,
) -> None:
    """Score outputs against gold claims and counter pairs: per article and in total."""
    from toolkit.eval import score

    report = score(outputs, gold)
    if html_out is not None:
        write_atomic(html_out, report.to_html())
        typer.echo(f"wrote {html_out}", err=True)
    typer.echo(report.to_json() if as_json else report.render_text(), nl=False)


# Further command groups register themselves here (each module owns its commands).
from toolkit import batch_cli, story_cli  # noqa: E402

batch_cli.register(app)
story_cli.register(app)


def _plugin_commands() -> None:
    """Commands plugins add (a provider's install command): a broken plugin costs its commands only."""
    from toolkit.plugins import get_plugin_manager

    for impl in get_plugin_manager().hook.register_commands.get_hookimpls():
        try:
            impl.function(app=app, models=models_app)
        except Exception as exc:  # noqa: BLE001 - shown by `toolkit plugins`, never breaks the CLI
            from toolkit.plugins import broken_plugins

            broken_plugins.append((impl.plugin_name, f"{type(exc).__name__}: {exc}"))


_plugin_commands()


def main() -> None:
    try:
        app()
    except BrokenPipeError:  # `toolkit run ... | head`
        sys.exit(0)


if __name__ == "__main__":
    main()
