"""The scenario picker: the shipped library with the trainee's best scores, and opening any file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static

from sim.progress import path_key
from sim.scenario.library import load_library as shipped
from sim.scenario.model import Scenario
from sim.scenario.patterns import format_time
from sim.scenario.text import clean_text
from sim.store import best_scores
from sim.tui import commands


@dataclass
class Entry:
    path: Path
    scenario: Scenario | None
    problem: str = ""


def load_library() -> list[Entry]:
    """The shipped scenarios on the learning path: intro, then standard, then hard."""
    entries = [Entry(f, sc, clean_text(problem, visible=True) if problem else "") for f, sc, problem in shipped()]
    return sorted(entries, key=lambda e: (0, *path_key(e.scenario)) if e.scenario else (1, 0, e.path.stem, ""))


class OpenFileScreen(ModalScreen[str | None]):
    """Ask for the path of a scenario file."""

    BINDINGS = commands.bindings("open")

    def compose(self) -> ComposeResult:
        with Vertical(id="open-dialog"):
            yield Label("Open a scenario file (path to a .yaml file):")
            yield Input(placeholder="path/to/scenario.yaml", id="open-path")
            yield Static("", id="open-error")

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        path = Path(value).expanduser()
        if not path.is_file():
            self.query_one("#open-error", Static).update(Content(f"No such file: {value}"))
            return
        self.dismiss(str(path))

    def action_cancel(self) -> None:
        self.dismiss(None)


class PickerScreen(Screen[None]):
    """Pick a scenario from the library, or open any file."""

    TITLE = "Stormdrill"
    SUB_TITLE = "Pick a scenario"
    BINDINGS = commands.bindings("picker")  # enter is a priority key: over the table's own enter

    class Chosen(Message):
        def __init__(self, path: str) -> None:
            super().__init__()
            self.path = path

    def __init__(self, entries: list[Entry] | None = None) -> None:
        super().__init__()
        self.entries = load_library() if entries is None else entries

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="library", cursor_type="row", zebra_stripes=True)
        yield Static(id="library-summary")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Scenario", "Difficulty", "Crisis type", "Length", "Posts", "Your best")
        options = getattr(self.app, "options", None)
        best = best_scores(getattr(options, "trainee", None))  # this trainee's own, never another's
        for i, e in enumerate(self.entries):
            sc = e.scenario
            if sc is None:
                table.add_row(
                    Text(e.path.stem), Text("invalid", style="red"), Text(""), Text(""), Text(""), Text(""), key=str(i)
                )
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
        table.focus()
        self._show(0)

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

        self.app.push_screen(OpenFileScreen(), opened)


def _options_allow_files(screen: Screen[None]) -> bool:
    return bool(getattr(getattr(screen.app, "options", None), "allow_open_file", True))
