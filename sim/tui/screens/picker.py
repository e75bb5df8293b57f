"""The scenario picker: the shipped library on the learning path (intro first) with the trainee's own
best scores, and opening any file. The library and the trainee's history (the results store, through
the app's ``HistoryLink``) are read in a worker thread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from sim.progress import PathStep, Recommendation, best_totals, path_key, recommend
from sim.scenario.library import load_library as shipped
from sim.scenario.model import Scenario
from sim.scenario.patterns import format_time
from sim.scenario.text import clean_text
from sim.tui import commands
from sim.tui.options import HistoryLink


@dataclass
class Entry:
    path: Path
    scenario: Scenario | None
    problem: str = ""


def load_library() -> list[Entry]:
    """The shipped scenarios on the learning path: intro, then standard, then hard."""
    entries = [Entry(f, sc, clean_text(problem, visible=True) if problem else "") for f, sc, problem in shipped()]
    return sorted(entries, key=lambda e: (0, *path_key(e.scenario)) if e.scenario else (1, 0, e.path.stem, ""))


class PickerScreen(Screen[None]):
    """Pick a scenario from the library, or open any file."""

    TITLE = "Stormdrill"
    SUB_TITLE = "Pick a scenario"
    DEFAULT_CSS = "PickerScreen #path-next { height: auto; padding: 0 2; background: $boost; }"
    BINDINGS = commands.bindings("picker")  # enter is a priority key: over the table's own enter

    class Chosen(Message):
        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self, entries: list[Entry] | None = None) -> None:
        """``entries``: the library; without them, the app's (this is the base screen of its ``picker``
        mode), or read in a worker."""
        super().__init__()
        self.entries: list[Entry] = [] if entries is None else entries
        self._given = entries is not None
        self.recommendation: Recommendation | None = None
        self.best: dict[str, float] = {}  # this trainee's best total per scenario id (from their history)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="path-next")
        yield DataTable(id="library", cursor_type="row", zebra_stripes=True)
        yield Static(id="library-summary")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Scenario", "Difficulty", "Crisis type", "Length", "Posts", "Your best")
        table.focus()
        self.query_one("#path-next", Static).display = False
        if not self._given:
            library = getattr(self.app, "library", None)
            if library is not None:
                self.entries, self._given = library, True
        if self._given:
            self._fill()
        else:
            table.loading = True
        self._load()

    def on_screen_resume(self) -> None:
        # Back from a debrief: a new result may be a new best, and the path may move on.
        if self.is_mounted and self.query_one(DataTable).row_count:
            self._load()

    @work(thread=True, exclusive=True, group="picker", description="read the library and your history")
    def _load(self) -> None:
        entries = self.entries if self._given else load_library()
        link = _history(self)
        if link is None:  # no history kept (a workshop, a test): no best scores, no path line
            self.app.call_from_thread(self._loaded, entries, {}, None)
            return
        attempts = list(link.attempts(_trainee(self)))  # this trainee's own sessions, never another's
        steps = [PathStep(e.scenario.id, e.scenario.title, e.scenario.difficulty) for e in entries if e.scenario]
        self.app.call_from_thread(self._loaded, entries, best_totals(attempts), recommend(steps, attempts))

    def _loaded(self, entries: list[Entry], best: dict[str, float], rec: Recommendation | None) -> None:
        first = not self._given
        self.entries, self._given, self.best = entries, True, best
        self._fill()
        if first:
            self._show(0)
        self._show_recommendation(rec)

    def _fill(self) -> None:
        best = self.best
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for i, e in enumerate(self.entries):
            sc = e.scenario
            if sc is None:
                invalid = Text("invalid", style=Style(color=self.app.theme_variables.get("error")))
                table.add_row(Text(e.path.stem), invalid, Text(""), Text(""), Text(""), Text(""), key=str(i))
                continue
            # What arrives on schedule; posts held for injects only arrive if the trainee triggers them.
            volume = sum(not p.held for p in sc.posts) + sum(w.total for w in sc.waves if not w.held)
            score = best.get(sc.id)
            table.add_row(
                Text(sc.title),
                Text(sc.difficulty),
                Text(sc.crisis_type),
                Text(format_time(sc.duration)),
                Text(f"{volume:,}"),
                Text(f"{score:.0f}" if score is not None else "-"),
                key=str(i),
            )
        table.loading = False
        if self.entries:
            table.move_cursor(row=min(cursor, len(self.entries) - 1), animate=False)
            self._show(table.cursor_row)

    # ------------------------------------------------------------------ the learning path
    def _show_recommendation(self, rec: Recommendation | None) -> None:
        self.recommendation = rec
        line = self.query_one("#path-next", Static)
        if rec is None:
            return
        line.update(Content.assemble(("Next on your path: ", "bold"), (rec.title, "bold $accent"), f"  ({rec.why})"))
        line.display = True
        row = next((i for i, e in enumerate(self.entries) if e.scenario and e.scenario.id == rec.scenario), None)
        if row is not None:
            self.query_one(DataTable).move_cursor(row=row)

    @work(thread=True, exclusive=True, group="path", description="the history")
    def action_history(self) -> None:
        from sim.tui.screens.history import HistoryScreen

        link, trainee = _history(self), _trainee(self)
        if link is None:
            self.app.call_from_thread(
                self.notify, "No history is kept here.", title="History", severity="warning", markup=False
            )
            return
        attempts = list(link.attempts(trainee))
        self.app.call_from_thread(self.app.push_screen, HistoryScreen(trainee, attempts, self.recommendation))

    def _show(self, index: int) -> None:
        if not self.entries:
            key = commands.hint(self, "picker.open")
            self.query_one("#library-summary", Static).update(
                Content(f"No scenarios found. Press {key} to open a file.")
            )
            return
        e = self.entries[index]
        if e.scenario is None:
            text = Content(f"{e.path.name} is not valid: {e.problem}")
        else:
            sc = e.scenario
            text = Content.assemble((sc.title, "bold"), f"  ({sc.company.name}, {sc.company.handle})\n\n", sc.summary)
        self.query_one("#library-summary", Static).update(text)

    @on(DataTable.RowHighlighted)
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.cursor_row)

    @on(DataTable.RowSelected)
    def selected(self, event: DataTable.RowSelected) -> None:
        self.action_choose()

    def action_choose(self) -> None:
        if not self.entries:
            return
        e = self.entries[self.query_one(DataTable).cursor_row]
        if e.scenario is None:
            self.notify(f"{e.path.name} is not valid", severity="error", markup=False)
            return
        self.post_message(self.Chosen(str(e.path)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Served to browsers: no file of the server can be opened.
        return action != "open_file" or _options_allow_files(self)

    def action_open_file(self) -> None:
        if not _options_allow_files(self):
            return

        def opened(path: str | None) -> None:
            if path:
                self.post_message(self.Chosen(path))

        from sim.tui.screens.open_file import OpenFileScreen

        self.app.push_screen(OpenFileScreen(), opened)


def _history(screen: Screen[None]) -> HistoryLink | None:
    return getattr(getattr(screen.app, "options", None), "history", None)


def _trainee(screen: Screen[None]) -> str:
    return str(getattr(getattr(screen.app, "options", None), "trainee", "trainee"))


def _options_allow_files(screen: Screen[None]) -> bool:
    return bool(getattr(getattr(screen.app, "options", None), "allow_open_file", True))
