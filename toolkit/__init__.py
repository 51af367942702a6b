"""News toolkit: structured summaries, claim lists and counter-claim pairings from articles.

The public API is re-exported lazily so that `import toolkit` stays cheap (no spaCy, no model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Article": "toolkit.article",
    "load_article": "toolkit.article",
    "article_from_text": "toolkit.article",
    "ToolkitError": "toolkit.errors",
    "run": "toolkit.runner",
    "arun": "toolkit.runner",
    "RunResult": "toolkit.schema",
    "get_plugin_manager": "toolkit.plugins",
    "get_chain": "toolkit.plugins",
    "get_model": "toolkit.providers",
    "hookimpl": "toolkit.hookspecs",
}

if TYPE_CHECKING:  # pragma: no cover
    from toolkit.article import Article, article_from_text, load_article  # noqa: F401
    from toolkit.errors import ToolkitError  # noqa: F401
    from toolkit.plugins import get_chain, get_plugin_manager  # noqa: F401
    from toolkit.providers import get_model  # noqa: F401
    from toolkit.runner import arun, run  # noqa: F401
    from toolkit.schema import RunResult  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
