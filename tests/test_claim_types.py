"""Claim types by their words: markers that outrank the small model's label (sentences written for these tests)."""

from __future__ import annotations

from toolkit_plugins.claims.chain import check_type


def test_plans_and_possibilities_are_predictions_but_what_could_not_be_done_is_not() -> None:
    for text in (
        "The retailer is planning to open a travel site",
        "The new phone is set to launch in the spring",
        "Leather straps could cost as much as $60",
        "The streaming service may undercut its rivals on price",
        "Gold bands might run into the thousands of dollars",
    ):
        assert check_type("fact", text, "said")[0] == "prediction", text
    for text in (
        "The ministry has no plans to raise taxes",
        "Police could not confirm the deaths",
        "Three shots could be heard on the tape",
        "The fire could have started in the kitchen",
        "The fire may have started in the kitchen",
        "The creature may be a mite",
        "The factory opened in May",
    ):
        assert check_type("fact", text, "said")[0] == "fact", text


def test_a_charge_of_deceit_is_an_allegation_unless_denied_and_hedged_judgements_are_opinions() -> None:
    assert check_type("fact", "The charity appeal was a scam", "said")[0] == "allegation"
    assert check_type("fact", "The rescue video was staged", "said")[0] == "allegation"
    assert check_type("fact", "None of the rescue videos were staged", "said")[0] == "fact"  # a denial
    assert check_type("fact", "It seems the rebels are not worried at all", "said")[0] == "opinion"
    assert check_type("fact", "The rumours are completely ridiculous", "said")[0] == "opinion"
    assert check_type("fact", "The bridge reopened on Monday", "said")[0] == "fact"
