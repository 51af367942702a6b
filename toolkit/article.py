"""Articles: loading from .txt/.md/.html/.json with clear errors, and a stable content hash."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, Field, computed_field

from toolkit.errors import ArticleError
from toolkit.hashing import sha256_text

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json")


class Article(BaseModel):
    """The text every offset refers to, plus optional metadata carried into outputs."""

    text: str
    id: str | None = None
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = Field(default=None, description="file path or other origin")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sha256(self) -> str:
        return sha256_text(self.text)


def _guess_title(text: str) -> str | None:
    first = text.lstrip().split("\n", 1)[0].strip()
    if first and len(first) <= 200 and first[-1] not in ".!?\"'”":
        return first
    return None


#: longest article accepted: a news article is a few thousand characters; a text this long is a
#: dump or a feed in one field, and the parser would need gigabytes for it
MAX_ARTICLE_CHARS = 1_000_000


def max_article_chars() -> int:
    """The limit, or $TOOLKIT_MAX_ARTICLE_CHARS."""
    value = os.environ.get("TOOLKIT_MAX_ARTICLE_CHARS", "")
    try:
        return int(value) if value.strip() else MAX_ARTICLE_CHARS
    except ValueError:
        raise ArticleError(f"TOOLKIT_MAX_ARTICLE_CHARS must be a whole number, got {value!r}") from None


def article_from_text(
    text: str,
    *,
    id: str | None = None,  # noqa: A002 - mirrors the JSON field
    title: str | None = None,
    outlet: str | None = None,
    url: str | None = None,
    date: str | None = None,
    source: str | None = None,
) -> Article:
    """Validate raw text into an Article; empty or whitespace-only text is refused."""
    if not isinstance(text, str):
        raise ArticleError(f"{source or 'article'}: text must be a string, got {type(text).__name__}")
    if "\x00" in text:
        raise ArticleError(f"{source or 'article'}: looks binary (contains NUL bytes)")
    if not text.strip():
        raise ArticleError(f"{source or 'article'}: article text is empty")
    limit = max_article_chars()
    if len(text) > limit:
        raise ArticleError(
            f"{source or 'article'}: {len(text):,} characters, over the limit of {limit:,} for one article "
            "(a dump or a feed in one field? split it; or raise TOOLKIT_MAX_ARTICLE_CHARS)"
        )
    return Article(
        text=text,
        id=id,
        title=title or _guess_title(text),
        outlet=outlet,
        url=url,
        date=date,
        source=source,
    )


def _decode(raw: bytes, path: Path) -> str:
    if not raw.strip():
        raise ArticleError(f"{path}: file is empty")
    if b"\x00" in raw[:8192]:
        raise ArticleError(f"{path}: looks like a binary file, not an article")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{path}: not valid UTF-8 (byte {exc.start}); convert it, e.g. iconv -f latin1 -t utf-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _from_html(html: str, path: Path) -> Article:
    try:
        import trafilatura
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ArticleError(f"{path}: reading HTML needs {exc.name or 'trafilatura'} (pip install it)") from None
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text or not text.strip():
        raise ArticleError(f"{path}: no article text found in this HTML page")
    meta = trafilatura.extract_metadata(html)
    return article_from_text(
        text,
        title=getattr(meta, "title", None),
        outlet=getattr(meta, "sitename", None),
        url=getattr(meta, "url", None),
        date=getattr(meta, "date", None),
        source=str(path),
    )


def _from_json(raw: str, path: Path) -> Article:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ArticleError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ArticleError(f"{path}: JSON article needs an object with a string field 'text'")
    fields = {k: (str(data[k]) if data.get(k) is not None else None) for k in ("id", "title", "outlet", "url", "date")}
    return article_from_text(data["text"], source=str(path), **fields)


def load_article(path: str | Path) -> Article:
    """Read one article file; every failure is an ArticleError with a one-line reason."""
    path = Path(path)
    if not path.exists():
        raise ArticleError(f"{path}: no such file")
    if path.is_dir():
        raise ArticleError(f"{path}: is a folder, not an article file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ArticleError(f"{path}: unsupported file type '{suffix}' (use {', '.join(SUPPORTED_SUFFIXES)})")
    text = _decode(path.read_bytes(), path)
    if suffix in (".html", ".htm"):
        return _from_html(text, path)
    if suffix == ".json":
        return _from_json(text, path)
    return article_from_text(text, source=str(path), id=path.stem)
