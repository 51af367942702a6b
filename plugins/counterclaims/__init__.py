"""The counterclaims chain: which claims in an article contest each other, and which stand uncontested.

`schema` holds the output types, `chain` the logic, `view` how the output reads.
"""

from __future__ import annotations

from typing import Any

from toolkit.hookspecs import hookimpl
from toolkit_plugins.counterclaims.chain import CounterClaimsChain
from toolkit_plugins.counterclaims.schema import ClaimPair, CounterClaims, Relation
from toolkit_plugins.counterclaims.view import CounterClaimsView

__all__ = ["ClaimPair", "CounterClaims", "CounterClaimsChain", "CounterClaimsView", "Relation", "register_chains"]


@hookimpl
def register_chains(register: Any) -> None:
    register(CounterClaimsChain())
