"""Evaluation against gold files: load outputs and gold, pair them by article, score, report.

The core knows no chain and no annotation convention. Evaluators, registered by plugins through
the `register_evaluators` hook, turn one (result, gold, article text) into tallies (numerator and
denominator per metric) and detail rows; this module pairs outputs with gold files, sums tallies
into micro-averaged totals and renders them (terminal table, JSON, HTML, pandas DataFrames).

Gold files are JSON objects. An output is paired with a gold file by the article's sha256 (the
gold's `article_sha256`, or the hash of the article file the gold names, looked up beside the gold
file and in a sibling `articles/` folder), else by file name (`article` without its extension
against the output's article id or source name).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from toolkit.errors import ToolkitError
from toolkit.schema import RunResult

if TYPE_CHECKING:
    import pandas as pd

    from toolkit.article import Article


class EvalError(ToolkitError):
    """Outputs or gold that cannot be read or paired."""

    cause = "eval"


@dataclass(frozen=True)
class MetricSpec:
    """One figure an evaluator reports. `count` metrics show the numerator (e.g. invented claimants)."""

    name: str
    label: str
    short: str
    kind: Literal["ratio", "count"] = "ratio"
    higher_is_better: bool = True
    #: a figure computed from other figures (F1 from precision and recall), per article and in total
    derive: Callable[[Mapping[str, Tally]], Tally | None] | None = field(default=None, compare=False, repr=False)


@dataclass
class Tally:
    """A figure as numerator over denominator, so totals are sums, not means of means."""

    num: float = 0.0
    den: float = 0.0

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.num + other.num, self.den + other.den)


def f1(precision: str, recall: str) -> Callable[[Mapping[str, Tally]], Tally | None]:
    """A `derive` for MetricSpec: the F1 of two ratio metrics, by name."""

    def derive(tallies: Mapping[str, Tally]) -> Tally | None:
        if precision not in tallies or recall not in tallies:
            return None
        p, r = tallies[precision].value, tallies[recall].value
        if p is None or r is None:
            return None
        return Tally(0.0 if p + r == 0 else 2 * p * r / (p + r), 1.0)

    return derive


def _derived(metrics: Sequence[MetricSpec], tallies: dict[str, Tally]) -> dict[str, Tally]:
    for spec in metrics:
        if spec.derive is not None:
            tallies.pop(spec.name, None)
            found = spec.derive(tallies)
            if found is not None:
                tallies[spec.name] = found
    return tallies


@dataclass
class ArticleEval:
    """What an evaluator found for one article: tallies by metric name and detail rows."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    #: free-form rows, each with a "table" key naming the table it belongs to (e.g. "claims")
    details: list[dict[str, Any]] = field(default_factory=list)


class Evaluator(ABC):
    """Scores one chain family's outputs against a gold file. Register instances via the hook."""

    name: str
    metrics: tuple[MetricSpec, ...] = ()
    #: "article" scores run results one article at a time; a cross-article analysis' name (e.g.
    #: "stories") scores that analysis' output through `evaluate_cross`
    scope: str = "article"

    @abstractmethod
    def evaluate(self, result: RunResult, gold: Mapping[str, Any], article_text: str | None) -> ArticleEval:
        """Tallies for this article; metrics whose chain did not run are left out."""

    def evaluate_cross(self, output: Mapping[str, Any], golds: Sequence[Mapping[str, Any]]) -> dict[str, ArticleEval]:
        """Tallies per gold file (by its name) for a cross-article analysis' output; scope names the analysis."""
        raise NotImplementedError(f"{self.name} scores run results, not a cross-article analysis")

    def gold_from_result(self, result: RunResult, article_text: str) -> dict[str, Any]:
        """The part of a gold file this evaluator reads, built from a (reviewed) result."""
        return {}


def all_evaluators() -> list[Evaluator]:
    from toolkit.plugins import get_plugin_manager

    found: list[Evaluator] = []
    get_plugin_manager().hook.register_evaluators(register=found.append)
    return found


# --- inputs --------------------------------------------------------------------------------------


_NOT_RESULTS = (".review.json", ".gold.json", ".failures.jsonl")


def load_outputs(path: str | Path) -> list[RunResult]:
    """Results from a `toolkit run --out` file (.json, a list, or .jsonl), a batch .jsonl, or a folder."""
    path = Path(path)
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix in (".json", ".jsonl") and not p.name.endswith(_NOT_RESULTS)
        )
        results = [r for p in files for r in load_outputs(p)]
        if not results:
            raise EvalError(f"{path}: no toolkit results (.json or .jsonl) in this folder")
        return results
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise EvalError(f"{path}: no such file") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise EvalError(f"{path}: not a text file ({type(exc).__name__})") from None
    if path.suffix == ".jsonl":
        items = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise EvalError(f"{path}:{n}: invalid JSON ({exc.msg})") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EvalError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
        items = data if isinstance(data, list) else [data]
    results = []
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or "article" not in item or "outputs" not in item:
            raise EvalError(f"{path}: item {n} is not a toolkit result (no article/outputs)")
        item.pop("review", None)
        try:
            results.append(RunResult.model_validate(item))
        except Exception as exc:  # pydantic's message is long; the first line says enough
            raise EvalError(f"{path}: item {n} is not a toolkit result ({str(exc).splitlines()[0]})") from None
    return results


@dataclass
class GoldFile:
    path: Path | None
    data: dict[str, Any]
    article: Article | None = None

    @property
    def name(self) -> str:
        named = self.data.get("article")
        if named:
            return Path(str(named)).stem
        return self.path.name.removesuffix(".json").removesuffix(".gold") if self.path else "gold"

    @property
    def sha256(self) -> str | None:
        return self.data.get("article_sha256") or (self.article.sha256 if self.article else None)


def _find_article(gold_path: Path, data: Mapping[str, Any]) -> Article | None:
    from toolkit.article import load_article

    named = data.get("article")
    if not named:
        return None
    for folder in (gold_path.parent, gold_path.parent.parent / "articles", gold_path.parent / "articles"):
        candidate = folder / Path(str(named)).name
        if candidate.is_file():
            try:
                return load_article(candidate)
            except ToolkitError:
                return None
    return None


def _gold_from_data(data: Any, where: str, path: Path | None) -> GoldFile:
    if not isinstance(data, dict):
        raise EvalError(f"{where}: not a gold file (expected a JSON object)")
    if not any(k in data for k in ("claims", "counter_pairs")):
        raise EvalError(f"{where}: not a gold file (no 'claims')")
    return GoldFile(path=path, data=data, article=_find_article(path, data) if path else None)


def load_gold(source: str | Path | Mapping[str, Any] | Sequence[Any]) -> list[GoldFile]:
    """Gold files from a file, a folder of `*.json`, a parsed dict, or a list of those."""
    if isinstance(source, Mapping):
        return [_gold_from_data(dict(source), "gold", None)]
    if isinstance(source, list | tuple):
        return [g for item in source for g in load_gold(item)]
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.json") if not p.name.endswith(".review.json"))
        if not files:
            raise EvalError(f"{path}: no gold files (*.json) in this folder")
        return [g for p in files for g in load_gold(p)]
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise EvalError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvalError(f"{path}: not a gold file ({type(exc).__name__})") from None
    return [_gold_from_data(data, str(path), path)]


def _result_names(result: RunResult) -> set[str]:
    names = set()
    for value in (result.article.id, result.article.source):
        if value:
            names.add(Path(value).stem)
    return names


def pair_up(
    results: Sequence[RunResult], golds: Sequence[GoldFile]
) -> tuple[list[tuple[RunResult, GoldFile]], list[RunResult], list[GoldFile]]:
    """Each result with its gold (sha256 first, then file name); the unpaired of both sides."""
    by_sha = {g.sha256: g for g in golds if g.sha256}
    by_name = {g.name: g for g in golds}
    pairs, lone_results, used = [], [], set()
    for result in results:
        gold = by_sha.get(result.article.sha256) or next(
            (by_name[n] for n in sorted(_result_names(result)) if n in by_name), None
        )
        if gold is None or id(gold) in used:
            lone_results.append(result)
            continue
        used.add(id(gold))
        pairs.append((result, gold))
    return pairs, lone_results, [g for g in golds if id(g) not in used]


def _article_text(result: RunResult, gold: GoldFile, texts: Mapping[str, str]) -> str | None:
    """The text the result's offsets refer to, only if its hash is the result's."""
    from toolkit.hashing import sha256_text

    if result.article.sha256 in texts:
        return texts[result.article.sha256]
    if gold.article is not None and gold.article.sha256 == result.article.sha256:
        return gold.article.text
    source = result.article.source
    if source and Path(source).is_file():
        from toolkit.article import load_article

        try:
            article = load_article(source)
        except ToolkitError:
            return None
        if sha256_text(article.text) == result.article.sha256:
            return article.text
    return None


# --- scoring ---------------------------------------------------------------------------------------


@dataclass
class ArticleScore:
    article: str
    sha256: str
    model: str
    tallies: dict[str, Tally]
    details: list[dict[str, Any]]
    text_found: bool


@dataclass
class EvalReport:
    """Scores per article and in total; `per_article`, `totals` and `details` give DataFrames."""

    metrics: list[MetricSpec]
    articles: list[ArticleScore]
    unpaired_outputs: list[str] = field(default_factory=list)
    unpaired_gold: list[str] = field(default_factory=list)

    @property
    def total(self) -> dict[str, Tally]:
        sums: dict[str, Tally] = {}
        for art in self.articles:
            for name, tally in art.tallies.items():
                sums[name] = sums.get(name, Tally()) + tally
        return _derived(self.metrics, sums)

    def value(self, metric: str, article: str | None = None) -> float | None:
        """A figure in total, or for one article (by name); None where it has no denominator."""
        tallies = self.total if article is None else next(a.tallies for a in self.articles if a.article == article)
        tally = tallies.get(metric)
        if tally is None:
            return None
        spec = self._spec(metric)
        return tally.num if spec and spec.kind == "count" else tally.value

    def _spec(self, name: str) -> MetricSpec | None:
        return next((m for m in self.metrics if m.name == name), None)

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per article, then the total: metric values (and n/d) by name."""
        out = []
        for art in self.articles:
            out.append({"article": art.article, **self._flat(art.tallies)})
        out.append({"article": "TOTAL", **self._flat(self.total)})
        return out

    def _flat(self, tallies: Mapping[str, Tally]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for spec in self.metrics:
            tally = tallies.get(spec.name)
            if tally is None:
                row[spec.name] = None
                continue
            row[spec.name] = tally.num if spec.kind == "count" else tally.value
        return row

    # pandas views ---------------------------------------------------------------------------------
    @property
    def per_article(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows()[:-1]).set_index("article")

    @property
    def totals(self) -> pd.DataFrame:
        """One row per metric: value, numerator, denominator, label."""
        import pandas as pd

        total = self.total
        return pd.DataFrame(
            [
                {
                    "metric": m.name,
                    "label": m.label,
                    "value": self.value(m.name),
                    "num": total[m.name].num if m.name in total else None,
                    "den": total[m.name].den if m.name in total else None,
                }
                for m in self.metrics
            ]
        ).set_index("metric")

    @property
    def details(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame([{"article": a.article, **d} for a in self.articles for d in a.details])

    # renderings -----------------------------------------------------------------------------------
    def to_dict(self, details: bool = True) -> dict[str, Any]:
        def tallies(t: Mapping[str, Tally]) -> dict[str, Any]:
            out = {}
            for m in self.metrics:
                if m.name in t:
                    value = t[m.name].num if m.kind == "count" else t[m.name].value
                    out[m.name] = {"value": value, "num": t[m.name].num, "den": t[m.name].den}
            return out

        return {
            "metrics": [{k: v for k, v in m.__dict__.items() if k != "derive"} for m in self.metrics],
            "total": tallies(self.total),
            "articles": [
                {
                    "article": a.article,
                    "sha256": a.sha256,
                    "model": a.model,
                    "article_text_found": a.text_found,
                    "metrics": tallies(a.tallies),
                    **({"details": a.details} if details else {}),
                }
                for a in self.articles
            ],
            "unpaired_outputs": self.unpaired_outputs,
            "unpaired_gold": self.unpaired_gold,
        }

    def to_json(self, details: bool = True) -> str:
        return json.dumps(self.to_dict(details), indent=2, ensure_ascii=False) + "\n"

    def render_text(self, width: int = 160) -> str:
        """A terminal table: an article a row, a metric a column (short names), the total last."""
        from io import StringIO

        from rich.console import Console
        from rich.table import Table

        table = Table(title="Evaluation against gold", show_lines=False, pad_edge=False)
        table.add_column("article", no_wrap=True)
        for m in self.metrics:
            table.add_column(m.short, justify="right")
        for row in self.rows():
            if row["article"] == "TOTAL":
                table.add_section()
            table.add_row(row["article"], *(_fmt(row[m.name], m) for m in self.metrics))
        buffer = StringIO()
        console = Console(file=buffer, width=width, no_color=True, highlight=False)
        console.print(table)
        legend = "; ".join(f"{m.short} = {m.label}" for m in self.metrics)
        notes = [legend]
        if self.unpaired_outputs:
            notes.append(f"outputs without gold: {', '.join(self.unpaired_outputs)}")
        if self.unpaired_gold:
            notes.append(f"gold without output: {', '.join(self.unpaired_gold)}")
        missing = [a.article for a in self.articles if not a.text_found]
        if missing:
            notes.append(f"article text not found (offsets unchecked): {', '.join(missing)}")
        return buffer.getvalue() + "\n".join(notes) + "\n"

    def to_html(self, title: str = "Evaluation against gold") -> str:
        """A standalone, escaped HTML report: totals, the per-article table, details per article."""
        from toolkit import html

        return str(html.document(title, self._html_parts()))

    def html_view(self) -> str:
        """The same report as a fragment for a notebook (the workbench's Evaluate tab)."""
        from toolkit import html

        return str(html.view(self._html_parts()))

    def _html_parts(self) -> Any:
        from toolkit import html

        total = self.total
        totals_rows = [
            {
                "metric": m.label,
                "value": _fmt(self.value(m.name), m),
                "n / d": f"{total[m.name].num:g} / {total[m.name].den:g}" if m.name in total else "",
            }
            for m in self.metrics
        ]
        columns = [("article", "article")] + [(m.name, m.short) for m in self.metrics]
        rows = [{k: (_fmt(v, self._spec(k)) if k != "article" else v) for k, v in r.items()} for r in self.rows()]
        parts = [
            html.section("Totals (micro-averaged over articles)", html.table(totals_rows)),
            html.section("Per article", html.table(rows, columns)),
        ]
        if self.unpaired_outputs or self.unpaired_gold:
            parts.append(
                html.section(
                    "Not paired",
                    html.card(
                        "",
                        {"outputs without gold": self.unpaired_outputs, "gold without output": self.unpaired_gold},
                    ),
                )
            )
        for art in self.articles:
            parts.append(html.section(f"{art.article}", *_detail_tables(art.details)))
        return html.join(parts)


def _detail_tables(details: Sequence[Mapping[str, Any]]) -> list[Any]:
    from toolkit import html

    tables: dict[str, list[dict[str, Any]]] = {}
    for row in details:
        tables.setdefault(str(row.get("table", "details")), []).append({k: v for k, v in row.items() if k != "table"})
    return [html.table(rows, caption=name) for name, rows in tables.items()]


def _fmt(value: Any, spec: MetricSpec | None) -> str:
    if value is None:
        return "–"
    if spec is not None and spec.kind == "count":
        return f"{value:g}"
    return f"{value:.2f}"


def score(
    outputs: str | Path | RunResult | Iterable[RunResult],
    gold: str | Path | Mapping[str, Any] | Sequence[Any],
    *,
    texts: Mapping[str, str] | None = None,
    evaluators: Sequence[Evaluator] | None = None,
) -> EvalReport:
    """Score outputs against gold. `texts` maps article sha256 to text where files are not at hand.

    A cross-article analysis' output (`toolkit story --out`) is scored by the evaluators of its
    scope, one row per gold file (e.g. per story)."""
    from toolkit.story import is_cross_result, load_cross_result

    if isinstance(outputs, str | Path) and is_cross_result(outputs):
        return _score_cross(load_cross_result(outputs), load_gold(gold), evaluators)
    if isinstance(outputs, str | Path):
        results = load_outputs(outputs)
    elif isinstance(outputs, RunResult):
        results = [outputs]
    else:
        results = list(outputs)
    golds = load_gold(gold)
    evaluators = [e for e in (evaluators if evaluators is not None else all_evaluators()) if e.scope == "article"]
    if not evaluators:
        raise EvalError("no evaluators installed (plugins register them through register_evaluators)")
    pairs, lone_results, lone_gold = pair_up(results, golds)
    if not pairs:
        raise EvalError(
            f"no output could be paired with a gold file ({len(results)} outputs, {len(golds)} gold files; "
            "pairing is by article sha256, then by file name)"
        )
    metrics = [m for e in evaluators for m in e.metrics]
    articles = []
    for result, g in sorted(pairs, key=lambda p: p[1].name):
        text = _article_text(result, g, texts or {})
        tallies: dict[str, Tally] = {}
        details: list[dict[str, Any]] = []
        for evaluator in evaluators:
            found = evaluator.evaluate(result, g.data, text)
            tallies.update(found.tallies)
            details += found.details
        articles.append(
            ArticleScore(
                article=g.name,
                sha256=result.article.sha256,
                model=result.model,
                tallies=_derived(metrics, tallies),
                details=details,
                text_found=text is not None,
            )
        )
    return EvalReport(
        metrics=metrics,
        articles=articles,
        unpaired_outputs=[r.article.id or r.article.sha256[:12] for r in lone_results],
        unpaired_gold=[g.name for g in lone_gold],
    )


def _score_cross(cross: Any, golds: list[GoldFile], evaluators: Sequence[Evaluator] | None) -> EvalReport:
    """One row per gold file for a cross-article analysis' output (toolkit.story.CrossResult)."""
    chosen = [e for e in (evaluators if evaluators is not None else all_evaluators()) if e.scope == cross.analysis]
    if not chosen:
        raise EvalError(f"no evaluator installed for the cross-article analysis '{cross.analysis}'")
    metrics = [m for e in chosen for m in e.metrics]
    found: dict[str, ArticleEval] = {}
    for evaluator in chosen:
        for name, part in evaluator.evaluate_cross(cross.output, [g.data for g in golds]).items():
            into = found.setdefault(name, ArticleEval())
            into.tallies.update(part.tallies)
            into.details += part.details
    articles = [
        ArticleScore(
            article=name,
            sha256=cross.articles_sha256,
            model=cross.model,
            tallies=_derived(metrics, part.tallies),
            details=part.details,
            text_found=True,
        )
        for name, part in sorted(found.items())
    ]
    return EvalReport(metrics=metrics, articles=articles, unpaired_outputs=[], unpaired_gold=[])


def gold_from_result(result: RunResult, article_text: str, article_name: str | None = None) -> dict[str, Any]:
    """A gold file (as a dict) from a reviewed result: each evaluator contributes its part."""
    gold: dict[str, Any] = {
        "article": article_name or result.article.id or result.article.sha256[:12],
        "article_sha256": result.article.sha256,
        "source": f"toolkit review of a {result.model} run ({result.created_at})",
    }
    for evaluator in all_evaluators():
        gold.update(evaluator.gold_from_result(result, article_text))
    return gold


def gold_from_review(
    result: RunResult,
    review: Any,
    article_text: str,
    *,
    include_pending: bool = False,
    article_name: str | None = None,
) -> dict[str, Any]:
    """A gold file from an analyst's review: accepted, edited and added items (pending ones too
    with include_pending), so analysts build gold for their own articles without writing JSON."""
    from toolkit import review as rv

    counts = rv.progress(result, review)
    if not include_pending:
        review = rv.decide_pending(review, result, "rejected")
    reviewed = rv.apply_review(result, review)
    if article_name is None and result.article.source:
        article_name = Path(result.article.source).name
    gold = gold_from_result(reviewed, article_text, article_name)
    gold["notes"] = (
        f"built from a review: {counts['accepted']} accepted, {counts['edited']} edited, {counts['added']} added, "
        f"{counts['rejected']} rejected, {counts['pending']} pending ("
        + ("kept" if include_pending else "left out")
        + ")"
    )
    return gold


def gold_path(result_path: str | Path) -> Path:
    """Where a result's gold file goes: next to it, `<name>.gold.json`."""
    path = Path(result_path)
    return path.with_name(path.name.removesuffix(".json") + ".gold.json")
