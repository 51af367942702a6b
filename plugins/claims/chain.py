"""Claims chain: who claims what, typed, with the verbatim evidence quote and its offsets.

The tiny default model cannot find claims on its own, so the work is split:
1. spaCy (toolkit_plugins.news) finds attributed statements and cuts them into atomic ones: claimant,
   reporting verb, content, the minimal evidence span and its sentence;
2. the model labels each with a type under schema-constrained decoding (one call per claim);
3. checks after the model: clear lexical markers (future modals, accusation verbs) override a
   type the model got wrong; the self-contained restatement is built from the parsed parts;
4. every quote is aligned to the article, near-duplicates are merged.

The direct strategy, for capable models, reverses the roles: one structured call per chunk of
the article (few-shot example in the prompt file) returns every claim with claimant, verb, type,
restatement and evidence quote; code then aligns each quote, flags or drops the ungrounded,
refuses a claimant the article never names, and adds the attributed statements the rules found
that the model missed (a recall safety net, typed by the lexical markers, no extra call).
"""

from __future__ import annotations

import re
from typing import Any, get_args

from pydantic import BaseModel, Field

from toolkit.chain import Chain, ChainContext, ChainInput, Steps, StructuredCall
from toolkit.grounding import Grounding, align
from toolkit.text import STOPWORDS, content_words, near_duplicate, negated
from toolkit_plugins.claims.schema import Claim, ClaimList, ClaimType
from toolkit_plugins.claims.view import ClaimsView
from toolkit_plugins.news import NEWS, OUTLET, UNNAMED_REPORTS, Analysis, Attribution
from toolkit_plugins.news.chunking import chunk_by_budget
from toolkit_plugins.news.claimants import is_short_form
from toolkit_plugins.news.vocabulary import FIRST_PERSON, GROUP_PRONOUNS, PERSON_PRONOUNS, THING_PRONOUNS
from toolkit_prompts import ROOT as PROMPTS_ROOT

PROMPTS = PROMPTS_ROOT / "claims"

#: the future, a forecast, or a stated plan ("is planning to launch", "set to open", "could reach", "may
#: undercut"); not a plan denied ("no plans to"), a past possibility ("could have", "may have"), a guess
#: about what is ("may be a mite") nor what could not be done ("could not confirm", "could be heard")
_PREDICTION = re.compile(
    r"\b(will|won't|shall|'ll|going to|expects?|expected to|next (week|month|year))\b"
    r"|\b(?<!no )(?<!any )(plans? to|planning to|set to|mulling|looking to)\b"
    r"|\bcould\b(?! (?:have|not|never|be heard|be seen))"
    r"|\b(?-i:may|might)\b(?! (?:have|not have|never have|be|not be)\b)",
    re.I,
)
_ALLEGATION = re.compile(
    r"\b(accus\w*|alleg\w*|blam\w*|fraud\w*|rigg\w*|cover(ed)?[- ]up|lied|illegal\w*|war crimes?|corrupt\w*|"
    r"hiding|concealed|irregularit\w*)\b",
    re.I,
)
#: a charge of deceit that only an affirmative statement makes ("the video was staged"); denied
#: ("none of the videos were staged") it is a denial, a fact
_DECEIT = re.compile(r"\b(scam\w*|staged|stole)\b", re.I)
_OPINION = re.compile(
    r"\b(very|too|should|must|disgrace\w*|terrible|difficult|wrong|unacceptable|outrageous|no other choice|"
    r"believe\w*|think\w*|feel\w*|hope\w*|seems?|seemed|unfortunately|fortunately|prefer\w*|ridiculous|"
    r"absurd|embarrass\w*)\b",
    re.I,
)


class TypeAnswer(BaseModel):
    type: ClaimType


class ExtractedClaim(BaseModel):
    """One claim as the direct strategy's model returns it (the quote first: it anchors the rest)."""

    quote: str = Field(description="the shortest exact span of the article that states the claim")
    claimant: str = Field(description="who asserts it, as the article names them; 'the outlet' for its own voice")
    verb: str = Field(description="attribution words as written; empty for the outlet")
    type: ClaimType
    claim: str = Field(description="one self-contained sentence naming the claimant")


class ExtractedClaims(BaseModel):
    claims: list[ExtractedClaim]


#: article tokens per direct extraction call: room for the example and a long answer in 4k contexts
DIRECT_CHUNK_TOKENS = 1500
#: answer tokens per direct extraction call (about one answer token per article token)
DIRECT_ANSWER_TOKENS = 2048
#: share of a rule-found statement's evidence a model claim must cover to count as the same claim
SAME_CLAIM_OVERLAP = 0.5
_NAME_WORD = re.compile(r"[A-Za-z0-9][\w'’.-]*")


def rule_type(text: str, verb: str) -> ClaimType | None:
    """Lexical markers that outrank a tiny model's label; None when nothing is clear-cut."""
    if _ALLEGATION.search(verb) or _ALLEGATION.search(text):
        return "allegation"
    if _DECEIT.search(text) and not negated(text):
        return "allegation"
    if _PREDICTION.search(text):
        return "prediction"
    if _OPINION.search(text):
        return "opinion"
    return None


def check_type(model_type: ClaimType | None, text: str, verb: str) -> tuple[ClaimType, str | None]:
    """Final type and, when the checks changed the model's label, a note saying so.

    Markers win; without any, 'allegation' and 'prediction' need evidence the text lacks,
    so they fall back to 'fact' (what a statement with no such markers reports).
    """
    rule = rule_type(text, verb)
    if rule is not None:
        return rule, (f"type_{model_type}_overridden" if model_type and model_type != rule else None)
    if model_type in (None, "allegation", "prediction"):
        return "fact", (f"type_{model_type}_unsupported" if model_type else "type_from_rules")
    return model_type, None


def type_statement(att: Attribution) -> str:
    """What the type prompt sees: the atomic statement, with who says it and how."""
    if att.claimant == OUTLET or not att.verb:
        return att.content
    return f"{claimant_phrase(att)} {att.verb} {att.content}"


def _balance_quotes(text: str) -> str:
    if text.count('"') % 2:
        text = text.replace('"', "", 1) if text.startswith('"') else text + '"'
    return text


CONNECTIVES = frozenset(
    {
        "however",
        "furthermore",
        "moreover",
        "meanwhile",
        "but",
        "yet",
        "nevertheless",
        "nonetheless",
        "still",
        "also",
        "additionally",
        "instead",
        "in addition",
        "in contrast",
        "on the other hand",
        "at the same time",
    }
)
_PARTICIPLES = {
    "saying": "said",
    "claiming": "claimed",
    "adding": "added",
    "warning": "warned",
    "noting": "noted",
    "insisting": "insisted",
    "stating": "stated",
    "arguing": "argued",
    "announcing": "announced",
}


def clean_content(att: Attribution) -> str:
    """The asserted content without the attribution parenthetical and an opening connective."""
    content = att.content.strip()
    if att.claimant_mention and att.verb:
        content = re.sub(rf",?\s*{re.escape(att.claimant_mention)}\s+{re.escape(att.verb)}\s*,?", "", content, count=1)
    if att.cue and att.cue.lower() in CONNECTIVES and content.startswith(att.cue):
        content = content[len(att.cue) :].lstrip(" ,")
    content = re.sub(r',"$', '"', content.strip()).rstrip(",").strip()
    content = _balance_quotes(content)
    return content[:1].upper() + content[1:] if content else content


NO_THAT = re.compile(r"^(accus|urg|call|blam|prais|critici|ask|thank|condemn|welcom)", re.I)


def claimant_phrase(att: Attribution) -> str:
    """'The electoral commission' rather than 'electoral commission' when the article says so."""
    mention = att.claimant_mention.strip()
    article, _, rest = mention.partition(" ")
    if article.lower() in ("the", "a", "an") and rest.lower() == att.claimant.lower():
        return article.capitalize() + " " + rest
    return att.claimant


def template_claim(att: Attribution, text: str = "") -> str:
    """A faithful restatement built from the parsed parts, used when the model's fails checks."""
    content = clean_content(att)
    claimant = claimant_phrase(att)
    verb = _PARTICIPLES.get(att.verb.lower(), att.verb.lower())
    # direct speech: the content stands inside a quotation opened earlier in its sentence
    lead = text[att.quote_start : att.content_start] if 0 <= att.quote_start <= att.content_start <= len(text) else ""
    direct = bool(lead) and (lead.count("“") > lead.count("”") or lead.count('"') % 2 == 1)
    if att.claimant == OUTLET or not att.verb:
        out = content
    elif verb.startswith(("according", "based on", "cited", "reported")):
        source = "t" + claimant[1:] if claimant.startswith("The ") and claimant != att.claimant else claimant
        out = f"{content.rstrip('.')} (according to {source})"
    elif direct:
        out = f'{claimant} {verb}: "{content.rstrip(",. ")}."'
    else:
        body = content if content[:2].isupper() or content.startswith('"') else content[:1].lower() + content[1:]
        out = f"{claimant} {verb} {'' if NO_THAT.match(verb) else 'that '}{body}"
    out = out[:1].upper() + out[1:]
    return out if out.endswith((".", "!", "?", ")", '"')) else out + "."


def claim_from_attribution(
    att: Attribution, text: str, claim_type: ClaimType, grounding: Grounding, checks: list[str]
) -> Claim:
    """A claim from a statement the rules found: its parts, its grounded evidence, its sentence."""
    return Claim(
        id="",
        text=text,
        claimant=att.claimant,
        claimant_mention=att.claimant_mention,
        verb=att.verb,
        type=claim_type,
        quote=grounding.quote,
        start=grounding.start,
        end=grounding.end,
        alignment=grounding.status,
        context=att.quote,
        cue=att.cue,
        checks=checks,
    )


def named_in_article(claimant: str, text: str) -> bool:
    """Whether the article names this claimant: each of its name words appears in the text
    (the outlet and unnamed reports need no name); an invented source fails."""
    plain = claimant.strip().lower()
    if plain in (OUTLET, "outlet", "the article", UNNAMED_REPORTS) or plain.startswith("unnamed"):
        return True
    lowered = text.lower()
    words = [w.lower().strip(".'’") for w in _NAME_WORD.findall(claimant)]
    words = [w for w in words if w and w not in STOPWORDS]
    return bool(words) and all(w in lowered for w in words)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _attributed_within(att: Attribution, span: tuple[int, int]) -> bool:
    """Whether the span carries this attribution: its claimant mention, or most of its evidence."""
    if att.claimant_start >= 0 and span[0] <= att.claimant_start and att.claimant_end <= span[1]:
        return True
    start, end = att.evidence
    return _overlap((start, end), span) >= SAME_CLAIM_OVERLAP * max(1, end - start)


def full_names(claims: list[Claim], known: list[str]) -> list[Claim]:
    """One name per claimant: a short form the article also gives in full takes the full name."""
    names = sorted({c.claimant for c in claims if c.claimant != OUTLET} | set(known), key=len, reverse=True)
    for claim in claims:
        full = next((f for f in names if is_short_form(claim.claimant, f)), None)
        if full is not None:
            claim.claimant = full
            claim.checks.append("claimant_full_name")
    return claims


_PRONOUNS = PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS | FIRST_PERSON


def _speaker_differs(claimant: str, rule: Attribution, span: tuple[int, int]) -> bool:
    """Whether the rules' reading of who speaks in this span should replace the model's.

    The outlet is replaced when the span carries an attribution (its mention or most of its
    evidence); a named claimant only when the span itself names another speaker (not by a
    pronoun) and the two names are not one another's short form.
    """
    if claimant == OUTLET:
        return _attributed_within(rule, span)
    mention = rule.claimant_mention.strip().lower()
    if mention in _PRONOUNS or not (rule.claimant_start >= 0 and span[0] <= rule.claimant_start < span[1]):
        return False
    return not _same_speaker(claimant, rule.claimant)


def _same_speaker(a: str, b: str, *, loose: bool = False) -> bool:
    """One name for the other, or its short form ('Pushilin'); `loose` also takes any part of the
    full name ('Ciro Benedettini' for 'Father Ciro Benedettini')."""
    if a.lower().removeprefix("the ") == b.lower().removeprefix("the "):
        return True
    return is_short_form(a, b, loose=loose) or is_short_form(b, a, loose=loose)


def _restatement(kept: Claim, kept_content: str, claim: Claim, content: str) -> str | None:
    """How `content` restates a statement already kept from another sentence, or None:
    - "own": a party repeating their own words (a pull quote and its sentence): the shorter
      statement's meaning words all recur in the longer one;
    - "near": the same statement in other words (a subhead and its sentence), unless two named
      sources say it: they corroborate each other, and both claims stay."""
    voices = (OUTLET, UNNAMED_REPORTS)
    parties = kept.claimant not in voices and claim.claimant not in voices
    same = _same_speaker(kept.claimant, claim.claimant, loose=True)
    if parties and same:
        wa, wb = content_words(kept_content), content_words(content)
        small, large = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
        if len(small) >= 2 and small <= large:
            return "own"
    if near_duplicate(kept_content, content) and not (parties and not same):
        return "near"
    return None


def _canonical_claimant(name: str) -> str:
    plain = name.strip()
    if plain.lower() in ("the outlet", "outlet", "the article", "article", "the author", "author", ""):
        return OUTLET
    return plain


def direct_chunks(analysis: Analysis, text: str, count_tokens: Any, budget: int) -> list[tuple[int, int]]:
    """Article spans of whole sentences, each within the token budget (one extraction call each)."""
    sentences = analysis.sentences
    if not sentences:
        return [(0, len(text))] if text.strip() else []
    groups = chunk_by_budget([s.text for s in sentences], budget, count_tokens)
    return [(sentences[g[0]].start, sentences[g[-1]].end) for g in groups]


class ClaimsChain(Chain[ClaimList]):
    name = "claims"
    version = "1.0.0"
    description = "Atomic claims with claimant, attribution verb, type and grounded evidence quote"
    output_schema = ClaimList
    view_class = ClaimsView
    prompt_names = ("type_claim",)
    direct_prompt_names = ("extract_claims",)
    strategies = ("guided", "direct")
    prompt_dir = PROMPTS
    title = "Claims"
    position = 20
    default = True
    analyzers = (NEWS,)

    def candidates(self, analysis: Analysis) -> list[Attribution]:
        return list(analysis.attributions)

    def steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        text = inp.article.text
        analysis: Analysis = inp.analysis(NEWS)
        candidates = self.candidates(analysis)
        type_prompt = self.prompt(ctx, "type_claim")
        # One call per claim: its type. The restatement is built from the parsed parts: the 135M
        # model's own restatements failed the faithfulness checks for 410 of 456 claims on the dev set.
        calls = [
            StructuredCall(
                "type",
                type_prompt,
                {"statement": type_statement(att)[:1200]},
                TypeAnswer,
                max_tokens=16,
                required=False,
            )
            for att in candidates
        ]
        answers: list[Any] = yield calls if calls else []
        claims: list[Claim] = []
        contents: list[str] = []
        sentence_of: list[int] = []  # each kept claim's sentence start
        dropped = merged = 0
        for att, typed in zip(candidates, answers, strict=True):
            checks: list[str] = []
            text_out = template_claim(att, text)
            claim_type, note = check_type(typed.type if typed else None, att.content, att.verb)
            if note:
                checks.append(note)
            ev_start, ev_end = att.evidence
            grounding = align(text[ev_start:ev_end], text, hint=ev_start)
            if not grounding.grounded and ctx.drop_ungrounded:
                dropped += 1
                continue
            claim = claim_from_attribution(att, text_out, claim_type, grounding, checks)
            # a restatement elsewhere (a subhead and its sentence) is merged; parts of one sentence are not
            twin = next(
                (
                    (j, how)
                    for j, seen in enumerate(contents)
                    if sentence_of[j] != att.quote_start and (how := _restatement(claims[j], seen, claim, att.content))
                ),
                None,
            )
            if twin is not None:
                j, how = twin
                merged += 1
                outlets = claims[j].claimant == OUTLET and claim.claimant != OUTLET
                fuller = how == "own" and len(content_words(att.content)) > len(content_words(contents[j]))
                if outlets or fuller:  # a party's words over the outlet's; a speaker's most explicit occurrence
                    claims[j], contents[j], sentence_of[j] = claim, att.content, att.quote_start
                continue
            claims.append(claim)
            contents.append(att.content)
            sentence_of.append(att.quote_start)
        claims.sort(key=lambda c: c.start)
        for n, claim in enumerate(claims, 1):
            claim.id = f"c{n}"
        return ClaimList(claims=claims, dropped_ungrounded=dropped, merged_duplicates=merged)

    def direct_steps(self, inp: ChainInput, ctx: ChainContext) -> Steps:
        """One extraction call per chunk; then alignment, claimant checks and the rules' safety net."""
        text = inp.article.text
        analysis: Analysis = inp.analysis(NEWS)
        budget = min(DIRECT_CHUNK_TOKENS, max(256, ctx.model.context_window - DIRECT_ANSWER_TOKENS - 600))
        chunks = direct_chunks(analysis, text, ctx.model.count_tokens, budget)
        extract = self.prompt(ctx, "extract_claims")
        answers: list[Any] = yield [
            StructuredCall(
                "extract",
                extract,
                {"article": text[start:end]},
                ExtractedClaims,
                max_tokens=DIRECT_ANSWER_TOKENS,
                required=False,
            )
            for start, end in chunks
        ]
        claims: list[Claim] = []
        dropped = merged = 0
        seen: set[tuple[int, int]] = set()
        for (chunk_start, _), answer in zip(chunks, answers, strict=True):
            for item in answer.claims if answer is not None else []:
                claim = self._checked(item, text, analysis, chunk_start)
                if claim is None:
                    continue
                if claim.alignment == "ungrounded" and ctx.drop_ungrounded:
                    dropped += 1
                    continue
                if (claim.start, claim.end) in seen and claim.alignment != "ungrounded":
                    merged += 1
                    continue
                seen.add((claim.start, claim.end))
                claims.append(claim)
        claims += self._missed_by_model(analysis, text, claims)
        known = [a.claimant for a in analysis.attributions if a.claimant not in (OUTLET, UNNAMED_REPORTS)]
        claims = full_names(claims, known)
        claims.sort(key=lambda c: (c.start < 0, c.start, c.end))
        for n, claim in enumerate(claims, 1):
            claim.id = f"c{n}"
        return ClaimList(claims=claims, dropped_ungrounded=dropped, merged_duplicates=merged)

    @staticmethod
    def _checked(item: ExtractedClaim, text: str, analysis: Analysis, hint: int) -> Claim | None:
        """A model claim aligned to the article, its claimant checked against what the article names."""
        if not item.quote.strip():
            return None
        grounding = align(item.quote, text, hint=hint)
        checks = [] if grounding.status == "exact" else [f"quote_{grounding.status}"]
        span = (grounding.start, grounding.end)
        rule = max(
            (a for a in analysis.attributions if grounding.grounded and _overlap(a.evidence, span) > 0),
            key=lambda a: _overlap(a.evidence, span),
            default=None,
        )
        claimant = _canonical_claimant(item.claimant)
        if not named_in_article(claimant, text):
            checks.append("claimant_not_in_article")
            claimant = rule.claimant if rule is not None else OUTLET
        elif rule is not None and rule.claimant != OUTLET and _speaker_differs(claimant, rule, span):
            # the quote itself names who speaks ("X said that ..."): the parse of that sentence wins
            claimant = rule.claimant
            checks.append("claimant_from_attribution")
        verb = "" if claimant == OUTLET else item.verb.strip()
        if claimant != OUTLET and not verb and rule is not None and rule.claimant != OUTLET:
            verb = rule.verb  # the reporting words the model left out, as the article writes them
            checks.append("verb_from_rules")
        sentence = next((s for s in analysis.sentences if s.start <= grounding.start < s.end), None)
        restated = item.claim.strip() or grounding.quote
        return Claim(
            id="",
            text=restated if restated.endswith((".", "!", "?", '"', ")")) else restated + ".",
            claimant=claimant,
            claimant_mention=item.claimant.strip() if claimant != OUTLET else "",
            verb=verb,
            type=item.type,
            quote=grounding.quote,
            start=grounding.start,
            end=grounding.end,
            alignment=grounding.status,
            context=sentence.text if sentence is not None else "",
            cue=rule.cue if rule is not None else "",
            checks=checks,
        )

    @staticmethod
    def _missed_by_model(analysis: Analysis, text: str, claims: list[Claim]) -> list[Claim]:
        """Attributed statements the rules found and no model claim covers: the recall safety net.

        Only statements with a source (not the outlet's own sentences) are added; their type
        comes from the lexical markers, so the net costs no model call.
        """
        spans = [(c.start, c.end) for c in claims if c.alignment != "ungrounded"]
        added: list[Claim] = []
        for att in analysis.attributions:
            if att.claimant == OUTLET:
                continue
            ev = att.evidence
            size = max(1, ev[1] - ev[0])
            if any(_overlap(ev, span) >= SAME_CLAIM_OVERLAP * min(size, span[1] - span[0]) for span in spans):
                continue
            grounding = align(text[ev[0] : ev[1]], text, hint=ev[0])
            claim_type, _ = check_type(None, att.content, att.verb)
            wording = template_claim(att, text)
            added.append(claim_from_attribution(att, wording, claim_type, grounding, ["added_by_rules"]))
            spans.append(ev)
        return added

    def review_items(self, output: ClaimList) -> list[dict[str, Any]]:
        """Each claim; the analyst may correct its wording, claimant or type (the quote stays as found)."""
        return [
            {
                "id": c.id,
                "label": f"{c.id} [{c.type}] {c.claimant}: {c.text}",
                "detail": c.quote,
                "fields": {"text": c.text, "claimant": c.claimant, "type": c.type},
                "path": ["claims", i],
            }
            for i, c in enumerate(output.claims)
        ]

    def addable_fields(self, output: ClaimList, deps: dict[str, BaseModel]) -> dict[str, list[str] | None]:
        """An added claim: its quote (select it in the article and paste it), claimant, type, wording."""
        return {"quote": None, "claimant": None, "type": list(get_args(ClaimType)), "text": None}

    def new_review_item(
        self, output: ClaimList, fields: dict[str, Any], article_text: str, deps: dict[str, BaseModel]
    ) -> dict[str, Any]:
        """A claim the analyst adds: the quote must stand in the article (exact or up to spacing/quote marks)."""
        quote, claimant = str(fields.get("quote") or "").strip(), str(fields.get("claimant") or "").strip()
        if not quote or not claimant:
            raise ValueError("an added claim needs a quote from the article and a claimant")
        if not article_text:
            raise ValueError("the article text is not at hand, so the quote cannot be located")
        grounding = align(quote, article_text)
        if grounding.status not in ("exact", "normalized"):
            raise ValueError(f"the quote is not in the article: {quote[:60]!r}")
        used = {c.id for c in output.claims}
        n = 1
        while f"r{n}" in used:
            n += 1
        claim = Claim(
            id=f"r{n}",
            text=str(fields.get("text") or "").strip() or grounding.quote,
            claimant=claimant,
            verb="",
            type=fields.get("type") or "fact",
            quote=grounding.quote,
            start=grounding.start,
            end=grounding.end,
            alignment=grounding.status,
            checks=["added_in_review"],
        )
        return claim.model_dump(mode="json")

    def with_added_items(self, output: ClaimList, items: list[dict[str, Any]]) -> ClaimList:
        claims = [*output.claims, *(Claim.model_validate(i) for i in items)]
        return output.model_copy(update={"claims": sorted(claims, key=lambda c: (c.start, c.end))})
