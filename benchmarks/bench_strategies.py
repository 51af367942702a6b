"""Calls and prompt tokens per article for the guided and the direct strategy, from recordings.

Both strategies replay genuine recordings (guided: SmolLM2-135M, `tests/responses` and the dev
set's `tests/devset-responses`; direct: Qwen2.5-Coder-1.5B, `tests/responses-direct` and
`tests/devset-responses-direct`, six dev-set articles), so the
figures are what the live models used, at no cost. Article tokens are counted with the tokenizer
of the model that answered (both ship as GGUF; 4 characters a token when it is not installed).
The budget the direct strategy is held to: for an article of about 700 tokens, all three chains
in at most 4 calls and prompt tokens at most 3 times the article's.

    .venv/bin/python benchmarks/bench_strategies.py [--devset]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEVSET = SHARED / "data" / "devset"
sys.path.insert(0, str(ROOT))

BUDGET_CALLS = 4
BUDGET_RATIO = 3.0


def _tokenizer(model: str) -> Any:
    from toolkit.errors import ConfigError
    from toolkit.providers.local.llama import LocalModel

    local = LocalModel(model.partition(":")[2] or None)
    try:
        local.count_tokens("probe")
        local._llama()
        return local.count_tokens, model
    except ConfigError:
        return (lambda text: max(1, len(text) // 4)), "4 chars/token"


def _articles(devset: bool) -> list[Path]:
    paths = sorted((ROOT / "samples").iterdir())
    if (SHARED / "seed-article.txt").exists():
        paths.append(SHARED / "seed-article.txt")
    if devset and DEVSET.exists():
        paths += sorted((DEVSET / "articles").glob("*.txt"))
    return paths


def measure(strategy: str, model: str, folders: list[Path], articles: list[Path]) -> list[dict[str, Any]]:
    from toolkit.article import load_article
    from toolkit.errors import ReplayMiss
    from toolkit.recording import RecordingModel, ResponseStore
    from toolkit.runner import make_model, run

    count, counted_by = _tokenizer(model)
    rows = []
    for path in articles:
        article = load_article(path)
        result = None
        for folder in folders:
            try:
                inner = make_model(model, record_mode="off")
                replay = RecordingModel(inner, ResponseStore(folder), "replay")
                result = run(article, model=replay, strategy=strategy)
                break
            except ReplayMiss:
                continue
        if result is None:
            continue  # not recorded for this strategy
        tokens = count(article.text)
        prompt = result.usage.prompt_tokens
        rows.append(
            {
                "article": path.stem,
                "article_tokens": tokens,
                "calls": len(result.calls),
                "prompt_tokens": prompt,
                "completion_tokens": result.usage.completion_tokens,
                "ratio": prompt / tokens,
                "model_s": sum(c.duration_s for c in result.calls),
                "claims": len(result.output("claims").claims) if "claims" in result.outputs else 0,
                "pairs": len(result.output("counterclaims").pairs) if "counterclaims" in result.outputs else 0,
                "counted_by": counted_by,
            }
        )
    return rows


def table(title: str, rows: list[dict[str, Any]]) -> str:
    head = (
        f"{'article':<18} {'art.tok':>7} {'calls':>5} {'prompt':>7} {'ratio':>6} {'out':>6} {'model s':>8} "
        f"{'claims':>6} {'pairs':>5}"
    )
    lines = [title, head]
    for r in rows:
        lines.append(
            f"{r['article'][:18]:<18} {r['article_tokens']:>7} {r['calls']:>5} {r['prompt_tokens']:>7} "
            f"{r['ratio']:>6.2f} {r['completion_tokens']:>6} {r['model_s']:>8.1f} {r['claims']:>6} {r['pairs']:>5}"
        )
    if rows:
        n = len(rows)
        tokens = sum(r["article_tokens"] for r in rows)
        prompt = sum(r["prompt_tokens"] for r in rows)
        lines.append(
            f"{'mean of ' + str(n):<18} {tokens / n:>7.0f} {sum(r['calls'] for r in rows) / n:>5.1f} "
            f"{prompt / n:>7.0f} {prompt / tokens:>6.2f} {sum(r['completion_tokens'] for r in rows) / n:>6.0f} "
            f"{sum(r['model_s'] for r in rows) / n:>8.1f} {sum(r['claims'] for r in rows) / n:>6.1f} "
            f"{sum(r['pairs'] for r in rows) / n:>5.1f}"
        )
        lines.append(f"(article tokens counted by {rows[0]['counted_by']}; ratio = prompt tokens / article tokens)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devset", action="store_true", help="also the dev-set articles that have recordings")
    args = parser.parse_args()
    articles = _articles(args.devset)
    guided = measure(
        "guided",
        "local:smollm2-135m",
        [ROOT / "tests" / "responses", ROOT / "tests" / "devset-responses"],
        articles,
    )
    direct = measure(
        "direct",
        "local:qwen2.5-1.5b",
        [ROOT / "tests" / "responses-direct", ROOT / "tests" / "devset-responses-direct"],
        articles,
    )
    print(table("guided strategy (SmolLM2-135M recordings)", guided))
    print()
    print(table("direct strategy (Qwen2.5-Coder-1.5B recordings)", direct))
    both = {r["article"] for r in guided} & {r["article"] for r in direct}
    if both:
        g = [r for r in guided if r["article"] in both]
        d = [r for r in direct if r["article"] in both]
        calls = sum(r["calls"] for r in d) / max(1, sum(r["calls"] for r in g))
        prompt = sum(r["prompt_tokens"] for r in d) / max(1, sum(r["prompt_tokens"] for r in g))
        print(f"\non the {len(both)} articles both replay: direct/guided calls {calls:.2f}, prompt tokens {prompt:.2f}")
    near = [r for r in direct if 500 <= r["article_tokens"] <= 900]
    for r in near:
        ok = r["calls"] <= BUDGET_CALLS and r["ratio"] <= BUDGET_RATIO
        print(
            f"budget ({r['article']}, {r['article_tokens']} tokens): {r['calls']} calls (<= {BUDGET_CALLS}), "
            f"prompt {r['ratio']:.2f}x (<= {BUDGET_RATIO:g}x): {'met' if ok else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
