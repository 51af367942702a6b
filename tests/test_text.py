"""The small text checks the chains use after the model."""

from toolkit.text import near_duplicate


def test_a_restatement_in_other_words_is_a_near_duplicate() -> None:
    assert near_duplicate(
        "The council will close the old bridge for repairs in May",
        "in May the council will close the old bridge for repairs",
    )


def test_a_denial_is_not_a_duplicate_of_what_it_denies() -> None:
    assert not near_duplicate("the robots had been deployed at the offices", "we have not deployed there")
    assert not near_duplicate("the singer was found dead", "the singer isn't dead")


def test_a_few_words_inside_a_longer_statement_are_not_that_statement() -> None:
    assert not near_duplicate("the claim is entirely false", "the claim that the dams were opened is entirely false")
    assert not near_duplicate("2,000 people were killed", "200 people were killed")
