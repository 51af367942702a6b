"""Whole-article passes over the found attributions, run after the sentence-by-sentence reading:
who a quotation paragraph belongs to, who goes on relaying a report, who a role or an impersonal
report names, what a denial denies. Each pass takes and returns the attribution list."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from toolkit.text import content_words, negated
from toolkit_plugins.news.claimants import _Claimant, _norm_space
from toolkit_plugins.news.reporting import _agent_of
from toolkit_plugins.news.sentences import _word_count
from toolkit_plugins.news.vocabulary import (
    DOCUMENT_HEADS,
    HUMAN_SOURCE_HEADS,
    NEGATING_LEMMAS,
    NEWS_NAME_RE,
    NEWS_ORG_HEADS,
    ORG_HEADS,
    OUTLET,
    REPORT_NOUNS,
    UNNAMED_REPORTS,
    Attribution,
)

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc


#: double quotes, straight or curly, and British single ones (whose closing mark, unlike an apostrophe
#: in "Nelson’s", is not followed by a letter)
_QUOTE_RUN = re.compile(r"“[^”\n]*(?:”|$)|\"[^\"\n]*(?:\"|$)|‘[^‘\n]*?(?:’(?!\w)|$)", re.M)


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """Char spans of quotations within each paragraph. A quotation may run over several sentences;
    one left open at the paragraph's end closes there (a quote continued in the next paragraph
    opens again there, by news convention)."""
    return [(m.start(), m.end()) for m in _QUOTE_RUN.finditer(text) if m.end() - m.start() > 2]


def _quoted_speakers(
    text: str,
    attributions: list[Attribution],
    announced: Sequence[tuple[int, _Claimant, str]] = (),
    spans: list[tuple[int, int]] | None = None,
) -> list[Attribution]:
    """A sentence inside someone's quotation is theirs, not the outlet's: the speaker is the one
    attributed in a sentence the quotation overlaps, else in the sentence just before it in the
    same paragraph ('Hunter said: "... . ..."' or a quote paragraph after 'he said:'), else the
    one who was announced right before it ('X issued a statement:', even a paragraph before).
    `spans` are the text's quotation_spans when the caller has them already."""
    spans = quotation_spans(text) if spans is None else spans
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
            intro = next((a for a in announced if a[0] <= quote[0] and not text[a[0] : quote[0]].strip()), None)
            if intro is not None:
                att = dataclasses.replace(att, claimant=intro[1].name, claimant_mention=intro[1].mention, verb=intro[2])
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


def _is_publication(name: str, mention: str = "") -> bool:
    """A news outlet or a text, by its name or by the phrase that named it ("a 2013 GlobalPost
    article" is GlobalPost's)."""
    words = name.lower().split()
    spoken = mention.lower().split()
    return (
        bool(NEWS_NAME_RE.search(name))
        or bool(words and words[-1] in NEWS_ORG_HEADS | DOCUMENT_HEADS)
        or bool(spoken and spoken[-1] in DOCUMENT_HEADS and spoken[-1] not in words)
    )


#: a modal of conjecture: the outlet reports forecasts, it does not make them
SPECULATIVE_RE = re.compile(r"\b(could|might|may)\b")


#: a sentence about the relayed report itself ("These reports have not been confirmed") is the
#: outlet's, not the report's
_ABOUT_THE_REPORT = re.compile(rf"\b(?:th(?:e|ese|is|ose)|such) (?:{REPORT_NOUNS})\b", re.I)


def _carried_reports(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """'The Herald reports that A. B. C.': in news writing the sentences that follow a publication's
    or a study's report in the same paragraph go on relaying it, so they are the publication's,
    not the outlet's own, until the paragraph ends or someone else is quoted. After a person's
    forecast ('Munster said he expects A. B could cost $99.'), the unattributed conjectures that
    directly follow in the paragraph go on giving that forecast."""
    out: list[Attribution] = []
    carrying: Attribution | None = None
    forecaster: Attribution | None = None
    last_index = -1
    for att in attributions:
        if carrying is not None and "\n" in text[carrying.quote_end : att.quote_start]:
            carrying = None
        if forecaster is not None and (
            "\n" in text[forecaster.quote_end : att.quote_start] or att.sentence_index > last_index + 1
        ):
            forecaster = None
        if att.claimant != OUTLET:
            relays = att.claimant != UNNAMED_REPORTS and (
                _is_publication(att.claimant, att.claimant_mention) or att.verb.lower().startswith("report")
            )
            carrying = att if relays and att.verb else None
            forecaster = att if att.claimant != UNNAMED_REPORTS and att.verb else None
            last_index = att.sentence_index
            out.append(att)
        elif (
            carrying is None
            and forecaster is not None
            and att.sentence_index > forecaster.sentence_index
            and SPECULATIVE_RE.search(att.quote)
        ):
            last_index = att.sentence_index
            out.append(
                dataclasses.replace(
                    att,
                    claimant=forecaster.claimant,
                    claimant_mention=forecaster.claimant_mention,
                    verb=forecaster.verb,
                )
            )
        elif (
            carrying is not None
            and att.sentence_index > carrying.sentence_index
            and not _ABOUT_THE_REPORT.search(att.quote)
        ):
            out.append(
                dataclasses.replace(
                    att, claimant=carrying.claimant, claimant_mention=carrying.claimant_mention, verb=carrying.verb
                )
            )
        else:
            out.append(att)
    return out


def _reports_of_a_named_source(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """'Word has it that A. B, the Post reported.' and 'A, according to a report from Skift. B would
    reportedly C.': an impersonal report next to a publication's report in the same paragraph is
    that publication's, the one before it first."""
    relays = [
        a
        for a in attributions
        if a.claimant not in (OUTLET, UNNAMED_REPORTS)
        and (
            _is_publication(a.claimant, a.claimant_mention)
            or a.verb.lower().startswith("report")
            or bool(set(a.claimant.lower().split()) & NEWS_ORG_HEADS)  # "travel news site Skift"
        )
    ]
    out = []
    for att in attributions:
        if att.claimant == UNNAMED_REPORTS:
            near = [
                r
                for r in relays
                if abs(r.sentence_index - att.sentence_index) == 1
                and "\n" not in text[min(r.quote_end, att.quote_end) : max(r.quote_start, att.quote_start)]
            ]
            if near:
                source = min(near, key=lambda r: r.sentence_index > att.sentence_index)  # the one before first
                att = dataclasses.replace(
                    att, claimant=source.claimant, claimant_mention=source.claimant_mention, verb=source.verb
                )
        out.append(att)
    return out


#: "the story was headlined, “Star Found Dead”", "a post headlined: “...”": a document's headline, quoted
_HEADLINED = re.compile(
    r"\b(?P<doc>story|article|report|post|piece|item)\b[^.“”\"]{0,12}?\s(?:(?:was|is|had been|has been)\s+)?"
    r"headlined[,:]?\s+[“\"](?P<headline>[^“”\"]{12,200}?)[,.]?[”\"]",
    re.I,
)


def _quoted_headlines(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """'The story was headlined, “Star Found Dead in His Home”': the headline is the story's claim
    (its publisher's, once `_documents_of_their_publishers` names it), not the outlet's. A rumour is
    often known by its headline, and the denials in the article answer it. The outlet's telling of
    it ('the story was headlined') asserts nothing more, so the headline takes its place."""
    out: list[Attribution] = []
    for att in attributions:
        m = _HEADLINED.search(text, att.quote_start, att.quote_end) if att.claimant == OUTLET else None
        if m is None:
            out.append(att)
            continue
        doc_start, doc_end = m.span("doc")
        out.append(_carved(text, att, m.span("headline"), m.group("doc").lower(), (doc_start, doc_end), "headlined"))
    return out


def _carved(
    text: str, att: Attribution, span: tuple[int, int], claimant: str, mention: tuple[int, int], verb: str
) -> Attribution:
    """A claim carved out of an attribution's sentence (a quoted headline, the report a denial
    names): its own claimant (`mention` the claimant's char span, or (-1, -1)), verb and evidence."""
    start, end = span
    return dataclasses.replace(
        att,
        claimant=claimant,
        claimant_mention=text[mention[0] : mention[1]] if mention[0] >= 0 else "",
        claimant_start=mention[0],
        claimant_end=mention[1],
        verb=verb,
        content=text[start:end],
        content_start=start,
        content_end=end,
        evidence_start=start,
        evidence_end=end,
    )


#: a document with no name of its own ("the fake story", "a new report"): its publisher speaks through it
_UNNAMED_DOCUMENT = re.compile(r"^[^A-Z]*\b(story|article|report|post|headline|piece)$")
#: "an earlier version of this story": the outlet's own, neither a publisher's nor one
_THIS_DOCUMENT = re.compile(r"\bth(is|ese)\b", re.I)
#: verbs of a passive report that names its publisher as the agent ("was reported by Foxnews.es")
REPORTED_BY_LEMMAS = frozenset({"report", "publish", "post", "run", "carry", "break"})


def _reported_by(doc: Doc, att: Attribution) -> str | None:
    """'A was reported by Foxnews.es': the named publication a passive report gives as its agent."""
    span = doc.char_span(att.quote_start, att.quote_end, alignment_mode="expand")
    for verb in span or ():
        if verb.lemma_.lower() in REPORTED_BY_LEMMAS and verb.tag_ == "VBN" and (agent := _agent_of(verb)) is not None:
            tokens = [t for t in doc[agent.left_edge.i : agent.i + 1] if t.dep_ != "det" and not t.is_punct]
            if any(t.pos_ == "PROPN" and t.ent_type_ not in ("DATE", "TIME") for t in tokens):
                return _norm_space(" ".join(t.text for t in tokens))  # the name, not an apposition after it
    return None


def _documents_of_their_publishers(doc: Doc, attributions: list[Attribution]) -> list[Attribution]:
    """'Nelson's death was reported by Foxnews.es. [...] The fake story claimed A': a story, report
    or article with no name of its own is the publication's that reported last before it, in its
    paragraph or the one before it (one whose phrase names it, 'the story on the MSNBC site', is
    named by _claimant_from_np). With no publisher in sight it stays as it is (a study or a court's
    report may be meant)."""
    out: list[Attribution] = []
    publisher: Attribution | None = None
    for k, att in enumerate(attributions):
        if _THIS_DOCUMENT.search(att.claimant):
            pass
        elif att.claimant_start >= 0 and _UNNAMED_DOCUMENT.search(att.claimant):
            if (
                publisher is not None
                and doc.text[publisher.quote_end : att.quote_start].count("\n\n") <= 1
                and att.sentence_index - publisher.sentence_index <= 4
            ):
                att = dataclasses.replace(att, claimant=publisher.claimant)
            elif (named := _same_document_named_next(doc, att, attributions[k + 1 :])) is not None:
                att = dataclasses.replace(att, claimant=named)
        elif att.claimant not in (OUTLET, UNNAMED_REPORTS) and (
            _is_publication(att.claimant, att.claimant_mention) or att.verb.lower().startswith("report")
        ):
            publisher = att
        elif att.claimant == OUTLET and (agent := _reported_by(doc, att)) is not None:
            publisher = dataclasses.replace(att, claimant=agent)
        out.append(att)
    return out


def _same_document_named_next(doc: Doc, att: Attribution, following: list[Attribution]) -> str | None:
    """'The story was headlined "...", and claimed A. [...] The phony story on the MSNBC site claimed
    B': with no publisher before it, a story is the one the next mention of a story names, when that
    comes in the same paragraph or the next one, is definite (the same story again: 'a report from
    DigiTimes' is another one) and names its publisher in its own phrase."""
    head = att.claimant.split()[-1].lower()
    for later in following[:3]:
        if doc.text[att.quote_end : later.quote_start].count("\n\n") > 1:
            return None
        before = doc.text[max(later.claimant_start - 40, 0) : later.claimant_start].lower()
        if later.claimant_start >= 0 and re.search(
            rf"\b(?:the|that)\s+(?:[\w'’-]+\s+){{0,2}}{re.escape(head)}\s+(?:on|in|at|from|by)\s+$", before
        ):
            return later.claimant
    return None


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
        root = ent.root
        if root.dep_ == "appos" and root.head.pos_ == "NOUN" and root.head.i < ent.start:
            nouns.append(root.head)  # "the man's brother, Kevin Nickel"
        for noun in nouns:
            roles.setdefault(noun.lemma_.lower(), set()).add(name)
    return roles


#: "a man known as Conal", "a woman identified as Rosa Kemp", "a teenager named Ali"
_NAMING = re.compile(
    r"\b(?:[Aa]n?|[Tt]he)\s+(?:[a-z-]+\s+){0,2}?(?P<noun>[a-z]+),?\s+(?:known as|named|identified as|"
    r"called|going by)\s+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2})"
)
_OPENING_WORDS = frozenset({"the", "a", "an", "his", "her", "its", "their", "our", "my", "this", "that"})


def _introduced_names(doc: Doc) -> dict[str, set[str]]:
    """Nouns the article gives a name in so many words: 'a man known as Conal' -> man -> Conal."""
    named: dict[str, set[str]] = {}
    for m in _NAMING.finditer(doc.text):
        named.setdefault(m["noun"], set()).add(m["name"])
    return named


_ROLE_COMPLEMENT = re.compile(r"\s(?:of|to|for|at|in|with|from|on)\s.*$")


def _named_descriptions(doc: Doc, attributions: list[Attribution]) -> list[Attribution]:
    """A claimant named only by a role ('the golfer', "the man's attorney") is the person the
    article names with that role, when it names exactly one."""
    roles: dict[str, set[str]] | None = None
    introduced: dict[str, set[str]] = {}
    out = []
    for att in attributions:
        words = att.claimant.replace("’", "'").split()
        # a capital that only opens the sentence ("His brother said") names no one
        named_words = words[1:] if words and words[0].lower() in _OPENING_WORDS else words
        if att.claimant in (OUTLET, UNNAMED_REPORTS) or not words or any(w[:1].isupper() for w in named_words):
            out.append(att)
            continue
        # the role is the noun before its complement: "eyewitness to the filming" -> eyewitness
        head = _ROLE_COMPLEMENT.sub("", " ".join(words)).split()[-1].lower().removesuffix("'s")
        if roles is None:
            roles, introduced = _role_names(doc), _introduced_names(doc)
        if head in GENERIC_PERSON_HEADS or att.claimant_mention.lower().startswith(("a ", "an ")):
            # "a city engineer said": an indefinite description introduces someone new, unless the
            # article names exactly one such person in so many words ("a man known as Conal")
            named = introduced.get(head, set())
        else:
            named = roles.get(head) or roles.get(head.removesuffix("s"))
        if named and len(named) == 1:
            att = dataclasses.replace(att, claimant=next(iter(named)))
        out.append(att)
    return out


#: a paragraph that is only a quotation, signed with a dash: "'We will rebuild.' - Mayor Ana Ruiz"
_PULL_QUOTE = re.compile(
    r"^(?:[\"“](?P<body>[^\n\"“”]{8,})[\"”]|['‘](?P<single>[^\n‘]{8,}?)['’])[ \t]*\n?[ \t]*[-–—]{1,2}[ \t]+"
    r"(?P<who>\w[^\n\"“.!?]*?[A-Z][^\n\"“.!?]*?)[ \t]*$",
    re.M,
)
_CAPITALISED_NAME = re.compile(r"^(?:[A-Z][\w'’.-]*\s+){1,4}[A-Z][\w'’-]+$")


def _signed_pull_quotes(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """The outlet's statements inside a dash-signed pull quote are the signer's words; of a signature
    such as "the agency's spokesman, Father Ciro Benedettini" the name is kept."""
    signed = []
    for m in _PULL_QUOTE.finditer(text):
        parts = [p.strip() for p in m["who"].split(",")]
        if len(m["who"].split()) > 12 or "@" in m["who"]:
            continue  # a sentence, or an embedded tweet's signature (read as the tweet's author)
        name = next((p for p in reversed(parts) if _CAPITALISED_NAME.match(p)), parts[0])
        body = "body" if m["body"] is not None else "single"
        signed.append((m.start(body), m.end(body), name))
    if not signed:
        return attributions
    out = []
    for att in attributions:
        start, end = att.evidence
        signer = next((n for a, b, n in signed if att.claimant == OUTLET and a <= start and end <= b), None)
        out.append(att if signer is None else dataclasses.replace(att, claimant=signer, claimant_mention=signer))
    return out


#: "leader of Nigeria's extremist group Boko Haram", "spokesman for the security firm Knightscope"
_ROLE_OF_NAMED = re.compile(
    r"^(?P<role>[a-z][\w-]*(?: [a-z][\w-]*)?) (?:of|for|at) (?:the |a |an )?(?:[\w’'-]+ ){0,5}?"
    r"(?P<noun>[a-z]+) (?P<name>[A-Z][\w’'.-]*(?: [A-Z][\w’'.-]*){0,3})$"
)


def _compact_roles(attributions: list[Attribution]) -> list[Attribution]:
    """A role of a body the article names after a common noun is '<name> <role>': 'leader of
    Nigeria's extremist group Boko Haram' is the 'Boko Haram leader', as an analyst would list it."""
    out = []
    for att in attributions:
        m = _ROLE_OF_NAMED.match(att.claimant)
        if m and m["role"].split()[-1] in HUMAN_SOURCE_HEADS | {"head"} and m["noun"] in ORG_HEADS | NEWS_ORG_HEADS:
            att = dataclasses.replace(att, claimant=f"{m['name']} {m['role']}")
        out.append(att)
    return out


#: content words a named person's statement must share with the lead's to restate it
RESTATED_WORDS = 3


def _restated_by_a_new_name(text: str, lead: Attribution, following: list[Attribution]) -> str | None:
    """The lead's someone is the newly named person who later says the same thing again: a name not
    seen before the lead, whose statement shares most of the lead's words (a second occurrence of a
    claim is how a delayed identification is often confirmed, paragraphs further on)."""
    said = content_words(lead.content)
    lead_negated = negated(lead.content)
    for att in following:
        if (
            not _CAPITALISED_NAME.match(att.claimant)
            or att.claimant.startswith("The ")  # an organisation ("The PGA Tour"), not the lead's someone
            or att.claimant in text[: lead.quote_end]
            or negated(att.content) != lead_negated
            or any(att.verb.lower().startswith(lemma.rstrip("ye")) for lemma in NEGATING_LEMMAS)  # denied
        ):
            continue
        words = content_words(att.content)
        shared = said & words
        if len(shared) >= RESTATED_WORDS and len(shared) >= 0.6 * min(len(said), len(words)):
            return att.claimant
    return None


def _delayed_identification(doc: Doc, attributions: list[Attribution], body_start: int) -> list[Attribution]:
    """The delayed-identification lead: 'A journeyman golfer said ... .' then, opening the next
    paragraph, 'Dan Olsen, 48, ..., told a radio show that ...': the someone of the lead is the
    person the next paragraph names first, when that name appears nowhere before it."""
    text = doc.text
    body = [a for a in attributions if a.quote_start >= 0]
    if not body:
        return attributions
    lead = body[0]
    words = lead.claimant.split()
    if not lead.claimant_mention.lower().startswith(("a ", "an ")) or words[-1][:1].isupper():  # "a Texas plumber"
        return attributions
    paragraph_end = text.find("\n", lead.quote_end)
    if paragraph_end < 0 or "\n" in text[body_start : lead.quote_start] or lead.claimant_start < 0:
        return attributions  # the lead is in the article's first paragraph (after any headline)
    if re.search(r"\b[a-z]", text[lead.quote_start : lead.claimant_start]):
        return attributions  # the someone opens the sentence (after a dateline), as its subject
    following = [a for a in body if a.quote_start > paragraph_end]
    if not following:
        return attributions
    named = _named_next(doc, lead, following, paragraph_end) or _restated_by_a_new_name(text, lead, following)
    if named is None:
        return attributions
    return [dataclasses.replace(a, claimant=named) if a.claimant == lead.claimant else a for a in attributions]


def _named_next(doc: Doc, lead: Attribution, following: list[Attribution], paragraph_end: int) -> str | None:
    """The person whose statement opens the next paragraph, named there for the first time."""
    text = doc.text
    first = following[0]
    opening = text[paragraph_end : first.quote_start].strip()
    named = first.claimant
    if opening or not _CAPITALISED_NAME.match(named) or named in text[: first.quote_start]:
        return None  # not the next paragraph's opening statement, or someone named before
    head = _ROLE_COMPLEMENT.sub("", lead.claimant).split()[-1].lower()
    roles = {role for role, names in _role_names(doc).items() if named in names}
    if roles and head not in roles:
        return None  # "Dana Holt, a neighbour, said": someone else than the lead's woman
    return named


def _unify_surnames(attributions: list[Attribution]) -> list[Attribution]:
    """'Mendes' after 'Carla Mendes' is the same claimant, even where spaCy saw no PERSON entity; so
    is 'Carla' when one earlier name begins with it and none ends with it (a first name in a
    profile's quotes, or a family name written first: 'So' after 'So Se Pyong')."""
    full_names: list[str] = []
    unified: list[Attribution] = []
    for att in attributions:
        words = att.claimant.split()
        if len(words) == 1 and words[0][:1].isupper():
            full = next((n for n in reversed(full_names) if n.split()[-1] == words[0]), None)
            if full is None and not words[0].isupper():  # not an acronym: 'NBC' is not 'NBC DFW'
                starting = {n for n in full_names if n.split()[0] == words[0]}
                full = starting.pop() if len(starting) == 1 else None
            if full is not None:
                att = dataclasses.replace(att, claimant=full)
        elif len(words) >= 2 and all(w[:1].isupper() for w in words):
            full_names.append(att.claimant)
        unified.append(att)
    return unified


#: "denied reports (that) X", "rejected claims by Y that X", "dismissed rumours X": what is denied
_DENIED_REPORT = re.compile(
    r"\b(?:den(?:y|ied|ies|ying)|dismiss(?:ed|es|ing)?|reject(?:ed|s|ing)?|refut(?:e|ed|es|ing)|"
    r"debunk(?:ed|s|ing)?)\s+(?:the\s+|these\s+|those\s+|earlier\s+|recent\s+|media\s+|press\s+|online\s+)*"
    rf"(?P<noun>{REPORT_NOUNS}|speculation|suggestions?)"
    r"(?:\s+(?:by|from|in)\s+(?P<source>[^,;.]{3,60}?)\s+that\s+|\s+(?:that\s+)?)"
    r"(?!(?:of|about|on|over|regarding|concerning|circulating|online|in|and|or|as|were|was|is|are|have|has|had)\b)"
    r"(?P<what>\S)",
    re.I,
)
#: where the denied statement ends: the sentence's end, or a clause the outlet adds to it
_DENIED_REPORT_END = re.compile(
    r"[.;:]\s|\s[-–—]{1,2}\s|,\s+(?:saying|calling|adding|telling|insisting|but|and said)\b"
)
_REPORT_VERBS = {"report": "reported", "rumour": "rumoured", "rumor": "rumored", "claim": "claimed",
                 "allegation": "alleged", "speculation": "speculated", "suggestion": "suggested"}  # fmt: skip


#: the outlet's comment appended to what someone said: "A -- a claim that X denies", "A, an
#: allegation which the company rejects", "A, a claim Conal denies"
_APPENDED_COMMENT = re.compile(
    r"(?:,|\s[-–—]{1,2})\s+an? (?:claim|allegation|charge|accusation|assertion)s? (?:(?:that|which)\s"
    r"|(?=(?:[\w'’.-]+\s){1,4}(?:den(?:y|ies|ied)|reject(?:s|ed)?|disput(?:e|es|ed)|dismiss(?:es|ed)?)\b))",
    re.I,
)


def _without_appended_comments(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """A comment the outlet appends to a statement ('A -- a claim that X denies') is not part of it:
    what was said ends where the comment starts (left in, the statement read as a denial itself)."""
    out = []
    for att in attributions:
        start, end = att.evidence
        comment = _APPENDED_COMMENT.search(text, start, end)
        if comment is not None and comment.start() > start:
            att = dataclasses.replace(att, evidence_start=start, evidence_end=comment.start())
        out.append(att)
    return out


def _denied_reports(text: str, attributions: list[Attribution]) -> list[Attribution]:
    """'X denied reports that A': the denial is X's, and A is a claim too, the reports' (or the
    named source's: 'claims by the government that A'). Analysts list the report that a story
    turns on, and the denial answers it; left inside the denial, it would be no one's claim."""
    out: list[Attribution] = []
    for att in attributions:
        found = None
        region = text[att.quote_start : att.quote_end]
        for m in _DENIED_REPORT.finditer(region):
            start = att.quote_start + m.start("what")
            end_match = _DENIED_REPORT_END.search(text, start, att.quote_end)
            end = end_match.start() if end_match else att.quote_end
            end = len(text[:end].rstrip(" .,;:\"”’'"))
            if _word_count(text[start:end]) >= 4:
                found = (m, start, end)
                break
        if found is None or any(o.evidence == (found[1], found[2]) for o in out) or _restated(text, found, out):
            out.append(att)
            continue
        m, start, end = found
        source = (m.group("source") or "").strip()
        noun = m.group("noun").lower().rstrip("s")
        source_start = att.quote_start + m.start("source") if source else -1
        mention = (source_start, source_start + len(source)) if source else (-1, -1)
        verb = _REPORT_VERBS.get(noun, "reported")
        out.append(_carved(text, att, (start, end), source or UNNAMED_REPORTS, mention, verb))
        out.append(att)
    return out


def _restated(text: str, found: tuple[re.Match[str], int, int], earlier: list[Attribution]) -> bool:
    """Whether what is denied restates an earlier statement ('X said A. ... denied claims that A'):
    then the denial answers that claimant's claim, and the reports are no new claimant."""
    said = content_words(text[found[1] : found[2]])
    return len(said) >= 3 and any(
        len(said & content_words(att.content)) >= 0.75 * len(said)
        for att in earlier
        if att.claimant not in (OUTLET, UNNAMED_REPORTS)
    )
