"""Batch throughput per strategy, faults, crash-resume, malformed feeds and memory, against the
local OpenAI-compatible server.

Run by hand (not a test; numbers depend on the machine); see benchmarks/README.md:

    .venv/bin/python benchmarks/bench_batch.py --limit 300                # per strategy: raw client, CLI, baselines
    .venv/bin/python benchmarks/bench_batch.py --limit 1000 --fault-rate 0.1 --skip-baselines --strategies guided
    .venv/bin/python benchmarks/bench_batch.py --limit 100 --kill-after 20 --kill-min 4 --kills 5
    .venv/bin/python benchmarks/bench_batch.py --malformed-feed 50000 --chains claims --latency 0.02
    .venv/bin/python benchmarks/bench_batch.py --memory 100000 --chains claims

The server (tests.support.openai_server) runs in its own process on 127.0.0.1 with a fixed
latency per request and 429 + Retry-After beyond --concurrency requests in flight; the toolkit
talks to it through the real openai client and langchain-openai, exactly as to OpenAI. Input:
../shared/data/fnc1/train_bodies.csv (real article bodies); the script skips if it is absent.

The headline comparison is per strategy and within one server process: `toolkit batch` through
the CLI, then a raw client (plain httpx, no SDK, no chains) sending as many of the same requests
at the same concurrency. Ideal throughput is concurrency / latency calls per second. The
baselines are plain LangChain ``Runnable.abatch(max_concurrency=N)`` and a sequential loop
(runner.run per article) over the same chains.
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
import resource
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

    def cpu_s(self) -> float:
        """CPU seconds the server has used so far (it serves the toolkit on the same cores)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

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
# the ways of running


def run_cli(inp: Path, out: Path, base_url: str, args: argparse.Namespace, strategy: str) -> dict:
    """`toolkit batch` in its own process, as a user runs it; the figures are its --json report."""
    env = {**os.environ, "TOOLKIT_RUNLOG": str(out.with_suffix(".sqlite"))}
    cmd = [
        *batch_command(inp, out, base_url, args, strategy),
        "--timeout",
        str(args.timeout),
        "--max-retries",
        str(args.max_retries),
        "--json",
    ]
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 2):  # 2: finished with failures (recorded)
        raise RuntimeError(f"toolkit batch failed ({proc.returncode}): {proc.stderr.strip()[-2000:]}")
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "name": "toolkit batch (CLI)",
        "articles": report["ok"] + report["failed"],
        "calls": report["live_calls"],
        "elapsed": report["elapsed_s"],
        "wall": wall,
        "cost": report["cost_usd"],
        "report": report,
        # the batch process and its spaCy worker (a waited child counts in its parent's children)
        "cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    }


def raw_bodies(responses: Path) -> list[dict]:
    """The request bodies the toolkit sent, rebuilt from its response cache (one file per distinct request)."""
    bodies = []
    for path in sorted(responses.glob("*.json")):
        request = json.loads(path.read_text("utf-8"))["request"]
        params = {k: v for k, v in request["params"].items() if k in ("temperature", "max_tokens", "seed", "top_p")}
        schema = {"name": request["schema_name"], "schema": request["json_schema"]}
        bodies.append(
            {
                "model": request["model"].split(":", 1)[1],
                "messages": request["messages"],
                "response_format": {"type": "json_schema", "json_schema": schema},
                "temperature": 0,
                **params,
            }
        )
    return bodies


def run_raw(base_url: str, bodies: list[dict], n: int, args: argparse.Namespace) -> dict:
    """A plain async HTTP client (httpx, the openai SDK's transport): n requests, `concurrency` at once.

    The upper bound for any client of this server: no SDK, no chains, only POST, read, parse.
    """
    import httpx

    async def main() -> int:
        limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
        headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
        gate = asyncio.Semaphore(args.concurrency)
        async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=args.timeout) as client:

            async def one(i: int) -> int:
                async with gate:
                    for _ in range(args.max_retries + 1):
                        response = await client.post("/chat/completions", json=bodies[i % len(bodies)])
                        if response.status_code == 200:
                            json.loads(response.json()["choices"][0]["message"]["content"])
                            return 1
                        await asyncio.sleep(0.05)
                return 0

            return sum(await asyncio.gather(*(one(i) for i in range(n))))

    started = time.perf_counter()
    calls = asyncio.run(main())
    return {"name": "raw client (httpx)", "articles": 0, "calls": calls, "elapsed": time.perf_counter() - started}


def run_sequential(articles: list, base_url: str, args: argparse.Namespace, strategy: str) -> dict:
    from toolkit.providers.openai.chat import OpenAIModel
    from toolkit.runner import run

    model = OpenAIModel("fake-model", base_url=base_url, api_key=os.environ["OPENAI_API_KEY"])
    calls = 0
    started = time.perf_counter()
    for article in articles:
        result = run(article, args.chains, model=model, strict=False, strategy=strategy)
        calls += sum(1 for c in result.calls if c.source == "live")
    return {
        "name": "sequential loop (runner.run)",
        "articles": len(articles),
        "calls": calls,
        "elapsed": time.perf_counter() - started,
    }


def run_abatch(articles: list, base_url: str, args: argparse.Namespace, strategy: str) -> dict:
    """Plain LangChain: the chains' own Runnables composed in a RunnableLambda, then abatch."""
    from langchain_core.runnables import RunnableLambda

    from toolkit.chain import ChainContext, ChainInput
    from toolkit.plugins import resolve_order
    from toolkit.providers.openai.chat import OpenAIModel

    model = OpenAIModel("fake-model", base_url=base_url, api_key=os.environ["OPENAI_API_KEY"], max_retries=5)
    ctx = ChainContext(model=model, strategy=strategy)
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


def table(rows: list[tuple[str, dict]], raw_rate: dict[str, float], ideal: float) -> str:
    """One line per (strategy, run): calls/s against the raw client's in the same run, and
    articles/s against what the raw client's calls/s allows at the run's calls per article."""
    head = (
        f"{'strategy':8} {'run':40} {'articles':>8} {'calls':>6} {'calls/art':>9} {'time s':>7} {'art/s':>7} "
        f"{'calls/s':>8} {'vs raw':>7} {'$/article':>10} {'art/s vs raw/cpa':>16}"
    )
    lines = [head, "-" * len(head)]
    lines.append(f"{'-':8} {'ideal (concurrency / latency)':40} {'':>8} {'':>6} {'':>9} {'':>7} {'':>7} {ideal:8.1f}")
    for strategy, r in rows:
        rate = r["calls"] / r["elapsed"] if r["elapsed"] else 0.0
        raw = raw_rate.get(strategy)
        vs_raw = f"{rate / raw:7.2f}" if raw else f"{'-':>7}"
        if r["articles"]:
            art_rate = r["articles"] / r["elapsed"]
            per_article = r["calls"] / r["articles"]
            bound = f"{art_rate / (raw / per_article):16.2f}" if raw else f"{'-':>16}"
            cost = f"{r['cost'] / r['articles']:10.6f}" if "cost" in r else f"{'-':>10}"
            art = f"{art_rate:7.2f} "
            cpa = f"{per_article:9.1f}"
        else:
            art, cpa, cost, bound = f"{'-':>7} ", f"{'-':>9}", f"{'-':>10}", f"{'-':>16}"
        lines.append(
            f"{strategy:8} {r['name']:40} {r['articles']:8d} {r['calls']:6d} {cpa} {r['elapsed']:7.1f} {art}"
            f"{rate:8.1f} {vs_raw} {cost} {bound}"
        )
    return "\n".join(lines)


def throughput(args: argparse.Namespace, work: Path) -> None:
    """Per strategy, in one server process: `toolkit batch` (CLI), then the raw client sending as many
    of the same requests at the same concurrency; then the baselines (own server processes)."""
    from toolkit.batch import BatchPaths

    ideal = args.concurrency / args.latency
    inp = write_subset(work / "bodies.csv", args.limit)
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    rows: list[tuple[str, dict]] = []
    raw_rate: dict[str, float] = {}
    goals = []
    for strategy in strategies:
        out = work / f"toolkit-{strategy}.jsonl"
        server = ServerProcess(args.latency, args.concurrency, args.fault_rate, args.fault_timeout)
        try:
            log(
                f"toolkit batch --strategy {strategy}: {args.limit} articles, chains {args.chains}, concurrency "
                f"{args.concurrency}, latency {args.latency}s, fault rate {args.fault_rate}"
            )
            server_cpu = server.cpu_s()
            result = run_cli(inp, out, server.base_url, args, strategy)
            server_cpu = server.cpu_s() - server_cpu
            raw = None
            if not args.fault_rate:
                bodies = raw_bodies(BatchPaths.for_output(out).responses)
                log(f"raw client: {result['calls']} requests ({len(bodies)} distinct), concurrency {args.concurrency}")
                raw = run_raw(server.base_url, bodies, result["calls"], args)
        finally:
            stats = server.stop()
        report = result["report"]
        keys = ("ok", "failed", "elapsed_s", "calls", "live_calls", "cost_usd", "retries", "gave_up")
        print(f"[{strategy}] report: {json.dumps({k: report[k] for k in keys})}")
        print(f"[{strategy}] per article: {json.dumps(report['per_article'])}")
        if report["failures_by_cause"]:
            print(f"[{strategy}] failures by cause: {json.dumps(report['failures_by_cause'])}")
        server_keys = ("completed", "rejected_429", "faults_by_kind", "max_in_flight")
        print(f"[{strategy}] server (toolkit + raw client): {json.dumps({k: stats.get(k) for k in server_keys})}")
        print(
            f"[{strategy}] CLI process wall time {result['wall']:.1f}s (batch {result['elapsed']:.1f}s; the rest is "
            f"start-up and teardown)"
        )
        articles = max(1, result["articles"])
        cpu, cores = result["cpu_s"] / articles, os.cpu_count() or 1
        most = cores / (cpu + server_cpu / articles)
        print(
            f"[{strategy}] CPU per article: toolkit {cpu:.3f} s (batch process and its spaCy worker), server "
            f"{server_cpu / articles:.3f} s; {cores} cores allow at most {most:.2f} articles/s "
            f"({most * result['calls'] / articles:.1f} calls/s) here, whatever the concurrency"
        )
        rows.append((strategy, result))
        if args.fault_rate:
            check_exactly_once(out, inp)
        if raw is not None:
            rows.insert(len(rows) - 1, (strategy, raw))
            rate = raw["calls"] / raw["elapsed"]
            raw_rate[strategy] = rate
            tk_rate = result["calls"] / result["elapsed"]
            per_article = result["calls"] / max(1, result["articles"])
            bound = rate / per_article
            art_rate = result["articles"] / result["elapsed"]
            goals.append(
                f"{strategy}: toolkit calls/s {tk_rate:.1f} = {tk_rate / rate:.2f} of the raw client's {rate:.1f} "
                f"(goal >= 0.95: {'met' if tk_rate / rate >= 0.95 else 'short'}); {art_rate:.2f} articles/s vs "
                f"raw calls/s / {per_article:.1f} calls per article = {bound:.2f} "
                f"(within 10%: {'met' if art_rate >= 0.9 * bound else 'short'}); "
                f"over the CLI's wall time {result['calls'] / result['wall']:.1f} calls/s = "
                f"{result['calls'] / result['wall'] / rate:.2f} of raw"
            )
    if not args.skip_baselines:
        server = ServerProcess(args.latency, args.concurrency)
        try:
            log("model layer only")
            rows.insert(0, ("-", run_model_layer(server.base_url, args, int(20 * ideal))))
        finally:
            server.stop()
        articles = fnc_articles(min(args.limit, args.baseline_limit))
        for strategy in strategies:
            server = ServerProcess(args.latency, args.concurrency)
            try:
                log(f"[{strategy}] LangChain abatch: {len(articles)} articles")
                rows.append((strategy, run_abatch(articles, server.base_url, args, strategy)))
                log(f"[{strategy}] sequential loop: {args.sequential_limit} articles")
                few = articles[: args.sequential_limit]
                rows.append((strategy, run_sequential(few, server.base_url, args, strategy)))
            finally:
                server.stop()
    rows.sort(key=lambda sr: (sr[0] != "-", strategies.index(sr[0]) if sr[0] in strategies else -1))
    print()
    print(table(rows, raw_rate, ideal))
    for line in goals:
        print(line)


def check_exactly_once(out: Path, inp: Path) -> tuple[int, int]:
    """Every input record in exactly one of output and failures; prints the verdict, returns (missing, duplicated)."""
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
    return len(missing), dupes


def batch_command(
    inp: Path, out: Path, base_url: str, args: argparse.Namespace, strategy: str | None = None
) -> list[str]:
    """The `toolkit batch` command line every scenario runs against the local server."""
    from tests.support.openai_server import batch_command as command

    options = ["--prices", args.prices, "--concurrency", str(args.concurrency), "--chains", args.chains]
    return command(inp, out, base_url, *options, "--strategy", strategy or args.strategy)


def kill_and_resume(args: argparse.Namespace, work: Path) -> None:
    """SIGKILL `toolkit batch` at --kills random points (each rerun resumes the last), then run it to
    the end: nothing lost or duplicated, and no call stored before a kill requested again."""
    from tests.support.openai_server import OpenAICompatServer, generate_instance
    from toolkit.batch import BatchPaths

    inp = write_subset(work / "bodies.csv", args.limit)
    out = work / "killed.jsonl"
    answered: list[str] = []
    rng = random.Random(args.seed)

    def key(messages: list, schema: str) -> str:
        return json.dumps([[m["role"], m["content"]] for m in messages] + [schema])

    def responder(body: dict) -> str:
        schema = body["response_format"]["json_schema"]
        answered.append(key(body["messages"], schema["name"]))
        words = " ".join([m["content"] for m in body["messages"] if m["role"] == "user"][-1].split()[:8])
        return json.dumps(generate_instance(schema["schema"], words))

    def stored() -> set[str]:
        keys = set()
        for path in BatchPaths.for_output(out).responses.glob("*.json"):
            try:
                request = json.loads(path.read_text("utf-8"))["request"]
            except (OSError, ValueError):  # a temp file renamed meanwhile
                continue
            keys.add(key(request["messages"], request["schema_name"]))
        return keys

    def lines() -> int:
        return sum(1 for _ in out.open("rb")) if out.exists() else 0

    env = {**os.environ, "TOOLKIT_RUNLOG": str(work / "killed.sqlite")}
    again_total = 0
    with OpenAICompatServer(latency=args.latency, max_concurrency=args.concurrency, responder=responder) as server:
        cmd = batch_command(inp, out, server.base_url, args)
        before: set[str] = set()
        for kill in range(1, args.kills + 1):
            mark = len(answered)
            delay = rng.uniform(args.kill_min, args.kill_after)
            proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                proc.wait(timeout=delay)
                note = f"finished before the kill (exit {proc.returncode})"
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                note = "SIGKILL"
            again = len(before & set(answered[mark:]))
            again_total += again
            before = stored()
            print(
                f"run {kill}: {note} after {delay:.1f}s; {lines()} articles written so far, {len(before)} calls in "
                f"the cache, {len(answered) - mark} answered by the server in this run; calls stored before it and "
                f"requested again: {again}"
            )
        mark = len(answered)
        started = time.perf_counter()
        rerun = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        again = len(before & set(answered[mark:]))
        again_total += again
    print(rerun.stdout.strip())
    print(
        f"final run: {elapsed:.1f}s (exit {rerun.returncode}), {len(answered) - mark} answered by the server; calls "
        f"stored before it and requested again: {again}"
    )
    print(f"over {args.kills} kills and the final run: calls stored before a kill and requested again: {again_total}")
    check_exactly_once(out, inp)


def watch(cmd: list[str], env: dict, out: Path, every: float) -> tuple[str, dict, list, float]:
    """Run `cmd`, sampling the RSS of it and its children (the spaCy worker) and the lines written."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = []
    hwm = {"batch": 0, "workers": 0, "total": 0}
    while proc.poll() is None:
        try:
            own = _status_mb(proc.pid, "VmRSS")
            hwm["batch"] = max(hwm["batch"], _status_mb(proc.pid, "VmHWM"))
            workers = sum(_status_mb(child, "VmRSS") for child in _children(proc.pid))
            hwm["workers"] = max(hwm["workers"], workers)
            hwm["total"] = max(hwm["total"], own + workers)
            done = sum(1 for _ in out.open("rb")) if out.exists() else 0
            samples.append((round(time.perf_counter() - started), done, own, workers))
        except (OSError, IndexError, ValueError):
            pass
        time.sleep(every)
    stdout, stderr = proc.communicate()
    return stdout.strip() or stderr.strip(), hwm, samples, time.perf_counter() - started


def print_rss(n: int, hwm: dict, samples: list, elapsed: float) -> None:
    print(
        f"{n:,} articles in {elapsed:.0f}s; peak RSS of the batch process: {hwm['batch']:.0f} MB; of its worker "
        f"processes: {hwm['workers']:.0f} MB; batch + workers (sampled): {hwm['total']:.0f} MB (target < 300 MB)"
    )
    shown = samples[:: max(1, len(samples) // 12)] + samples[-1:]
    print(
        "RSS over the run (s, articles written, batch MB, workers MB): "
        + ", ".join(f"({t},{d},{m},{w})" for t, d, m, w in shown)
    )
    if hwm["workers"]:  # not the samples taken while the worker was starting or had exited
        samples = [s for s in samples if s[3] > 0]
    if len(samples) >= 4:  # growth per article over the second half (past the warm-up)
        (_, n0, m0, w0), (_, n1, m1, w1) = samples[len(samples) // 2], samples[-1]
        if n1 > n0:
            print(
                f"growth over the second half: {(m1 + w1 - m0 - w0) * 1024 / (n1 - n0):.3f} KB/article "
                f"(batch {(m1 - m0) * 1024 / (n1 - n0):.3f}, workers {(w1 - w0) * 1024 / (n1 - n0):.3f})"
            )


def watched_batch(inp: Path, out: Path, args: argparse.Namespace) -> tuple[str, dict, list, float]:
    """`toolkit batch` against a fresh server process, its RSS sampled (see `watch`); the run log
    beside the output."""
    server = ServerProcess(args.latency, args.concurrency)
    env = {**os.environ, "TOOLKIT_RUNLOG": str(out.with_suffix(".sqlite"))}
    try:
        return watch(batch_command(inp, out, server.base_url, args), env, out, args.sample_every)
    finally:
        server.stop()


def memory(args: argparse.Namespace, work: Path) -> None:
    """Peak RSS of a `toolkit batch` process over N short synthetic articles (generated as a stream)."""
    inp = synthetic_feed(work / "synthetic.jsonl", args.memory)
    out = work / "memory.jsonl"
    text, hwm, samples, elapsed = watched_batch(inp, out, args)
    print(text)
    print_rss(args.memory, hwm, samples, elapsed)


#: the malformed lines of --malformed-feed, in turn: what the line is, and the reason the batch must give
MALFORMED = (
    ("bad JSON", "invalid JSON"),
    ("missing text", "no text"),
    ("binary bytes", "not valid UTF-8"),
    ("latin-1 bytes", "not valid UTF-8"),
)


def malformed_feed(path: Path, n: int, share: float) -> dict[int, int]:
    """n short synthetic articles as a JSONL stream, one line in 1/share malformed (the kinds of
    MALFORMED in turn); returns {line number: kind index} of the malformed lines."""
    rng = random.Random(3)
    step = max(1, round(1 / share))
    bad: dict[int, int] = {}
    with path.open("wb") as handle:
        for i in range(n):
            line = i + 1
            if line % step == step // 2:
                kind = len(bad) % len(MALFORMED)
                bad[line] = kind
                if kind == 0:
                    raw = b'{"id": "b%d", "text": "The mayor said' % line
                elif kind == 1:
                    raw = json.dumps({"id": f"b{line}", "title": "no text field"}).encode()
                elif kind == 2:
                    raw = bytes(rng.choice([0, 1, 2, 0xFF, 0xFE, 0x89, 0xC3, 0x80, 0x1A]) for _ in range(40))
                else:
                    text = f"Caf\u00e9 {line} closed, owners said."
                    raw = json.dumps({"id": f"b{line}", "text": text}, ensure_ascii=False).encode("latin-1")
                handle.write(raw.replace(b"\n", b" ") + b"\n")
                continue
            who, what, where = rng.choice(PEOPLE), rng.choice(WORDS), rng.choice(WORDS)
            text = f"{who} said the {what} near the {where} will reopen after case {i}. The {what} closed."
            handle.write(json.dumps({"id": f"s{i}", "text": text}).encode() + b"\n")
    return bad


def malformed(args: argparse.Namespace, work: Path) -> None:
    """A feed with --malformed-share bad lines through `toolkit batch`: each bad line a failure record
    with its line number and reason, the rest processed, RSS sampled over the run."""
    from toolkit.batch import BatchPaths

    n = args.malformed_feed
    inp = work / "malformed.jsonl"
    bad = malformed_feed(inp, n, args.malformed_share)
    out = work / "malformed-out.jsonl"
    text, hwm, samples, elapsed = watched_batch(inp, out, args)
    print(text)
    records = [json.loads(line) for line in BatchPaths.for_output(out).failures.open(encoding="utf-8")]
    by_line = {}
    for record in records:
        match = re.fullmatch(r"malformed\.jsonl:line (\d+)", record.get("source") or "")
        if match:
            by_line[int(match.group(1))] = record
    right = sum(
        1 for line, kind in bad.items() if line in by_line and MALFORMED[kind][1] in (by_line[line]["error"] or "")
    )
    other = len(records) - len(bad)
    kinds = ", ".join(f"{sum(1 for k in bad.values() if k == i)} {name}" for i, (name, _) in enumerate(MALFORMED))
    print(
        f"{n:,} lines, {len(bad)} malformed ({kinds}): {len(records)} failure records; {right} of {len(bad)} name "
        f"the malformed line's number and reason -> {'OK' if right == len(bad) else 'FAIL'}; "
        f"{other} failures of well-formed lines"
    )
    check_exactly_once(out, inp)
    print_rss(n, hwm, samples, elapsed)


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
    parser.add_argument("--strategies", default="guided,direct", help="throughput: the strategies to run, in turn")
    parser.add_argument("--sequential-limit", type=int, default=5, help="articles for the (slow) sequential loop")
    parser.add_argument("--baseline-limit", type=int, default=80, help="articles for the abatch baseline")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument(
        "--kill-after", type=float, default=None, help="SIGKILL/resume scenario: kill at a random point up to N s"
    )
    parser.add_argument("--kills", type=int, default=1, help="SIGKILL/resume scenario: kills before the final run")
    parser.add_argument("--kill-min", type=float, default=2.0, help="SIGKILL/resume scenario: earliest kill (s)")
    parser.add_argument("--seed", type=int, default=12, help="SIGKILL/resume scenario: seed of the kill points")
    parser.add_argument("--strategy", default="guided", help="kill, memory and malformed-feed modes: the strategy")
    parser.add_argument("--malformed-feed", type=int, default=None, help="N-line JSONL feed with malformed lines")
    parser.add_argument("--malformed-share", type=float, default=0.01, help="share of malformed lines")
    parser.add_argument("--memory", type=int, default=None, help="memory mode: N short synthetic articles")
    parser.add_argument("--sample-every", type=float, default=5.0, help="memory mode: RSS sampling interval")
    parser.add_argument("--prices", default=None, help="price table TOML (to show an estimated cost)")
    parser.add_argument("--work", default=None, help="folder for outputs (default: a temp folder)")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "bench-key")  # the local server accepts any bearer token
    from toolkit.batch import one_blas_thread

    one_blas_thread()  # as `toolkit batch` does: the in-process baselines get the same BLAS setting
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
    if args.malformed_feed:
        malformed(args, work)
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
