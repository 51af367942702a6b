"""Batch runs over folders and feeds: fast, resumable, observable, and nothing lost.

``run_batch(input, out)`` (and the async generator ``arun_batch``, and ``toolkit batch``) runs
the chains over every article of a folder, a .jsonl or a .csv:

- fast: model calls go out concurrently up to ``concurrency`` requests on the wire (the limit
  sits on the HTTP client, so a retry's backoff or the client's own CPU work holds no slot),
  and the chains' CPU work (spaCy) runs on a worker thread, not on the event loop;
- rate limits honoured: 429 + Retry-After, exponential backoff with jitter on 5xx, timeouts
  and dropped connections, a retry limit (toolkit.retry.RetryingModel);
- nothing lost: one bad article becomes a line in the failures file (article id, chain,
  cause, error, the raw answer when there was one), never a stopped batch;
- resumable: the output .jsonl is append-only and flushed line by line; a rerun of the same
  command skips the ids already in it and redoes only what failed or never ran, and every
  model call that completed before (even in a run killed with SIGKILL) is answered by the
  response cache next to the output, so it is never paid twice;
- observable: a tqdm progress bar (articles/s, ETA, tokens, cost), a final report, and a row
  per model call in the SQLite run log (toolkit.runlog);
- flat memory: the input is streamed, at most a bounded number of articles are in flight, and
  resuming keeps only a set of ids.

Files, for ``--out results.jsonl``: ``results.jsonl`` (one RunResult per line, with
``article_id`` first; completion order, not input order), ``results.failures.jsonl`` (one
line per failed article; after a run each article is in exactly one of the two),
``results.responses/`` (the response cache), and on request ``results.csv`` /
``results.parquet`` (one row per article; ``to_dataframe(path, level="claims")`` gives one row
per claim). Run one process per output file.
"""

from __future__ import annotations

from toolkit.batch.inputs import (  # noqa: F401
    ID_COLUMNS,
    TEXT_COLUMNS,
    Columns,
    InputItem,
    _csv_items,
    _folder_files,
    _folder_items,
    _jsonl_items,
    _pick,
    _record_item,
    _valid_utf8,
    check_input,
    count_inputs,
    input_kind,
    read_inputs,
)
from toolkit.batch.report import CHARS_PER_TOKEN, BatchItem, BatchReport, ChainTotals, failure_record  # noqa: F401
from toolkit.batch.run import (  # noqa: F401
    _END,
    BLAS_THREAD_VARS,
    CURRENT_ARTICLE,
    BatchOptions,
    _Batch,
    _Progress,
    _run_sync,
    _take,
    arun_batch,
    nlp_workers,
    one_blas_thread,
    run_batch,
    use_nlp_process,
)
from toolkit.batch.stack import AdaptiveLimit, ModelStack, SingleFlight, build_model  # noqa: F401
from toolkit.batch.store import (  # noqa: F401
    _ID_PREFIX,
    FSYNC_EVERY,
    BatchPaths,
    JsonlAppender,
    compact_failures,
    line_id,
    output_line,
    recover_jsonl,
)
from toolkit.batch.tables import (  # noqa: F401
    _columns,
    _iter_results,
    _scalar,
    _write_parquet,
    article_row,
    export_table,
    item_rows,
    results_frame,
    to_dataframe,
)
