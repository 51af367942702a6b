"""The story gold end to end, replayed: the chains on its 24 FNC-1 bodies (tests/story-responses, the
real local model's recordings), the stories with the model labelling the candidate pairs (recorded
too), scored by `toolkit eval`. The floors are the figures the README and the closing note give,
rounded down: a change that loses stories, alignment or cross-outlet pairs fails here."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from toolkit.batch import run_batch
from toolkit.eval import score
from toolkit.story import build

ROOT = Path(__file__).resolve().parents[1]
FNC1 = ROOT.parent / "shared" / "data" / "fnc1" / "train_bodies.csv"
GOLD = ROOT / "gold" / "stories"
RESPONSES = ROOT / "tests" / "story-responses"

pytestmark = pytest.mark.skipif(not FNC1.exists(), reason=f"FNC-1 bodies not at {FNC1} (../shared is absent)")


@pytest.fixture(scope="module")
def story_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("llama_cpp", reason="the local extra is not installed")
    folder = tmp_path_factory.mktemp("stories")
    wanted = [a for g in sorted(GOLD.glob("*.json")) for a in json.loads(g.read_text("utf-8"))["articles"]]
    csv.field_size_limit(sys.maxsize)
    with FNC1.open(encoding="utf-8", newline="") as handle:
        bodies = {f"fnc1-{r['Body ID']}": r["articleBody"] for r in csv.DictReader(handle)}
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": a, "text": bodies[a]}) + "\n" for a in wanted), "utf-8")
    out = folder / "batch.jsonl"
    report = run_batch(
        feed, out, model="local", record_mode="replay", responses_dir=RESPONSES, concurrency=2, runlog=False
    )
    assert report.ok == 24 and report.failed == 0
    (folder / "labelled.json").write_text(
        build(out, model="local", record_mode="replay", responses_dir=RESPONSES, label=True).model_dump_json(), "utf-8"
    )
    result = build(out, model="local", record_mode="replay", responses_dir=RESPONSES)  # auto: rules decide
    assert result.calls == []
    path = folder / "story.json"
    path.write_text(result.model_dump_json(), "utf-8")
    return path


FLOORS = {
    "story_group_r": 1.0,
    "story_group_p": 1.0,
    "story_claim_r": 0.95,
    # 0.31 before the claims became more atomic ('though' clauses, tweets, reports split from denials): 0.279
    "story_align_r": 0.27,
    "story_align_p": 0.5,
    # 0.30, then 0.27 when the articles' own pairing stopped setting the outlet's narration against
    # a party; 0.33 since impersonal reports beside a named source ("It was said A, but X told ...")
    # are the reports', not the outlet's
    "story_pair_r": 0.3,
    "story_pair_p": 0.2,  # 0.15 before the relations followed the words of denials and doubts; 0.22
    "story_xpair_r": 0.3,
}


def test_the_story_gold_scores_at_least_what_was_measured(story_output: Path) -> None:
    report = score(story_output, GOLD)
    assert sorted(a.article for a in report.articles) == sorted(p.stem for p in GOLD.glob("*.json"))
    found = {name: report.value(name) for name in FLOORS}
    assert all(found[n] is not None and found[n] >= floor for n, floor in FLOORS.items()), found


def test_the_embedded_model_labelling_the_pairs_replays(story_output: Path) -> None:
    labelled = story_output.parent / "labelled.json"
    assert json.loads(labelled.read_text("utf-8"))["calls"]  # the recorded relate_accounts answers
    report = score(labelled, GOLD)
    floors = {**FLOORS, "story_pair_r": 0.28, "story_xpair_r": 0.28}  # measured 0.30 / 0.30 / 0.21
    found = {name: report.value(name) for name in floors}
    assert all(found[n] is not None and found[n] >= floor for n, floor in floors.items()), found


def test_every_story_pair_shows_two_outlets_with_grounded_quotes(story_output: Path) -> None:
    from toolkit_plugins.stories import Stories

    stories = Stories.model_validate(json.loads(story_output.read_text("utf-8"))["output"]).stories
    bodies_of = {}
    csv.field_size_limit(sys.maxsize)
    with FNC1.open(encoding="utf-8", newline="") as handle:
        bodies_of = {f"fnc1-{r['Body ID']}": r["articleBody"] for r in csv.DictReader(handle)}
    pairs = [p for s in stories for p in s.pairs]
    assert pairs
    for pair in pairs:
        assert pair.cross_outlet and pair.evidence_a.article != pair.evidence_b.article
        for side in (pair.evidence_a, pair.evidence_b):
            if side.alignment == "exact":
                assert bodies_of[side.article][side.start : side.end] == side.quote
