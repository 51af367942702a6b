"""Scoring the stories analysis against the story gold (`toolkit eval story.json gold/stories`).

Per gold story: grouping (pairs of its articles put in one story: recall; pairs put together
that the gold keeps apart: precision), claims (gold occurrences some aligned claim covers),
alignment (pairs of one gold claim's occurrences in different articles that one aligned claim
holds together: recall; pairs one aligned claim holds that belong to different gold claims:
precision), and counter pairs (gold pairs some predicted pair covers, side for side: recall;
predicted pairs in the story that cover a gold pair: precision; the relation; and cross-outlet
recall, where the predicted pair's two quotes come from two different articles).
An occurrence covers another when it is in the same article and they share at least half the
content words of the shorter quote; an aligned claim stands for the gold claim most of its
occurrences cover (so an over-merged claim is not credited with every gold pair it touches).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

from toolkit.eval import ArticleEval, Evaluator, MetricSpec, Tally, f1
from toolkit.text import content_words
from toolkit_plugins.stories.schema import Stories, Story

#: share of the shorter quote's content words two quotes of one article must share to match
QUOTE_MATCH = 0.5


def _covers(article: str, quote: str, other_article: str, other_quote: str) -> bool:
    if article != other_article:
        return False
    a, b = content_words(quote), content_words(other_quote)
    return bool(a and b) and len(a & b) >= QUOTE_MATCH * min(len(a), len(b))


class StoryEvaluator(Evaluator):
    name = "stories"
    scope = "stories"
    metrics = (
        MetricSpec("story_group_r", "article pairs grouped together (recall)", "Grp-R"),
        MetricSpec("story_group_p", "article pairs grouped together rightly (precision)", "Grp-P"),
        MetricSpec("story_claim_r", "gold claim occurrences covered", "Clm-R"),
        MetricSpec("story_align_r", "cross-article occurrences of one claim aligned (recall)", "Aln-R"),
        MetricSpec("story_align_p", "aligned occurrences that are one gold claim (precision)", "Aln-P"),
        MetricSpec("story_pair_r", "gold counter pairs found (recall)", "SP-R"),
        MetricSpec("story_pair_p", "predicted counter pairs that are gold (precision)", "SP-P"),
        MetricSpec("story_pair_f1", "counter pairs F1", "SP-F1", derive=f1("story_pair_p", "story_pair_r")),
        MetricSpec("story_xpair_r", "gold pairs found with evidence from two articles", "XP-R"),
        MetricSpec("story_rel", "relation right, of pairs found", "Rel"),
    )

    def evaluate(self, result: Any, gold: Mapping[str, Any], article_text: str | None) -> ArticleEval:
        return ArticleEval()  # per-article outputs carry no stories

    def evaluate_cross(self, output: Mapping[str, Any], golds: Sequence[Mapping[str, Any]]) -> dict[str, ArticleEval]:
        stories = Stories.model_validate(output).stories
        gold_story_of = {a: g["story"] for g in golds for a in g["articles"]}
        predicted_story_of = {a.key: s.id for s in stories for a in s.articles}
        return {g["story"]: self._story(g, stories, gold_story_of, predicted_story_of) for g in golds}

    def _story(
        self,
        gold: Mapping[str, Any],
        stories: list[Story],
        gold_story_of: dict[str, str],
        predicted_story_of: dict[str, str],
    ) -> ArticleEval:
        arts = list(gold["articles"])
        tallies: dict[str, Tally] = {}
        together = [
            predicted_story_of.get(a) is not None and predicted_story_of.get(a) == predicted_story_of.get(b)
            for a, b in combinations(arts, 2)
        ]
        tallies["story_group_r"] = Tally(sum(together), len(together))
        grouped = [
            (a, b)
            for a in arts
            for b, sid in predicted_story_of.items()
            if b != a and b in gold_story_of and sid == predicted_story_of.get(a)
        ]
        tallies["story_group_p"] = Tally(sum(gold_story_of[b] == gold["story"] for _, b in grouped), len(grouped))
        mine = [s for s in stories if any(a.key in arts for a in s.articles)]
        claims = [(s, c) for s in mine for c in s.claims]
        gold_claims = {k["id"]: k for k in gold["claims"]}

        # each aligned claim stands for the gold claim(s) most of its occurrences cover, so one
        # over-merged claim cannot match every gold pair its stray occurrences touch
        stands_for: dict[tuple[str, str], set[str]] = {}
        for s, c in claims:
            votes = {
                k["id"]: sum(
                    any(_covers(o.article, o.quote, occ["article"], occ["quote"]) for occ in k["occurrences"])
                    for o in c.occurrences
                )
                for k in gold["claims"]
            }
            top = max(votes.values(), default=0)
            stands_for[(s.id, c.id)] = {k for k, v in votes.items() if v == top and top > 0}

        def holders(gold_id: str) -> set[tuple[str, str]]:
            """(story id, claim id) of the aligned claims that stand for this gold claim."""
            return {key for key, golds in stands_for.items() if gold_id in golds}

        covered = 0
        occurrences = 0
        align_num = align_den = 0
        for k in gold["claims"]:
            per_occ = []
            for occ in k["occurrences"]:
                occurrences += 1
                hits = {
                    (s.id, c.id)
                    for s, c in claims
                    for o in c.occurrences
                    if _covers(o.article, o.quote, occ["article"], occ["quote"])
                }
                covered += bool(hits)
                per_occ.append((occ["article"], hits))
            for (art_a, hits_a), (art_b, hits_b) in combinations(per_occ, 2):
                if art_a != art_b:
                    align_den += 1
                    align_num += bool(hits_a & hits_b)
        tallies["story_claim_r"] = Tally(covered, occurrences)
        tallies["story_align_r"] = Tally(align_num, align_den)

        def gold_of(article: str, quote: str) -> set[str]:
            return {
                k["id"]
                for k in gold["claims"]
                for occ in k["occurrences"]
                if _covers(article, quote, occ["article"], occ["quote"])
            }

        p_num = p_den = 0
        for _s, c in claims:
            for oa, ob in combinations(c.occurrences, 2):
                ga, gb = gold_of(oa.article, oa.quote), gold_of(ob.article, ob.quote)
                if oa.article != ob.article and ga and gb:
                    p_den += 1
                    p_num += bool(ga & gb)
        tallies["story_align_p"] = Tally(p_num, p_den)

        held = {k: holders(k) for k in gold_claims}
        predicted = [(s, p) for s in mine for p in s.pairs]
        found = cross = rel_ok = 0
        matched_predicted: set[tuple[str, str, str]] = set()
        details = []
        for g in gold["counter_pairs"]:
            hit = None
            for s, p in predicted:
                a, b = (s.id, p.a), (s.id, p.b)
                if (a in held[g["a"]] and b in held[g["b"]]) or (a in held[g["b"]] and b in held[g["a"]]):
                    hit = (s, p)
                    break
            if hit is not None:
                found += 1
                cross += hit[1].cross_outlet
                rel_ok += hit[1].relation == g["relation"]
                matched_predicted.add((hit[0].id, hit[1].a, hit[1].b))
            details.append(
                {
                    "table": "story pairs",
                    "story": gold["story"],
                    "gold": f"{g['a']}~{g['b']}",
                    "relation": g["relation"],
                    "found": f"{hit[1].a}~{hit[1].b} {hit[1].relation}" if hit else "",
                }
            )
        right = sum(
            any(
                ((s.id, p.a) in held[g["a"]] and (s.id, p.b) in held[g["b"]])
                or ((s.id, p.a) in held[g["b"]] and (s.id, p.b) in held[g["a"]])
                for g in gold["counter_pairs"]
            )
            for s, p in predicted
        )
        tallies["story_pair_r"] = Tally(found, len(gold["counter_pairs"]))
        tallies["story_pair_p"] = Tally(right, len(predicted))
        tallies["story_xpair_r"] = Tally(cross, len(gold["counter_pairs"]))
        if found:
            tallies["story_rel"] = Tally(rel_ok, found)
        return ArticleEval(tallies=tallies, details=details)
