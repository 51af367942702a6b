"""How long grouping and aligning takes, and how much memory, over many batch results.

    .venv/bin/python benchmarks/bench_stories.py                 # 1,000 / 5,000 / 10,000 results
    .venv/bin/python benchmarks/bench_stories.py --sizes 10000 --similarity words

The inputs are real FNC-1 bodies (../shared/data/fnc1/train_bodies.csv, the first --bodies of them,
485 by default) run through `toolkit batch` once (claims, counterclaims, summary) with a scripted
model standing in for the LLM: the claims, claimants, quotes and offsets are the chains' own rule
stage, the model's labels are fixed answers (so the figures time the story work, not a model). The
base batch is cached in runs/bench-stories/base-<bodies>.jsonl (about a second a body on 2 cores,
once). A size above the base reuses its bodies as further articles with their own id and hash and
a random 70% of their claims (seeded): 10,000 results from 485 bodies make about 21 copies of each
story, so the stories are larger than in real news and the figures err on the slow side.

Each size runs `toolkit.story.build(label=False)` in a fresh process (so its peak memory is its
own), after a baseline in that same process: reading and parsing the same file, the floor any
analysis over it pays. Printed: seconds, ratio to the baseline, results a second, peak RSS and
the RSS it added over the baseline, per size; flat memory shows as added MB per 1,000 results.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FNC1 = ROOT.parent / "shared" / "data" / "fnc1" / "train_bodies.csv"
WORK = ROOT / "runs" / "bench-stories"
ANSWERS = {
    "TypeAnswer": '{"type": "fact"}',
    "RelationAnswer": '{"relation": "contests"}',
    "HeadlineAnswer": '{"headline": "A headline from the scripted model"}',
    "SentencePicks": '{"sentences": [1]}',
}


def base_results(bodies: int) -> Path:
    """The first `bodies` FNC-1 bodies through the chains once, with scripted answers (cached)."""
    base = WORK / f"base-{bodies}.jsonl"
    if base.exists():
        return base
    from toolkit.batch import run_batch
    from toolkit.testing.fakes import ScriptedModel

    WORK.mkdir(parents=True, exist_ok=True)
    feed = WORK / "bodies.jsonl"
    csv.field_size_limit(sys.maxsize)
    with FNC1.open(encoding="utf-8", newline="") as handle, feed.open("w", encoding="utf-8") as out:
        for n, row in enumerate(csv.DictReader(handle)):
            if n == bodies:
                break
            out.write(json.dumps({"id": f"fnc1-{row['Body ID']}", "text": row["articleBody"]}) + "\n")
    model = ScriptedModel(lambda r: ANSWERS.get(r.schema_name, "{}"), model_id="fake:scripted")
    started = time.perf_counter()
    partial = base.with_suffix(".partial.jsonl")
    report = run_batch(feed, partial, model=model, concurrency=4, runlog=False, progress=False, record_mode="off")
    partial.rename(base)
    print(
        f"base batch: {report.ok} ok, {report.failed} failed in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    return base


def inputs(size: int, bodies: int) -> Path:
    """`size` results: the base ones, then copies with a new id, hash and 70% of their claims."""
    path = WORK / f"results-{size}-of-{bodies}.jsonl"
    if path.exists():
        return path
    base = [json.loads(line) for line in base_results(bodies).open(encoding="utf-8")]
    rng = random.Random(size)
    with path.open("w", encoding="utf-8") as out:
        for n in range(size):
            item = json.loads(json.dumps(base[n % len(base)]))
            if n >= len(base):
                copy = n // len(base)
                item["article"]["id"] = f"{item['article']['id']}-copy{copy}"
                item["article"]["sha256"] = f"{copy:04d}{item['article']['sha256'][4:]}"
                claims = item["outputs"].get("claims", {}).get("claims", [])
                item["outputs"]["claims"]["claims"] = [c for c in claims if rng.random() < 0.7]
            out.write(json.dumps(item) + "\n")
    return path


def measure(path: Path, similarity: str) -> dict[str, float]:
    """Run in a fresh process: the baseline (read + parse), then the story build, each timed."""
    code = f"""
import json, resource, time
from toolkit.story import build, iter_results
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter(); n = sum(1 for _ in iter_results({str(path)!r})); read_s = time.perf_counter() - t
base_rss = rss()
t = time.perf_counter()
out = build({str(path)!r}, label=False, options={{"similarity": {similarity!r}}})
story_s = time.perf_counter() - t
print(json.dumps({{"n": n, "read_s": read_s, "story_s": story_s, "base_rss": base_rss, "peak_rss": rss(),
                  "stories": out.output["summary"]["stories"], "claims": out.output["summary"]["aligned claims"],
                  "pairs": out.output["summary"]["counter pairs"], "similarity": out.output["similarity"]}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--similarity", default="auto", help="auto, embeddings or words")
    parser.add_argument("--bodies", type=int, default=485, help="FNC-1 bodies in the base batch")
    args = parser.parse_args()
    if not FNC1.exists():
        sys.exit(f"no FNC-1 bodies at {FNC1}")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        found = measure(inputs(size, args.bodies), args.similarity)
        rows.append(found)
    print(
        f"{'results':>8} {'read s':>7} {'story s':>8} {'x read':>7} {'res/s':>7} {'peak MB':>8} {'+MB':>6} "
        f"{'+MB/1k':>7} {'stories':>8} {'claims':>8} {'pairs':>6}  similarity"
    )
    for r in rows:
        added = r["peak_rss"] - r["base_rss"]
        print(
            f"{r['n']:>8,} {r['read_s']:>7.1f} {r['story_s']:>8.1f} {r['story_s'] / r['read_s']:>7.1f} "
            f"{r['n'] / r['story_s']:>7.0f} {r['peak_rss']:>8.0f} {added:>6.0f} {added / r['n'] * 1000:>7.1f} "
            f"{r['stories']:>8,} {r['claims']:>8,} {r['pairs']:>6,}  {r['similarity']}"
        )
    big = rows[-1]
    verdict = "met" if big["story_s"] <= 120 else "NOT met"
    print(
        f"target (10,000 results grouped and aligned in <= 120 s): {big['story_s']:.0f} s for {big['n']:,}: {verdict}"
    )


if __name__ == "__main__":
    main()
