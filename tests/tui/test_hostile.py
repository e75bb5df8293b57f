"""Untrusted text stays text: markup is shown literally, never run; escape sequences never reach the terminal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual import events
from textual.geometry import Region
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header, Input, Static, Tabs, TextArea

from sim.engine.clock import VirtualClock
from sim.tui.app import StormdrillApp
from sim.tui.game import GameOptions
from sim.tui.screens.console import ConsoleScreen
from sim.tui.screens.plan import PlanEditor
from sim.tui.widgets.feed import FeedView
from tests.tui.conftest import write

HOSTILE = [
    "[bold]bold?[/bold]",
    "[@click=app.pwn]click me[/]",
    "[ @click=app.pwn]spaced click[/]",
    "[link=https://evil.example]a link[/link]",
    "[B]upper[/B] [$accent]var[/]",
    "[/] [/b] unbalanced [",
    "\x1b]52;c;ZXZpbA==\x07clipboard",
    "\x1b]0;HACKED TITLE\x1b\\title",
    "\x1b[2J\x1b[31mred clear",
    "\x9b31mC1 csi \x9d8;;http://x\x9c",
    "bidi \u202eevil\u202c zero\u200bwidth",
    "emoji 🍕💀 and e\u0301 combining",
    "x" * 300,
]


def actions_on_screen(screen: Screen[Any]) -> list[str]:
    """Every piece of text drawn on ``screen`` that runs an action when clicked, or is a link
    (Textual's header, footer and tab bar aside, which are the app's own)."""
    found = []
    own = (Footer, Header, Tabs)
    for widget in screen.query("*"):
        if not widget.display or widget.size.area == 0 or any(isinstance(w, own) for w in widget.ancestors_with_self):
            continue
        for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height)):
            for segment in strip:
                style = segment.style
                if style is not None and (style.link or "@click" in (style.meta or {})):
                    found.append(f"{widget!r}: {segment.text!r}")
    return found


class PwnApp(StormdrillApp):
    pwned = 0

    def action_pwn(self) -> None:  # the action hostile markup would try to run
        PwnApp.pwned += 1


def hostile_scenario(path: Path) -> Path:
    def q(s: str) -> str:
        return json.dumps(s)  # a JSON string is a valid YAML double-quoted scalar

    posts = "\n".join(
        f"  - {{id: p{i}, at: {1 + i * 0.1:.1f}, author: a{i % 3}, text: {q(s)}, tags: [complaint]}}"
        for i, s in enumerate(HOSTILE)
    )
    personas = "\n".join(
        f"  - {{id: a{i}, name: {q(HOSTILE[i + 1][:60])}, handle: '@user{i}', role: customer, followers: 10}}"
        for i in range(3)
    )
    title = q("[bold]Hostile[/bold] \x1b[31m")
    text = f"""format: 1
id: hostile
title: {title}
summary: {q(HOSTILE[1] + " " + HOSTILE[6])}
difficulty: intro
crisis_type: victim
duration: 10
company: {{name: {q("[@click=app.pwn]Co")}, handle: "@co"}}
personas:
{personas}
briefings:
  - {{id: b1, at: 0.5, title: {q(HOSTILE[2])}, text: {q(HOSTILE[3] + HOSTILE[7])}, public_line: {q(HOSTILE[4])}}}
posts:
{posts}
"""
    path.write_text(text, encoding="utf-8")
    return path


async def test_hostile_text_renders_literally_and_runs_nothing(tmp_path: Path) -> None:
    scenario = hostile_scenario(tmp_path / "hostile.yaml")
    clock = VirtualClock()
    PwnApp.pwned = 0
    app = PwnApp(
        GameOptions(trainee="[@click=app.pwn]me", clock=clock, journal=tmp_path / "j.jsonl"),
        scenario=str(scenario),
        auto_tick=False,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_loaded()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        for t in range(0, 200, 10):
            clock.set(t)
            app.tick()
        await pilot.pause()
        console = app.screen
        assert isinstance(console, ConsoleScreen)
        feed = console.query_one(FeedView)
        feed.screen.set_focus(feed)
        # The trainee's own hostile text goes through the composer, the channel and the journal.
        feed.select("p1")
        await pilot.press("r")
        write(app.focused, "[@click=app.pwn]mine[/] [bold]x")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Nothing drawn from untrusted text carries an action or a link (only Textual's own header,
        # footer and tab bar do): clicking anywhere runs nothing.
        assert not actions_on_screen(console)
        # And clicks on the feed's hostile posts, the selected post and your channel run nothing.
        for y in (3, 4, 5, 6, 9, 10):
            await pilot.click(offset=(5, y))
        for y in (3, 4, 30, 32, 34):
            await pilot.click(offset=(80, y))
        await pilot.pause()
        assert PwnApp.pwned == 0
        assert isinstance(app.screen, ConsoleScreen)
        lines = [feed.render_line(y).text for y in range(feed.size.height)]
        rendered = "\n".join(lines)
        assert "[bold]bold?[/bold]" in rendered
        assert "[@click=app.pwn]click me[/]" in rendered
        assert "[ @click=app.pwn]spaced click[/]" in rendered
        for strip_text in lines:
            assert "\x1b" not in strip_text and not any(0x80 <= ord(c) <= 0x9F for c in strip_text)
        # Every Static on screen: no escape characters survive, brackets are kept.
        shown = "\n".join(str(w.content) for w in console.query(Static))
        assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown
        assert "[@click=app.pwn]mine[/] [bold]x" in shown
        svg = app.export_screenshot()
        assert "\x1b" not in svg
    journal = (tmp_path / "j.jsonl").read_text(encoding="utf-8")
    assert "[@click=app.pwn]mine[/] [bold]x" in journal


PASTED = "Sorry\x1b]0;pwned\x07 about\x1b]52;c;ZXZpbA==\x07 your \x1b[31morder\x9b2J\u202e today\x00\x08."
PASTED_CLEAN = "Sorry about your order today."


def drawn(*widgets: Widget) -> str:
    return "\n".join(w.render_line(y).text for w in widgets for y in range(w.size.height))


def assert_no_controls(text: str) -> None:
    assert not [c for c in text if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"], repr(text)


@asynccontextmanager
async def console_at(tmp_path: Path, t: float) -> AsyncIterator[tuple[StormdrillApp, Pilot[None]]]:
    """The console of Empty Ovens at scenario time ``t``, on a virtual clock."""
    clock = VirtualClock()
    options = GameOptions(trainee="Tess", clock=clock, journal=tmp_path / "j.jsonl")
    app = StormdrillApp(options, scenario="empty-ovens", auto_tick=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_loaded()
        await pilot.pause()
        await pilot.press("enter")
        clock.set(t)
        app.tick()
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        yield app, pilot


async def test_paste_into_the_composer_is_cleaned(tmp_path: Path) -> None:
    async with console_at(tmp_path, 200) as (app, pilot):
        feed = app.screen.query_one(FeedView)
        feed.screen.set_focus(feed)
        feed.select("p_dan")
        await pilot.press("r")
        area = app.screen.query_one("#composer-text", TextArea)
        assert area.has_focus
        app.post_message(events.Paste(PASTED))  # as the terminal delivers a bracketed paste
        await pilot.pause()
        assert area.text == PASTED_CLEAN
        shown = drawn(area)
        assert PASTED_CLEAN in shown
        assert_no_controls(shown)
        assert f"{len(PASTED_CLEAN)}/" in str(app.screen.query_one("#composer-count", Static).content)


async def test_paste_into_the_plan_editor_is_cleaned(tmp_path: Path) -> None:
    async with console_at(tmp_path, 600) as (app, pilot):
        await pilot.press("a")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, PlanEditor)
        text_area = editor.query_one("#plan-text", TextArea)
        inputs = [*editor.query(".step Input").results(Input), editor.query_one("#plan-next", Input)]
        fields: list[TextArea | Input] = [text_area, *inputs]
        for field in fields:
            field.focus()
            await pilot.pause()
            app.post_message(events.Paste(PASTED + "\nsecond line"))
            await pilot.pause()
        assert text_area.text == PASTED_CLEAN + "\nsecond line"
        assert all(i.value == PASTED_CLEAN for i in inputs)
        assert PASTED_CLEAN in drawn(text_area)
        for field in fields:
            shown = drawn(field).strip()
            assert shown and (shown in PASTED_CLEAN + "\nsecond line" or PASTED_CLEAN in shown), shown
            assert_no_controls(shown)
