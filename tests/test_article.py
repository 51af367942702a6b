import json

import pytest

from toolkit.article import article_from_text, load_article
from toolkit.errors import ArticleError


def test_txt_article_gets_title_and_hash(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Council closes bridge\nThe council voted on Tuesday to close the bridge.\n", "utf-8")
    article = load_article(path)
    assert article.title == "Council closes bridge"
    assert article.id == "a"
    assert len(article.sha256) == 64


def test_json_article_carries_metadata(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(
        json.dumps({"text": "Body text here.", "title": "T", "outlet": "Daily", "url": "u", "date": "2024-01-02"})
    )
    article = load_article(path)
    assert (article.title, article.outlet, article.date) == ("T", "Daily", "2024-01-02")


def test_html_article_is_extracted(tmp_path):
    body = "<p>" + "The mayor said the new bridge will open in May after two years of work. " * 5 + "</p>"
    path = tmp_path / "a.html"
    path.write_text(f"<html><head><title>Bridge</title></head><body><article>{body}</article></body></html>")
    article = load_article(path)
    assert "new bridge will open in May" in article.text
    assert "<p>" not in article.text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "file is empty"),
        ("blank.txt", b"  \n\n ", "file is empty"),
        ("bin.txt", b"\x89PNG\x00\x00\x01", "binary"),
        ("latin.txt", "caf\xe9 au lait".encode("latin-1"), "not valid UTF-8"),
        ("x.pdf", b"%PDF-1.4", "unsupported file type"),
        ("bad.json", b"{not json", "invalid JSON"),
        ("notext.json", b'{"title": "x"}', "string field 'text'"),
    ],
)
def test_bad_files_fail_with_one_clear_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ArticleError) as info:
        load_article(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ArticleError, match="no such file"):
        load_article(tmp_path / "nope.txt")
    with pytest.raises(ArticleError, match="folder"):
        load_article(tmp_path)


def test_text_with_nul_is_refused():
    with pytest.raises(ArticleError, match="binary"):
        article_from_text("abc\x00def")


def test_an_article_over_the_length_limit_is_refused_in_one_line(tmp_path, monkeypatch):
    """A 5 MB 'article' (a dump) fails clearly instead of deep in the parser; the limit can be raised."""
    from toolkit.article import MAX_ARTICLE_CHARS, article_from_text

    text = "The mayor said the bridge will open in May. " * (MAX_ARTICLE_CHARS // 40)
    with pytest.raises(ArticleError, match="over the limit of 1,000,000 for one article"):
        article_from_text(text, source="dump.txt")
    monkeypatch.setenv("TOOLKIT_MAX_ARTICLE_CHARS", str(len(text) + 1))
    assert len(article_from_text(text).text) == len(text)
