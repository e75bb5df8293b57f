"""The feed: a Line-API ScrollView that draws only the visible lines, so it stays fluid at 20,000+ posts.

Each post is two lines (header, text) and line -> post is a division. Rendered lines are cached.
Posts arrive in batches (one refresh per batch). Untrusted text is built into ``rich.text.Text``
pieces, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from sim.scenario.model import Post
from sim.tui import commands

ROW = 2
# Rendered lines kept: a few screenfuls. Each cached line keeps the pieces Textual cut from it, so a
# bigger cache mostly gives the garbage collector more to scan (2,000 lines: full collections of
# 100+ ms in a storm).
CACHE_LINES = 320
FILTERS = ("all", "unanswered", "must-handle")


def reach(n: int) -> str:
    """Follower counts as people read them: 412, 1.5k, 38k, 2.1M."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 10_000:
        return f"{n // 1000}k"
    if n >= 1000:
        return f"{n / 1000:.1f}k"
    return str(n)


def age(seconds: float) -> str:
    """How long ago, as the feed shows it: now, 12m, 1h05."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}"


class FeedView(ScrollView, can_focus=True):
    """Incoming posts, newest at the bottom; follows new posts unless you scrolled up."""

    # Priority keys (commands.py); enter (reply) is the console's; a double click activates a post.
    BINDINGS = commands.bindings("feed")
    COMPONENT_CLASSES = {
        "feed--header",
        "feed--meta",
        "feed--text",
        "feed--cursor",
        "feed--tag",
        "feed--must",
        "feed--answered",
        "feed--private",
        "feed--open",
        "feed--empty",
    }
    DEFAULT_CSS = """
    FeedView { background: $surface; }
    FeedView > .feed--header { text-style: bold; }
    FeedView > .feed--meta { color: $text-muted; }
    FeedView > .feed--text { color: $text; }
    FeedView > .feed--cursor { background: $accent 30%; }
    FeedView:focus > .feed--cursor { background: $accent 50%; }
    FeedView > .feed--tag { color: $secondary; }
    FeedView > .feed--must { color: $error; text-style: bold; }
    FeedView > .feed--answered { color: $success; }
    FeedView > .feed--private { color: $primary; }
    FeedView > .feed--open { color: $warning; }
    FeedView > .feed--empty { color: $text-muted; text-style: italic; }
    """

    new_count: reactive[int] = reactive(0)

    class Selected(Message):
        def __init__(self, post: Post) -> None:
            super().__init__()
            self.post = post

    class Activated(Message):
        def __init__(self, post: Post) -> None:
            super().__init__()
            self.post = post

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.posts: list[Post] = []
        self._index: dict[str, int] = {}
        self.status: dict[str, str] = {}
        self.rows: list[int] = []
        self.cursor = -1
        self.now = 0.0
        self.kind = "all"
        self.tag: str | None = None
        self.search = ""
        self._cache: LRUCache[tuple[object, ...], Strip] = LRUCache(CACHE_LINES)

    # ------------------------------------------------------------------ data
    def _matches(self, post: Post) -> bool:
        if self.kind == "unanswered" and self.status.get(post.id, "open") != "open":
            return False
        if self.kind == "must-handle" and not post.must_handle:
            return False
        if self.tag and self.tag not in post.tags:
            return False
        if self.search:
            s = self.search
            if s not in post.text.lower() and s not in post.handle.lower() and s not in post.name.lower():
                return False
        return True

    @property
    def at_bottom(self) -> bool:
        return self.scroll_offset.y >= self.max_scroll_y - 1

    def add_posts(self, batch: Sequence[Post]) -> None:
        """Append a batch of posts (one refresh for the whole batch)."""
        if not batch:
            return
        follow = self.at_bottom
        added = 0
        for post in batch:
            self._index[post.id] = len(self.posts)
            self.posts.append(post)
            if self._matches(post):
                self.rows.append(len(self.posts) - 1)
                added += 1
        if not added:
            return
        self._resize()
        if follow:
            # The view follows new posts; the selection never moves under the trainee's eyes.
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
            self.new_count = 0
        else:
            self.new_count += added
        self.refresh()

    def set_status(self, post_id: str, status: str) -> None:
        if self.status.get(post_id) == status:
            return
        self.status[post_id] = status
        i = self._index.get(post_id)
        if i is not None:
            self._refresh_post(i)

    def set_now(self, t: float) -> None:
        if int(t // 60) != int(self.now // 60):
            self.now = t
            self.refresh()
        else:
            self.now = t

    def set_filter(self, kind: str, tag: str | None = None) -> None:
        self.kind = kind if kind in FILTERS else "all"
        self.tag = tag
        self._refilter()

    def set_search(self, text: str) -> None:
        self.search = text.strip().lower()
        self._refilter()

    def _refilter(self) -> None:
        current = self.current_post
        self.rows = [i for i, p in enumerate(self.posts) if self._matches(p)]
        self._resize()
        if current is not None and self._index[current.id] in self.rows:
            self.cursor = self.rows.index(self._index[current.id])
        elif current is not None or self.search:
            # The selected post is filtered out, or a search: the first match, at the top.
            self.cursor = 0 if self.rows else -1
        else:
            # Nothing was selected: nothing is, and the view follows new posts (the first j takes the top one).
            self.cursor = -1
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.new_count = 0
        self._scroll_to_cursor()
        self._cache.clear()
        self.refresh()
        self._announce()

    def _resize(self) -> None:
        size = Size(self.scrollable_content_region.width, len(self.rows) * ROW)
        if size == self.virtual_size:
            return
        # A taller feed changes nothing else on screen: skip the screen-wide layout pass that setting
        # `virtual_size` normally triggers (as Textual does internally with layout=False), and just
        # update the scrollbars.
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)

    def shows(self, post_id: str) -> bool:
        """True when ``post_id`` is in the feed and not filtered out."""
        i = self._index.get(post_id)
        return i is not None and i in self.rows

    @property
    def current_post(self) -> Post | None:
        if 0 <= self.cursor < len(self.rows):
            return self.posts[self.rows[self.cursor]]
        return None

    # ------------------------------------------------------------------ rendering
    def _refresh_post(self, post_index: int) -> None:
        try:
            row = self.rows.index(post_index)
        except ValueError:
            return
        self.refresh_lines(row * ROW - self.scroll_offset.y, ROW)

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._resize()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + self.scroll_offset.y
        row, sub = divmod(line, ROW)
        if not self.rows:
            if y == 0:
                text = Text(
                    "No posts match this filter." if self.posts else "Waiting for the first posts...",
                    style=self.get_component_rich_style("feed--empty"),
                )
                return Strip(list(text.render(self.app.console)), text.cell_len).adjust_cell_length(width)
            return Strip.blank(width, self.rich_style)
        if row >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        index = self.rows[row]
        post = self.posts[index]
        selected = row == self.cursor
        status = self.status.get(post.id, "open")
        key = (index, sub, width, selected, status, int(self.now // 60), self.has_focus)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_post_line(post, sub, width, selected, status)
            self._cache[key] = strip
        return strip

    def _render_post_line(self, post: Post, sub: int, width: int, selected: bool, status: str) -> Strip:
        s = self.get_component_rich_style
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if sub == 0:
            mark = {"answered": ("✔ ", "feed--answered"), "private": ("✉ ", "feed--private")}.get(
                status, ("● ", "feed--open")
            )
            text.append(mark[0], s(mark[1]))
            text.append(post.name[:28], s("feed--header"))
            text.append(f" {post.handle[:24]}", s("feed--meta"))
            text.append(f" · {reach(post.followers)} · {age(self.now - post.t)}", s("feed--meta"))
            if post.pinned:
                text.append(" PINNED", s("feed--must"))
            if post.must_handle:
                text.append(" MUST", s("feed--must"))
            for tag in post.tags[:4]:
                text.append(f" #{tag}", s("feed--tag"))
        else:
            text.append("  ")
            if post.media is not None:  # what the post carries, in words: never rendered or opened
                text.append(post.media.label() + " ", s("feed--tag"))
            text.append(" ".join(post.text.split()), s("feed--text"))
            quoted = self.posts[self._index[post.quote]] if post.quote in self._index else None
            if quoted is not None:
                text.append(f"  ❝ {quoted.handle}: " + " ".join(quoted.text.split()), s("feed--meta"))
        text.truncate(width, overflow="ellipsis", pad=True)
        base = self.rich_style
        cursor = s("feed--cursor") if selected else Style()
        segments = [
            Segment(seg.text, base + (seg.style or Style()) + cursor)
            for seg in text.render(self.app.console)
            if seg.text != "\n"
        ]
        return Strip(segments).adjust_cell_length(width, base + cursor)

    # ------------------------------------------------------------------ cursor
    def select(self, post_id: str) -> None:
        """Move the selection to ``post_id`` if it is shown."""
        i = self._index.get(post_id)
        if i is not None and i in self.rows:
            self._move(self.rows.index(i))

    def _scroll_to_cursor(self) -> None:
        if self.cursor < 0:
            return
        top = self.cursor * ROW
        height = self.scrollable_content_region.height
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif top + ROW > self.scroll_offset.y + height:
            self.scroll_to(y=top + ROW - height, animate=False, immediate=True)
        if self.at_bottom:
            self.new_count = 0

    def _move(self, cursor: int) -> None:
        if not self.rows:
            return
        cursor = max(0, min(len(self.rows) - 1, cursor))
        if cursor != self.cursor:
            old = self.cursor
            self.cursor = cursor
            self._scroll_to_cursor()
            for row in (old, cursor):
                if row >= 0:
                    self.refresh_lines(row * ROW - self.scroll_offset.y, ROW)
            self._announce()
        if self.cursor == len(self.rows) - 1:
            self.new_count = 0

    def _announce(self) -> None:
        post = self.current_post
        if post is not None:
            self.post_message(self.Selected(post))

    def _visible_rows(self) -> tuple[int, int]:
        """The first and last rows wholly in view."""
        top = -(-int(self.scroll_offset.y) // ROW)
        bottom = (int(self.scroll_offset.y) + self.scrollable_content_region.height) // ROW - 1
        last = len(self.rows) - 1
        return min(top, last), max(min(top, last), min(bottom, last))

    def action_cursor(self, delta: int) -> None:
        if self.cursor < 0:  # nothing selected yet: j takes the top post in view, k the bottom one
            top, bottom = self._visible_rows()
            self._move(top if delta > 0 else bottom)
            return
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        if self.cursor < 0:
            self.action_cursor(direction)
            return
        self._move(self.cursor + direction * max(1, self.scrollable_content_region.height // ROW - 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.rows) - 1)
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.new_count = 0

    def action_activate(self) -> None:
        post = self.current_post
        if post is not None:
            self.post_message(self.Activated(post))

    def on_click(self, event: events.Click) -> None:
        row = (event.y + self.scroll_offset.y) // ROW
        if 0 <= row < len(self.rows):
            self._move(row)
            if event.chain >= 2:
                self.action_activate()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if self.at_bottom:
            self.new_count = 0
