"""Batch throughput, fault tolerance, crash-resume and memory, against the local OpenAI-compatible server.

Run by hand (not a test; numbers depend on the machine):

    .venv/bin/python benchmarks/bench_batch.py --limit 300                # throughput vs ideal and baselines
    .venv/bin/python benchmarks/bench_batch.py --limit 200 --fault-rate 0.1 --skip-baselines
    .venv/bin/python benchmarks/bench_batch.py --limit 200 --kill-after 8 --skip-baselines
    .venv/bin/python benchmarks/bench_batch.py --memory 100000 --chains claims

The server (tests.support.openai_server) runs in its own process on 127.0.0.1 with a fixed
latency per request and 429 + Retry-After beyond --concurrency requests in flight; the toolkit
talks to it through the real openai client and langchain-openai, exactly as to OpenAI. Input:
../shared/data/fnc1/train_bodies.csv (real article bodies); the script skips if it is absent.

Ideal throughput is per model call: concurrency / latency calls per second (every slot always
busy, zero client and server overhead). The toolkit's rate is its live calls per second over the
whole run (CPU work included); the baselines are a plain sequential loop (runner.run per
article) and plain LangChain ``Runnable.abatch(max_concurrency=N)`` over the same chains.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "fnc1" / "train_bodies.csv"
sys.path.insert(0, str(ROOT))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# the server in its own process (so its CPU work does not share the client's GIL)


class ServerProcess:
    def __init__(self, latency: float, concurrency: int, fault_rate: float = 0.0, fault_timeout: float = 2.0) -> None:
        cmd = [
            sys.executable,
            "-m",
            "tests.support.openai_server",
            "--port",
            "0",
            "--latency",
            str(latency),
            "--max-concurrency",
            str(concurrency),
            "--fault-rate",
            str(fault_rate),
            "--fault-seed",
            "7",
            "--fault-timeout",
            str(fault_timeout),
            "--max-seconds",
            "86400",
        ]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.proc.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
        if not match:
            raise RuntimeError(f"server did not start: {line} {self.proc.stderr.read()}")
        self.base_url = match.group(1)

    def stop(self) -> dict:
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        stats = next((json.loads(line)["stats"] for line in err.splitlines() if line.startswith('{"stats"')), {})
        return stats


# --------------------------------------------------------------------------------------------
# input


def fnc_articles(limit: int) -> list:
    from toolkit.article import article_from_text

    csv.field_size_limit(1 << 26)
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = itertools.islice(csv.DictReader(handle), limit)
        return [article_from_text(r["articleBody"], id=r["Body ID"]) for r in rows]


def write_subset(path: Path, limit: int) -> Path:
    """The first `limit` bodies as a CSV in the original format (the batch reads the CSV itself)."""
    csv.field_size_limit(1 << 26)
    with DATA.open(newline="", encoding="utf-8") as src, path.open("w", newline="", encoding="utf-8") as dst:
        reader = csv.reader(src)
        writer = csv.writer(dst)
        for row in itertools.islice(reader, limit + 1):
            writer.writerow(row)
    return path


WORDS = ("council", "bridge", "storm", "budget", "school", "river", "road", "hospital", "market", "station")
PEOPLE = ("The mayor", "Officials", "Residents", "The minister", "Police", "Engineers", "Teachers", "Doctors")


def synthetic_feed(path: Path, n: int) -> Path:
    """n distinct short articles, written as a stream (never held in memory).

    Each carries its own case number, so no two requests are alike (no cache hits) and spaCy
    meets new strings, as with a real feed.
    """
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            who, what, where = rng.choice(PEOPLE), rng.choice(WORDS), rng.choice(WORDS)
            text = (
                f"{who} said the {what} near the {where} will reopen soon after case {i}. "
                f"The {what} closed after the storm."
            )
            handle.write(json.dumps({"id": f"s{i}", "text": text}) + "\n")
    return path


# --------------------------------------------------------------------------------------------
# the three ways of running


def run_toolkit(inp: Path, out: Path, base_url: str, args: argparse.Namespace) -> dict:
    from toolkit.batch import run_batch

    started = time.perf_counter()
    report = run_batch(
        inp,
        out,
        chains=args.chains,
        model="openai:fake-model",
        base_url=base_url,
        concurrency=args.concurrency,
        timeout=args.timeout,
        max_retries=args.max_retries,
        runlog=out.with_suffix(".sqlite"),
        prices=args.prices,
        progress=False,
    )
    elapsed = time.perf_counter() - started
    return {
        "name": "toolkit run_batch",
        "articles": report.processed,
        "calls": report.live_calls,
        "elapsed": elapsed,
        "report": report,
    }


def run_sequential(articles: list, base_url: str, args: argparse.Namespace) -> dict:
    from toolkit.providers.openai.chat import OpenAIModel
    from toolkit.runner import run

    model = OpenAIModel("fake-model", base_url=base_url, api_key=os.environ["OPENAI_API_KEY"])
    calls = 0
    started = time.perf_counter()
    for article in articles:
        result = run(article, args.chains, model=model, strict=False)
        calls += sum(1 for c in result.calls if c.source == "live")
    return {
        "name": "sequential loop (runner.run)",
        "articles": len(articles),
        "calls": calls,
        "elapsed": time.perf_counter() - started,
    }


def run_abatch(articles: list, base_url: str, args: argparse.Namespace) -> dict:
    """Plain LangChain: the chains' own Runnables composed in a RunnableLambda, then abatch."""
    from langchain_core.runnables import RunnableLambda

    from toolkit.chain import ChainContext, ChainInput
    from toolkit.plugins import resolve_order
    from toolkit.providers.openai.chat import OpenAIModel

    model = OpenAIModel("fake-model", base_url=base_url, api_key=os.environ["OPENAI_API_KEY"], max_retries=5)
    ctx = ChainContext(model=model)
    plan = [(chain.name, chain.depends_on, chain.build(ctx)) for chain in resolve_order(args.chains.split(","))]

    async def one(article: object) -> dict:
        outputs: dict = {}
        for name, deps, runnable in plan:
            outputs[name] = await runnable.ainvoke(ChainInput(article=article, deps={d: outputs[d] for d in deps}))
        return outputs

    async def main() -> list:
        return await RunnableLambda(one).abatch(
            articles, config={"max_concurrency": args.concurrency}, return_exceptions=True
        )

    started = time.perf_counter()
    results = asyncio.run(main())
    elapsed = time.perf_counter() - started
    failed = sum(isinstance(r, BaseException) for r in results)
    calls = sum(1 for c in ctx.records if c.source == "live")
    return {
        "name": f"LangChain abatch(max_concurrency={args.concurrency})",
        "articles": len(articles) - failed,
        "calls": calls,
        "elapsed": elapsed,
        "failed": failed,
    }


def run_model_layer(base_url: str, args: argparse.Namespace, n: int) -> dict:
    """The toolkit's model stack alone (limit, retries; no chain CPU work): what the transport reaches."""
    from pydantic import BaseModel, Field

    from toolkit.batch import build_model
    from toolkit.models import ModelRequest

    class ShortAnswer(BaseModel):  # a short structured answer, the size of a label or a restatement
        claim: str = Field(min_length=10, max_length=300)

    async def main() -> int:
        stack = build_model(
            "openai:fake-model",
            base_url=base_url,
            concurrency=args.concurrency,
            timeout=args.timeout,
            record_mode="off",
        )
        gate = asyncio.Semaphore(4 * args.concurrency)

        async def one(i: int) -> None:
            request = ModelRequest(
                model=stack.model.model_id,
                schema_name="ShortAnswer",
                messages=[{"role": "user", "content": f"Restate claim {i} about the storm"}],
                json_schema=ShortAnswer.model_json_schema(),
                params={"max_tokens": 96},
            )
            async with gate:
                await stack.model.acomplete(request)

        try:
            await asyncio.gather(*(one(i) for i in range(n)))
        finally:
            await stack.aclose()
        return n

    started = time.perf_counter()
    calls = asyncio.run(main())
    return {
        "name": "toolkit model layer only (no chain CPU)",
        "articles": 0,
        "calls": calls,
        "elapsed": time.perf_counter() - started,
    }


# --------------------------------------------------------------------------------------------
# scenarios


def table(rows: list[dict], ideal: float) -> str:
    head = f"{'run':44} {'articles':>8} {'calls':>7} {'time s':>8} {'art/s':>7} {'calls/s':>8} {'vs ideal':>9}"
    lines = [head, "-" * len(head)]
    lines.append(f"{'ideal (concurrency / latency)':44} {'':>8} {'':>7} {'':>8} {'':>7} {ideal:8.1f} {'100.0%':>9}")
    for r in rows:
        rate = r["calls"] / r["elapsed"] if r["elapsed"] else 0.0
        per_article = f"{r['articles'] / r['elapsed']:7.2f}" if r["articles"] else f"{'-':>7}"
        lines.append(
            f"{r['name']:44} {r['articles']:8d} {r['calls']:7d} {r['elapsed']:8.1f} "
            f"{per_article} {rate:8.1f} {rate / ideal:9.1%}"
        )
    return "\n".join(lines)


def throughput(args: argparse.Namespace, work: Path) -> None:
    ideal = args.concurrency / args.latency
    inp = write_subset(work / "bodies.csv", args.limit)
    rows = []
    server = ServerProcess(args.latency, args.concurrency, args.fault_rate, args.fault_timeout)
    try:
        log(
            f"toolkit: {args.limit} articles, chains {args.chains}, concurrency {args.concurrency}, "
            f"latency {args.latency}s, fault rate {args.fault_rate}"
        )
        result = run_toolkit(inp, work / "toolkit.jsonl", server.base_url, args)
    finally:
        stats = server.stop()
    rows.append(result)
    report = result["report"]
    print(report.format())
    keys = ("completed", "rejected_429", "faults_by_kind", "max_in_flight")
    print(f"server: {json.dumps({k: stats.get(k) for k in keys})}")
    if args.fault_rate:
        check_exactly_once(work / "toolkit.jsonl", inp)
    if not args.skip_baselines:
        server = ServerProcess(args.latency, args.concurrency)
        try:
            log("model layer only")
            rows.insert(0, run_model_layer(server.base_url, args, int(20 * ideal)))
        finally:
            server.stop()
        articles = fnc_articles(min(args.limit, args.baseline_limit))
        server = ServerProcess(args.latency, args.concurrency)
        try:
            log(f"LangChain abatch: {len(articles)} articles")
            rows.append(run_abatch(articles, server.base_url, args))
            abatch_stats = server.stop()
            server = ServerProcess(args.latency, args.concurrency)
            log(f"sequential loop: {args.sequential_limit} articles")
            rows.append(run_sequential(articles[: args.sequential_limit], server.base_url, args))
        finally:
            server.stop()
        print(f"abatch server: {json.dumps({k: abatch_stats.get(k) for k in ('completed', 'rejected_429')})}")
    print()
    print(table(rows, ideal))
    base = {r["name"]: r["calls"] / r["elapsed"] for r in rows}
    tk = base.pop("toolkit run_batch")
    base.pop("toolkit model layer only (no chain CPU)", None)
    for name, rate in base.items():
        print(f"toolkit / {name}: {tk / rate:.1f}x calls/s")
    calls_per_article = result["calls"] / max(1, result["articles"])
    print(f"model calls per article: {calls_per_article:.1f}; ideal articles/s = {ideal / calls_per_article:.2f}")


def check_exactly_once(out: Path, inp: Path) -> None:
    from toolkit.batch import BatchPaths, read_inputs

    def ids(path: Path) -> list[str]:
        return [json.loads(line)["article_id"] for line in path.open(encoding="utf-8")] if path.exists() else []

    expected = {item.article_id for item in read_inputs(inp)}
    done, failed = ids(out), ids(BatchPaths.for_output(out).failures)
    dupes = (len(done) - len(set(done))) + (len(failed) - len(set(failed))) + len(set(done) & set(failed))
    missing = expected - set(done) - set(failed)
    verdict = "OK" if not missing and not dupes else "FAIL"
    print(
        f"exactly-once check: {len(expected)} articles, {len(set(done))} with outputs, {len(set(failed))} "
        f"recorded failures, {len(missing)} missing, {dupes} duplicated -> {verdict}"
    )


def kill_and_resume(args: argparse.Namespace, work: Path) -> None:
    """SIGKILL a `toolkit batch` process mid-run, rerun it, and check nothing was lost or paid twice."""
    from tests.support.openai_server import OpenAICompatServer, generate_instance
    from toolkit.batch import BatchPaths

    inp = write_subset(work / "bodies.csv", args.limit)
    out = work / "killed.jsonl"
    answered: list[str] = []

    def key(messages: list, schema: str) -> str:
        return json.dumps([[m["role"], m["content"]] for m in messages] + [schema])

    def responder(body: dict) -> str:
        schema = body["response_format"]["json_schema"]
        answered.append(key(body["messages"], schema["name"]))
        words = " ".join([m["content"] for m in body["messages"] if m["role"] == "user"][-1].split()[:8])
        return json.dumps(generate_instance(schema["schema"], words))

    env = {**os.environ, "TOOLKIT_RUNLOG": str(work / "killed.sqlite")}
    with OpenAICompatServer(latency=args.latency, max_concurrency=args.concurrency, responder=responder) as server:
        cmd = [
            sys.executable,
            "-m",
            "toolkit.cli",
            "batch",
            str(inp),
            "--out",
            str(out),
            "--model",
            "openai:fake-model",
            "--base-url",
            server.base_url,
            "--concurrency",
            str(args.concurrency),
            "--chains",
            args.chains,
            "--no-progress",
        ]
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(args.kill_after)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        first_log = server.stats.snapshot()["request_log"]
        first = len(answered)
        done_before = sum(1 for _ in out.open()) if out.exists() else 0
        stored = set()
        for path in BatchPaths.for_output(out).responses.glob("*.json"):
            request = json.loads(path.read_text("utf-8"))["request"]
            stored.add(key(request["messages"], request["schema_name"]))
        started = time.perf_counter()
        rerun = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        second_log = server.stats.snapshot()["request_log"][len(first_log) :]
    print(
        f"killed after {args.kill_after}s: {done_before} articles written, {len(stored)} calls in the cache, "
        f"{first} answered by the server"
    )
    print(rerun.stdout.strip())
    print(f"rerun took {elapsed:.1f}s (exit {rerun.returncode})")
    re_requested = stored & set(answered[first:])
    completed = {e["body_hash"] for e in first_log if e["status"] == 200 and e["fault"] is None}
    again = {e["body_hash"] for e in second_log} & completed
    print(f"calls stored before the kill and requested again: {len(re_requested)} (must be 0)")
    print(
        f"bodies answered by the server before the kill and sent again: {len(again)} "
        f"(in flight at the kill, answer never received; at most {args.concurrency})"
    )
    check_exactly_once(out, inp)


def memory(args: argparse.Namespace, work: Path) -> None:
    """Peak RSS of a `toolkit batch` process over N short synthetic articles (generated as a stream)."""
    inp = synthetic_feed(work / "synthetic.jsonl", args.memory)
    out = work / "memory.jsonl"
    server = ServerProcess(args.latency, args.concurrency)
    env = {**os.environ, "TOOLKIT_RUNLOG": str(work / "memory.sqlite")}
    cmd = [
        sys.executable,
        "-m",
        "toolkit.cli",
        "batch",
        str(inp),
        "--out",
        str(out),
        "--model",
        "openai:fake-model",
        "--base-url",
        server.base_url,
        "--prices",
        args.prices,
        "--concurrency",
        str(args.concurrency),
        "--chains",
        args.chains,
        "--no-progress",
    ]
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        samples = []
        hwm = {"batch": 0, "workers": 0, "total": 0}
        while proc.poll() is None:
            try:
                own = _status_mb(proc.pid, "VmRSS")
                hwm["batch"] = max(hwm["batch"], _status_mb(proc.pid, "VmHWM"))
                # the batch's own children (the spaCy worker process, if any) count too
                workers = sum(_status_mb(child, "VmRSS") for child in _children(proc.pid))
                hwm["workers"] = max(hwm["workers"], workers)
                hwm["total"] = max(hwm["total"], own + workers)
                lines = sum(1 for _ in out.open("rb")) if out.exists() else 0
                samples.append((round(time.perf_counter() - started), lines, own, workers))
            except (OSError, IndexError, ValueError):
                pass
            time.sleep(args.sample_every)
        stdout, stderr = proc.communicate()
    finally:
        server.stop()
    print(stdout.strip() or stderr.strip())
    print(
        f"{args.memory:,} articles in {time.perf_counter() - started:.0f}s; peak RSS of the batch process: "
        f"{hwm['batch']:.0f} MB; of its worker processes: {hwm['workers']:.0f} MB; batch + workers (sampled): "
        f"{hwm['total']:.0f} MB (target < 300 MB)"
    )
    shown = samples[:: max(1, len(samples) // 12)] + samples[-1:]
    print(
        "RSS over the run (s, articles done, batch MB, workers MB): "
        + ", ".join(f"({t},{n},{m},{w})" for t, n, m, w in shown)
    )
    if len(samples) >= 4:  # growth per article over the second half (past the warm-up)
        (_, n0, m0, w0), (_, n1, m1, w1) = samples[len(samples) // 2], samples[-1]
        if n1 > n0:
            print(
                f"growth over the second half: {(m1 + w1 - m0 - w0) * 1024 / (n1 - n0):.3f} KB/article "
                f"(batch {(m1 - m0) * 1024 / (n1 - n0):.3f}, workers {(w1 - w0) * 1024 / (n1 - n0):.3f})"
            )


def _status_mb(pid: int, field: str) -> int:
    return int(Path(f"/proc/{pid}/status").read_text().split(f"{field}:")[1].split()[0]) // 1024


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=300, help="FNC-1 bodies to run")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per request at the server")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests with injected faults")
    parser.add_argument("--fault-timeout", type=float, default=2.0, help="stall of a 'timeout' fault")
    parser.add_argument("--timeout", type=float, default=1.0, help="client timeout per request")
    parser.add_argument("--max-retries", type=int, default=5)
    parser.add_argument("--chains", default="summary,claims,counterclaims")
    parser.add_argument("--sequential-limit", type=int, default=5, help="articles for the (slow) sequential loop")
    parser.add_argument("--baseline-limit", type=int, default=80, help="articles for the abatch baseline")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--kill-after", type=float, default=None, help="SIGKILL/resume scenario: kill after N s")
    parser.add_argument("--memory", type=int, default=None, help="memory mode: N short synthetic articles")
    parser.add_argument("--sample-every", type=float, default=5.0, help="memory mode: RSS sampling interval")
    parser.add_argument("--prices", default=None, help="price table TOML (to show an estimated cost)")
    parser.add_argument("--work", default=None, help="folder for outputs (default: a temp folder)")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "bench-key")  # the local server accepts any bearer token
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    log(f"work folder: {work}")
    if args.prices is None:  # price the fake model like gpt-4o-mini, to show an estimated cost
        prices = work / "prices.toml"
        prices.write_text('[models]\n"openai:fake-model" = { input = 0.15, output = 0.60 }\n', "utf-8")
        args.prices = str(prices)
    if args.memory:
        memory(args, work)
        return
    if not DATA.exists():
        print(f"skipped: {DATA} not found (../shared is absent); the memory mode (--memory N) needs no data")
        return
    if args.kill_after:
        kill_and_resume(args, work)
        return
    throughput(args, work)


if __name__ == "__main__":
    main()
