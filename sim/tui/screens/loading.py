"""The first frame: a plain screen shown while the scenario loads in a worker thread.

It has no child widgets and imports nothing but Textual, so the terminal shows Stormdrill as
soon as Textual can draw anything at all.
"""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen


class LoadingScreen(Screen[None]):
    DEFAULT_CSS = """
    LoadingScreen { content-align: center middle; text-align: center; }
    """

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def render(self) -> Content:
        return Content.assemble(("Stormdrill", "bold $accent"), "\n\nLoading ", (self.what, "bold"), " ...")
