"""The summary chain: a structured brief: headline, grounded key points, the 5 Ws, actors and framing.

`schema` holds the output types, `chain` the logic, `view` how the output reads.
"""

from __future__ import annotations

from typing import Any

from toolkit.hookspecs import hookimpl
from toolkit_plugins.summary.chain import SummaryChain
from toolkit_plugins.summary.schema import Actor, KeyPoint, Summary
from toolkit_plugins.summary.view import SummaryView

__all__ = ["Actor", "KeyPoint", "Summary", "SummaryChain", "SummaryView", "register_chains"]


@hookimpl
def register_chains(register: Any) -> None:
    register(SummaryChain())
