"""Small text checks used after the model: does an answer reuse the source, is it garbled."""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NEGATION = re.compile(r"\b(not|no|never|none|nothing|neither|nor|cannot)\b|n[’']t\b", re.I)


def negated(text: str) -> bool:
    """Whether a statement carries a negation ('not', 'no', 'never', '-n't')."""
    return bool(_NEGATION.search(text))


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for from with as is are was were be been being this that these those
    it its it's they them their he him his she her we our us you your i me my not no so than then there here which who
    whom whose what when where why how all any both each few more most other some such only own same too very can will
    just do does did done has have had having into over under again further once also about against between through
    during before after above below up down out off s t said says say told tell according""".split()
)


def _stem(word: str) -> str:
    word = word.lower().replace("’", "'").removesuffix("'s")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words_in_order(text: str) -> list[str]:
    """Lower-cased, lightly stemmed words that carry meaning, in text order."""
    return [_stem(w) for w in _WORD.findall(text) if w.lower() not in STOPWORDS]


def content_words(text: str) -> set[str]:
    return set(content_words_in_order(text))


def is_garbled(text: str) -> bool:
    """Catch a tiny model's typical failures: loops, symbol soup, shouting, truncation."""
    words = _WORD.findall(text)
    if len(words) < 3:
        return True
    lowered = [w.lower() for w in words]
    if any(lowered[i] == lowered[i + 1] == lowered[i + 2] for i in range(len(lowered) - 2)):
        return True
    if len(set(lowered)) < 0.5 * len(lowered) and len(lowered) > 8:
        return True
    letters = sum(ch.isalpha() for ch in text)
    if letters < 0.6 * len(text.replace(" ", "")):
        return True
    upper_words = sum(1 for w in words if len(w) > 3 and w.isupper())
    return upper_words > max(2, len(words) // 4)


def near_duplicate(a: str, b: str, threshold: float = 88.0) -> bool:
    """Same statement in other words or with a different lead-in (e.g. a subhead and its sentence)."""
    from rapidfuzz import fuzz

    if set(_NUMBER.findall(a)) != set(_NUMBER.findall(b)):
        return False  # "2,000 killed" and "200 killed" are different claims
    if negated(a) != negated(b):
        return False  # "we have not deployed there" answers "the robots were deployed there"
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return False
    small, large = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if len(small) >= 4 and len(small & large) >= 0.9 * len(small):
        return True
    if len(small) < 4 and small != large:
        return False  # two or three words inside a longer statement are not that statement
    return fuzz.token_set_ratio(" ".join(sorted(wa)), " ".join(sorted(wb))) >= threshold
