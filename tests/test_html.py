"""toolkit.html: pure builders; article text is untrusted, so escaping is the main property."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from toolkit import html

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)"> " \' & <b onmouseover=alert(3)>'


class _Audit(HTMLParser):
    """Collects what a browser would execute: script elements and on* handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0
        self.handlers: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.scripts += tag == "script"
        self.handlers += [name for name, _ in attrs if name.lower().startswith("on")]


def assert_inert(markup: str) -> _Audit:
    audit = _Audit()
    audit.feed(markup)
    assert audit.scripts == 0, "a <script> element would run"
    assert audit.handlers == [], f"event handler attributes would run: {audit.handlers}"
    assert "img" not in audit.tags and "b" not in audit.tags
    return audit


def text_of(markup: str) -> str:
    """The text a reader sees: tags (and the stylesheet, labels) removed, entities decoded."""
    markup = re.sub(r"<style>.*?</style>", "", markup, flags=re.S)
    markup = re.sub(r'<sup class="ntk-label"[^>]*>.*?</sup>', "", markup)
    return unescape(re.sub(r"<[^>]+>", "", markup))


def test_escape_handles_text_attributes_and_markup():
    assert html.escape('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert html.escape("it's") == "it&#x27;s"
    safe = html.Markup("<b>ok</b>")
    assert html.escape(safe) is safe
    assert html.escape(None) == ""
    assert html.join(["<i>", html.Markup("<b>x</b>")], " ") == "&lt;i&gt; <b>x</b>"


def test_highlight_marks_spans_with_tooltip_label_and_colour_per_key():
    text = "Alice said the bridge is safe. Bob said it is not."
    spans = [
        html.Span(0, 30, label="c1", key="Alice", tooltip="c1 · Alice · fact"),
        html.Span(31, 50, label="c2", key="Bob", tooltip="c2 · Bob · opinion"),
    ]
    out = html.highlight(text, spans)
    assert text_of(out).endswith(text)  # legend first, then the article exactly
    marks = re.findall(r'<mark class="ntk-hl" style="([^"]+)" title="([^"]*)"', out)
    assert [t for _, t in marks] == ["c1 · Alice · fact", "c2 · Bob · opinion"]
    assert marks[0][0] != marks[1][0]  # a colour per claimant
    assert '<sup class="ntk-label" aria-hidden="true">c1</sup>' in out
    assert "Alice" in out.split('class="ntk-legend"')[1].split("</ul>")[0]


def test_same_key_same_colour_and_dict_spans_accepted():
    text = "one two three four"
    out = html.highlight(text, [{"start": 0, "end": 3, "key": "A"}, {"start": 8, "end": 13, "colour_key": "A"}])
    styles = re.findall(r'<mark class="ntk-hl" style="([^"]+)"', out)
    assert len(styles) == 2 and styles[0] == styles[1]


def test_overlapping_spans_split_and_carry_every_tooltip():
    text = "0123456789"
    out = html.highlight(
        text, [html.Span(0, 6, "a", "K1", "tip a"), html.Span(4, 10, "b", "K2", "tip b")], legend=False
    )
    assert text_of(out) == text
    pieces = re.findall(r'<mark class="([^"]+)"[^>]*title="([^"]*)"[^>]*>([^<]*)</mark>', out)
    assert pieces == [
        ("ntk-hl", "tip a", "0123"),
        ("ntk-hl ntk-overlap", "tip a\ntip b", "45"),
        ("ntk-hl", "tip b", "6789"),
    ]


def test_nested_span_takes_the_inner_colour():
    text = "abcdefghij"
    out = html.highlight(text, [html.Span(0, 10, key="outer"), html.Span(3, 5, key="inner")], legend=False)
    colours = html.colour_map(["outer", "inner"])
    inner_piece = re.search(r'style="([^"]+)"[^>]*>de</mark>', out)
    assert inner_piece and colours["inner"][0] in inner_piece.group(1)


def test_ungrounded_spans_are_named_not_drawn():
    out = html.highlight("short text", [html.Span(-1, -1, label="c9"), html.Span(2, 500, label="c8"), html.Span(3, 3)])
    assert "<mark" not in out
    assert "Not highlighted (quote not found in the text): c9, c8, 3-3" in out


def test_untrusted_text_tooltips_keys_and_labels_never_become_markup():
    text = f"Intro. {XSS} end."
    spans = [html.Span(7, 7 + len(XSS), label=XSS, key=XSS, tooltip=XSS)]
    out = html.highlight(text, spans)
    assert_inert(out)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert text_of(out.split("</ul>", 1)[1]) == text


def test_colour_map_is_stable_and_marks_repeats_dashed():
    keys = [f"k{i}" for i in range(10)] + ["k0"]
    colours = html.colour_map(keys)
    assert list(colours) == [f"k{i}" for i in range(10)]
    assert colours["k0"][:2] == html.PALETTE[0] and colours["k0"][2] == "solid"
    assert colours["k8"][:2] == html.PALETTE[0] and colours["k8"][2] == "dashed"


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("background", [bg for bg, _ in html.PALETTE])
def test_palette_keeps_black_text_readable(background):
    contrast = (_luminance(background) + 0.05) / 0.05  # against black text
    assert contrast >= 7.0  # WCAG AAA for body text


def test_table_escapes_orders_and_formats_cells():
    rows = [{"id": "c1", "who": XSS, "ok": True, "tags": ["a", "<b>"], "n": 3}, {"id": "c2", "ok": False}]
    out = html.table(rows, [("id", "Id"), "who", "ok", "tags"], caption="Claims <1>")
    assert_inert(out)
    assert re.findall(r"<th[^>]*>([^<]*)</th>", out) == ["Id", "who", "ok", "tags"]
    assert ">yes<" in out and ">no<" in out and "a, &lt;b&gt;" in out
    assert "<caption>Claims &lt;1&gt;</caption>" in out
    assert ">3<" not in out  # n was not asked for
    assert html.table([], empty="No claims <here>.") == '<p class="ntk-note">No claims &lt;here&gt;.</p>'


def test_table_defaults_to_every_key_seen():
    out = html.table([{"a": 1}, {"b": 2}])
    assert re.findall(r"<th[^>]*>([^<]*)</th>", out) == ["a", "b"]


def test_card_lists_and_empty_values():
    out = html.card(XSS, {"Key points": ["one", html.Markup("<em>two</em>")], "Who": "", "Where": [], "N": 0})
    assert_inert(out)
    assert "<ul><li>one</li><li><em>two</em></li></ul>" in out
    assert out.count("<dd>—</dd>") == 2 and "<dd>0</dd>" in out


def test_pair_escapes_plain_strings_and_keeps_markup():
    out = html.pair(XSS, html.Markup("<strong>B</strong>"), "contests", XSS, cue="However <i>")
    assert_inert(out)
    assert "<strong>B</strong>" in out and "cue: “However &lt;i&gt;”" in out
    assert out.count('class="ntk-side"') == 2


def test_error_box_is_an_alert_with_escaped_message():
    out = html.error_box(f"bad input: {XSS}")
    assert_inert(out)
    assert out.startswith('<div class="ntk-error" role="alert"><strong>Error:</strong> bad input: &lt;script&gt;')


def test_tag_escapes_and_refuses_executable_attributes():
    assert html.tag("span", XSS, class_="x", data_id="c1", title='"q"').startswith(
        '<span class="x" data-id="c1" title="&quot;q&quot;">&lt;script&gt;'
    )
    assert html.tag("input", disabled=True, hidden=False) == "<input disabled></input>"
    for bad in ({"onclick": "x"}, {"onerror": "x"}, {"href": " javascript:alert(1)"}, {"src": "data:text/html,x"}):
        with pytest.raises(ValueError):
            html.tag("a", **bad)
    with pytest.raises(ValueError):
        html.tag("script")


def test_document_forbids_scripts_by_policy_too():
    page = html.document("<title>", html.Markup("<p>x</p>"))
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<title>&lt;title&gt;</title>" in page


def test_filter_rows_by_facets_and_query():
    rows = [
        {"id": "c1", "claimant": "Alice", "type": "fact", "grounded": True},
        {"id": "c2", "claimant": "Bob", "type": "opinion", "grounded": False},
        {"id": "c3", "claimant": "Alice", "type": "opinion", "grounded": True, "text": "Bridge unsafe"},
    ]
    assert [r["id"] for r in html.filter_rows(rows, {"claimant": ["Alice"]})] == ["c1", "c3"]
    assert [r["id"] for r in html.filter_rows(rows, {"claimant": [], "type": ("opinion",), "grounded": [True]})] == [
        "c3"
    ]
    assert [r["id"] for r in html.filter_rows(rows, None, "bridge")] == ["c3"]
    assert html.filter_rows(rows, {"type": ["prediction"]}) == []


def test_views_carry_their_stylesheet():
    out = html.view(html.section("T", "x"))
    assert out.startswith("<style>") and '<div class="ntk"><section><h3>T</h3>x</section></div>' in out
