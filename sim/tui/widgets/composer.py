"""The composer (reply, public update, private message) and the structured action-plan editor."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from sim.scenario.model import PlanStep
from sim.scenario.text import clean_text
from sim.tui import commands

LIMIT = 280
MODES = {
    "reply": "Reply in public to",
    "update": "Public update to everyone",
    "private": "Private message to",
}


class CleanTextArea(TextArea):
    """A text area that cleans what is pasted into it: no escape sequences or control characters."""

    async def _on_paste(self, event: events.Paste) -> None:
        # Textual runs the handler of every class in the chain, this one first: TextArea's own
        # handler then inserts the cleaned text.
        event.text = clean_text(event.text)


class CleanInput(Input):
    """A one-line input that cleans what is pasted into it (Input's own handler then keeps the first line)."""

    def _on_paste(self, event: events.Paste) -> None:
        event.text = clean_text(event.text)


class Composer(Vertical):
    """Write a reply, a public update or a private message; ctrl+s sends, escape goes back to the feed."""

    DEFAULT_CSS = """
    Composer { height: auto; border: round $primary-darken-2; padding: 0 1; }
    Composer:focus-within { border: round $accent; }
    Composer #composer-head { height: 1; }
    Composer TextArea { height: 5; border: none; padding: 0; }
    Composer #composer-count { height: 1; text-align: right; color: $text-muted; }
    Composer #composer-count.-over { color: $error; text-style: bold; }
    """

    @dataclass
    class Send(Message):
        mode: str
        text: str
        post_id: str | None

    def __init__(self, limit: int = LIMIT, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.limit = limit
        self.mode = "update"
        self.post_id: str | None = None
        self.target = ""

    def compose(self) -> ComposeResult:
        yield Static(id="composer-head")
        # Compact: no border of its own (the composer has one), so every row holds text, even at 80x24.
        yield CleanTextArea(
            id="composer-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=True
        )
        yield Static(id="composer-count")

    def on_mount(self) -> None:
        self.set_mode("update", None, "")

    def set_mode(self, mode: str, post_id: str | None, target: str, *, elsewhere: bool = False) -> None:
        """``elsewhere``: the feed's selection has moved off the post this draft answers."""
        self.mode, self.post_id, self.target = mode, post_id, target
        head = (
            Content.assemble((MODES[mode], "bold"), " ", (target, "$accent"))
            if target
            else Content.assemble((MODES[mode], "bold"))
        )
        key = commands.hint
        if elsewhere:
            answer = f"{key(self, 'console.reply')}/{key(self, 'console.private')}"
            tail = (f"   not the selected post: {answer} to answer that one instead", "bold $warning")
        else:
            tail = (f"   {key(self, 'console.send')} send · {key(self, 'console.to_feed')} back to feed", "dim")
        self.query_one("#composer-head", Static).update(Content.assemble(head, tail))
        self._count()

    def follow(self, post_id: str, target: str) -> None:
        """The feed selected another post: an empty reply (or private message) moves to it; a draft
        stays with its post, and the header says so, so nothing is ever sent to the wrong person."""
        if self.mode not in ("reply", "private"):
            return
        if not self.text.strip():
            self.set_mode(self.mode, post_id, target)
        else:
            self.set_mode(self.mode, self.post_id, self.target, elsewhere=post_id != self.post_id)

    def open(self, mode: str, post_id: str | None = None, target: str = "") -> None:
        self.set_mode(mode, post_id, target)
        self.screen.set_focus(self.query_one(TextArea))  # at once: the next key typed lands here

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def clear(self) -> None:
        self.query_one(TextArea).text = ""
        self._count()

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        self._count()

    def _count(self) -> None:
        n = len(self.text) if self.is_mounted else 0
        count = self.query_one("#composer-count", Static)
        count.update(Content(f"{n}/{self.limit}"))
        count.set_class(n > self.limit, "-over")

    def submit(self) -> None:
        self.post_message(self.Send(self.mode, self.text, self.post_id))


@dataclass(frozen=True)
class PlanDraft:
    text: str
    steps: tuple[PlanStep, ...]
    next_update: str


class PlanEditor(ModalScreen[PlanDraft | None]):
    """The structured action-plan editor: an intro, steps (what, who, by when) and the next update time."""

    BINDINGS = commands.bindings("plan")
    DEFAULT_CSS = """
    PlanEditor { align: center middle; }
    PlanEditor #plan-box { width: 96%; max-width: 110; height: 90%; border: thick $accent; background: $surface;
        padding: 0 1; }
    PlanEditor TextArea { height: 4; }
    PlanEditor .step { height: 3; }
    PlanEditor .step Input { width: 1fr; }
    PlanEditor .step .what { width: 3fr; }
    PlanEditor #plan-buttons { height: 3; }
    """

    def __init__(self, draft: PlanDraft | None = None, steps: int = 3) -> None:
        super().__init__()
        self.draft = draft
        self.initial_steps = max(steps, len(draft.steps) if draft else 0)

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
            yield Label(f"Steps: what will be done · who does it · by when   ({add} adds a step)")
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
                    yield Button(f"{label} ({commands.hint(self, command)})", variant=variant, id=button)  # type: ignore[arg-type]

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
