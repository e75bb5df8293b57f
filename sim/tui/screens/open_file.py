"""Ask for the path of a scenario file (from the picker)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from sim.tui import commands

__all__ = ["OpenFileScreen"]


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
