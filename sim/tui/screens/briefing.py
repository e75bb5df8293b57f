"""The briefing: the situation at the start, the company, the objectives and the keys; for a
resumed session, where it stands (the scenario time, what has been done, what is due)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from sim.scenario.model import Briefing, Scenario
from sim.scenario.patterns import clock_label, format_time, span
from sim.tui import commands

if TYPE_CHECKING:
    from sim.tui.app import StormdrillApp
    from sim.tui.game import Progress


class BriefingScreen(Screen[None]):
    TITLE = "Briefing"
    BINDINGS = commands.bindings("briefing")

    class Start(Message):
        pass

    class Back(Message):
        pass

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        progress: Progress | None = None,
        briefings: tuple[Briefing, ...] = (),
    ) -> None:
        """``progress`` and ``briefings`` (so far): a resumed session. Without a scenario, the app's
        (this is the base screen of its ``play`` mode)."""
        super().__init__()
        self._scenario = scenario
        self.progress = progress
        self.briefings_so_far = briefings

    @property
    def resumed(self) -> bool:
        return self.progress is not None

    def compose(self) -> ComposeResult:
        if self._scenario is None:
            app = cast("StormdrillApp", self.app)
            assert app.scenario is not None
            self._scenario = app.scenario
            if app.game is not None and app.game.resumed:
                self.progress = app.game.progress()
                self.briefings_so_far = tuple(app.game.briefings())
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
            if self.progress is not None:
                yield Static(self._where(self.progress), id="briefing-resume")
            yield Static(Content(sc.summary), id="briefing-summary")
            start = list(self.briefings_so_far) if self.resumed else [b for b in sc.briefings if b.t == 0]
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

    @property
    def scenario(self) -> Scenario:
        assert self._scenario is not None
        return self._scenario

    def _where(self, p: Progress) -> Content:
        """Where the resumed session stands."""
        sc = self.scenario
        start = sc.start_minutes
        left = max(0.0, p.duration - p.now)
        names = {
            "reply": ("public reply", "public replies"),
            "private": ("private message", "private messages"),
            "update": ("public update", "public updates"),
            "plan": ("action plan", "action plans"),
        }
        done = [f"{n} {names[k][n > 1]}" for k in names if (n := p.sent.get(k, 0))]
        parts: list[Content | tuple[str, str] | str] = [
            ("Where you are\n", "bold"),
            "• It is ",
            (clock_label(start, p.now), "bold"),
            f" in the scenario: {format_time(p.now)} played, {format_time(left)} to go (until "
            f"{clock_label(start, p.duration)}).\n",
            "• You have sent ",
            (", ".join(done) if done else "nothing yet", "bold"),
            ".\n" if p.plan_posted else "; no action plan yet.\n",
            f"• {p.delivered:,} posts so far; ",
            (f"{p.open:,} not answered", "bold $warning" if p.open else "bold"),
            ".\n",
        ]
        if p.last_statement is None:
            parts += ["• No public statement yet.\n"]
        else:
            parts += [f"• Your last public statement was at {clock_label(start, p.last_statement)}.\n"]
        if p.next_promise is not None:
            due = p.next_promise - p.now
            when = f"overdue by {span(-due)}" if due < 0 else f"due in {span(due)}"
            parts += ["• You promised an update at ", (clock_label(start, p.next_promise), "bold"), f" ({when}).\n"]
        return Content.assemble(*parts)

    def action_start(self) -> None:
        self.post_message(self.Start())

    def action_back(self) -> None:
        self.post_message(self.Back())
