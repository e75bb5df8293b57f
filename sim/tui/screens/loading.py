"""The loading screen: the first frame, and every wait after it (a scenario loading, a session
being scored), while the work runs in a worker thread.

It has no child widgets and imports nothing but Textual, so the terminal shows Stormdrill as
soon as Textual can draw anything at all. It says what the app is waiting for (the app's
``loading_what``).
"""

from __future__ import annotations

from textual.content import Content
from textual.screen import Screen


class LoadingScreen(Screen[None]):
    def __init__(self, what: str = "") -> None:
        super().__init__()
        self.what = what

    def render(self) -> Content:
        what = self.what or str(getattr(self.app, "loading_what", ""))
        return Content.assemble(("Stormdrill", "bold $accent"), "\n\nLoading ", (what, "bold"), " ...")
