"""The history screen (from the picker, h): a trainee's sessions per scenario, best and latest,
each pillar's trend as a sparkline, and what improved or slipped since the previous attempt."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from sim.progress import PILLARS, Attempt, Recommendation, histories
from sim.scenario.text import clean_text
from sim.tui import commands


def _line(text: str) -> str:
    return clean_text(text, single_line=True)


def history_content(attempts: Sequence[Attempt], recommendation: Recommendation | None = None) -> Content:
    """The history as one block of text (every name and title drawn as text, never markup)."""
    parts: list[Content | tuple[str, str] | str] = []
    if recommendation is not None:
        parts += [
            ("Next: ", "bold"),
            (_line(recommendation.title), "bold $accent"),
            f"  {_line(recommendation.why)}\n\n",
        ]
    groups = histories(attempts)
    if not groups:
        parts.append("No finished sessions yet. Play a scenario: every finished session is kept here.")
    for g in groups:
        n = len(g.attempts)
        parts += [
            (_line(g.title), "bold"),
            f"  {_line(g.latest.difficulty or '')} · {n} session{'s' if n != 1 else ''}\n",
        ]
        for label, a in (("best", g.best), ("latest", g.latest)):
            marks = [a.finished.strftime("%Y-%m-%d %H:%M")]
            marks += ["coached"] if a.coached else []
            marks += ["imported"] if a.imported_from else []
            parts.append(f"  {label:<7}{a.total:3.0f}   {', '.join(marks)}\n")
        spark = g.sparklines()
        for p in ("total", *PILLARS):
            values = " → ".join(f"{v:.0f}" for v in g.trend(p)[-6:])
            parts += [f"  {p:<7}", (f"{spark[p]:<10}", "$accent"), f" {values}\n"]
        up, down = g.since_previous()
        if n > 1:
            parts.append("  Since the previous attempt:\n")
            for u in up or ["nothing improved"]:
                parts += [("    + ", "bold $success"), f"{_line(u)}\n"]
            for d in down or ["nothing slipped"]:
                parts += [("    - ", "bold $error"), f"{_line(d)}\n"]
        parts.append("\n")
    return Content.assemble(*parts)


class HistoryScreen(Screen[None]):
    """Past sessions of the trainee at the keyboard."""

    TITLE = "Stormdrill"
    SUB_TITLE = "Your history"
    BINDINGS = commands.bindings("history")
    DEFAULT_CSS = """
    HistoryScreen #history-body { padding: 1 2; }
    """

    def __init__(self, trainee: str, attempts: Sequence[Attempt], recommendation: Recommendation | None = None) -> None:
        super().__init__()
        self.trainee = trainee
        self.attempts = list(attempts)
        self.recommendation = recommendation

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(history_content(self.attempts, self.recommendation), id="history-body")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"History of {_line(self.trainee)}"

    def action_back(self) -> None:
        self.dismiss()
