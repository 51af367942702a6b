"""Stories across outlets (toolkit.story + toolkit_plugins.stories): grouping, alignment, cross-outlet
pairs, the matrix, the CLI, the evaluation. The articles here are written for these tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.hashing import sha256_text
from toolkit.story import build, html_report, is_cross_result, iter_results, load_cross_result
from toolkit.testing.fakes import ScriptedModel
from toolkit_plugins.stories import Stories
from toolkit_plugins.stories.align import align, claimant_names, is_generic, story_claims
from toolkit_plugins.stories.grouping import digest
from toolkit_plugins.stories.similarity import THRESHOLDS, vectoriser


def aligned_claims(items: list[Any]) -> list[Any]:
    claims, _centroids = align(items, vectoriser(story_claims(items), "embeddings"), THRESHOLDS["embeddings"])
    return claims


pytest.importorskip("numpy")


def result(
    key: str, text: str, claims: list[tuple[str, str, str]], headline: str, pairs: Any = (), where: Any = ()
) -> dict[str, Any]:
    """A run result as a batch writes it: claims (claimant, quote, type) grounded in `text`."""
    items = []
    for n, (claimant, quote, kind) in enumerate(claims, 1):
        start = text.index(quote)
        items.append(
            {
                "id": f"c{n}",
                "text": f"{claimant}: {quote}",
                "claimant": claimant,
                "verb": "said",
                "type": kind,
                "quote": quote,
                "start": start,
                "end": start + len(quote),
                "alignment": "exact",
                "context": quote,
            }
        )
    return {
        "article": {"id": key, "sha256": sha256_text(text), "chars": len(text)},
        "outputs": {
            "claims": {"claims": items},
            "summary": {"headline": headline, "key_points": [], "who": [], "where": list(where)},
            "counterclaims": {
                "pairs": [{"claim_a": a, "claim_b": b, "relation": r, "rationale": ""} for a, b, r in pairs],
                "uncontested": [],
            },
        },
        "chains": {},
        "calls": [],
    }


STRIKE_A = (
    "Dock workers in Portmere walked out on Monday. The dockers' union said 85 percent of its members joined "
    "the strike. The port authority said cargo handling continued as on a normal working day."
)
STRIKE_B = (
    "A strike closed most berths at Portmere harbour. The dockers' union said 85 percent of its members "
    "joined the strike, a figure the union repeated at a rally."
)
STRIKE_C = (
    "Portmere harbour strike: the port authority denied that 85 percent of the union's members joined the "
    "strike, and said the union's turnout figure was false. Union leader Maria Okafor said the walkout would "
    "continue."
)
BAKERY = (
    "A bakery in Lindholm won a national bread prize. The jury said the rye loaf was the best it had tasted "
    "in a decade. The baker said she would open a second shop next spring."
)


@pytest.fixture
def strike() -> list[dict[str, Any]]:
    return [
        result(
            "outlet-a",
            STRIKE_A,
            [
                ("the dockers' union", "85 percent of its members joined the strike", "fact"),
                ("the port authority", "cargo handling continued as on a normal working day", "fact"),
            ],
            "Portmere dock workers strike; union claims 85 percent turnout",
            pairs=[("c1", "c2", "contradicts")],
        ),
        result(
            "outlet-b",
            STRIKE_B,
            [("the dockers' union", "85 percent of its members joined the strike, a figure", "fact")],
            "Portmere harbour strike closes berths, union says 85 percent turnout",
        ),
        result(
            "outlet-c",
            STRIKE_C,
            [
                ("the port authority", "denied that 85 percent of the union's members joined the strike", "fact"),
                ("the port authority", "the union's turnout figure was false", "allegation"),
                ("Maria Okafor", "the walkout would continue", "prediction"),
            ],
            "Port authority denies Portmere strike stopped the harbour",
        ),
        result(
            "bakery",
            BAKERY,
            [("the jury", "the rye loaf was the best it had tasted in a decade", "opinion")],
            "Lindholm bakery wins national bread prize",
        ),
    ]


def test_articles_group_into_one_story_and_the_unrelated_one_stays_out(strike: list[dict[str, Any]]) -> None:
    out = build(strike, label=False)
    stories = Stories.model_validate(out.output)
    assert len(stories.stories) == 1
    assert {a.key for a in stories.stories[0].articles} == {"outlet-a", "outlet-b", "outlet-c"}
    assert stories.single_articles == 1
    assert out.results_read == 4 and out.results_used == 4 and out.calls == []
    assert out.model == "none (rules only)"


def test_story_id_is_stable_whatever_the_input_order(strike: list[dict[str, Any]]) -> None:
    first = Stories.model_validate(build(strike, label=False).output).stories[0]
    again = Stories.model_validate(build(list(reversed(strike)), label=False).output).stories[0]
    assert first.id == again.id and first.id.startswith("story-")
    assert first == again  # claims, alignment and pairs too: a batch finishes in any order
    assert build(strike, label=False).articles_sha256 == build(list(reversed(strike)), label=False).articles_sha256


def test_one_claimant_saying_the_same_in_two_outlets_is_one_claim_with_both_quotes(
    strike: list[dict[str, Any]],
) -> None:
    items = [d for d in (digest(r) for r in strike[:3]) if d]
    aligned = aligned_claims(items)
    union = [c for c in aligned if c.claimant == "the dockers' union"]
    assert len(union) == 1
    assert union[0].articles == ["outlet-a", "outlet-b"]
    assert {o.quote for o in union[0].occurrences} == {
        "85 percent of its members joined the strike",
        "85 percent of its members joined the strike, a figure",
    }


def test_different_figures_from_one_claimant_stay_two_claims() -> None:
    text_a = "Analyst Dana Reyes said the phone will cost $500 at launch."
    text_b = "Analyst Dana Reyes said the phone will cost $999 at launch."
    rows = [
        result("x", text_a, [("Dana Reyes", "the phone will cost $500 at launch", "prediction")], "Phone price"),
        result("y", text_b, [("Dana Reyes", "the phone will cost $999 at launch", "prediction")], "Phone price"),
    ]
    aligned = aligned_claims([d for d in (digest(r) for r in rows) if d])
    assert len(aligned) == 2


def test_a_short_form_takes_the_full_name_of_the_story() -> None:
    text_a = "Union leader Maria Okafor said the walkout would continue."
    text_b = "Okafor said the walkout would continue for a week."
    rows = [
        result("x", text_a, [("Maria Okafor", "the walkout would continue", "prediction")], "Strike"),
        result("y", text_b, [("Okafor", "the walkout would continue for a week", "prediction")], "Strike"),
    ]
    items = [d for d in (digest(r) for r in rows) if d]
    assert claimant_names(items)["Okafor"] == "Maria Okafor"
    aligned = aligned_claims(items)
    assert len(aligned) == 1 and aligned[0].articles == ["x", "y"]


def test_a_denial_in_one_outlet_contests_an_assertion_in_another(strike: list[dict[str, Any]]) -> None:
    story = Stories.model_validate(build(strike, label=False).output).stories[0]
    by_id = {c.id: c for c in story.claims}
    cross = [p for p in story.pairs if p.cross_outlet and p.signal == "challenge"]
    assert cross, story.pairs
    pair = cross[0]
    assert {by_id[pair.a].claimant, by_id[pair.b].claimant} == {"the dockers' union", "the port authority"}
    assert pair.evidence_a.article != pair.evidence_b.article
    assert pair.decided_by == "rules" and pair.relation == "contests"
    # the article's own pairing (outlet-a: union vs port authority) is a story pair too
    assert any(p.signal == "in-article" and p.relation == "contradicts" for p in story.pairs)
    union = next(c for c in story.claims if c.claimant == "the dockers' union")
    row = story.stances()[union.id]
    assert row["outlet-a"] == "asserts" and row["outlet-b"] == "asserts" and row["outlet-c"] == "contests"
    assert union.id not in story.uncontested


def test_the_model_labels_candidates_and_the_checks_keep_what_a_signal_supports(
    strike: list[dict[str, Any]],
) -> None:
    model = ScriptedModel(lambda r: '{"relation": "unrelated"}')
    assert build(strike, model=model).calls == []  # auto: a small model does not label
    out = build(strike, model=model, label=True)
    story = Stories.model_validate(out.output).stories[0]
    assert len(out.calls) == len(model.requests) > 0
    assert out.prompts and out.prompts[0]["name"] == "relate_accounts"
    # the model called everything unrelated: only the article's own pairing (and sure challenges) stand
    assert story.pairs and all("model_unrelated_overridden_by_signal" in p.checks for p in story.pairs)
    model = ScriptedModel(lambda r: '{"relation": "contradicts"}', tier="capable")  # auto: a capable one does
    assert build(strike, model=model).calls
    story = Stories.model_validate(build(strike, model=model, label=True).output).stories[0]
    assert all(p.decided_by == "model" and p.relation == "contradicts" for p in story.pairs)


def test_cli_writes_the_story_and_its_html_and_eval_scores_it(strike: list[dict[str, Any]], tmp_path: Path) -> None:
    feed = tmp_path / "batch.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in strike), "utf-8")
    out, page = tmp_path / "story.json", tmp_path / "story.html"
    runner = CliRunner()
    done = runner.invoke(app, ["story", str(feed), "--out", str(out), "--html", str(page), "--no-label"])
    assert done.exit_code == 0, done.output
    assert is_cross_result(out) and not is_cross_result(feed)
    assert load_cross_result(out).analysis == "stories"
    assert "Claim by outlet" in page.read_text() and "<script" not in page.read_text()
    gold = {
        "story": "portmere-strike",
        "title": "Portmere strike",
        "articles": ["outlet-a", "outlet-b", "outlet-c"],
        "claims": [
            {
                "id": "k1",
                "claimant": "dockers' union",
                "statement": "85 percent joined",
                "occurrences": [
                    {"article": "outlet-a", "quote": "85 percent of its members joined the strike"},
                    {"article": "outlet-b", "quote": "85 percent of its members joined the strike"},
                ],
            },
            {
                "id": "k2",
                "claimant": "port authority",
                "statement": "denies the turnout",
                "occurrences": [
                    {"article": "outlet-c", "quote": "denied that 85 percent of the union's members joined the strike"}
                ],
            },
        ],
        "counter_pairs": [{"a": "k1", "b": "k2", "relation": "contests", "why": "denial"}],
        "uncontested": [],
    }
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "portmere-strike.json").write_text(json.dumps(gold), "utf-8")
    scored = runner.invoke(app, ["eval", str(out), str(tmp_path / "gold"), "--json"])
    assert scored.exit_code == 0, scored.output
    total = json.loads(scored.output)["total"]
    assert total["story_group_r"]["value"] == 1.0  # the three outlets in one story
    assert total["story_claim_r"]["value"] == 1.0  # every gold occurrence covered
    assert total["story_align_r"]["value"] == 1.0  # the union's claim aligned across outlet-a and -b
    assert total["story_pair_r"]["value"] == 1.0  # the authority's denial against the union's figure
    assert total["story_xpair_r"]["value"] == 1.0
    assert 0 < total["story_pair_p"]["value"] <= 1.0


def test_results_stream_from_a_folder_and_bad_lines_say_where(strike: list[dict[str, Any]], tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(strike[0]), "utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps(strike[1]) + "\n", "utf-8")
    (tmp_path / "a.review.json").write_text("{}", "utf-8")
    assert [r["article"]["id"] for r in iter_results(tmp_path)] == ["outlet-a", "outlet-b"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(strike[0]) + "\n{oops\n", "utf-8")
    done = CliRunner().invoke(app, ["story", str(bad), "--out", str(tmp_path / "s.json"), "--no-label"])
    assert done.exit_code == 1 and "bad.jsonl:2: not a JSON line" in done.output


def test_the_html_escapes_what_articles_say(tmp_path: Path) -> None:
    text_a = 'The mayor said "<script>alert(1)</script> the bridge opens in May" on Monday.'
    text_b = "Residents denied that the bridge opens in May <img src=x onerror=alert(2)>."
    rows = [
        result(
            "a",
            text_a,
            [("the mayor", "<script>alert(1)</script> the bridge opens in May", "prediction")],
            "Kessel bridge opens in May",
            where=["Kessel"],
        ),
        result(
            "b",
            text_b,
            [("residents", "denied that the bridge opens in May <img src=x onerror=alert(2)>", "fact")],
            "Kessel bridge opens in May, residents deny",
            where=["Kessel"],
        ),
    ]
    out = build(rows, label=False)
    assert Stories.model_validate(out.output).stories, "the two articles should make one story"
    page = html_report(out)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_a_publications_unnamed_sources_are_a_generic_voice_but_a_person_is_not() -> None:
    assert is_generic("Daily Ledger's sources") and is_generic("the Post’s sources") and is_generic("sources")
    assert not is_generic("Rosa Kemp") and not is_generic("Daily Ledger")
