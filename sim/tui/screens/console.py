"""The console, the heart of the game: the feed, the selected post, the composer, your public
channel, your private messages, the briefings and the status bar. It turns keys into actions, and
the game's messages (what changed, published by the app on each tick) into pixels: it never polls."""

from __future__ import annotations

from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, TabbedContent, TabPane, TextArea

from sim.scenario.model import Briefing, Post
from sim.scenario.patterns import clock_label
from sim.tui import commands
from sim.tui.coaching import check_draft, show_hints
from sim.tui.game import Game
from sim.tui.messages import (
    BriefingsArrived,
    ChannelChanged,
    ClockTicked,
    HintsArrived,
    PostsArrived,
    StatusesChanged,
    publish,
)
from sim.tui.palette import BriefingsProvider, PostsProvider
from sim.tui.screens.confirm import ConfirmScreen, EndConfirmScreen
from sim.tui.screens.plan import PlanDraft, PlanEditor
from sim.tui.widgets.composer import Composer
from sim.tui.widgets.feed import FeedView
from sim.tui.widgets.panels import BriefingsView, ChannelView, Panel, PostDetail, StatusBar

__all__ = ["ConfirmScreen", "ConsoleScreen", "EndConfirmScreen"]

FILTERS = ("all", "unanswered", "must-handle")


class ConsoleScreen(Screen[None]):
    """Play the scenario: triage the feed, answer, update, publish the plan."""

    # Short terminals (24 rows) give the selected post the room the composer and the tabs would take.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = commands.bindings("console")
    COMMANDS = {PostsProvider, BriefingsProvider}  # besides the app's: jump to a post, open a briefing
    # The one-key commands are priority bindings (see commands.py): while a text field has focus they
    # are disabled (check_action) and the key is typed instead.
    _ONE_KEY_ACTIONS = commands.typed_actions("console")

    class Ended(Message):
        pass

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        typing = isinstance(self.focused, TextArea | Input)
        if action in self._ONE_KEY_ACTIONS and typing:
            return False  # off the footer while typing: the key goes to the text field (enter is a new line)
        if action == "to_feed":
            return typing  # esc is in the footer only while there is a text field to leave
        return True

    def __init__(self, game: Game) -> None:
        super().__init__()
        self.game = game
        self.selected: Post | None = None
        self.filter_index = 0
        self.tag: str | None = None
        self.seen_briefings: set[str] = {b.id for b in game.scenario.briefings if b.t == 0}
        if game.resumed:
            # The resumed session's briefing listed every briefing so far.
            self.seen_briefings |= {b.id for b in game.briefings()}
        self.briefings: list[Briefing] = []
        self.plan_draft: PlanDraft | None = None
        self._judging = False  # a text is being judged in a worker before it is sent
        self.last_check: Any = None  # the last draft check (coaching)
        self._minute = -1  # the scenario minute on screen (ages move in minute steps)

    @property
    def tags(self) -> list[str]:
        """The tags of the posts delivered so far, for the tag filter (no empty filters)."""
        return sorted({t for p in self.query_one(FeedView).posts for t in p.tags})

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="console"):
            with Vertical(id="left"):
                yield Panel(id="feed-bar")
                yield Input(placeholder="search author, handle or text; enter to apply, esc to close", id="search")
                yield FeedView(id="feed")
            with Vertical(id="right"):
                with VerticalScroll(id="detail-box"):
                    yield PostDetail(id="detail")
                yield Composer(id="composer")
                with TabbedContent(id="tabs"):
                    with TabPane("Public", id="tab-channel"), VerticalScroll():
                        yield ChannelView(id="channel")
                    with TabPane("Private", id="tab-private"), VerticalScroll():
                        yield ChannelView(private=True, id="private")
                    with TabPane("Briefings", id="tab-briefings"), VerticalScroll():
                        yield BriefingsView(id="briefings")
        yield StatusBar(id="status")
        yield Footer()

    def on_resize(self, event: events.Resize) -> None:
        # Narrow terminals: a compact footer shows more of the keys (all of them are in ctrl+p).
        self.query_one(Footer).compact = event.size.width < 120

    def on_mount(self) -> None:
        self.title = self.game.scenario.title
        self.sub_title = f"{self.game.scenario.company.name} {self.game.scenario.company.handle}"
        self.query_one("#search", Input).display = False
        self.query_one(PostDetail).show(None, now=0, start_minutes=self.game.start_minutes)
        self.watch(self.query_one(FeedView), "new_count", self._feed_bar)
        self.set_focus(self.query_one(FeedView))
        # Everything so far (a resumed session has posts, answers and briefings already).
        self.game.rewind_changes()
        publish(self.app, self.game, self.game.changes(), initial=True)

    def _game_changed(self) -> None:
        """The trainee acted (or paused, or changed speed): show what changed, now, not on the next tick."""
        publish(self.app, self.game, self.game.changes())

    # ------------------------------------------------------------------ the game's messages -> pixels
    def on_posts_arrived(self, message: PostsArrived) -> None:
        self.query_one(FeedView).add_posts(message.posts)  # the feed bar follows its new_count

    def on_statuses_changed(self, message: StatusesChanged) -> None:
        feed = self.query_one(FeedView)
        for post_id, status in message.changes:
            feed.set_status(post_id, status)
        if self.selected is not None and self.selected.id in message.post_ids:
            self._show_selected()

    def on_clock_ticked(self, message: ClockTicked) -> None:
        status = message.status
        self.query_one(StatusBar).show(status)
        self.query_one(FeedView).set_now(status.now)
        minute = int(status.now // 60)
        if minute != self._minute:
            self._minute = minute
            self._show_selected()  # its age, in minute steps

    def on_hints_arrived(self, message: HintsArrived) -> None:
        show_hints(self, message.hints)

    def on_channel_changed(self, message: ChannelChanged) -> None:
        start = self.game.start_minutes
        self.query_one("#channel", ChannelView).show(message.public, start)
        self.query_one("#private", ChannelView).show(message.private, start)
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-private").label = Content(
            f"Private ({len(message.private)})" if message.private else "Private"
        )
        self._show_selected()  # your answers to it

    def on_briefings_arrived(self, message: BriefingsArrived) -> None:
        self.briefings = message.every
        if not message.initial:
            for b in message.fresh:
                if b.id not in self.seen_briefings:
                    # Short: the briefing itself is in its tab, marked NEW until read.
                    key = commands.hint(self, "console.briefings")
                    self.notify(f"{b.title} ({key} to read it)", title="New briefing", timeout=8, markup=False)
        if self.query_one(TabbedContent).active == "tab-briefings":
            self.seen_briefings |= {b.id for b in self.briefings}
        self._show_briefings()

    def _show_briefings(self) -> None:
        game = self.game
        view = self.query_one(BriefingsView)
        # Format 2: embargoes and the crisis type's changes are shown with the briefings.
        view.show(
            self.briefings, self.seen_briefings, game.start_minutes, now=game.now, crisis_changes=game.crisis_changes()
        )
        unseen = sum(1 for b in self.briefings if b.id not in self.seen_briefings)
        label = f"Briefings ({unseen} new)" if unseen else "Briefings"
        self.query_one(TabbedContent).get_tab("tab-briefings").label = Content(label)

    def _feed_bar(self) -> None:
        feed = self.query_one(FeedView)
        kind = FILTERS[self.filter_index]
        tag = self.tag
        parts: list[Content | tuple[str, str] | str] = [("Feed ", "bold"), (f"[{kind}]", "$accent")]
        if tag:
            parts += [" ", (f"#{tag}", "$accent")]
        search = self.query_one("#search", Input).value.strip()
        if search:
            parts += [" ", ("search: ", "dim"), search]
        keys = [commands.hint(self, c) for c in ("console.filter", "console.tag", "console.search")]
        parts += [(f"  {keys[0]} filter · {keys[1]} tag · {keys[2]} search", "dim")]
        new = feed.new_count
        if new:
            parts += ["  ", (f" {new} new ↓ (end) ", "bold reverse $warning")]
        self.query_one("#feed-bar", Panel).put(Content.assemble(*parts), layout=False)  # one line, always

    def _show_selected(self) -> None:
        post = self.selected
        if post is None:
            return
        self.query_one(PostDetail).show(
            post,
            now=self.game.now,
            start_minutes=self.game.start_minutes,
            thread=self.game.thread(post.id),
            persona=self.game.scenario.persona(post.author),
            answers=self.game.answers_to(post.id),
            status=self.game.status_of(post.id),
            quoted=self.game.quoted(post),
        )

    @on(FeedView.Selected)
    def post_selected(self, event: FeedView.Selected) -> None:
        self.selected = event.post
        self._show_selected()
        self.query_one("#detail-box", VerticalScroll).scroll_home(animate=False)
        self.query_one(Composer).follow(event.post.id, event.post.handle)

    @on(FeedView.Activated)
    def post_activated(self, event: FeedView.Activated) -> None:
        self.selected = event.post
        self.action_reply()

    @on(TabbedContent.TabActivated)
    def tab_changed(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-briefings":
            self._mark_briefings_seen()

    def _mark_briefings_seen(self) -> None:
        """The briefings tab is on screen: every briefing in it has been read (no longer NEW)."""
        if any(b.id not in self.seen_briefings for b in self.briefings):
            self.seen_briefings |= {b.id for b in self.briefings}
            self._show_briefings()

    # ------------------------------------------------------------------ keys -> actions
    def _need_post(self) -> Post | None:
        # The feed's cursor is current even before its selection message arrives (keys typed fast).
        post = self.query_one(FeedView).current_post or self.selected
        if post is None:
            keys = [commands.hint(self, c) for c in ("feed.down", "feed.up", "console.reply", "console.private")]
            self.notify(
                f"Select a post in the feed first ({keys[0]}/{keys[1]}, then {keys[2]} or {keys[3]}).",
                severity="warning",
                markup=False,
            )
        return post

    def action_reply(self) -> None:
        self._open_for_post("reply")

    def action_private(self) -> None:
        self._open_for_post("private")

    def _open_for_post(self, mode: str) -> None:
        composer = self.query_one(Composer)
        post = self._need_post()
        if post:
            composer.open(mode, post.id, post.handle)
        elif composer.mode == "idle":
            # No post to answer yet: the text the trainee goes on typing lands in the box (nothing
            # chosen, so it cannot be sent by mistake) instead of running the console's letter keys
            # ("a" opening the plan editor, "e" asking to end). It is kept for the post chosen next.
            composer.open("idle")

    def action_update(self) -> None:
        self.query_one(Composer).open("update")

    def action_to_feed(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus:
            search.display = False
        self.set_focus(self.query_one(FeedView))

    def action_send(self) -> None:
        composer = self.query_one(Composer)
        if composer.has_focus_within:
            # ctrl+s is a priority binding, so it can overtake keys still queued for the text box
            # (fast typing, a paste): submit from the text box's own queue, after them.
            composer.query_one(TextArea).call_later(composer.submit)

    @on(Composer.Send)
    def send(self, event: Composer.Send) -> None:
        if event.mode == "idle":
            r, u, m = (commands.hint(self, f"console.{c}") for c in ("reply", "update", "private"))
            self.notify(
                f"Choose what this is first: {r} reply to the selected post, {u} public update, {m} private message.",
                title="Not sent",
                severity="warning",
                markup=False,
            )
            return
        if self.game.judges_ahead:
            # The reply judge takes ~10 ms: judge in a worker, then send on the UI thread. The text
            # stays in the box until the journal has it; a second ctrl+s meanwhile is the same send.
            if self._judging:
                return
            self._judging = True
            self._judge_then_send(event)
            return
        self._send(event)

    @work(thread=True, group="judge-send", description="judge, then send")
    def _judge_then_send(self, event: Composer.Send) -> None:
        verdict = self.game.judge_ahead(self.game.make_action(event.mode, event.text, event.post_id))
        self.app.call_from_thread(self._send, event, verdict)

    def _send(self, event: Composer.Send, verdict: Any = None) -> None:
        self._judging = False
        composer = self.query_one(Composer)
        ok, reason = self.game.send(event.mode, event.text, event.post_id, verdict)
        if not ok:
            self.notify(reason, title="Not sent", severity="error", markup=False)
            return
        to = f" to {composer.target}" if composer.target else ""
        composer.clear()
        where = {"reply": f"Reply{to} sent", "update": "Update posted", "private": f"Private message{to} sent"}[
            event.mode
        ]
        self.notify(f"{where}. Saved to your journal.", timeout=3, markup=False)
        self._warn_promise()
        self._game_changed()
        self.set_focus(self.query_one(FeedView))

    def _warn_promise(self) -> None:
        if self.game.promise_note:
            self.notify(
                self.game.promise_note, title="Check your promise", severity="warning", timeout=10, markup=False
            )

    def action_check_draft(self) -> None:
        """The judge's reading of the draft in the composer, before it is sent (coaching)."""
        composer = self.query_one(Composer)
        self.last_check = check_draft(self, self.game, composer.mode, composer.text, composer.post_id)

    def action_plan(self) -> None:
        editor = PlanEditor(self.plan_draft, status=self.game.status())

        def done(draft: PlanDraft | None) -> None:
            if draft is None:
                self.plan_draft = editor.collect() if editor.is_mounted else self.plan_draft
                return
            ok, reason = self.game.send_plan(draft.text, draft.steps, draft.next_update)
            if not ok:
                self.plan_draft = draft
                self.notify(reason, title="Plan not published", severity="error", markup=False)
                return
            self.plan_draft = draft
            self.notify("Action plan published. Saved to your journal.", timeout=4, markup=False)
            self._warn_promise()
            self._game_changed()

        self.app.push_screen(editor, done)

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self._apply_filter()

    def action_cycle_tag(self, step: int = 1) -> None:
        """Next (or previous) tag among the posts so far, then back to no tag filter."""
        choices: list[str | None] = [None, *self.tags]
        at = choices.index(self.tag) if self.tag in choices else 0
        self.tag = choices[(at + step) % len(choices)]
        self._apply_filter()

    def _apply_filter(self) -> None:
        self.query_one(FeedView).set_filter(FILTERS[self.filter_index], self.tag)
        self._feed_bar()

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        self.set_focus(search)  # at once, not after the keys already queued

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        self.query_one(FeedView).set_search(event.value.strip())
        if not event.value.strip():
            event.input.display = False
        self._feed_bar()
        self.set_focus(self.query_one(FeedView))

    def action_pause(self) -> None:
        self.game.toggle_pause()
        self._game_changed()

    def action_faster(self) -> None:
        self._speed(+1)

    def action_slower(self) -> None:
        self._speed(-1)

    def _speed(self, step: int) -> None:
        before = self.game.speed
        after = self.game.step_speed(step)
        if after == before:
            end = "fastest" if step > 0 else "slowest"
            self.notify(f"The clock is already at its {end} speed, {after:g}x.", timeout=3, markup=False)
        self._game_changed()

    def action_next_must(self) -> None:
        """Select the next must-handle post that has no answer yet (after the selected one, wrapping)."""
        feed = self.query_one(FeedView)
        open_posts = [p for p in feed.posts if p.must_handle and self.game.status_of(p.id) == "open"]
        if not open_posts:
            self.notify("Every must-handle post so far has an answer.", timeout=4, markup=False)
            return
        current = feed.current_post
        after = [p for p in open_posts if current is not None and p.t > current.t]
        self.jump_to((after or open_posts)[0].id)

    def jump_to(self, post_id: str) -> None:
        """Select a delivered post in the feed, clearing the filters and the search if they hide it."""
        feed = self.query_one(FeedView)
        if not feed.shows(post_id):
            self.filter_index, self.tag = 0, None
            search = self.query_one("#search", Input)
            search.value = ""
            search.display = False
            feed.set_search("")
            self._apply_filter()
        feed.select(post_id)
        self.set_focus(feed)

    def open_briefing(self, briefing_id: str) -> None:
        """Show the briefings tab, scrolled to one briefing."""
        tabs = self.query_one(TabbedContent)
        tabs.active = "tab-briefings"
        view = self.query_one(BriefingsView)
        self.call_after_refresh(lambda: view.scroll_to_briefing(briefing_id))

    def action_briefings(self) -> None:
        """Switch between the briefings and your public channel."""
        tabs = self.query_one(TabbedContent)
        tabs.active = "tab-channel" if tabs.active == "tab-briefings" else "tab-briefings"

    def action_end(self) -> None:
        def answer(yes: bool | None) -> None:
            if yes:
                self.post_message(self.Ended())

        game = self.game
        left = game.scenario.duration - game.now
        question = "End the session now and see your debrief? Everything you sent is saved in your journal."
        if left > 60:
            end = clock_label(game.start_minutes, game.scenario.duration)
            question = (
                f"End the session at {clock_label(game.start_minutes, game.now)}? The storm runs until {end}: "
                "it is scored to the end, so posts still to come count as unanswered and your silence "
                "runs on. Everything you sent is saved in your journal."
            )
        self.app.push_screen(EndConfirmScreen(question), answer)
