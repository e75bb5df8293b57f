"""The briefing: the situation at the start, the company, the objectives and the keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from sim.scenario.model import Scenario
from sim.scenario.patterns import format_time
from sim.tui import commands


class BriefingScreen(Screen[None]):
    TITLE = "Briefing"
    BINDINGS = commands.bindings("briefing")

    class Start(Message):
        pass

    class Back(Message):
        pass

    def __init__(self, scenario: Scenario, *, resumed: bool = False) -> None:
        super().__init__()
        self.scenario = scenario
        self.resumed = resumed

    def compose(self) -> ComposeResult:
        sc = self.scenario
        yield Header()
        with VerticalScroll(id="briefing"):
            yield Static(
                Content.assemble(
                    (sc.title, "bold"),
                    f"   {sc.difficulty} · {sc.crisis_type} crisis · {format_time(sc.duration)} of scenario time",
                ),
                id="briefing-title",
            )
            action = "continue your session" if self.resumed else "start the clock"
            go = commands.hint(self, "briefing.start")
            go = go[:1].upper() + go[1:]  # "Press Enter"
            yield Static(Content.assemble(("Press ", "dim"), (go, "bold"), (f" to {action}.", "dim")), id="briefing-go")
            yield Static(
                Content.assemble(
                    ("You speak for ", "dim"),
                    (sc.company.name, "bold"),
                    " ",
                    (sc.company.handle, "bold"),
                    ("\nVoice: ", "dim"),
                    sc.company.voice or "plain and human",
                ),
                id="briefing-company",
            )
            yield Static(Content(sc.summary), id="briefing-summary")
            start = [b for b in sc.briefings if b.t == 0]
            if start:
                yield Static(
                    Content.assemble(("What you know now\n", "bold"), *[f"• {b.title}: {b.text}\n" for b in start]),
                    id="briefing-facts",
                )
            if sc.objectives:
                yield Static(
                    Content.assemble(("Your objectives\n", "bold"), *[f"• {o}\n" for o in sc.objectives]),
                    id="briefing-objectives",
                )
            rows = commands.briefing_keys(getattr(self.app, "keymap", None))
            width = max(len(k) for k, _ in rows) + 2
            keys = Content.assemble(
                ("Keys\n", "bold"), *[Content.assemble((f"{k:<{width}}", "bold"), f"{v}\n") for k, v in rows]
            )
            yield Static(keys, id="briefing-keys")
        yield Footer()

    def action_start(self) -> None:
        self.post_message(self.Start())

    def action_back(self) -> None:
        self.post_message(self.Back())
