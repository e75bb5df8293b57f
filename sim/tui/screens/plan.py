"""The structured action-plan editor (a modal over the console): an intro, steps (what, who, by
when) and the time of the next update. The status bar stays live under it: scenario time runs on."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, TextArea

from sim.scenario.model import PlanStep
from sim.tui import commands
from sim.tui.messages import ClockTicked
from sim.tui.widgets.composer import CleanInput, CleanTextArea
from sim.tui.widgets.panels import Status, StatusBar

__all__ = ["PlanDraft", "PlanEditor"]


@dataclass(frozen=True)
class PlanDraft:
    text: str
    steps: tuple[PlanStep, ...]
    next_update: str


class PlanEditor(ModalScreen[PlanDraft | None]):
    """The structured action-plan editor: an intro, steps (what, who, by when) and the next update time."""

    BINDINGS = commands.bindings("plan")

    def __init__(self, draft: PlanDraft | None = None, steps: int = 3, *, status: Status | None = None) -> None:
        """``status``: what the console's status bar shows now (it keeps ticking under the editor)."""
        super().__init__()
        self.draft = draft
        self.initial_steps = max(steps, len(draft.steps) if draft else 0)
        self.status = status
        self._stepless: PlanDraft | None = None  # a plan with no steps, published once already

    def compose(self) -> ComposeResult:
        with Vertical(id="plan-box"):
            yield Label(
                Content.assemble(
                    ("Action plan", "bold"),
                    ("  what happens next, by when, who does it, and when the next update comes", "dim"),
                )
            )
            yield Label("What happened and what it means for people (plain words):")
            yield CleanTextArea(
                self.draft.text if self.draft else "", id="plan-text", soft_wrap=True, tab_behavior="focus"
            )
            add = commands.hint(self, "plan.add_step")
            yield Label(Content(f"Steps: what will be done · who does it · by when   ({add} adds a step)"))
            with VerticalScroll(id="plan-steps", can_focus=False):  # Tab goes to the fields, not the box
                for i in range(self.initial_steps):
                    yield self._step_row(i)
            yield CleanInput(
                self.draft.next_update if self.draft else "", placeholder="Next update at (e.g. 10:30)", id="plan-next"
            )
            with Horizontal(id="plan-buttons"):
                for command, variant, button in (
                    ("plan.publish", "primary", "plan-publish"),
                    ("plan.add_step", "default", "plan-add"),
                    ("plan.cancel", "default", "plan-cancel"),
                ):
                    label = commands.BY_ID[command].label
                    yield Button(Content(f"{label} ({commands.hint(self, command)})"), variant=variant, id=button)  # type: ignore[arg-type]
        yield StatusBar(id="plan-status")
        yield Footer()

    def _step_row(self, i: int) -> Horizontal:
        step = self.draft.steps[i] if self.draft and i < len(self.draft.steps) else PlanStep("")
        return Horizontal(
            CleanInput(step.what, placeholder=f"Step {i + 1}: what will be done", classes="what"),
            CleanInput(step.who, placeholder="who", classes="who"),
            CleanInput(step.when, placeholder="by when", classes="when"),
            classes="step",
        )

    def on_mount(self) -> None:
        self.query_one("#plan-text", TextArea).focus()
        if self.status is not None:
            self.query_one(StatusBar).show(self.status)

    def on_clock_ticked(self, message: ClockTicked) -> None:
        self.query_one(StatusBar).show(message.status)

    async def action_add_step(self) -> None:
        rows = self.query(".step")
        if len(rows) >= 12:
            self.notify("At most 12 steps: keep the plan short enough to read.", markup=False)
            return
        row = self._step_row(len(rows))
        steps = self.query_one("#plan-steps", VerticalScroll)
        await steps.mount(row)
        self.set_focus(row.query_one(".what", Input))
        steps.scroll_end(animate=False)

    def collect(self) -> PlanDraft:
        steps = []
        for row in self.query(".step"):
            what, who, when = (row.query_one(f".{c}", Input).value.strip() for c in ("what", "who", "when"))
            if what:
                steps.append(PlanStep(what, who, when))
        return PlanDraft(
            self.query_one("#plan-text", TextArea).text.strip(),
            tuple(steps),
            self.query_one("#plan-next", Input).value.strip(),
        )

    def action_publish(self) -> None:
        # A priority binding can overtake keys still queued for the focused field: publish after them.
        focused = self.focused
        if focused is not None:
            focused.call_later(self._publish_now)
        else:
            self._publish_now()

    def _publish_now(self) -> None:
        if not self.is_mounted:
            return
        draft = self.collect()
        if not draft.text and not draft.steps:
            self.notify("Write what happened or at least one step first.", severity="warning", markup=False)
            return
        if not draft.steps and self._stepless != draft:
            # A plan is its steps (what, who, by when). Text with none is usually typed into the wrong
            # place, so publishing it takes the key a second time, with nothing changed in between.
            self._stepless = draft
            key = commands.hint(self, "plan.publish")
            self.notify(
                f"This plan has no steps (what happens, who, by when). Add them, or press {key} again to "
                "publish it as it is.",
                title="No steps yet",
                severity="warning",
                markup=False,
            )
            return
        self.dismiss(draft)

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#plan-publish")
    def _publish(self) -> None:
        self.action_publish()

    @on(Button.Pressed, "#plan-add")
    async def _add(self) -> None:
        await self.action_add_step()

    @on(Button.Pressed, "#plan-cancel")
    def _cancel(self) -> None:
        self.action_cancel()
