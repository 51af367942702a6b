"""The whole analysis of one article: sentences, attributions (and the outlet's own assertions), entities."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from toolkit_plugins.news.claimants import (
    _abbreviations,
    _Claimant,
    _claimant_from_np,
    _Context,
    _full_person_name,
    _norm_space,
    _Ref,
    _span_text,
    person_genders,
)
from toolkit_plugins.news.content import _quote_regions, _sentence_body, _trim_content
from toolkit_plugins.news.passes import (
    _carried_reports,
    _compact_roles,
    _delayed_identification,
    _denied_reports,
    _documents_of_their_publishers,
    _named_descriptions,
    _quoted_headlines,
    _quoted_speakers,
    _reports_of_a_named_source,
    _signed_pull_quotes,
    _unify_surnames,
    _without_appended_comments,
    quotation_spans,
)
from toolkit_plugins.news.reporting import _animate, _find_in_sentence, _Found, _is_finding, _verb_text, announcer
from toolkit_plugins.news.sentences import _doc_sentences, _find_cue, _word_count, get_nlp
from toolkit_plugins.news.vocabulary import (
    CHARACTERISE_LEMMAS,
    CLOSING_QUOTES,
    CONTACT_RE,
    CONVERSATION_LEMMAS,
    ENTITY_LABELS,
    FINDING_LEMMAS,
    FIRST_PERSON,
    GENERIC_SOURCE_HEADS,
    MIN_OUTLET_WORDS,
    MIN_PART_WORDS,
    NEGATING_LEMMAS,
    NEWS_NAME_RE,
    NEWS_ORG_HEADS,
    NEWSGATHERING_RE,
    OPENING_QUOTES,
    OUTLET,
    QUOTE_CHARS,
    READER_CALL_RE,
    READER_CALL_VERBS,
    REPORT_LEMMAS,
    REPORT_NOUNS,
    REPORTED_RE,
    SPEAKING_LEMMAS,
    SPLIT_MARKS,
    UNNAMED_REPORTS,
    Analysis,
    Attribution,
    Sentence,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token


# --------------------------------------------------------------------------------------------
# the whole analysis


def _fully_quoted(sent: Span) -> bool:
    regions = _quote_regions(sent)
    if not regions:
        return False
    first, last = sent[0].i, sent[-1].i
    while last > first and sent.doc[last].is_punct and sent.doc[last].text not in QUOTE_CHARS | CLOSING_QUOTES | {"''"}:
        last -= 1
    return regions[0][0] == first and regions[-1][1] == last


def _continued(last_speaker: tuple[int, _Found] | None, sentence: Sentence, sent: Span) -> _Found | None:
    """The previous speaker's words going on in this sentence, if they spoke in the last two."""
    if last_speaker is None or sentence.index - last_speaker[0] > 2:
        return None
    prev = last_speaker[1]
    body = _trim_content(list(sent))
    if not body:
        return None
    claimant = prev.claimant
    return _Found(
        _Claimant(claimant.name, claimant.mention, -1, -1, claimant.kind, claimant.lemmas, True), "", body, sent.start
    )


def _first_word(sent: Span) -> str:
    return next((t.lower_ for t in sent if not t.is_punct and not t.is_space), "")


def _first_person_words(last_speaker: tuple[int, _Found] | None, sentence: Sentence, sent: Span) -> _Found | None:
    """Unmarked first-person words as the last speaker's: 'I' only from a person, and not when the
    sentence names that speaker in the third person ("I'm not sure Putin means ...": not Putin's)."""
    cont = _continued(last_speaker, sentence, sent)
    if cont is None or (cont.claimant.kind != "person" and _first_word(sent) not in ("we", "our")):
        return None
    surname = cont.claimant.name.split()[-1]
    return None if re.search(rf"\b{re.escape(surname)}\b", sent.text) else cont


def _speaks_in_first_person(sent: Span) -> bool:
    """A sentence opening with I, we, my or our and no quotation mark: news copy does not speak so in
    its own voice, so it is someone's words printed without marks (a transcript, a letter, a post)."""
    return (
        _first_word(sent) in FIRST_PERSON | {"my", "our"}
        and not any(t.text in QUOTE_CHARS | OPENING_QUOTES | CLOSING_QUOTES | {"``", "''"} for t in sent)
        and not NEWSGATHERING_RE.search(sent.text)  # "We asked Apple for comment": the outlet at work
    )


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
    if not _is_declarative(sentence, sent) or NEWSGATHERING_RE.search(sentence.text):
        return False  # "Business Insider reached out to Comcast for comment": how, not what
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
    if root.lemma_.lower() in READER_CALL_VERBS and READER_CALL_RE.search(sentence.text):
        return False  # "As always leave us your thoughts in the comments below", "You can read more here"
    if (
        root.lemma_.lower() in CONVERSATION_LEMMAS
        and not any(
            c.dep_ == "neg" or (c.dep_ == "prep" and c.lower_ in ("about", "of", "on", "over")) for c in root.children
        )
        and not any(t.pos_ == "VERB" and t.i != root.i for t in sent)
    ):
        return False  # "Dr X agreed", "X spoke to Y": who talked, not what ("X talked about A", "X has not spoken" say)
    return True


def _statement_tokens(sent: Span, cue: str, cue_pure: bool) -> list[Token]:
    """A sentence stated by the outlet (or an unnamed report): without its opening connective and
    final full stop, quotation marks kept balanced."""
    b0, _ = _sentence_body(sent, cue_pure, cue)
    return _trim_content([sent.doc[i] for i in range(b0, sent.end)]) or list(sent)


#: the signature line under an embedded tweet: "— Patrick Poole (@pspoole) December 31, 2014"
_TWEET_SIGNATURE = re.compile(r"^[—–-]\s*(?P<name>[^\n()@]+?)\s*\(@\w+\)\s+\w+\.? \d{1,2}, \d{4}\s*$", re.M)


def embedded_tweets(text: str) -> list[tuple[int, int, str]]:
    """(start, end, author) of each tweet pasted into the article: the paragraph above a signature
    line. A tweet is its author's claim, not the outlet's, and its links are not part of it."""
    out = []
    for m in _TWEET_SIGNATURE.finditer(text):
        before = text[: m.start()].rstrip()
        start = before.rfind("\n") + 1
        if before[start:].strip():
            out.append((start, len(before), m.group("name").strip()))
    return out


def _tweet_of(tweets: list[tuple[int, int, str]], sentence: Sentence) -> str | None:
    return next((name for start, end, name in tweets if start <= sentence.start and sentence.end <= end + 1), None)


def _tweet_body(sent: Span) -> list[Token]:
    """The tweet's words up to its first link ('pic.twitter.com/...', 'http://t.co/...')."""
    body: list[Token] = []
    for t in sent:
        if t.like_url or t.lower_.startswith(("pic.twitter.com", "http", "cc:")):
            break
        body.append(t)
    return _trim_content(body)


def _outlet_lead_clause(sent: Span, found: list[_Found], cue: str, cue_pure: bool) -> list[Token] | None:
    """'These reports have not been confirmed, and the ministry said it is checking': the clause
    before the coordinated attribution is the outlet's own statement, not the ministry's."""
    doc = sent.doc
    root = sent.root
    first = min(f.anchor for f in found)
    if any(f.anchor == root.i for f in found) or root.i > first or not _own_subject(root):
        return None
    clause = next((c for c in root.children if c.dep_ == "conj" and c.left_edge.i <= first <= c.right_edge.i), None)
    if clause is None:
        return None
    b0, _ = _sentence_body(sent, cue_pure, cue)
    end = clause.left_edge.i
    while end > b0 and (doc[end - 1].is_punct or doc[end - 1].dep_ == "cc"):
        end -= 1
    if any(b0 <= t.i < end for f in found for t in f.content):
        return None
    tokens = _trim_content([doc[i] for i in range(b0, end)])
    return tokens if _word_count(" ".join(t.text for t in tokens)) >= MIN_OUTLET_WORDS else None


def _outlet_tail_clause(sent: Span, found: list[_Found]) -> list[Token] | None:
    """'A, the government said, so his sister is probably not running the country': the clause the
    writer draws from the statement ('so ...') is the outlet's own inference, not the speaker's."""
    doc = sent.doc
    for f in found:
        verb = doc[f.anchor] if f.anchor >= 0 else None
        if verb is None or not f.content or f.content[-1].i > verb.i:
            continue  # only after a trailing attribution: "A, X said, so B"
        for clause in verb.children:
            if clause.dep_ not in ("advcl", "conj") or clause.i < verb.i or not _own_subject(clause):
                continue
            so = next((c for c in clause.children if c.lower_ == "so" and c.i == clause.left_edge.i), None)
            if so is None or doc[so.i - 1].text != ",":
                continue
            tokens = _trim_content([doc[i] for i in range(so.i + 1, clause.right_edge.i + 1)])
            if _word_count(" ".join(t.text for t in tokens)) >= MIN_OUTLET_WORDS:
                return tokens
    return None


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
            if not _corrects(t.head, t):
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


def _corrects(first: Token, second: Token) -> bool:
    """'It's not testosterone, but it's something else': a negated clause corrected by 'but' with
    the same subject is one statement (what it is not and what it is)."""
    but = any(c.dep_ == "cc" and c.lower_ == "but" for c in first.children) or any(
        c.dep_ == "cc" and c.lower_ == "but" for c in second.children
    )
    subjects = [
        next((c.lower_ for c in v.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None) for v in (first, second)
    ]
    negated = any(c.dep_ == "neg" for c in first.children)
    return but and negated and subjects[0] is not None and subjects[0] == subjects[1]


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
        if participle and t.lemma_.lower() in SPEAKING_LEMMAS:
            # ", adding that B": B is the statement, the participle only passes it on
            said = next((c for c in t.children if c.dep_ == "ccomp"), None)
            if said is None:
                continue
            start, end = said.left_edge.i, said.right_edge.i
            while start < end and t.doc[start].dep_ == "mark":
                start += 1
        if (relative or participle) and end - start + 1 >= MIN_PART_WORDS:
            found.append((start, min(end, content[-1].i)))
    return found


def atomic_parts(content: list[Token]) -> list[list[Token]]:
    """The content cut into atomic statements, each trimmed of its joining word; parts of fewer
    than MIN_PART_WORDS words stay with the part before them."""
    if not content:
        return []
    points = _split_points(content) if len(content) >= 2 * MIN_PART_WORDS else []
    # a quotation split by its attribution ('"A," she said, "and B."'): the second part starts anew,
    # with only a coordinating word to drop ('"If anyone can help ..."' keeps its "If")
    gaps = {b.i for a, b in zip(content, content[1:], strict=False) if b.i > a.i + 1}
    points = sorted({*points, *gaps})
    pieces: list[list[Token]] = []
    start = content[0].i
    for cut in [*points, content[-1].i + 1]:
        piece = [t for t in content if start <= t.i < cut]
        joined = start != content[0].i  # a piece after a cut: drop the joining word
        after_gap = start in gaps
        start = cut
        while (
            piece
            and joined
            and (
                piece[0].dep_ in ("cc", "punct")
                or (not after_gap and (piece[0].dep_ == "mark" or piece[0].lower_ in SPLIT_MARKS))
            )
        ):
            piece = piece[1:]
        while piece and (piece[-1].dep_ == "cc" or (piece[-1].is_punct and piece[-1].text not in QUOTE_CHARS)):
            if piece[-1].text in ")]" and any(t.text in "([" for t in piece[:-1]):
                break  # "... wal Jihad (Boko Haram)": the bracket closes what the part opened
            piece = piece[:-1]
        piece = _trim_content(piece)
        if piece and _is_attribution_clause(piece):
            continue  # "..., the Post reported on Friday": the attribution, not a statement
        words = sum(1 for t in piece if not t.is_punct)
        if pieces and words < MIN_PART_WORDS and not after_gap:
            pieces[-1] = [t for t in content if pieces[-1][0].i <= t.i <= (piece[-1].i if piece else pieces[-1][-1].i)]
        elif piece:
            pieces.append(piece)
    # a short first part joins the next, but not across the attribution that splits a quotation; there
    # a first part with no verb ('"In this context," he said, "the data suggest ..."') is no statement
    # when the second states one with its own subject ('"The plan," he said, "is dead"' stays joined)
    across = len(pieces) > 1 and any(pieces[0][-1].i < g <= pieces[1][0].i for g in gaps)
    if across and not any(t.pos_ in ("VERB", "AUX") for t in pieces[0]):
        ids = {t.i for t in pieces[1]}
        if any(t.dep_ in ("nsubj", "nsubjpass", "expl") and t.head.i in ids for t in pieces[1]):
            pieces = pieces[1:]
        else:
            across = False
    if len(pieces) > 1 and not across and sum(1 for t in pieces[0] if not t.is_punct) < MIN_PART_WORDS:
        pieces[:2] = [[t for t in content if pieces[0][0].i <= t.i <= pieces[1][-1].i]]
    pieces = pieces or [content]
    for start, end in _side_clauses(content):
        side = _trim_content([t for t in content if start <= t.i <= end])
        if side and all(side != p for p in pieces):
            pieces.append(side)
    return sorted(pieces, key=lambda p: (p[0].i, -p[-1].i))


def _is_attribution_clause(piece: list[Token]) -> bool:
    """A clause that only says who reported: a reporting verb with no complement of its own. A
    passive one states what was reported ('No injuries were reported', 'two deaths were confirmed'),
    unless its subject is the empty 'it' ('..., it was reported on Tuesday')."""
    ids = {t.i for t in piece}
    roots = [t for t in piece if t.head.i not in ids or t.head.i == t.i]
    return any(
        r.lemma_.lower() in REPORT_LEMMAS
        and r.pos_ == "VERB"
        and not any(
            (c.dep_ in ("ccomp", "dobj", "xcomp") or (c.dep_ == "nsubjpass" and c.lower_ != "it")) and c.i in ids
            for c in r.children
        )
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


def _own_speaker(ctx: _Context, part: list[Token], quoted: bool = False) -> tuple[_Claimant, str] | None:
    """A split-off clause in which another party speaks or characterises ("..., while the
    government called it a normal workday"): that party is its claimant. Inside quotation marks
    only a party that can speak is another speaker ('"... the YPG have denied the rumours"' relays
    the YPG); a thing that "suggests" or "shows" there is the quoted speaker's own reasoning."""
    ids = {t.i for t in part}
    root = next((t for t in part if t.head.i not in ids or t.head.i == t.i), None)
    if root is None or root.lemma_.lower() not in REPORT_LEMMAS | CHARACTERISE_LEMMAS:
        return None
    subj = next((c for c in root.children if c.dep_ == "nsubj" and c.i in ids), None)
    if subj is None or subj.pos_ == "PRON" or (quoted and not _animate(subj)):
        return None
    claimant = _claimant_from_np(ctx, subj)
    return (claimant, _verb_text(root)) if claimant is not None else None


#: verbs of a request made in the first person ("we urge", "we are appealing to ...", "I would ask them to")
_APPEAL_LEMMAS = frozenset({"appeal", "urge", "implore", "beg", "ask", "encourage"})


def _is_appeal(part: list[Token]) -> bool:
    """A request or appeal in the speaker's own name ("We are appealing to human rights organizations
    to intervene", "we would ask them to get in touch"): analysts do not list those as claims. A
    question someone asks ("we asked whether ...") is no appeal."""
    ids = {t.i for t in part}
    root = next((t for t in part if t.head.i not in ids or t.head.i == t.i), None)
    if root is None:
        return False
    if _is_imperative(part, root):
        return True
    # "If anyone can help, we would ask ...": the parser may make the condition the root
    condition = root.dep_ == "advcl" or any(c.dep_ == "mark" and c.lower_ == "if" for c in root.children)
    heads = [root, *(c for c in root.children if c.dep_ == "ccomp" and condition)]
    return any(
        v.lemma_.lower() in _APPEAL_LEMMAS
        and v.pos_ == "VERB"
        and v.tag_ not in ("VBD", "VBN")  # "we have previously asked the media not to ...": a past act
        and not _states_a_practice(v)
        and any(c.dep_ == "nsubj" and c.lower_ in FIRST_PERSON for c in v.children)
        and any(c.dep_ in ("xcomp", "prep") and (c.lower_ in ("to", "for") or c.pos_ == "VERB") for c in v.children)
        for v in heads
    )


#: what a denial in the imperative rejects ("Don't believe the reports", "Ignore the rumours")
_REPORT_NOUN = re.compile(rf"^(?:{REPORT_NOUNS})$", re.I)


def _states_a_reason(clause: Token) -> bool:
    """'..., because he is alive and well': a clause giving a reason with a subject of its own."""
    return (
        clause.pos_ in ("VERB", "AUX")
        and any(g.dep_ in ("nsubj", "nsubjpass") for g in clause.children)
        and any(g.dep_ == "mark" and g.lower_ in ("because", "since") for g in clause.children)
    )


def _is_imperative(part: list[Token], root: Token) -> bool:
    """'Please be patient until ...', 'Don't believe any report from that site', 'Make sure he doesn't
    see you': a request or an order, addressed to someone, states nothing to check."""
    words = [t for t in part if not t.is_punct]
    lowered = [t.lower_ for t in words[:3]]
    if lowered[:2] == ["rest", "assured"] or lowered == ["please", "be", "assured"]:
        return False  # "Please be assured that ...", "Rest assured ...": an assurance, a statement
    if any(_REPORT_NOUN.search(t.text) for t in words) or any(t.lemma_.lower() in ("note", "know") for t in words[:3]):
        return False  # "Ignore the reports that I've been captured": a denial in the imperative
    if any(_states_a_reason(c) for c in root.children):
        return False  # "Don't get scared, because he is alive and well": it states something too
    after = words[0].doc[words[0].i + 1] if words and words[0].i + 1 < len(words[0].doc) else None
    if words and words[0].lower_ == "please" and (after is None or after.text != ","):  # not "Please, that ..."
        return True
    first = 2 if len(words) > 2 and words[0].lower_ == "do" and words[1].dep_ == "neg" else 0  # "Don't ..."
    return (
        len(words) > first
        and words[first] is root
        and root.tag_ == "VB"
        and not root.text.isupper()  # "STOP Hunger NOW ministries have ...": a name in capitals
        and not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in root.children)
    )


def _states_a_practice(v: Token) -> bool:
    """'If we're asked by a court ..., then we ask for time to notify the customer': a condition and
    no modal tell what is done whenever it happens, a claim about practice, not an appeal ('if anyone
    can help, we would ask them to get in touch' is one)."""
    doc = v.doc
    conditional = any(c.dep_ == "advmod" and c.lower_ == "then" for c in v.children) or any(
        t.lower_ in ("if", "when", "whenever") and t.dep_ == "mark" for t in doc[v.sent.start : v.i]
    )
    modal = any(c.dep_ == "aux" and c.tag_ == "MD" for c in v.children)
    return conditional and not modal


def _within_quotation(part: list[Token]) -> bool:
    return any(a < part[0].i and part[-1].i < b for a, b in _quote_regions(part[0].sent))


def _make_attributions(ctx: _Context, sentence: Sentence, found: _Found, cue: str) -> list[Attribution]:
    """One attribution per atomic statement of the found content."""
    doc = ctx.doc
    out = []
    for k, part in enumerate(atomic_parts(found.content)):
        if _is_appeal(part):
            continue  # "We are appealing to the UN to intervene": a request, not a claim
        cl, verb = found.claimant, found.verb
        speaker = _own_speaker(ctx, part, _within_quotation(part)) if k > 0 else None
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
    is_news = bool(NEWS_NAME_RE.search(cl.name)) or bool(cl.lemmas & NEWS_ORG_HEADS)
    ctx.refs.append(_Ref(name=cl.name, kind=cl.kind, lemmas=cl.lemmas, position=position, is_news=is_news))
    if found.anchor >= 0:
        # "the Journal reported, citing sources familiar with ...": "the sources" later are the Journal's
        verb = ctx.doc[found.anchor]
        for citing in (c for c in verb.children if c.lemma_ == "cite" and c.tag_ == "VBG"):
            for cited in (c for c in citing.children if c.dep_ == "dobj"):
                if cited.lemma_.lower() in GENERIC_SOURCE_HEADS:
                    owner = re.sub(r"^the ", "", cl.name)
                    lemmas = frozenset({cited.lemma_.lower()})
                    ctx.refs.append(_Ref(f"{owner}'s {cited.text}", "group", lemmas, cited.idx, is_news))


def _note_persons(ctx: _Context, sent: Span) -> None:
    """Remember people named in the sentence (for surnames and he/she later on)."""
    for ent in sent.ents:
        if ent.label_ == "PERSON":
            clean = re.sub(r"['’]s$", "", _norm_space(ent.text)).strip(" .,;:")
            if not re.fullmatch(r"[^\W\d_][\w.'’ -]*", clean):
                continue
            first, _, rest = clean.partition(" ")
            if rest and NEWS_NAME_RE.fullmatch(first):
                clean = rest  # "told Reuters Kim was ...": the agency is not part of the name
            name = _full_person_name(ctx, clean, ent.start_char)
            ctx.persons.append((ent.start_char, name))
            root = ent.root
            if root.dep_ in ("nsubj", "nsubjpass") or (
                root.dep_ == "appos" and root.head.dep_ in ("nsubj", "nsubjpass")
            ):  # "the baker's brother, Tom Wells, spoke to reporters": Tom Wells is the subject
                ctx.subjects.append((ent.start_char, name))


def _unattributed(tokens: list[Token], reported: bool) -> _Found:
    """A statement no one is named for: an impersonal report's ("reportedly", "it was said") or the
    outlet's own."""
    if reported:
        return _Found(_Claimant(UNNAMED_REPORTS, "", -1, -1, "group", frozenset()), "reportedly", tokens, -1)
    return _Found(_Claimant(OUTLET, "", -1, -1, "org", frozenset()), "", tokens, -1)


def analyse(text: str) -> Analysis:
    """Find sentences, attributed statements, outlet assertions and entities in one spaCy pass.

    The runner computes it once per article for all chains (the `news` analyzer), so it is not
    cached here: chains read it with `inp.analysis("news")`.
    """
    doc = get_nlp()(text)
    ctx = _Context(doc=doc, abbreviations=_abbreviations(doc), genders=person_genders(doc))
    pairs = _doc_sentences(doc)
    attributions: list[Attribution] = []
    last_speaker: tuple[int, _Found] | None = None  # (sentence index, attribution) for quotes
    announced: list[tuple[int, _Claimant, str]] = []  # (char end, speaker, verb) of 'X issued a statement:'
    tweets = embedded_tweets(text)
    quoted_spans = quotation_spans(text)
    for sentence, sent in pairs:
        if sentence.is_heading and _tweet_of(tweets, sentence) is None:
            continue  # a tweet's hashtag-led line is no heading
        cue, cue_pure = _find_cue(sentence.text)
        found = _find_in_sentence(ctx, sent, cue, cue_pure)
        lead = _outlet_lead_clause(sent, found, cue, cue_pure) if found else None
        if lead is not None:  # "It was said A, but X told Reuters B": A is a report's, not the outlet's
            reported = bool(REPORTED_RE.search(" ".join(t.text for t in lead)))
            attributions += _make_attributions(ctx, sentence, _unattributed(lead, reported), cue)
        seen: set[tuple[str, int, int]] = set()
        for item in found:
            key = (item.claimant.name, item.content[0].i, item.content[-1].i)
            if key in seen:
                continue
            seen.add(key)
            attributions += _make_attributions(ctx, sentence, item, cue)
            _remember(ctx, item)
            last_speaker = (sentence.index, item)
        tail = _outlet_tail_clause(sent, found) if found else None
        if tail is not None:
            attributions += _make_attributions(ctx, sentence, _unattributed(tail, reported=False), cue)
        if not found:
            introduced = announcer(ctx, sent)
            if introduced is not None:
                announced.append((sent.end_char, introduced[0], introduced[1]))
                last_speaker = (sentence.index, _Found(introduced[0], introduced[1], [], sent.root.i))
            if _fully_quoted(sent):
                # a quotation standing alone continues the previous speaker's words
                cont = _continued(last_speaker, sentence, sent)
                if cont is not None and last_speaker is not None:
                    attributions += _make_attributions(ctx, sentence, cont, cue)
                    last_speaker = (sentence.index, last_speaker[1])
            elif (tweet := _tweet_of(tweets, sentence)) is not None:
                author = _Claimant(tweet, tweet, -1, -1, "person", frozenset())
                body = _tweet_body(sent)
                if _word_count(" ".join(t.text for t in body)) >= MIN_OUTLET_WORDS:
                    attributions += _make_attributions(ctx, sentence, _Found(author, "tweeted", body, -1), cue)
            elif REPORTED_RE.search(sentence.text) and _is_declarative(sentence, sent):
                # "X reportedly ...", "X is said to ...", "it was reported that ...": a report
                # with no named source is neither the outlet's own claim nor anyone's in particular
                item = _unattributed(_statement_tokens(sent, cue, cue_pure), reported=True)
                attributions += _make_attributions(ctx, sentence, item, cue)
            elif not any(a <= sent.start_char < b for a, b in quoted_spans) and _speaks_in_first_person(sent):
                # "I used to hide it." with no quotation marks: the speaker's words, not the outlet's
                cont = _first_person_words(last_speaker, sentence, sent)
                if cont is not None and last_speaker is not None:
                    attributions += _make_attributions(ctx, sentence, cont, cue)
                    last_speaker = (sentence.index, last_speaker[1])
            elif introduced is None and _is_outlet_assertion(sentence, sent):  # an announcement asserts nothing
                item = _unattributed(_statement_tokens(sent, cue, cue_pure), reported=False)
                attributions += _make_attributions(ctx, sentence, item, cue)
        _note_persons(ctx, sent)
    entities = [
        (ent.text, ent.label_, ent.start_char, ent.end_char)
        for ent in doc.ents
        if ent.label_ in ENTITY_LABELS and ent.text.strip()
    ]
    body_start = next((s.start for s, _ in pairs if not s.is_heading), 0)
    attributions = _quoted_speakers(text, attributions, announced, quoted_spans)
    attributions = _carried_reports(text, _reports_of_a_named_source(text, attributions))
    attributions = _named_descriptions(doc, _signed_pull_quotes(text, attributions))
    attributions = _unify_surnames(_compact_roles(_delayed_identification(doc, attributions, body_start)))
    attributions = _documents_of_their_publishers(doc, _quoted_headlines(text, attributions))
    attributions = _denied_reports(text, _without_appended_comments(text, attributions))
    return Analysis(text=text, sentences=[s for s, _ in pairs], attributions=attributions, entities=entities)


compute_analysis = analyse  # the name the batch worker and older code use
