"""Whether a claim rejects or doubts something (the words of news denials and non-confirmations),
and whether it is a report or a rumour: what such challenges answer."""

from __future__ import annotations

import re
from typing import Literal

from toolkit_plugins.claims.schema import Claim
from toolkit_plugins.news import OUTLET, UNNAMED_REPORTS

#: words that reject what someone else said: the two cannot both stand
DENIAL = re.compile(
    r"\b(den(y|ied|ies|ying|ial)|dismiss\w*|reject\w*|refut\w*|debunk\w*|false|fake|hoax\w*|nonsense|untrue|"
    r"not true|no truth|inaccurate|not accurate|incorrect|erroneous|ruled? out|impossible|misinformation|"
    r"scam\w*|staged|made[- ]up|not the case|wrong|mistaken|misleading|baseless|bogus|fabricat\w*|ridiculous|"
    r"categorically|no plans?|not dead|alive and well)\b",
    re.I,
)
#: words that set the lack of evidence against a claim: they dispute it without negating it
#: (analysts label such pairs 'contests', a flat denial 'contradicts')
COUNTER_EVIDENCE = re.compile(
    r"\b(no (hard |credible |real |firm )?(evidence|proof|indication|sign)s?|nothing to (indicate|suggest|show))\b",
    re.I,
)
#: words that withhold confirmation or cast doubt without rejecting
DOUBT = re.compile(
    r"\b(unconfirmed|unverified|unsubstantiated|"
    r"(not|never|n[’']t) (be |been |yet (been )?)?(confirmed|verified|substantiated)|"
    r"(could|can|cannot|can’t|can't|unable to|would|will|did|does) ?(not|n[’']t)? (confirm|verify)|"
    r"declined to (comment|confirm)|neither confirmed nor denied|no comment|doubt\w*|skeptic\w*|sceptic\w*|"
    r"questionable|did not respond|not respond\w*)\b",
    re.I,
)


#: any word of challenge, negations included (broad: it finds candidates; DENIAL, COUNTER_EVIDENCE
#: and DOUBT, narrower, say which kind a claim is, and every word of theirs is one of challenge too:
#: "has ruled out Ebola" challenges as much as "said it was not Ebola")
CHALLENGE = re.compile(
    r"\b(not|no|never|none|nothing|nobody|investigat\w*|dispute\w*|contrary|rumou?r\w*)\b|n[’']t|"
    + "|".join(f"(?:{p.pattern})" for p in (DENIAL, COUNTER_EVIDENCE, DOUBT)),
    re.I,
)


def challenge_kind(claim: Claim) -> Literal["denial", "counter-evidence", "doubt"] | None:
    """'denial', 'counter-evidence', 'doubt' or None, by the claim's words and its attribution verb."""
    words = f"{claim.verb} {claim.quote}"
    if DENIAL.search(words):
        return "denial"
    if COUNTER_EVIDENCE.search(words):
        return "counter-evidence"
    if DOUBT.search(words):
        return "doubt"
    return None


#: claimants and verbs of reports, rumours and sources
REPORT_SOURCE = re.compile(
    r"\b(reports?|rumou?rs?|blog|site|website|media|story|tweet|post|newspaper|magazine|outlets?|sources?|"
    r"video|footage)\b",
    re.I,
)
#: not "according to", every source's attribution, nor a report's words in the sentence ("the rumour took
#: shape after ...", said of a report, is not the report)
REPORT_VERB = re.compile(r"\b(report\w*|claim\w*|alleg\w*|rumou?r\w*|speculat\w*|purport\w*)\b", re.I)


def is_report(claim: Claim) -> bool:
    """A report, a rumour or a source's account: the kind of claim a denial answers. The outlet's own
    voice is none ('the outlet' is no news outlet quoted)."""
    if claim.claimant == OUTLET:
        return False
    return bool(
        claim.claimant == UNNAMED_REPORTS or REPORT_SOURCE.search(claim.claimant) or REPORT_VERB.search(claim.verb)
    )
