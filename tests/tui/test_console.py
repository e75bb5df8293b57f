"""Pilot tests for every flow of the trainee console, on a virtual clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, TabbedContent, TextArea

from sim.scenario.library import library_files
from sim.scenario.model import PlanStep
from sim.tui import commands
from sim.tui.screens.briefing import BriefingScreen
from sim.tui.screens.confirm import ConfirmScreen
from sim.tui.screens.console import ConsoleScreen
from sim.tui.screens.debrief import DebriefScreen
from sim.tui.screens.picker import PickerScreen
from sim.tui.screens.plan import PlanEditor
from sim.tui.widgets.composer import Composer
from sim.tui.widgets.feed import FeedView
from sim.tui.widgets.panels import ChannelView, StatusBar
from sim.workshop.history import LocalHistory
from tests.tui.conftest import Harness, write

Make = Callable[..., Harness]


def text_of(widget: object) -> str:
    return str(getattr(widget, "content", "") or getattr(widget, "renderable", ""))


async def loaded(h: Harness, pilot: Pilot[None]) -> None:
    """The first frame is a loading screen; wait for the worker behind it."""
    await h.app.wait_loaded()
    await pilot.pause()


async def start(h: Harness, pilot: Pilot[None], t: float = 200) -> ConsoleScreen:
    await loaded(h, pilot)
    assert isinstance(h.app.screen, BriefingScreen)
    await pilot.press("enter")
    await pilot.pause()
    await h.at(pilot, t)
    assert isinstance(h.app.screen, ConsoleScreen)
    return h.app.screen


async def open_plan(h: Harness, pilot: Pilot[None]) -> PlanEditor:
    await pilot.press("a")
    await pilot.pause()
    editor = h.app.screen
    assert isinstance(editor, PlanEditor)
    return editor


async def say(pilot: Pilot[None], key: str | None, text: str, *, send: bool = True) -> None:
    """Press ``key`` (r, u, m: opens the composer), put ``text`` in the focused field as if typed,
    and send it with ctrl+s. The letters are not typed one by one: the keys are not what is tested."""
    if key:
        await pilot.press(key)
    write(pilot.app.focused, text)
    if send:
        await pilot.press("ctrl+s")


def burst(h: Harness, keys: list[str]) -> None:
    """Post keys all at once, none waiting for the one before to be handled (a fast typist, or keys
    a busy terminal delivers in one read)."""
    for key in keys:
        h.app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_picker_lists_the_library_and_opens_a_scenario(harness: Make) -> None:
    h = harness(scenario=None)
    async with h.app.run_test(size=(120, 40)) as pilot:
        await loaded(h, pilot)
        assert isinstance(h.app.screen, PickerScreen)
        table = h.app.screen.query_one(DataTable)
        playable = [f for f in library_files() if f.stem != "stress"]
        assert table.row_count == len(playable)
        first = h.app.screen.entries[0]  # the first on the learning path: an intro scenario
        assert first.scenario is not None and first.scenario.difficulty == "intro"
        await pilot.press("enter")
        await loaded(h, pilot)
        assert isinstance(h.app.screen, BriefingScreen)
        assert h.app.screen.scenario.source.endswith(first.path.name)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(h.app.screen, PickerScreen)


async def test_reply_flow(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot)
        feed = console.query_one(FeedView)
        feed.screen.set_focus(feed)
        feed.select("p_dan")
        await pilot.press("r")
        assert console.query_one(TextArea).has_focus
        await say(pilot, None, "Dan, I'm so sorry. Please DM us your order number and we'll refund it today.")
        await pilot.pause()
        [action] = h.actions()
        assert action["kind"] == "reply" and action["post"] == "p_dan"
        assert "refund it today" in str(action["text"])
        assert feed.status["p_dan"] == "answered"
        assert "refund it today" in text_of(console.query_one("#channel", ChannelView))
        assert feed.has_focus  # back to the feed after sending


async def test_update_flow_sets_a_promise(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot, 120)
        await pilot.press("u")
        await say(pilot, None, "We're so sorry: many stores are closed. Next update at 09:10.")
        await pilot.pause()
        [action] = h.actions()
        assert action["kind"] == "update"
        status = text_of(console.query_one(StatusBar))
        assert "Promised update due in 8m00s" in status  # 09:10, promised at 09:02: a duration, not a clock time
        assert "Silent for 0s" in status


async def test_a_promise_for_a_time_already_past_is_flagged(harness: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    # At 09:02, "next update at 09:00" reads as 09:00 tomorrow: the trainee is told, not left guessing.
    h = harness()
    # Every warning, kept here: the toasts themselves expire after 10 s of wall time, and on a busy
    # machine typing the three updates takes longer than that.
    notes: list[str] = []
    notify = h.app.notify

    def spy(message: str, **kwargs: Any) -> None:
        if kwargs.get("title") == "Check your promise":
            notes.append(str(message))
        notify(message, **kwargs)

    monkeypatch.setattr(h.app, "notify", spy)
    async with h.app.run_test(size=(120, 40), notifications=True) as pilot:
        await start(h, pilot, 120)
        await say(pilot, "u", "We're so sorry: many stores are closed. Next update at 09:00.")
        await pilot.pause()
        assert len(notes) == 1
        assert "09:00 tomorrow" in notes[0] and "it is 09:02 now" in notes[0]
        await say(pilot, "u", "Correction: our next update is at 09:20.")
        await pilot.pause()
        assert len(notes) == 1  # a time within the exercise raises nothing new
        await say(pilot, "u", "Still on it. Next update at 09:02.")  # it is 09:02: no promise at all
        await pilot.pause()
        assert len(notes) == 2 and '"at 09:02" is not ahead of the clock' in notes[1]


async def test_action_plan_flow(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await start(h, pilot, 600)
        editor = await open_plan(h, pilot)
        write(h.app.focused, "Our new delivery partner could not get dough to our stores.")
        inputs = list(editor.query(Input))
        inputs[0].value = "Refund every cancelled order automatically"
        inputs[1].value = "Customer care team"
        inputs[2].value = "within 5 days"
        editor.query_one("#plan-next", Input).value = "09:40"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(h.app.screen, ConsoleScreen)
        [action] = h.actions()
        assert action["kind"] == "plan" and action["next_update"] == "09:40"
        assert action["steps"] == [
            {"what": "Refund every cancelled order automatically", "who": "Customer care team", "when": "within 5 days"}
        ]


async def test_private_message_flow(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot)
        feed = console.query_one(FeedView)
        feed.screen.set_focus(feed)
        feed.select("p_dan")
        await pilot.press("m")
        await say(pilot, None, "Hi Dan, this is Sam from customer care.")
        await pilot.pause()
        [action] = h.actions()
        assert action["kind"] == "private" and action["post"] == "p_dan"
        assert feed.status["p_dan"] == "private"


async def test_empty_send_is_refused_with_a_reason(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40), notifications=True) as pilot:
        await start(h, pilot)
        await pilot.press("u")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert h.actions() == []
        assert any("write something first" in str(n.message) for n in h.app._notifications)


async def test_filters_and_search(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot, 900)
        feed = console.query_one(FeedView)
        feed.screen.set_focus(feed)
        total = len(feed.rows)
        await pilot.press("f")  # unanswered
        assert len(feed.rows) == total
        feed.select("p_dan")
        await say(pilot, "r", "Dan, so sorry; please DM us.")
        await pilot.pause()
        await pilot.press("f")  # must-handle
        assert feed.rows and all(feed.posts[i].must_handle for i in feed.rows)
        await pilot.press("f", "f")  # back to unanswered
        assert all(feed.status.get(feed.posts[i].id, "open") == "open" for i in feed.rows)
        await pilot.press("f", "f")  # all
        await pilot.press("t")  # first tag
        tag = feed.tag
        assert tag and all(tag in feed.posts[i].tags for i in feed.rows)
        assert feed.rows  # only tags that some post has are offered
        await pilot.press("T")  # back to no tag
        assert feed.tag is None and len(feed.rows) == len(feed.posts)
        await pilot.press("T")  # backwards wraps to the last tag
        assert feed.tag == console.tags[-1] and feed.rows
        await pilot.press("t")
        assert feed.tag is None
        tabs = console.query_one(TabbedContent)
        await pilot.press("b")
        assert tabs.active == "tab-briefings"
        await pilot.press("b")
        assert tabs.active == "tab-channel"
        await pilot.press("slash")
        write(h.app.focused, "nut allergy")
        await pilot.press("enter")
        assert [feed.posts[i].id for i in feed.rows] == ["p_allergy"]  # search matches text, and only it
        # By handle or by name, whatever the case: Dan's post, though its text names neither.
        for query in ("@DanWhit", "dan whitfield"):
            search = console.query_one("#search", Input)
            search.value = ""
            await pilot.press("slash")
            write(h.app.focused, query)
            await pilot.press("enter")
            found = [feed.posts[i] for i in feed.rows]
            assert "p_dan" in [p.id for p in found], query
            assert all(p.handle == "@danwhitfield" for p in found), query


async def test_pause_and_speed(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot)
        console.set_focus(console.query_one(FeedView))
        await pilot.press("space")
        assert h.clock.paused
        assert "PAUSED" in text_of(console.query_one(StatusBar))
        await pilot.press("space")
        assert not h.clock.paused
        await pilot.press("plus")
        assert h.clock.speed == 2.0


async def test_end_shows_debrief_and_exports(harness: Make, tmp_path: Path) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot, 120)
        await say(pilot, "u", "We're so sorry. Stores are closed; next update at 09:10.")
        await pilot.pause()
        console.set_focus(console.query_one(FeedView))
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(h.app.screen, ConfirmScreen)
        await pilot.press("y")  # a letter never ends the session: it may be text typed into the feed
        await pilot.pause()
        assert isinstance(h.app.screen, ConfirmScreen)
        await pilot.press("ctrl+e")
        await h.debrief(pilot)
        debrief = h.app.screen
        assert isinstance(debrief, DebriefScreen)
        assert 0 <= debrief.card.total <= 100
        assert debrief.card.speed.details["first_statement_s"] == 120
        await pilot.press("h", "j")
        await h.app.workers.wait_for_complete()
        await pilot.pause()
        assert h.journal.with_suffix(".html").exists()
        assert '"total"' in h.journal.with_suffix(".score.json").read_text()


async def test_debrief_chart_fits_the_terminal_and_follows_resizes(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(80, 24)) as pilot:
        console = await start(h, pilot, 120)
        await say(pilot, "u", "We're so sorry. Stores are closed; next update at 09:10.")
        await pilot.pause()
        console.set_focus(console.query_one(FeedView))
        await pilot.press("e", "ctrl+e")
        await h.debrief(pilot)
        debrief = h.app.screen
        assert isinstance(debrief, DebriefScreen)

        def widest() -> int:
            marks = text_of(debrief.query_one("#action-line"))
            spark = debrief.query_one("#volume").outer_size.width
            return max(spark, *(len(line) for line in marks.splitlines()))

        assert "u" in text_of(debrief.query_one("#action-line"))  # the update at minute 2 is marked
        assert widest() <= 80 - 4
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert 80 - 4 < widest() <= 160 - 4  # wider screen, wider chart


async def test_text_typed_into_the_feed_does_not_end_the_session(harness: Make) -> None:
    """Text typed while the feed has focus: its "e" asks to end the session, its "y" must not answer
    yes, and esc keeps playing."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot, 1)  # no post has arrived yet
        console.set_focus(console.query_one(FeedView))
        burst(h, [*"We're sorry, your day"])
        await pilot.pause()
        await pilot.pause()
        assert not h.game.finished
        assert isinstance(h.app.screen, ConfirmScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(h.app.screen, ConsoleScreen)
        assert not h.game.finished


async def test_reply_with_no_post_chosen_keeps_the_text_and_runs_no_keys(harness: Make) -> None:
    """`r` with no post selected says to choose one and puts the cursor in the (idle) composer: the
    letters typed next land there, none runs as a console key ("a" would open the plan editor, "e"
    ask to end), ctrl+s sends nothing, and the text goes to the post chosen next."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot, 200)
        console.set_focus(console.query_one(FeedView))
        assert console.query_one(FeedView).current_post is None
        text = "Dan, I'm sorry: a wasted trip and a cancelled order. I've sent you a DM."
        burst(h, ["r", *text])
        await pilot.pause()
        await pilot.pause()
        composer = console.query_one(Composer)
        assert isinstance(h.app.screen, ConsoleScreen) and not h.game.finished
        assert composer.text == text and composer.mode == "idle"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert h.actions() == []
        await pilot.press("escape", "j", "r")
        await pilot.pause()
        chosen = console.query_one(FeedView).current_post
        assert chosen is not None and composer.mode == "reply" and composer.text == text
        await pilot.press("ctrl+s")
        await pilot.pause()
        [action] = h.actions()
        assert action["kind"] == "reply" and action["text"] == text and action["post"] == chosen.id


async def test_a_plan_with_no_steps_takes_the_publish_key_twice(harness: Make) -> None:
    """Text with no steps is usually typed into the wrong place: the first ctrl+s says so, a second
    one with nothing changed publishes it; a change in between asks again."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await start(h, pilot, 600)
        editor = await open_plan(h, pilot)
        write(h.app.focused, "sorry about the stores")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert h.app.screen is editor and h.actions() == []
        write(h.app.focused, ", we are on it")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert h.app.screen is editor and h.actions() == []
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(h.app.screen, ConsoleScreen)
        [action] = h.actions()
        assert action["kind"] == "plan" and action["steps"] == []
        assert action["text"] == "sorry about the stores, we are on it"


async def test_session_ends_by_itself_at_the_scenario_end(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await start(h, pilot, 60)
        await h.at(pilot, 30 * 60 + 10)
        await h.debrief(pilot)
        assert isinstance(h.app.screen, DebriefScreen)
        assert h.actions() == []


async def test_quit_asks_first_and_the_journal_is_complete(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await start(h, pilot, 120)
        await say(pilot, "u", "Sorry, we are on it.")
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(h.app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(h.app.screen, ConsoleScreen)
        h.clock.set_speed(5)  # played at 5x: the resume command keeps the speed
        assert h.app.resume_command(h.journal) == f"stormdrill play --resume {h.journal} --speed 5"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert h.app.return_code == 0
    assert [a["text"] for a in h.actions()] == ["Sorry, we are on it."]


async def test_resume_continues_the_session(harness: Make) -> None:
    first = harness()
    async with first.app.run_test(size=(120, 40)) as pilot:
        await start(first, pilot, 300)
        await say(pilot, "u", "Sorry, we are on it. Next update at 09:15.")
        await pilot.pause()
        await pilot.press("ctrl+q", "y")
        await pilot.pause()
    again = harness(scenario=None, resume=first.journal)
    async with again.app.run_test(size=(120, 40)) as pilot:
        await loaded(again, pilot)
        assert isinstance(again.app.screen, BriefingScreen) and again.app.screen.resumed
        await pilot.press("enter")
        await pilot.pause()
        console = again.app.screen
        assert isinstance(console, ConsoleScreen)
        assert "Next update at 09:15" in text_of(console.query_one("#channel", ChannelView))
        assert again.app.game is not None and again.app.game.now >= 300


async def test_every_key_is_in_the_command_palette(harness: Make) -> None:
    """Every command of the console and its feed (commands.py) is in the palette, with its key."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot)
        console.set_focus(console.query_one(FeedView))
        await pilot.pause()
        titles = [c.title for c in h.app.get_system_commands(console)]
        expected = [
            c
            for c in commands.COMMANDS
            if c.scope in ("console", "feed") and c.palette and c.action != "to_feed"  # esc: only while typing
        ]
        assert len(expected) > 15
        for c in expected:
            assert f"{c.description} ({commands.shown(c.id)})" in titles, c.id
        assert not any(t.startswith("Next unanswered") for t in titles)  # its own provider lists it


async def test_play_again_and_progress_over_sessions(harness: Make) -> None:
    """From the debrief, `r` starts a new session of the same scenario (new journal, clock back at 0);
    the second debrief shows the progress over both sessions; `p` goes to the picker."""
    h = harness()
    h.app.options.history = link = LocalHistory()  # the results store, in this test's data folder
    async with h.app.run_test(size=(120, 40)) as pilot:
        await start(h, pilot, 120)
        await h.finish(pilot)
        first = h.app.screen
        assert isinstance(first, DebriefScreen)
        assert not first.query("#progress")  # one session: nothing to compare yet
        await pilot.press("r")
        await loaded(h, pilot)
        assert isinstance(h.app.screen, BriefingScreen)
        game = h.app.game
        assert game is not None and game.journal_path != h.journal and game.now == 0
        await pilot.press("enter")
        await pilot.pause()
        await h.at(pilot, 60)
        await say(pilot, "u", "We're so sorry: stores are closed. Next update at 09:15.")
        await pilot.pause()
        await h.finish(pilot)
        second = h.app.screen
        assert isinstance(second, DebriefScreen)
        assert second.card.total > first.card.total
        progress = text_of(second.query_one("#progress"))
        assert "2 sessions" in progress and "a new best" in progress
        assert h.app.screen_stack == [second]  # each debrief is a fresh mode: retries do not pile screens up
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(h.app.screen, PickerScreen)
    link.close()
    lines = h.journal.read_text(encoding="utf-8").splitlines()
    assert not any("Next update at 09:15" in line for line in lines)  # the first journal is untouched


async def test_plan_editor_is_typed_with_tab_and_ctrl_n(harness: Make) -> None:
    """The plan is written with the keyboard alone: Tab from the summary reaches step 1's fields,
    ctrl+n adds a step and puts the cursor in it."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await start(h, pilot, 600)
        editor = await open_plan(h, pilot)
        await pilot.press(*"No dough.", "tab")
        await pilot.press(*"Clear backlog", "tab", *"Ops", "tab", *"by 18:00")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert len(editor.query(".step")) == 4
        await pilot.press(*"Refund", "tab", *"Care", "tab", *"5 days")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(h.app.screen, ConsoleScreen)
        [action] = h.actions()
        assert action["steps"] == [
            {"what": "Clear backlog", "who": "Ops", "when": "by 18:00"},
            {"what": "Refund", "who": "Care", "when": "5 days"},
        ]


async def test_keys_arriving_together_land_in_the_right_fields(harness: Make) -> None:
    """A fast typist (or keys a terminal delivers in one read): the text after tab goes to the next
    field, not to the one being left."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await start(h, pilot, 600)
        editor = await open_plan(h, pilot)
        burst(h, [*"Stores closed", "tab", *"Reopen", "tab", *"Ops", "shift+tab", "tab", "tab", *"today"])
        await pilot.pause()
        await pilot.pause()
        draft = editor.collect()
        assert draft.text == "Stores closed"
        assert draft.steps[0] == PlanStep("Reopen", "Ops", "today")


async def test_console_keys_arriving_together_are_handled_in_order(harness: Make) -> None:
    """Keys queued while the app is busy (a storm redrawing) or typed fast: "u" then text types the
    text ("e" in it does not end the session), and "k r" replies to the post "k" moved to."""
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot, 120)
        feed = console.query_one(FeedView)
        console.set_focus(feed)
        await pilot.pause()
        burst(h, ["u", *"We are here, reading everything."])
        await pilot.pause()
        await pilot.pause()
        assert isinstance(h.app.screen, ConsoleScreen)
        composer = console.query_one(Composer)
        assert composer.mode == "update" and composer.text == "We are here, reading everything."
        burst(h, ["escape"])
        await pilot.pause()
        composer.clear()
        feed.select(feed.posts[feed.rows[-1]].id)
        await pilot.pause()
        above = feed.posts[feed.rows[-2]]
        burst(h, ["k", "r", *"Hi"])
        await pilot.pause()
        await pilot.pause()
        assert composer.mode == "reply" and composer.post_id == above.id and composer.text == "Hi"


async def test_text_typed_while_the_plan_editor_opens_is_kept(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot, 600)
        console.set_focus(console.query_one(FeedView))
        await pilot.pause()
        burst(h, ["a", *"Fast typist"])  # all queued before the editor has mounted
        await pilot.pause()
        await pilot.pause()
        editor = h.app.screen
        assert isinstance(editor, PlanEditor)
        assert editor.collect().text == "Fast typist"


async def test_the_composer_names_only_the_target_the_trainee_chose(harness: Make) -> None:
    """Moving through the feed never retargets the composer: after a reply is sent (or when an empty
    reply's post is no longer selected) it names nobody, and text sent then is refused until r, u
    or m says what it is; a draft stays with its post and says it is not the selected one."""
    h = harness()
    async with h.app.run_test(size=(120, 40), notifications=True) as pilot:
        console = await start(h, pilot, 200)
        feed = console.query_one(FeedView)
        composer = console.query_one(Composer)
        head = composer.query_one("#composer-head")
        assert composer.mode == "idle" and "@" not in text_of(head)  # nobody chosen yet
        feed.screen.set_focus(feed)
        feed.select("p_dan")
        await say(pilot, "r", "Dan, I'm so sorry. Please DM us your order number.")
        await pilot.pause()
        assert composer.mode == "idle" and composer.post_id is None
        feed.select("p_allergy")
        await pilot.pause()
        assert composer.post_id is None and "@priyanair_" not in text_of(head)
        composer.screen.set_focus(composer.query_one(TextArea))
        await say(pilot, None, "Priya, our dough recipe has not changed.")
        await pilot.pause()
        assert [a["post"] for a in h.actions()] == ["p_dan"]  # refused: nothing was chosen
        assert any("Choose what this is first" in str(n.message) for n in h.app._notifications)
        feed.screen.set_focus(feed)
        await pilot.press("r")  # now it is chosen: the selected post
        assert composer.post_id == "p_allergy" and "@priyanair_" in text_of(head)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [a["post"] for a in h.actions()] == ["p_dan", "p_allergy"]
        feed.select("p_dan")
        await say(pilot, "r", "Draft for Dan", send=False)
        feed.screen.set_focus(feed)
        feed.select("p_allergy")
        await pilot.pause()
        assert composer.post_id == "p_dan" and "@danwhitfield" in text_of(head)
        assert "not the selected post" in text_of(composer.query_one("#composer-count"))
        composer.clear()
        feed.select("p_dan")
        await pilot.press("r")
        assert composer.post_id == "p_dan"
        feed.screen.set_focus(feed)
        feed.select("p_allergy")  # an empty reply whose post is no longer selected names nobody
        await pilot.pause()
        assert composer.mode == "idle" and "@danwhitfield" not in text_of(head)


async def test_the_mouse_selects_posts_and_switches_tabs(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot, 200)
        feed = console.query_one(FeedView)
        assert len(feed.rows) >= 3
        # Click the second post's first line (each post takes two lines; the feed has a border).
        await pilot.click(FeedView, offset=(6, 1 + 2 * 1 - feed.scroll_offset.y))
        await pilot.pause()
        assert console.selected is feed.posts[feed.rows[1]]
        assert feed.cursor == 1
        await pilot.click("#tabs Tab#--content-tab-tab-briefings")
        await pilot.pause()
        assert console.query_one(TabbedContent).active == "tab-briefings"
        await pilot.click("#tabs Tab#--content-tab-tab-channel")
        await pilot.pause()
        assert console.query_one(TabbedContent).active == "tab-channel"


@pytest.mark.parametrize("scenario", [f.stem for f in library_files() if f.stem != "stress"])
async def test_every_shipped_scenario_plays_to_its_debrief(harness: Make, scenario: str) -> None:
    """Each library scenario: half its storm arrives in one tick, a reply goes out, the rest arrives,
    and the session ends by itself in a debrief."""
    h = harness(scenario)
    async with h.app.run_test(size=(100, 30)) as pilot:
        console = await start(h, pilot, 60)
        duration = h.game.scenario.duration
        h.clock.set(duration / 2)
        h.app.tick()
        await pilot.pause()
        feed = console.query_one(FeedView)
        assert len(feed.rows) > 10
        console.set_focus(feed)
        await pilot.press("k")
        await say(pilot, "r", "We're so sorry. We're on it and will update here in 10 minutes.")
        await pilot.pause()
        assert [a["kind"] for a in h.actions()] == ["reply"]
        h.clock.set(duration + 1)
        h.app.tick()
        await h.debrief(pilot)
        debrief = h.app.screen
        assert isinstance(debrief, DebriefScreen)
        # One vague reply in a whole storm can score 0 (silence towards everyone else counts), so the
        # debrief is checked for the reply it judged, not for a positive total.
        assert 0 <= debrief.card.total <= 100
        assert [r.kind for r in debrief.card.replies] == ["reply"]
        assert "update here in 10 minutes" in text_of(debrief.query_one("#replies"))


async def test_in_real_time_a_reply_is_judged_in_a_worker_then_sent(
    harness: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the real clock the judge runs off the UI thread; the text is sent with that judgement."""
    from sim.tui.game import Game

    monkeypatch.setattr(Game, "judges_ahead", property(lambda self: True))
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await start(h, pilot)
        feed = console.query_one(FeedView)
        feed.select("p_dan")
        await say(pilot, "r", "Dan, I'm so sorry. Your refund for CP-448210 is on its way today.")
        await h.app.workers.wait_for_complete()
        await pilot.pause()
        [action] = h.actions()
        assert action["post"] == "p_dan" and "refund" in str(action["text"])
        judgement = action.get("judgement")
        assert isinstance(judgement, dict) and judgement["score"] >= 0
        assert h.app.game is not None and h.app.game.session._judged_ahead
        assert console.query_one(TextArea).text == ""  # cleared once the journal had it
