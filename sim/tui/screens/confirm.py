"""Yes/no questions over the current screen: quitting a session, ending it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from sim.tui import commands

__all__ = ["ConfirmScreen", "EndConfirmScreen"]


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question."""

    BINDINGS = commands.bindings("confirm")
    YES, NO = "confirm.yes", "confirm.no"  # the buttons: the commands' labels and keys

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.question), id="question")  # wraps; long journal paths fold
            with Horizontal():
                for command, variant in ((self.YES, "warning"), (self.NO, "default")):
                    label = f"{commands.BY_ID[command].label} ({commands.hint(self, command)})"
                    yield Button(Content(label), variant=variant, id=command.rpartition(".")[2])  # type: ignore[arg-type]

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)


class EndConfirmScreen(ConfirmScreen, inherit_bindings=False):
    """Ending is final, so it is not confirmed with a letter: text typed while the feed had focus
    ("...we're sorry about your...") would otherwise answer e(nd) and y(es) by itself."""

    BINDINGS = commands.bindings("end")
    YES, NO = "end.yes", "end.no"
