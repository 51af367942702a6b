"""The claims chain: who claims what, typed, with the verbatim evidence quote and its offsets.

`schema` holds the output types, `chain` the logic, `view` how the output reads.
"""

from __future__ import annotations

from typing import Any

from toolkit.hookspecs import hookimpl
from toolkit_plugins.claims.chain import ClaimsChain
from toolkit_plugins.claims.schema import Claim, ClaimList, ClaimType
from toolkit_plugins.claims.view import ClaimsView

__all__ = ["Claim", "ClaimList", "ClaimType", "ClaimsChain", "ClaimsView", "register_chains"]


@hookimpl
def register_chains(register: Any) -> None:
    register(ClaimsChain())
