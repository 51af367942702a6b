"""The hooks a plugin may implement. Built-in chains and providers use exactly these.

A plugin is any module registered under the entry-point group `news_toolkit`:

    [project.entry-points.news_toolkit]
    my_chain = "my_package.my_chain"

and marks its functions with `@toolkit.hookimpl`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("news_toolkit")
hookimpl = pluggy.HookimplMarker("news_toolkit")


@hookspec
def register_chains(register: Callable[[Any], None]) -> None:
    """Call `register(chain)` for each toolkit.chain.Chain instance the plugin provides."""


@hookspec
def register_models(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Call `register(prefix, factory)`; `factory(name, **options)` returns a toolkit.models.Model.

    The prefix is what users type before the colon: `--model PREFIX:NAME`.
    """


@hookspec
def register_evaluators(register: Callable[[Any], None]) -> None:
    """Call `register(evaluator)` for each toolkit.eval.Evaluator the plugin provides.

    An evaluator scores its chains' outputs against a gold file (`toolkit eval`) and may build
    the gold file's part it reads from a reviewed result (the workbench's "Save as gold").
    """


@hookspec
def register_analyzers(register: Callable[[Any], None]) -> None:
    """Call `register(analyzer)` for each toolkit.analyzers.Analyzer the plugin provides.

    An analyzer is a per-article analysis several chains share (a parse, entities): the runner
    computes it once per article, a batch computes it ahead in a worker process, and chains that
    name it in `Chain.analyzers` read it from `ChainInput.analysis(name)`.
    """


@hookspec
def register_commands(app: Any, models: Any) -> None:
    """Add commands to the `toolkit` Typer app, or to its `models` group (e.g. a provider's
    install command: `toolkit models install-qwen`)."""


@hookspec
def register_batch_runners(register: Callable[[str, Callable[..., Any]], None]) -> None:
    """Call `register(name, runner)` for another way to run a batch (`toolkit batch --via NAME`).

    `runner(input, out, *, model, imports, resubmit, **options)` returns an object with a
    `format()` report and a `to_dict()`; see the OpenAI provider's Batch API runner.
    """


@hookspec
def register_cross_analyses(register: Callable[[Any], None]) -> None:
    """Call `register(analysis)` for each toolkit.story.CrossAnalysis the plugin provides: an
    analysis over many articles' results (`toolkit story`), such as the built-in stories."""
