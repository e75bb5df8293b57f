"""``stormdrill replay``: a session played back, read-only, with a scrubber (one journal, or two side
by side: another attempt, or the ideal bot on the same seed).

The state at each moment comes from ``scoring.replay`` (the journal read back); this module only
draws it and moves its own clock. Nothing is written: a replay has no journal of its own.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Input, Static

from scoring.replay import Moment, Replay
from sim.scenario.model import Post, Scenario
from sim.scenario.patterns import clock_label, format_time
from sim.scenario.text import clean_text
from sim.tui import commands
from sim.tui.options import SPEEDS

TICK = 0.1  # seconds of wall time between frames
FEED_ROWS = 60  # the newest posts drawn in a pane's feed
KINDS = {"reply": "reply to", "private": "private message to", "update": "public update", "plan": "action plan"}


def build_replays(scenario: Scenario, journals: Sequence[tuple[Path, Any]], *, ideal: bool = False) -> list[Replay]:
    """The replays to show: each journal (a path and its read journal), then the ideal bot if asked."""
    out = [Replay(scenario, j.header, list(j.events), _label(path, j.header)) for path, j in journals]
    if ideal:
        from scoring.judge import tone_judge
        from sim.autoplay import run_autoplay
        from sim.engine.journal import read_journal

        head = journals[0][1].header
        seed = scenario.seed if head.seed is None else head.seed
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "ideal.jsonl"
            run_autoplay(scenario, "ideal", seed, path, judge=tone_judge).close()
            j = read_journal(path)
        out.append(Replay(scenario, j.header, list(j.events), f"ideal bot (seed {seed})"))
    return out


def _label(path: Path, header: Any) -> str:
    who = header.trainee or header.bot or path.stem
    return f"{who}{' (coached)' if header.coached else ''}: {path.name}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _line(text: str) -> str:
    return clean_text(text, single_line=True)


def feed_content(m: Moment, start_minutes: int, rows: int = FEED_ROWS) -> Content:
    """The newest posts first, each with its status (open, answered, private) and must-handle mark."""
    parts: list[Content | tuple[str, str] | str] = []
    for post in reversed(m.posts[-rows:]):
        status = m.status.get(post.id, "open")
        mark, style = {"answered": ("✓", "$success"), "private": ("✉", "$accent")}.get(status, ("•", "$warning"))
        parts += [(f"{mark} ", style), (clock_label(start_minutes, post.t) + " ", "dim")]
        parts += [(_line(post.handle), "bold"), (" !" if post.must_handle else "", "bold $error")]
        parts += [f"  {_line(post.text)[:200]}\n"]
    return Content.assemble(*parts) if parts else Content("No posts yet.")


def actions_content(m: Moment, start_minutes: int, posts: dict[str, Post]) -> Content:
    """The trainee's actions so far, newest first, each with its flags and points."""
    parts: list[Content | tuple[str, str] | str] = []
    for s in reversed(m.actions):
        a = s.action
        to = posts.get(a.post_id or "")
        head = f"{clock_label(start_minutes, a.t)} {KINDS.get(a.kind, a.kind)}" + (f" {_line(to.handle)}" if to else "")
        parts += [(head, "bold")]
        if s.tone is not None:
            parts += [("  tone ", "dim"), (f"{s.tone}", "bold $success" if s.tone >= 60 else "bold $warning")]
        if s.points:
            parts += [("  points ", "dim"), (f"{s.points:+.1f}", "bold $success" if s.points > 0 else "bold $error")]
        parts.append("\n")
        if s.flags:
            parts += [("  flags: ", "dim"), ", ".join(s.flags), "\n"]
        parts += [f"  {_line(a.full_text())[:300]}\n\n"]
    return Content.assemble(*parts) if parts else Content("No actions yet.")


class ReplayPane(Vertical):
    """One session at the replay's moment: who, score, status, feed, and actions."""

    DEFAULT_CSS = """
    ReplayPane { width: 1fr; border: round $primary-darken-2; }
    ReplayPane .pane-head { height: auto; padding: 0 1; background: $boost; }
    ReplayPane .pane-feed { height: 1fr; }
    ReplayPane .pane-actions { height: 1fr; border-top: solid $primary-darken-2; }
    """

    def __init__(self, replay: Replay, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.replay = replay
        self.moment: Moment | None = None

    def compose(self) -> ComposeResult:
        yield Static(classes="pane-head")
        with VerticalScroll(classes="pane-feed"):
            yield Static(classes="feed-body")
        with VerticalScroll(classes="pane-actions"):
            yield Static(classes="actions-body")

    def show(self, t: float) -> Moment:
        r = self.replay
        m = r.at(t)
        self.moment = m
        start = r.scenario.start_minutes
        card = r.card
        silence = "no update yet" if m.silence is None else f"{format_time(m.silence)} since the last update"
        head = Content.assemble(
            (_line(r.label), "bold"),
            f"  total {card.total:.0f} (speed {card.speed.score:.0f}, tone {card.tone.score:.0f}, "
            f"plan {card.plan.score:.0f})\n",
            f"{_count(len(m.posts), 'post')} · {sum(1 for p in m.posts if p.id in m.status)} answered · "
            f"{_count(len(m.actions), 'action')} · pressure {m.pressure:.0f} · {silence}",
        )
        self.query_one(".pane-head", Static).update(head)
        self.query_one(".feed-body", Static).update(feed_content(m, start))
        posts = {p.id: p for p in m.posts}
        self.query_one(".actions-body", Static).update(actions_content(m, start, posts))
        return m


class ReplayApp(App[None]):
    """Watch a session again: read-only, with a scrubber."""

    TITLE = "Stormdrill replay"
    CSS = """
    #panes { height: 1fr; }
    #scrubber { height: 3; padding: 0 1; background: $panel; }
    #goto { display: none; }
    """
    BINDINGS = commands.bindings("replay")

    def __init__(self, replays: Sequence[Replay], *, speed: float = 10.0, auto_tick: bool = True) -> None:
        super().__init__()
        self.replays = list(replays)
        self.t = 0.0
        self.speed = float(speed)
        self.playing = auto_tick
        self.auto_tick = auto_tick
        self.end_t = max(r.end_t for r in self.replays)
        self.action_times = sorted({t for r in self.replays for t in r.action_times})

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            for i, r in enumerate(self.replays):
                yield ReplayPane(r, id=f"pane-{i}")
        yield Input(placeholder="go to minute (e.g. 12 or 12:30), enter to jump, esc to cancel", id="goto")
        yield Static(id="scrubber")
        yield Footer()

    def on_mount(self) -> None:
        sc = self.replays[0].scenario
        self.sub_title = f"{sc.title}: read-only"
        self._close_goto()
        self.show()
        if self.auto_tick:
            self.set_interval(TICK, self._tick)

    @property
    def start_minutes(self) -> int:
        return self.replays[0].scenario.start_minutes

    def _tick(self) -> None:
        if not self.playing:
            return
        self.t = min(self.end_t, self.t + TICK * self.speed)
        if self.t >= self.end_t:
            self.playing = False
        self.show()

    def show(self) -> list[Moment]:
        moments = [pane.show(self.t) for pane in self.query(ReplayPane)]
        self.query_one("#scrubber", Static).update(self._scrubber())
        return moments

    def _scrubber(self) -> Content:
        width = max(20, self.size.width - 4)
        end = max(self.end_t, 1.0)
        marks = [" "] * width
        for t in self.action_times:
            marks[min(width - 1, int(t / end * (width - 1)))] = "|"
        at = min(width - 1, int(self.t / end * (width - 1)))
        bar = ["━" if i <= at else "─" for i in range(width)]
        bar[at] = "●"
        state = "playing" if self.playing else "paused"
        info = f"{clock_label(self.start_minutes, self.t)} ({format_time(self.t)} of {format_time(self.end_t)})"
        # One line, whatever the width (a second one would push the track out of sight): the legend's
        # parts while they fit; the footer has the keys.
        for part in (f"{self.speed:g}x", state, "| an action", "←/→ a minute", "[ ] actions", "g go to a minute"):
            if len(info) + 3 + len(part) > width:
                break
            info += f" · {part}"
        return Content.assemble((info + "\n", "bold"), ("".join(marks) + "\n", "$accent"), "".join(bar))

    # ------------------------------------------------------------------ keys
    def seek(self, t: float) -> None:
        self.t = max(0.0, min(self.end_t, float(t)))
        self.show()

    def action_seek(self, delta: float) -> None:
        self.seek(self.t + float(delta))

    def action_seek_to(self, t: float) -> None:
        self.seek(self.end_t if float(t) < 0 else float(t))

    def action_step(self, direction: int) -> None:
        """To the next (or previous) action of any session shown."""
        if direction > 0:
            nxt = next((t for t in self.action_times if t > self.t + 1e-6), None)
        else:
            nxt = next((t for t in reversed(self.action_times) if t < self.t - 1e-6), None)
        if nxt is not None:
            self.playing = False
            self.seek(nxt)

    def action_pause(self) -> None:
        self.playing = not self.playing
        self.show()

    def action_faster(self) -> None:
        self.speed = next((s for s in SPEEDS if s > self.speed), self.speed)
        self.show()

    def action_slower(self) -> None:
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), self.speed)
        self.show()

    def action_goto(self) -> None:
        box = self.query_one("#goto", Input)
        box.display = True
        box.value = ""
        self.set_focus(box)

    @on(Input.Submitted, "#goto")
    def goto_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        minutes, _, seconds = value.partition(":")
        try:
            t = float(minutes) * 60 + (float(seconds) if seconds else 0.0)
        except ValueError:
            self.notify(f"Not a minute: {value!r}. Type 12 or 12:30.", severity="warning", markup=False)
            return
        self._close_goto()
        self.playing = False
        self.seek(t)

    def _close_goto(self) -> None:
        self.query_one("#goto", Input).display = False
        self.set_focus(None)  # the keys go to the replay, not to the hidden box

    def on_key(self, event: Any) -> None:
        if event.key == "escape" and self.query_one("#goto", Input).display:
            self._close_goto()
            event.stop()
