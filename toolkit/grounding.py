"""Source grounding: align every quote to character offsets in the article.

Exact match first (nearest to a hint offset when the quote occurs twice), then a match that
ignores differences of whitespace, quote marks and dashes, then fuzzy alignment (rapidfuzz).
Whatever matched, `quote` becomes the article's own text at those offsets, so
`article.text[start:end] == quote` holds for every grounded item.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

AlignmentStatus = Literal["exact", "normalized", "fuzzy", "ungrounded"]

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
FUZZY_THRESHOLD = 80.0


class Grounding(BaseModel):
    quote: str
    start: int
    end: int
    status: AlignmentStatus
    score: float = 100.0

    @property
    def grounded(self) -> bool:
        return self.status != "ungrounded"


def _normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Collapse whitespace and unify quote marks, keeping a map back to original offsets."""
    out: list[str] = []
    index: list[int] = []
    prev_space = False
    for i, ch in enumerate(text.translate(_QUOTES)):
        if ch.isspace():
            if prev_space:
                continue
            ch, prev_space = " ", True
        else:
            prev_space = False
        out.append(ch.lower())
        index.append(i)
    return "".join(out), index


def _nearest(positions: list[int], hint: int | None) -> int:
    if hint is None:
        return positions[0]
    return min(positions, key=lambda p: abs(p - hint))


def _all_positions(haystack: str, needle: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(needle), haystack)]


def align(quote: str, text: str, hint: int | None = None) -> Grounding:
    """Locate `quote` in `text`; `hint` (a char offset) breaks ties between repeated passages."""
    needle = quote.strip().strip('"').strip()
    if not needle:
        return Grounding(quote=quote, start=-1, end=-1, status="ungrounded", score=0.0)
    positions = _all_positions(text, needle)
    if positions:
        start = _nearest(positions, hint)
        return Grounding(quote=needle, start=start, end=start + len(needle), status="exact")
    norm_text, index = _normalize_with_map(text)
    norm_needle, _ = _normalize_with_map(needle)
    norm_needle = norm_needle.strip()
    positions = _all_positions(norm_text, norm_needle)
    if positions:
        pos = _nearest(positions, None if hint is None else next((j for j, i in enumerate(index) if i >= hint), None))
        start, end = index[pos], index[pos + len(norm_needle) - 1] + 1
        return Grounding(quote=text[start:end], start=start, end=end, status="normalized", score=99.0)
    from rapidfuzz import fuzz

    if len(norm_needle) < 12:
        return Grounding(quote=quote, start=-1, end=-1, status="ungrounded", score=0.0)
    result = fuzz.partial_ratio_alignment(norm_needle, norm_text, score_cutoff=FUZZY_THRESHOLD)
    if result is None:
        return Grounding(quote=quote, start=-1, end=-1, status="ungrounded", score=0.0)
    start, end = index[result.dest_start], index[max(result.dest_end - 1, result.dest_start)] + 1
    start, end = _snap_to_words(text, start, end)
    return Grounding(quote=text[start:end], start=start, end=end, status="fuzzy", score=round(result.score, 1))


def _snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Extend a fuzzy span to whole words so a highlighted quote never cuts a word in half."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def verify(text: str, start: int, end: int, quote: str) -> bool:
    """The check every output passes before it is written: offsets really point at the quote."""
    return 0 <= start <= end <= len(text) and text[start:end] == quote
