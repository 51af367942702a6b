"""Tests for the deterministic attribution finder (toolkit_plugins.news): offsets, claimants, content, cues."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from toolkit_plugins.news import OUTLET, UNNAMED_REPORTS, Analysis, Attribution, analyse, get_nlp, sentence_spans

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_ARTICLE = SHARED / "seed-article.txt"
FNC1_BODIES = SHARED / "data" / "fnc1" / "train_bodies.csv"

# Invented snippets (not from any article) covering the constructions the seed article lacks.
HARBOR = (
    "Harbor Council plans new ferry route\n"
    "The Harbor Authority (HA) said on Monday that the new ferry will start running in May. "
    '"We expect heavy demand. Tickets will be cheap," the authority\'s director, Maria Lopez, told reporters. '
    "Lopez added that fares would stay low for pensioners.\n"
    "However, HA admitted that the route may be slower than the old bridge.\n"
    "Read more: Ferries elsewhere in the region"
)
FARM = (
    "Tomas Berg, a local farmer, said the river had flooded twice this spring. "
    '"It was bad. We lost everything," he said.\n'
    "The bridge will close for three weeks of repairs, according to city engineers cited by the Daily Ledger.\n"
    "It was reported by the Daily Ledger that the old mill will close next year.\n"
    "The strike ended on Friday with the union saying it had won a pay rise for all members."
)
MUSEUM = (
    "The museum opened in 1990 and attracts thousands of visitors every year.\n"
    "It rained.\n"
    "Will the museum expand its galleries next year?\n"
    "Meanwhile, the curator stressed that no paintings had been damaged in the storm.\n"
    "The restoration, the curator explained, will take two years to finish.\n"
    "It said that nothing would change for the visitors."
)
SNIPPETS = {"harbor": HARBOR, "farm": FARM, "museum": MUSEUM}
PRONOUNS = {"he", "she", "it", "they", "that", "this", "which", "who", "i", "we", "you"}


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED_ARTICLE.exists():
        pytest.skip(f"reference article not found at {SEED_ARTICLE} (../shared is absent)")
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text: str) -> Analysis:
    return analyse(seed_text)


def assert_offsets(a: Analysis) -> None:
    """Every span field indexes the original text exactly (the evidence contract)."""
    text = a.text
    for s in a.sentences:
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
    assert [s.index for s in a.sentences] == list(range(len(a.sentences)))
    for x in a.attributions:
        assert text[x.content_start : x.content_end] == x.content
        assert text[x.quote_start : x.quote_end] == x.quote
        assert x.quote == a.sentences[x.sentence_index].text
        assert x.quote_start <= x.content_start <= x.content_end <= x.quote_end
        if x.claimant_start >= 0:
            assert text[x.claimant_start : x.claimant_end] == x.claimant_mention
        else:
            assert x.claimant_end == -1
    for ent_text, _label, start, end in a.entities:
        assert text[start:end] == ent_text
    starts = [(x.sentence_index, x.content_start) for x in a.attributions]
    assert starts == sorted(starts)
    keys = [(x.sentence_index, x.claimant, x.content_start, x.content_end) for x in a.attributions]
    assert len(keys) == len(set(keys)), "duplicate attributions"


def occurs_in(name: str, text: str) -> bool:
    """Claimant names are normalised only in case and spacing, never invented."""
    return name.lower() in " ".join(text.split()).lower()


def find(a: Analysis, sentence_part: str, claimant: str | None = None) -> Attribution:
    hits = [x for x in a.attributions if sentence_part in x.quote and (claimant is None or x.claimant == claimant)]
    assert hits, f"no attribution in the sentence containing {sentence_part!r}: {a.attributions}"
    return hits[0]


# ---------------------------------------------------------------------------------------------- pipeline


def test_get_nlp_is_cached() -> None:
    assert get_nlp() is get_nlp()


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_offsets_on_snippets(name: str) -> None:
    assert_offsets(analyse(SNIPPETS[name]))


def test_offsets_on_seed(seed: Analysis) -> None:
    assert_offsets(seed)


def test_analyse_is_deterministic() -> None:
    assert analyse(HARBOR) == analyse(HARBOR)


def test_empty_and_whitespace_text() -> None:
    assert analyse("").attributions == []
    assert sentence_spans("  \n\n ") == []


# ---------------------------------------------------------------------------------------------- sentences


def test_newlines_are_hard_boundaries_and_headings_detected() -> None:
    sents = sentence_spans(HARBOR)
    assert sents[0].text == "Harbor Council plans new ferry route" and sents[0].is_heading
    assert sents[-1].text.startswith("Read more:") and sents[-1].is_heading
    assert not any(s.is_heading for s in sents[1:-1])
    assert all("\n" not in s.text for s in sents)


def test_quotation_is_never_split() -> None:
    sents = [s.text for s in sentence_spans(HARBOR)]
    assert (
        '"We expect heavy demand. Tickets will be cheap," the authority\'s director, Maria Lopez, told reporters.'
        in sents
    )


def test_seed_sentences(seed: Analysis) -> None:
    headings = [s.text for s in seed.sentences if s.is_heading]
    assert headings[0].startswith("Ukraine, US increase intelligence-sharing")
    assert "Russian forces withdraw from Kharkov" in headings
    assert headings[-1].startswith("Read more:")
    stressed = [s.text for s in seed.sentences if "Pushilin stressed" in s.text]
    assert len(stressed) == 1 and stressed[0].startswith('"We have no other choice')


# ---------------------------------------------------------------------------------------------- seed article


def test_seed_ministry_quote_first(seed: Analysis) -> None:
    x = find(seed, "the Russian ministry of defense said")
    assert x.claimant == "Russian Ministry of Defense"
    assert x.claimant_mention == "the Russian ministry of defense"
    assert x.verb == "said"
    assert x.content.startswith("To achieve the goals of the special military operation")
    assert x.content.endswith("along the Donetsk front")


def test_seed_moscow_parenthetical(seed: Analysis) -> None:
    x = find(seed, "Moscow explained")
    assert (x.claimant, x.verb) == ("Moscow", "explained")
    assert "three-day operation" in x.content


def test_seed_pushilin_fierce_fighting(seed: Analysis) -> None:
    x = find(seed, "fierce fighting")
    assert x.claimant == "Denis Pushilin"
    assert x.claimant_mention == "the leader of the Donetsk People's Republic, Denis Pushilin"
    assert x.verb == "said" and x.cue == "However"
    assert x.content.startswith("there was fierce fighting")


def test_seed_pushilin_surname_resolved(seed: Analysis) -> None:
    x = find(seed, "Lyman")
    assert (x.claimant, x.claimant_mention, x.verb) == ("Denis Pushilin", "Pushilin", "explained")
    assert x.claimant_start >= 0
    assert '"very difficult"' in x.content and x.content.startswith("the situation in the town of Lyman")


def test_seed_pushilin_stressed_quote_one_claim_per_sentence(seed: Analysis) -> None:
    parts = [x for x in seed.attributions if "Pushilin stressed" in x.quote]
    assert {(x.claimant, x.verb) for x in parts} == {("Denis Pushilin", "stressed")}
    assert [x.content for x in parts] == [
        "We have no other choice but to keep Donbas and we'll succeed",
        "We'll win of course",
    ]
    for x in parts:
        assert seed.text[x.evidence_start : x.evidence_end] == x.content


def test_seed_konashenkov(seed: Analysis) -> None:
    x = find(seed, "Konashenkov")
    assert x.claimant == "Igor Konashenkov"
    assert x.claimant_mention == "Russian Defense Ministry spokesperson Igor Konashenkov"
    assert x.verb == "told reporters" and x.cue == "In light of the retreat"
    assert "more than 2,000 Ukrainian fighters" in x.content


def test_seed_one_official(seed: Analysis) -> None:
    x = find(seed, "one official said")
    assert (x.claimant, x.verb, x.cue) == ("one official", "said", "However")
    assert '"constantly"' in x.content


def test_seed_participle_saying(seed: Analysis) -> None:
    x = find(seed, "Kupiansk")
    assert (x.claimant, x.verb) == ("Ukrainian military", "saying")
    assert x.claimant_mention == "the Ukrainian military"
    assert x.content == "they entered the town of Kupiansk in Kharkov"


def test_seed_russia_announced(seed: Analysis) -> None:
    x = find(seed, "Russia announced")
    assert (x.claimant, x.verb) == ("Russia", "announced")
    assert x.content.startswith("its forces were withdrawing from the Kharkov region")


def test_seed_according_to_cited_by(seed: Analysis) -> None:
    x = find(seed, "according to unidentified senior US officials")
    assert x.claimant == "unidentified senior US officials"  # the source, not the relaying NYT
    assert x.verb == "according to" and x.cue == "However"
    assert x.content.startswith("all changed this summer")
    assert "according to" not in x.content and x.content.endswith("even more weapons")


def test_seed_the_sources_resolved(seed: Analysis) -> None:
    x = find(seed, "the sources highlighted")
    assert x.claimant == "unidentified senior US officials"
    assert x.claimant_mention == "the sources" and x.claimant_start == -1
    assert (x.verb, x.cue) == ("highlighted", "Furthermore")
    assert x.content.startswith("this decision enabled the US")


def test_seed_nyt_abbreviation(seed: Analysis) -> None:
    x = find(seed, "NYT revealed")
    assert (x.claimant, x.claimant_mention, x.verb) == ("The New York Times", "NYT", "revealed")
    assert x.content.startswith("they declined to elaborate")


def test_seed_reported_by(seed: Analysis) -> None:
    x = find(seed, "based on the information reported by")
    assert x.claimant == "The New York Times"
    assert x.cue == "Despite"
    assert x.content.startswith("Despite Washington providing information") and "based on" not in x.content


def test_seed_outlet_and_skips(seed: Analysis) -> None:
    outlet = [x for x in seed.attributions if x.claimant == OUTLET]
    assert [x.content for x in outlet] == [
        'This decision enables the US to provide "better and more relevant information on Russian weaknesses."'
    ]
    assert all(x.verb == "" for x in outlet)
    heading_indexes = {s.index for s in seed.sentences if s.is_heading}
    assert not any(x.sentence_index in heading_indexes for x in seed.attributions)


def test_seed_claimants_come_from_the_article(seed: Analysis) -> None:
    for x in seed.attributions:
        assert x.claimant == OUTLET or occurs_in(x.claimant, seed.text), x
        assert x.claimant.lower() not in PRONOUNS


def test_seed_counts(seed: Analysis) -> None:
    claimed = {x.sentence_index for x in seed.attributions}
    body = {s.index for s in seed.sentences if not s.is_heading}
    assert claimed == body  # every content sentence yields exactly the expected item
    # 14 sentences; three of them hold two statements each (a participle clause, a coordinated
    # clause with its own subject, a two-sentence quotation): 17 atomic claims
    assert len(seed.attributions) == 17


# ---------------------------------------------------------------------------------------------- snippets


def test_abbreviation_surname_and_apposition() -> None:
    a = analyse(HARBOR)
    first = find(a, "said on Monday")
    assert (first.claimant, first.claimant_mention) == ("Harbor Authority", "The Harbor Authority")
    assert first.content == "the new ferry will start running in May"
    lopez = [x for x in a.attributions if "told reporters" in x.quote]
    assert [(x.claimant, x.content) for x in lopez] == [
        ("Maria Lopez", "We expect heavy demand"),
        ("Maria Lopez", "Tickets will be cheap"),
    ]
    assert find(a, "fares would stay low").claimant == "Maria Lopez"
    ha = find(a, "HA admitted")
    assert (ha.claimant, ha.claimant_mention, ha.cue) == ("Harbor Authority", "HA", "However")


def test_pronoun_according_passive_and_participle() -> None:
    a = analyse(FARM)
    he = find(a, "he said")
    assert (he.claimant, he.claimant_mention, he.claimant_start) == ("Tomas Berg", "he", -1)
    assert he.content == "It was bad. We lost everything"
    engineers = find(a, "according to city engineers")
    assert engineers.claimant == "city engineers"
    assert engineers.content == "The bridge will close for three weeks of repairs"
    ledger = find(a, "It was reported by")
    assert (ledger.claimant, ledger.verb) == ("Daily Ledger", "reported by")
    assert ledger.content == "the old mill will close next year"
    union = find(a, "union saying")
    assert (union.claimant, union.verb, union.content) == ("union", "saying", "it had won a pay rise for all members")


def test_outlet_assertions_cues_and_unresolved_pronoun() -> None:
    a = analyse(MUSEUM)
    outlet = [x for x in a.attributions if x.claimant == OUTLET]
    # one statement (the second verb shares the subject), without the full stop
    assert [x.content for x in outlet] == ["The museum opened in 1990 and attracts thousands of visitors every year"]
    stressed = find(a, "curator stressed")
    assert (stressed.claimant, stressed.cue) == ("curator", "Meanwhile")
    explained = find(a, "the curator explained")
    assert explained.claimant == "curator" and "two years" in explained.content
    # "It said ..." has no antecedent: no invented claimant, and not the outlet's claim either
    assert not [x for x in a.attributions if "nothing would change" in x.quote]


# ---------------------------------------------------------------------------------------------- real news bodies


def test_fnc1_bodies_offsets_and_claimants() -> None:
    if not FNC1_BODIES.exists():
        pytest.skip(f"FNC-1 bodies not found at {FNC1_BODIES} (../shared is absent)")
    with FNC1_BODIES.open(encoding="utf-8", newline="") as fh:
        rows = [row for _, row in zip(range(12), csv.DictReader(fh), strict=False)]
    for row in rows:
        a = analyse(row["articleBody"])
        assert_offsets(a)
        for x in a.attributions:
            assert x.claimant in (OUTLET, UNNAMED_REPORTS) or occurs_in(x.claimant, a.text), (row["Body ID"], x)
            assert x.claimant.lower() not in PRONOUNS, (row["Body ID"], x)


# ---------------------------------------------------------------------------------------------- atomic claims


def _evidence(a: Analysis) -> list[tuple[str, str]]:
    return [(x.claimant, a.text[x.evidence_start : x.evidence_end]) for x in a.attributions]


def test_two_claimants_in_one_sentence_give_two_claims() -> None:
    a = analyse("Unions claimed 85% turnout on Monday, while the government called it a normal workday.")
    assert _evidence(a) == [("Unions", "85% turnout"), ("government", "called it a normal workday")]


def test_coordinated_statements_split_with_their_own_claimants() -> None:
    a = analyse("Police said 200 people attended the rally, and organisers said more than 5,000 marched.")
    assert _evidence(a) == [("Police", "200 people attended the rally"), ("organisers", "more than 5,000 marched")]


def test_quotation_paragraph_belongs_to_the_speaker_before_it() -> None:
    a = analyse(
        "Ann Lee, the mayor, said the budget was balanced.\n"
        '"We hired twenty new teachers this year. The schools have never been better funded.\n'
        "The council meets again on Friday."
    )
    assert _evidence(a) == [
        ("Ann Lee", "the budget was balanced"),
        ("Ann Lee", "We hired twenty new teachers this year"),
        ("Ann Lee", "The schools have never been better funded"),
        (OUTLET, "The council meets again on Friday"),
    ]


def test_impersonal_reports_get_a_descriptive_claimant() -> None:
    for sentence in (
        "The minister is reported to have resigned on Friday evening after the vote.",
        "The singer reportedly cancelled the rest of her tour last week.",
        "It's alleged that the coach used club funds to pay for his holidays in Spain.",
        "It was widely reported that the two ministers are no longer on speaking terms.",
    ):
        (x,) = analyse(sentence).attributions
        assert x.claimant == UNNAMED_REPORTS
    # "it's" for "it has", with what it did: the company's own thinking, no report
    (x,) = analyse("This is not the first time the company has said it's thought about opening shops.").attributions
    assert x.claimant != UNNAMED_REPORTS


def test_a_quotation_split_by_its_attribution_gives_each_part_without_it() -> None:
    a = analyse(
        'The talks ended on Friday. "The plan is dead," the minister said, "and we will not revive it this year."'
    )
    assert _evidence(a) == [("minister", "The plan is dead"), ("minister", "we will not revive it this year")]
    b = analyse('"We are keen to find the man," Tom Hale said "If anyone saw him, the police want to know."')
    assert ("Tom Hale", "If anyone saw him, the police want to know") in _evidence(b)  # the condition stays
    c = analyse(
        "Inspector Ann Reid said the dog was found on Monday. "
        '"We are keen to identify the person responsible," she said "If anyone can help we would ask them to call us."'
    )
    assert not any("call us" in q for _, q in _evidence(c))  # an appeal, split off, is still no claim
    d = analyse('The guards "stopped them," Ana Ruiz said, but "you know there are going to be dozens more."')
    assert ("Ana Ruiz", "you know there are going to be dozens more") in _evidence(d)  # her words go on
    f = analyse(
        'The new bridge "will open in May," Mayor Lee said, but "there is going to be a long delay on the ramps."'
    )
    assert ("Lee", "there is going to be a long delay on the ramps") in _evidence(f)
    g = analyse('Rescuers "found two climbers," Chief Ortiz said, and "there are still three people missing up there."')
    assert _evidence(g) == [("Ortiz", "found two climbers"), ("Ortiz", "there are still three people missing up there")]
    e = analyse('"We will win," Ana Ruiz said, and the mayor said "we will lose badly this time."')
    assert _evidence(e) == [("Ana Ruiz", "We will win"), ("mayor", "we will lose badly this time")]


def test_a_request_in_the_imperative_is_no_claim() -> None:
    a = analyse(
        "Mayor Ann Bell spoke on Monday. "
        '"The storm will reach the coast tonight," Bell said. "Please stay indoors until it has passed."\n\n'
        '"Do not drive on the coast road," Bell said.'
    )
    assert _evidence(a)[1:] == [("Ann Bell", "The storm will reach the coast tonight")]
    # a denial in the imperative, an assurance and a reason given are statements
    b = analyse(
        'Head teacher Tom Reed wrote to parents. "Ignore the reports that the school will close," Reed wrote. '
        '"Please be assured that the water is safe to drink," he added. '
        '"Don\u2019t worry, because the roof was repaired last week," Reed said.'
    )
    assert [q[:12] for _, q in _evidence(b)][1:] == ["Ignore the r", "Please be as", "Don\u2019t worry,"]


def test_inside_a_quotation_a_thing_that_suggests_is_the_speakers_reasoning() -> None:
    a = analyse(
        "Analyst Tom Decker spoke on Monday. "
        '"In this context," Decker said, "the shortage of doctors suggests that the outbreak could spread quickly."'
    )
    # no claim "In this context", and the shortage is no claimant
    assert _evidence(a)[1:] == [
        ("Tom Decker", "the shortage of doctors suggests that the outbreak could spread quickly")
    ]
    b = analyse(
        'Researcher Ana Ortiz spoke to the BBC. "We checked twice," Ortiz said. "The rumours are false. At the same '
        'time, the army has denied the rumours."'
    )
    assert [who for who, _ in _evidence(b)][-1] == "army"  # a party relayed inside the quotation stays its own


def test_a_concessive_attribution_before_the_main_one_keeps_its_own_claim() -> None:
    a = analyse(
        "While the ministry maintains there is no evidence that the dam was opened, local officials told "
        "reporters that the gates were raised on Sunday."
    )
    assert _evidence(a) == [
        ("ministry", "there is no evidence that the dam was opened"),
        ("local officials", "the gates were raised on Sunday"),
    ]


def test_a_passive_report_is_a_statement_not_an_attribution() -> None:
    a = analyse("No injuries were reported, but more than 80 families had to leave their homes, the ministry said.")
    assert _evidence(a) == [
        ("ministry", "No injuries were reported"),
        ("ministry", "more than 80 families had to leave their homes"),
    ]


def test_a_part_keeps_the_bracket_it_opened() -> None:
    a = analyse("The talks ended on Monday. 'A truce has been agreed with the Patriotic Front (PF),' the general said.")
    assert _evidence(a)[-1] == ("general", "A truce has been agreed with the Patriotic Front (PF)")


def test_a_denial_the_outlet_appends_is_not_part_of_the_statement() -> None:
    a = analyse("The union says the company hired guards -- a claim the company strongly denies.")
    assert _evidence(a) == [("union", "the company hired guards")]
    b = analyse("It is alleged that the coach used club funds to pay for his holidays, a claim the coach denies.")
    assert _evidence(b) == [(UNNAMED_REPORTS, "It is alleged that the coach used club funds to pay for his holidays")]


def test_denial_keeps_its_verb_and_a_relative_clause_is_its_own_claim() -> None:
    a = analyse("The ministry has denied sending troops across the border last week.")
    assert _evidence(a) == [("ministry", "has denied sending troops across the border last week")]
    b = analyse("The board appointed Tom Ruiz, who had run the regional bank for ten years, as its chief.")
    assert _evidence(b) == [
        (OUTLET, "The board appointed Tom Ruiz, who had run the regional bank for ten years, as its chief"),
        (OUTLET, "who had run the regional bank for ten years"),
    ]


def test_reports_carry_over_and_studies_find() -> None:
    a = analyse(
        "The Harbour Herald reports that the mayor sold the land in March. "
        "The buyer paid twice the market price for the plot.\n"
        "Word has it that the council will sell more land next year.\n"
        "A recent survey found that most residents oppose the sale.\n"
        "The city concluded that the sale was legal after a long review."
    )
    assert _evidence(a)[:4] == [
        ("Harbour Herald", "the mayor sold the land in March"),
        ("Harbour Herald", "The buyer paid twice the market price for the plot"),
        (UNNAMED_REPORTS, "Word has it that the council will sell more land next year"),
        ("recent survey", "most residents oppose the sale"),
    ]
    assert _evidence(a)[4][0] == OUTLET  # a decision, not a report: the outlet says the city concluded


def test_a_role_stands_for_the_person_the_article_names_with_it() -> None:
    a = analyse(
        "Dan Reyes, a former city engineer, reviewed the plans last month.\n"
        "The engineer said the bridge was unsafe for heavy trucks.\n"
        "Bank analyst Maria Stone expects prices to rise. The analyst said demand would double next year.\n"
        "Later a city engineer said the bridge was unsafe for heavy trucks and buses.\n"
        "A man said he saw the crash from his window."
    )
    claimants = [c for c, _ in _evidence(a) if c != OUTLET]
    # an indefinite description ("a city engineer") introduces someone new; "man" is anyone
    assert claimants == ["Dan Reyes", "Maria Stone", "city engineer", "man"]


def test_clause_final_report_attributes_the_clause_before_it() -> None:
    a = analyse(
        "The bakery chain will close forty shops by the summer, the Daily Ledger reported on Tuesday.\n"
        "The bakery chain will close forty shops, and the union said it would strike."
    )
    assert _evidence(a)[0] == ("Daily Ledger", "The bakery chain will close forty shops by the summer")
    assert ("union", "it would strike") in _evidence(a)


def test_a_quoted_text_belongs_to_its_author() -> None:
    a = analyse(
        "The dispute ended with a statement from the Port Authority: “The cranes will run again on Monday.”\n"
        "Later the fan site posted the line: “The band is splitting up!”\n"
        "A protester held up a sign: “Jobs now.”"
    )
    found = _evidence(a)
    assert ("Port Authority", "The cranes will run again on Monday") in found
    assert any(c.endswith("fan site") and "band is splitting up" in q for c, q in found)
    assert all(c in (OUTLET, "Port Authority") or c.endswith("fan site") for c, _ in found)


def test_a_forecasters_conjectures_that_follow_stay_theirs() -> None:
    a = analyse(
        "Analyst Rita Moss said she expects the basic phone to cost $300. "
        "The larger model could cost $450. Leather cases might add another $40 to the price of each phone.\n"
        "The phones could also sell out quickly.\n"
        "Analyst Rita Moss said sales would be strong. The chain opened its first shop in the city in 2004."
    )
    found = _evidence(a)
    assert ("Rita Moss", "The larger model could cost $450") in found
    assert ("Rita Moss", "Leather cases might add another $40 to the price of each phone") in found
    assert (OUTLET, "The phones could also sell out quickly") in found  # a new paragraph: the outlet's
    assert (OUTLET, "The chain opened its first shop in the city in 2004") in found  # not a conjecture


def test_a_role_named_later_in_apposition_is_that_person() -> None:
    a = analyse(
        "The baker's brother, however, said that the shop is losing money. "
        "Later the witness to the robbery said the thief was tall.\n"
        "The baker’s brother, Tom Wells, spoke to reporters. The witness, Maria Lopez, was shopping next door."
    )
    claimants = [c for c, _ in _evidence(a) if c != OUTLET]
    assert claimants == ["Tom Wells", "Maria Lopez"]


def test_a_post_quoted_after_a_colon_is_its_authors_even_across_sentences() -> None:
    a = analyse(
        "Rosa Kemp, who runs the shelter, posted on its website on Friday: “To all our friends. "
        "The dogs are safe and the roof has been fixed by volunteers. We reopen next week.”"
    )
    found = _evidence(a)
    assert any(c == "Rosa Kemp" and "dogs are safe" in q for c, q in found)
    assert OUTLET not in {c for c, _ in found}


def test_whoever_reports_goes_on_relaying_in_the_paragraph() -> None:
    a = analyse(
        "The Ledger reports that a tenant complained to the landlord after he was billed twice. "
        "After the complaint, the landlord promised him a refund but instead sent him a second bill.\n"
        "The building was sold in 2019 to a property fund based in Oslo."
    )
    found = _evidence(a)
    assert any(c == "Ledger" and "landlord promised him a refund" in q for c, q in found)
    assert found[-1][0] == OUTLET  # a new paragraph


def test_a_quotation_announced_with_a_colon_is_the_announcers() -> None:
    a = analyse(
        "On Sunday a spokesman for the water board issued a statement:\n\n"
        "“We have read online posts saying the tap water is unsafe. These posts are wrong. "
        "The water meets every standard.”\n"
        "\"The tests are done every day,'' said chemist Ada Park in an email."
    )
    found = _evidence(a)
    assert {c for c, _ in found} == {"spokesman for the water board", "Ada Park"}
    assert ("spokesman for the water board", "These posts are wrong") in found
    assert ("Ada Park", "The tests are done every day") in found  # wire copy's '' closes the quotation


def test_an_attribution_between_two_clauses_attributes_the_first() -> None:
    a = analyse(
        "Twenty workers were hurt in the blast, the mayor says, but the company has called the figure exaggerated."
    )
    assert _evidence(a) == [
        ("mayor", "Twenty workers were hurt in the blast"),
        ("company", "called the figure exaggerated"),
    ]


def test_the_outlets_clause_before_a_coordinated_attribution_is_its_own() -> None:
    a = analyse(
        "Prices rose by ten percent last year, and analysts said they would rise again.\n"
        "The mayor said the bridge is safe, and repairs will finish in May."
    )
    found = _evidence(a)
    assert (OUTLET, "Prices rose by ten percent last year") in found
    assert ("analysts", "they would rise again") in found
    assert OUTLET not in {c for c, q in found if "bridge" in q or "repairs" in q}


def test_who_is_forced_to_confirm_confirms() -> None:
    a = analyse(
        "The singer Tom Reed has been forced to confirm that he is alive after rumours spread online.\n"
        "The minister was asked to confirm that the talks had failed."
    )
    found = _evidence(a)
    assert any(c == "Tom Reed" and q.startswith("he is alive") for c, q in found)
    assert all(c != "minister" for c, _ in found)  # asked to confirm is not confirming


def test_an_embedded_tweet_is_its_authors_without_its_links() -> None:
    text = (
        "Here is what people posted on Monday:\n\n"
        "#Harbor ferry cancelled after engine fire, all passengers safe pic.twitter.com/AbCdEf123\n\n"
        "— Lena Ortiz (@lenaortiz) March 3, 2025\n\n"
        "The ferry company has not commented."
    )
    a = analyse(text)
    found = {(c, q) for c, q in _evidence(a)}
    assert any(
        c == "Lena Ortiz" and "ferry cancelled after engine fire" in q and "pic.twitter" not in q for c, q in found
    )
    assert not any("(@lenaortiz)" in q for _, q in found)


def test_a_though_clause_is_a_claim_of_its_own() -> None:
    a = analyse(
        "A recent survey found that the bakery is now the second largest chain in the region, "
        "though its rival still dominates."
    )
    found = _evidence(a)
    assert ("recent survey", "the bakery is now the second largest chain in the region") in found
    assert any(c == "recent survey" and q.endswith("its rival still dominates") for c, q in found)


def test_a_text_released_by_someone_speaks_for_its_publisher() -> None:
    a = analyse(
        "Video footage released by the Harbor Authority shows the ferry leaving the port at night.\n"
        "A report published by the city council says the bridge is unsafe."
    )
    assert [c for c, _ in _evidence(a)] == ["Harbor Authority", "city council"]


def test_the_report_a_denial_answers_is_a_claim_of_its_own() -> None:
    a = analyse(
        "The mayor's office has denied reports that the city will close three libraries next year.\n\n"
        "The union rejected claims by the ministry that wages rose by 8 percent, saying prices rose faster.\n\n"
        "The club dismissed reports of a takeover by a group of American investors."
    )
    found = [(att.claimant, att.verb, q) for att, (_, q) in zip(a.attributions, _evidence(a), strict=True)]
    assert (UNNAMED_REPORTS, "reported", "the city will close three libraries next year") in found
    assert ("the ministry", "claimed", "wages rose by 8 percent") in found  # the named source's claim
    assert any(c == "mayor's office" and "denied" in v for c, v, _ in found)  # the denial stays
    assert not any("takeover" in q and c == UNNAMED_REPORTS for c, _, q in found)  # "reports of" states nothing


def test_a_denied_claim_that_restates_an_earlier_one_is_not_a_new_report() -> None:
    a = analyse(
        "A former player said on the radio that the striker has been banned for six matches by the league.\n\n"
        "The league and the striker's agent have denied claims that he was banned for six matches."
    )
    assert UNNAMED_REPORTS not in [att.claimant for att in a.attributions]


def test_said_as_a_given_name_is_not_the_reporting_verb() -> None:
    a = analyse(
        "“Thirty shops were damaged and 15 people are in hospital,” chief of the fire service, "
        "Brigadier General Said Al-Masri, told Reuters."
    )
    assert _evidence(a) == [
        ("Said Al-Masri", "Thirty shops were damaged"),
        ("Said Al-Masri", "15 people are in hospital"),
    ]


def test_the_outlets_newsgathering_and_gallery_widgets_are_no_claims() -> None:
    a = analyse(
        "The ferry company cancelled all crossings on Monday after an engine fire.\n\n"
        "The Daily Courier reached out to the ferry company for comment.\n\n"
        "We will update this article when we hear back.\n\n"
        "Ferry Fleet Harbor Views Night Crossings VIEW ALL PHOTOS IN GALLERY\n\n"
        "The ferry company has declined to comment on the cause of the fire."
    )
    quotes = [q for _, q in _evidence(a)]
    assert any(q.startswith("The ferry company cancelled all crossings") for q in quotes)
    assert any("declined to comment" in q for q in quotes)  # a party's non-comment is a claim
    assert not any("reached out" in q or "update this article" in q or "GALLERY" in q for q in quotes)


def test_who_spoke_to_whom_is_no_claim_of_the_outlet_but_what_they_spoke_about_is() -> None:
    a = analyse(
        "The council closed the old harbour bridge on Tuesday after inspectors found cracks.\n\n"
        "The inspector's deputy also spoke to the Gazette.\n\n"
        "The mayor talked about closing the bridge for good at a meeting on Friday.\n\n"
        "The chief engineer has not spoken publicly about the cracks since then."
    )
    quotes = [q for _, q in _evidence(a)]
    assert not any("spoke to the Gazette" in q for q in quotes)  # narration of the reporting
    assert any(q.startswith("The mayor talked about closing the bridge") for q in quotes)
    assert any("has not spoken publicly" in q for q in quotes)  # a silence is a checkable statement


def test_a_trailing_participle_of_speaking_passes_on_a_statement_of_its_own() -> None:
    a = analyse("Police said the driver fled the scene on foot, adding that a search was under way.")
    assert _evidence(a) == [
        ("Police", "the driver fled the scene on foot, adding that a search was under way"),
        ("Police", "a search was under way"),  # what was added, not "adding that ..."
    ]
    b = analyse("The storm flooded the valley overnight, leaving hundreds of families without power.")
    assert any(q.startswith("leaving hundreds of families") for _, q in _evidence(b))  # a side fact stays


def test_a_story_with_no_name_of_its_own_is_its_publishers() -> None:
    a = analyse(
        "The singer's death was reported by Starwire.biz, a hoax website.\n\n"
        "The fake story claimed that she had been found dead in her Paris flat.\n\n"
        "Meanwhile the phony article on the Celebnews site claimed she had left a note."
    )
    assert [(who, q[:20]) for who, q in _evidence(a)][1:] == [
        ("Starwire.biz", "she had been found d"),  # the publication that reported it just before
        ("Celebnews site", "she had left a note"),  # the site its own phrase names
    ]
    b = analyse(
        "An earlier version of this story said that the mayor had resigned.\n\n"
        "A report in March said that the bridge would close."
    )
    # our own earlier version is nobody's publisher; a month is no publisher either
    assert [who for who, _ in _evidence(b)] == ["earlier version of this story", "report"]
    assert _evidence(analyse("A statement from Monday said that the bridge would close."))[0][0] != "Monday"


def test_a_quoted_headline_is_not_who_claims_and_a_story_takes_the_publisher_named_next() -> None:
    a = analyse(
        "A prank site dressed up as a news page fooled thousands of readers on Tuesday.\n\n"
        "The convincing story was headlined, \u201cPolice: Pop Star Mara Lind Found Dead in Her Home,\u201d and "
        "claimed that the singer had died after a fall.\n\n"
        "Hours later the fake story on the bogus CNN site claimed the cause of death was still unknown."
    )
    claimants = {q: who for who, q in _evidence(a)}
    # the parser takes the headline's "Found" for the main verb; its words are not the claimant
    assert claimants["the singer had died after a fall"] == "bogus CNN site"  # the same story, named next
    # the headline is the story's claim too, not the outlet's telling of it
    assert claimants["Police: Pop Star Mara Lind Found Dead in Her Home"] == "bogus CNN site"
    b = analyse(
        "The tablet will ship in May, according to the report.\n\n"
        "A report from the Daily Ledger in March said that the price would fall."
    )
    assert _evidence(b)[0][0] != "Daily Ledger"  # 'a report from' is another report, not the same one


def test_a_documents_quoted_headline_is_its_claim() -> None:
    a = analyse(
        "The rumour spread from a satirical website on Monday.\n\n"
        'The false article was headlined "Ministry Orders All Cafes to Close by Nine" and was shared widely.\n\n'
        "A post, headlined: \u201cTrain Fares to Double Next Year\u201d, appeared on a site made to look like the BBC."
    )
    found = _evidence(a)
    assert ("article", "Ministry Orders All Cafes to Close by Nine") in found
    assert ("post", "Train Fares to Double Next Year") in found
    assert not any(who == OUTLET and "headlined" in q for who, q in found)  # not the outlet's claim
    # a headline named as a title, not quoted, and a statement about headlines are not headlines' claims
    b = analyse("The paper headlined its front page with the election results on Friday.")
    assert all(who == OUTLET for who, _ in _evidence(b))


def test_british_single_quotation_marks_are_quotations() -> None:
    a = analyse(
        "Asked about the strike, a union spokeswoman said: \u2018The members voted to walk out on Monday.\n\n"
        "\u2018The players\u2019 union will back them. Nobody wants a long dispute.\u2019"
    )
    evidence = _evidence(a)
    # the next paragraph reopens the quotation by convention: still the spokeswoman's, and a
    # plural possessive's apostrophe does not close it
    assert ("union spokeswoman", "The players\u2019 union will back them") in evidence
    assert all(who == "union spokeswoman" for who, _ in evidence)
    b = analyse(
        "The coach released a photo of the team holding the cup, along with a note, "
        "\u2018The final will be played as planned.\u2019"
    )
    assert _evidence(b) == [("coach", "The final will be played as planned")]  # the note is the coach's


def test_a_quotation_inside_a_quotation_does_not_end_it() -> None:
    for inner in ("\u201cMidnight Mint\u201d", "\u2018Midnight Mint\u2019"):
        a = analyse(f"A company spokesman said: \u201cWe have heard people say we launched a {inner} flavour.\u201d")
        assert _evidence(a)[0][1] == f"We have heard people say we launched a {inner} flavour"


def test_someone_quoted_as_saying_is_the_claimant_and_no_one_is_nobody() -> None:
    a = analyse(
        "The minister was quoted by the Daily Ledger as saying that the talks had failed. "
        "\u201cThe border will stay closed,\u201d one official was quoted as saying."
    )
    assert [(who, q) for who, q in _evidence(a)] == [
        ("minister", "the talks had failed"),
        ("one official", "The border will stay closed"),
    ]
    assert a.attributions[0].verb == "quoted by the Daily Ledger as saying"  # the relay stays in sight
    b = analyse("The singer said on Friday: \u201cI am not retiring. No one can say I have lost my voice.\u201d")
    assert "No one" not in {who for who, _ in _evidence(b)}


def test_that_as_the_subject_stays_in_the_quote_and_the_conjunction_goes() -> None:
    a = analyse(
        "\u201cThat\u2019s the best offer we have had,\u201d the club chairman said. "
        "The coach said that is false. The coach told reporters that Ramos was fit to play."
    )
    assert [q for _, q in _evidence(a)] == [
        "That\u2019s the best offer we have had",  # not "\u2019s the best offer ..."
        "that is false",
        "Ramos was fit to play",
    ]


def test_the_source_a_report_cites_is_not_what_it_reports() -> None:
    a = analyse(
        "The striker broke his wrist in training on Monday, the Evening Ledger said, citing a club doctor. "
        "The agency reported on Friday, citing two senior officials, that the border would reopen. "
        "The talks collapsed overnight, quoting local radio."
    )
    quotes = [q for _, q in _evidence(a)]
    assert "The striker broke his wrist in training on Monday" in quotes
    assert "the border would reopen" in quotes
    assert not any(q.startswith(("citing", "quoting")) for q in quotes)
    # whom the claimant relays stays in sight beside the verb
    assert [x.verb for x in a.attributions[:2]] == [
        "said, citing a club doctor",
        "reported, citing two senior officials",
    ]


def test_a_text_filed_under_a_publishers_name_is_the_publishers() -> None:
    a = analyse(
        "Yesterday\u2019s Evening Ledger story said the mayor would resign. "
        "A City Hall statement said the budget was balanced. "
        "A French Apple website said the phone would ship in May. "
        "Autopsy reports conducted by the county found that the man had been shot twice."
    )
    assert [who for who, _ in _evidence(a)] == [
        "Evening Ledger",  # not "Yesterday"
        "City Hall",
        "French Apple website",  # a site named after what it covers is not that company's
        "Autopsy reports",  # the sentence's first word is no publisher's name
    ]


def test_the_following_introduces_the_quotation_after_it() -> None:
    a = analyse(
        "The two leaders met on Friday. A statement by the ministry later announced the following.\n\n"
        "\u201cThe king and the president discussed the drought. They agreed to meet again in March.\u201d\n\n"
        "The guide said he had been following the convoy since noon."
    )
    assert _evidence(a)[1:] == [
        ("ministry", "The king and the president discussed the drought"),  # not "the following"
        ("ministry", "They agreed to meet again in March"),
        ("guide", "he had been following the convoy since noon"),
    ]


def test_first_person_words_printed_without_marks_are_the_speakers_not_the_outlets() -> None:
    a = analyse(
        "Jess Smith, 21, said she had never seen the photos.\n\n"
        "I used to hide it. My close friends and family knew.\n\n"
        "The show first aired in 1997.\n\n"
        "We asked the producers for comment. We\u2019ll update this post when they reply.\n\n"
        "I think Smith will be recognised everywhere now."
    )
    assert _evidence(a) == [
        ("Jess Smith", "she had never seen the photos"),
        ("Jess Smith", "I used to hide it"),
        ("Jess Smith", "My close friends and family knew"),
        ("the outlet", "The show first aired in 1997"),
    ]  # the outlet at work, and a writer's aside naming Smith, are no one's claim


def test_she_is_not_a_man_the_article_calls_mr() -> None:
    a = analyse(
        "Swimmer Michael Dunn, 29, said his engagement was over.\n\n"
        "Taylor Reed, his former fiancee, spoke to reporters on Monday. She said she had never lied to him.\n\n"
        "Mr Dunn did not reply. She wrote in a Facebook post that she was never a man."
    )
    claimants = {q: who for who, q in _evidence(a)}
    assert claimants["she was never a man"] == "Taylor Reed"  # not the latest person named, Mr Dunn


def test_a_comment_the_outlet_appends_to_a_statement_is_not_part_of_it() -> None:
    a = analyse(
        "A former referee said in a podcast that the club paid officials before the final -- a claim that "
        "the club and the league strongly deny."
    )
    assert ("former referee", "the club paid officials before the final") in _evidence(a)


def test_a_sentence_about_the_relayed_report_is_not_the_reports() -> None:
    a = analyse(
        "The Evening Courier reports that the mayor will resign next week. The mayor plans to move abroad. "
        "These reports have not been confirmed by the city council."
    )
    claimants = {q: c for c, q in _evidence(a)}
    assert claimants["The mayor plans to move abroad"] == "Evening Courier"  # still relaying
    assert claimants["These reports have not been confirmed by the city council"] == OUTLET


def test_an_impersonal_report_beside_a_named_source_is_the_reports() -> None:
    a = analyse(
        "It was said the minister had resigned over the budget, but the ministry told Reuters the minister "
        "was still in office.\n\nIt was reported the bridge will close in May."
    )
    found = _evidence(a)
    assert any(c == UNNAMED_REPORTS and "the minister had resigned" in q for c, q in found)
    assert any(c == "ministry" and "still in office" in q for c, q in found)
    assert any(c == UNNAMED_REPORTS and "the bridge will close in May" in q for c, q in found)  # no "that"


def test_a_sentence_opening_possessive_role_is_the_person_named_with_that_role() -> None:
    a = analyse(
        "The baker’s sister, Ana Wells, spoke to reporters. "
        "Her sister also says the shop is actually not in debt. It closed in May."
    )
    assert ("Ana Wells", "the shop is actually not in debt") in _evidence(a)


def test_an_indefinite_someone_is_named_only_when_the_article_names_them_in_so_many_words() -> None:
    named = analyse(
        "A woman says her landlord evicted her after she complained about the heating.\n"
        "The Ledger reports that a woman known as Dana rented the flat for six years."
    )
    assert named.attributions[0].claimant == "Dana"
    unnamed = analyse(
        "A woman says her landlord evicted her after she complained about the heating.\n"
        "Dana Holt, a neighbour, said the heating had failed twice."
    )
    assert unnamed.attributions[0].claimant != "Dana Holt"  # a new someone, not the next name


def test_clause_only_verbs_report_with_a_that_clause_and_not_otherwise() -> None:
    found = _evidence(
        analyse(
            "A coroner who examined the body determined that the man had drowned. "
            "On Friday, Rosa Kemp posted that the shelter would reopen next week. "
            "In 1990, the bishop implied that the chapel would be sold. "
            "The banner appeared in a photo posted on Monday by the Harbor Club."
        )
    )
    assert ("coroner", "the man had drowned") in found
    assert ("Rosa Kemp", "the shelter would reopen next week") in found
    assert ("bishop", "the chapel would be sold") in found
    assert not any(c == "Harbor Club" for c, _ in found)  # a photo posted by someone says nothing


def test_passive_beliefs_and_criticism_with_no_one_named_are_unnamed_reports() -> None:
    a = analyse(
        "It’s been thought that the ferry was delayed to refit its engines. "
        "The mayor has been criticized for ignoring the harbour's safety rules. "
        "The captain was accused of negligence by the port authority. "
        "The ferry carries 300 passengers on every crossing."
    )
    claimants = [x.claimant for x in a.attributions]
    assert claimants[:2] == [UNNAMED_REPORTS, UNNAMED_REPORTS]
    assert UNNAMED_REPORTS not in claimants[2:]  # an accuser is named; the last is the outlet's
    assert claimants[-1] == OUTLET


def test_a_quotation_paragraph_signed_with_a_dash_is_the_signers() -> None:
    a = analyse(
        "The harbour reopened on Monday after the storm.\n\n"
        "'The repairs took three weeks. The ferries will run every hour.'\n"
        "- the port's deputy director, Dr Ana Ruiz\n\n"
        "Ferries were cancelled for a week.\n"
        "“We lost money,” a ferry captain told the Ledger. “It was a hard month.”\n"
        "– Tom Wells"
    )
    found = _evidence(a)
    assert ("Dr Ana Ruiz", "The ferries will run every hour") in found
    assert not any(c == "Tom Wells" for c, _ in found)  # a byline under a reported quote signs nothing


def test_he_after_a_subject_named_in_apposition_is_that_person() -> None:
    a = analyse(
        "Rosa Kemp, who runs the shelter, said the dogs were safe. "
        "The baker's brother, Tom Wells, wrote to the council. “This is not fair,” he said."
    )
    assert ("Tom Wells", "This is not fair") in _evidence(a)


def test_a_speaker_named_after_the_verb_in_an_inverted_attribution_is_the_claimant() -> None:
    a = analyse(
        "More homes could be flooded if the council opens the sluices, warned Harbor Authority spokesman Ali Omar. "
        "The water is rising quickly, he said."
    )
    claimants = [c for c, _ in _evidence(a)]
    assert claimants == ["Ali Omar", "Ali Omar"]


def test_an_impersonal_report_beside_a_publications_report_is_that_publications() -> None:
    a = analyse(
        "Word has it that the mill will close next spring. The owners plan to sell the land, the Daily Ledger "
        "reported on Friday.\n"
        "The mayor opened a new school on Monday.\n"
        "The council is also weighing a new tram line, according to the news site Harbor Wire. The line would "
        "reportedly run from the port to the airport.\n"
        "The bridge reportedly needs new cables."
    )
    by_claim = {q: c for c, q in _evidence(a)}
    assert by_claim["Word has it that the mill will close next spring"] == "Daily Ledger"
    assert by_claim["The line would reportedly run from the port to the airport"] == "news site Harbor Wire"
    assert by_claim["The bridge reportedly needs new cables"] == UNNAMED_REPORTS  # a paragraph of its own


def test_a_news_agency_glued_to_a_name_by_the_parser_is_not_part_of_the_name() -> None:
    a = analyse("The minister told Reuters Kim was in good health. Kim said on Friday that he had recovered.")
    assert [c for c, _ in _evidence(a)] == ["minister", "Kim"]


def test_a_role_of_a_body_named_after_a_common_noun_is_compacted() -> None:
    a = analyse(
        "The leader of the local protest group Green Harbor said the march would go ahead. "
        "The head of the regional aid agency Harbor Relief said the camp was full. "
        "The director of the city's museum said the paintings were safe."
    )
    assert [c for c, _ in _evidence(a)] == [
        "Green Harbor leader",
        "Harbor Relief head",
        "director of the city's museum",  # no body named: kept as written
    ]


def test_a_parenthetical_attribution_before_the_clause_gives_the_clause() -> None:
    a = analyse(
        "The Ledger said the city tested buses. For example, the Ledger reported, Harbor Transit tested sensors "
        "to measure air quality, which would have helped monitor pollution levels. "
        "But the mayor has not confirmed the plan, so the budget is still open."
    )
    found = _evidence(a)
    assert (
        "Ledger",
        "Harbor Transit tested sensors to measure air quality, which would have helped monitor pollution levels",
    ) in found
    assert not any(q.startswith("For example") for _, q in found)  # the attribution is not the claim


def test_the_sources_a_publication_cited_are_that_publications_sources() -> None:
    a = analyse(
        "The port will close in May, the Daily Ledger reported Monday, citing sources close to the council. "
        "The ferry operator was not told, the sources said."
    )
    assert [c for c, _ in _evidence(a)] == ["Daily Ledger", "Daily Ledger's sources"]


def test_a_delayed_identification_lead_names_its_someone_in_the_next_paragraph() -> None:
    a = analyse(
        "A retired ferry captain said on local radio that the harbour will close for a year.\n\n"
        "Tom Wells, 61, who sailed the route for twenty years, told Harbor FM that the repairs had not begun.\n\n"
        "The council did not comment."
    )
    assert [c for c, _ in _evidence(a)][:2] == ["Tom Wells", "Tom Wells"]
    unnamed = analyse(
        "A retired ferry captain said on local radio that the harbour will close for a year.\n\n"
        "The council voted on Monday. Tom Wells, a councillor, said the repairs had not begun."
    )
    assert unnamed.attributions[0].claimant != "Tom Wells"  # not the next paragraph's opening statement


def test_a_lead_someone_is_the_new_name_that_later_says_the_same_thing() -> None:
    lead = "A Cornish fisherman says he has no idea how his stolen trawler ended up in a Spanish harbour.\n\n"
    a = analyse(
        lead + "The trawler, a blue boat with the name of his firm on its hull, was found on Monday.\n\n"
        "Tom Wells, whose father founded the firm, told the Gazette he had reported the theft in May. "
        "He says he has no idea how the trawler ended up in Spain."
    )
    assert a.attributions[0].claimant == "Tom Wells"
    denied = analyse(
        lead + "The trawler was found on Monday.\n\n"
        "Tom Wells, the harbour master, denied that the trawler ended up in a Spanish harbour."
    )
    assert denied.attributions[0].claimant != "Tom Wells"  # a denial answers the lead, it does not restate it


def test_a_capitalised_word_before_the_verb_mid_sentence_is_a_surname() -> None:
    a = analyse("It has been rumored the ferry might sink, but So said that is false.")
    assert [c for c, _ in _evidence(a)] == [UNNAMED_REPORTS, "So"]


def test_a_denial_supposed_in_an_if_clause_is_no_ones_claim() -> None:
    a = analyse("Even if the council denies any problems, the ferry has not sailed since May.")
    assert [c for c, _ in _evidence(a)] == [OUTLET]


def test_the_writers_inference_after_a_trailing_attribution_is_the_outlets() -> None:
    a = analyse(
        "The ferry's engines are in good repair, the harbour board said on Friday evening, "
        "so the crossing is probably not going to be cancelled."
    )
    found = _evidence(a)
    assert found[0][0] == "harbour board"
    assert (OUTLET, "the crossing is probably not going to be cancelled") in found


def test_he_is_the_main_clauses_subject_named_earlier_in_the_sentence() -> None:
    a = analyse(
        "In 1990, Mayor Tom Wells said the ferry would run for ever. "
        "In 2008, former Mayor Ben Cole upset some residents when he said the ferry would close."
    )
    assert [c for c, _ in _evidence(a)] == ["Tom Wells", "Ben Cole"]
    quoted = analyse(
        "Inspector Tom Wells said the case was sad. "
        "“Regardless of the fact Rex was left with his lead, this was cruel,” he said."
    )
    assert {c for c, _ in _evidence(quoted)} == {"Tom Wells"}  # not a subject inside the quotation


def test_told_of_gives_the_account_with_its_verb() -> None:
    a = analyse(
        "Witnesses claimed that they heard up to ten shots. "
        "Dana Holt, a friend of the victim who was with him, told of only a few. Time will tell."
    )
    assert _evidence(a)[1] == ("Dana Holt", "told of only a few")
    assert len(a.attributions) == 2  # "time will tell" tells nothing


def test_a_negated_clause_corrected_by_but_is_one_statement_and_other_contrasts_split() -> None:
    one = analyse("“It's not the engine, but it's something else,” the captain said.")
    assert _evidence(one) == [("captain", "It's not the engine, but it's something else")]
    two = analyse("The mayor said the ferry is not safe, but the council insists it will sail on Monday.")
    assert len(two.attributions) >= 2


def test_a_quotation_that_is_only_part_of_the_reported_clause_keeps_the_clause() -> None:
    a = analyse('The agency later corrected itself, saying "no sign" the virus had spread beyond the ward.')
    assert _evidence(a) == [("agency", '"no sign" the virus had spread beyond the ward')]
    partial = analyse('A minister said "the port is open" to all ships from Monday.')
    assert _evidence(partial) == [("minister", '"the port is open" to all ships from Monday')]
    # a quotation closed by its own punctuation ends the statement
    closed = analyse('The minister said "we will never give up," and the crowd cheered.')
    assert _evidence(closed)[0] == ("minister", "we will never give up")


def test_a_quotation_in_a_later_clause_or_inside_the_object_is_not_the_verbs() -> None:
    participle = analyse(
        "A clinic spokesperson confirmed the news to reporters, saying that the man "
        '"ticked yes" to one of the screening questions about travel.'
    )
    assert _evidence(participle) == [
        ("clinic spokesperson", 'the man "ticked yes" to one of the screening questions about travel')
    ]  # neither "ticked yes" nor "the news" is a statement of 'confirmed'
    named = analyse("The network also posted a list of highlights for the “Sunday Night Boxing” broadcast.")
    assert all(c == OUTLET for c, _ in _evidence(named))
    told = analyse('The mayor told reporters on Monday: "The bridge is safe."')
    assert _evidence(told) == [("mayor", "The bridge is safe")]


def test_an_object_that_states_something_stays_beside_the_participle() -> None:
    a = analyse("The ministry confirmed the deaths of three soldiers, saying they were killed in an ambush.")
    assert [e for _, e in _evidence(a)] == ["the deaths of three soldiers", "they were killed in an ambush"]
    denial = analyse("The company denied the report, saying it had never sold the data.")
    assert len(denial.attributions) == 2


def test_declaring_a_state_is_an_act_not_a_statement() -> None:
    act = analyse('The rebels declared a "caliphate" over the territory they control.')
    assert [c for c, _ in _evidence(act)] == [OUTLET]
    spoken = analyse('"We will win this war," the general declared.')
    assert _evidence(spoken) == [("general", "We will win this war")]


def test_a_dash_ends_the_claimants_phrase() -> None:
    a = analyse(
        "The virus cannot be diagnosed there, according to the joint statement–a question raised by skeptics last week."
    )
    assert [c for c, _ in _evidence(a)] == ["joint statement"]


def test_a_first_name_alone_is_the_one_person_whose_name_begins_with_it() -> None:
    a = analyse(
        "Kevin Nickel said his brother had been drinking again. "
        '"He is sitting on money," Kevin said. '
        "CNN International said the clinic was closed. CNN said it had spoken to the family."
    )
    assert [c for c, _ in _evidence(a)] == ["Kevin Nickel", "Kevin Nickel", "CNN International", "CNN"]


def test_a_quoted_statement_ending_the_sentence_is_the_speakers_even_where_the_parse_hides_it() -> None:
    a = analyse(
        "Trying to comfort a distraught young girl whose cat had died, the bishop told her in a recent "
        "public appearance on St. Mark’s Square that “heaven is open to all of God’s creatures.”"
    )  # the parser hangs the quoted clause under 'appearance'
    assert _evidence(a) == [("bishop", "heaven is open to all of God’s creatures")]
    term = analyse("The company promised the new phone by “summer 2014,” and did not launch it until September.")
    assert [c for c, _ in _evidence(term)] == [OUTLET]  # a quoted term inside the object is not what was said
    ending = analyse(
        "Trying to console a little boy whose dog had died, the bishop told him in a recent public appearance "
        "on St Mark’s Square that “heaven is open to all of God’s creatures”."
    )
    assert [c for c, _ in _evidence(ending)] == ["bishop"]  # the stop after the closing mark changes nothing
    aside = analyse("But the website that posted the story (“Daily Planet Live”) often spreads false claims.")
    assert [c for c, _ in _evidence(aside)] == [OUTLET]  # a bracketed name is not what was posted


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        (  # a call to the reader
            "The phone has a larger screen. As always leave us your thoughts and opinions in the comments below. "
            "You can read more about the tablet rumours here.",
            ["The phone has a larger screen"],
        ),
        (  # captions and links' labels
            "The mayor opened the new bridge on Monday.\n[ Video: Mayor Opens Bridge & Crowd Cheers\n"
            "See video: Crowds gather as the bridge opens to traffic.",
            ["The mayor opened the new bridge on Monday"],
        ),
        (  # wire credits and update notes, but not reporting that is the subject
            "The mayor opened the new bridge on Monday.\n"
            "Associated Press writer Jane Roe contributed to this report.\n"
            "This story was updated at 10:37 a.m.\n"
            "(Reporting by John Doe; Editing by Mary Major)\n"
            "Sorry we are not currently accepting comments on this article.\n"
            "Critics questioned the original reporting by several newspapers.",
            [
                "The mayor opened the new bridge on Monday",
                "Critics questioned the original reporting by several newspapers",
            ],
        ),
    ],
)
def test_the_outlet_at_work_or_addressing_readers_claims_nothing(text: str, claims: list[str]) -> None:
    assert [e for _, e in _evidence(analyse(text))] == claims


def test_an_appeal_in_the_speakers_own_name_is_no_claim() -> None:
    a = analyse(
        "Police said the man was last seen on Friday. "
        '"If anyone can help we would ask them to get in touch as soon as possible," a spokesman said. '
        '"We are appealing to aid agencies to send water," the governor said. '
        '"We have previously asked the media not to speculate," the commander said. '
        '"If a court asks for customer records, then we ask for time to tell the customer," the company said.'
    )
    assert [c for c, _ in _evidence(a)] == ["Police", "commander", "company"]  # a past request and a practice stay
