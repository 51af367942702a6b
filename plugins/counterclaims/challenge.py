"""Whether a claim rejects or doubts something: the words of news denials and non-confirmations."""

from __future__ import annotations

import re
from typing import Literal

from toolkit_plugins.claims.schema import Claim

#: words that reject what someone else said: the two cannot both stand
DENIAL = re.compile(
    r"\b(den(y|ied|ies|ying|ial)|dismiss\w*|reject\w*|refut\w*|debunk\w*|false|fake|hoax\w*|nonsense|untrue|"
    r"not true|no truth|inaccurate|not accurate|incorrect|erroneous|ruled? out|impossible|misinformation|"
    r"scam\w*|staged|made[- ]up|not the case|wrong|mistaken|misleading|baseless|bogus|fabricat\w*|ridiculous|"
    r"categorically|no (hard |credible |real )?(evidence|proof|indication|sign)|nothing to (indicate|suggest)|"
    r"no plans?|not dead|alive and well)\b",
    re.I,
)
#: words that withhold confirmation or cast doubt without rejecting
DOUBT = re.compile(
    r"\b(unconfirmed|unverified|unsubstantiated|(not|never|n[’']t) (been |yet )?(confirmed|verified|substantiated)|"
    r"(could|can|cannot|can’t|can't|unable to|would|will|did|does) ?(not|n[’']t)? (confirm|verify)|"
    r"declined to (comment|confirm)|neither confirmed nor denied|no comment|doubt\w*|skeptic\w*|sceptic\w*|"
    r"questionable|did not respond|not respond\w*)\b",
    re.I,
)


def challenge_kind(claim: Claim) -> Literal["denial", "doubt"] | None:
    """'denial', 'doubt' or None, by the claim's words and its attribution verb."""
    words = f"{claim.verb} {claim.quote}"
    if DENIAL.search(words):
        return "denial"
    if DOUBT.search(words):
        return "doubt"
    return None
