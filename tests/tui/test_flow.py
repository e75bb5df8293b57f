"""The console's flow as the best Textual apps do it: slow work off the UI thread, screens told what
changed instead of polling, modes, and what a trainee tripped over. State is set up through the
game (the engine), not keystrokes, wherever the keys are not what is tested."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.containers import Vertical
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, TabbedContent, TextArea

from sim.progress import Attempt, make_attempt
from sim.store import data_dir
from sim.tui.game import Game
from sim.tui.screens.briefing import BriefingScreen
from sim.tui.screens.confirm import EndConfirmScreen
from sim.tui.screens.console import ConsoleScreen
from sim.tui.screens.debrief import DebriefScreen
from sim.tui.screens.picker import Entry, PickerScreen, load_library
from sim.tui.screens.plan import PlanEditor
from sim.tui.widgets.composer import Composer
from sim.tui.widgets.feed import FeedView
from sim.tui.widgets.panels import StatusBar
from sim.workshop.history import LocalHistory
from sim.workshop.store import open_store
from tests.tui.conftest import Harness

Make = Callable[..., Harness]


def text_of(widget: object) -> str:
    return str(getattr(widget, "content", "") or getattr(widget, "renderable", ""))


def shown(widget: Widget) -> str:
    """The first line of a one-line widget as drawn (what fits on screen, not what it holds)."""
    size = widget.outer_size
    strips = widget.render_lines(Region(0, 0, size.width, size.height))
    return strips[0].text if strips else ""


async def playing(h: Harness, pilot: Pilot[None], t: float = 200) -> ConsoleScreen:
    await h.app.wait_loaded()
    await pilot.pause()
    h.app.on_briefing_screen_start()  # what Enter on the briefing does
    await pilot.pause()
    await h.at(pilot, t)
    console = h.app.screen
    assert isinstance(console, ConsoleScreen)
    return console


def send(h: Harness, console: ConsoleScreen, mode: str, text: str, post: str | None = None) -> None:
    """Send through the game, as the composer would, and let the console show it."""
    ok, reason = console.game.send(mode, text, post)
    assert ok, reason
    console._game_changed()


def visible(widget: Widget) -> Region:
    """The part of ``widget`` on screen (its region clipped by every container it is in)."""
    region = widget.region
    for parent in widget.ancestors:
        if isinstance(parent, Widget) and parent.region.area:
            region = region.intersection(parent.region)
    return region


def toasts(h: Harness) -> list[Widget]:
    return list(h.app.screen.query("Toast"))


# ---------------------------------------------------------------------------- nothing freezes
async def test_scoring_and_loading_run_off_the_ui_thread(harness: Make, monkeypatch: pytest.MonkeyPatch) -> None:
    where: dict[str, str] = {}
    score, library = Game.score, load_library

    def scored(self: Game) -> object:
        where["score"] = threading.current_thread().name
        return score(self)

    def loaded() -> list[Entry]:
        where["library"] = threading.current_thread().name
        return library()

    monkeypatch.setattr(Game, "score", scored)
    monkeypatch.setattr("sim.tui.screens.picker.load_library", loaded)
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await playing(h, pilot, 60)
        await h.finish(pilot)
        assert isinstance(h.app.screen, DebriefScreen)
        await pilot.press("p")  # the picker: its library was not loaded yet
        await h.until(pilot, lambda: "library" in where, "the library")
    main = threading.main_thread().name
    assert where["score"] != main and where["library"] != main


async def test_the_screens_are_told_what_changed_and_do_not_poll(
    harness: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ticks that change nothing but the clock ask the game for nothing else; an action publishes
    your channel once."""
    asked: list[str] = []
    for name in ("channel", "briefings", "answers_to", "thread"):
        original = getattr(Game, name)

        def counting(
            self: Game, *args: object, _name: str = name, _original: Callable[..., object] = original, **kw: object
        ) -> object:
            asked.append(_name)
            return _original(self, *args, **kw)

        monkeypatch.setattr(Game, name, counting)
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await playing(h, pilot, 60)
        await pilot.pause()
        asked.clear()
        for t in range(61, 80):  # posts arrive, the clock moves: no briefing, no action
            h.clock.set(t)
            h.app.tick()
        await pilot.pause()
        assert asked == []
        send(h, console, "update", "We're so sorry: many stores are closed. Next update at 09:20.")
        await pilot.pause()
        assert asked.count("channel") == 2  # public and private, once each
        assert "09:01" in text_of(console.query_one("#status", StatusBar))  # the clock was published with the rest


# ---------------------------------------------------------------------------- what a trainee tripped over
async def test_the_status_bar_runs_on_while_the_plan_editor_is_open(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await playing(h, pilot, 120)
        send(h, console, "update", "We're so sorry: many stores are closed. Next update at 09:10.")
        await pilot.press("a")
        await pilot.pause()
        editor = h.app.screen
        assert isinstance(editor, PlanEditor)
        assert "09:02" in text_of(editor.query_one(StatusBar))
        await h.at(pilot, 300)  # scenario time runs on while the trainee writes the plan
        bar = text_of(editor.query_one(StatusBar))
        assert "09:05" in bar and "Silent for 3m00s" in bar and "due in 5m00s" in bar
        assert "09:05" in text_of(console.query_one("#status", StatusBar))  # and under it, too


@pytest.mark.parametrize("width", [80, 140, 200])
async def test_the_debrief_evidence_shows_every_column(harness: Make, width: int) -> None:
    h = harness()
    async with h.app.run_test(size=(width, 40)) as pilot:
        console = await playing(h, pilot, 120)
        send(h, console, "reply", "Dan, I'm so sorry. Please DM us your order number.", "p_dan")
        await h.finish(pilot)
        debrief = h.app.screen
        assert isinstance(debrief, DebriefScreen)
        debrief.query_one(TabbedContent).active = "tab-evidence"
        await pilot.pause()
        table = debrief.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()][:3] == ["time", "part", "points"]
        assert table.row_count == len(debrief.card.evidence) > 3
        assert table.virtual_size.width <= table.scrollable_content_region.width  # nothing off-screen
        assert table.region.right <= width


async def test_notifications_stay_on_their_screen_and_off_what_matters(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(80, 24), notifications=True) as pilot:
        console = await playing(h, pilot, 120)
        await pilot.press("u")
        console.query_one(Composer).query_one(TextArea).insert("We're so sorry. Next update at 09:10.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        [toast] = toasts(h)
        for important in ("#status", "Footer", "#feed", "#composer"):
            assert not toast.region.overlaps(visible(console.query_one(important))), important
        await pilot.press("escape", "e")  # the end dialog: the console's notification is gone
        await pilot.pause()
        dialog = h.app.screen
        assert isinstance(dialog, EndConfirmScreen)
        assert not h.app._notifications and not toasts(h) and not console.query("Toast")
        h.app.notify("A notification over the dialog")
        await pilot.pause()
        [toast] = toasts(h)
        assert not toast.region.overlaps(dialog.query_one(Vertical).region)
        await pilot.press("ctrl+e")
        await h.debrief(pilot)
        assert not h.app._notifications and not toasts(h)  # nothing carried over onto the debrief
        await pilot.press("j")  # export: said on its own line, over nothing
        await h.app.workers.wait_for_complete()
        await pilot.pause()
        assert not toasts(h)
        note = h.app.screen.query_one("#debrief-note")
        assert f"Score card written: {h.journal.with_suffix('.score.json')}" in text_of(note)
        for important in ("#figures", "#debrief-scores", "Footer"):
            assert not note.region.overlaps(visible(h.app.screen.query_one(important))), important


async def test_at_80x24_the_composer_keeps_the_handle_and_the_status_bar_the_times(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(80, 24)) as pilot:
        console = await playing(h, pilot, 200)
        send(h, console, "update", "We're so sorry: many stores are closed. Next update at 09:20.")
        await h.at(pilot, 260)
        feed = console.query_one(FeedView)
        handle = "@suzanne_holt7686"  # the longest handle delivered by now
        post = next(p for p in feed.posts if p.handle == handle)
        feed.focus()
        feed.select(post.id)
        await pilot.press("r")
        await pilot.pause()
        assert handle in shown(console.query_one("#composer-head"))
        bar = shown(console.query_one("#status", StatusBar))
        assert "09:04" in bar and "Silent 1m00s" in bar and "in 15m40s" in bar  # clock, silence, promise


def _kept(trainee: str, scenario: str, total: float) -> Attempt:
    """A finished session as the results store keeps it (played another day, or imported)."""
    card = {"scenario": scenario, "total": total, "speed": {"score": total}, "tone": {"score": total}}
    data = f"{trainee} {scenario} {total}".encode()
    return make_attempt(Path(f"{trainee}.jsonl"), data, card, trainee=trainee, started="", finished=datetime.now(UTC))


async def picker_best(h: Harness, pilot: Pilot[None]) -> dict[str, str]:
    """The picker's "Your best" column, by scenario title, once the library and the history are read."""
    await h.until(pilot, lambda: isinstance(h.app.screen, PickerScreen) and bool(h.app.screen.entries), "the library")
    picker = h.app.screen
    assert isinstance(picker, PickerScreen)
    table = picker.query_one(DataTable)
    await h.until(pilot, lambda: table.row_count == len(picker.entries) and not table.loading, "the rows")
    await h.app.workers.wait_for_complete()  # the history is read in a worker
    await pilot.pause()
    return {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[5]) for i in range(table.row_count)}


async def test_your_best_is_each_trainees_own_from_the_results_store(harness: Make) -> None:
    """Two trainees on one machine: the picker's "Your best" is the current trainee's best, read from
    the results store the debrief keeps sessions in, and never another trainee's."""
    with closing(open_store()) as store:  # Bob's sessions of another day
        store.add_attempts([_kept("Bob", "kitchen-cam", 99), _kept("Bob", "empty-ovens", 97)])
    tess = harness()
    tess.app.options.history = link = LocalHistory()
    async with tess.app.run_test(size=(120, 40)) as pilot:
        console = await playing(tess, pilot, 60)
        send(tess, console, "update", "We're so sorry: stores are closed. Next update at 09:15.")
        await tess.finish(pilot)
        debrief = tess.app.screen
        assert isinstance(debrief, DebriefScreen)
        total = debrief.card.total
        assert 0 < total < 97  # one update: not Bob's score
        await pilot.press("p")
        best = await picker_best(tess, pilot)
        assert best["Empty Ovens"] == f"{total:.0f}" and best["Kitchen Cam"] == "-"  # Tess's own, not Bob's
    link.close()

    bob = harness(scenario=None)
    bob.app.options.trainee = "bob"  # names match whatever their case
    bob.app.options.history = link = LocalHistory()
    async with bob.app.run_test(size=(120, 40)) as pilot:
        await bob.app.wait_loaded()
        best = await picker_best(bob, pilot)
        assert best["Empty Ovens"] == "97" and best["Kitchen Cam"] == "99"  # Bob's, not Tess's
    link.close()
    assert not (data_dir() / "results.jsonl").exists()  # the old file every trainee shared is gone


async def test_the_picker_opens_on_the_path_for_a_newcomer(harness: Make) -> None:
    h = harness(scenario=None)
    h.app.options.trainee = "Zed"
    h.app.options.history = link = LocalHistory()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await h.app.wait_loaded()
        best = await picker_best(h, pilot)
        assert set(best.values()) == {"-"}  # nothing of Tess's or Bob's from the other tests
        picker = h.app.screen
        assert isinstance(picker, PickerScreen)
        levels = [e.scenario.difficulty for e in picker.entries if e.scenario]
        assert levels == sorted(levels, key=["intro", "standard", "hard"].index)  # the learning path
        first = picker.entries[picker.query_one(DataTable).cursor_row].scenario
        assert first is not None and first.difficulty == "intro"  # not the hardest
    link.close()


async def test_briefings_are_new_until_read(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await playing(h, pilot, 200)  # the cause is confirmed at 09:03
        tabs = console.query_one(TabbedContent)
        view = console.query_one("#briefings")
        assert "NEW" in text_of(view) and str(tabs.get_tab("tab-briefings").label) == "Briefings (1 new)"
        await pilot.press("b")  # read them
        await pilot.pause()
        assert "NEW" not in text_of(view) and str(tabs.get_tab("tab-briefings").label) == "Briefings"
        await pilot.press("b")
        await h.at(pilot, 400)
        assert "NEW" not in text_of(view) and str(tabs.get_tab("tab-briefings").label) == "Briefings"


async def test_public_posts_and_private_messages_are_apart(harness: Make) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        console = await playing(h, pilot, 200)
        send(h, console, "reply", "Priya, no recipe has changed; allergens are as listed.", "p_allergy")
        send(h, console, "private", "Dan, please send us your order number here.", "p_dan")
        send(h, console, "update", "We're so sorry: many stores are closed. Next update at 09:20.")
        await pilot.pause()
        public, private = text_of(console.query_one("#channel")), text_of(console.query_one("#private"))
        assert "public reply to @priyanair_" in public and "allergens" in public
        assert "public update" in public and "many stores" in public
        assert "order number" not in public
        assert "private message to @danwhitfield" in private and "order number" in private
        assert "allergens" not in private and "many stores" not in private
        assert str(console.query_one(TabbedContent).get_tab("tab-private").label) == "Private (1)"


async def test_a_resumed_briefing_says_where_you_are(harness: Make, tmp_path: Path) -> None:
    first = harness()
    async with first.app.run_test(size=(120, 40)) as pilot:
        console = await playing(first, pilot, 300)
        send(first, console, "update", "We're so sorry: many stores are closed. Next update at 09:15.")
        send(first, console, "reply", "Dan, I'm so sorry. Please DM us your order number.", "p_dan")
        console.game.close()
    again = harness(scenario=None, resume=first.journal)
    async with again.app.run_test(size=(120, 40)) as pilot:
        await again.app.wait_loaded()
        await pilot.pause()
        briefing = again.app.screen
        assert isinstance(briefing, BriefingScreen) and briefing.resumed
        where = text_of(briefing.query_one("#briefing-resume"))
        assert "It is 09:05 in the scenario: 5m played, 25m to go" in where
        assert "1 public reply, 1 public update; no action plan yet" in where
        assert "You promised an update at 09:15 (due in 10m00s)" in where
        assert "not answered" in where
        assert "Cause confirmed" in text_of(briefing.query_one("#briefing-facts"))  # what you know by now


async def test_quitting_from_the_debrief_says_where_the_journal_and_report_are(
    harness: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    h = harness()
    async with h.app.run_test(size=(120, 40)) as pilot:
        await playing(h, pilot, 120)
        await h.finish(pilot)
        assert f"Make a report with: stormdrill report {h.journal}" in h.app.farewell()
        await pilot.press("h")  # export the HTML report
        await h.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    printed = capsys.readouterr().err  # printed once the terminal is back
    assert f"Your journal: {h.journal}" in printed
    assert f"Your report: {h.journal.with_suffix('.html')}" in printed and "Make a report" not in printed
    assert h.journal.with_suffix(".html").exists()


async def test_typing_on_when_the_storm_ends_runs_no_debrief_command(harness: Make) -> None:
    """The storm ends mid-word: the rest of the word must not open the picker ("p") or export ("h", "j").
    The debrief says what was not sent, and its keys work once the typing stops."""
    h = harness()
    async with h.app.run_test() as pilot:
        console = await playing(h, pilot, 200)
        console.query_one(Composer).open("update")
        await pilot.press(*"Next update at 09")
        await pilot.pause()
        h.app.finish()  # what the clock does at the end of the storm
        await h.debrief(pilot)
        debrief = h.app.screen
        assert isinstance(debrief, DebriefScreen)
        assert "Not sent: Next update at 09" in text_of(debrief.query_one("#debrief-note"))
        for _ in range(3):  # still typing: each key holds the commands a little longer
            await pilot.press("p", "h", "j")
            await pilot.pause(0.3)
        assert h.app.current_mode == "debrief" and h.app.screen is debrief and not h.app.exports
        await pilot.pause(DebriefScreen.TYPING_PAUSE + 0.2)  # the typing has stopped
        await pilot.press("p")
        await h.until(pilot, lambda: h.app.current_mode == "picker", "the picker")


async def test_a_session_ended_without_typing_takes_debrief_keys_at_once(harness: Make) -> None:
    h = harness()
    async with h.app.run_test() as pilot:
        await playing(h, pilot, 200)
        await h.finish(pilot)
        assert "Not sent" not in text_of(h.app.screen.query_one("#debrief-note"))
        await pilot.press("p")
        await h.until(pilot, lambda: h.app.current_mode == "picker", "the picker")
