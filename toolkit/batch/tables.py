"""Batch outputs as tables: one row per article (CSV, Parquet) and pandas DataFrames per level."""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.batch.store import BatchPaths
from toolkit.errors import ConfigError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


def _iter_results(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as handle:
        for line in handle:
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue  # a torn last line of a run still in progress


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False)


def article_row(data: dict[str, Any]) -> dict[str, Any]:
    """One flat row per article: metadata, tokens, and each chain's fields (lists as JSON + a count)."""
    article = data.get("article") or {}
    row: dict[str, Any] = {"article_id": data.get("article_id")}
    for key in ("title", "outlet", "url", "date", "source", "chars", "sha256"):
        row[key] = article.get(key)
    row["model"] = data.get("model")
    row["created_at"] = data.get("created_at")
    chains = data.get("chains") or {}
    row["prompt_tokens"] = sum((c.get("usage") or {}).get("prompt_tokens", 0) for c in chains.values())
    row["completion_tokens"] = sum((c.get("usage") or {}).get("completion_tokens", 0) for c in chains.values())
    row["calls"] = sum(c.get("calls", 0) for c in chains.values())
    for chain, output in (data.get("outputs") or {}).items():
        if not isinstance(output, dict):
            row[chain] = _scalar(output)
            continue
        for key, value in output.items():
            if isinstance(value, list):
                row[f"{chain}.n_{key}"] = len(value)
                if all(isinstance(v, str) for v in value):
                    row[f"{chain}.{key}"] = "; ".join(value)
                    continue
            row[f"{chain}.{key}"] = _scalar(value)
    return row


def item_rows(data: dict[str, Any], chain: str) -> list[dict[str, Any]]:
    """One row per item of a chain's first list of objects (claims, key points, pairs)."""
    output = (data.get("outputs") or {}).get(chain)
    if not isinstance(output, dict):
        return []
    items = next((v for v in output.values() if isinstance(v, list) and v and isinstance(v[0], dict)), [])
    return [{"article_id": data.get("article_id"), **{k: _scalar(v) for k, v in item.items()}} for item in items]


def _columns(path: Path) -> dict[str, type]:
    kinds: dict[str, type] = {}
    for data in _iter_results(path):
        for key, value in article_row(data).items():
            if value is None:
                kinds.setdefault(key, type(None))
                continue
            kind = float if isinstance(value, float) else type(value)
            old = kinds.get(key, type(None))
            if old is type(None):
                kinds[key] = kind
            elif old is not kind:
                kinds[key] = float if {old, kind} == {int, float} else str
    return {k: (str if v is type(None) else v) for k, v in kinds.items()}


def export_table(out: str | Path, fmt: str) -> Path:
    """Write <out>.csv or .parquet, one row per article, streaming the .jsonl (memory stays flat)."""
    path = Path(out)
    target = path.with_suffix(f".{fmt}")
    columns = _columns(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if fmt == "csv":
            with open(tmp, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(columns))
                writer.writeheader()
                for data in _iter_results(path):
                    writer.writerow(article_row(data))
        else:
            _write_parquet(path, Path(tmp), columns)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _write_parquet(path: Path, target: Path, columns: dict[str, type]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ConfigError("--format parquet needs pyarrow: pip install 'news-toolkit[batch]'") from None
    types = {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}
    schema = pa.schema([(name, types.get(kind, pa.string())) for name, kind in columns.items()])

    def cast(value: Any, kind: type) -> Any:
        if value is None:
            return None
        if kind is str and not isinstance(value, str):
            return json.dumps(value) if not isinstance(value, int | float | bool) else str(value)
        return kind(value) if kind in (int, float) and not isinstance(value, bool) else value

    with pq.ParquetWriter(target, schema) as writer:
        chunk: list[dict[str, Any]] = []
        for data in _iter_results(path):
            row = article_row(data)
            chunk.append({name: cast(row.get(name), kind) for name, kind in columns.items()})
            if len(chunk) >= 1000:
                writer.write_table(pa.Table.from_pylist(chunk, schema=schema))
                chunk = []
        if chunk:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema))


def to_dataframe(path: str | Path, level: str = "articles") -> pd.DataFrame:
    """A batch output as a pandas DataFrame.

    level="articles": one row per article (as the .csv); a chain name ("claims", "summary",
    "counterclaims"): one row per item of that chain's list (claims, key points, pairs);
    "failures": the failures file next to the output.
    """
    try:
        import pandas as pd
    except ImportError:
        raise ConfigError("to_dataframe needs pandas: pip install 'news-toolkit[batch]'") from None
    path = Path(path)
    if level == "failures":
        failures = path if path.name.endswith(".failures.jsonl") else BatchPaths.for_output(path).failures
        return pd.DataFrame(list(_iter_results(failures)) if failures.exists() else [])
    return results_frame(_iter_results(path), level)


def results_frame(results: Iterable[dict[str, Any]], level: str = "articles") -> pd.DataFrame:
    """Output lines (parsed) as a DataFrame: a row per article, or per item of the chain `level`.
    With no rows (every article failed) the columns every row has are still there."""
    import pandas as pd

    if level == "articles":
        rows = [article_row(d) for d in results]
        return pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(article_row({})))
    rows = [row for d in results for row in item_rows(d, level)]
    return pd.DataFrame(rows) if rows else pd.DataFrame(columns=["article_id"])
