"""Batch inputs: a folder of articles, a .jsonl feed or a .csv, streamed as InputItems (bad ones carry their error)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.article import SUPPORTED_SUFFIXES, Article, article_from_text, load_article
from toolkit.errors import ArticleError, ToolkitError
from toolkit.hashing import sha256_text

if TYPE_CHECKING:  # pragma: no cover
    pass


ID_COLUMNS = ("id", "Body ID", "article_id", "doc_id")

TEXT_COLUMNS = ("text", "articleBody", "body", "content", "article")


@dataclass(frozen=True)
class Columns:
    """Which CSV column / JSON field holds what; None: the usual names (text, articleBody; id, Body ID)."""

    text: str | None = None
    id: str | None = None  # noqa: A003 - mirrors the field
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    date: str | None = None


@dataclass
class InputItem:
    """One input record: an article, or the reason it could not be read."""

    article_id: str
    source: str
    article: Article | None = None
    error: ToolkitError | None = None


def input_kind(path: Path) -> str:
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    raise ArticleError(f"{path}: batch input must be a folder of articles, a .jsonl or a .csv")


def check_input(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise ArticleError(f"{path}: no such file or folder")
    input_kind(path)
    return path


def _folder_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUPPORTED_SUFFIXES
    )


def _pick(fields: Sequence[str], wanted: str | None, candidates: Sequence[str], what: str, where: Path) -> str | None:
    if wanted:
        if wanted not in fields:
            raise ArticleError(f"{where}: no {what} column '{wanted}' (columns: {', '.join(fields)})")
        return wanted
    return next((c for c in candidates if c in fields), None)


def _valid_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _record_item(
    data: dict[str, Any], cols: Columns, text_key: str | None, id_key: str | None, source: str, fallback_id: str
) -> InputItem:
    """An input record (CSV row or JSON object) as an article with its id, or its failure."""
    raw_id = data.get(id_key) if id_key else None
    article_id = str(raw_id).strip() if raw_id not in (None, "") else ""
    text = data.get(text_key) if text_key else None
    if not isinstance(text, str):
        return InputItem(
            article_id or fallback_id,
            source,
            error=ArticleError(f"{source}: no text (field '{text_key or cols.text or 'text'}')"),
        )
    if not _valid_utf8(text):
        return InputItem(article_id or fallback_id, source, error=ArticleError(f"{source}: text is not valid UTF-8"))
    meta = {}
    for name in ("title", "outlet", "url", "date"):
        key = getattr(cols, name) or name
        value = data.get(key)
        meta[name] = str(value) if value not in (None, "") else None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not article_id and text.strip():
        article_id = sha256_text(text)
    try:
        article = article_from_text(text, id=article_id or fallback_id, source=source, **meta)
    except ArticleError as exc:
        return InputItem(article_id or fallback_id, source, error=exc)
    return InputItem(article.id or fallback_id, source, article=article)


def _csv_items(path: Path, cols: Columns) -> Iterator[InputItem]:
    csv.field_size_limit(64 * 1024 * 1024)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        fields = reader.fieldnames or []
        text_key = _pick(fields, cols.text, TEXT_COLUMNS, "text", path)
        if text_key is None:
            raise ArticleError(
                f"{path}: no text column (looked for {', '.join(TEXT_COLUMNS)}); "
                f"name it with --text-column (columns: {', '.join(fields)})"
            )
        id_key = _pick(fields, cols.id, ID_COLUMNS, "id", path)
        row = 0
        errors_in_a_row = 0
        while True:
            row += 1
            source = f"{path.name}:row {row}"
            try:
                data = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                errors_in_a_row += 1
                if errors_in_a_row > 100:
                    raise ArticleError(f"{path}: unreadable as CSV near row {row} ({exc})") from None
                yield InputItem(f"{path.name}:row-{row}", source, error=ArticleError(f"{source}: bad CSV row ({exc})"))
                continue
            errors_in_a_row = 0
            yield _record_item(data, cols, text_key, id_key, source, f"{path.name}:row-{row}")


def _jsonl_items(path: Path, cols: Columns) -> Iterator[InputItem]:
    text_key, id_key = cols.text or "text", cols.id or "id"
    with path.open("rb") as handle:
        for n, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            source, fallback = f"{path.name}:line {n}", f"{path.name}:line-{n}"
            try:
                data = json.loads(raw.decode("utf-8-sig" if n == 1 else "utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                reason = "not valid UTF-8" if isinstance(exc, UnicodeDecodeError) else f"invalid JSON ({exc.msg})"
                yield InputItem(fallback, source, error=ArticleError(f"{source}: {reason}"))
                continue
            if not isinstance(data, dict):
                yield InputItem(fallback, source, error=ArticleError(f"{source}: a line must be a JSON object"))
                continue
            keys = list(data)
            text = text_key if text_key in data else next((c for c in TEXT_COLUMNS if c in keys), text_key)
            ident = id_key if id_key in data else next((c for c in ID_COLUMNS if c in keys), None)
            yield _record_item(data, cols, text, ident, source, fallback)


def _folder_items(folder: Path) -> Iterator[InputItem]:
    for path in _folder_files(folder):
        try:
            article = load_article(path)
        except ArticleError as exc:
            yield InputItem(path.stem, str(path), error=exc)
            continue
        ident = article.id or path.stem
        yield InputItem(ident, str(path), article=article.model_copy(update={"id": ident}))


def read_inputs(path: str | Path, columns: Columns | None = None) -> Iterator[InputItem]:
    """Stream the input's articles (a bad record is an item with .error, not an exception)."""
    path = check_input(path)
    cols = columns or Columns()
    kind = input_kind(path)
    if kind == "folder":
        return _folder_items(path)
    if kind == "jsonl":
        return _jsonl_items(path, cols)
    return _csv_items(path, cols)


def count_inputs(path: str | Path, columns: Columns | None = None) -> int:
    """How many records the input has (one streaming pass; for the progress bar's ETA)."""
    path = check_input(path)
    kind = input_kind(path)
    if kind == "folder":
        return len(_folder_files(path))
    if kind == "jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    csv.field_size_limit(64 * 1024 * 1024)
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        next(reader, None)
        count = 0
        while True:
            try:
                next(reader)
            except StopIteration:
                return count
            except csv.Error:
                pass
            count += 1
