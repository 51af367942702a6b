"""toolkit.widgets without a browser: clicks and values set from Python drive the same handlers.

Model answers are hand-written fixtures (ScriptedModel), not recordings; the notebooks and the
browser test run the recorded responses of the real model.
"""

from __future__ import annotations

import asyncio
import json
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

w = pytest.importorskip("ipywidgets", reason="the ui extra is not installed (scripts/setup-browser)")

from toolkit import widgets  # noqa: E402
from toolkit.models import ModelRequest, ModelResponse, Usage  # noqa: E402
from toolkit.review import result_from_json  # noqa: E402
from toolkit.testing.fakes import ScriptedModel  # noqa: E402
from toolkit.widgets import BatchDashboard, Workbench  # noqa: E402

ARTICLE = """Harbour bridge plan approved
The city council said on Monday that the new harbour bridge will open in May next year.
However, the residents' association said the bridge "is far too expensive <script>window.pwned=1</script>".
Mayor Jane Holt told reporters that the budget was approved <img src=x onerror="window.pwned=2">.
But opposition councillor Tom Reyes accused the council of hiding the true cost of the bridge.
"""

ANSWERS = {
    "TypeAnswer": '{"type": "fact"}',
    "RewriteAnswer": '{"claim": "x"}',
    "RelationAnswer": '{"relation": "contests"}',
    "RationaleAnswer": '{"rationale": "short"}',
    "HeadlineAnswer": '{"headline": "A headline"}',
    "SentencePicks": '{"sentences": [1]}',
}


def scripted(delay: threading.Event | None = None) -> ScriptedModel:
    def answer(request):
        if delay is not None:
            delay.wait(5)
        return ANSWERS.get(request.schema_name, "{}")

    return ScriptedModel(answer)


def all_html(widget) -> list[str]:
    """Every HTML string in a widget tree (what the browser would render)."""
    found = []
    if isinstance(widget, w.HTML):
        found.append(widget.value)
    for child in getattr(widget, "children", ()):
        found += all_html(child)
    return found


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe"):
            self.bad.append(tag)
        self.bad += [name for name, _ in attrs if name.startswith("on")]


def assert_inert(widget) -> None:
    for markup in all_html(widget):
        audit = _Audit()
        audit.feed(markup)
        assert audit.bad == [], audit.bad


@pytest.fixture
def bench(tmp_path) -> Workbench:
    wb = Workbench(model=scripted(), samples_dir=tmp_path / "none", out_dir=tmp_path / "out")
    wb.text.value = ARTICLE
    return wb


def view_of(wb: Workbench, chain: str) -> str:
    titles = list(wb.tabs.titles)
    title = {"counterclaims": "Counter-claims"}.get(chain, chain.capitalize())
    return wb.tabs.children[titles.index(title)].children[-1].value


def test_run_button_fills_the_tabs(bench):
    bench.run_button.click()  # no event loop here: a blocking run
    assert bench.error.value == "" and bench.result is not None and bench.result.ok
    assert bench.tabs.titles == ("Summary", "Claims", "Counter-claims", "Review", "Export")
    assert "ntk-summary" in view_of(bench, "summary") and "Harbour bridge plan approved" in view_of(bench, "summary")
    claims = view_of(bench, "claims")
    first = bench.result.output("claims").claims[0]
    assert claims.count("<mark") >= 3 and f'title="{first.id} · {first.claimant} · {first.type}' in claims
    assert "ntk-pair" in view_of(bench, "counterclaims") and "Uncontested claims" in view_of(bench, "counterclaims")
    assert bench.status.value.startswith("Run 1: finished · 3/3 chains ok")
    assert bench.run_button.disabled is False
    assert set(bench.outputs) == {"summary", "claims", "counterclaims"}


def test_article_text_never_becomes_markup(bench):
    bench.run_button.click()
    assert_inert(bench.ui)
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in view_of(bench, "claims")
    assert "<script" not in bench.to_html().split("</style>", 1)[1]


def test_errors_are_shown_inline_not_raised(bench):
    bench.text.value = "   "
    bench.run_button.click()
    assert "article text is empty" in bench.error.value and 'role="alert"' in bench.error.value
    assert bench.status.value == "Run 1: failed." and bench.result is None
    for box in bench.chain_boxes.values():
        box.value = False
    bench.text.value = ARTICLE
    bench.run_button.click()
    assert "choose at least one chain" in bench.error.value


def test_unknown_model_is_a_readable_error(tmp_path):
    wb = Workbench(model="nosuch:model", record_mode="off", samples_dir=tmp_path)
    wb.text.value = ARTICLE
    wb.run_button.click()
    assert "unknown model provider" in wb.error.value and "nosuch" in wb.error.value


def test_a_replay_miss_shows_in_the_failed_chains_tab(tmp_path):
    wb = Workbench(model="local", record_mode="replay", responses_dir=tmp_path / "empty", samples_dir=tmp_path)
    wb.text.value = ARTICLE
    wb.run_button.click()
    assert "failed" in wb.status.value
    assert "no recorded response" in view_of(wb, "claims") and "claims failed" in view_of(wb, "claims")
    assert "skipped" in view_of(wb, "counterclaims")


def test_samples_and_uploads_fill_the_text_and_keep_metadata(tmp_path):
    samples = tmp_path / "samples"
    samples.mkdir()
    (samples / "README.md").write_text("# not an article\n")
    (samples / "b.json").write_text(json.dumps({"id": "b-1", "title": "Bee", "text": ARTICLE}))
    (samples / "a.txt").write_text(ARTICLE)
    wb = Workbench(model=scripted(), samples_dir=samples)
    assert [label for label, _ in wb.sample.options] == ["— sample article —", "a.txt", "b.json"]
    wb.load_sample("b.json")
    assert wb.text.value == ARTICLE and wb.current_article().title == "Bee"
    wb.text.value = ARTICLE + "Edited.\n"
    assert wb.current_article().title != "Bee" and wb.current_article().source == "pasted text"
    upload = {
        "name": "up.html",
        "type": "text/html",
        "size": 0,
        "last_modified": 0,
        "content": memoryview(
            b"<html><head><title>T</title></head><body><article><p>"
            + b"The council said the bridge opens in May. " * 5
            + b"</p></article></body></html>"
        ),
    }
    wb._on_upload({"new": (upload,)})
    assert "The council said the bridge opens in May." in wb.text.value and wb.error.value == ""
    wb._on_upload({"new": ({**upload, "name": "bad.txt", "content": memoryview(b"\x00\x01")},)})
    assert "binary" in wb.error.value
    with pytest.raises(Exception, match="no sample named"):
        wb.load_sample("missing.txt")


def test_filters_narrow_the_claims_table_and_highlights(bench):
    bench.run_button.click()
    claims_tab = bench.tabs.children[1]
    bar = claims_tab.children[0]
    facets = {c.description: c for c in bar.children}
    assert set(facets) == {"claimant", "type", "grounded", "Search"}
    claimants = [c.claimant for c in bench.result.output("claims").claims]
    once = next(name for name in claimants if claimants.count(name) == 1)
    facets["claimant"].value = (once,)
    view = claims_tab.children[-1].value
    assert view.count("<mark") == 1 and "Claims (1)" in view
    facets["claimant"].value = ()
    facets["Search"].value = "opposition councillor"
    assert "Claims (1)" in claims_tab.children[-1].value


def test_review_buttons_and_editor(bench, tmp_path):
    bench.run_button.click()
    assert bench.review_chain.value == "claims"
    rows = bench.review_list.children
    first_id = bench.result.output("claims").claims[0].id
    reject = next(b for b in rows[0].children if getattr(b, "description", "") == "Reject")
    reject.click()
    assert bench.review.status("claims", first_id) == "rejected"
    assert rows[0].comm is None and reject.comm is None  # replaced rows are closed, not leaked
    assert f"Claims ({len(bench.result.output('claims').claims) - 1})" in view_of(bench, "claims")
    assert "1 rejected" in bench.review_status.value
    edit = next(b for b in bench.review_list.children[1].children if getattr(b, "description", "") == "Edit")
    edit.click()
    fields = {c.description: c for c in bench.edit_form.children if hasattr(c, "description") and c.description}
    fields["type"].value = "rumour"
    save = bench.edit_form.children[-2].children[0]
    save.click()
    assert "not valid" in bench.edit_form.children[-1].value  # shown, not raised
    fields["type"].value = "allegation"
    save.click()
    second = bench.result.output("claims").claims[1]
    assert bench.review.status("claims", second.id) == "edited"
    assert bench.output("claims").claims[0].type == "allegation"
    assert bench.output("claims", reviewed=False).claims[0].id == first_id
    undo = next(b for b in bench.review_list.children[0].children if getattr(b, "description", "") == "Undo")
    undo.click()
    assert bench.review.status("claims", first_id) == "pending"


def test_save_load_and_export(bench, tmp_path):
    bench.run_button.click()
    first = bench.result.output("claims").claims[0].id
    bench.reject("claims", first)
    bench.review_path.value = str(tmp_path / "saved" / "harbour.json")
    bench.save_button.click()
    assert (tmp_path / "saved" / "harbour.review.json").exists() and "Saved" in bench.review_msg.value
    other = Workbench(model=scripted(), samples_dir=tmp_path)
    other.review_path.value = str(tmp_path / "saved" / "harbour.json")
    other.load_button.click()
    assert other.review.status("claims", first) == "rejected"
    assert "<mark" not in view_of(other, "claims")  # the article text is not in a result file
    other.text.value = ARTICLE
    other.load(tmp_path / "saved" / "harbour.json")
    assert "<mark" in view_of(other, "claims")  # ...but the same text in the box is recognised
    other.review_path.value = str(tmp_path / "nope.json")
    other.load_button.click()
    assert "no such file" in other.review_msg.value
    bench.out_dir.value = str(tmp_path / "exports")
    for button in bench.export_buttons.values():
        button.click()
    stem = bench.result.article.sha256[:12]  # pasted text has no id
    written = sorted(p.name for p in (tmp_path / "exports").iterdir())
    assert written == [f"{stem}.reviewed.csv", f"{stem}.reviewed.html", f"{stem}.reviewed.json"]
    exported = result_from_json(next((tmp_path / "exports").glob("*.json")).read_text())
    assert first not in [c.id for c in exported.output("claims").claims]
    frame = bench.dataframe()
    assert {"chain", "review", "id"} <= set(frame.columns) and (frame["review"] == "rejected").sum() == 1


def test_button_runs_as_a_task_on_a_running_loop_and_can_be_cancelled(tmp_path):
    gate = threading.Event()
    wb = Workbench(model=scripted(gate), samples_dir=tmp_path)
    wb.text.value = ARTICLE

    async def scenario() -> None:
        task = wb.start()
        assert isinstance(task, asyncio.Task)
        await asyncio.sleep(0.05)
        assert "running" in wb.status.value and wb.run_button.disabled
        assert wb.start() is task  # a second click while running does not start another run
        gate.set()
        await task
        assert wb.result is not None and "finished" in wb.status.value

        gate.clear()
        task = wb.start()
        await asyncio.sleep(0.05)
        wb.cancel_button.click()
        with pytest.raises(asyncio.CancelledError):
            await task
        gate.set()
        assert "cancelled" in wb.error.value and not wb.run_button.disabled

    asyncio.run(scenario())
    with pytest.raises(RuntimeError, match="await wb.arun"):
        asyncio.run(_call_in_loop(wb.run))


async def _call_in_loop(fn):
    return fn()


def test_observed_model_reports_answers_and_the_tally_prices_them():
    seen = []
    inner = scripted()
    model = widgets.ObservedModel(inner, seen.append)
    assert (model.model_id, model.context_window) == (inner.model_id, inner.context_window)
    request = ModelRequest(
        model=model.model_id,
        messages=[{"role": "user", "content": "one two"}],
        schema_name="TypeAnswer",
        json_schema={},
    )
    model.complete(request)
    asyncio.run(model.acomplete(request))
    assert len(seen) == 2 and seen[0].text == ANSWERS["TypeAnswer"]
    tally = widgets.Tally()
    prices = widgets.price_table()
    paid = ModelResponse(text="", model="openai:gpt-4o-mini", usage=Usage(prompt_tokens=1_000_000, completion_tokens=0))
    tally.add_call(paid, prices)
    tally.add_call(paid.model_copy(update={"source": "replayed"}), prices)
    assert tally.calls == 2 and tally.from_store == 1 and tally.cost == pytest.approx(0.15)
    assert widgets.tally_text(tally).startswith(
        "2 model calls (1 from recorded responses) · 2,000,000 tokens · $0.1500"
    )
    tally.add_call(paid, None)
    assert "cost n/a" in widgets.tally_text(tally)


def test_batch_dashboard_fills_table_and_lists_failures(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(ARTICLE)
    (folder / "two.txt").write_text(ARTICLE.replace("May", "June"))
    (folder / "empty.txt").write_text("")
    dash = BatchDashboard(folder, model=scripted(), record_mode="off", runlog=False, concurrency=2)
    dash.run_button.click()
    assert dash.error.value == ""
    assert dash.progress.value == 3 and dash.progress.max == 3
    assert dash.counts.value.startswith("3/3 articles · 2 ok · 1 failed")
    assert {r["article"] for r in dash.rows} == {"one", "two", "empty"}
    assert dash.failures == [
        {"article": "empty", "chain": "", "cause": "bad_article", "reason": f"{folder / 'empty.txt'}: file is empty"}
    ]
    assert "file is empty" in dash.failure_view.value and "ntk-batch-rows" in dash.table.value
    assert len(dash.results) == 2
    assert list(dash.dataframe()["article_id"]).count("one") == 1
    assert len(dash.dataframe("claims")) == sum(len(r.output("claims").claims) for r in dash.results)
    assert len(dash.dataframe("failures")) == 1
    assert_inert(dash.ui)


def test_batch_dashboard_writes_and_reads_its_output_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.txt").write_text(ARTICLE)
    out = tmp_path / "out" / "results.jsonl"
    dash = BatchDashboard(folder, model=scripted(), record_mode="off", runlog=False, out=out)
    asyncio.run(dash.arun())
    assert out.exists() and list(dash.dataframe()["article_id"]) == ["one"]


def test_batch_dashboard_errors_inline(tmp_path):
    dash = BatchDashboard(tmp_path / "missing", model=scripted(), record_mode="off", runlog=False)
    dash.run_button.click()
    assert "no such file or folder" in dash.error.value and not dash.run_button.disabled


def test_helpers(tmp_path):
    assert widgets.repo_root() == Path(__file__).resolve().parents[1]
    assert widgets.chain_tab_order(["claims", "mine", "summary"]) == ["summary", "claims", "mine"]
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "notes.csv").write_text("x")
    assert widgets.list_articles(tmp_path) == [tmp_path / "a.txt"]
    assert widgets.list_articles(tmp_path / "a.txt") == [tmp_path / "a.txt"]
    article = widgets.article_from_upload("doc.json", json.dumps({"text": ARTICLE, "id": "d1"}).encode())
    assert article.id == "d1" and article.source == "doc.json"


def test_review_adds_claims_and_pairs_saves_gold_and_evaluates(bench, tmp_path):
    bench.run_button.click()
    claims = bench.result.output("claims").claims
    bench.reject("claims", claims[0].id)
    bench.accept_pending_button.click()  # the rest of the claims
    assert bench.review.status("claims", claims[1].id) == "accepted"
    # add a claim through the form, by pasting a quote selected in the article
    form = {
        c.description: c
        for c in bench.add_form.children
        if getattr(c, "description", "") in ("quote", "claimant", "type", "text")
    }
    form["quote"].value = "the budget was approved"
    form["claimant"].value = "Mayor Jane Holt"
    button = next(c for c in bench.add_form.children if getattr(c, "description", "") == "Add to claims")
    button.click()
    assert "not added" not in bench.add_form.children[-1].value
    added = bench.review.added["claims"][0]
    assert added["id"] == "r1" and ARTICLE[added["start"] : added["end"]] == added["quote"]
    assert "r1" in [c.id for c in bench.output("claims").claims]
    # a quote that is not in the article is refused inline
    form = {c.description: c for c in bench.add_form.children if getattr(c, "description", "")}
    form["quote"].value = "the bridge will be free for everyone"
    form["claimant"].value = "Mayor Jane Holt"
    next(c for c in bench.add_form.children if getattr(c, "description", "") == "Add to claims").click()
    assert "not in the article" in bench.add_form.children[-1].value
    # a pair between an existing claim and the added one
    bench.add("counterclaims", claim_a=claims[1].id, claim_b="r1", relation="contests", rationale="reviewer")
    bench.accept_pending("counterclaims")
    bench.review_path.value = str(tmp_path / "out" / "harbour.json")
    bench.gold_button.click()
    gold_file = tmp_path / "out" / "harbour.gold.json"
    assert gold_file.exists(), bench.gold_msg.value
    gold = json.loads(gold_file.read_text())
    quotes = [c["quote"] for c in gold["claims"]]
    assert claims[0].quote not in quotes and added["quote"] in quotes
    assert [c["id"] for c in gold["claims"]] == [f"c{n}" for n in range(1, len(quotes) + 1)]  # text order
    r1 = next(c["id"] for c in gold["claims"] if c["quote"] == added["quote"])
    assert any(r1 in (p["a"], p["b"]) and p["relation"] == "contests" for p in gold["counter_pairs"])
    assert set(gold["uncontested"]).isdisjoint({x for p in gold["counter_pairs"] for x in (p["a"], p["b"])})
    # the Evaluate tab scores the reviewed result against that gold: all claims match
    report = bench.evaluate(gold_file)
    assert "Evaluate" in bench.tabs.titles and report.value("claim_recall") == 1.0
    assert report.value("claim_precision") == 1.0 and report.value("pair_recall") == 1.0
    view = bench.tabs.children[list(bench.tabs.titles).index("Evaluate")].children[0].value
    assert "claim recall" in view
    assert_inert(bench.ui)
    bench.remove_added("claims", "r1")
    assert "r1" not in [c.id for c in bench.output("claims").claims]
    assert bench.output("counterclaims").pairs == [] or all(
        "r1" not in (p.claim_a, p.claim_b) for p in bench.output("counterclaims").pairs
    )


def test_dashboard_when_every_article_failed(tmp_path):
    """Every input bad: the failures are listed, and the DataFrames have their columns (no KeyError)."""
    import asyncio

    pytest.importorskip("pandas")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("   \n")
    (folder / "b.txt").write_bytes(b"\x00\x01\x02")
    for out in (tmp_path / "out" / "out.jsonl", None):
        dash = widgets.BatchDashboard(folder, model="local", record_mode="replay", out=out, runlog=False)
        asyncio.run(dash.arun())
        assert dash.last_error is None
        assert [r["status"] for r in dash.rows] == ["failed", "failed"]
        assert {f["cause"] for f in dash.failures} == {"bad_article"}
        articles = dash.dataframe()
        assert len(articles) == 0 and "article_id" in articles.columns and "prompt_tokens" in articles.columns
        claims = dash.dataframe("claims")
        assert len(claims.reindex(columns=["article_id", "type"]).groupby(["article_id", "type"]).size()) == 0
        assert len(dash.dataframe("failures")) == 2
