"""Articles into stories: one digest per result, sentence embeddings, links by similarity and shared names.

A digest keeps only what the story work reads (title, names, the claims and the article's own
counter pairs), so 10,000 results stay small in memory. Two articles are linked when their
vectors (headline and key points: sentence embeddings, or weighted words at scale; see
toolkit_plugins.stories.similarity) are very close, or fairly close and they name the same
specific actor or place; stories are the linked components. Similarities are computed a block of
rows at a time, so memory stays flat however many articles come in.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from toolkit.hashing import sha256_text
from toolkit_plugins.news import OUTLET

#: rows of the similarity matrix computed at once (a block is BLOCK x articles floats)
BLOCK = 1024
#: characters of an article's digest text the embedding reads (headline and key points)
DIGEST_CHARS = 400
#: a name shared by more than this share of the articles says nothing about a story (e.g. "Reuters")
COMMON_NAME_SHARE = 0.2
#: the fields of a claim the story work reads and shows
CLAIM_FIELDS = ("id", "text", "claimant", "type", "quote", "start", "end", "alignment", "context")
_GENERIC_NAME = re.compile(
    r"^(unattributed|unnamed|anonymous|sources?|officials?|reports?|media|experts?|analysts?|witnesses|"
    r"residents|police|the government|government|authorities|critics|people|users|fans|some|many|others)\b",
    re.I,
)


@dataclass
class ArticleDigest:
    key: str
    sha256: str
    title: str
    outlet: str
    text: str
    names: frozenset[str]
    claims: list[dict[str, Any]]
    #: the article's own counter pairs: (claim a, claim b, relation)
    pairs: list[tuple[str, str, str]] = field(default_factory=list)


@functools.lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """A name compared case-free, without a leading 'the', a possessive or extra spaces."""
    return re.sub(r"\s+", " ", name.lower().removeprefix("the ").replace("’", "'").removesuffix("'s")).strip()


def _names(summary: dict[str, Any], claims: list[dict[str, Any]]) -> frozenset[str]:
    raw = list(summary.get("who") or []) + list(summary.get("where") or [])
    raw += [str(c.get("claimant", "")) for c in claims]
    keys = {name_key(n) for n in raw if n and n != OUTLET and not _GENERIC_NAME.match(n.strip())}
    return frozenset(k for k in keys if len(k) > 2)


def digest(result: dict[str, Any]) -> ArticleDigest | None:
    """What the story work keeps of one result; None when its claims chain did not succeed."""
    outputs = result.get("outputs") or {}
    claims_out = outputs.get("claims")
    if not isinstance(claims_out, dict):
        return None
    article = result.get("article") or {}
    sha = str(article.get("sha256", ""))
    summary = outputs.get("summary") if isinstance(outputs.get("summary"), dict) else {}
    claims = [
        {k: c.get(k) for k in CLAIM_FIELDS}  # only what the story shows: 10,000 results stay small
        for c in claims_out.get("claims") or []
        if c.get("alignment") != "ungrounded"
    ]
    headline = str(summary.get("headline") or article.get("title") or "")
    points = [str(k.get("text", "")) for k in summary.get("key_points") or []]
    if not points:
        points = [str(c.get("text", "")) for c in claims[:3]]
    counter = outputs.get("counterclaims") if isinstance(outputs.get("counterclaims"), dict) else {}
    pairs = [(str(p["claim_a"]), str(p["claim_b"]), str(p["relation"])) for p in counter.get("pairs") or []]
    return ArticleDigest(
        key=str(article.get("id") or sha[:12]),
        sha256=sha,
        title=str(article.get("title") or headline),
        outlet=str(article.get("outlet") or ""),
        text=" ".join([headline, *points])[:DIGEST_CHARS],
        names=_names(summary, claims),
        claims=claims,
        pairs=pairs,
    )


def digests(results: Iterable[dict[str, Any]]) -> tuple[list[ArticleDigest], int]:
    """The digests of the results that have claims, and how many had none."""
    kept, skipped = [], 0
    for result in results:
        found = digest(result)
        if found is None:
            skipped += 1
        else:
            kept.append(found)
    return kept, skipped


class _Components:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def group(items: list[ArticleDigest], vectors: Any, strong_link: float, named_link: float) -> list[list[int]]:
    """Stories as lists of indexes into `items` (2+ articles each), largest first: articles are
    linked at `strong_link` cosine, or at `named_link` when they share a specific name."""
    import numpy as np

    n = len(items)
    if n < 2:
        return []
    frequency = Counter(name for d in items for name in d.names)
    common = max(2, int(COMMON_NAME_SHARE * n))
    specific = [frozenset(k for k in d.names if frequency[k] <= common) for d in items]
    components = _Components(n)
    for start in range(0, n, BLOCK):
        block = vectors[start : start + BLOCK] @ vectors.T
        rows, cols = np.nonzero(block >= named_link)
        for r, j in zip(rows.tolist(), cols.tolist(), strict=True):
            i = start + r
            if j <= i:
                continue
            if block[r, j] >= strong_link or specific[i] & specific[j]:
                components.union(i, j)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(components.find(i), []).append(i)
    return sorted((m for m in members.values() if len(m) > 1), key=lambda m: (-len(m), m[0]))


def story_id(items: list[ArticleDigest]) -> str:
    """Stable: from the smallest article hash, so input order never changes it."""
    return "story-" + sha256_text(min(d.sha256 for d in items))[:10]


def story_title(items: list[ArticleDigest], vectors: Any) -> str:
    """The title of the article closest to all the others (the story's most central article)."""
    sims = vectors @ vectors.T
    central = int(sims.sum(axis=1).argmax())
    return items[central].title or items[central].text[:120]


def story_names(items: list[ArticleDigest], limit: int = 6) -> list[str]:
    """The names most of the story's articles share."""
    counts = Counter(name for d in items for name in d.names)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))  # ties by name, not by set order
    return [name for name, n in ranked[:limit] if n > 1]
