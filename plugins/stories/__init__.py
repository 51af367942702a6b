"""The stories analysis: one story across outlets. Articles are grouped into stories, claims aligned
across them (who says the same thing where), and cross-outlet counter pairs found (who contests
whom), each side with its article and grounded quote; `toolkit story` runs it over batch outputs.

`grouping` stories from articles, `align` claims across articles, `pairs` candidates and checks,
`analysis` the registered analysis, `schema` its output, `view` how it reads, `evaluation` its
scores against the story gold (`toolkit eval story.json gold/stories`).
"""

from __future__ import annotations

from typing import Any

from toolkit.hookspecs import hookimpl
from toolkit_plugins.stories.analysis import StoriesAnalysis
from toolkit_plugins.stories.evaluation import StoryEvaluator
from toolkit_plugins.stories.schema import Occurrence, Stories, Story, StoryArticle, StoryClaim, StoryPair

__all__ = [
    "Occurrence",
    "Stories",
    "StoriesAnalysis",
    "Story",
    "StoryArticle",
    "StoryClaim",
    "StoryEvaluator",
    "StoryPair",
    "register_cross_analyses",
    "register_evaluators",
]


@hookimpl
def register_cross_analyses(register: Any) -> None:
    register(StoriesAnalysis())


@hookimpl
def register_evaluators(register: Any) -> None:
    register(StoryEvaluator())
