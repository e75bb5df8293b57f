"""The composer: a reply, a public update or a private message, to the post the trainee chose; and
the text fields that clean what is pasted into them (the plan editor's too)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static, TextArea

from sim.scenario.text import clean_text
from sim.tui import commands

LIMIT = 280
# What the header says for each mode, longest first: the longest that fits the width is shown, and
# the @handle of the post being answered is never cut.
HEADS = {
    "reply": ("Reply in public to", "Public reply to", "Reply to", "→"),
    "update": ("Public update to everyone", "Public update", "Update"),
    "private": ("Private message to", "Private to", "DM"),
}


def fit(choices: tuple[str, ...], width: int) -> str:
    """The longest of ``choices`` (longest first) that fits ``width`` cells; the shortest otherwise."""
    return next((c for c in choices if len(c) <= width), choices[-1])


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
    """Write a reply, a public update or a private message; ctrl+s sends, escape goes back to the feed.

    It names only a target the trainee chose (r or m on a post, u for everyone): moving through the
    feed never retargets it. An empty reply whose post is no longer selected goes back to
    "nothing chosen"; a draft stays with its post and says that it is not the selected one.
    """

    DEFAULT_CSS = """
    Composer { height: auto; border: round $primary-darken-2; padding: 0 1; }
    Composer:focus-within { border: round $accent; }
    Composer #composer-head { height: 1; }
    Composer TextArea { height: 5; border: none; padding: 0; }
    Composer #composer-count { height: 1; color: $text-muted; }
    """

    @dataclass
    class Send(Message):
        mode: str
        text: str
        post_id: str | None

    def __init__(self, limit: int = LIMIT, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.limit = limit
        self.mode = "idle"
        self.post_id: str | None = None
        self.target = ""
        self.elsewhere = False

    def compose(self) -> ComposeResult:
        yield Static(id="composer-head")
        # Compact: no border of its own (the composer has one), so every row holds text, even at 80x24.
        yield CleanTextArea(
            id="composer-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=True
        )
        yield Static(id="composer-count")

    def on_mount(self) -> None:
        self.set_mode("idle", None, "")

    def on_resize(self) -> None:
        self._head()
        self._count()

    @property
    def _width(self) -> int:
        return self.content_region.width if self.is_mounted and self.content_region.width else 80

    def _keys(self, *names: str) -> list[str]:
        return [commands.hint(self, f"console.{name}") for name in names]

    def set_mode(self, mode: str, post_id: str | None, target: str, *, elsewhere: bool = False) -> None:
        """``elsewhere``: the feed's selection has moved off the post this draft answers."""
        self.mode, self.post_id, self.target, self.elsewhere = mode, post_id, target, elsewhere
        self._head()
        self._count()

    def _head(self) -> None:
        width = self._width
        if self.mode == "idle":
            r, u, m = self._keys("reply", "update", "private")
            choices = (
                f"Nothing chosen yet: {r} reply · {u} public update · {m} private message",
                f"{r} reply · {u} update · {m} private",
                f"{r} · {u} · {m}",
            )
            head = Content.assemble((fit(choices, width), "dim"))
        elif self.target:
            label = fit(HEADS[self.mode], max(1, width - len(self.target) - 1))
            head = Content.assemble((label, "bold"), " ", (self.target, "$accent"))
        else:
            head = Content.assemble((fit(HEADS[self.mode], width), "bold"))
        self.query_one("#composer-head", Static).update(head)

    def follow(self, post_id: str, target: str) -> None:
        """The feed selected another post. The composer names only what the trainee chose: an empty
        reply (or private message) stops naming its post; a draft stays with its post, and the
        header says so, so nothing is ever sent to the wrong person."""
        if self.mode not in ("reply", "private"):
            return
        if not self.text.strip():
            if post_id != self.post_id:
                self.set_mode("idle", None, "")
        else:
            self.set_mode(self.mode, self.post_id, self.target, elsewhere=post_id != self.post_id)

    def open(self, mode: str, post_id: str | None = None, target: str = "") -> None:
        self.set_mode(mode, post_id, target)
        self.screen.set_focus(self.query_one(TextArea))  # at once: the next key typed lands here

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def clear(self) -> None:
        """Empty the box and choose nothing: the next text needs r, u or m first."""
        self.query_one(TextArea).text = ""
        self.set_mode("idle", None, "")

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        self._count()

    def _count(self) -> None:
        """The count line: how to send (or that the draft is not the selected post's) and the count."""
        if not self.is_mounted:
            return
        n = len(self.text)
        count = f"{n}/{self.limit}"
        room = max(0, self._width - len(count) - 1)
        r, m, send, feed, check = self._keys("reply", "private", "send", "to_feed", "check")
        if self.elsewhere:
            choices = (
                f"not the selected post: {r}/{m} to answer that one instead",
                f"not the selected post: {r}/{m} for it",
                "not the selected post",
                "not selected",
            )
            left = (fit(choices, room), "bold $warning")
        elif self.mode == "idle":
            left = ("", "")
        else:
            # A coached session can check the draft first: the key is said where the trainee is writing,
            # and kept over the send key when narrow (the footer has that one).
            if bool(getattr(getattr(self.screen, "game", None), "coached", False)):
                ways: tuple[str, ...] = (
                    f"{send} send · {check} check it · {feed} back to the feed",
                    f"{send} send · {check} check · {feed} feed",
                    f"{send} send · {check} check",
                    f"{check} check the draft",
                    f"{check} check",
                )
            else:
                ways = (f"{send} send · {feed} back to the feed", f"{send} send · {feed} feed", f"{send} send")
            left = (fit(ways, room), "dim")
        text = left[0] if len(left[0]) <= room else ""
        over = n > self.limit
        line = Content.assemble(
            (text, left[1]), " " * max(1, self._width - len(text) - len(count)), (count, "bold $error" if over else "")
        )
        widget = self.query_one("#composer-count", Static)
        widget.update(line)
        widget.set_class(over, "-over")

    def submit(self) -> None:
        self.post_message(self.Send(self.mode, self.text, self.post_id))
