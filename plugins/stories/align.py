"""Claims aligned across a story's articles: the same claimant, after normalisation, saying the same thing.

Claimants are normalised (case, a leading 'the', possessives) and short forms take the story's
full name ('Pushilin' -> 'Denis Pushilin', 'WHO' -> 'the World Health Organization'); the
outlets' own voices align with each other. Content is compared by stemmed content words
(containment of the shorter in the longer), and figures must agree: '$500' and '$999' from one
analyst are two claims. Word sets keep this fast on thousands of stories; the embeddings are
kept for what needs meaning (which claims oppose each other, toolkit_plugins.stories.pairs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from toolkit.text import content_words
from toolkit_plugins.news import OUTLET
from toolkit_plugins.news.claimants import is_short_form
from toolkit_plugins.stories.grouping import ArticleDigest
from toolkit_plugins.stories.schema import Occurrence, StoryClaim

#: share of the shorter claim's content words the longer one must hold to be the same claim
SAME_CONTENT = 0.6
FIGURE = re.compile(r"\d[\d,.]*\d|\d")


@dataclass
class Aligned:
    """An aligned claim while it is built: its occurrences and the words it is compared by."""

    claimant: str
    claims: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    figures: frozenset[str] = frozenset()

    @property
    def first(self) -> dict[str, Any]:
        return self.claims[0][1]


def _figures(text: str) -> frozenset[str]:
    return frozenset(f.replace(",", "") for f in FIGURE.findall(text))


def _claimant_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.lower().removeprefix("the ").replace("’", "'").removesuffix("'s")).strip()


def claimant_names(items: list[ArticleDigest]) -> dict[str, str]:
    """Each claimant as written -> the story's name for it (short forms to the longest full name)."""
    written = sorted({str(c.get("claimant", "")) for d in items for c in d.claims}, key=len, reverse=True)
    names: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for name in written:
        if name == OUTLET:
            names[name] = OUTLET
            continue
        key = _claimant_key(name)
        if key in by_key:
            names[name] = by_key[key]
            continue
        full = next((f for f in by_key.values() if is_short_form(name, f)), None)
        names[name] = full or name
        by_key.setdefault(key, names[name])
    return names


def _same(group: Aligned, words: set[str], figures: frozenset[str]) -> bool:
    if not words or not group.words:
        return False
    if figures and group.figures and figures != group.figures:
        return False
    shared = len(words & group.words)
    return shared >= 2 and shared >= SAME_CONTENT * min(len(words), len(group.words))


def align(items: list[ArticleDigest]) -> list[tuple[StoryClaim, dict[str, Any]]]:
    """The story's aligned claims, most widely carried first, each with a representative claim dict."""
    names = claimant_names(items)
    groups: dict[str, list[Aligned]] = {}
    for item in items:
        for claim in item.claims:
            claimant = names.get(str(claim.get("claimant", "")), str(claim.get("claimant", "")))
            words = content_words(str(claim.get("quote") or claim.get("text") or "")) - content_words(claimant)
            figures = _figures(str(claim.get("quote", "")))
            candidates = groups.setdefault(claimant, [])
            match = next((g for g in candidates if _same(g, words, figures)), None)
            if match is None:
                match = Aligned(claimant=claimant, words=words, figures=figures)
                candidates.append(match)
            if all(key != item.key for key, _ in match.claims):  # one occurrence per article
                match.claims.append((item.key, claim))
    ordered = sorted(
        (g for gs in groups.values() for g in gs),
        key=lambda g: (-len(g.claims), g.claims[0][0], int(g.first.get("start", 0))),
    )
    out: list[tuple[StoryClaim, dict[str, Any]]] = []
    for n, g in enumerate(ordered, 1):
        occurrences = [
            Occurrence(
                article=key,
                claim=str(c.get("id", "")),
                quote=str(c.get("quote", "")),
                start=int(c.get("start", 0)),
                end=int(c.get("end", 0)),
                alignment=str(c.get("alignment", "")),
                context=str(c.get("context", "")),
            )
            for key, c in g.claims
        ]
        claim = StoryClaim(
            id=f"s{n}",
            claimant=g.claimant,
            text=str(g.first.get("text", "")),
            type=str(g.first.get("type", "fact")),
            occurrences=occurrences,
        )
        out.append((claim, {**g.first, "claimant": g.claimant}))
    return out
