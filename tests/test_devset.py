"""The dev set (../shared/data/devset) replayed from the committed recordings of the embedded model.

This checks that the dev-set report is computed from a genuine run, not what the figures are:
targets are judged in the issues' closing notes, with `scripts/eval-devset`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, SHARED
from toolkit.article import load_article
from toolkit.eval import score
from toolkit.runner import make_model, run

DEVSET = SHARED / "data" / "devset"
DEVSET_RESPONSES = ROOT / "tests" / "devset-responses"


@pytest.fixture(scope="module")
def devset() -> Path:
    if not (DEVSET / "articles").is_dir():
        pytest.skip(f"dev set not found at {DEVSET} (../shared is absent)")
    return DEVSET


def test_replayed_devset_run_is_scored(devset: Path) -> None:
    articles = sorted((devset / "articles").glob("*.txt"))
    model = make_model("local", record_mode="replay", responses_dir=DEVSET_RESPONSES)
    results = [run(load_article(path), model=model) for path in articles]
    assert all(r.ok for r in results), [r.article.id for r in results if not r.ok]
    report = score(results, devset / "gold")
    assert len(report.articles) == len(articles) == 24
    assert not report.unpaired_gold and not report.unpaired_outputs
    assert all(a.text_found for a in report.articles)
    for metric in ("claim_recall", "claim_precision", "claimant_accuracy", "pair_recall", "keypoints_grounded"):
        value = report.value(metric)
        assert value is not None and 0.0 <= value <= 1.0, metric
    assert report.total["claim_recall"].den == 516 and report.total["pair_recall"].den == 179
    assert "TOTAL" in report.render_text()
