"""Reporting constructions: 'X said that ...', '"...," X said', 'according to X', characterisations,
findings, and the cutting of a statement into atomic parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from toolkit_plugins.news.claimants import _Claimant, _claimant_from_np, _Context, _surname_read_as_adverb
from toolkit_plugins.news.content import (
    _minus_phrase,
    _quote_regions,
    _region_inner,
    _sentence_body,
    _subtree_range,
    _trim_content,
)
from toolkit_plugins.news.sentences import _word_count
from toolkit_plugins.news.vocabulary import (
    CHARACTERISE_LEMMAS,
    CLAUSE_ONLY_LEMMAS,
    CLOSING_QUOTES,
    DOBJ_CONTENT,
    DOCUMENT_HEADS,
    FINDING_LEMMAS,
    FINDING_SUBJECTS,
    FIRST_PERSON,
    HUMAN_SOURCE_HEADS,
    NEGATING_LEMMAS,
    NEGATIVE_SUBJECTS,
    OPENING_QUOTES,
    ORG_HEADS,
    RELAY_PARTICIPLES,
    REPORT_LEMMAS,
    SAID_THING_HEADS,
    SPLIT_MARKS,
    THING_PRONOUNS,
    TITLE_ABBREVIATIONS,
    XCOMP_CONTENT,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token


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
    for c in v.children:  # "..., Brigadier General Said Al-Saudi, told ...": the name parsed as a clause
        if c.dep_ in NAME_CLAUSE_DEPS and c.i < v.i and _in_a_name(c, c.sent):
            surname = [s for s in c.children if s.dep_ == "nsubj" and s.i > c.i]
            if surname:
                return surname[0]
    before = v.doc[v.i - 1] if v.i > v.sent.start else None
    if before is not None and before.head.i == v.i and _surname_read_as_adverb(before):
        return before  # "but So said"
    clauses = [c.i < v.i for c in v.children if c.dep_ == "ccomp"]
    inverted = v.i > v.sent.start and v.doc[v.i - 1].text == "," and v.lemma_.lower() != "tell"
    if inverted and clauses and all(clauses):  # (the object of "tell" is who is told)
        # "A could happen, warned spokesman Ali Omar": the speaker after the verb parsed as its object
        speaker = next((c for c in v.children if c.dep_ == "dobj" and c.i > v.i), None)
        if speaker is not None and (speaker.ent_type_ in ("PERSON", "ORG") or speaker.lemma_ in HUMAN_SOURCE_HEADS):
            return speaker
    head = v.head
    if v.dep_ == "xcomp" and head.pos_ == "VERB" and head.lemma_ != "be":
        if any(c.dep_ in ("dobj", "dative") for c in head.children):
            return None  # object control: in "led many to believe" the believers are the object
        if any(c.dep_ == "auxpass" for c in head.children):
            # "X has been forced to confirm": the passive's subject confirms; "was asked to" did not yet
            if head.lemma_.lower() not in ("force", "compel", "oblige", "prompt"):
                return None
            return next((c for c in head.children if c.dep_ == "nsubjpass"), None)
        return _subject_of(head)
    # "X said A and added B": only a coordinated reporting verb or main verb lends its subject
    if v.dep_ == "conj" and head.pos_ in ("VERB", "AUX"):
        if head.lemma_.lower() in REPORT_LEMMAS or head.dep_ == "ROOT":
            subject = _subject_of(head)
            if subject is not None and _quoted_apart(subject, v):
                return _subject_beside_quotation(head)
            return subject
    return None


def _quoted_apart(subject: Token, v: Token) -> bool:
    """Whether the subject stands inside a quotation that the verb stands outside of."""
    regions = _quote_regions(v.sent)
    inside = [r for r in regions if r[0] < subject.i < r[1]]
    return any(not r[0] < v.i < r[1] for r in inside)


def _subject_beside_quotation(head: Token) -> Token | None:
    """'The story was headlined "Star Found Dead" and claimed that ...': the parser takes the quoted
    headline's verb for the sentence's main verb, and its words for the claimant; whoever introduced
    the quotation (the clause hanging before it with a subject of its own) is the one who claims."""
    for clause in head.children:
        if clause.dep_ in ("ccomp", "advcl") and clause.i < head.i:
            subjects = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects:
                return min(subjects, key=lambda c: abs(clause.i - c.i))
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
    """The quotation right after the verb and what it governs ('told reporters: "..."', 'saying
    "no sign" the virus had spread'), or a quoted statement ending the sentence within the verb's
    words ('told him in a public appearance that "paradise is open to all"', however the parser
    hangs it), before any further clause of the verb: in 'confirmed the news, saying that the man
    "checked yes"' the quotation belongs to the participle's clause. A quoted name or term inside
    the verb's object is not what was said ('promised the watch by "summer 2014"', 'posted the
    "Monday Night Football" schedule')."""
    limit = sent.end
    governed: list[Token] = []
    for child in sorted(v.children, key=lambda c: c.i):
        if child.i <= v.i:
            continue
        if child.dep_ in ("advcl", "parataxis") or (child.dep_ == "ccomp" and child.pos_ == "VERB"):
            limit = child.left_edge.i
            break
        governed.append(child)
    for region in _quote_regions(sent):
        if not v.i < region[0] <= limit or sent.doc[region[0] - 1].text == "(":
            continue  # after a further clause, or a bracketed aside ('the story ("Daily Buzz Live")')
        before = [c for c in governed if c.left_edge.i < region[0]]
        statement = any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in sent.doc[region[0] + 1 : region[1]])
        if not statement and any(c.right_edge.i > region[0] for c in before):
            continue  # a quoted name or term inside the object's or an adjunct's words ('by "summer 2014"')
        said = any(c.dep_ in ("dobj", "ccomp") and region[0] <= c.i <= region[1] for c in governed)
        goes_on = any(not (t.is_punct or t.is_space) for t in sent.doc[region[1] + 1 : v.right_edge.i + 1])
        if not statement and goes_on and not said:
            continue  # a quoted aside before what was said ('writes, "to avoid misunderstanding", that ...')
        if any(c.left_edge.i >= region[0] and c.i > region[1] and c.dep_ not in ("ccomp", "punct") for c in governed):
            continue  # it names what the object is about ('posted the "Monday Night Football" schedule')
        right = max([v.i, *(c.right_edge.i for c in before if c.right_edge.i < region[0])])
        ending = statement and region[1] >= sent.end - 2 and v.left_edge.i <= region[0] <= v.right_edge.i
        if region[0] - right <= 2 or ending:
            return region  # next to the verb's words, or a quoted statement ending the verb's sentence
    return None


def _quotation_going_on(sent: Span, last: int) -> tuple[int, int] | None:
    """'"A," Hunter said, but "you know there are dozens more."': a quotation that ends the sentence
    and opens right after the attribution (whose last token is `last`), with only a comma and 'but'
    or 'and' between: the speaker's words go on, however the parser hangs them (the outlet does not
    speak in quotation marks). Another speaker's clause ('and the mayor said "B"') is not this one's."""
    doc = sent.doc
    for region in _quote_regions(sent):
        between = doc[last + 1 : region[0]]
        if (
            0 < region[0] - last <= 4
            and all(t.is_punct or t.dep_ == "cc" for t in between)
            and region[1] >= sent.end - 2
        ):
            return region
    return None


def _told_of(child: Token) -> bool:
    """'told of only a few': the account given, as 'of' and its object."""
    return child.dep_ == "prep" and child.lower_ == "of" and any(c.dep_ == "pobj" for c in child.children)


#: what a parenthetical attribution ("the Journal reported Monday,") holds besides its verb
_PARENTHESIS_DEPS = frozenset({"nsubj", "punct", "prep", "advmod", "npadvmod", "aux", "cc"})


def _content_for_verb(sent: Span, v: Token, subj: Token | None, body: tuple[int, int]) -> list[Token]:
    """What the reporting verb introduces: complement clause, quotation, host clause or object."""
    doc = sent.doc
    lemma = v.lemma_.lower()
    # a name parsed as a verb ("... Brigadier General Said Al-Saudi, told ...") holds the real content
    names = [c for c in v.children if c.dep_ in NAME_CLAUSE_DEPS and c.i < v.i and _in_a_name(c, sent)]
    comps = [c for c in v.children if c.dep_ == "ccomp" and c not in names]
    comps += [g for c in names for g in c.children if g.dep_ == "ccomp"]
    if lemma in XCOMP_CONTENT:
        comps += [c for c in v.children if c.dep_ == "xcomp"]
    # a trailing ", the Associated Press reports" parsed as a complement is not content
    comps = [c for c in comps if not _is_trailing_attribution(c, v)]
    before = _quote_before(sent, v, subj)
    right = [c for c in comps if c.i > v.i]
    if before is not None and not (before[0] <= body[0] + 1 or (before[0] > 0 and doc[before[0] - 1].text == ":")):
        before = None  # the quotation is only part of the clause: keep the clause
    if before is not None:
        # quote-first: '"...," X said' or '"...," X said, "..."': the two quoted parts without the
        # attribution between them (`atomic_parts` splits them where each states something)
        after = _quote_after(sent, v)
        if after is not None and any(after[0] <= c.i <= after[1] for c in right):
            return _region_inner(doc, before) + _region_inner(doc, after)
        went_on = _quotation_going_on(sent, v.i)
        if went_on is not None and not right:  # '"A," Hunter said, but "B."'
            return _region_inner(doc, before) + _region_inner(doc, went_on)
        if not right:
            return _region_inner(doc, before)
    # "X reported, citing two officials, that B": the relay phrase is not what was reported, and a
    # complement that is only the relay phrase (misparsed) leaves the clause before it as the content
    starts = {c.i: _past_relay(doc, c) for c in comps}
    comps = [c for c in comps if starts[c.i] is not None]
    right = [c for c in right if starts[c.i] is not None]
    if right:
        comps = right  # "While A, the UN said B": B is what was said
    if comps:
        lo = min(starts[c.i] for c in comps)
        hi = max(c.right_edge.i for c in comps)
        if doc[lo].text in OPENING_QUOTES or (lo > 0 and doc[lo - 1].text in OPENING_QUOTES):
            # a quotation first: what follows its closing mark is not in it, unless the clause goes
            # on past the mark ('said "the port is open" to all ships'), opening mark and all
            close = _closing_mark(doc, lo + 1, hi)
            if close is not None and not _clause_goes_on(doc, close, hi):
                hi = close - 1
            elif close is not None and doc[lo].text not in OPENING_QUOTES:
                lo -= 1
        said = [doc[i] for i in range(lo, hi + 1)]
        went_on = _quotation_going_on(sent, v.i) if hi < v.i else None
        return said + _region_inner(doc, went_on) if went_on is not None else said
    region = _quote_after(sent, v)
    if region is not None:
        said = [c for c in v.children if c.dep_ in ("dobj", "ccomp") and region[0] <= c.i <= region[1]]
        end = max((c.right_edge.i for c in said), default=region[1])
        if _clause_goes_on(doc, region[1], end):  # 'saying "no sign" the virus had spread'
            return [doc[i] for i in range(region[0], end + 1)]
        return _region_inner(doc, region)
    host = v.head
    lo, hi = _subtree_range(v)
    if (
        v.dep_ == "advcl"
        and any(c.dep_ == "mark" and c.lower_ in SPLIT_MARKS for c in v.children)
        and host.pos_ in ("VERB", "AUX")
        and host.dep_ == "ccomp"  # the introduced clause, itself hung under the main reporting verb
        and host.left_edge.i == lo
        and hi < host.i
        and not any(c.dep_ in ("ccomp", "dobj", "xcomp") for c in v.children)
    ):
        # "While the ministry maintains there is no evidence ..., officials said B": the parser hangs
        # the attribution under what it introduces; what follows it in that clause is what was said
        said = list(doc[hi + 1 : host.right_edge.i + 1])
        while said and said[-1].is_punct:
            said.pop()
        return said
    bare = all(c.dep_ in _PARENTHESIS_DEPS for c in v.children)  # "reported", not "confirmed the truce"
    if (
        v.dep_ in ("ccomp", "advcl")
        and bare
        and host.i > hi
        and host.pos_ in ("VERB", "AUX")
        and doc[hi + 1].text in (",", "—", "–")
    ):
        # "For example, the Journal reported, Apple tested sensors": the attribution is a parenthesis
        return _minus_phrase(sent, (lo, hi + 1), (host.left_edge.i, host.right_edge.i))
    if v.dep_ in ("parataxis",) or (
        v.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ == "as" for c in v.children)
    ):
        lo, hi = _subtree_range(v)
        if _coordinated_clause_follows(doc, hi, body):
            # "A, the mayor says, but B": the mayor said A only, unless B goes on in quotation marks
            said = [t for t in doc[body[0] : lo] if not (t.i == lo - 1 and t.text == ",")]
            went_on = _quotation_going_on(sent, v.i)
            return said + _region_inner(doc, went_on) if went_on is not None else said
        return _minus_phrase(sent, (lo, hi), body)
    told_of = next((c for c in v.children if lemma == "tell" and _told_of(c)), None)
    if told_of is not None:  # "a friend told of only a few": the verb stays, "only a few" alone says nothing
        return [doc[i] for i in range(v.i, told_of.right_edge.i + 1)]
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
    if _is_trailing_conj_attribution(v, subj, body):
        # "A, the New York Post reported on Friday.": parsed as a second clause, it attributes the first
        return [doc[i] for i in range(body[0], subj.left_edge.i - 1)]  # type: ignore[union-attr]
    if v.dep_ == "ROOT" and subj is not None and subj.i > v.i and v.i > body[0] + 2:
        # inverted, clause-final attribution without a parsed complement: "..., said X."
        return [doc[i] for i in range(body[0], v.i)]
    return []


#: longest relay phrase kept beside the verb ("said, citing a recent visitor to the country")
MAX_RELAY_TOKENS = 12


def _relay_phrase(v: Token) -> str:
    """', citing two senior officials' right after the reporting verb (an adverb may come between):
    whom the claimant relays, kept with the verb so that both stay in sight."""
    doc = v.doc
    i = v.i + 1
    dated = ("DATE", "TIME")
    while i + 1 < v.sent.end and i - v.i <= 4:  # "reported on Monday, citing ...", "said yesterday, citing ..."
        if not (
            doc[i].pos_ == "ADV"
            or doc[i].ent_type_ in dated
            or (doc[i].pos_ == "ADP" and doc[i + 1].ent_type_ in dated)
        ):
            break
        i += 1
    if i + 1 >= v.sent.end or doc[i].text != "," or doc[i + 1].lower_ not in RELAY_PARTICIPLES:
        return ""
    end = i + 1
    while end + 1 < v.sent.end and doc[end + 1].text not in (",", ".", ";", ":") and end - i < MAX_RELAY_TOKENS:
        end += 1
    marks = [doc[k].text for k in range(i + 1, end + 1)]
    if marks.count("“") > marks.count("”") or marks.count('"') % 2:
        # a quotation left open at the cut: stop before it
        end = max(k for k in range(i + 1, end + 1) if doc[k].text in ("“", '"')) - 1
    while end > i + 1 and doc[end].pos_ in ("ADP", "CCONJ", "DET", "PART"):
        end -= 1  # not "citing sources with access to"
    return ", " + doc[i + 1 : end + 1].text if end > i + 1 else ""


def _past_relay(doc: Doc, clause: Token) -> int | None:
    """Where a complement's content starts: past a leading ", citing two officials," phrase; None when
    the relay phrase is all there is."""
    start, end = clause.left_edge.i, clause.right_edge.i
    if doc[start].lower_ not in RELAY_PARTICIPLES:
        return start
    comma = next((i for i in range(start, end) if doc[i].text == ","), None)
    return comma + 1 if comma is not None else None


def _quoted_as_saying(v: Token) -> tuple[Token, Token] | None:
    """'The minister was quoted (by Reuters, in the Post) as saying ...': the one quoted, and 'quoted'."""
    if v.dep_ != "pcomp" or v.head.lower_ != "as" or v.lemma_.lower() not in REPORT_LEMMAS:
        return None
    verb = v.head.head
    if verb.lemma_.lower() not in ("quote", "cite", "report") or verb.tag_ != "VBN":
        return None
    quoted = next((c for c in verb.children if c.dep_ == "nsubjpass"), None)
    return (quoted, verb) if quoted is not None else None


def _closing_mark(doc: Doc, start: int, end: int) -> int | None:
    """The mark closing a quotation whose words begin at `start`, past any quotation inside it
    ('we launched a ‘Pumpkin Spice’ condom')."""
    depth = 0
    for i in range(start, end + 1):
        if doc[i].text in OPENING_QUOTES - CLOSING_QUOTES:
            depth += 1
        elif doc[i].text in CLOSING_QUOTES:
            if depth == 0:
                return i
            depth -= 1
    return None


def _clause_goes_on(doc: Doc, close: int, hi: int) -> bool:
    """Whether the reported clause continues past a quotation's closing mark: 'saying "no
    indication" the man had contact with him' quotes two words of the clause, and the clause is
    what was said. A quotation ending in its own punctuation ('"we will win," and he left') or
    followed by a conjunction or punctuation ends the clause there."""
    if close + 1 > hi or doc[close - 1].text in (",", ".", "!", "?", ";", ":"):
        return False
    nxt = doc[close + 1]
    return not (nxt.is_punct or nxt.is_space or nxt.pos_ == "CCONJ")


def _is_trailing_conj_attribution(v: Token, subj: Token | None, body: tuple[int, int]) -> bool:
    """'A, X reported (on Friday).': a reporting verb coordinated with the main clause, its own
    subject right after a comma, and nothing after it but adjuncts to the sentence's end."""
    if v.dep_ != "conj" or subj is None or subj.i > v.i or v.head.i > v.i:
        return False
    first = subj.left_edge.i
    if first <= body[0] + 2 or v.doc[first - 1].text != ",":
        return False
    if any(c.dep_ in ("ccomp", "dobj") for c in v.children):
        return False
    end = v.right_edge.i
    if end >= body[1] - 1:
        return True
    return _coordinated_clause_follows(v.doc, end, body)


def _coordinated_clause_follows(doc: Doc, end: int, body: tuple[int, int]) -> bool:
    """'A, X claims, but B': after the attribution's last token comes the next coordinated clause."""
    while end < body[1] and doc[end + 1].text in (",", ";"):
        end += 1
    return end < body[1] and doc[end + 1].dep_ == "cc" and doc[end].text in (",", ";")


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


#: how spaCy attaches a given name it read as a verb ("Said") to the real reporting verb
NAME_CLAUSE_DEPS = ("ccomp", "parataxis")


def _in_a_name(tok: Token, sent: Span) -> bool:
    """A reporting verb written with a capital inside a sentence, between two capitalised words,
    is a name ("Said", "Claude"): verbs are lower case in running text, headlines aside."""
    doc = tok.doc
    return (
        tok.text[:1].isupper()
        and sent.start < tok.i < sent.end - 1
        and doc[tok.i - 1].text[:1].isupper()
        and doc[tok.i + 1].text[:1].isupper()
        and doc[tok.i - 1].text not in ('"', "“", "”")
    )


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
        elif tok.lemma_.lower() in REPORT_LEMMAS and (
            tok.pos_ == "VERB"
            or (tok.pos_ == "NOUN" and tok.tag_ == "NNS" and any(c.dep_ == "nsubj" for c in tok.children))
        ):  # "..., Rep. Hunter claims, but ...": a verb tagged as a plural noun still has its subject
            lemma = tok.lemma_.lower()
            if _in_a_name(tok, sent):
                continue  # "Brigadier General Said Al-Saudi told ...": a given name, not "said"
            if lemma == "point" and not any(c.dep_ == "prt" and c.lower_ == "out" for c in tok.children):
                continue
            if any(c.dep_ == "neg" for c in tok.children):
                continue
            if tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in tok.children):
                continue  # "Even if X denies A, B": a supposition, and B is the writer's
            if lemma == "tell" and not any(c.dep_ in ("dobj", "dative", "iobj") or _told_of(c) for c in tok.children):
                continue  # "time will tell": no one is told anything
            if lemma in FINDING_LEMMAS and not _is_finding(tok):
                continue  # "Kiev concluded that ...": a decision, not a report
            if (
                lemma in CLAUSE_ONLY_LEMMAS
                and not any(c.dep_ == "ccomp" for c in tok.children)
                and _quote_after(sent, tok) is None
            ):  # "a tweet posted by the group", "declared a caliphate": no statement without a clause or quotation
                continue
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
    # a quotation opened after a colon may run on past the sentence's end: the rest of the sentence is in it
    paired = {a for a, _ in quoted}
    running = [
        (t.i, sent.end)
        for t in sent
        if t.text in OPENING_QUOTES and t.i not in paired and t.i > sent.start and doc[t.i - 1].text == ":"
    ]
    for region in quoted + running:
        if not any(f.content and region[0] <= f.content[0].i <= region[1] for f in found):
            item = _document_quotation(ctx, sent, region)
            if item is not None and _word_count(" ".join(t.text for t in item.content)) >= 2:
                found.append(item)
    found = [f for f in found if not _object_before_its_words(doc, f, found)]
    found.sort(key=lambda f: f.anchor)
    return found


def _object_before_its_words(doc: Doc, item: _Found, found: list[_Found]) -> bool:
    """'confirmed the news to reporters, saying that the man ...': the verb's object only names
    what the participle after it says ('the news', 'the report', 'it'), so it is no statement of
    its own. An object that states something stays ('confirmed the deaths of three soldiers,
    saying ...'), and so does a denial's ('denied the rumour, saying ...' rejects that rumour)."""
    if item.anchor < 0 or any(t.pos_ in ("VERB", "AUX") for t in item.content):
        return False
    verb = doc[item.anchor]
    head = next((t for t in item.content if t.head.i == verb.i or t.head.i not in {u.i for u in item.content}), None)
    if verb.lemma_.lower() in NEGATING_LEMMAS or head is None or head.lower_ not in SAID_THING_HEADS:
        return False
    return any(
        other.anchor >= 0 and doc[other.anchor].head.i == verb.i and doc[other.anchor].dep_ == "advcl"
        for other in found
        if other is not item
    )


#: verbs by which someone puts out a text: its subject wrote what the text says
PUBLISHING_LEMMAS = frozenset(
    {"post", "issue", "publish", "release", "send", "tweet", "write", "share", "put", "carry"}
)
#: nouns naming a text that a quotation after a colon reproduces
QUOTED_TEXT_HEADS = DOCUMENT_HEADS | {"line", "note", "words", "caption", "sign", "notice", "reply", "response"}


def _document_quotation(ctx: _Context, sent: Span, region: tuple[int, int]) -> _Found | None:
    """'a statement from the Health Department: "..."', 'the blog posted the line: "..."',
    'issued a note, "..."': a quotation that reproduces a named text is its author's."""
    doc = ctx.doc
    colon = region[0] - 1
    if colon < sent.start or doc[colon].text not in (":", ","):
        return None
    noun = next(  # the text's noun heads a phrase that runs up to the colon
        (
            t
            for t in reversed(doc[sent.start : colon])
            if t.pos_ == "NOUN" and t.lemma_.lower() in QUOTED_TEXT_HEADS and t.right_edge.i >= colon - 1
        ),
        None,
    )
    if noun is None:  # 'X posted on her profile: "..."'
        verb = next(
            (t for t in reversed(doc[sent.start : colon]) if t.pos_ == "VERB" and t.lemma_ in PUBLISHING_LEMMAS),
            None,
        )
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None) if verb is not None else None
        if subj is None and verb is not None and verb.dep_ == "acl" and verb.head.pos_ in ("PROPN", "NOUN"):
            subj = verb.head  # "X, who ..., posted: ..." parsed as a participle of X
        if verb is None or subj is None or subj.lower_ in FIRST_PERSON or doc[colon].text != ":":
            return None
        claimant = _claimant_from_np(ctx, subj)
        return _Found(claimant, verb.text, _trim_content(_region_inner(doc, region)), verb.i) if claimant else None
    claimant = _claimant_from_np(ctx, noun)
    if claimant is not None and claimant.name.lower().split()[-1] in QUOTED_TEXT_HEADS:
        claimant = None  # the text itself ("a statement"), not its author
    if claimant is None:
        verb = noun.head
        while verb.dep_ in ("conj", "pobj", "prep") and verb.head.i != verb.i:
            verb = verb.head
        if verb.lemma_.lower() not in PUBLISHING_LEMMAS:  # "issued a photo of him holding it, with a note"
            verb = _publisher_of_object(noun) or verb
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if verb.lemma_.lower() not in PUBLISHING_LEMMAS or subj is None or subj.lower_ in FIRST_PERSON:
            return None
        claimant = _claimant_from_np(ctx, subj)
    if claimant is None:
        return None
    return _Found(claimant, "", _trim_content(_region_inner(doc, region)), noun.i)


def _publisher_of_object(noun: Token) -> Token | None:
    """The publishing verb whose object holds this text's noun ('X issued a photo of him holding the
    paper, with a note'); a text in an adjunct ('In a report called "...", the hoaxer wrote') is not
    what the verb put out."""
    child = noun
    for ancestor in noun.ancestors:
        if ancestor.pos_ == "VERB" and ancestor.lemma_.lower() in PUBLISHING_LEMMAS:
            return ancestor if child.dep_ == "dobj" else None
        child = ancestor
    return None


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
    verb = _verb_text(v) + _relay_phrase(v)
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
    quoting = _quoted_as_saying(v)
    if subj is None and quoting is not None:  # "X was quoted (by Y) as saying A": X said A, Y relays it
        quoted, quoted_verb = quoting
        # '"A," one official was quoted as saying': the quotation before hangs off 'quoted'
        speaker_verb = quoted_verb if any(c.dep_ == "ccomp" for c in quoted_verb.children) else v
        content = _content_for_verb(sent, speaker_verb, quoted if speaker_verb is quoted_verb else None, body)
        claimant = _claimant_from_np(ctx, quoted) if content else None
        return _Found(claimant, doc[quoted_verb.i : v.i + 1].text, content, v.i) if claimant else None
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
    if not content or _says_the_following(v):
        return None
    claimant = _claimant_from_np(ctx, subj)
    if claimant is None:
        return None
    return _Found(claimant, verb, content, v.i)


def _says_the_following(v: Token) -> bool:
    """'X announced the following': the words come after, this clause only introduces them."""
    return any(
        c.lower_ == "following" and c.dep_ in ("dobj", "ccomp", "xcomp") and c.doc[c.i - 1].lower_ == "the"
        for c in v.children
    )


def announcer(ctx: _Context, sent: Span) -> tuple[_Claimant, str] | None:
    """'Then a spokeswoman for the hospital issued a statement:' or '... announced the following.'
    introduces the quotation that follows (often in the next paragraph): who speaks there, and the verb."""
    root = sent.root
    if not (sent.text.rstrip().endswith(":") or _says_the_following(root)) or root.pos_ != "VERB":
        return None
    if root.lemma_.lower() not in REPORT_LEMMAS | PUBLISHING_LEMMAS:
        return None
    subj = _subject_of(root)
    if subj is None or subj.lower_ in FIRST_PERSON:
        return None
    claimant = _claimant_from_np(ctx, subj)
    return (claimant, _verb_text(root)) if claimant is not None else None
