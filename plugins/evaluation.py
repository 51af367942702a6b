"""Scoring the built-in chains against gold claims and counter pairs (`toolkit eval`).

The gold format is the dev set's (`../shared/data/devset/README.md`): claims with claimant,
type and a minimal verbatim quote; counter pairs (a, b, relation); uncontested claim ids.

- Claims are matched one to one by evidence overlap: an emitted quote matches a gold claim when
  it covers at least half of the gold quote; among candidates the tighter overlap wins, and a
  maximum matching is taken, so one long quote counts for one gold claim, not for every claim it
  spans. An unmatched emitted claim that restates a gold claim (a headline, a repeated quote) is
  counted as a restatement: neither right nor wrong, as the gold conventions skip restatements.
- Claimants are compared after normalisation: 'the outlet'; surnames; a body named in part ('the
  ministry' for 'Russian Defence Ministry'); an organisation for its spokesperson; acronyms; a
  relayed claim is right when it names the original source (not only the relay); descriptive
  claimants ('unnamed reports') match a descriptive answer.
- Pairs match when their two claims match the two claims of a gold pair, in either order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from toolkit.eval import ArticleEval, Evaluator, MetricSpec, Tally, f1
from toolkit.grounding import align
from toolkit.hookspecs import hookimpl
from toolkit.schema import RunResult

OUTLET_NAMES = frozenset({"the outlet", "outlet", "the article", "article", "the author", "author", "the reporter"})
#: words that describe a source without naming it; such claimants are never "invented"
DESCRIPTIVE = frozenset(
    """unnamed unidentified anonymous unattributed unconfirmed unverified reports report reported reportedly rumour
    rumours rumor rumors sources source media officials official people witnesses witness critics some several many
    one two three experts analysts observers residents users social claims claim""".split()
)
ROLE_WORDS = frozenset(
    """spokesman spokeswoman spokesperson spokespeople official officials analyst president vice general manager head
    chief editor researcher secretary agent statement report reports source sources video footage site hoax news
    former leader director minister ministry department member members representative tweet post""".split()
)
_NAME_STOP = frozenset(
    """the a an of and in at on for to by from with as 's s mr mrs ms dr rep sen gov prof st per via""".split()
)
_RELAY = re.compile(
    r"^(?:to|via|per|citing|as relayed by|as reported by|relayed by|reported by|according to)\b\s*", re.I
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
MATCH_COVER = 0.5  # an emitted quote must cover this share of the gold quote
RESTATEMENT_SCORE = 85.0


# --- claimant names --------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    text = text.replace("’", "'")
    text = re.sub(r"'s\b", "", text)
    return [t for t in _TOKEN.findall(text)]


def _norm(tokens: Iterable[str]) -> list[str]:
    return [t.lower() for t in tokens if t.lower() not in _NAME_STOP]


@dataclass(frozen=True)
class Name:
    """A gold claimant split into head (who), role and relay parts, as normalised token sets."""

    raw: str
    head: tuple[str, ...]
    role: tuple[str, ...]
    relay: tuple[str, ...]
    proper: frozenset[str]  # tokens written with a capital in the gold name (names, not role words)

    @property
    def is_outlet(self) -> bool:
        return self.raw.strip().lower() in OUTLET_NAMES

    @property
    def is_descriptive(self) -> bool:
        return not self.is_outlet and not (set(self.head) & self.proper)


def parse_name(raw: str) -> Name:
    relay: list[str] = []
    role: list[str] = []
    main = raw
    for inner in re.findall(r"\(([^)]*)\)", raw):
        stripped = _RELAY.sub("", inner.strip())
        (relay if stripped != inner.strip() else role).extend(_tokens(stripped))
    main = re.sub(r"\([^)]*\)", " ", main)
    head_part, _, role_part = main.partition(",")
    role.extend(_tokens(role_part))
    proper = frozenset(t.lower() for t in _tokens(raw) if t[:1].isupper() and t.lower() not in _NAME_STOP)
    return Name(raw, tuple(_norm(_tokens(head_part))), tuple(_norm(role)), tuple(_norm(relay)), proper)


def _same_token(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) >= 5 and len(b) >= 5:
        from rapidfuzz import fuzz

        return fuzz.ratio(a, b) >= 85  # defence/defense, Kyiv/Kiev-like spellings
    return False


def _covered(tokens: Iterable[str], pool: Iterable[str]) -> bool:
    pool = list(pool)
    return all(any(_same_token(t, p) for p in pool) for t in tokens)


def is_outlet_name(claimant: str, outlet: str | None = None) -> bool:
    low = claimant.strip().lower()
    return low in OUTLET_NAMES or (bool(outlet) and low == (outlet or "").strip().lower())


def claimant_matches(predicted: str, gold: str, outlet: str | None = None) -> bool:
    """Would an analyst accept `predicted` as naming the gold claimant? (see the module doc)."""
    name = parse_name(gold)
    if is_outlet_name(predicted, outlet) or name.is_outlet:
        return is_outlet_name(predicted, outlet) and name.is_outlet
    pred_raw = _tokens(re.sub(r"\([^)]*\)", " ", predicted))
    gold_raw = _tokens(gold)
    pred = _expand(_norm(pred_raw), gold_raw)  # "WHO" -> world health organization
    if not pred:
        return False
    head, role = _expand(name.head, pred_raw), _expand(name.role, pred_raw)
    proper = set(name.proper) | (set(head) - set(name.head))
    if name.is_descriptive:
        words = set(pred)
        return bool(words & DESCRIPTIVE) or any(_same_token(t, h) for t in pred for h in head if len(h) > 3)

    def meets(pool: Iterable[str]) -> bool:
        return any(any(_same_token(t, p) for p in pool) for t in pred)

    if head and _covered(head, pred):
        return True  # the full name (maybe with a title or role) is there
    if _covered(pred, [*head, *role]) and meets(proper):
        return True  # a surname, a part of the body's name, or the organisation behind a spokesperson
    if _covered(pred, [*head, *role, *name.relay]) and meets(head):
        return True  # "the Journal's sources" for "The Wall Street Journal (citing sources)"
    return bool(head) and _covered(pred, head) and meets(head[-1:])  # "the government": "Nigerian government"


def _expand(tokens: Sequence[str], other_raw: Sequence[str]) -> list[str]:
    """Tokens with each acronym of a capitalised run of the other name's words replaced by those words."""
    caps = [t for t in other_raw if t.lower() not in _NAME_STOP]
    runs: dict[str, list[str]] = {}
    for i in range(len(caps)):
        for j in range(i + 2, len(caps) + 1):
            if all(c[:1].isupper() for c in caps[i:j]):
                runs.setdefault("".join(c[0] for c in caps[i:j]).lower(), [c.lower() for c in caps[i:j]])
    out: list[str] = []
    for t in tokens:
        out += runs.get(t, [t]) if len(t) >= 2 else [t]
    return out


def _article_vocabulary(text: str) -> set[str]:
    return {t.lower() for t in _tokens(text)}


def invented(claimant: str, vocabulary: set[str], outlet: str | None = None) -> bool:
    """A claimant with a name-like word found nowhere in the article (descriptive words excepted)."""
    if is_outlet_name(claimant, outlet):
        return False
    words = [t for t in _norm(_tokens(claimant)) if len(t) >= 3 and t not in DESCRIPTIVE and t not in ROLE_WORDS]
    for word in words:
        if word in vocabulary or any(v.startswith(word[:5]) for v in vocabulary if len(word) >= 5 and len(v) >= 5):
            continue
        if not any(_same_token(word, v) for v in vocabulary if abs(len(v) - len(word)) <= 2):
            return True
    return False


# --- spans and matching ------------------------------------------------------------------------------


def _spans(quote: str, text: str | None) -> list[tuple[int, int]]:
    """Every place a gold quote stands in the article (a repeated span may match any of them)."""
    if not text or not quote:
        return []
    found = [(m.start(), m.start() + len(quote)) for m in re.finditer(re.escape(quote), text)]
    if found:
        return found
    grounding = align(quote, text)
    return [(grounding.start, grounding.end)] if grounding.grounded else []


def _emitted_span(item: Mapping[str, Any], text: str | None) -> tuple[tuple[int, int] | None, bool]:
    """The emitted quote's span and whether it is exactly grounded (text[start:end] == quote)."""
    quote, start, end = item.get("quote") or "", item.get("start", -1), item.get("end", -1)
    if text is None:
        exact = item.get("alignment") in ("exact", "normalized", "fuzzy") and start >= 0
        return ((start, end) if exact else None), exact
    if 0 <= start <= end <= len(text) and text[start:end] == quote and quote:
        return (start, end), True
    at = text.find(quote) if quote else -1  # verbatim but with wrong offsets: it matches, ungrounded
    return ((at, at + len(quote)) if at >= 0 else None), False


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def max_matching(candidates: Mapping[int, Sequence[int]]) -> dict[int, int]:
    """Maximum one-to-one matching (Kuhn); each left item tries its candidates best first, and the
    left items go in the mapping's order (put the closest matches first: they keep their pick)."""
    owner: dict[int, int] = {}

    def augment(left: int, seen: set[int]) -> bool:
        for right in candidates.get(left, ()):
            if right in seen:
                continue
            seen.add(right)
            if right not in owner or augment(owner[right], seen):
                owner[right] = left
                return True
        return False

    for left in candidates:
        augment(left, set())
    return {left: right for right, left in owner.items()}


def match_claims(
    emitted: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]], text: str | None
) -> tuple[dict[int, int], list[bool]]:
    """Emitted index -> gold index, and whether each emitted quote is exactly grounded."""
    gold_spans = [_spans(g.get("quote", ""), text) for g in gold]
    candidates: dict[int, list[int]] = {}
    best_of: dict[int, float] = {}
    grounded = []
    for i, item in enumerate(emitted):
        span, exact = _emitted_span(item, text)
        grounded.append(exact)
        if span is None:
            continue
        scored = []
        for j, spans in enumerate(gold_spans):
            best = 0.0
            for gs in spans:
                inter = _overlap(span, gs)
                if inter >= MATCH_COVER * (gs[1] - gs[0]) and inter > 0:
                    union = max(span[1], gs[1]) - min(span[0], gs[0])
                    best = max(best, inter / union)
            if best > 0:
                scored.append((best, j))
        if scored:
            candidates[i] = [j for _, j in sorted(scored, key=lambda s: (-s[0], s[1]))]
            best_of[i] = max(score for score, _ in scored)
    # the closest quotes choose first: a claim quoting exactly the gold span keeps it from a longer
    # claim that merely contains it (a denial that repeats the report it denies)
    ordered = {i: candidates[i] for i in sorted(candidates, key=lambda i: (-best_of[i], i))}
    return max_matching(ordered), grounded


def _restates(quote: str, gold: Sequence[Mapping[str, Any]]) -> bool:
    from rapidfuzz import fuzz

    return any(fuzz.token_set_ratio(quote, g.get("quote", "")) >= RESTATEMENT_SCORE for g in gold)


# --- the evaluator -----------------------------------------------------------------------------------


def _dump(value: Any) -> dict[str, Any]:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else dict(value)


def _main_claimants(gold_claims: Sequence[Mapping[str, Any]], top: int = 3) -> list[str]:
    """The article's main named voices by gold claim count (the outlet and descriptive ones aside)."""
    counts = Counter(c["claimant"] for c in gold_claims)
    named = {n for n in counts if not (parse_name(n).is_outlet or parse_name(n).is_descriptive)}
    counts = Counter({n: k for n, k in counts.items() if n in named})
    ranked = [name for name, n in counts.most_common() if n >= 2][:top]
    return ranked or [name for name, _ in counts.most_common(2)]


class ClaimsEvaluator(Evaluator):
    name = "claims"
    metrics = (
        MetricSpec("claim_recall", "claim recall (gold claims matched one to one)", "C-R"),
        MetricSpec("claim_precision", "claim precision (emitted claims that match, restatements aside)", "C-P"),
        MetricSpec("claim_f1", "claim F1", "C-F1", derive=f1("claim_precision", "claim_recall")),
        MetricSpec("claimant_accuracy", "claimant right on matched claims", "who"),
        MetricSpec("type_accuracy", "type right on matched claims", "type"),
        MetricSpec("quotes_grounded", "emitted quotes exactly grounded (text[start:end] == quote)", "grnd"),
        MetricSpec(
            "invented_claimants",
            "claims whose claimant is named nowhere in the article",
            "inv",
            kind="count",
            higher_is_better=False,
        ),
        MetricSpec(
            "pairs_reachable",
            "gold pairs whose two claims were both found: the most pair recall can be, given the claims",
            "P-reach",
        ),
        MetricSpec("pair_recall", "counter-pair recall", "P-R"),
        MetricSpec("pair_precision", "counter-pair precision", "P-P"),
        MetricSpec("relation_accuracy", "relation right on matched pairs", "rel"),
        MetricSpec("uncontested_accuracy", "contested/uncontested right on matched claims", "unc"),
        MetricSpec("keypoints_grounded", "summary key points grounded in the article", "KP-g"),
        MetricSpec("main_claimants_named", "main claimants (by gold claim count) the summary names", "voices"),
    )

    def evaluate(self, result: RunResult, gold: Mapping[str, Any], article_text: str | None) -> ArticleEval:
        out = ArticleEval()
        gold_claims = list(gold.get("claims") or [])
        outlet = result.article.outlet
        mapping: dict[int, int] = {}
        emitted: list[dict[str, Any]] = []
        if "claims" in result.outputs:
            emitted = [_dump(c) for c in _dump(result.outputs["claims"]).get("claims", [])]
            mapping, grounded = match_claims(emitted, gold_claims, article_text)
            self._claims(out, emitted, gold_claims, mapping, grounded, article_text, outlet)
        if "counterclaims" in result.outputs and "claims" in result.outputs:
            self._pairs(out, _dump(result.outputs["counterclaims"]), emitted, gold, mapping)
        if "summary" in result.outputs:
            self._summary(out, _dump(result.outputs["summary"]), gold_claims, article_text, outlet)
        return out

    def _claims(
        self,
        out: ArticleEval,
        emitted: list[dict[str, Any]],
        gold_claims: list[dict[str, Any]],
        mapping: dict[int, int],
        grounded: list[bool],
        text: str | None,
        outlet: str | None,
    ) -> None:
        restated = [i for i, e in enumerate(emitted) if i not in mapping and _restates(e.get("quote", ""), gold_claims)]
        recall = Tally(len(mapping), len(gold_claims))
        precision = Tally(len(mapping), len(emitted) - len(restated))
        claimant_ok = {
            i: claimant_matches(emitted[i]["claimant"], gold_claims[j]["claimant"], outlet) for i, j in mapping.items()
        }
        type_ok = {i: emitted[i].get("type") == gold_claims[j].get("type") for i, j in mapping.items()}
        vocabulary = _article_vocabulary(text) if text else None
        made_up = [
            i for i, e in enumerate(emitted) if vocabulary is not None and invented(e["claimant"], vocabulary, outlet)
        ]
        out.tallies.update(
            claim_recall=recall,
            claim_precision=precision,
            claimant_accuracy=Tally(sum(claimant_ok.values()), len(mapping)),
            type_accuracy=Tally(sum(type_ok.values()), len(mapping)),
            quotes_grounded=Tally(sum(grounded), len(emitted)),
        )
        if vocabulary is not None:
            out.tallies["invented_claimants"] = Tally(len(made_up), len(emitted))
        by_gold = {j: i for i, j in mapping.items()}
        for j, g in enumerate(gold_claims):
            i = by_gold.get(j)
            e = emitted[i] if i is not None else None
            out.details.append(
                {
                    "table": "gold claims",
                    "gold": g.get("id"),
                    "gold claimant": g.get("claimant"),
                    "gold type": g.get("type"),
                    "gold quote": g.get("quote"),
                    "matched": e["id"] if e else "",
                    "claimant": e["claimant"] if e else "",
                    "claimant ok": claimant_ok[i] if e else None,
                    "type": e.get("type") if e else "",
                    "type ok": type_ok[i] if e else None,
                }
            )
        for i, e in enumerate(emitted):
            if i in mapping:
                continue
            out.details.append(
                {
                    "table": "emitted claims without a gold match",
                    "id": e.get("id"),
                    "claimant": e.get("claimant"),
                    "type": e.get("type"),
                    "quote": e.get("quote"),
                    "verdict": "restatement" if i in restated else "extra",
                    "invented claimant": i in made_up,
                }
            )

    def _pairs(
        self,
        out: ArticleEval,
        counter: Mapping[str, Any],
        emitted: list[dict[str, Any]],
        gold: Mapping[str, Any],
        mapping: dict[int, int],
    ) -> None:
        gold_claims = list(gold.get("claims") or [])
        to_gold = {emitted[i]["id"]: gold_claims[j]["id"] for i, j in mapping.items()}
        gold_pairs = list(gold.get("counter_pairs") or [])
        by_key = {frozenset((p["a"], p["b"])): n for n, p in enumerate(gold_pairs)}
        pairs = list(counter.get("pairs") or [])
        matched: dict[int, int] = {}  # emitted pair index -> gold pair index
        for n, p in enumerate(pairs):
            a, b = to_gold.get(p.get("claim_a")), to_gold.get(p.get("claim_b"))
            key = frozenset((a, b)) if a and b and a != b else None
            g = by_key.get(key) if key else None
            if g is not None and g not in matched.values():
                matched[n] = g
        relation_ok = sum(pairs[n].get("relation") == gold_pairs[g].get("relation") for n, g in matched.items())
        contested_gold = {x for p in gold_pairs for x in (p["a"], p["b"])}
        contested_emitted = {x for p in pairs for x in (p.get("claim_a"), p.get("claim_b"))}
        agree = 0
        for i, j in mapping.items():
            cid = emitted[i]["id"]
            agree += (cid in contested_emitted) == (gold_claims[j]["id"] in contested_gold)
        found_claims = set(to_gold.values())
        reachable = [p["a"] in found_claims and p["b"] in found_claims for p in gold_pairs]
        out.tallies.update(
            pairs_reachable=Tally(sum(reachable), len(gold_pairs)),
            pair_recall=Tally(len(matched), len(gold_pairs)),
            pair_precision=Tally(len(matched), len(pairs)),
            relation_accuracy=Tally(relation_ok, len(matched)),
            uncontested_accuracy=Tally(agree, len(mapping)),
        )
        found = {g: n for n, g in matched.items()}
        for g, p in enumerate(gold_pairs):
            n = found.get(g)
            out.details.append(
                {
                    "table": "gold pairs",
                    "a": p["a"],
                    "b": p["b"],
                    "gold relation": p.get("relation"),
                    "found as": f"{pairs[n]['claim_a']}–{pairs[n]['claim_b']} {pairs[n].get('relation')}"
                    if n is not None
                    else (
                        ""
                        if reachable[g]
                        else "claim not found: " + ", ".join(x for x in (p["a"], p["b"]) if x not in found_claims)
                    ),
                    "why": p.get("why", ""),
                }
            )
        for n, p in enumerate(pairs):
            if n in matched:
                continue
            out.details.append(
                {
                    "table": "emitted pairs without a gold match",
                    "pair": f"{p.get('claim_a')}–{p.get('claim_b')}",
                    "relation": p.get("relation"),
                    "as gold claims": f"{to_gold.get(p.get('claim_a'), '?')}–{to_gold.get(p.get('claim_b'), '?')}",
                    "rationale": p.get("rationale", ""),
                }
            )

    def _summary(
        self,
        out: ArticleEval,
        summary: Mapping[str, Any],
        gold_claims: list[dict[str, Any]],
        text: str | None,
        outlet: str | None,
    ) -> None:
        points = list(summary.get("key_points") or [])
        grounded = sum(_emitted_span(p, text)[0] is not None for p in points)
        names = [*summary.get("who", []), *(a.get("name", "") for a in summary.get("main_actors", []))]
        names += [p.get("claimant") or "" for p in points]
        prose = " ".join([summary.get("headline", ""), summary.get("what", ""), *(p.get("text", "") for p in points)])
        prose_words = {t.lower() for t in _tokens(prose)}
        main = _main_claimants(gold_claims)
        named = []
        for voice in main:
            head = parse_name(voice)
            in_names = any(n and claimant_matches(n, voice, outlet) for n in names)
            in_prose = bool(head.head) and head.head[-1] in prose_words
            named.append(in_names or in_prose)
        out.tallies.update(
            keypoints_grounded=Tally(grounded, len(points)),
            main_claimants_named=Tally(sum(named), len(main)),
        )
        for voice, ok in zip(main, named, strict=True):
            out.details.append({"table": "main claimants", "claimant": voice, "named in the summary": ok})

    def gold_from_result(self, result: RunResult, article_text: str) -> dict[str, Any]:
        """Claims (renumbered c1.. in text order), counter pairs and uncontested ids, gold-style."""
        if "claims" not in result.outputs:
            return {}
        claims = sorted(
            (_dump(c) for c in _dump(result.outputs["claims"]).get("claims", [])),
            key=lambda c: (c.get("start", 0), c.get("end", 0)),
        )
        new_id = {c["id"]: f"c{n}" for n, c in enumerate(claims, 1)}
        gold_claims = [
            {"id": new_id[c["id"]], "claimant": c["claimant"], "type": c["type"], "quote": c["quote"]} for c in claims
        ]
        pairs: list[dict[str, Any]] = []
        if "counterclaims" in result.outputs:
            for p in _dump(result.outputs["counterclaims"]).get("pairs", []):
                a, b = new_id.get(p.get("claim_a")), new_id.get(p.get("claim_b"))
                if a and b and a != b:
                    pairs.append({"a": a, "b": b, "relation": p["relation"], "why": p.get("rationale", "")})
        paired = {x for p in pairs for x in (p["a"], p["b"])}
        return {
            "claims": gold_claims,
            "counter_pairs": pairs,
            "uncontested": [c["id"] for c in gold_claims if c["id"] not in paired],
        }


@hookimpl
def register_evaluators(register: Any) -> None:
    register(ClaimsEvaluator())
