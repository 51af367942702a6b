"""Per-article analyses that several chains share, computed once per article.

A plugin registers an Analyzer (hook `register_analyzers`); a chain names the analyzers it reads
in `Chain.analyzers`. The runner computes the ones its plan needs once per article into
`ChainInput.analyses`, and a batch computes them ahead in a worker process (toolkit.analysis_pool)
and hands them to the runner, so no module-level cache has to be primed and forgotten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analyzer:
    """A named analysis of an article's text. Its result must be immutable and picklable (it
    crosses from the batch's worker process); `reset` drops state that grows with every text
    (a parser's vocabulary), which the batch worker calls every few thousand texts."""

    name: str
    analyse: Callable[[str], Any]
    reset: Callable[[], None] | None = None
    #: raises a ToolkitError (one line) when what the analysis needs is missing (a parser's model),
    #: so a run or batch stops before its first article; cheap: nothing is loaded
    check: Callable[[], None] | None = None


def all_analyzers() -> dict[str, Analyzer]:
    from toolkit.plugins import collect_named

    return collect_named("register_analyzers", "analyzer")


def needed_by(chains: Iterable[Any]) -> tuple[str, ...]:
    """The analyzers a plan of chains reads, in first-use order."""
    return tuple(dict.fromkeys(name for chain in chains for name in getattr(chain, "analyzers", ())))


def compute_analyses(text: str, names: Iterable[str]) -> dict[str, Any]:
    """Each named analysis of `text` (unknown names are a PluginError)."""
    names = list(names)
    if not names:
        return {}
    from toolkit.plugins import pick_named

    analyzers = all_analyzers()
    return {name: pick_named(analyzers, name, "analyzer").analyse(text) for name in names}


def check_analyzers(names: Iterable[str]) -> None:
    """Run the named analyzers' checks: a missing resource is one clear error before any work."""
    analyzers = all_analyzers()
    for name in names:
        analyzer = analyzers.get(name)
        if analyzer is not None and analyzer.check is not None:
            analyzer.check()
