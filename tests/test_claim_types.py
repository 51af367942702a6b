"""Claim types by their words: markers that outrank the small model's label (sentences written for these tests)."""

from __future__ import annotations

from toolkit_plugins.claims.chain import check_type


def test_plans_and_possibilities_are_predictions_but_what_could_not_be_done_is_not() -> None:
    for text in (
        "The retailer is planning to open a travel site",
        "The new phone is set to launch in the spring",
        "Leather straps could cost as much as $60",
    ):
        assert check_type("fact", text, "said")[0] == "prediction", text
    for text in (
        "The ministry has no plans to raise taxes",
        "Police could not confirm the deaths",
        "Three shots could be heard on the tape",
        "The fire could have started in the kitchen",
    ):
        assert check_type("fact", text, "said")[0] == "fact", text
