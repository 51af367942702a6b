"""The batch's output files: append-only JSONL with crash recovery, the failures file and its compaction."""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from toolkit.schema import RunResult


_ID_PREFIX = re.compile(rb'^\{"article_id":\s*("(?:[^"\\]|\\.)*")')

FSYNC_EVERY = 50


@dataclass(frozen=True)
class BatchPaths:
    out: Path
    failures: Path
    responses: Path
    openai_batch: Path

    @classmethod
    def for_output(
        cls, out: str | Path, failures: str | Path | None = None, responses: str | Path | None = None
    ) -> BatchPaths:
        out = Path(out)
        stem = out.with_suffix("") if out.suffix else out
        return cls(
            out=out,
            failures=Path(failures) if failures else stem.with_name(stem.name + ".failures.jsonl"),
            responses=Path(responses) if responses else stem.with_name(stem.name + ".responses"),
            openai_batch=stem.with_name(stem.name + ".openai-batch"),
        )


def line_id(line: bytes) -> str | None:
    """The article_id of an output/failures line (read from its start, without parsing it all)."""
    match = _ID_PREFIX.match(line)
    if match:
        try:
            return str(json.loads(match.group(1)))
        except json.JSONDecodeError:
            return None
    try:
        value = json.loads(line).get("article_id")
    except (json.JSONDecodeError, AttributeError, UnicodeDecodeError):
        return None
    return str(value) if value is not None else None


def recover_jsonl(path: Path) -> set[str]:
    """The ids in an append-only .jsonl; a torn last line (a crash mid-write) is cut off."""
    ids: set[str] = set()
    if not path.exists():
        return ids
    good_end = 0
    with path.open("rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):  # only a torn write lacks its newline: the last line
                break
            ident = line_id(line)
            if ident is not None:
                ids.add(ident)
            good_end += len(line)
    if good_end != path.stat().st_size:
        with path.open("r+b") as handle:
            handle.truncate(good_end)
    return ids


def compact_failures(path: Path, done: set[str]) -> int:
    """Keep, per article not done, only its latest failure line; returns how many remain."""
    if not path.exists():
        return 0
    latest: dict[str, int] = {}
    with path.open("rb") as handle:
        for n, line in enumerate(handle):
            ident = line_id(line)
            if ident is not None and ident not in done:
                latest[ident] = n
    keep = set(latest.values())
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as handle:
            for n, line in enumerate(handle):
                if n in keep:
                    out.write(line if line.endswith(b"\n") else line + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(keep)


class JsonlAppender:
    """Append lines, flushed at once (a SIGKILL loses nothing written) and fsynced every N."""

    def __init__(self, path: Path, fsync_every: int = FSYNC_EVERY) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._handle = path.open("a", encoding="utf-8")
        self._fsync_every = fsync_every
        self._pending = 0

    def write(self, line: str) -> None:
        self._handle.write(line + "\n")
        self._handle.flush()
        self._pending += 1
        if self._pending >= self._fsync_every:
            os.fsync(self._handle.fileno())
            self._pending = 0

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()


def output_line(article_id: str, result: RunResult) -> str:
    """RunResult JSON with article_id first (so a resume reads ids without parsing whole lines)."""
    return '{"article_id":' + json.dumps(article_id, ensure_ascii=False) + "," + result.model_dump_json()[1:]
