"""The facilitator's console: the room's live roster and its clock.

The roster (who joined, how far each is, live score, current silence, last action) is read from
the results store every second, so it shows participants on every serve host sharing the store.
Start, pause, resume and end change the workshop's state in the store; every participant's app
follows it within a second. A post written here is pushed to everyone at the room's current time.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from sim.scenario.patterns import format_time

from .store import RosterRow, Store, StoreError, WorkshopInfo

MAX_POST = 280
SEEN_STALE = 10.0  # seconds without a heartbeat: the participant's tab is probably closed


class PushScreen(ModalScreen[tuple[str, str] | None]):
    """Write a post to push to everyone: who posts it and what it says."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PushScreen { align: center middle; }
    PushScreen > Vertical { width: 80%; max-width: 90; height: auto; border: thick $accent; padding: 1 2;
        background: $surface; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Push a post to everyone, now. Who posts it (a @handle):")
            yield Input(value="@localnews", id="push-handle", max_length=40)
            yield Label("What it says (enter to push, escape to cancel):")
            yield Input(placeholder="Is it true you knew about this for a week?", id="push-text", max_length=MAX_POST)
            yield Static("", id="push-error")

    def on_mount(self) -> None:
        self.query_one("#push-text", Input).focus()

    @on(Input.Submitted, "#push-handle")
    def handle_done(self) -> None:
        self.query_one("#push-text", Input).focus()

    @on(Input.Submitted, "#push-text")
    def submitted(self) -> None:
        handle = " ".join(self.query_one("#push-handle", Input).value.split())
        text = self.query_one("#push-text", Input).value.strip()
        if not text:
            self.query_one("#push-error", Static).update(Content("Write the post first."))
            return
        handle = handle if handle.startswith("@") else "@" + (handle or "facilitator")
        self.dismiss((handle.replace(" ", "_"), text))

    def action_cancel(self) -> None:
        self.dismiss(None)


class EndScreen(ModalScreen[bool]):
    BINDINGS = [Binding("ctrl+e", "yes", "End now"), Binding("n,escape", "no", "Keep going")]
    DEFAULT_CSS = """
    EndScreen { align: center middle; }
    EndScreen > Static { width: 70; height: auto; border: thick $warning; padding: 1 2; background: $surface; }
    """

    def compose(self) -> ComposeResult:
        yield Static(
            Content(
                "End the exercise for everyone now? Every session ends and is scored.\n\n"
                "ctrl+e: end now    n: keep going"
            )
        )

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


def _ago(when: datetime | None) -> float | None:
    return None if when is None else (datetime.now(UTC) - when).total_seconds()


def roster_cells(row: RosterRow, duration: float) -> tuple[Text, ...]:
    seen = _ago(row.last_seen)
    if row.finished is not None:
        status = Text("finished", style="green")
    elif seen is None or seen > SEEN_STALE:
        status = Text("away", style="dim")
    else:
        status = Text("playing")
    score = row.total if row.total is not None else row.live_score
    silence = "" if row.silence is None else format_time(row.silence)
    loud = row.silence is not None and row.silence > 900 and row.finished is None
    return (
        Text(row.name),
        Text(row.joined.strftime("%H:%M")),
        Text(f"{min(100.0, 100 * row.progress / duration if duration else 0):.0f}%", justify="right"),
        Text("-" if score is None else f"{score:.0f}", justify="right"),
        Text(silence or "none yet", style="bold red" if loud else ""),
        Text(f"{row.actions}", justify="right"),
        Text(row.last_action),
        status,
    )


class FacilitatorApp(App[None]):
    TITLE = "Stormdrill workshop: facilitator"
    BINDINGS = [
        Binding("s", "start", "Start"),
        Binding("p", "pause", "Pause / resume"),
        Binding("n", "push", "Push a post"),
        Binding("e", "end", "End"),
        Binding("q,ctrl+q", "quit", "Quit"),
    ]
    DEFAULT_CSS = """
    #room { height: auto; padding: 0 1; background: $boost; }
    #roster { height: 1fr; }
    """

    def __init__(self, store: Store, workshop_id: str, *, live: bool = True) -> None:
        super().__init__()
        self.store = store
        self.workshop_id = workshop_id
        self.live = live
        self.info: WorkshopInfo | None = store.workshop(workshop_id)
        self.rows: list[RosterRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="room")
        yield DataTable(id="roster", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Trainee", "Joined", "Progress", "Score", "Silence", "Sent", "Last action", "")
        if self.info is not None:
            self.sub_title = f"{self.info.scenario_title} · workshop {self.info.id[:8]}"
        self.refresh_roster()
        if self.live:
            self.set_interval(1.0, self.refresh_roster)

    @work(thread=True, exclusive=True, group="roster", exit_on_error=False)
    def refresh_roster(self) -> None:
        try:
            info = self.store.workshop(self.workshop_id)
            rows = self.store.roster(self.workshop_id)
        except StoreError:
            return
        self.call_from_thread(self._show, info, rows)

    def _show(self, info: WorkshopInfo | None, rows: list[RosterRow]) -> None:
        self.info, self.rows = info, rows
        if info is None:
            return
        clock = info.clock()
        playing = sum(1 for r in rows if r.finished is None and (_ago(r.last_seen) or 1e9) <= SEEN_STALE)
        hint = {
            "waiting": "press s to start the clock for everyone",
            "running": "p pauses everyone, n pushes a post, e ends",
            "paused": "p resumes everyone",
            "ended": "the exercise is over: `stormdrill workshop report --html FILE` for the debrief",
        }[info.state]
        self.query_one("#room", Static).update(
            Content.assemble(
                (info.state.upper(), "bold $warning" if info.state != "running" else "bold $success"),
                f"   scenario time {format_time(clock)} of {format_time(info.duration)}",
                f"   ·   {len(rows)} joined, {playing} playing   ·   ",
                (hint, "dim"),
            )
        )
        table = self.query_one(DataTable)
        table.clear()
        for row in rows:
            table.add_row(*roster_cells(row, info.duration), key=str(row.session_id))

    def _control(self, what: str) -> None:
        try:
            info = self.store.control(self.workshop_id, what)
        except StoreError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self._show(info, self.rows)
        self.refresh_roster()

    def action_start(self) -> None:
        if self.info is not None and self.info.state == "waiting":
            self._control("start")
        elif self.info is not None and self.info.state == "paused":
            self._control("resume")

    def action_pause(self) -> None:
        if self.info is None:
            return
        self._control("pause" if self.info.state == "running" else "resume")

    def action_push(self) -> None:
        def pushed(post: tuple[str, str] | None) -> None:
            if post is None:
                return
            try:
                p = self.store.push_post(self.workshop_id, post[1], post[0])
            except StoreError as exc:
                self.notify(str(exc), severity="error", markup=False)
                return
            self.notify(f"Pushed to everyone at {format_time(p.t)}: {p.text}", markup=False)

        self.push_screen(PushScreen(), pushed)

    def action_end(self) -> None:
        def answer(yes: bool | None) -> None:
            if yes:
                self._control("end")

        self.push_screen(EndScreen(), answer)
