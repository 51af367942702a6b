"""toolkit.review: accept/edit/reject, persistence bound to the article, apply, export.

The model answers are hand-written fixtures (ScriptedModel), not recordings: these tests are
about the review layer, so they need a realistic RunResult from the real chains, not good claims.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from toolkit import review as rv
from toolkit.runner import run
from toolkit.testing.fakes import ScriptedModel

ARTICLE = """Harbour bridge plan approved
The city council said on Monday that the new harbour bridge will open in May next year.
However, the residents' association said the bridge "is far too expensive for a town this size".
Mayor Jane Holt told reporters that the budget was approved after a public consultation.
But opposition councillor Tom Reyes accused the council of hiding the true cost of the bridge.
Engineers said the bridge design had passed every safety review.
"""

ANSWERS = {
    "TypeAnswer": '{"type": "fact"}',
    "RewriteAnswer": '{"claim": "x"}',
    "RelationAnswer": '{"relation": "contests"}',
    "RationaleAnswer": '{"rationale": "short"}',
    "HeadlineAnswer": '{"headline": "A headline"}',
    "SentencePicks": '{"sentences": [1]}',
}


def scripted() -> ScriptedModel:
    return ScriptedModel(lambda request: ANSWERS.get(request.schema_name, "{}"))


@pytest.fixture(scope="module")
def result():
    result = run(ARTICLE, model=scripted())
    assert result.ok
    claims = result.output("claims").claims
    pairs = result.output("counterclaims").pairs
    assert len(claims) >= 3 and pairs, "the fixture article must give claims and at least one pair"
    return result


def claim_ids(result):
    return [c.id for c in result.output("claims").claims]


def pair_ids(result):
    return [f"{p.claim_a}~{p.claim_b}" for p in result.output("counterclaims").pairs]


def test_a_new_review_is_bound_to_the_article_and_all_pending(result):
    review = rv.new_review(result, reviewer="ana")
    assert review.article_sha256 == result.article.sha256 and review.reviewer == "ana"
    counts = rv.progress(result, review)
    assert counts["pending"] == len(claim_ids(result)) + len(pair_ids(result)) + len(
        result.output("summary").key_points
    )
    assert rv.reviewable_chains(result) == [n for n in result.chains if n in ("claims", "summary", "counterclaims")]


def test_reject_a_claim_removes_it_and_its_pairs(result):
    pair = result.output("counterclaims").pairs[0]
    review = rv.reject(rv.new_review(result), result, "claims", pair.claim_b, note="not a claim")
    reviewed = rv.apply_review(result, review)
    assert pair.claim_b not in claim_ids(reviewed)
    assert all(pair.claim_b not in (p.claim_a, p.claim_b) for p in reviewed.output("counterclaims").pairs)
    counter = reviewed.output("counterclaims")
    paired = {p.claim_a for p in counter.pairs} | {p.claim_b for p in counter.pairs}
    assert set(counter.uncontested) == set(claim_ids(reviewed)) - paired
    assert claim_ids(result) != claim_ids(reviewed)  # the original is untouched
    assert review.decision("claims", pair.claim_b).note == "not a claim"


def test_rejecting_a_pair_makes_its_claims_uncontested(result):
    pair = result.output("counterclaims").pairs[0]
    review = rv.reject(rv.new_review(result), result, "counterclaims", f"{pair.claim_a}~{pair.claim_b}")
    counter = rv.apply_review(result, review).output("counterclaims")
    remaining = {p.claim_a for p in counter.pairs} | {p.claim_b for p in counter.pairs}
    for cid in (pair.claim_a, pair.claim_b):
        assert (cid in counter.uncontested) != (cid in remaining)


def test_edit_changes_only_the_named_fields_and_is_validated(result):
    first = result.output("claims").claims[0]
    new_type = "opinion" if first.type != "opinion" else "fact"
    review = rv.edit(rv.new_review(result), result, "claims", first.id, type=new_type, text="Reworded.")
    edited = rv.apply_review(result, review).output("claims").claims[0]
    assert (edited.type, edited.text, edited.quote, edited.start) == (new_type, "Reworded.", first.quote, first.start)
    assert review.status("claims", first.id) == "edited"
    with pytest.raises(rv.ReviewError, match=rf"claims {first.id}: edit not saved: an edited type is not valid"):
        rv.edit(review, result, "claims", first.id, type="rumour")
    with pytest.raises(rv.ReviewError, match="cannot edit \\['quote'\\]"):
        rv.edit(review, result, "claims", first.id, quote="made up")
    with pytest.raises(rv.ReviewError, match="has no item 'c999'"):
        rv.accept(review, result, "claims", "c999")


def test_an_edit_that_changes_nothing_is_an_acceptance_and_undo_clears(result):
    first = result.output("claims").claims[0]
    review = rv.edit(rv.new_review(result), result, "claims", first.id, type=first.type)
    assert review.status("claims", first.id) == "accepted"
    assert rv.undo(review, "claims", first.id).status("claims", first.id) == "pending"


def test_decisions_are_immutable_values(result):
    empty = rv.new_review(result)
    rv.reject(empty, result, "claims", claim_ids(result)[0])
    assert empty.decisions == {}


def test_save_and_load_next_to_the_result(result, tmp_path):
    review = rv.reject(rv.new_review(result), result, "claims", claim_ids(result)[1])
    path, side = rv.save(result, review, tmp_path / "harbour.json")
    assert side == tmp_path / "harbour.review.json" and rv.review_path(path) == side
    loaded_result, loaded_review = rv.load(path)
    assert loaded_review.decisions == review.decisions
    assert claim_ids(rv.apply_review(loaded_result, loaded_review)) == claim_ids(rv.apply_review(result, review))
    fresh_result, fresh_review = rv.load(rv.save(result, rv.new_review(result), tmp_path / "x.json")[0])
    assert fresh_review.decisions == {}


def test_a_review_cannot_be_loaded_onto_another_article(result, tmp_path):
    other = run(ARTICLE.replace("May", "June"), model=scripted())
    review = rv.reject(rv.new_review(result), result, "claims", claim_ids(result)[0])
    with pytest.raises(rv.ReviewError, match="this review was made for article"):
        rv.review_from_json(rv.review_to_json(review), other)
    with pytest.raises(rv.ReviewError, match="another article"):
        rv.apply_review(other, review)
    rv.save(other, rv.new_review(other), tmp_path / "a.json")
    (tmp_path / "a.review.json").write_text(rv.review_to_json(review))
    with pytest.raises(rv.ReviewError, match="sha256"):
        rv.load(tmp_path / "a.json")


def test_bad_files_give_readable_errors(tmp_path):
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(rv.ReviewError, match="invalid JSON"):
        rv.load(tmp_path / "bad.json")
    with pytest.raises(rv.ReviewError, match="no such file"):
        rv.load(tmp_path / "missing.json")
    with pytest.raises(rv.ReviewError, match="not a review file"):
        rv.review_from_json('{"decisions": 3}')


def test_stale_decisions_are_reported_and_skipped(result):
    first = claim_ids(result)[0]
    review = rv.reject(rv.new_review(result), result, "claims", first)
    review.decisions["claims"][first].original["text"] = "what the item said in an older run"
    review.decisions.setdefault("claims", {})["c999"] = rv.Decision(status="rejected")
    assert rv.conflicts(result, review) == [
        f"claims {first}: the item changed since it was reviewed",
        "claims c999: no such item in this result",
    ]
    assert first in claim_ids(rv.apply_review(result, review))


def test_result_json_round_trip_keeps_outputs_usable(result):
    back = rv.result_from_json(result.to_json())
    assert claim_ids(back) == claim_ids(result)
    assert back.output("summary").headline == result.output("summary").headline


def test_export_json_is_a_reviewed_result_with_the_review_attached(result):
    rejected = claim_ids(result)[0]
    review = rv.reject(rv.new_review(result), result, "claims", rejected)
    text = rv.export_json(result, review)
    data = json.loads(text)
    assert data["review"]["decisions"]["claims"][rejected]["status"] == "rejected"
    assert data["review"]["progress"]["rejected"] == 1
    assert rejected not in claim_ids(rv.result_from_json(text))


def test_export_csv_rows_statuses_and_formula_safety(result):
    ids = claim_ids(result)
    review = rv.reject(rv.new_review(result), result, "claims", ids[0])
    review = rv.edit(review, result, "claims", ids[1], text='=HYPERLINK("http://evil","x")')
    review = rv.accept(review, result, "claims", ids[2])
    rows = list(csv.DictReader(io.StringIO(rv.export_csv(result, review))))
    claims = [r for r in rows if r["chain"] == "claims"]
    assert [r["id"] for r in claims] == ids
    assert [r["review"] for r in claims[:3]] == ["rejected", "edited", "accepted"]
    assert claims[1]["text"].startswith("'=HYPERLINK")  # a spreadsheet will not run it
    assert {r["chain"] for r in rows} == set(result.chains)
    assert claims[0]["grounded"] in ("true", "false")
    kept = rv.export_rows(result, review, include_rejected=False)
    assert ids[0] not in [r["id"] for r in kept if r["chain"] == "claims"]
    uncontested = {r["id"] for r in rows if r["chain"] == "counterclaims" and r.get("kind") == "uncontested"}
    assert ids[0] not in uncontested  # derived rows follow the reviewed result


def test_to_csv_keeps_numbers_and_joins_lists():
    text = rv.to_csv([{"a": -3.5, "b": ["x", "y"], "c": None, "d": "+1"}, {"e": "@cmd"}])
    assert text.splitlines() == ["a,b,c,d,e", "-3.5,x; y,,+1,", ",,,,'@cmd"]


def test_without_items_hides_for_views(result):
    ids = claim_ids(result)
    out = rv.without_items("claims", result.output("claims"), ids[1:])
    assert [c.id for c in out.claims] == ids[:1]
