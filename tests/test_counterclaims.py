"""Counter-claim candidates found by what claims say (sentences written for these tests)."""

from __future__ import annotations

from toolkit_plugins.claims import Claim
from toolkit_plugins.counterclaims.chain import candidate_pairs, similar_pairs


def _claim(cid: str, claimant: str, quote: str, start: int) -> Claim:
    return Claim(
        id=cid, text=quote, claimant=claimant, verb="said", type="fact", quote=quote,
        start=start, end=start + len(quote), alignment="exact",
    )  # fmt: skip


CLAIMS = [
    _claim("c1", "Gaza officials", "Israel opened the gates of a dam on the border, flooding villages", 0),
    _claim("c2", "the outlet", "The weather was cold and wet all week", 100),
    _claim("c3", "Israeli army", "There are no dams in southern Israel", 200),
    _claim("c4", "Police", "200 people attended the rally in the square", 300),
    _claim("c5", "organisers", "more than 5,000 people attended the rally", 400),
    _claim("c6", "Police", "no arrests were made at the rally", 500),
]


def test_a_denial_meets_the_claim_it_denies_and_figures_meet_figures() -> None:
    found = {(a.id, b.id): kind for a, b, kind in similar_pairs(CLAIMS)}
    assert found[("c1", "c3")] == "central"  # no connective: the army's negation answers the lead's claim
    assert found[("c4", "c5")] == "figures"  # 200 against 5,000 for the same rally
    assert ("c2", "c3") not in found  # the weather is not what the army denies
    assert not any({a, b} == {"c4", "c6"} for a, b in found)  # one claimant's own statements never pair


def test_candidates_include_content_pairs_without_cues() -> None:
    pairs = {(c.a.id, c.b.id) for c in candidate_pairs(CLAIMS)}
    assert {("c1", "c3"), ("c4", "c5")} <= pairs


def test_two_denials_of_one_rumour_are_not_set_against_each_other() -> None:
    claims = [
        _claim("c1", "a tabloid", "The singer died at her home on Saturday night", 0),
        _claim("c2", "her agent", "The singer is not dead and is resting at home", 100),
        _claim("c3", "her label", "Reports of the singer's death are false", 200),
    ]
    found = {(a.id, b.id) for a, b, _kind in similar_pairs(claims)}
    assert {("c1", "c2"), ("c1", "c3")} <= found
    assert ("c2", "c3") not in found
    # a denial in words without a negation ("ruled out") is a challenge too, not an assertion to deny
    ruled = [
        _claim("c1", "a local blog", "A patient in the city has been taken ill with Ebola", 0),
        _claim("c2", "the health department", "The health department has ruled out Ebola in the city", 100),
        _claim("c3", "a TV station", "Health officials in the city said it was not Ebola", 200),
    ]
    found = {(a.id, b.id) for a, b, _kind in similar_pairs(ruled)}
    assert ("c2", "c3") not in found


def test_every_denial_meets_the_storys_central_report() -> None:
    claims = [
        _claim("c1", "a fan site", "The band will split up after the tour, the site reported", 0),
        _claim("c2", "the drummer", "The tour sold out within an hour of going on sale", 100),
        _claim("c3", "the band's manager", "It's nonsense", 200),
        _claim("c4", "the label", "The reports could not be confirmed", 300),
    ]
    claims[0] = claims[0].model_copy(update={"verb": "reported"})
    found = {(a.id, b.id): kind for a, b, kind in similar_pairs(claims)}
    assert found[("c1", "c3")] == "central"  # a denial that does not repeat what it denies
    assert ("c1", "c4") in found
    assert not any("c2" in pair and kind == "central" for pair, kind in found.items())  # no challenge


def test_denials_and_doubts_are_told_apart() -> None:
    from toolkit_plugins.counterclaims.challenge import challenge_kind

    assert challenge_kind(_claim("c1", "the club", "There is no truth to these claims", 0)) == "denial"
    assert challenge_kind(_claim("c2", "the outlet", "The report has not been confirmed by officials", 0)) == "doubt"
    assert challenge_kind(_claim("c3", "the club", "The striker signed a new contract on Monday", 0)) is None


def test_the_words_of_a_denial_or_a_doubt_give_the_relation() -> None:
    from toolkit_plugins.counterclaims.chain import relation_in_words

    rumour = _claim("c1", "a fan site", "The band will split up after the tour", 0)
    denial = _claim("c2", "the manager", "There is no truth to these claims", 100)
    doubt = _claim("c3", "the label", "The report could not be confirmed", 200)
    other = _claim("c4", "the drummer", "The tour starts in May", 300)
    assert relation_in_words(rumour, denial) == "contradicts"
    assert relation_in_words(rumour, doubt) == "qualifies"
    assert relation_in_words(rumour, other) is None
    # the lack of evidence disputes a claim without negating it: analysts call that 'contests'
    lack = _claim("c5", "a music journalist", "There is no hard evidence that the band has fallen out", 400)
    nothing = _claim("c6", "the promoter", "We have seen nothing to indicate any change of plan", 500)
    assert relation_in_words(rumour, lack) == "contests"
    assert relation_in_words(rumour, nothing) == "contests"


def test_the_central_report_is_a_reports_claim_else_the_first_partys_statement() -> None:
    from toolkit_plugins.counterclaims.chain import central_report

    lead = [
        _claim("c1", "the outlet", "Fans gathered outside the stadium on Sunday", 0),
        _claim("c2", "the coach", "The team trained as usual this week", 100),
        _claim("c3", "a local newspaper", "The striker will leave the club in January", 200),
    ]
    rest = [_claim(f"c{i}", "the outlet", "The match ended in a draw", 100 * i) for i in range(4, 11)]
    assert central_report(lead + rest).id == "c3"  # a newspaper's report, not the coach's aside
    assert central_report([lead[0], lead[1], *rest]).id == "c2"  # no report: the first party's statement
    rumour_said = _claim("c2", "the club", "The rumour took shape after a photo of the striker at the airport", 100)
    assert central_report([lead[0], rumour_said, *rest]).id == "c2"  # "rumour" said of a report is no report


def test_the_outlets_own_voice_is_no_report_though_its_name_says_outlet() -> None:
    from toolkit_plugins.counterclaims.challenge import is_report

    assert not is_report(_claim("c1", "the outlet", "The bridge will close in May", 0))
    assert is_report(_claim("c2", "several news outlets", "The bridge will close in May", 0))


def test_a_partys_negation_on_the_central_reports_topic_answers_it() -> None:
    claims = [
        _claim("c1", "several news sites", "The robots were deployed at the company's offices in Austin", 0),
        _claim("c2", "the robot maker", "We have not deployed robots at the company's offices", 100),
        _claim("c3", "the outlet", "The company has not commented on the robots at its offices", 200),
        _claim("c4", "the robot maker", "The weather was not a factor in the launch date", 300),
    ]
    found = {(a.id, b.id): kind for a, b, kind in similar_pairs(claims)}
    assert found[("c1", "c2")] == "central"
    assert found.get(("c1", "c4")) != "central"  # a negation on another topic
    candidates = {(c.a.id, c.b.id) for c in candidate_pairs(claims)}
    assert ("c1", "c3") not in candidates  # the outlet's own "not" tells the story, it answers no one


def test_a_partys_negation_of_the_central_report_contradicts_it() -> None:
    from toolkit.article import article_from_text
    from toolkit.chain import ChainContext, ChainInput
    from toolkit.testing.fakes import ScriptedModel
    from toolkit_plugins.claims.schema import ClaimList
    from toolkit_plugins.counterclaims.chain import CounterClaimsChain

    claims = [
        _claim("c1", "several news sites", "The robots were deployed at the company's offices in Austin", 0),
        _claim("c2", "the robot maker", "We have not deployed robots at the company's offices", 100),
    ]
    claims[0] = claims[0].model_copy(update={"verb": "reported"})
    ctx = ChainContext(model=ScriptedModel([]))
    inp = ChainInput(article=article_from_text("x" * 200), deps={"claims": ClaimList(claims=claims)})
    (pair,) = CounterClaimsChain().build(ctx).invoke(inp).pairs
    assert (pair.claim_a, pair.claim_b, pair.relation, pair.decided_by) == ("c1", "c2", "contradicts", "rules")


def test_the_outlets_narration_and_off_topic_connectives_are_no_candidates() -> None:
    claims = [
        _claim("c1", "the minister", "The new bridge will open to traffic in May", 0),
        _claim("c2", "the outlet", "But the minister did not visit the site this year", 100),
        _claim("c3", "the mayor", "The city's schools will stay closed on Friday", 200),
        _claim("c4", "the outlet", "Engineers have denied that the bridge will open in May", 300),
    ]
    claims[1] = claims[1].model_copy(update={"cue": "But"})
    claims[2] = claims[2].model_copy(update={"cue": "However"})
    pairs = {(c.a.id, c.b.id): c.kind for c in candidate_pairs(claims)}
    assert ("c1", "c2") not in pairs  # the outlet's "but ... not" narrates
    assert ("c1", "c3") not in pairs  # "However" opens a sentence on another topic
    assert ("c1", "c4") in pairs  # the outlet reporting a denial in so many words still pairs


def test_challengers_of_the_central_report_are_paired_by_rule_without_a_model_call() -> None:
    from toolkit.article import article_from_text
    from toolkit.chain import ChainContext, ChainInput
    from toolkit.testing.fakes import ScriptedModel
    from toolkit_plugins.claims.schema import ClaimList
    from toolkit_plugins.counterclaims.chain import CounterClaimsChain

    claims = [
        _claim("c1", "a fan site", "The band will split up after the tour", 0),
        _claim("c2", "the band's manager", "It's nonsense", 100),
    ]
    claims[0] = claims[0].model_copy(update={"verb": "reported"})
    model = ScriptedModel([])  # no answers: any call would fail
    ctx = ChainContext(model=model)
    inp = ChainInput(article=article_from_text("x" * 200), deps={"claims": ClaimList(claims=claims)})
    output = CounterClaimsChain().build(ctx).invoke(inp)
    (pair,) = output.pairs
    assert (pair.claim_a, pair.claim_b, pair.relation, pair.decided_by) == ("c1", "c2", "contradicts", "rules")
    assert model.requests == [] and output.uncontested == []


def test_a_denial_answers_an_assertion_not_an_earlier_denial() -> None:
    claims = [
        _claim("c1", "a fan blog", "The singer was found dead at his home on Sunday", 0),
        _claim("c2", "the singer's agent", "The singer is not dead and the reports are false", 100),
        _claim("c3", "the record label", "rejected the reports that the singer is dead as false", 200),
    ]
    claims[2] = claims[2].model_copy(update={"verb": "rejected"})
    pairs = {(c.a.id, c.b.id): c.kind for c in candidate_pairs(claims)}
    assert ("c2", "c3") not in pairs  # two denials of one rumour agree
    assert ("c1", "c3") in pairs


def test_a_challenge_is_not_set_against_the_outlets_narration_by_similarity_alone() -> None:
    claims = [
        _claim("c1", "a gossip blog", "The actor was found dead at his home in Malibu", 0),
        _claim("c2", "the outlet", "The story about the actor's death spread quickly on social media", 100),
        _claim("c3", "the actor's publicist", "The story about his death is fake", 200),
    ]
    found = {(a.id, b.id): kind for a, b, kind in similar_pairs(claims)}
    assert ("c1", "c3") in found  # the publicist answers the blog
    assert ("c2", "c3") not in found  # the outlet telling of the hoax and the denial agree


def test_figures_meet_only_figures_of_the_same_quantity() -> None:
    from toolkit_plugins.counterclaims.chain import quantities

    assert quantities("more than 5,000 people attended the rally") == {"people": {5000.0}}
    assert quantities("the fund raised $72 million, then $80 million") == {"$": {72e6, 80e6}}
    assert quantities("Netflix had 34.9 percent of the traffic") == {"%": {34.9}}
    assert quantities("forecasts of 14 million") == {"million": {14e6}}
    assert quantities("The company was founded in 2015 by two students") == {}  # a year counts nothing
    # a day of the year is a date: two claims giving different ones for one event disagree
    assert quantities("The watch ships on Valentine's Day 2015") == {"date": {"val"}}
    assert quantities("A winter storm hit the town") == {}  # a season as a kind of storm is no date
    assert quantities("Protesters will march on Monday; prices may fall") == {}  # verbs, not months
    claims = [
        _claim("c1", "the organisers", "In 1999 the festival first opened its gates to the public", 0),
        _claim("c2", "the council", "The festival will cost $450 to open to the public", 100),
        _claim("c3", "the promoter", "The festival will cost $300 to open to the public", 200),
    ]
    found = {(a.id, b.id): kind for a, b, kind in similar_pairs(claims)}
    assert found.get(("c2", "c3")) == "figures"  # two prices for the same thing
    assert ("c1", "c2") not in found and ("c1", "c3") not in found  # a year is no price
