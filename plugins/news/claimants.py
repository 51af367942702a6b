"""Claimant noun phrases and references: appositions, surnames, pronouns, 'the sources', roles and abbreviations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from toolkit_plugins.news.vocabulary import (
    DETERMINERS,
    DOCUMENT_HEADS,
    GENERIC_SOURCE_HEADS,
    GROUP_PRONOUNS,
    HONORIFICS,
    HUMAN_SOURCE_HEADS,
    INSTITUTION_OF_RE,
    NEWS_NAME_RE,
    NEWS_ORG_HEADS,
    NP_DROP_PREPS,
    ORG_HEADS,
    PERSON_PRONOUNS,
    QUOTE_CHARS,
    RELATIVE_PRONOUNS,
    THING_PRONOUNS,
    TITLE_SMALL_WORDS,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token


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
    genders: dict[str, str] = field(default_factory=dict)  # name or surname -> "m" / "f" (person_genders)


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
    # a bracket or a dash opens an aside ("the joint statement–a question raised by skeptics")
    while right + 1 in included and doc[right + 1].text not in ("(", "–", "—"):
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


MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})
_HONORIFICS = {"mr": "m", "mr.": "m", "mrs": "f", "mrs.": "f", "ms": "f", "ms.": "f", "miss": "f"}
#: role nouns that say who is a man or a woman ("a spokeswoman", "his brother")
GENDERED_NOUNS = {
    **dict.fromkeys(("man", "spokesman", "brother", "father", "son", "husband", "boy", "king", "actor"), "m"),
    **dict.fromkeys(("woman", "spokeswoman", "sister", "mother", "daughter", "wife", "girl", "queen", "actress"), "f"),
}


def person_genders(doc: Doc) -> dict[str, str]:
    """Name -> "m" or "f" where the article says it of a person in so many words: an honorific
    ("Mrs Smith") or a gendered role beside the name ("Lucy Somers, his sister", "actress Jane Doe",
    "his brother, Tom Wells"). Keyed by full name, and by surname where only one person bears it
    (Luke and Lucy Somers share theirs); a name said both ways is left out. Pronouns near a name are
    no evidence: "Mashnuq offered no information about her husband"."""
    votes: dict[str, set[str]] = {}
    bearers: dict[str, set[str]] = {}
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        full = _norm_space(ent.text).lower().strip(" ,.")
        surname = ent[-1].lower_.rstrip(".")
        if len(ent) > 1:  # "Mr Dunn" is no second bearer of Michael Dunn's surname
            bearers.setdefault(surname, set()).add(full)
        before = doc[ent.start - 1].lower_ if ent.start > 0 else ""
        root = ent.root
        roles = [c for c in root.children if c.dep_ in ("appos", "compound") and c.lemma_.lower() in GENDERED_NOUNS]
        if root.dep_ == "appos" and root.head.lemma_.lower() in GENDERED_NOUNS:
            roles.append(root.head)
        said = {_HONORIFICS[before]} if before in _HONORIFICS else set()
        said |= {GENDERED_NOUNS[r.lemma_.lower()] for r in roles}
        if said:
            votes.setdefault(full, set()).update(said)
    genders = {name: next(iter(g)) for name, g in votes.items() if len(g) == 1}
    for surname, names in bearers.items():
        shown = {genders[n] for n in names if n in genders}
        if len(names) == 1 and len(shown) == 1:
            genders[surname] = shown.pop()
    return genders


def _agrees(ctx: _Context, pronoun: str, name: str, lemmas: frozenset[str] = frozenset()) -> bool:
    """Whether he/she can stand for this person, by what the article shows of them."""
    wanted = "m" if pronoun in MALE_PRONOUNS else "f"
    words = name.lower().split()
    known = (ctx.genders.get(" ".join(words)) or ctx.genders.get(words[-1].rstrip("."))) if words else None
    known = known or next((GENDERED_NOUNS[lemma] for lemma in lemmas if lemma in GENDERED_NOUNS), None)
    return known is None or known == wanted


def _resolve_pronoun(ctx: _Context, tok: Token) -> _Ref | None:
    word = tok.lower_
    position = tok.idx
    if word in PERSON_PRONOUNS:
        # "Pope Benedict upset some when he said ...": a person who is a subject earlier in the same
        # sentence is the likeliest antecedent
        same = [
            e
            for e in tok.sent.ents
            if e.label_ == "PERSON"
            and e.end <= tok.i
            and e.root.dep_ in ("nsubj", "nsubjpass")
            and e.root.head.i == tok.sent.root.i  # the main clause's subject, not one in a quotation
            and _agrees(ctx, word, e.text)
        ]
        if same:
            name = _full_person_name(ctx, _norm_space(same[-1].text).strip(" ,."), position)
            return _Ref(name=name, kind="person", lemmas=frozenset(), position=same[-1].start_char)
        best: _Ref | None = None
        for ref in ctx.refs:
            if ref.kind == "person" and ref.position < position and _agrees(ctx, word, ref.name, ref.lemmas):
                best = ref
        # a person named more recently (not as a claimant) is the likelier antecedent
        recent = [(pos, name) for pos, name in ctx.subjects if pos < position and _agrees(ctx, word, name)]
        if recent and (best is None or recent[-1][0] > best.position):
            pos, name = recent[-1]
            return _Ref(name=_full_person_name(ctx, name, position), kind="person", lemmas=frozenset(), position=pos)
        if best is None:  # last resort: the latest person named anywhere before
            named = [(pos, name) for pos, name in ctx.persons if pos < position and _agrees(ctx, word, name)]
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


def _surname_read_as_adverb(tok: Token) -> bool:
    """'but So said': a capitalised adverb in mid-sentence is a surname spaCy did not know."""
    return tok.pos_ == "ADV" and tok.text.istitle() and tok.i > tok.sent.start


#: texts a publisher puts out under its own name ("the New Yorker story", "a White House statement");
#: a website, blog or account named after something else is not that thing's ("a French Apple website")
PUBLISHED_TEXT_HEADS = frozenset(
    {"statement", "report", "release", "article", "story", "editorial", "column", "announcement", "communique"}
)


def _publisher_compound(head: Token) -> Token | None:
    """The named body or person a published text is filed under ("the Washington Post report"), when
    nothing else in its phrase says whose it is (no "his", no "by X") and the name is not merely the
    sentence's first, capitalised word ("Autopsy reports ..."); "yesterday's" names no owner."""
    owners = [c for c in head.children if c.dep_ == "poss" and c.ent_type_ not in ("DATE", "TIME")]
    if head.lemma_.lower() not in PUBLISHED_TEXT_HEADS or owners:
        return None
    names = [
        c
        for c in head.children
        if c.dep_ == "compound"
        and c.pos_ == "PROPN"
        and c.ent_type_ in ("ORG", "PERSON", "FAC", "")
        and c.left_edge.i > c.sent.start
    ]
    return names[-1] if names else None


def _claimant_from_np(ctx: _Context, head: Token, stop_at: int | None = None) -> _Claimant | None:
    """Turn a subject/agent head into a normalised claimant, resolving anaphora; None if garbage."""
    doc = ctx.doc
    word = head.lower_
    if word in ("nobody", "noone") or (word == "one" and any(c.lower_ == "no" for c in head.children)):
        return None  # "no one can say ...": nobody is named
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
    surname = _surname_read_as_adverb(head)
    if head.pos_ not in ("NOUN", "PROPN", "NUM", "X") and not head.ent_type_ and not surname:
        return None
    if surname:
        name = _full_person_name(ctx, head.text, head.idx)
        return _Claimant(name, head.text, head.idx, head.idx + len(head.text), "person", frozenset())
    toks = _np_tokens(head, stop_at)
    # '"I'm competitive," Ryan Roche said': a quotation's end parsed into the speaker's phrase
    closing = [
        k for k, t in enumerate(toks) if t.i < head.i and t.text in ('"', "”", "''") and k and toks[k - 1].text == ","
    ]
    if closing:
        toks = toks[closing[-1] + 1 :]
    mention, m_start, m_end = _span_text(doc, toks)
    # "X's statement said", "a statement from X said": the author is the claimant
    if head.lemma_.lower() in DOCUMENT_HEADS and head.pos_ == "NOUN":
        for child in head.children:
            if child.dep_ == "poss" and child.ent_type_ not in ("DATE", "TIME"):  # not "yesterday's story"
                owner = _claimant_from_np(ctx, child)
                if owner is not None:
                    if owner.resolved:  # "its headline": the owner came from an earlier mention
                        m_start = m_end = -1
                    return _Claimant(owner.name, mention, m_start, m_end, owner.kind, owner.lemmas, owner.resolved)
            if child.dep_ == "prep" and child.lower_ in ("from", "by", "of"):
                pobj = [c for c in child.children if c.dep_ == "pobj"]
                dated = pobj and pobj[0].ent_type_ in ("DATE", "TIME")  # "a statement from Monday"
                if (
                    pobj
                    and not dated
                    and (pobj[0].ent_type_ or pobj[0].lemma_.lower() in ORG_HEADS | HUMAN_SOURCE_HEADS)
                ):
                    return _claimant_from_np(ctx, pobj[0])
            if child.dep_ == "prep" and child.lower_ in ("on", "in", "at"):
                # "the phony story on the MSNBC site", "an article in the Daily Courier": where it ran
                # (not "a report in March" or "in Texas")
                pobj = next((c for c in child.children if c.dep_ == "pobj"), None)
                named = pobj is not None and any(t.pos_ == "PROPN" for t in pobj.doc[pobj.left_edge.i : pobj.i + 1])
                if named and (pobj.ent_type_ in ("ORG", "PERSON", "WORK_OF_ART") or pobj.lemma_.lower() in ORG_HEADS):
                    return _claimant_from_np(ctx, pobj)
            if child.dep_ == "acl":  # "video footage released by Isis shows ...": the publisher
                agent = next((c for c in child.children if c.dep_ == "agent"), None)
                pobj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
                if pobj is not None and (pobj.ent_type_ or pobj.lemma_.lower() in ORG_HEADS | HUMAN_SOURCE_HEADS):
                    return _claimant_from_np(ctx, pobj)
        publisher = _publisher_compound(head)
        if publisher is not None:  # "yesterday's New Yorker story", "a CENTCOM news release"
            owner = _claimant_from_np(ctx, publisher)
            if owner is not None:
                return _Claimant(owner.name, mention, m_start, m_end, owner.kind, owner.lemmas, owner.resolved)
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


def is_short_form(name: str, full: str, *, loose: bool = False) -> bool:
    """Whether `name` is a shorter way of naming `full`: 'NYT' for 'The New York Times',
    'Pushilin' (the surname) for 'Denis Pushilin'. `loose` also takes any word of the full name
    or a longer part of it ('Kim' for 'Kim Jong Un'), for counting actors rather than naming them."""
    if name == full or (not loose and len(name) >= len(full)):
        return False
    if name.lower().removeprefix("the ") == full.lower().removeprefix("the "):
        return True
    initials = "".join(w[0] for w in full.split() if w[:1].isupper() and w.lower() != "the")
    if name.isupper() and len(name) > 1 and name == initials:
        return True
    if loose:
        return name in full.split() or (name in full and len(name) > 3)
    return " " not in name and name[:1].isupper() and full.split()[-1] == name
