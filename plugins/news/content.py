"""Content spans: what a reporting construction asserts, trimmed of its attribution."""

from __future__ import annotations

from typing import TYPE_CHECKING

from toolkit_plugins.news.sentences import _quote_pairs
from toolkit_plugins.news.vocabulary import QUOTE_CHARS

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token


# --------------------------------------------------------------------------------------------
# content spans


def _pronoun_that(toks: list[Token]) -> bool:
    """'That's all there is to it', 'that is false': the subject itself, not the conjunction of
    'said that the bridge ...' (which the parser sometimes labels a subject too: 'that Rob was')."""
    first, second = toks[0], toks[1]
    return not first.whitespace_ or (first.dep_ in ("nsubj", "nsubjpass") and second.pos_ in ("AUX", "VERB"))


def _trim_content(tokens: list[Token]) -> list[Token]:
    """Drop edge punctuation, a leading 'that' (the conjunction, not the pronoun) and unbalanced or
    wrapping quote marks."""
    toks = list(tokens)
    changed = True
    while toks and changed:
        changed = False
        while toks and (toks[0].is_space or (toks[0].is_punct and toks[0].text not in QUOTE_CHARS | {"``", "(", "["})):
            toks.pop(0)
            changed = True
        while toks and (
            toks[-1].is_space or (toks[-1].is_punct and toks[-1].text not in QUOTE_CHARS | {"''", ")", "]"})
        ):
            toks.pop()
            changed = True
        if (
            toks
            and toks[0].lower_ == "that"
            and len(toks) > 2
            and (toks[1].pos_ != "PUNCT" or toks[1].text in QUOTE_CHARS or toks[1].text == "``")
            and not _pronoun_that(toks)
        ):
            toks.pop(0)
            changed = True
        if not toks:
            break
        quotes = [t for t in toks if t.text in QUOTE_CHARS or t.text in ("``", "''")]
        first_q = toks[0].text in QUOTE_CHARS or toks[0].text == "``"
        last_q = toks[-1].text in QUOTE_CHARS or toks[-1].text == "''"
        if first_q and last_q and len(quotes) == 2 and len(toks) > 2:
            toks = toks[1:-1]
            changed = True
        elif first_q and len(quotes) % 2 == 1:
            toks.pop(0)
            changed = True
        elif last_q and len(quotes) % 2 == 1:
            toks.pop()
            changed = True
        # unbalanced brackets at the edges
        if toks and toks[-1].text == ")" and "(" not in {t.text for t in toks}:
            toks.pop()
            changed = True
    return toks


def _subtree_range(tok: Token) -> tuple[int, int]:
    return tok.left_edge.i, tok.right_edge.i


def _sentence_body(sent: Span, cue_pure: bool, cue: str) -> tuple[int, int]:
    """Token range of the sentence without a pure connective cue and final punctuation."""
    start, end = sent.start, sent.end - 1
    while end > start and (sent.doc[end].is_punct or sent.doc[end].is_space):
        end -= 1
    if cue and cue_pure:
        cue_end_char = sent.start_char + len(cue)
        while start < end and sent.doc[start].idx < cue_end_char:
            start += 1
        while start < end and sent.doc[start].is_punct and sent.doc[start].text not in QUOTE_CHARS:
            start += 1
    return start, end


def _minus_phrase(sent: Span, phrase: tuple[int, int], body: tuple[int, int]) -> list[Token]:
    """Content = the sentence without an attribution phrase at its start or end.

    A phrase in the middle ("X, Moscow explained, was ...") cannot be cut out while keeping the
    content one verbatim span, so then the whole body (phrase included) is the content.
    """
    doc = sent.doc
    p0, p1 = phrase
    b0, b1 = body
    if p1 >= b1 - 1:
        rng = range(b0, p0)
    elif p0 <= b0 + 1:
        rng = range(p1 + 1, b1 + 1)
    else:
        rng = range(b0, b1 + 1)
    return [doc[i] for i in rng]


def _quote_regions(sent: Span) -> list[tuple[int, int]]:
    """(open, close) quote token indices within the sentence."""
    return _quote_pairs(list(sent))


def _region_inner(doc: Doc, region: tuple[int, int]) -> list[Token]:
    return [doc[i] for i in range(region[0] + 1, region[1])]
