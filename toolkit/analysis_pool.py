"""spaCy analysis in a worker process, ahead of the chains (used by toolkit.batch).

A batch is CPU-bound in its own process: spaCy, prompt rendering and the openai client all share
one GIL. `AnalysisPool` runs `toolkit.nlp.compute_analysis` in one separate process (a second
core) for the articles the batch has dispatched, and the batch primes `toolkit.nlp.analyse`'s
cache with the results, so the chains find their analysis ready and the client process never
loads spaCy. An Analysis is a frozen dataclass of plain data, so it crosses the process boundary
by pickle and is identical to one computed in-process.

The worker is `python -m toolkit.analysis_pool`, talking pickle frames over its stdin/stdout
(not multiprocessing: spawning would re-run the user's script as __main__ in the child, and
forking a process with threads is unsafe). It loads the pipeline once, and afresh every
`reload_every` texts: spaCy's vocabulary (StringStore, lexemes) only grows as it meets new
words, which over a long feed is a steady leak.

Any failure of the worker (it died, a text it could not analyse) only costs the prefetch: the
chain then calls `analyse()` in-process as without the pool, and fails or succeeds as it would.
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
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:  # pragma: no cover
    from toolkit.nlp import Analysis

#: texts the worker analyses before it loads a fresh pipeline (bounds spaCy's vocabulary growth)
RELOAD_EVERY = 2000
_STATS = "\x00stats"


class AnalysisPool:
    """One worker process computing Analysis objects; `submit` returns an awaitable future."""

    def __init__(self, reload_every: int = RELOAD_EVERY) -> None:
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
        self._outbox: queue.SimpleQueue[tuple[int, str] | None] = queue.SimpleQueue()
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
        future: Future[Any] = Future()
        with self._lock:
            if self.broken:
                return None
            seq = next(self._seq)
            self._pending[seq] = future
        self._outbox.put((seq, text))
        return future

    def submit(self, text: str) -> asyncio.Future[Analysis] | None:
        """Queue `text` for analysis; None when the worker is gone (the chain then runs spaCy itself)."""
        future = self._submit(text)
        return None if future is None else asyncio.wrap_future(future)

    def stats(self) -> dict[str, Any]:
        """The worker's counters: texts analysed, pipeline loads, strings in its vocabulary."""
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


async def take(future: asyncio.Future[Analysis] | None, text: str) -> bool:
    """Wait for a prefetched analysis and prime analyse()'s cache with it; False if there is none."""
    if future is None:
        return False
    from toolkit import nlp

    try:
        analysis = await future
    except asyncio.CancelledError:
        raise
    except Exception:  # the worker failed: the chain analyses in-process (same result, same errors)
        return False
    nlp.prime(text, analysis)
    return True


# --------------------------------------------------------------------------------------------
# the worker process


def serve(stdin: BinaryIO, stdout: BinaryIO, reload_every: int) -> None:
    """Answer (seq, text) frames with (seq, ok, Analysis or error) until EOF."""
    import gc

    from toolkit.nlp import compute_analysis, get_nlp

    get_nlp()  # load once, before the first text
    done, loads = 0, 1
    while True:
        try:
            seq, text = pickle.load(stdin)
        except EOFError:
            return
        if text == _STATS:
            stats = {"texts": done, "loads": loads, "strings": len(get_nlp().vocab.strings)}
            reply: tuple[int, bool, Any] = (seq, True, stats)
        else:
            if reload_every and done and done % reload_every == 0:
                get_nlp.cache_clear()  # drop the grown vocabulary with the old pipeline
                gc.collect()
                get_nlp()
                loads += 1
            done += 1
            try:
                reply = (seq, True, compute_analysis(text))
            except Exception as exc:  # the chain will meet the same error in-process
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
