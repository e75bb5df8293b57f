"""The trainee console in a workshop: a login screen (join code and name) before the usual
briefing -> console -> debrief, the room's clock, and no way to open other files or scenarios.

It hooks into :class:`sim.tui.app.StormdrillApp` from outside: the login screen comes first, the
game gets the room through ``GameOptions.room`` and ``GameOptions.allow_open_file`` is off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, Static

from sim.tui.app import StormdrillApp
from sim.tui.options import GameOptions

from .backoff import Backoff
from .room import Joined, JoinRefused, Room, join, release
from .store import Store, StoreError

STATE_NOTES = {
    "running": ("The facilitator started the clock. The storm is on.", "information"),
    "paused": ("The facilitator paused the exercise for everyone.", "warning"),
    "ended": ("The facilitator ended the exercise.", "warning"),
}


class LoginScreen(Screen[None]):
    """Ask for the workshop's join code and the participant's name."""

    TITLE = "Stormdrill workshop"
    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen #login { width: 64; height: auto; border: thick $accent; padding: 1 2; background: $surface; }
    LoginScreen Input { margin-bottom: 1; }
    LoginScreen #login-message { height: auto; min-height: 2; }
    LoginScreen #login-message.-error { color: $error; }
    """
    BINDINGS = [Binding("ctrl+q", "app.quit", "Quit", id="login.quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="login"):
            yield Static(Content.assemble(("Join the workshop", "bold"), "\n"), id="login-title")
            yield Label("Join code (from your facilitator)")
            yield Input(placeholder="e.g. K7QM-3XPR", id="code", max_length=40)
            yield Label("Your name (as the facilitator will see it)")
            yield Input(placeholder="first name and initial", id="name", max_length=40)
            yield Button("Join", variant="primary", id="join")
            yield Static("", id="login-message")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    def code_done(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    @on(Button.Pressed, "#join")
    def submit(self) -> None:
        code = self.query_one("#code", Input).value
        name = self.query_one("#name", Input).value
        self.busy(True)
        self.say("Checking ...")
        app = self.app
        assert isinstance(app, WorkshopApp)
        app.try_join(code, name)

    def busy(self, on: bool) -> None:
        self.query_one("#join", Button).disabled = on

    def say(self, text: str, *, error: bool = False) -> None:
        msg = self.query_one("#login-message", Static)
        msg.update(Content(text))
        msg.set_class(error, "-error")


class WorkshopApp(StormdrillApp):
    """The trainee console of one workshop (``stormdrill workshop serve`` runs one per browser tab)."""

    TITLE = "Stormdrill workshop"

    def __init__(self, store_url: str | None, workshop_id: str | None = None, *, auto_tick: bool = True) -> None:
        options = GameOptions(record_results=False, allow_open_file=False)
        super().__init__(options, scenario=None, auto_tick=auto_tick)
        self.store_url = store_url
        self.workshop_id = workshop_id
        self.store: Store | None = None
        self.room: Room | None = None
        self.joined: Joined | None = None
        self.backoff = Backoff()
        self.poll_every = 1.0

    # ------------------------------------------------------------------ joining
    def get_default_screen(self) -> Screen[Any]:
        return LoginScreen()

    def on_mount(self, event: events.Mount) -> None:  # type: ignore[override]
        event.prevent_default()  # nothing loads before the participant has joined (not the app's own loading)
        self.prepare()

    @property
    def login(self) -> LoginScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, LoginScreen)), None)

    @work(thread=True, exclusive=True, group="join")
    def try_join(self, code: str, name: str) -> None:
        try:
            if self.store is None:
                self.store = Store(self.store_url, migrate=False)
            joined = join(self.store, code, name, self.backoff, self.workshop_id)
        except (JoinRefused, StoreError, ValueError) as exc:
            self.call_from_thread(self._refused, str(exc))
            return
        self.call_from_thread(self._joined, joined)

    def _refused(self, why: str) -> None:
        login = self.login
        if login is not None:
            login.say(why, error=True)
            login.busy(False)
        self._loaded.set()

    def _joined(self, joined: Joined) -> None:
        assert self.store is not None
        from sim.engine.events import EndEvent
        from sim.engine.journal import JournalEmpty, JournalError, read_journal

        self.joined = joined
        self.room = Room(self.store, joined.workshop, joined.seat)
        opts = self.options
        opts.trainee = joined.seat.name
        opts.seed = joined.workshop.seed
        opts.clock = self.room.clock
        opts.room = self.room
        journal = Path(joined.seat.journal)
        ended = False
        opts.resume = opts.journal = None
        if journal.is_file() and journal.stat().st_size:
            try:
                ended = any(isinstance(e, EndEvent) for e in read_journal(journal).events)
                opts.resume = journal
            except JournalEmpty:
                opts.journal = journal
            except JournalError as exc:
                self._refused(f"Your journal cannot be read ({exc}). Ask the facilitator.")
                return
        else:
            opts.journal = journal
        if ended:
            self._show_final(journal)
            return
        source = self._scenario_source()
        self.login.say(f"Welcome, {joined.seat.name}. Loading the scenario ...")  # type: ignore[union-attr]
        self.set_interval(self.poll_every, self._poll)
        if opts.resume is not None:
            self._load(None, self._load_id, startup=True)
        else:
            self._load(source, self._load_id)

    def _scenario_source(self) -> str:
        w = self.room.workshop if self.room else None
        assert w is not None
        return w.scenario_path if w.scenario_path and Path(w.scenario_path).is_file() else w.scenario

    def _failed(self, problems: list[Any], startup: bool, load_id: int) -> None:
        lines = [str(p) for p in problems[:3]] or ["the scenario cannot be opened"]
        self._refused("Cannot open the workshop's scenario: " + "; ".join(lines))

    @work(thread=True, exclusive=True, group="final")
    def _show_final(self, journal: Path) -> None:
        """A participant whose session is over comes back to their debrief."""
        from scoring import analyse
        from sim.engine.journal import read_journal
        from sim.scenario.library import resolve
        from sim.scenario.load import load_scenario
        from sim.tui.game import Scored

        j = read_journal(journal)
        card, rec = analyse(load_scenario(resolve(self._scenario_source())), j.header, j.events, j.warnings)
        self.call_from_thread(self._scored, Scored(card, rec, journal, []))

    # ------------------------------------------------------------------ the room
    def _poll(self) -> None:
        game = self.game
        if self.room is not None and game is not None:
            self.room.note(game.now, game.session.silence())
        self._poll_room()

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def _poll_room(self) -> None:
        room = self.room
        if room is None:
            return
        try:
            changed = room.poll(self._live_score)
        except StoreError:
            return  # the store is busy or away: the next poll tries again
        if changed:
            self.call_from_thread(self._room_changed, changed)

    def _live_score(self) -> float | None:
        """The score of the session so far (as if it ended now), for the facilitator's roster."""
        game = self.game
        if game is None or not game.started:
            return None
        from scoring import analyse
        from sim.engine.journal import read_journal

        j = read_journal(game.journal_path)
        # The session's own storm (frozen): expanding it again every 10 s cost CPU and memory churn.
        card = analyse(game.scenario, j.header, j.events, j.warnings, storm=game.session.storm)[0]
        return round(card.total, 1)

    def _room_changed(self, state: str) -> None:
        text, severity = STATE_NOTES.get(state, (f"The workshop is {state}.", "information"))
        self.notify(text, title="Workshop", severity=severity, timeout=6, markup=False)  # type: ignore[arg-type]
        game = self.game
        if state == "ended" and game is not None and not game.finished:
            if not game.started:
                game.begin()
            self.finish()

    # ------------------------------------------------------------------ what a workshop does not allow
    # Textual would run the app's own handlers after these: prevent_default stops it.
    def on_briefing_screen_back(self, event: Message) -> None:  # type: ignore[override]
        event.prevent_default()
        self.notify("This workshop plays one scenario.", markup=False)

    def on_debrief_screen_again(self, event: Message) -> None:  # type: ignore[override]
        event.prevent_default()
        self.notify("In a workshop everyone plays the storm once, together.", markup=False)

    def on_debrief_screen_scenarios(self, event: Message) -> None:  # type: ignore[override]
        event.prevent_default()
        self.notify("In a workshop everyone plays the storm once, together.", markup=False)

    def resume_command(self, journal: Path) -> str:
        return "join the workshop again with the same code and name"

    def on_unmount(self) -> None:
        if self.joined is not None:
            release(self.joined.lock)
