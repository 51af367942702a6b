"""`toolkit eval`: a tiny hand-made article, output and gold whose scores are worked out here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.eval import EvalError, score
from toolkit.hashing import sha256_text
from toolkit.schema import ArticleInfo, ChainRun, RunResult
from toolkit_plugins.claims import Claim, ClaimList
from toolkit_plugins.counterclaims import ClaimPair, CounterClaims
from toolkit_plugins.evaluation import claimant_matches, invented
from toolkit_plugins.summary import Actor, KeyPoint, Summary

TEXT = (
    "Unions said 85% of workers joined the strike, while the government called it a normal workday. "
    "Police estimated 20% turnout. The mayor, Jane Roe, said schools stayed open."
)


def _claim(cid: str, claimant: str, ctype: str, quote: str) -> Claim:
    start = TEXT.index(quote)
    return Claim(
        id=cid,
        text=quote,
        claimant=claimant,
        verb="said",
        type=ctype,
        quote=quote,
        start=start,
        end=start + len(quote),
        alignment="exact",
    )


def _result(claims: list[Claim], pairs: list[ClaimPair] | None = None, summary: Summary | None = None) -> RunResult:
    outputs: dict[str, Any] = {"claims": ClaimList(claims=claims)}
    if pairs is not None:
        paired = {x for p in pairs for x in (p.claim_a, p.claim_b)}
        outputs["counterclaims"] = CounterClaims(pairs=pairs, uncontested=[c.id for c in claims if c.id not in paired])
    if summary is not None:
        outputs["summary"] = summary
    return RunResult(
        toolkit_version="test",
        created_at="2026-01-01T00:00:00Z",
        model="test-model",
        article=ArticleInfo(id="strike", sha256=sha256_text(TEXT), chars=len(TEXT)),
        outputs=outputs,
        chains={name: ChainRun(chain=name, version="1", status="ok") for name in outputs},
    )


GOLD = {
    "article": "strike.txt",
    "claims": [
        {"id": "c1", "claimant": "Unions", "type": "fact", "quote": "85% of workers joined the strike"},
        {
            "id": "c2",
            "claimant": "the government",
            "type": "opinion",
            "quote": "the government called it a normal workday",
        },
        {"id": "c3", "claimant": "Police", "type": "fact", "quote": "Police estimated 20% turnout"},
        {"id": "c4", "claimant": "Jane Roe, the mayor", "type": "fact", "quote": "schools stayed open"},
    ],
    "counter_pairs": [
        {"a": "c1", "b": "c2", "relation": "contests", "why": "strike vs normal day"},
        {"a": "c1", "b": "c3", "relation": "contradicts", "why": "85% vs 20%"},
    ],
    "uncontested": ["c4"],
}


def _score(result: RunResult, gold: dict[str, Any] = GOLD) -> Any:
    return score(result, gold, texts={result.article.sha256: TEXT})


def test_claims_pairs_and_types_scored_as_worked_out() -> None:
    claims = [
        _claim("c1", "the unions", "fact", "85% of workers joined the strike"),
        _claim("c2", "Government", "fact", "the government called it a normal workday"),  # type wrong
        _claim("c3", "Inspector Smith", "fact", "Police estimated 20% turnout"),  # invented claimant
        _claim("c4", "Roe", "fact", "schools stayed open"),  # surname
    ]
    pairs = [
        ClaimPair(claim_a="c2", claim_b="c1", relation="contests", rationale="reverse order of a gold pair"),
        ClaimPair(claim_a="c1", claim_b="c4", relation="contradicts", rationale="not a gold pair"),
    ]
    report = _score(_result(claims, pairs))
    assert report.value("claim_recall") == 1.0
    assert report.value("claim_precision") == 1.0
    assert report.value("claimant_accuracy") == 0.75  # Inspector Smith is not Police
    assert report.value("type_accuracy") == 0.75
    assert report.value("invented_claimants") == 1
    assert report.value("quotes_grounded") == 1.0
    assert report.value("pair_recall") == 0.5  # c2-c1 counts for gold c1-c2; c1-c3 missed
    assert report.value("pairs_reachable") == 1.0  # both claims of each gold pair were found
    assert report.value("pair_precision") == 0.5
    assert report.value("relation_accuracy") == 1.0
    # contested: emitted {c1, c2, c4}, gold {c1, c2, c3}: c3 and c4 disagree
    assert report.value("uncontested_accuracy") == 0.5


def test_a_pair_whose_claim_was_not_found_is_out_of_reach_and_says_so() -> None:
    claims = [
        _claim("c1", "Unions", "fact", "85% of workers joined the strike"),
        _claim("c2", "the government", "opinion", "the government called it a normal workday"),
    ]
    report = _score(_result(claims, []))
    assert report.value("pairs_reachable") == 0.5  # c1-c3 needs Police's claim, which was not found
    assert report.value("pair_recall") == 0.0
    rows = [d for d in report.details.to_dict("records") if d.get("table") == "gold pairs"]
    assert [r["found as"] for r in rows] == ["", "claim not found: c3"]


def test_one_long_quote_counts_for_one_gold_claim() -> None:
    long = "Unions said 85% of workers joined the strike, while the government called it a normal workday"
    report = _score(_result([_claim("c1", "Unions", "fact", long)]))
    assert report.value("claim_recall") == 0.25
    assert report.value("claim_precision") == 1.0
    assert report.value("claim_f1") == pytest.approx(0.4)  # of the totals, not a mean of means
    rows = [d for d in report.articles[0].details if d["table"] == "gold claims"]
    assert sum(1 for r in rows if r["matched"]) == 1


def test_restatement_is_neither_right_nor_wrong_and_a_miss_is_wrong() -> None:
    claims = [
        _claim("c1", "Police", "fact", "Police estimated 20% turnout"),
        _claim("c2", "Police", "fact", "Police estimated 20% turnout"),  # the same span again
        _claim("c3", "the outlet", "fact", "The mayor, Jane Roe"),  # covers no gold claim
    ]
    report = _score(_result(claims))
    assert report.value("claim_recall") == 0.25
    assert report.value("claim_precision") == 0.5  # 1 of 2: the repeat is a restatement


def test_ungrounded_quote_is_counted_and_never_matches() -> None:
    bad = _claim("c1", "Police", "fact", "Police estimated 20% turnout")
    bad = bad.model_copy(update={"quote": "Police estimated 40% turnout", "alignment": "ungrounded"})
    report = _score(_result([bad]))
    assert report.value("quotes_grounded") == 0.0
    assert report.value("claim_recall") == 0.0


def test_summary_grounding_and_main_claimants() -> None:
    gold = {
        **GOLD,
        "claims": [*GOLD["claims"], {"id": "c5", "claimant": "Police", "type": "fact", "quote": "20% turnout"}],
    }
    gold["claims"].append({"id": "c6", "claimant": "Unions", "type": "fact", "quote": "Unions said"})
    quote = "Police estimated 20% turnout"
    start = TEXT.index(quote)
    summary = Summary(
        headline="Strike turnout disputed",
        headline_source="model",
        key_points=[
            KeyPoint(
                text=quote, claimant="Police", quote=quote, start=start, end=start + len(quote), alignment="exact"
            ),
            KeyPoint(text="made up", quote="nowhere in the text at all", start=-1, end=-1, alignment="ungrounded"),
        ],
        who=["Police"],
        what="a strike",
        when=[],
        where=[],
        main_actors=[Actor(name="Police", claims=2, mentions=1)],
        framing="",
    )
    report = _score(_result([], summary=summary), gold)
    assert report.value("keypoints_grounded") == 0.5
    # main voices (2+ gold claims): Unions and Police; the summary names only the police
    assert report.value("main_claimants_named") == 0.5


@pytest.mark.parametrize(
    ("predicted", "gold", "ok"),
    [
        ("the ministry", "Russian Defence Ministry", True),
        ("Russian Ministry of Defense", "Russian Defence Ministry", True),
        ("Konashenkov", "Igor Konashenkov, defence ministry spokesman", True),
        ("Pentagon", "Rear Admiral Jane Doe, Pentagon spokesman", True),
        ("YPG", "YPG (as relayed by Charlie Winter)", True),
        ("Charlie Winter", "YPG (as relayed by Charlie Winter)", False),
        ("WHO", "World Health Organization", True),
        ("the outlet", "the outlet", True),
        ("the outlet", "unnamed reports (per the outlet)", False),
        ("reports", "unnamed reports (per the outlet)", True),
        ("anonymous sources", "unnamed source (to the New York Post)", True),
        ("the brother", "Kevin Nickel, the homeless man's brother", False),
        ("John Smith", "Jane Roe, the mayor", False),
        ("senior Department of Homeland Security spokesman", "senior DHS spokesman", True),
        ("local officials", "Springfield local officials (statement)", True),
        ("the government", "Nigerian government", True),
        ("the Journal's sources", "The Wall Street Journal (citing sources)", True),
        ("sources", "The Wall Street Journal (citing sources)", False),
    ],
)
def test_claimant_names_normalised(predicted: str, gold: str, ok: bool) -> None:
    assert claimant_matches(predicted, gold) is ok


def test_invented_claimant() -> None:
    vocab = {w.lower().strip(".,") for w in TEXT.split()}
    assert invented("Inspector Smith", vocab)
    assert not invented("Jane Roe", vocab)
    assert not invented("the outlet", vocab)
    assert not invented("unnamed officials", vocab)


def _files(tmp_path: Path, result: RunResult) -> tuple[Path, Path]:
    (tmp_path / "articles").mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "articles" / "strike.txt").write_text(TEXT, "utf-8")
    (tmp_path / "gold" / "strike.json").write_text(json.dumps(GOLD), "utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text(result.model_dump_json() + "\n", "utf-8")
    return out, tmp_path / "gold"


def test_cli_table_json_and_html(tmp_path: Path) -> None:
    result = _result([_claim("c1", "Unions", "fact", "85% of workers joined the strike")], [])
    out, gold = _files(tmp_path, result)
    runner = CliRunner()
    text = runner.invoke(app, ["eval", str(out), str(gold), "--html", str(tmp_path / "r.html")])
    assert text.exit_code == 0, text.output
    assert "strike" in text.output and "TOTAL" in text.output and "C-R" in text.output
    data = json.loads(runner.invoke(app, ["eval", str(out), str(gold), "--json"]).output)
    assert data["total"]["claim_recall"] == {"value": 0.25, "num": 1, "den": 4}
    assert data["articles"][0]["article_text_found"] is True  # found in the sibling articles/ folder
    page = (tmp_path / "r.html").read_text("utf-8")
    assert "85% of workers joined the strike" in page and "<script" not in page


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    result = _result([])
    out, gold = _files(tmp_path, result)
    runner = CliRunner()
    missing = runner.invoke(app, ["eval", str(out), str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and missing.output.strip().startswith("error:")
    other = result.model_copy(update={"article": ArticleInfo(id="other", sha256="0" * 64, chars=1)})
    (tmp_path / "other.jsonl").write_text(other.model_dump_json() + "\n", "utf-8")
    unpaired = runner.invoke(app, ["eval", str(tmp_path / "other.jsonl"), str(gold)])
    assert unpaired.exit_code == 1 and "no output could be paired" in unpaired.output
    with pytest.raises(EvalError):
        score(tmp_path / "nope.jsonl", gold)


def test_dataframes() -> None:
    pytest.importorskip("pandas")
    report = _score(_result([_claim("c1", "Unions", "fact", "85% of workers joined the strike")], []))
    assert report.per_article.loc["strike", "claim_recall"] == 0.25
    assert report.totals.loc["claim_recall", "den"] == 4
    assert set(report.details["table"]) >= {"gold claims", "gold pairs"}
