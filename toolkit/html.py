"""Pure HTML builders for the notebook front-ends and HTML reports: strings in, escaped HTML out.

Article text, claimants, quotes and model answers are untrusted: every value is passed through
`html.escape` unless it is a `Markup` produced by these functions, so a `<script>` or an
`onerror=` in an article is shown as text and never runs. Views compose by nesting Markup.
Nothing here knows about particular chains; chain views (toolkit.view) call these from their `html_view`.
"""

from __future__ import annotations

import html as _html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "PALETTE",
    "Markup",
    "Span",
    "badge",
    "card",
    "colour_map",
    "document",
    "error_box",
    "escape",
    "filter_rows",
    "highlight",
    "join",
    "pair",
    "pre",
    "section",
    "style",
    "table",
    "tag",
    "view",
]


class Markup(str):
    """A string that is already safe HTML; the builders insert it as is and escape anything else."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:  # displays as HTML in a notebook cell
        return str(self)


def escape(value: Any) -> Markup:
    """Escape text (quotes too, so it is safe in attributes); Markup passes through unchanged."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    return Markup(_html.escape(str(value), quote=True))


def join(parts: Iterable[Any], sep: str = "") -> Markup:
    """Concatenate, escaping every part that is not already Markup."""
    return Markup(escape(sep).join(escape(p) for p in parts))


_TAG_NAME = re.compile(r"^[a-z][a-z0-9]*$")
_ATTR_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def tag(name: str, *children: Any, **attrs: Any) -> Markup:
    """`<name attrs>children</name>` with children and attribute values escaped.

    `class_="x"` gives class, `data_id="c1"` gives data-id; True is a bare attribute, None or
    False omits it. Event-handler attributes (on...) and javascript: URLs are refused, so a
    view cannot create one even from untrusted values.
    """
    if not _TAG_NAME.match(name) or name in ("script", "iframe", "object", "embed", "style"):
        raise ValueError(f"tag {name!r} is not allowed")
    rendered = []
    for key, value in attrs.items():
        attr = key.rstrip("_").replace("_", "-")
        if not _ATTR_NAME.match(attr) or attr.startswith("on"):
            raise ValueError(f"attribute {attr!r} is not allowed")
        if value is None or value is False:
            continue
        if value is True:
            rendered.append(f" {attr}")
            continue
        text = str(value)
        scheme = text.strip().lower()
        if attr in ("href", "src", "action", "formaction") and scheme.startswith(("javascript:", "data:")):
            raise ValueError(f"{attr} may not use a javascript: or data: URL")
        rendered.append(f' {attr}="{escape(text)}"')
    return Markup(f"<{name}{''.join(rendered)}>{join(children)}</{name}>")


# Okabe-Ito, the colour-blind-safe palette: a light tint as background (black text stays above
# 12:1 contrast) and the full colour as the underline. Past eight keys the colours repeat with
# a dashed underline, so keys stay distinguishable; the legend and tooltips name every key anyway.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#F8E2B3", "#E69F00"),  # orange
    ("#CCE8F8", "#56B4E9"),  # sky blue
    ("#B3E2D5", "#009E73"),  # bluish green
    ("#FBF7C6", "#C9B800"),  # yellow (darker underline so it shows on white)
    ("#B3D5E9", "#0072B2"),  # blue
    ("#F2CFB3", "#D55E00"),  # vermillion
    ("#F0D7E5", "#CC79A7"),  # reddish purple
    ("#E0E0E0", "#777777"),  # grey
)


def colour_map(keys: Iterable[str]) -> dict[str, tuple[str, str, str]]:
    """(background, underline colour, underline style) per key, in order of first appearance."""
    out: dict[str, tuple[str, str, str]] = {}
    for key in keys:
        if key not in out:
            n = len(out)
            bg, fg = PALETTE[n % len(PALETTE)]
            out[key] = (bg, fg, "solid" if n < len(PALETTE) else "dashed")
    return out


_CSS = """
.ntk{font-family:var(--jp-content-font-family,system-ui,sans-serif);font-size:13px;line-height:1.45;color:#1b1b1b;
  background:#fff;padding:2px 4px}
.ntk h3{font-size:15px;margin:10px 0 6px}
.ntk-card{border:1px solid #c8c8c8;border-radius:6px;padding:10px 14px;margin:6px 0;background:#fff}
.ntk-card h3{margin-top:0}
.ntk-card dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}
.ntk-card dt{font-weight:600;color:#444}
.ntk-card dd{margin:0}
.ntk-card ul{margin:0;padding-left:18px}
.ntk-table{border-collapse:collapse;width:100%;margin:6px 0}
.ntk-table th,.ntk-table td{border:1px solid #d0d0d0;padding:3px 6px;text-align:left;vertical-align:top}
.ntk-table th{background:#f0f0f0;position:sticky;top:0}
.ntk-article{white-space:pre-wrap;border:1px solid #d0d0d0;border-radius:6px;padding:10px 14px;background:#fff;
  max-height:520px;overflow:auto}
.ntk-hl{color:#000;border-bottom-width:3px;padding:1px 0;cursor:help}
.ntk-hl.ntk-overlap{outline:1px dotted #333}
.ntk-label{font-size:10px;color:#333;margin:0 2px;font-weight:600}
.ntk-legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:6px 0;padding:0;list-style:none}
.ntk-swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-2px;border-bottom-width:3px}
.ntk-pair{display:grid;grid-template-columns:1fr auto 1fr;gap:8px;align-items:stretch;margin:8px 0;
  border:1px solid #c8c8c8;border-radius:6px;padding:8px;background:#fafafa}
.ntk-pair>.ntk-side{background:#fff;border:1px solid #e0e0e0;border-radius:4px;padding:6px 8px}
.ntk-pair>.ntk-relation{align-self:center;text-align:center}
.ntk-pair>.ntk-rationale{grid-column:1 / -1;color:#333}
.ntk-badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;border:1px solid #888;
  background:#f4f4f4}
.ntk-badge.ntk-bad{background:#fde2e1;border-color:#b3261e;color:#6b0f0a}
.ntk-badge.ntk-good{background:#dcefe3;border-color:#1e7a3c;color:#0d3d1d}
.ntk-badge.ntk-warn{background:#fff2cc;border-color:#8a6d00;color:#4a3a00}
.ntk-error{border:1px solid #b3261e;background:#fde2e1;color:#6b0f0a;border-radius:6px;padding:8px 12px;margin:6px 0;
  white-space:pre-wrap}
.ntk-note{color:#555;font-style:italic}
.ntk pre{white-space:pre-wrap;background:#f6f6f6;padding:8px;border-radius:4px}
"""


def style() -> Markup:
    """The stylesheet the views rely on; class names are prefixed `ntk-` so they clash with nothing."""
    return Markup(f"<style>{_CSS}</style>")


def view(*parts: Any) -> Markup:
    """A self-contained fragment: stylesheet plus parts, inside the `ntk` scope."""
    return Markup(f'{style()}<div class="ntk">{join(parts)}</div>')


def document(title: str, body: Any) -> Markup:
    """A standalone HTML page (exported reports); its CSP forbids scripts even if escaping failed."""
    return Markup(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{escape(title)}</title></head><body>{view(body)}</body></html>\n"
    )


def _cell(value: Any) -> Markup:
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    if isinstance(value, (list, tuple)):
        return join((v for v in value), ", ")
    if isinstance(value, Mapping):
        return escape(json.dumps(value, ensure_ascii=False))
    return escape(value)


def _dd(value: Any) -> Markup:
    if isinstance(value, (list, tuple)):
        if not value:
            return Markup("—")
        return Markup("<ul>" + "".join(f"<li>{_cell(v)}</li>" for v in value) + "</ul>")
    if value is None or value == "":
        return Markup("—")
    return _cell(value)


def card(title: Any, fields: Mapping[str, Any], *, css_class: str = "", subtitle: Any = None) -> Markup:
    """A titled box of label/value pairs; list values become bullet lists."""
    cls = f"ntk-card {escape(css_class)}".strip()
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{_dd(v)}</dd>" for k, v in fields.items())
    sub = f'<div class="ntk-note">{escape(subtitle)}</div>' if subtitle else ""
    body = f"<dl>{rows}</dl>" if rows else ""
    return Markup(f'<div class="{cls}"><h3>{escape(title)}</h3>{sub}{body}</div>')


Column = str | tuple[str, str]


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[Column] | None = None,
    *,
    caption: Any = None,
    empty: str = "Nothing to show.",
    css_class: str = "",
) -> Markup:
    """An HTML table; columns are keys or (key, header) pairs, defaulting to every key seen."""
    if columns is None:
        seen: dict[str, None] = {}
        for row in rows:
            seen.update(dict.fromkeys(row))
        columns = list(seen)
    cols = [(c, c) if isinstance(c, str) else c for c in columns]
    if not rows:
        return Markup(f'<p class="ntk-note">{escape(empty)}</p>')
    head = "".join(f'<th scope="col">{escape(h)}</th>' for _, h in cols)
    body = "".join(
        "<tr>" + "".join(f'<td data-col="{escape(k)}">{_cell(row.get(k))}</td>' for k, _ in cols) + "</tr>"
        for row in rows
    )
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    cls = f"ntk-table {escape(css_class)}".strip()
    return Markup(f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def badge(text: Any, tone: str = "") -> Markup:
    """A small label; tone is '', 'good', 'bad' or 'warn'."""
    cls = "ntk-badge" + (f" ntk-{tone}" if tone in ("good", "bad", "warn") else "")
    return Markup(f'<span class="{cls}">{escape(text)}</span>')


def section(title: Any, *body: Any, css_class: str = "") -> Markup:
    cls = f' class="{escape(css_class)}"' if css_class else ""
    return Markup(f"<section{cls}><h3>{escape(title)}</h3>{join(body)}</section>")


def pre(text: Any) -> Markup:
    return Markup(f"<pre>{escape(text)}</pre>")


def pair(left_html: Any, right_html: Any, relation: Any, rationale: Any, *, cue: Any = None) -> Markup:
    """Two items side by side with the relation between them and the rationale below."""
    cue_html = f'<div class="ntk-note">cue: “{escape(cue)}”</div>' if cue else ""
    return Markup(
        '<div class="ntk-pair">'
        f'<div class="ntk-side">{escape(left_html)}</div>'
        f'<div class="ntk-relation">{badge(relation, "warn")}{cue_html}</div>'
        f'<div class="ntk-side">{escape(right_html)}</div>'
        f'<div class="ntk-rationale"><strong>Why:</strong> {escape(rationale)}</div>'
        "</div>"
    )


def error_box(message: Any, title: str = "Error") -> Markup:
    """A readable error, announced to screen readers."""
    return Markup(f'<div class="ntk-error" role="alert"><strong>{escape(title)}:</strong> {escape(message)}</div>')


@dataclass(frozen=True)
class Span:
    """A stretch of text to highlight; `key` picks the colour (e.g. the claimant)."""

    start: int
    end: int
    label: str = ""
    key: str = ""
    tooltip: str = ""


def _as_span(value: Span | Mapping[str, Any]) -> Span:
    if isinstance(value, Span):
        return value
    return Span(
        start=int(value["start"]),
        end=int(value["end"]),
        label=str(value.get("label", "")),
        key=str(value.get("key", value.get("colour_key", value.get("color_key", "")))),
        tooltip=str(value.get("tooltip", "")),
    )


def _mark_style(colours: tuple[str, str, str]) -> str:
    bg, fg, line = colours
    return f"background-color:{bg};border-bottom:3px {line} {fg}"


def highlight(text: str, spans: Iterable[Span | Mapping[str, Any]], *, legend: bool = True) -> Markup:
    """The text with each span marked: colour per key, tooltip on hover, label after the span.

    Overlapping spans are split at every boundary; a piece covered by several spans takes the
    colour of the shortest and lists all their tooltips. Spans outside the text (ungrounded
    quotes) are not drawn but named in a note, so nothing disappears silently.
    """
    all_spans = [_as_span(s) for s in spans]
    valid = sorted((s for s in all_spans if 0 <= s.start < s.end <= len(text)), key=lambda s: (s.start, -s.end))
    skipped = [s for s in all_spans if not (0 <= s.start < s.end <= len(text))]
    colours = colour_map(s.key for s in valid)
    bounds = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    out: list[str] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = escape(text[a:b])
        active = [s for s in valid if s.start <= a and s.end >= b]
        if not active:
            out.append(piece)
        else:
            top = min(active, key=lambda s: (s.end - s.start, s.start))
            tip = "\n".join(s.tooltip or s.label for s in active if s.tooltip or s.label)
            cls = "ntk-hl ntk-overlap" if len(active) > 1 else "ntk-hl"
            labels = " ".join(s.label for s in active if s.label)
            out.append(
                f'<mark class="{cls}" style="{_mark_style(colours[top.key])}" title="{escape(tip)}" '
                f'data-labels="{escape(labels)}">{piece}</mark>'
            )
        for s in valid:
            if s.end == b and s.label:
                out.append(f'<sup class="ntk-label" aria-hidden="true">{escape(s.label)}</sup>')
    parts = []
    if legend and colours:
        items = "".join(
            f'<li><span class="ntk-swatch" style="{_mark_style(c)}"></span>{escape(key or "(no key)")}</li>'
            for key, c in colours.items()
        )
        parts.append(f'<ul class="ntk-legend" aria-label="colour key">{items}</ul>')
    parts.append(f'<div class="ntk-article">{"".join(out)}</div>')
    if skipped:
        names = ", ".join(str(escape(s.label or f"{s.start}-{s.end}")) for s in skipped)
        parts.append(f'<p class="ntk-note">Not highlighted (quote not found in the text): {names}</p>')
    return Markup("".join(parts))


def filter_rows(
    rows: Iterable[Mapping[str, Any]],
    facets: Mapping[str, Iterable[Any] | None] | None = None,
    query: str = "",
) -> list[dict[str, Any]]:
    """Rows whose value for each facet is among the chosen ones (empty choice: any) and that
    contain `query` (case-insensitive) in some cell. Data, not HTML: tables and exports share it."""
    chosen = {k: set(v) for k, v in (facets or {}).items() if v is not None and len(set(v)) > 0}
    needle = query.strip().lower()
    out = []
    for row in rows:
        if any(row.get(k) not in allowed for k, allowed in chosen.items()):
            continue
        if needle and not any(needle in str(v).lower() for v in row.values() if v is not None):
            continue
        out.append(dict(row))
    return out
