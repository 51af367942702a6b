#!/usr/bin/env python3
"""Validate the story gold files in this directory.

Usage: python gold/stories/check.py [PATH/TO/train_bodies.csv]

The default bodies file is ../shared/data/fnc1/train_bodies.csv relative to the
repository root. Prints one summary line and exits non-zero on any problem (each
problem is also printed, one per line, before the summary).
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
DEFAULT_BODIES = REPO_ROOT / ".." / "shared" / "data" / "fnc1" / "train_bodies.csv"

TOP_KEYS = {"story", "title", "articles", "claims", "counter_pairs", "uncontested", "notes"}
CLAIM_KEYS = {"id", "claimant", "statement", "occurrences"}
OCC_KEYS = {"article", "quote"}
PAIR_KEYS = {"a", "b", "relation", "why"}
RELATIONS = {"contradicts", "contests", "qualifies"}
ARTICLE_RE = re.compile(r"^fnc1-(\d+)$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_ARTICLES, MAX_ARTICLES = 4, 6
MIN_CLAIMS, MAX_CLAIMS = 6, 15
MIN_QUOTE_WORDS, MAX_QUOTE_WORDS = 5, 40


def load_bodies(path: Path) -> dict[str, str]:
    csv.field_size_limit(sys.maxsize)
    with path.open(newline="", encoding="utf-8") as f:
        return {row["Body ID"]: row["articleBody"] for row in csv.DictReader(f)}


def is_str(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


def norm_claimant(name: str) -> str:
    return " ".join(name.lower().split())


def check_story(path: Path, bodies: dict[str, str], problems: list[str]) -> dict:
    """Check one gold file; append problems; return counts and its articles."""
    out = {"articles": [], "claims": 0, "pairs": 0, "occurrences": 0}

    def bad(msg: str) -> None:
        problems.append(f"{path.name}: {msg}")

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        bad(f"cannot read JSON: {exc}")
        return out
    if not isinstance(data, dict):
        bad("top level is not an object")
        return out
    if set(data) != TOP_KEYS:
        bad(f"top-level keys {sorted(data)} != {sorted(TOP_KEYS)}")

    story = data.get("story")
    if not is_str(story) or not SLUG_RE.match(story):
        bad(f"story slug {story!r} is not a lowercase-hyphen slug")
    elif story != path.stem:
        bad(f"story {story!r} does not match file name {path.stem!r}")
    if not is_str(data.get("title")):
        bad("title missing or empty")
    if not isinstance(data.get("notes"), str):
        bad("notes must be a string")

    # articles
    articles = data.get("articles")
    if not isinstance(articles, list) or not all(isinstance(a, str) for a in articles):
        bad("articles must be a list of strings")
        articles = []
    if len(set(articles)) != len(articles):
        bad("articles has duplicates")
    if not MIN_ARTICLES <= len(articles) <= MAX_ARTICLES:
        bad(f"{len(articles)} articles; expected {MIN_ARTICLES}-{MAX_ARTICLES}")
    for art in articles:
        m = ARTICLE_RE.match(art)
        if not m:
            bad(f"article id {art!r} is not fnc1-<BodyID>")
        elif m.group(1) not in bodies:
            bad(f"article {art} not found in the bodies file")
    out["articles"] = list(articles)

    # claims
    claims = data.get("claims")
    if not isinstance(claims, list):
        bad("claims must be a list")
        claims = []
    if not MIN_CLAIMS <= len(claims) <= MAX_CLAIMS:
        bad(f"{len(claims)} claims; expected {MIN_CLAIMS}-{MAX_CLAIMS}")
    by_id: dict[str, dict] = {}
    claim_articles: dict[str, set[str]] = {}
    used_articles: set[str] = set()
    for i, claim in enumerate(claims):
        where = f"claims[{i}]"
        if not isinstance(claim, dict):
            bad(f"{where} is not an object")
            continue
        if set(claim) != CLAIM_KEYS:
            bad(f"{where} keys {sorted(claim)} != {sorted(CLAIM_KEYS)}")
        cid = claim.get("id")
        if not is_str(cid):
            bad(f"{where} has no id")
            continue
        where = f"claim {cid}"
        if cid in by_id:
            bad(f"{where}: duplicate id")
            continue
        by_id[cid] = claim
        for key in ("claimant", "statement"):
            if not is_str(claim.get(key)):
                bad(f"{where}: {key} missing or empty")
        occs = claim.get("occurrences")
        if not isinstance(occs, list) or not occs:
            bad(f"{where}: occurrences must be a non-empty list")
            occs = []
        seen: set[str] = set()
        for j, occ in enumerate(occs):
            owhere = f"{where} occurrence {j}"
            if not isinstance(occ, dict) or set(occ) != OCC_KEYS:
                bad(f"{owhere}: must have exactly keys {sorted(OCC_KEYS)}")
                continue
            art, quote = occ.get("article"), occ.get("quote")
            if not is_str(art) or not is_str(quote):
                bad(f"{owhere}: article and quote must be non-empty strings")
                continue
            if art not in articles:
                bad(f"{owhere}: article {art} is not in the story's articles")
            if art in seen:
                bad(f"{owhere}: second occurrence in {art} (one per article)")
            seen.add(art)
            out["occurrences"] += 1
            n_words = len(quote.split())
            if not MIN_QUOTE_WORDS <= n_words <= MAX_QUOTE_WORDS:
                bad(f"{owhere}: quote has {n_words} words; expected {MIN_QUOTE_WORDS}-{MAX_QUOTE_WORDS}")
            m = ARTICLE_RE.match(art)
            body = bodies.get(m.group(1)) if m else None
            if body is None:
                bad(f"{owhere}: no body for {art}")
            elif quote not in body:
                bad(f"{owhere}: quote not found verbatim in {art}: {quote[:60]!r}")
        claim_articles[cid] = seen
        used_articles |= seen
    out["claims"] = len(by_id)
    for art in articles:
        if art not in used_articles:
            bad(f"article {art} carries no claim occurrence")

    # counter pairs
    pairs = data.get("counter_pairs")
    if not isinstance(pairs, list):
        bad("counter_pairs must be a list")
        pairs = []
    in_pair: set[str] = set()
    seen_pairs: set[frozenset] = set()
    for i, pair in enumerate(pairs):
        where = f"counter_pairs[{i}]"
        if not isinstance(pair, dict) or set(pair) != PAIR_KEYS:
            bad(f"{where}: must have exactly keys {sorted(PAIR_KEYS)}")
            continue
        a, b = pair.get("a"), pair.get("b")
        if a not in by_id or b not in by_id:
            bad(f"{where}: refers to unknown claim ({a!r}, {b!r})")
            continue
        if a == b:
            bad(f"{where}: pairs a claim with itself")
            continue
        key = frozenset((a, b))
        if key in seen_pairs:
            bad(f"{where}: duplicate pair {a}/{b}")
        seen_pairs.add(key)
        if pair.get("relation") not in RELATIONS:
            bad(f"{where}: relation {pair.get('relation')!r} not in {sorted(RELATIONS)}")
        if not is_str(pair.get("why")):
            bad(f"{where}: why missing or empty")
        ca, cb = by_id[a].get("claimant"), by_id[b].get("claimant")
        if is_str(ca) and is_str(cb) and norm_claimant(ca) == norm_claimant(cb):
            bad(f"{where}: {a} and {b} have the same claimant {ca!r}")
        if claim_articles.get(a, set()) == claim_articles.get(b, set()):
            bad(f"{where}: {a} and {b} occur in exactly the same articles (no cross-outlet disagreement)")
        in_pair.update((a, b))
    out["pairs"] = len(pairs)

    # partition
    unc = data.get("uncontested")
    if not isinstance(unc, list):
        bad("uncontested must be a list")
        unc = []
    if len(set(unc)) != len(unc):
        bad("uncontested has duplicates")
    for cid in unc:
        if cid not in by_id:
            bad(f"uncontested lists unknown claim {cid!r}")
        elif cid in in_pair:
            bad(f"claim {cid} is both in a counter pair and uncontested")
    for cid in by_id:
        if cid not in in_pair and cid not in unc:
            bad(f"claim {cid} is neither in a counter pair nor uncontested")
    return out


def main(argv: list[str]) -> int:
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip())
        return 2
    bodies_path = Path(argv[1]) if len(argv) == 2 else DEFAULT_BODIES
    try:
        bodies = load_bodies(bodies_path)
    except (OSError, KeyError, csv.Error) as exc:
        print(f"FAIL: cannot read bodies file {bodies_path}: {exc}")
        return 1

    problems: list[str] = []
    files = sorted(HERE.glob("*.json"))
    if not files:
        problems.append("no gold files (*.json) found")
    owner: dict[str, str] = {}
    n_articles = n_claims = n_pairs = n_occ = 0
    for path in files:
        counts = check_story(path, bodies, problems)
        for art in counts["articles"]:
            if art in owner:
                problems.append(f"{path.name}: article {art} is also in {owner[art]}")
            else:
                owner[art] = path.name
        n_articles += len(counts["articles"])
        n_claims += counts["claims"]
        n_pairs += counts["pairs"]
        n_occ += counts["occurrences"]

    for problem in problems:
        print(problem)
    summary = (
        f"{len(files)} stories, {n_articles} articles, {n_claims} claims, {n_occ} occurrences, {n_pairs} counter pairs"
    )
    if problems:
        print(f"FAIL: {len(problems)} problem(s); {summary}")
        return 1
    print(f"OK: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
