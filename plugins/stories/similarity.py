"""Text similarity for the story work: sentence embeddings where affordable, weighted words at scale.

"embeddings": all-MiniLM-L6-v2 (toolkit.embeddings, numpy): paraphrases meet ('had surgery' and
'underwent an operation'), at about 15 ms a short sentence on 2 cores. "words": TF-IDF over
stemmed content words, hashed into a fixed number of dimensions and L2-normalised, so both give
unit vectors whose dot product is a cosine and every step after is the same code; thousands of
texts a second. `auto` takes embeddings up to a budget of texts (about 20 s and 45 s of
embedding) and words beyond it, and the choice is recorded in the output. Each method has its
own thresholds (cosines differ in scale).
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from toolkit.text import content_words_in_order

Method = Literal["embeddings", "words"]
#: dimensions words are hashed into (collisions cost little at this size)
WORD_DIMS = 1024
#: texts up to which `auto` embeds (above it, words): about a minute of embedding on 2 cores
EMBED_BUDGET = {"articles": 300, "claims": 3000}


@dataclass(frozen=True)
class Thresholds:
    """Cosines one method needs for each decision (tuned on the story gold; see benchmarks/README.md)."""

    #: two articles are one story whatever they name
    strong_link: float
    #: two articles naming the same specific actor or place are one story
    named_link: float
    #: two claims by one claimant (or a generic/outlet voice) say the same thing
    same_claim: float
    #: two claims by different named claimants say the same thing (one relays the other)
    same_claim_named: float
    #: a challenge is set against an assertion
    challenge: float
    #: a challenge stands when the model calls it unrelated
    sure_challenge: float
    #: two claims with different figures measure the same thing
    figures: float


THRESHOLDS: dict[str, Thresholds] = {
    "embeddings": Thresholds(0.75, 0.5, 0.55, 0.8, 0.5, 0.6, 0.6),
    "words": Thresholds(0.45, 0.15, 0.3, 0.6, 0.15, 0.35, 0.3),
}


def choose(method: str, count: int, kind: str) -> Method:
    """The method for `count` texts of a kind ("articles" or "claims"): auto picks by budget."""
    if method in ("embeddings", "words"):
        return method  # type: ignore[return-value]
    return "embeddings" if count <= EMBED_BUDGET[kind] else "words"


def _bucket(term: str) -> int:
    return zlib.crc32(term.encode("utf-8")) % WORD_DIMS


def inverse_frequencies(texts: list[str]) -> dict[str, float]:
    """IDF of each stemmed content word over these texts (smoothed, as scikit-learn does)."""
    df = Counter(term for t in texts for term in set(content_words_in_order(t)))
    return {term: math.log((1 + len(texts)) / (1 + count)) + 1.0 for term, count in df.items()}


def word_vectors(texts: list[str], idf: dict[str, float] | None = None) -> Any:
    """Unit TF-IDF vectors (n, WORD_DIMS) over stemmed content words; IDF from these texts unless given."""
    import numpy as np

    bags = [Counter(content_words_in_order(t)) for t in texts]
    if idf is None:
        idf = inverse_frequencies(texts)
    out = np.zeros((len(texts), WORD_DIMS), dtype=np.float32)
    for row, bag in enumerate(bags):
        for term, count in bag.items():
            out[row, _bucket(term)] += (1.0 + math.log(count)) * idf.get(term, 1.0)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)  # in place: no second copy
    return out


def vectors(texts: list[str], method: Method) -> Any:
    """Unit vectors for the texts by the method; cosine similarity is their dot product."""
    if method == "embeddings":
        from toolkit.embeddings import embed

        return embed(texts)
    return word_vectors(texts)


def vectoriser(texts: list[str], method: Method) -> Callable[[list[str]], Any]:
    """A function giving unit vectors for some of `texts` at a time, consistent across calls (for
    words, the IDF of all of them), so a long story never holds every claim's vector at once."""
    if method == "embeddings":
        return lambda batch: vectors(batch, "embeddings")
    idf = inverse_frequencies(texts)
    return lambda batch: word_vectors(batch, idf)
