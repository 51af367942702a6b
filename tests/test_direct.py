"""The direct strategy's mechanics: strategy choice, and the checks after the model.

Model answers here are hand-written fixtures (ScriptedModel), chosen to hit each check: a quote
that is not in the article, a claimant the article never names, a self-pair, one claimant
contesting itself, a key point resting on an ungrounded claim. What a real model does on real
articles is replayed from recordings in test_direct_replay.py.
"""

from __future__ import annotations

import json

import pytest

from toolkit.chain import resolve_strategy
from toolkit.errors import ConfigError
from toolkit.models import ModelRequest
from toolkit.runner import run
from toolkit.testing.fakes import ScriptedModel

ARTICLE = (
    "Police said the fire started in the kitchen of the restaurant. "
    "The owner, Mark Stone, denied that, saying the wiring was faulty. "
    "Fire chief Jane Doe told reporters the building will be demolished next month. "
    "The street was closed on Monday."
)

CLAIMS = {
    "claims": [
        {
            "quote": "the fire started in the kitchen of the restaurant",
            "claimant": "Police",
            "verb": "said",
            "type": "fact",
            "claim": "Police said the fire started in the restaurant's kitchen.",
        },
        {  # spacing and quote marks differ from the article: aligned, flagged as normalized
            "quote": "the  wiring was  faulty",
            "claimant": "Mark Stone",
            "verb": "saying",
            "type": "fact",
            "claim": "Mark Stone said the wiring was faulty.",
        },
        {  # a claimant the article never names
            "quote": "The street was closed on Monday",
            "claimant": "City Hall spokesman Bob Grey",
            "verb": "said",
            "type": "fact",
            "claim": "The street was closed on Monday.",
        },
        {  # not in the article at all
            "quote": "the restaurant had failed two inspections",
            "claimant": "Police",
            "verb": "said",
            "type": "allegation",
            "claim": "Police said the restaurant had failed two inspections.",
        },
        {  # the same span again
            "quote": "the fire started in the kitchen of the restaurant",
            "claimant": "Police",
            "verb": "said",
            "type": "fact",
            "claim": "Police said the fire began in the kitchen.",
        },
    ]
}


def _answers(pairs: dict, brief: dict):
    def answer(request: ModelRequest) -> str:
        if request.schema_name == "ExtractedClaims":
            return json.dumps(CLAIMS)
        if request.schema_name == "ProposedPairs":
            return json.dumps(pairs)
        if request.schema_name == "Brief":
            return json.dumps(brief)
        raise AssertionError(f"unexpected call {request.schema_name}")

    return answer


def _run(pairs: dict | None = None, brief: dict | None = None, **kwargs):
    model = ScriptedModel(
        _answers(pairs or {"pairs": []}, brief or {"headline": "Fire", "key_points": []}),
        model_id="fake:capable",
        tier="capable",
    )
    return run(ARTICLE, model=model, **kwargs), model


def test_auto_follows_what_the_model_declares() -> None:
    small, capable = ScriptedModel([]), ScriptedModel([], tier="capable")
    assert resolve_strategy("auto", small) == "guided"
    assert resolve_strategy(None, capable) == "direct"
    capable.context_window = 2048  # no room for a chunk, the example and the answer
    assert resolve_strategy("auto", capable) == "guided"
    assert resolve_strategy("direct", small) == "direct"  # an explicit choice is kept
    with pytest.raises(ConfigError, match="unknown strategy 'fast'"):
        resolve_strategy("fast", small)


def test_direct_claims_are_aligned_checked_and_completed_by_the_rules() -> None:
    result, model = _run()
    assert result.strategy == "direct"
    assert {run.strategy for run in result.chains.values()} == {"direct"}
    assert [p["name"] for p in result.chains["claims"].prompts] == ["extract_claims"]
    claims = result.output("claims").claims
    by_quote = {c.quote: c for c in claims}
    for c in claims:
        if c.alignment != "ungrounded":
            assert ARTICLE[c.start : c.end] == c.quote
    assert by_quote["the wiring was faulty"].alignment == "normalized"
    assert "quote_normalized" in by_quote["the wiring was faulty"].checks
    invented = by_quote["The street was closed on Monday"]
    assert invented.claimant == "the outlet" and "claimant_not_in_article" in invented.checks
    ungrounded = [c for c in claims if c.alignment == "ungrounded"]
    assert [c.quote for c in ungrounded] == ["the restaurant had failed two inspections"]
    assert result.output("claims").merged_duplicates == 1
    # Jane Doe's statement was missed by the model: the rules add it, typed without a call
    net = [c for c in claims if "added_by_rules" in c.checks]
    assert [c.claimant for c in net] == ["Jane Doe"] and net[0].type == "prediction"
    assert len(model.requests) == 3  # one call per chain for a short article


def test_drop_ungrounded_applies_to_the_models_quotes() -> None:
    result, _ = _run(drop_ungrounded=True)
    claims = result.output("claims")
    assert claims.dropped_ungrounded == 1
    assert all(c.alignment != "ungrounded" for c in claims.claims)


def test_direct_pairs_are_checked() -> None:
    probe, _ = _run()
    ids = {c.claimant: c.id for c in probe.output("claims").claims if c.alignment != "ungrounded"}
    police, stone, doe = ids["Police"], ids["Mark Stone"], ids["Jane Doe"]
    pairs = {
        "pairs": [
            {
                "a": stone,
                "b": police,
                "relation": "contradicts",
                "rationale": "Mark Stone blames the wiring, police the kitchen.",
            },
            {"a": police, "b": stone, "relation": "contests", "rationale": "A repeat in the other order."},
            {"a": police, "b": police, "relation": "contests", "rationale": "Police against police."},
            {"a": doe, "b": stone, "relation": "contests", "rationale": "They disagree."},
        ]
    }
    result, _ = _run(pairs)
    counter = result.output("counterclaims")
    assert [(p.claim_a, p.claim_b, p.relation) for p in counter.pairs] == [
        (police, stone, "contradicts"),
        (stone, doe, "contests"),
    ]
    first, second = counter.pairs
    assert first.rationale.startswith("Mark Stone blames") and not first.checks
    assert "rationale_without_both_claimants" in second.checks and "Jane Doe" in second.rationale
    assert police not in counter.uncontested and stone not in counter.uncontested


def test_one_claimant_may_only_qualify_itself() -> None:
    probe, _ = _run()
    police = [c.id for c in probe.output("claims").claims if c.claimant == "Police"]
    pairs = {"pairs": [{"a": police[0], "b": police[1], "relation": "contradicts", "rationale": "Police twice."}]}
    counter = _run(pairs)[0].output("counterclaims")
    assert [p.relation for p in counter.pairs] == ["qualifies"]
    assert counter.pairs[0].checks == ["same_claimant_contradicts_as_qualifies"]


def test_direct_key_points_cite_grounded_claims() -> None:
    probe, _ = _run()
    claims = probe.output("claims").claims
    grounded = [c.id for c in claims if c.alignment == "exact"]
    ungrounded = next(c.id for c in claims if c.alignment == "ungrounded")
    brief = {
        "headline": "Restaurant fire: owner blames wiring",
        "key_points": [
            {"text": "Police say the fire began in the kitchen.", "claims": [grounded[0]]},
            {"text": "The restaurant failed inspections.", "claims": [ungrounded]},
            {"text": "The owner and police disagree on the cause.", "claims": [grounded[1], ungrounded]},
        ],
    }
    summary = _run(brief=brief)[0].output("summary")
    assert summary.headline == "Restaurant fire: owner blames wiring" and summary.headline_source == "model"
    assert [k.text for k in summary.key_points] == [
        "Police say the fire began in the kitchen.",
        "The owner and police disagree on the cause.",
    ]
    assert summary.key_points[1].claims == [grounded[1]]
    assert ARTICLE[summary.key_points[0].start : summary.key_points[0].end] == summary.key_points[0].quote
    assert summary.who and summary.framing  # the 5 Ws and framing as under the guided strategy


def test_guided_stays_the_default_for_a_small_model() -> None:
    model = ScriptedModel(lambda r: '{"type": "fact"}' if r.schema_name == "TypeAnswer" else "{}")
    result = run(ARTICLE, chains="claims", model=model)
    assert result.strategy == "guided" and result.chains["claims"].strategy == "guided"
    assert all(r.schema_name == "TypeAnswer" for r in model.requests)


def test_batch_reports_the_strategy_and_the_per_article_budget(tmp_path) -> None:
    from toolkit.batch import run_batch
    from toolkit.runlog import summarize

    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(3):
        (folder / f"a{n}.txt").write_text(ARTICLE, "utf-8")
    model = ScriptedModel(
        _answers({"pairs": []}, {"headline": "Fire", "key_points": []}), model_id="fake:capable", tier="capable"
    )
    db = tmp_path / "runlog.sqlite"
    report = run_batch(folder, tmp_path / "out.jsonl", model=model, runlog=db)
    assert report.ok == 3 and report.strategy == "direct"
    each = report.per_article()
    assert each["calls"] == 3 and each["prompt_to_article"] == round(report.prompt_tokens / report.article_tokens, 2)
    assert "per article (direct strategy): 3 calls" in report.format()
    assert summarize("last", db)["run"]["strategy"] == "direct"


def test_the_workbench_runs_the_strategy_chosen_in_its_dropdown(tmp_path) -> None:
    from toolkit.widgets import Workbench

    model = ScriptedModel(
        _answers({"pairs": []}, {"headline": "Fire", "key_points": []}), model_id="fake:capable", tier="capable"
    )
    wb = Workbench(model=model, samples_dir=tmp_path / "none", out_dir=tmp_path / "out")
    wb.text.value = ARTICLE
    assert wb.strategy_box.value == "auto"
    wb.strategy_box.value = "guided"
    wb.run()  # the scripted model knows only the direct calls: guided ran and its error shows inline
    assert "unexpected call TypeAnswer" in str(wb.last_error)
    wb.strategy_box.value = "direct"
    result = wb.run()
    assert result is not None and result.strategy == "direct" and result.ok


def test_an_attributed_quote_is_not_the_outlets_own_voice() -> None:
    answer = {
        "claims": [
            {
                "quote": "Fire chief Jane Doe told reporters the building will be demolished next month",
                "claimant": "the outlet",
                "verb": "",
                "type": "prediction",
                "claim": "The building will be demolished next month.",
            }
        ]
    }
    model = ScriptedModel(lambda r: json.dumps(answer), model_id="fake:capable", tier="capable")
    claims = run(ARTICLE, chains="claims", model=model).output("claims").claims
    doe = next(c for c in claims if c.quote.startswith("Fire chief"))
    assert doe.claimant == "Jane Doe" and doe.verb == "told reporters"
    assert doe.checks == ["claimant_from_attribution", "verb_from_rules"]
    assert not any(c.claimant == "Jane Doe" and "added_by_rules" in c.checks for c in claims)


def test_a_claimant_named_short_and_in_full_gets_one_name() -> None:
    from toolkit_plugins.claims import Claim
    from toolkit_plugins.claims.chain import full_names

    def claim(name: str) -> Claim:
        return Claim(
            id="", text="x", claimant=name, verb="said", type="fact", quote="x", start=0, end=1, alignment="exact"
        )

    names = [
        c.claimant
        for c in full_names(
            [claim(n) for n in ("NYT", "Pushilin", "Police", "the outlet")],
            [
                "The New York Times",
                "Denis Pushilin",
                "Police Scotland spokesman",
            ],
        )
    ]
    assert names == ["The New York Times", "Denis Pushilin", "Police", "the outlet"]


def test_the_brief_chooses_among_both_sides_of_disputes_then_the_main_voices() -> None:
    from toolkit_plugins.claims import Claim
    from toolkit_plugins.counterclaims import ClaimPair, CounterClaims
    from toolkit_plugins.summary.chain import brief_candidates

    voices = ["A"] * 6 + ["B"] * 4 + ["C"] * 2 + ["D"]
    claims = [
        Claim(
            id=f"c{n}", text="x", claimant=v, verb="said", type="fact", quote="x", start=n, end=n + 1, alignment="exact"
        )
        for n, v in enumerate(voices, 1)
    ]
    contested = CounterClaims(
        pairs=[ClaimPair(claim_a="c2", claim_b="c13", relation="contests", rationale="D disputes A.")],
        uncontested=[],
    )
    chosen = [c.id for c in brief_candidates(claims, contested, limit=6)]
    # both sides of the dispute, then A, B, C in turn (most claims first), listed in text order
    assert chosen == ["c1", "c2", "c3", "c7", "c11", "c13"]
    assert brief_candidates(claims[:4], contested, limit=6) == claims[:4]
