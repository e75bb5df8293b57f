"""Reports open and contain what they promise; untrusted text is escaped; nothing loads from the network."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from scoring import analyse
from scoring.report import Entry, build_html, build_markdown
from tests.scoring.test_score import GOOD_HOLDING, GOOD_PRESS, GOOD_SAFETY, HEADER, PLAN, SCENARIO, act, events_until

HOSTILE = '<script>alert(1)</script> [@click=app.quit]x "quoted" & <img src=http://evil/x.png>'


def _entry(trainee: str, actions: list[dict[str, object]]) -> Entry:
    evs = events_until(1800) + actions + [{"type": "end", "t": 1800}]
    evs.sort(key=lambda e: (e["t"], e["type"] != "post"))
    return analyse(SCENARIO, {**HEADER, "trainee": trainee}, evs)


def first_group(pattern: str, text: str) -> str:
    """The first group of ``pattern``'s first match in ``text`` (the test fails if there is none)."""
    found = re.search(pattern, text)
    assert found is not None, pattern
    return found.group(1)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_html_report_is_self_contained_and_complete() -> None:
    good = _entry(
        "Alex",
        [
            act(120, "update", GOOD_HOLDING),
            act(200, "reply", GOOD_SAFETY, "p_allergy"),
            act(400, "reply", GOOD_PRESS, "p_press"),
            PLAN,
        ],
    )
    page = build_html([good])
    parser = _Collect()
    parser.feed(page)
    assert "script" not in parser.tags
    assert parser.urls == []
    assert "svg" in parser.tags and page.count("<rect") > 5
    assert "Model answer" in page or "model answer" in page
    assert "Priya, I&#x27;m so sorry" in page or "Priya, I'm so sorry" in page
    assert "Coaching" in page and "Every point, explained" in page
    assert "speed.first_statement" in page


def test_hostile_text_is_escaped() -> None:
    entry = _entry("<b>Mallory</b>", [act(120, "update", HOSTILE)])
    page = build_html([entry])
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page
    md = build_markdown([entry])
    assert "<script>" not in md


def test_several_journals_side_by_side() -> None:
    a = _entry("Alex", [act(120, "update", GOOD_HOLDING), PLAN])
    b = _entry("Bo", [act(900, "update", "We are looking into it.")])
    page = build_html([a, b])
    assert "Side by side" in page
    rows = re.findall(r"<tr><td>(Alex|Bo)</td>", page)
    assert rows == ["Alex", "Bo"]  # best first
    md = build_markdown([a, b])
    assert "| Alex |" in md and "| Bo |" in md


MARKUP = [
    "[x](http://e.vil)",
    "![i](http://x/p.png)",
    "<script>alert(1)</script>",
    "http://evil.example/x",
    "www.evil.com",
    "see evil.com now",
    "mail a@b.com",
    "mailto:a@b.c",
    "javascript:alert(1)",
    "**bold** _it_ ~~s~~ `code`",
    "# heading",
    "- item",
    "1. item",
    "12) item",
    "+ x",
    "> quote",
    "| a | b |",
    "&lt;b&gt; &amp; &#x3c;",
    "back\\slash\\",
    "$x$ ^sup^ [^1]",
    "<http://x.y>",
    "===",
    "[a]: http://ref.example",
    "Next update at 10:30. e.g. 3.5% off",
    "two\nlines \x1b]8;;http://evil\x07link\x1b]8;;\x07",
]


@pytest.mark.parametrize("text", MARKUP)
def test_markdown_values_render_as_plain_text(text: str) -> None:
    """Rendered as GitHub would (tables, strikethrough, bare addresses linked), a value is its own text."""
    from markdown_it import MarkdownIt

    from scoring.report import _md
    from sim.scenario.text import clean_text

    plain = clean_text(text, single_line=True)
    shown = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert MarkdownIt("gfm-like").render(_md(text)) == f"<p>{shown}</p>\n"


def test_timeline_legend_axis_and_emoji_fonts() -> None:
    entry = _entry(
        "Alex 🍕",
        [act(120, "update", GOOD_HOLDING), act(200, "private", "Priya, please DM us your order.", "p_allergy"), PLAN],
    )
    _card, rec = entry
    assert any(a.kind == "private" for a in rec.actions)
    page = build_html([entry])
    [legend] = re.findall(r'<p class="legend">(.*?)</p>', page)
    for kind, colour in (("reply", "#2f6fdf"), ("private message", "#7b5bd6"), ("action plan", "#b3261e")):
        assert f'<span style="color:{colour}">● {kind}</span>' in legend
    assert re.search(r'<circle [^>]*fill="#7b5bd6"><title>private at', page)  # the marks the legend explains
    # The clock labels under the chart stay inside the picture: the last one ends at its right edge.
    width = float(first_group(r'viewBox="0 0 (\d+) \d+"', page))
    labels = re.findall(r'<text x="([\d.]+)" y="\d+" font-size="11" text-anchor="(\w+)" [^>]*>(\d\d:\d\d)</text>', page)
    assert labels[-1][2] == "09:30"  # the scenario's last minute is labelled
    for x, anchor, text in labels:
        half = 3.3 * len(text)
        right = float(x) if anchor == "end" else float(x) + half
        assert right <= width, (x, anchor, text)
    # Emoji (in posts and names) have colour-emoji fonts to fall back on, after the text fonts.
    body_fonts = first_group(r"body\{font-family:([^;]*);", page)
    assert body_fonts.index("sans-serif") < body_fonts.index('"Noto Color Emoji"')
    assert '"Apple Color Emoji"' in body_fonts and '"Segoe UI Emoji"' in body_fonts
