"""The console's smaller panels: status bar, selected post, your channel, private messages, briefings.

All untrusted text (posts, names, the trainee's own words) is put on screen as ``Content``
pieces, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.widgets import Static

from sim.scenario.model import Briefing, Persona, Post
from sim.scenario.patterns import clock_label, span
from sim.tui import commands
from sim.tui.widgets.feed import age, reach


class Panel(Static):
    """A Static that skips updates which would show the same thing, and the screen-wide layout pass
    when the new content is exactly as tall as the old at the current width."""

    _shown: tuple[object, ...] | None = None
    _shown_height: tuple[int, int] = (-1, -1)  # (width, height in lines) of what is shown

    def put(self, content: Content, *, layout: bool = True) -> None:
        key = (content.plain, tuple(content.spans))
        if key == self._shown:
            return
        self._shown = key
        width = self.content_region.width if self.is_mounted else 0
        if width > 0:
            height = content.get_height(self.styles, width)  # type: ignore[arg-type]  # as Widget.get_content_height does
            if layout and self._shown_height == (width, height):
                layout = False
            self._shown_height = (width, height)
        else:
            self._shown_height = (-1, -1)
        self.update(content, layout=layout)


@dataclass(frozen=True)
class ChannelItem:
    """One thing the trainee sent: when, what kind, the text, and the @handle it answered ('' if none)."""

    t: float
    kind: str  # reply | update | plan | private
    text: str
    to: str = ""


@dataclass(frozen=True)
class Status:
    now: float
    clock: str
    speed: float
    paused: bool
    pressure: float
    silence: float | None  # seconds since the last public statement (None before the first, counted from 0)
    update_every: float
    next_promise: float | None  # scenario time a promised update is due
    ended: bool = False


class StatusBar(Panel):
    """Clock and speed, pause, the pressure meter, the silence timer and the next promised update.

    It always fits one line: on a narrow terminal the words shorten, then the meter's bar goes, so
    the clock, the silence and the promise countdown stay in view.
    """

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    """

    status: Status | None = None

    def show(self, s: Status) -> None:
        self.status = s
        width = self.content_region.width if self.is_mounted else 0
        for short, compact in ((False, False), (True, False), (True, True)):
            # 80 columns: shorter words, the same figures; narrower still: no bar, fewest words.
            line = self._line(s, short=short, compact=compact)
            if not width or line.cell_length <= width:
                break
        self.put(line, layout=False)  # one line, always: no layout pass

    def on_resize(self) -> None:
        if self.status is not None:
            self.show(self.status)

    @staticmethod
    def _line(s: Status, *, short: bool, compact: bool = False) -> Content:
        bar_w = 8
        filled = round(s.pressure / 100 * bar_w)
        p_style = "bold $error" if s.pressure >= 70 else "bold $warning" if s.pressure >= 40 else "bold $success"
        speed = f"{s.speed:g}x"
        gap = " " if compact else "  "
        pieces: list[Content | tuple[str, str] | str] = [(f"⏱ {s.clock}", "bold")]
        if compact:
            pieces += [(" ⏸ PAUSED", "bold $warning") if s.paused else (f" ▶ {speed}", "dim")]
            pieces += [gap, "Pressure ", (f"{s.pressure:.0f}", p_style)]
        else:
            pieces += [
                ("  ⏸ PAUSED", "bold $warning") if s.paused else ("  ▶ Speed ", "dim"),
                (f" ({speed})", "dim") if s.paused else (speed, "bold"),
                "  Pressure ",
                ("█" * filled, p_style),
                ("░" * (bar_w - filled), "dim"),
                (f" {s.pressure:3.0f}", p_style),
            ]
        silence = s.silence if s.silence is not None else s.now
        if compact:
            label = "Silent"
        else:
            label = ("No statement" if short else "No statement for") if s.silence is None else "Silent for"
        sil_style = (
            "bold $error" if silence > s.update_every else "bold $warning" if silence > s.update_every / 2 else ""
        )
        pieces += [gap, f"{label} ", (span(silence), sil_style or "bold")]
        if s.next_promise is not None:
            left = s.next_promise - s.now
            style = "bold $error" if left < 0 else "bold $warning" if left < 120 else "bold"
            if compact:
                pieces += [gap, "Update ", (f"late {span(-left)}" if left < 0 else f"in {span(left)}", style)]
            else:
                text = f"overdue by {span(-left)}" if left < 0 else f"due in {span(left)}"
                pieces += ["  Update " if short else "  Promised update ", (text, style)]
        if s.ended:
            pieces += [gap, ("ENDED" if short else "SESSION ENDED", "bold $error")]
        return Content.assemble(*pieces)


class PostDetail(Panel):
    """The selected post with its thread, the author's persona and your answers to it."""

    def show(
        self,
        post: Post | None,
        *,
        now: float,
        start_minutes: int,
        thread: Sequence[Post] = (),
        persona: Persona | None = None,
        answers: Sequence[tuple[float, str, str]] = (),
        status: str = "open",
        quoted: Post | None = None,
    ) -> None:
        if post is None:
            keys = f"{commands.hint(self, 'feed.down')}/{commands.hint(self, 'feed.up')}"
            self.put(Content(f"Select a post in the feed ({keys} or the mouse) to see it here.").stylize("dim"))
            return
        parts: list[Content | tuple[str, str] | str] = []
        for parent in thread:
            parts += [(f"↳ {parent.name} {parent.handle}: ", "dim"), (parent.text, "dim"), "\n"]
        ago = age(now - post.t)  # minute steps, as in the feed: the panel changes at most once a minute
        when = "just now" if ago == "now" else f"{ago} ago"
        meta = f"{post.role} · {reach(post.followers)} followers · {clock_label(start_minutes, post.t)} ({when})"
        # The words first: on a short terminal they are what must stay in view.
        parts += [(post.name, "bold"), " ", (post.handle, "$accent"), "\n", post.text, "\n"]
        if post.media is not None:  # described in words, never rendered or opened
            parts += [(post.media.label(), "italic $secondary"), "\n"]
        if quoted is not None:
            parts += [("❝ quoting ", "dim"), (f"{quoted.name} {quoted.handle}: ", "dim bold"), (quoted.text, "dim")]
            parts += [("\n" + quoted.media.label(), "dim italic") if quoted.media else "", "\n"]
        elif post.quote:
            parts += [("❝ quoting a post that is not in your feed", "dim"), "\n"]
        parts += [(meta, "dim")]
        if post.pinned:
            parts += ["  ", (" PINNED ", "bold reverse $warning")]
        if post.must_handle:
            parts += ["  ", (" MUST-HANDLE ", "bold reverse $error")]
        for tag in post.tags:
            parts += [" ", (f" {tag} ", "reverse $secondary")]
        parts += ["\n"]
        if persona is not None and (persona.bio or persona.disposition != "neutral"):
            parts += ["\n", ("About: ", "dim"), (f"{persona.disposition}. {persona.bio}".strip(), "dim italic"), "\n"]
        label = {"answered": "answered in public", "private": "moved to private messages", "open": "not answered yet"}
        parts += ["\n", ("Status: ", "dim"), (label.get(status, status), "bold" if status == "open" else "$success")]
        for t, kind, text in answers:
            parts += ["\n", (f"You ({kind}, {clock_label(start_minutes, t)}): ", "bold $success"), text]
        self.put(Content.assemble(*parts))


class ChannelView(Static):
    """What you sent, newest first: in public (replies, updates, the plan), or in private messages.
    The tab says which; each entry says what it was and to whom."""

    def __init__(self, *, private: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.private = private

    def show(self, items: Sequence[ChannelItem], start_minutes: int) -> None:
        if not items:
            if self.private:
                key = commands.hint(self, "console.private")
                empty = (
                    "No private messages yet: only the person you write to sees them. "
                    f"Press {key} to answer the selected post in private."
                )
            else:
                update, reply = commands.hint(self, "console.update"), commands.hint(self, "console.reply")
                empty = (
                    "Nothing posted in public yet: everyone will see what you post here. "
                    f"Press {update} for a public update, {reply} to reply to the selected post."
                )
            self.update(Content(empty).stylize("dim"))
            return
        parts: list[Content | tuple[str, str] | str] = []
        for item in reversed(items):
            what = {
                "update": ("public update", ""),
                "plan": ("ACTION PLAN", ""),
                "reply": ("public reply to ", item.to),
                "private": ("private message to ", item.to),
            }.get(item.kind, (item.kind, ""))
            parts += [(clock_label(start_minutes, item.t), "bold"), " ", (what[0], "$accent"), (what[1], "bold")]
            parts += ["\n", item.text, "\n\n"]
        self.update(Content.assemble(*parts))


class BriefingsView(Static):
    """Briefings as they arrive, the new ones marked."""

    _parts: list[Content | tuple[str, str] | str] = []  # what is shown
    _starts: dict[str, int] = {}  # briefing id -> where its parts start

    def show(
        self,
        briefings: Sequence[Briefing],
        seen: set[str],
        start_minutes: int,
        *,
        now: float = 0.0,
        crisis_changes: Sequence[tuple[float, str, str]] = (),
    ) -> None:
        self._parts, self._starts = [], {}
        if not briefings and not crisis_changes:
            self.update(Content("No briefings yet.").stylize("dim"))
            return
        parts = self._parts
        for t, before, after in reversed(crisis_changes):  # format 2: the public's view changed
            parts += [(f"{clock_label(start_minutes, t)} The crisis is now seen as {after}", "bold $warning")]
            parts += [(f" (was {before}).", "dim"), "\n\n"]
        for b in reversed(briefings):
            self._starts[b.id] = len(parts)
            if b.id not in seen:
                parts += [(" NEW ", "bold reverse $warning"), " "]
            parts += [(f"{clock_label(start_minutes, b.t)} {b.title}", "bold"), "\n", b.text, "\n"]
            if b.embargoed(now) and b.public_from is not None:
                when = clock_label(start_minutes, b.public_from)
                parts += [(f"EMBARGO until {when}: ", "bold $error"), ("do not say this in public yet.", "dim"), "\n"]
                if b.public_line:
                    parts += [(f"From {when} you may say: ", "dim"), (b.public_line, "italic"), "\n"]
            elif b.public_line:
                parts += [("You may say: ", "dim"), (b.public_line, "italic"), "\n"]
            for step in b.actions:
                who = f" ({step.who}" + (f", {step.when}" if step.when else "") + ")" if step.who else ""
                parts += [("Decided: ", "dim"), step.what, (who, "dim"), "\n"]
            parts += ["\n"]
        self.update(Content.assemble(*parts))

    def scroll_to_briefing(self, briefing_id: str) -> None:
        """Scroll the box around this view so that the briefing starts at its top."""
        start = self._starts.get(briefing_id)
        if start is None or self.parent is None or not self.is_mounted:
            return
        before = Content.assemble(*self._parts[:start])
        y = len(before.wrap(max(1, self.content_region.width))) - 1 if start else 0
        self.parent.scroll_to(y=y, animate=False)  # type: ignore[attr-defined]
