from toolkit.grounding import align, verify

TEXT = (
    'The minister said the plan "will cut costs by 5%".\n'
    "Unions said the savings are doubtful.\n"
    'Later, the minister said the plan "will cut costs by 5%" again.'
)


def test_exact_match_prefers_the_occurrence_nearest_the_hint():
    first = align("will cut costs by 5%", TEXT)
    second = align("will cut costs by 5%", TEXT, hint=TEXT.rindex("will cut"))
    assert first.status == second.status == "exact"
    assert first.start < second.start
    assert verify(TEXT, second.start, second.end, second.quote)


def test_normalized_match_ignores_whitespace_and_curly_quotes():
    g = align("Unions  said the savings\nare doubtful.", TEXT)
    assert g.status == "normalized"
    assert verify(TEXT, g.start, g.end, g.quote)
    g = align("the plan “will cut costs by 5%”.", TEXT)
    assert g.status == "normalized" and verify(TEXT, g.start, g.end, g.quote)


def test_fuzzy_match_returns_the_article_own_words():
    g = align("Unions said that the savings were doubtful", TEXT)
    assert g.status == "fuzzy"
    assert verify(TEXT, g.start, g.end, g.quote)
    assert "savings" in g.quote


def test_invented_quote_is_ungrounded():
    g = align("The president resigned after the scandal broke", TEXT)
    assert g.status == "ungrounded" and g.start == -1 and not g.grounded
