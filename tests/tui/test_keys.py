"""Keys: every command declared once (sim/tui/commands.py) and derived everywhere, the trainee's
keymap, `stormdrill keys`, the palette's providers, the speed ladder and the feed's first keys."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual import events
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.widgets import Footer, HelpPanel, Static, TabbedContent, TextArea
from textual.widgets._footer import FooterKey

import sim.tui
from sim.cli import cli
from sim.engine.clock import VirtualClock
from sim.tui import commands
from sim.tui.app import StormdrillApp
from sim.tui.game import GameOptions
from sim.tui.keymap import KeymapError, parse_keymap
from sim.tui.palette import BriefingsProvider, PostsProvider
from sim.tui.screens.briefing import BriefingScreen
from sim.tui.screens.console import ConsoleScreen
from sim.tui.screens.debrief import DebriefScreen
from sim.tui.screens.picker import PickerScreen
from sim.tui.screens.plan import PlanEditor
from sim.tui.widgets.composer import Composer
from sim.tui.widgets.feed import FeedView
from sim.tui.widgets.panels import StatusBar
from tests.tui.conftest import Harness
from tests.tui.test_console import loaded, start, text_of
from tests.tui.test_hostile import HOSTILE, hostile_scenario

Make = Callable[..., Harness]
ROOT = Path(__file__).resolve().parents[2]


async def at_feed(h: Harness, pilot: Pilot[None], t: float = 200) -> tuple[ConsoleScreen, FeedView]:
    """The console at scenario time ``t``, with the feed focused."""
    console = await start(h, pilot, t)
    feed = console.query_one(FeedView)
    console.set_focus(feed)
    return console, feed


async def at_debrief(h: Harness, pilot: Pilot[None]) -> DebriefScreen:
    """The debrief of a session ended at 09:02."""
    await start(h, pilot, 120)
    h.app.finish()
    await pilot.pause()
    assert isinstance(h.app.screen, DebriefScreen)
    return h.app.screen


def keymap_file(tmp_path: Path, text: str) -> Path:
    """Write the trainee's keymap where the app looks for it (conftest points STORMDRILL_CONFIG_DIR here)."""
    path = tmp_path / "config" / "keymap.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ one declaration, derived everywhere
def test_every_binding_is_a_declared_command_and_every_command_is_bound() -> None:
    bound: set[str] = set()
    for info in pkgutil.walk_packages(sim.tui.__path__, "sim.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or "BINDINGS" not in cls.__dict__:
                continue
            for b in cls.__dict__["BINDINGS"]:
                assert isinstance(b, Binding) and b.id in commands.BY_ID, f"{cls.__name__}: {b} has no command id"
                c = commands.BY_ID[b.id]
                assert (b.key, b.action, b.show, b.priority) == (c.keys, c.action, c.footer, c.priority), b.id
                bound.add(b.id)
    assert bound == set(commands.BY_ID)  # no declared command is left without a binding
    assert len(bound) >= 45


def test_the_docs_key_table_is_in_step_with_the_declarations() -> None:
    docs = (ROOT / "docs" / "console.md").read_text(encoding="utf-8")
    assert commands.with_table(docs) == docs, "docs/console.md is out of step: run `python -m sim.tui.commands`"
    for c in commands.COMMANDS:
        assert f"| `{c.id}` | {c.description} |" in docs


def test_the_default_keys_make_a_valid_keymap() -> None:
    # Every command written out with its default keys is a keymap without problems (no clash, all keys known).
    text = "\n".join(f'"{c.id}" = "{c.keys}"' for c in commands.COMMANDS)
    assert parse_keymap(text, "defaults.toml") == {c.id: c.keys for c in commands.COMMANDS}


def test_the_briefing_key_list_follows_the_keymap() -> None:
    rows = dict((what, keys) for keys, what in commands.briefing_keys({"console.reply": "R", "feed.down": "ctrl+n"}))
    assert rows["Reply in public to the selected post"] == "R"
    assert rows["Next post, down the feed (the first press: the top one)"] == "ctrl+n"
    assert rows["Send what you wrote"] == "ctrl+s"
    assert rows[commands.BY_ID["console.search"].description] == "/"


# ------------------------------------------------------------------ the keymap file
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('"console.reply" = "R"\n[console\n', 2, "not valid TOML"),
        ('"console.reply" = "R"\n"console.replyy" = "x"\n', 2, "did you mean `console.reply`?"),
        ('[console]\nupdate = "U"\nreply = 5\n', 3, "the keys must be a string"),
        ("[feed]\ndown = []\n", 2, "the keys must be a string"),
        ('console.update = "ctrl+banana"\n', 1, "'ctrl+banana' is not a key"),
        ('console.update = "hyper2+x"\n', 1, "unknown modifier"),
        ('\n\n"console.send" = "s"\n', 3, "works while you type"),
        ('console.reply = "u"\n', 1, "also the key of console.update"),
        ('"feed.down" = "ctrl+s"\n', 1, "also the key of console.send"),
    ],
)
def test_a_bad_keymap_names_the_file_line_and_problem(text: str, line: int, message: str) -> None:
    with pytest.raises(KeymapError) as caught:
        parse_keymap(text, "keymap.toml")
    assert any(p.line == line and message in str(p) for p in caught.value.problems), caught.value
    assert all(str(p).startswith(f"keymap.toml:{p.line}:") for p in caught.value.problems)


def test_keymap_forms_and_key_names() -> None:
    text = '"console.reply" = "R"\n[feed]\ndown = ["j", "ctrl+N"]\n[console]\nsearch = "?"\nfaster = "+"\n'
    assert parse_keymap(text, "k.toml") == {
        "console.reply": "R",
        "feed.down": "j,ctrl+n",
        "console.search": "question_mark",
        "console.faster": "plus",
    }


# ------------------------------------------------------------------ the keymap in the console
async def test_a_remapped_key_runs_the_command_and_the_old_key_does_not(harness: Make, tmp_path: Path) -> None:
    keymap_file(tmp_path, '"console.reply" = "R"\n"console.update" = "U"\n"app.palette" = "ctrl+k"\n')
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await loaded(h, pilot)
        keys = h.app.screen.query_one("#briefing-keys", Static)
        assert any(line.startswith("R ") and "Reply in public" in line for line in text_of(keys).splitlines())
        console, feed = await at_feed(h, pilot)
        feed.select("p_dan")
        composer = console.query_one(Composer)
        text = composer.query_one(TextArea)
        await pilot.press("r", "u", "enter")  # the old keys: nothing opens
        await pilot.pause()
        assert feed.has_focus and not text.has_focus
        await pilot.press("R")
        await pilot.pause()
        assert text.has_focus and (composer.mode, composer.post_id) == ("reply", "p_dan")
        await pilot.press("escape", "U")
        await pilot.pause()
        assert text.has_focus and composer.mode == "update"
        # The footer and the palette show the new keys.
        await pilot.press("escape")
        await pilot.pause()
        shown = {k.action: k.key_display for k in console.query_one(Footer).query(FooterKey)}
        assert shown["reply"] == "R" and shown["update"] == "U" and shown["command_palette"] == "^k"
        await pilot.press("ctrl+p")
        assert not CommandPalette.is_open(h.app)
        await pilot.press("ctrl+k")
        assert CommandPalette.is_open(h.app)
        await pilot.press("escape")
        titles = [c.title for c in h.app.get_system_commands(console)]
        assert "Post a public update to everyone (U)" in titles


async def test_a_bad_keymap_warns_and_the_default_keys_apply(harness: Make, tmp_path: Path) -> None:
    path = keymap_file(tmp_path, '"console.reply" = "R"\n"console.nope" = "x"\n')
    h = harness()
    async with h.app.run_test(size=(120, 40), notifications=True) as pilot:
        console, feed = await at_feed(h, pilot)
        [note] = [n for n in h.app._notifications if n.title == "Your keymap is not used"]
        assert f"{path}:2:1: unknown command id 'console.nope'" in note.message
        assert "stormdrill keys" in note.message
        feed.select("p_dan")
        await pilot.press("r")
        await pilot.pause()
        assert console.query_one(Composer).query_one(TextArea).has_focus  # r: the default key replies


# ------------------------------------------------------------------ `stormdrill keys`
def test_keys_lists_every_command_with_its_key_after_the_keymap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORMDRILL_CONFIG_DIR", str(tmp_path))
    result = CliRunner().invoke(cli, ["keys"])
    assert result.exit_code == 0, result.output
    assert f"Your keymap: {tmp_path / 'keymap.toml'} (not there yet)" in result.output
    lines = result.output.splitlines()
    for c in commands.COMMANDS:
        [line] = [x for x in lines if f" {c.id} " in x]
        assert line.split()[0].rstrip(",") == commands.keys_of(c.id)[0] and c.description in line
    (tmp_path / "keymap.toml").write_text('[console]\nreply = "R,ctrl+r"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["keys"])
    assert result.exit_code == 0 and "(1 command remapped)" in result.output
    [line] = [x for x in result.output.splitlines() if " console.reply " in x]
    assert line.split()[:3] == ["R,", "ctrl+r", "console.reply"] and "the default is r, enter" in line
    usage = CliRunner().invoke(cli, ["keys", "--help"], prog_name="stormdrill")
    assert usage.exit_code == 0 and "Usage: stormdrill keys" in usage.output and "STORMDRILL_CONFIG_DIR" in usage.output


def test_keys_with_a_bad_keymap_exits_2_with_file_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORMDRILL_CONFIG_DIR", str(tmp_path))
    path = tmp_path / "keymap.toml"
    path.write_text('"console.reply" = "R"\n"console.update" = \n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["keys"])
    assert result.exit_code == 2
    assert f"{path}:2:" in result.stderr and "not valid TOML" in result.stderr
    assert "the keymap is not used" in result.stderr and "Traceback" not in result.output
    path.write_text("[console]\nreply = true\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["keys"])
    assert result.exit_code == 2 and f"{path}:2:1: console.reply: the keys must be a string" in result.stderr


# ------------------------------------------------------------------ help, speed, the feed's first keys
async def test_esc_closes_the_keys_panel(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console, _ = await at_feed(h, pilot)
        await pilot.press("f1")
        assert console.query(HelpPanel)
        await pilot.press("escape")
        assert not console.query(HelpPanel)
        h.app.action_show_help_panel()  # as the palette's "Keys" opens it
        await pilot.pause()
        assert console.query(HelpPanel)
        await pilot.press("escape")
        assert not console.query(HelpPanel)
        # Without the panel, esc is the console's again: from the composer back to the feed.
        await pilot.press("u")
        assert console.query_one(Composer).query_one(TextArea).has_focus
        await pilot.press("escape")
        assert console.query_one(FeedView).has_focus


async def test_the_speed_ladder_is_the_same_both_ways_and_named_on_screen(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console, _ = await at_feed(h, pilot)
        h.clock.set_speed(4)  # --speed 4, off the ladder
        ups, downs = [], []
        for _ in range(5):
            await pilot.press("plus")
            ups.append(h.clock.speed)
        assert "Speed 60x" in text_of(console.query_one(StatusBar))
        for _ in range(6):
            await pilot.press("minus")
            downs.append(h.clock.speed)
        assert ups == [5, 10, 30, 60, 60]
        assert downs == [30, 10, 5, 2, 1, 1]
        assert "Speed 1x" in text_of(console.query_one(StatusBar))
        await pilot.press("space")
        assert "PAUSED (1x)" in text_of(console.query_one(StatusBar))


async def test_the_first_j_selects_the_top_post(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console, feed = await at_feed(h, pilot, 130)
        assert feed.cursor == -1 and len(feed.rows) >= 2 and feed.max_scroll_y == 0
        await pilot.press("j")
        assert feed.cursor == 0 and console.selected is feed.posts[feed.rows[0]]


async def test_in_a_long_feed_the_first_j_and_k_select_the_top_and_bottom_posts_in_view(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        _, feed = await at_feed(h, pilot, 300)
        assert feed.max_scroll_y > 0  # more posts than fit: the view follows the newest at the bottom
        top = -(-int(feed.scroll_offset.y) // 2)
        await pilot.press("j")
        assert feed.cursor == top and 0 < top < len(feed.rows) - 1
        feed.cursor = -1
        await pilot.press("k")
        assert feed.cursor == len(feed.rows) - 1


async def test_after_a_search_j_moves_from_the_first_match_to_the_next(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console, feed = await at_feed(h, pilot, 300)
        await pilot.press("j", "j")  # a post that the search will not match
        await pilot.press("slash", *"sorry", "enter")
        await pilot.pause()
        matches = [feed.posts[i] for i in feed.rows]
        assert len(matches) >= 2 and all("sorry" in p.text.lower() for p in matches)
        assert feed.current_post is matches[0] and console.selected is matches[0]
        await pilot.press("j")
        assert feed.current_post is matches[1]
        await pilot.press("k")
        assert feed.current_post is matches[0]


async def test_the_debrief_tabs_have_keys(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        tabs = (await at_debrief(h, pilot)).query_one(TabbedContent)
        for key, tab, label in (("2", "tab-evidence", "2 Evidence"), ("4", "tab-must", "4 Must-handle"),
                                ("3", "tab-replies", "3 Replies"), ("1", "tab-overview", "1 Overview")):  # fmt: skip
            await pilot.press(key)
            assert tabs.active == tab
            assert str(tabs.get_tab(tab).label) == label


@pytest.mark.parametrize("where", ["picker", "briefing", "console", "debrief"])
async def test_the_footer_fits_80_columns(harness: Make, where: str) -> None:
    h = harness(scenario=None if where == "picker" else "empty-ovens")
    async with h.app.run_test(size=(80, 24)) as pilot:
        await loaded(h, pilot)
        if where == "console":
            await start(h, pilot, 120)
        elif where == "debrief":
            await at_debrief(h, pilot)
        screen = h.app.screen
        expected = {"picker": PickerScreen, "briefing": BriefingScreen, "console": ConsoleScreen}
        assert isinstance(screen, expected.get(where, DebriefScreen))
        await pilot.pause()
        keys = list(screen.query_one(Footer).query(FooterKey))
        palette = [k for k in keys if k.has_class("-command-palette")]
        assert palette and len(keys) >= 4
        for k in keys:
            if k not in palette:
                assert k.region.right <= palette[0].region.x, f"{k.key_display} {k.description} is cut off"
        assert palette[0].region.right <= 80


async def test_while_typing_the_footer_shows_what_works_while_typing(harness: Make) -> None:
    """In the composer letters are typed and enter is a new line: the footer shows sending and going
    back to the feed (esc), none of the one-key actions; back in the feed it is as before."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console, _feed = await at_feed(h, pilot)

        def footer() -> dict[str, str]:
            return {k.action: k.key_display for k in console.query_one(Footer).query(FooterKey)}

        assert {"reply", "update", "send"} <= set(footer()) and "to_feed" not in footer()
        await pilot.press("u")
        await pilot.pause()
        assert footer() == {"send": "^s", "to_feed": "esc", "quit": "^q", "command_palette": "^p"}
        await pilot.press("enter")  # a new line in the draft, not a reply
        await pilot.pause()
        assert console.query_one(Composer).mode == "update" and console.query_one(TextArea).text == "\n"
        await pilot.press("escape")
        await pilot.pause()
        assert {"reply", "update", "send"} <= set(footer()) and "to_feed" not in footer()


# ------------------------------------------------------------------ the palette's providers
async def test_the_palette_finds_a_post_by_handle_and_jumps_to_it(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console, feed = await at_feed(h, pilot, 300)
        dan = next(p for p in feed.posts if p.id == "p_dan")
        await pilot.press("f", "slash", *"allergy", "enter")  # a filter and a search hide Dan's post
        assert not feed.shows("p_dan")
        await pilot.press("ctrl+p")
        await pilot.press(*dan.handle)
        for _ in range(50):
            await pilot.pause(0.05)
            options = h.app.screen.query_one(CommandList).options
            if any(dan.handle in str(o.prompt) for o in options):  # Text and Content print as their plain text
                break
        await pilot.press("down", "enter")
        await pilot.pause()
        assert h.app.screen is console
        assert feed.current_post is dan and console.selected is dan
        assert feed.kind == "all" and feed.search == ""  # the filter that hid it is cleared


async def test_a_first_name_in_the_palette_finds_the_post_before_loose_commands(harness: Make) -> None:
    """ "dan" is Dan's post first, not "End the session and ..." (whose letters occur in that order):
    posts and commands rank on one scale."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console, feed = await at_feed(h, pilot, 300)
        await pilot.press("ctrl+p", *"dan")
        for _ in range(50):
            await pilot.pause(0.05)
            options = h.app.screen.query_one(CommandList).options
            if any("@danwhitfield" in str(o.prompt) for o in options):
                break
        assert "@danwhitfield" in str(options[0].prompt), [str(o.prompt) for o in options[:3]]
        assert any(str(o.prompt).startswith("End the session") for o in options)  # still there, below
        assert h.app.screen.query_one(CommandList).highlighted == 0  # the palette offers the best hit
        await pilot.press("enter")
        await pilot.pause()
        assert h.app.screen is console and feed.current_post is not None and feed.current_post.id == "p_dan"


async def test_next_unanswered_must_handle_and_a_briefing_from_the_palette(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console, feed = await at_feed(h, pilot, 400)
        must = [p for p in feed.posts if p.must_handle]
        assert len(must) >= 2
        provider = PostsProvider(console)
        [hit] = [hit async for hit in provider.discover()]
        assert str(hit.prompt).startswith("Next unanswered must-handle post (n)")
        hit.command()
        await pilot.pause()
        assert feed.current_post is must[0]
        await pilot.press("r", *"So sorry, we are on it. DM us please.", "ctrl+s")
        await pilot.pause()
        await pilot.press("n")  # the key does the same; the answered one is skipped
        assert feed.current_post is must[1]
        briefings = console.game.briefings()
        assert briefings
        hits = [hit async for hit in BriefingsProvider(console).discover()]
        assert [h_.text for h_ in hits] == [f"Briefing: {b.title}" for b in reversed(briefings)]
        hits[-1].command()
        await pilot.pause()
        assert console.query_one(TabbedContent).active == "tab-briefings"


async def test_palette_hits_show_hostile_text_literally(tmp_path: Path) -> None:
    clock = VirtualClock()
    options = GameOptions(trainee="t", clock=clock, journal=tmp_path / "j.jsonl", record_results=False)
    app = StormdrillApp(options, scenario=str(hostile_scenario(tmp_path / "h.yaml")), auto_tick=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_loaded()
        await pilot.pause()
        await pilot.press("enter")
        for t in range(0, 200, 10):
            clock.set(t)
            app.tick()
        await pilot.pause()
        console = app.screen
        hits = [hit async for hit in PostsProvider(console).search("click")]
        shown = "\n".join(str(hit.prompt) for hit in hits)
        assert "[@click=app.pwn]click me[/]" in shown and "[ @click=app.pwn]spaced click[/]" in shown
        [briefing] = [hit async for hit in BriefingsProvider(console).discover()]
        assert str(briefing.prompt) == f"Briefing: {HOSTILE[2]}"


CHARS = {"enter": "\r", "slash": "/", "space": " ", "plus": "+", "down": None}


@pytest.mark.parametrize("keys", [["u"], ["down", "down", "r"], ["f", "t", "slash"], ["a"], ["space", "plus"]])
async def test_keys_pressed_while_the_console_is_being_built_are_not_lost_and_do_not_crash_it(
    harness: Make, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter on the briefing while the storm is still being expanded, and the next keys straight
    behind it, as a browser sends them: on a loaded host the app took a key while the console was
    being built (a served console at 30 participants crashed with ``NoMatches: FeedView``). Here the
    console is built slowly and the app is handed each key at that moment: the keys wait for the
    console, then act, in order."""
    import threading

    import sim.tui.screens.console
    from sim.tui.game import Game

    class SlowConsole(ConsoleScreen):
        """Built as slowly as on a host with 30 consoles on two cores."""

        async def _on_compose(self, event: events.Compose) -> None:
            await asyncio.sleep(0.3)
            await super()._on_compose(event)

    expanded = threading.Event()
    start = Game.start

    def slow_start(*args: Any, **kwargs: Any) -> Game:
        expanded.wait(20)  # the storm is expanded once the test says so
        return start(*args, **kwargs)

    monkeypatch.setattr(sim.tui.screens.console, "ConsoleScreen", SlowConsole)
    monkeypatch.setattr(Game, "start", slow_start)
    h = harness()
    async with h.app.run_test(size=(120, 36)) as pilot:
        await h.until(pilot, lambda: isinstance(h.app.screen, BriefingScreen), "the briefing")
        await pilot.press("enter")  # before the storm is ready: the console comes the moment it is
        expanded.set()
        for _ in range(2000):  # not pilot.pause: that would wait for the console to be built
            if isinstance(h.app.screen, SlowConsole):
                break
            await asyncio.sleep(0.01)
        assert not h.app.screen.query(FeedView), "the console was built already: this tests nothing"
        for key in keys:  # each taken by the app now, while the console is being built
            await h.app.on_event(events.Key(key, CHARS.get(key, key)))
        await pilot.pause(0.6)
        await pilot.pause()
        assert h.app.return_code is None  # no crash
        assert isinstance(h.app.screen, ConsoleScreen | PlanEditor), h.app.screen
        console = next(s for s in h.app.screen_stack if isinstance(s, ConsoleScreen))
        assert console.query_one(FeedView)
        if keys == ["u"]:  # the update key reached the console: the composer is open for a public update
            assert isinstance(h.app.focused, TextArea), h.app.focused
