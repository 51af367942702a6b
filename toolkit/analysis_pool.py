"""Per-article analyses (toolkit.analyzers, e.g. the news chains' spaCy pass) in a worker
process, ahead of the chains (used by toolkit.batch).

A batch is CPU-bound in its own process: spaCy, prompt rendering and the openai client all share
one GIL. `AnalysisPool` computes the analyses the batch's chains read in one separate process (a
second core) for the articles the batch has dispatched, and the batch hands each article's results
to the runner, so the chains find them ready and the client process never loads spaCy. Analyses
are immutable plain data, so they cross the process boundary by pickle and are identical to ones
computed in-process. `AnalysisWorkers` runs several such processes where spaCy is what the chains
wait for (the direct strategy; see toolkit.batch.run.nlp_workers).

The worker is `python -m toolkit.analysis_pool`, talking pickle frames over its stdin/stdout
(not multiprocessing: spawning would re-run the user's script as __main__ in the child, and
forking a process with threads is unsafe). It loads the pipeline once, and afresh every
`reload_every` texts (each analyzer's `reset`): spaCy's vocabulary (StringStore, lexemes) only
grows as it meets new words, which over a long feed is a steady leak.

Any failure of the worker (it died, a text it could not analyse) only costs the prefetch: the
runner then computes the analyses in-process as without the pool, and fails or succeeds as it would.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import pickle
import queue
import subprocess
import sys
import threading
from concurrent.futures import Future
from typing import Any, BinaryIO

#: texts the worker analyses before it loads a fresh pipeline (bounds spaCy's vocabulary growth)
RELOAD_EVERY = 2000
_STATS = "\x00stats"


class AnalysisPool:
    """One worker process computing the named analyses of texts; `submit` returns an awaitable future."""

    def __init__(self, names: tuple[str, ...], reload_every: int = RELOAD_EVERY) -> None:
        self.names = names
        paths = [p for p in sys.path if p]  # the worker imports the same toolkit as this process
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "toolkit.analysis_pool", str(reload_every)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        self._pending: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()
        self._seq = itertools.count()
        self._outbox: queue.SimpleQueue[tuple[int, str, tuple[str, ...]] | None] = queue.SimpleQueue()
        self.broken = False
        self._writer = threading.Thread(target=self._write, name="toolkit-nlp-writer", daemon=True)
        self._reader = threading.Thread(target=self._read, name="toolkit-nlp-reader", daemon=True)
        self._writer.start()
        self._reader.start()

    # -- threads ----------------------------------------------------------------------------

    def _write(self) -> None:
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            while (job := self._outbox.get()) is not None:
                pickle.dump(job, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                if self._outbox.empty():
                    stdin.flush()
        except (OSError, ValueError):
            self._fail_all()
        finally:
            with contextlib.suppress(OSError, ValueError):
                stdin.close()  # EOF: the worker exits

    def _read(self) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        try:
            while True:
                seq, ok, value = pickle.load(stdout)
                with self._lock:
                    future = self._pending.pop(seq, None)
                if future is None or future.done():
                    continue
                with contextlib.suppress(Exception):  # cancelled meanwhile
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(RuntimeError(value))
        except Exception:  # EOF (worker gone or shut down), or a torn frame
            pass
        self._fail_all()

    def _fail_all(self) -> None:
        with self._lock:
            self.broken = True
            pending, self._pending = self._pending, {}
        for future in pending.values():
            with contextlib.suppress(Exception):
                future.set_exception(RuntimeError("the analysis worker is gone"))

    # -- API --------------------------------------------------------------------------------

    def _submit(self, text: str) -> Future[Any] | None:
        if not self.names and text != _STATS:
            return None
        future: Future[Any] = Future()
        with self._lock:
            if self.broken:
                return None
            seq = next(self._seq)
            self._pending[seq] = future
        self._outbox.put((seq, text, self.names))
        return future

    @property
    def in_hand(self) -> int:
        """Texts sent and not answered yet."""
        return len(self._pending)

    def submit(self, text: str) -> asyncio.Future[dict[str, Any]] | None:
        """Queue `text` for its analyses; None when the worker is gone (the runner then computes them)."""
        future = self._submit(text)
        return None if future is None else asyncio.wrap_future(future)

    def stats(self) -> dict[str, Any]:
        """The worker's counters: texts analysed, and how often its analyzers were loaded afresh."""
        future = self._submit(_STATS)
        if future is None:
            raise RuntimeError("the analysis worker is gone")
        return future.result(timeout=60)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop the worker (it finishes the text in hand) and wait for it."""
        with self._lock:
            self.broken = True
        self._outbox.put(None)
        try:
            self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._writer.join(timeout)
        self._reader.join(timeout)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._fail_all()


class AnalysisWorkers:
    """Several workers, each text to the one with the fewest texts in hand (same API as AnalysisPool)."""

    def __init__(self, names: tuple[str, ...], workers: int, reload_every: int = RELOAD_EVERY) -> None:
        self.names = names
        self.pools = [AnalysisPool(names, reload_every) for _ in range(max(1, workers))]

    @property
    def broken(self) -> bool:
        return all(p.broken for p in self.pools)

    def submit(self, text: str) -> asyncio.Future[dict[str, Any]] | None:
        for pool in sorted((p for p in self.pools if not p.broken), key=lambda p: p.in_hand):
            future = pool.submit(text)
            if future is not None:
                return future
        return None

    def stats(self) -> dict[str, Any]:
        """The workers' counters, summed."""
        each = [p.stats() for p in self.pools if not p.broken]
        return {key: sum(s[key] for s in each) for key in ("texts", "loads")} | {"workers": len(each)}

    def shutdown(self, timeout: float = 10.0) -> None:
        for pool in self.pools:
            pool.shutdown(timeout)


async def take(future: asyncio.Future[dict[str, Any]] | None) -> dict[str, Any] | None:
    """Wait for an article's prefetched analyses; None if there are none (the runner computes them)."""
    if future is None:
        return None
    try:
        return await future
    except asyncio.CancelledError:
        raise
    except Exception:  # the worker failed: the runner analyses in-process (same result, same errors)
        return None


# --------------------------------------------------------------------------------------------
# the worker process


def serve(stdin: BinaryIO, stdout: BinaryIO, reload_every: int) -> None:
    """Answer (seq, text, names) frames with (seq, ok, {name: analysis} or error) until EOF."""
    import gc

    from toolkit.analyzers import all_analyzers, compute_analyses

    analyzers = all_analyzers()
    done, loads = 0, 1
    while True:
        try:
            seq, text, names = pickle.load(stdin)
        except EOFError:
            return
        if text == _STATS:
            reply: tuple[int, bool, Any] = (seq, True, {"texts": done, "loads": loads})
        else:
            if reload_every and done and done % reload_every == 0:
                for analyzer in analyzers.values():  # drop grown state (a parser's vocabulary)
                    if analyzer.reset is not None:
                        analyzer.reset()
                gc.collect()
                loads += 1
            done += 1
            try:
                reply = (seq, True, compute_analyses(text, names))
            except Exception as exc:  # the runner will meet the same error in-process
                reply = (seq, False, f"{type(exc).__name__}: {exc}")
        pickle.dump(reply, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


def main() -> None:  # pragma: no cover - runs in the worker process
    reload_every = int(sys.argv[1]) if len(sys.argv) > 1 else RELOAD_EVERY
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the frames
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):
        serve(stdin, stdout, reload_every)


if __name__ == "__main__":  # pragma: no cover
    main()
