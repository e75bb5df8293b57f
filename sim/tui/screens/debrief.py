"""The debrief: the score card with its evidence, volume against your actions, best and worst
replies, model answers, coaching; export to HTML or JSON."""

from __future__ import annotations

import json
import time
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static, TabbedContent, TabPane

from scoring.card import FAIR, GOOD
from scoring.report import build_html
from sim.scenario.patterns import clock_label, format_time, span
from sim.scenario.text import clean_text
from sim.tui import commands

if TYPE_CHECKING:
    from scoring.card import ScoreCard
    from scoring.record import SessionRecord
    from sim.tui.app import StormdrillApp
    from sim.tui.game import Scored

# The evidence table's columns and their widths; "what happened" takes the rest of the screen.
EVIDENCE_COLUMNS = (("time", 7), ("part", 5), ("points", 6), ("what happened", 0), ("rule", 24))


def _style(score: float) -> str:
    return "bold $success" if score >= GOOD else "bold $warning" if score >= FAIR else "bold $error"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DebriefScreen(Screen[None]):
    TITLE = "Debrief"
    BINDINGS = commands.bindings("debrief")
    # The tabs, each with the command that shows it (its key is in the tab's label).
    TABS = {
        "tab-overview": "debrief.overview",
        "tab-evidence": "debrief.evidence",
        "tab-replies": "debrief.replies",
        "tab-must": "debrief.must",
    }

    class Again(Message):
        """Play the same scenario again, in a new session."""

    class Scenarios(Message):
        """Go to the scenario picker."""

    class Exported(Message):
        """A report was written (the app prints where, on leaving)."""

        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    # After a session that ended while the trainee was typing, one-key commands wait until no key has
    # come for this long: the rest of a word must not open the picker or the file dialog.
    TYPING_PAUSE = 1.0
    _held: bool = False  # one-key commands held while the trainee is still typing
    _last_key: float = 0.0

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self._held

    def on_key(self, event: events.Key) -> None:
        if self._held:
            event.stop()
            event.prevent_default()
            self._last_key = time.monotonic()

    def _let_go(self) -> None:
        """Release the commands once no key has come for TYPING_PAUSE, else look again then."""
        quiet = time.monotonic() - self._last_key
        if quiet < self.TYPING_PAUSE:
            self.set_timer(self.TYPING_PAUSE - quiet, self._let_go)
            return
        self._held = False
        self.refresh_bindings()

    def __init__(self, scored: Scored | None = None) -> None:
        """``scored``: the session and its score card; without it, the app's (the base screen of its
        ``debrief`` mode)."""
        super().__init__()
        self._scored = scored
        self._chart_drawn: tuple[int, int] | None = None  # (minutes per bar, cells per bar) on screen

    @property
    def scored(self) -> Scored:
        if self._scored is None:
            self._scored = cast("StormdrillApp", self.app).scored
        assert self._scored is not None
        return self._scored

    @property
    def card(self) -> ScoreCard:
        return self.scored.card

    @property
    def rec(self) -> SessionRecord:
        return self.scored.record

    @property
    def journal(self) -> Path:
        return self.scored.journal

    @property
    def history(self) -> list[float]:
        """This trainee's totals on this scenario in their history, oldest first, this one last."""
        return self.scored.history

    def compose(self) -> ComposeResult:
        c = self.card
        yield Header()
        with Horizontal(id="debrief-scores"):
            for name, value in (
                ("Total", c.total),
                ("Speed", c.speed.score),
                ("Tone", c.tone.score),
                ("Plan", c.plan.score),
            ):
                yield Static(
                    Content.assemble((f"{name}\n", "dim"), (f"{value:.0f}", _style(value))), classes="score-box"
                )
        with TabbedContent(id="debrief-tabs"):
            with TabPane(self._tab_label("tab-overview"), id="tab-overview"), VerticalScroll():
                yield Static(self._chart_title(), id="chart-title")
                yield Sparkline([], id="volume")
                yield Static(id="action-line")
                yield Static(self._figures(), id="figures")
                if len(self.history) > 1:
                    yield Static(self._progress(), id="progress")
                yield Static(self._coaching(), id="coaching")
            with TabPane(self._tab_label("tab-evidence"), id="tab-evidence"):
                yield DataTable(id="evidence", cursor_type="row", zebra_stripes=True)
            with TabPane(self._tab_label("tab-replies"), id="tab-replies"), VerticalScroll():
                yield Static(self._replies(), id="replies")
            with TabPane(self._tab_label("tab-must"), id="tab-must"), VerticalScroll():
                yield Static(self._must(), id="must")
        # What was exported, and where: a line of its own, so it covers nothing (no notification).
        yield Static(id="debrief-note")
        yield Footer()

    def _tab_label(self, tab: str) -> Content:
        command = self.TABS[tab]
        return Content.assemble((commands.hint(self, command), "bold $accent"), " ", commands.BY_ID[command].label)

    def action_tab(self, tab: str) -> None:
        self.query_one("#debrief-tabs", TabbedContent).active = tab

    def _chart_layout(self, width: int) -> tuple[int, int]:
        """(minutes per bar, cells per bar) so that the chart fits ``width`` columns of the screen."""
        minutes = max(1, -(-self.rec.scenario.duration // 60))
        avail = max(20, width - 6)  # margins and the scrollbar
        per = -(-minutes // avail)
        bars = -(-minutes // per)
        return per, max(1, min(3, avail // bars))

    def _draw_chart(self, width: int) -> None:
        per, k = self._chart_layout(width)
        if self._chart_drawn == (per, k):
            return
        self._chart_drawn = (per, k)
        volume = self._volume(per)
        spark = self.query_one("#volume", Sparkline)
        spark.data = volume
        spark.styles.width = len(volume) * k
        self.query_one("#action-line", Static).update(self._action_line(per, k))

    def on_resize(self) -> None:
        self._draw_chart(self.app.size.width)
        self._fill_evidence(self.app.size.width)

    def on_mount(self) -> None:
        self._draw_chart(self.app.size.width)
        self.sub_title = f"{self.card.scenario_title}: {self.card.total:.0f}/100" + (
            " (coached)" if self.card.coached else ""
        )
        self._fill_evidence(self.app.size.width)
        if self.scored.note:  # why the session could not be kept in the history
            self._note(Content.assemble(("History: ", "bold $warning"), self.scored.note))
        unsent = getattr(self.app, "unsent", "")
        if unsent:
            self._held = True
            self._last_key = time.monotonic()
            self.set_timer(self.TYPING_PAUSE, self._let_go)
            self.refresh_bindings()
            self._note(
                Content.assemble(
                    ("The storm ended while you were typing. ", "bold $warning"),
                    "Not sent: ",
                    (_shorten(clean_text(unsent, visible=True), 160), "italic"),
                )
            )
        self.watch(self.app, "theme", lambda: self._fill_evidence(self.app.size.width, force=True), init=False)

    _evidence_shape: tuple[int, str] | None = None

    def _fill_evidence(self, width: int, *, force: bool = False) -> None:
        """The evidence, every column on screen: "what happened" wraps in the width the others leave."""
        fixed = sum(w for _, w in EVIDENCE_COLUMNS) + 2 * len(EVIDENCE_COLUMNS) + 4  # cell padding, scrollbar
        what_w = max(20, width - fixed)
        if self._evidence_shape == (what_w, self.app.theme) and not force:
            return
        self._evidence_shape = (what_w, self.app.theme)
        colours = self.app.theme_variables
        good, bad = Style(color=colours.get("success")), Style(color=colours.get("error"))
        table = self.query_one("#evidence", DataTable)
        table.clear(columns=True)
        for name, w in EVIDENCE_COLUMNS:
            table.add_column(name, width=w or what_w, key=name)
        for e in sorted(self.card.evidence, key=lambda e: (e.t, e.part)):
            table.add_row(
                Text(format_time(e.t)),
                Text(e.part),
                Text(f"{e.points:+.1f}", style=good if e.points > 0 else bad if e.points < 0 else "", justify="right"),
                Text(e.what),
                Text(e.rule, style="dim", overflow="fold"),
                height=None,  # as tall as its wrapped text
            )

    # ----------------------------------------------------------------- content
    def _bars(self, per: int) -> int:
        return max(1, -(-self.rec.scenario.duration // (60 * per)))

    def _volume(self, per: int) -> list[float]:
        """Posts per bar of ``per`` minutes (per minute, averaged, when a bar spans several)."""
        bars = self._bars(per)
        counts = [0.0] * bars
        for d in self.rec.posts.values():
            counts[min(bars - 1, int(d.t // (60 * per)))] += 1 / per
        return counts

    def _chart_title(self) -> Content:
        return Content.assemble(
            ("Incoming posts per minute", "bold"),
            ("  (below: your actions; r reply, u update, A action plan, · silence longer than expected)", "dim"),
        )

    def _action_line(self, per: int, k: int) -> Content:
        """Marks under the chart, ``k`` cells for each bar of ``per`` minutes, and the time axis."""
        bars = self._bars(per)
        width = bars * k
        bar_s = 60 * per
        cells = [" "] * width
        every = self.rec.scenario.scoring.update_every
        statements = [a.t for a in self.rec.actions if a.statement]
        edges = [0.0, *statements, float(self.rec.scenario.duration)]
        for a, b in pairwise(edges):
            if b - a > every:
                for m in range(int(a // bar_s), min(bars, int(b // bar_s))):
                    for j in range(k):
                        cells[m * k + j] = "·"
        for act in self.rec.actions:
            i = min(width - 1, int(act.t // bar_s) * k)
            mark = {"reply": "r", "private": "r", "update": "u", "plan": "A"}.get(act.kind)
            if mark and (cells[i] in " ·r" or mark == "A"):
                cells[i] = mark
        start = self.rec.scenario.start_minutes
        return Content.assemble(
            "".join(cells),
            "\n",
            (clock_label(start, 0), "dim"),
            (" " * max(1, width - 10), ""),
            (clock_label(start, self.rec.scenario.duration), "dim"),
        )

    def _figures(self) -> Content:
        sp = self.card.speed.details

        def t(v: object) -> str:
            return span(float(v)) if isinstance(v, int | float) else "none"

        rows = [
            ("First public statement", t(sp.get("first_statement_s"))),
            ("Median / 90th percentile first reply", f"{t(sp.get('median_reply_s'))} / {t(sp.get('p90_reply_s'))}"),
            ("Posts needing an answer, answered", f"{sp.get('answered_pct', 0)}%"),
            ("Must-handle posts answered in time", f"{sp.get('must_handle_in_time_pct') or 0}%"),
            ("Longest public silence", t(sp.get("longest_silence_s"))),
            ("Promises kept / broken", f"{sp.get('promises_kept', 0)} / {sp.get('promises_broken', 0)}"),
            (
                "Action plan",
                "on time"
                if self.card.plan.details.get("on_time")
                else ("late" if self.card.plan.details.get("posted") else "none"),
            ),
        ]
        parts: list[Content | tuple[str, str] | str] = ["\n", ("Key figures\n", "bold")]
        for k, v in rows:
            parts += [(f"{k:<40}", "dim"), v, "\n"]
        return Content.assemble(*parts)

    def _progress(self) -> Content:
        # As shown: whole points, so "19 → 19" is never "a new best" (18.6 then 19.4).
        totals = [float(round(t)) for t in self.history[-12:]]
        best = max(totals[:-1])
        now = totals[-1]
        trend = " → ".join(f"{t:.0f}" for t in totals[:-1])
        verdict = (
            ("a new best", "bold $success")
            if now > best
            else ("equal to your best", "bold")
            if now == best
            else (f"your best is {best:.0f}", "bold $warning")
        )
        return Content.assemble(
            "\n",
            ("Your progress on this scenario\n", "bold"),
            (f"{len(self.history)} sessions: ", "dim"),
            trend,
            " → ",
            (f"{now:.0f} now", _style(now)),
            " (",
            verdict,
            ")\n",
        )

    def _coaching(self) -> Content:
        parts: list[Content | tuple[str, str] | str] = ["\n", ("Coaching\n", "bold")]
        for w in self.card.warnings:
            parts += [("Note: ", "bold $warning"), w, "\n"]
        for c in self.card.coaching:
            parts += ["• ", c, "\n"]
        return Content.assemble(*parts)

    def _replies(self) -> Content:
        ranked = sorted(self.card.replies, key=lambda r: r.score)
        if not ranked:
            return Content("You sent no replies or statements.")
        parts: list[Content | tuple[str, str] | str] = []
        for title, group in (("Best", list(reversed(ranked[-3:]))), ("Worst", ranked[:3])):
            parts += [(f"{title}\n", "bold")]
            for r in group:
                parts += [
                    (f"{format_time(r.t)} {r.kind} · tone {r.score}/100  ", _style(r.score)),
                    (", ".join(f.replace("_", " ") for f in r.flags), "dim"),
                    "\n",
                ]
                if r.post_text:
                    parts += [("  to: ", "dim"), (r.post_text, "dim italic"), "\n"]
                parts += ["  ", r.text, "\n"]
                for why in r.why[:4]:
                    parts += [("   - ", "dim"), (why, "dim"), "\n"]
                parts += ["\n"]
        return Content.assemble(*parts)

    def _must(self) -> Content:
        if not self.card.must_handle:
            return Content("No must-handle posts were delivered.")
        parts: list[Content | tuple[str, str] | str] = []
        for row in self.card.must_handle:
            timing = (
                "not answered"
                if row["first_reply_s"] is None
                else (
                    f"answered after {format_time(row['first_reply_s'])}"
                    + (" (in time)" if row["in_time"] else " (late)")
                )
            )
            parts += [
                (row["author"], "bold"),
                (f"  {format_time(row['t'])} · {timing}", "dim"),
                "\n",
                row["text"],
                "\n",
            ]
            for a in row["answers"]:
                parts += [(f"  You ({a['kind']}): ", "bold $success"), a["text"], "\n"]
            if row["model_answer"]:
                parts += [("  Model answer: ", "bold $accent"), row["model_answer"], "\n"]
            parts += ["\n"]
        return Content.assemble(*parts)

    # ----------------------------------------------------------------- next
    def action_again(self) -> None:
        self.post_message(self.Again())

    def action_scenarios(self) -> None:
        self.post_message(self.Scenarios())

    # ----------------------------------------------------------------- export
    def _export_path(self, suffix: str) -> Path:
        return self.journal.with_suffix(suffix)  # next to the journal

    def action_export_html(self) -> None:
        self._export(self._export_path(".html"), "HTML report")

    def action_export_json(self) -> None:
        self._export(self._export_path(".score.json"), "Score card")

    @work(thread=True, group="export", description="export")
    def _export(self, path: Path, what: str) -> None:
        """Build and write a report in a worker (a long session's HTML takes a moment)."""
        try:
            if path.suffix == ".html":
                text = build_html([(self.card, self.rec)])
            else:
                text = json.dumps(self.card.to_json(), indent=2, ensure_ascii=False)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            note = Content.assemble((f"Could not write the {what.lower()}: ", "bold $error"), f"{path}: {exc}")
            self.app.call_from_thread(self._note, note)
            return
        self.app.call_from_thread(self._exported, path, what)

    def _exported(self, path: Path, what: str) -> None:
        self.post_message(self.Exported(path))
        self._note(Content.assemble((f"{what} written: ", "bold $success"), str(path)))

    def _note(self, note: Content) -> None:
        line = self.query_one("#debrief-note", Static)
        line.update(note)
        line.add_class("-shown")
