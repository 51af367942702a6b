"""Split sentence lists into chunks that fit a model's context, keeping sentences whole."""

from __future__ import annotations

from collections.abc import Callable, Sequence


def chunk_by_budget(texts: Sequence[str], budget: int, count_tokens: Callable[[str], int]) -> list[list[int]]:
    """Indices of `texts` grouped so each group's token count stays within `budget`.

    A single text larger than the budget gets a chunk of its own (callers truncate it), so
    nothing is silently dropped.
    """
    chunks: list[list[int]] = []
    current: list[int] = []
    used = 0
    for i, text in enumerate(texts):
        size = count_tokens(text)
        if current and used + size > budget:
            chunks.append(current)
            current, used = [], 0
        current.append(i)
        used += size
    if current:
        chunks.append(current)
    return chunks
