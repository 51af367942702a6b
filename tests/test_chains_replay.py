"""The three chains on real articles, replaying responses recorded from the embedded model.

These are the quality checks of the issue, made executable: they fail if a prompt, a check or
the NLP pipeline changes what an analyst would get.
"""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import RESPONSES, SAMPLES
from toolkit.grounding import verify
from toolkit.runner import run
from toolkit.text import is_garbled
from toolkit_plugins.news import OUTLET, UNNAMED_REPORTS

pytestmark = pytest.mark.skipif(not RESPONSES.exists(), reason="tests/responses not recorded yet")


def _run(path, replay):
    result = run(path, **replay)
    assert result.ok, {n: r.error for n, r in result.chains.items()}
    return result


def _check_traceable(result, text: str) -> None:
    assert result.article.sha256 and result.model == "local:smollm2-135m"
    for name in ("summary", "claims", "counterclaims"):
        run_info = result.chains[name]
        assert run_info.prompts and all(p["version"] and len(p["sha256"]) == 64 for p in run_info.prompts)
    assert all(call.source == "replayed" for call in result.calls)
    claims = result.output("claims").claims
    for claim in claims:
        assert verify(text, claim.start, claim.end, claim.quote), claim
        assert claim.claimant in (OUTLET, UNNAMED_REPORTS) or claim.claimant.lower() in " ".join(text.lower().split())
        assert not is_garbled(claim.text), claim.text
    for point in result.output("summary").key_points:
        assert verify(text, point.start, point.end, point.quote)
    ids = {c.id for c in claims}
    contested = result.output("counterclaims")
    assert {p.claim_a for p in contested.pairs} | {p.claim_b for p in contested.pairs} | set(
        contested.uncontested
    ) == ids


def test_seed_article_meets_the_analyst_targets(seed_path, replay):
    text = seed_path.read_text("utf-8")
    result = _run(seed_path, replay)
    _check_traceable(result, text)
    claims = result.output("claims").claims
    by_claimant = {c.claimant for c in claims}
    expected = {
        "Russian Ministry of Defense",
        "Denis Pushilin",
        "Igor Konashenkov",
        "The New York Times",
        "unidentified senior US officials",
        "Moscow",
        "Russia",
        "Ukrainian military",
        "one official",
    }
    assert expected <= by_claimant
    assert sum(c.alignment == "exact" for c in claims) >= 0.9 * len(claims)
    # the attributed statements an analyst lists (14, one a repeated subhead): at least 70% covered
    assert len([c for c in claims if c.claimant != OUTLET]) >= 10
    casualty = next(c for c in claims if "2,000" in c.quote)
    assert casualty.claimant == "Igor Konashenkov"
    contested = result.output("counterclaims")
    assert casualty.id in contested.uncontested
    by_id = {c.id: c for c in claims}
    pairs = {(by_id[p.claim_a].claimant, by_id[p.claim_b].claimant) for p in contested.pairs}
    assert ("Moscow", "Denis Pushilin") in pairs  # the ministry's withdrawal account against Pushilin's
    assert ("Russian Ministry of Defense", "Ukrainian military") in pairs
    assert all(p.rationale and not is_garbled(p.rationale) for p in contested.pairs)
    summary = result.output("summary")
    assert 3 <= len(summary.key_points) <= 5
    voices = {k.claimant for k in summary.key_points}
    assert voices & {"Russian Ministry of Defense", "Moscow", "Russia", "Igor Konashenkov"}
    assert voices & {"Denis Pushilin", "Ukrainian military"}
    texts = [k.text for k in summary.key_points]
    assert len(set(texts)) == len(texts)
    assert summary.headline.startswith("Ukraine, US increase intelligence-sharing")
    assert "Denis Pushilin (5)" in summary.framing  # three sentences, five atomic claims


def test_harbour_strike_sample(replay):
    path = SAMPLES / "harbour-strike.txt"
    result = _run(path, replay)
    _check_traceable(result, path.read_text("utf-8"))
    claims = result.output("claims").claims
    by_id = {c.id: c for c in claims}
    assert [c.claimant for c in claims].count("Carla Mendes") == 2  # "Mendes" resolved to the full name
    pairs = {(by_id[p.claim_a].claimant, by_id[p.claim_b].claimant) for p in result.output("counterclaims").pairs}
    assert ("Carla Mendes", "Paul Okafor") in pairs  # "insisted ... routine paperwork" answers the notices
    assert ("port authority", "Carla Mendes") in pairs  # "However"


def test_election_audit_html_sample(replay):
    from toolkit.article import load_article

    article = load_article(SAMPLES / "election-audit.html")
    result = _run(article, replay)
    _check_traceable(result, article.text)
    claims = result.output("claims").claims
    accusation = next(c for c in claims if c.verb == "accused")
    assert accusation.claimant == "Marco Bellini" and accusation.type == "allegation"
    by_id = {c.id: c for c in claims}
    pairs = [(by_id[p.claim_a], by_id[p.claim_b]) for p in result.output("counterclaims").pairs]
    assert any(a.id == accusation.id and b.claimant == "Anna Ruiz" for a, b in pairs)  # "rejected the claim"


def test_clinic_json_sample_keeps_metadata(replay):
    from toolkit.article import load_article

    article = load_article(SAMPLES / "clinic-funding.json")
    result = _run(article, replay)
    _check_traceable(result, article.text)
    assert result.article.outlet == "Sample Gazette" and result.article.date == "2025-03-14"
    claims = result.output("claims").claims
    by_id = {c.id: c for c in claims}
    pairs = {(by_id[p.claim_a].claimant, by_id[p.claim_b].claimant) for p in result.output("counterclaims").pairs}
    assert ("Helen Varga", "association of rural doctors") in pairs  # "But"


def test_async_twin_gives_the_same_result(replay):
    import asyncio

    from toolkit.runner import arun

    path = SAMPLES / "harbour-strike.txt"
    sync = run(path, **replay)
    concurrent = asyncio.run(arun(path, **replay))
    assert sync.outputs["claims"] == concurrent.outputs["claims"]
    assert sync.outputs["counterclaims"] == concurrent.outputs["counterclaims"]


@pytest.mark.live_model
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None, reason="llama-cpp-python is not installed")
def test_embedded_model_end_to_end(tmp_path):
    """The real SmolLM2 model, no replay: proves the local path works on this machine."""
    text = (
        "Council closes old bridge\n"
        "The city council said on Tuesday that the old bridge will close in May because engineers found cracks.\n"
        "However, the opposition leader Maria Costa said the cracks were minor and the bridge was safe.\n"
    )
    result = run(text, chains="counterclaims", model="local", record_mode="record", responses_dir=tmp_path)
    assert result.ok
    claims = result.output("claims").claims
    assert {c.claimant for c in claims} >= {"Maria Costa"}
    assert all(verify(text, c.start, c.end, c.quote) for c in claims)
    assert all(call.source == "live" for call in result.calls) and len(list(tmp_path.glob("*.json"))) >= 2
    assert result.chains["claims"].usage.completion_tokens > 0


def test_result_json_round_trips_to_pydantic_objects(replay):
    from toolkit.schema import RunResult

    result = run(SAMPLES / "harbour-strike.txt", **replay)
    loaded = RunResult.model_validate_json(result.to_json())
    assert loaded.output("claims") == result.output("claims")
    assert loaded.output("summary") == result.output("summary")
    assert loaded.to_json() == result.to_json()
