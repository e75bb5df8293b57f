"""The console shows format 2 as text: media described in words, quote posts with what they quote,
pinned posts marked, embargoes and a changing crisis type in the briefings; hostile text in the
new fields stays literal."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from sim.tui.screens.console import ConsoleScreen
from sim.tui.widgets.feed import FeedView
from sim.tui.widgets.panels import BriefingsView, PostDetail
from tests.f2 import text
from tests.tui.conftest import Harness
from tests.tui.test_console import Make, start, text_of

FORMAT2 = str(Path(__file__).parent.parent / "scenario" / "format2.yaml")


def feed_lines(feed: FeedView) -> list[str]:
    return [feed.render_line(y).text for y in range(feed.size.height)]


async def test_media_quotes_pins_embargo_and_crisis_type_are_shown_as_text(harness: Make) -> None:
    h: Harness = harness(scenario=FORMAT2)
    async with h.app.run_test(size=(160, 50)) as pilot:
        console = await start(h, pilot, 600)
        assert isinstance(console, ConsoleScreen)
        feed = console.query_one(FeedView)
        feed.set_filter("must-handle")
        await pilot.pause()
        shown = "\n".join(feed_lines(feed))
        assert "[video: A crowded carriage, lights on" in shown
        assert "PINNED" in shown and "❝ @amira.h: Stuck in t" in shown
        feed.select("p_quote")
        await pilot.pause()
        detail = text_of(console.query_one(PostDetail))
        assert "quoting Amira Haddad @amira.h: Stuck in the tunnel" in detail and "PINNED" in detail
        assert "[video: A crowded carriage" in detail  # the quoted post's video, in words
        briefings = text_of(console.query_one(BriefingsView))
        assert "EMBARGO until 08:16" in briefings and "From 08:16 you may say: Transport police" in briefings
        await h.at(pilot, 17 * 60)
        briefings = text_of(console.query_one(BriefingsView))
        assert "EMBARGO" not in briefings and "You may say: Transport police" in briefings
        assert "now seen as preventable" not in briefings
        await h.at(pilot, 21 * 60)
        briefings = text_of(console.query_one(BriefingsView))
        assert "The crisis is now seen as preventable (was victim)." in briefings


HOSTILE = "[@click=app.quit]boom[/] \x1b[2J[bold]x"


async def test_hostile_media_captions_and_quotes_stay_literal(harness: Make, tmp_path: Path) -> None:
    path = tmp_path / "hostile.yaml"
    path.write_text(
        text(
            posts=[
                {
                    "id": "p1",
                    "at": 1,
                    "author": "cust",
                    "text": "[b]look[/b]",
                    "media": {"kind": "video", "caption": HOSTILE},
                },
                {"id": "p2", "at": 2, "author": "journo", "text": "{trainee_name} [i]sees[/i]", "quote": "p1"},
            ]
        ),
        encoding="utf-8",
    )
    h: Harness = harness(scenario=str(path))
    async with h.app.run_test(size=(160, 40)) as pilot:
        console = await start(h, pilot, 200)
        feed = console.query_one(FeedView)
        shown = "\n".join(feed_lines(feed))
        assert "[video: [@click=app.quit]boom[/] [bold]x]" in shown and "\x1b" not in shown
        assert "Tess [i]sees[/i]" in shown and "❝ @cam-lee: [b]look[/b]" in shown
        feed.select("p2")
        await pilot.pause()
        statics = "\n".join(str(w.content) for w in console.query(Static))
        assert "[@click=app.quit]boom[/]" in statics and "\x1b" not in statics
        assert isinstance(h.app.screen, ConsoleScreen)  # nothing ran
