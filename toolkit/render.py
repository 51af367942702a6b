"""Pure rendering functions: a RunResult to plain text (CLI); each chain's view renders its own section."""

from __future__ import annotations

from toolkit.errors import PluginError
from toolkit.plugins import all_chains
from toolkit.schema import RunResult


def render_text(result: RunResult, order: list[str] | None = None) -> str:
    """The readable report the CLI prints: provenance header, then each chain's own section.

    `order` lists chains in the order the user asked for them; dependencies come after.
    """
    usage = result.usage
    art = result.article
    head = [
        f"Article: {art.title or art.source or art.id or '(untitled)'}",
        f"  sha256 {art.sha256[:16]}  {art.chars} chars  model {result.model} ({result.strategy})  "
        f"{len(result.calls)} calls  tokens {usage.prompt_tokens}+{usage.completion_tokens}",
    ]
    sections = []
    chains = all_chains()
    if not order:  # the reading order the plugins give
        order = sorted(result.chains, key=lambda n: (chains[n].position if n in chains else 1000, n))
    outputs = {name: result.output(name) for name in result.outputs}
    ranked = sorted(result.chains, key=lambda n: (order.index(n) if order and n in order else len(order or ()),))
    for name in ranked:
        run = result.chains[name]
        if run.status != "ok":
            sections.append(f"{name}: FAILED ({run.error_cause}): {run.error}")
            continue
        chain = chains.get(name)
        if chain is None:
            raise PluginError(f"chain '{name}' is not installed; cannot render its output")
        prompts = ", ".join(f"{p['name']} v{p['version']}" for p in run.prompts)
        section = chain.view.render_text(outputs[name], deps=outputs)
        sections.append(
            f"{section}\n  [{name} v{run.version}; prompts {prompts}; {run.calls} calls, {run.duration_s}s]"
        )
    return "\n".join(head) + "\n\n" + "\n\n".join(sections) + "\n"
