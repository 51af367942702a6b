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


def test_a_speaker_repeating_their_own_words_is_listed_once_and_another_speaker_stays():
    text = (
        "Ferry sails in storm\n"
        "The ferry sailed on Monday despite the storm warnings issued by the port.\n\n"
        "'Safety comes first at sea for every crew.'\n"
        "- the harbour pilot, Captain Tom Wells\n\n"
        '"Safety comes first at sea for every crew, and the weather decides every crossing," Captain Tom Wells '
        "said on Monday. The council said safety comes first at sea for every crew."
    )
    result = run(text, model=ScriptedModel(_answer))
    claims = result.output("claims").claims
    said = [c for c in claims if "Wells" in c.claimant and "Safety comes first" in c.quote]
    assert len(said) == 1 and result.output("claims").merged_duplicates == 1  # the pull quote, said again
    assert any(c.claimant == "council" for c in claims)  # another speaker's same words corroborate: kept
