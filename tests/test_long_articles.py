"""Articles longer than the model's context are chunked; repeated statements are merged.

Model answers are hand-written fixtures (ScriptedModel); this tests the chains' mechanics.
"""

from toolkit.grounding import verify
from toolkit.models import ModelRequest
from toolkit.runner import run
from toolkit.testing.fakes import ScriptedModel
from toolkit_plugins.news.chunking import chunk_by_budget


def _answer(request: ModelRequest) -> str:
    return {
        "TypeAnswer": '{"type": "fact"}',
        "RelationAnswer": '{"relation": "unrelated"}',
        "RationaleAnswer": '{"rationale": "no"}',
        "SentencePicks": '{"sentences": [1]}',
    }[request.schema_name]


def test_chunks_respect_the_budget_and_keep_every_sentence():
    texts = ["one two three four"] * 10 + ["a " * 50]
    chunks = chunk_by_budget(texts, budget=12, count_tokens=lambda t: len(t.split()))
    assert sorted(i for c in chunks for i in c) == list(range(11))
    assert all(sum(len(texts[i].split()) for i in c) <= 12 or len(c) == 1 for c in chunks)


def test_long_article_is_chunked_and_duplicates_merged():
    paragraphs = [
        f"The mayor of Town {i} said the bridge number {i} will reopen after repairs costing {i} million euros."
        for i in range(40)
    ]
    repeated = paragraphs[3]
    text = "Bridges across the region\n" + "\n".join(paragraphs) + "\n" + repeated + "\n"
    model = ScriptedModel(_answer)
    model.context_window = 600  # a small model: the article is several contexts long
    result = run(text, model=model)
    assert result.ok
    selects = [r for r in model.requests if r.schema_name == "SentencePicks"]
    assert len(selects) > 1
    claims = result.output("claims").claims
    assert result.output("claims").merged_duplicates == 1  # the repeated paragraph, not its look-alikes
    assert len(claims) == 40
    assert len({c.quote for c in claims}) == len(claims)
    assert all(verify(text, c.start, c.end, c.quote) for c in claims)
    assert all(verify(text, k.start, k.end, k.quote) for k in result.output("summary").key_points)
