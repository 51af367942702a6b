"""News analysis for the built-in chains: who asserts what in an English news article, with
verbatim evidence, found by one spaCy pass and plain rules.

A 135M-parameter model cannot locate claims on its own, so this package does the finding: it
splits the text into sentences (newlines are hard boundaries, a quotation is never cut in two),
finds reporting constructions ("X said that ...", '"...," X said', "according to X", "reported by
X", "X saying ..."), expands and resolves the claimant (appositions, surnames, pronouns, "the
sources", abbreviations), and turns every other declarative sentence into an assertion of the
outlet itself. Every span it returns indexes the original text exactly, so the later stages can
cite evidence verbatim.

Claimant choice (what an analyst would name): the person when the subject phrase contains one
("Russian Defense Ministry spokesperson Igor Konashenkov" -> "Igor Konashenkov"; "the leader of the
Donetsk People's Republic, Denis Pushilin" -> "Denis Pushilin"), else the named organisation, else
the noun phrase without its leading determiner ("unidentified senior US officials"). The whole
phrase as written stays in `claimant_mention`. The original source of a relayed statement is the
claimant: "according to officials cited by the NYT report" -> the officials.

Modules, in dependency order: `vocabulary` (words, patterns, shared types), `sentences` (pipeline,
sentence spans, cues), `claimants`, `content`, `reporting`, `analysis` (the whole pass), and
`chunking` (sentence lists cut to a model's context). The package registers the `news` analyzer,
which the runner computes once per article for the chains that read it.
"""

from __future__ import annotations

from typing import Any

from toolkit.analyzers import Analyzer
from toolkit.hookspecs import hookimpl
from toolkit_plugins.news.analysis import analyse, compute_analysis
from toolkit_plugins.news.passes import quotation_spans
from toolkit_plugins.news.sentences import check_nlp, get_nlp, sentence_spans
from toolkit_plugins.news.vocabulary import OUTLET, UNNAMED_REPORTS, Analysis, Attribution, Sentence

NEWS = "news"

__all__ = [
    "NEWS",
    "OUTLET",
    "UNNAMED_REPORTS",
    "Analysis",
    "Attribution",
    "Sentence",
    "analyse",
    "compute_analysis",
    "get_nlp",
    "quotation_spans",
    "sentence_spans",
]


@hookimpl
def register_analyzers(register: Any) -> None:
    register(Analyzer(NEWS, analyse, reset=get_nlp.cache_clear, check=check_nlp))
