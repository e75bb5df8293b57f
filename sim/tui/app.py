"""The Stormdrill trainee console (Textual app), in four modes (``App.MODES``), each with its own
screen stack:

- ``loading``: every wait: loading a scenario or the library, scoring (the first frame is the same
  loading screen, in Textual's default mode, so it is drawn exactly as fast as a bare app's);
- ``picker``: the scenario library;
- ``play``: the briefing, then the console over it (and its dialogs and the plan editor over that);
- ``debrief``: the score card of the session just played.

Nothing slow runs on the UI thread: loading, starting the storm and scoring run in worker threads
behind the loading screen (or behind the briefing, which shows as soon as the scenario file is
read, while the storm is expanded). During a session the app advances the game on a timer and
publishes what changed to the screens as messages (``sim.tui.messages``); nothing polls.
"""

from __future__ import annotations

import asyncio
import gc
import shlex
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events, work
from textual.app import App, SystemCommand
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.worker import get_current_worker

from sim.scenario.text import clean_text
from sim.tui import commands
from sim.tui.options import GameOptions
from sim.tui.screens.loading import LoadingScreen

if TYPE_CHECKING:
    from sim.scenario.model import Scenario
    from sim.scenario.problems import Problem
    from sim.tui.game import Game, Scored
    from sim.tui.screens.picker import Entry

__all__ = ["GameOptions", "StormdrillApp"]

TICK = 0.1  # seconds of wall time between engine ticks
COLLECT_EVERY = 1.0  # seconds between full garbage collections during a session (see _begin)


# The modes' base screens, built from what the app holds when a mode starts (imported on first use,
# so the first frame needs nothing but Textual).
def _picker() -> Screen[Any]:
    from sim.tui.screens.picker import PickerScreen

    return PickerScreen()


def _briefing() -> Screen[Any]:
    from sim.tui.screens.briefing import BriefingScreen

    return BriefingScreen()


def _debrief() -> Screen[Any]:
    from sim.tui.screens.debrief import DebriefScreen

    return DebriefScreen()


# How long a key waits for the screen on top to be built: 10 ms steps, 10 s at most.
KEY_WAIT_STEP = 0.01
KEY_WAIT_STEPS = 1000


class StormdrillApp(App[None]):
    """Play a crisis scenario in the terminal."""

    TITLE = "Stormdrill"
    CSS_PATH = Path(__file__).parent / "app.tcss"
    MODES = {"loading": LoadingScreen, "picker": _picker, "play": _briefing, "debrief": _debrief}
    BINDINGS = commands.bindings("app", "help")

    def __init__(
        self,
        options: GameOptions,
        *,
        scenario: str | Scenario | None = None,
        auto_tick: bool = True,
        keymap: commands.Keymap | None = None,
    ) -> None:
        """``scenario`` is a library id or a path (loaded behind the first frame), or a loaded Scenario.

        ``keymap`` ({command id: keys}) defaults to the trainee's keymap file; one with problems is
        not used (they are in ``keymap_problems``, and shown once the first screen is up)."""
        super().__init__()
        from sim.tui.keymap import KeymapError, load_keymap

        self.keymap_problems: list[Problem] = []
        if keymap is None:
            try:
                keymap = load_keymap()
            except KeymapError as exc:
                self.keymap_problems = exc.problems
                keymap = {}
        self.keymap: dict[str, str] = dict(keymap)
        # The footer finds the palette's key under this name.
        self.COMMAND_PALETTE_BINDING = commands.keys_of("app.palette", self.keymap)[0]  # type: ignore[misc]
        self.options = options
        self.scenario_arg = scenario
        self.auto_tick = auto_tick
        self.library: list[Entry] | None = None  # what the picker shows
        self.scenario: Scenario | None = None  # the scenario of the play mode
        self.game: Game | None = None  # its session (None while the storm is being expanded)
        self.scored: Scored | None = None  # what the debrief shows
        self.exports: list[Path] = []  # reports written from the debrief
        # What the trainee was typing when the session ended ("" if nothing): the debrief shows it and
        # holds its one-key commands until the typing stops, so the rest of the word runs no command.
        self.unsent = ""
        self.timer: Timer | None = None
        self._collector: Timer | None = None
        # Why the scenario or journal named on the command line could not be opened (the CLI prints them).
        self.problems: list[Problem] = []
        self.loading_what = self._startup_what()
        self._loaded = asyncio.Event()
        self._load_id = 0  # the current load; a worker whose load was given up drops its result
        self._start_when_ready = False  # Enter on the briefing before the storm was ready
        self._keymap_told = False

    async def on_event(self, event: events.Event) -> None:
        # A key the app takes while the screen on top is still being built (a browser sends Enter on
        # the briefing and the next keys at once) waits for it: a binding's action would find none of
        # its widgets (``NoMatches``). The app takes its messages one at a time, so the keys keep their order.
        if isinstance(event, events.Key) and not self.screen.is_mounted:
            screen = self.screen
            for _ in range(KEY_WAIT_STEPS):
                if screen.is_mounted or screen is not self.screen:
                    break
                await asyncio.sleep(KEY_WAIT_STEP)
        await super().on_event(event)

    def get_default_screen(self) -> Screen[Any]:
        """The first frame: "Loading ..." with nothing else to build."""
        return LoadingScreen()

    def _styled(self, make: str | Callable[[], Screen[Any]]) -> Screen[Any]:
        """A mode's new base screen, marked as styled with the current stylesheet: it is styled when it
        mounts, and Textual would otherwise re-parse every stylesheet twice on the way (about 60 ms each
        time, on the UI thread) to refresh a screen that has never been drawn."""
        assert callable(make)
        screen = make()
        screen._css_update_count = self._css_update_count
        return screen

    def _startup_what(self) -> str:
        if self.options.resume is not None:
            return f"your session ({self.options.resume.name})"
        if isinstance(self.scenario_arg, str):
            return Path(self.scenario_arg).stem
        if self.scenario_arg is not None:
            return self.scenario_arg.title
        return "the scenario library"

    def on_mount(self) -> None:
        self.prepare()
        # Start loading once the first frame is on screen, so the worker never delays it.
        self.call_after_refresh(self._load, self.scenario_arg, self._load_id, startup=True)

    def prepare(self) -> None:
        """The keys, the modes and the notifications' rule, before anything loads (a subclass that
        loads otherwise, such as the workshop's, calls this from its own ``on_mount``)."""
        self.set_keymap(self.keymap)
        for mode, make in self.MODES.items():
            self.remove_mode(mode)  # none of them has started yet: this only swaps the screen factory
            self.add_mode(mode, partial(self._styled, make))
        # Notifications belong to the screen they were raised on: a new screen starts clean.
        self.screen_change_signal.subscribe(self, self._screen_changed, immediate=True)

    def _screen_changed(self, screen: Screen[Any]) -> None:
        """A new screen (or a dialog over one) starts without the last screen's notifications."""
        self.clear_notifications()
        for below in self.screen_stack[:-1]:
            below.query("Toast").remove()  # a screen under a dialog still shows its own

    async def wait_loaded(self) -> None:
        """Wait until what is loading (a scenario and its storm, the library, a score) is on screen."""
        await self._loaded.wait()

    # -------------------------------------------------------------- modes
    def _show_loading(self, what: str) -> None:
        self._loaded.clear()
        self.loading_what = what
        self.switch_mode("loading")
        self.screen.refresh()

    def _restart_mode(self, mode: str) -> AwaitMount | None:
        """Show ``mode`` built afresh from what the app holds now (a new session, a new score card)."""
        if self.current_mode == mode:
            return None
        self.remove_mode(mode)
        self.add_mode(mode, partial(self._styled, self.MODES[mode]))
        return self.switch_mode(mode)

    async def _set_when_drawn(self, mounted: AwaitMount | None, drawn: threading.Event) -> None:
        """Set ``drawn`` once the screen just shown has been mounted and drawn."""
        if mounted is not None:
            await mounted
        self.screen.call_after_refresh(drawn.set)

    def _tell_keymap_problems(self) -> None:
        """Once, on the picker or the console, whichever comes first (a new screen clears notifications)."""
        if not self.keymap_problems or self._keymap_told:
            return
        self._keymap_told = True
        lines = [clean_text(str(p), visible=True) for p in self.keymap_problems[:3]]
        more = len(self.keymap_problems) - len(lines)
        self.notify(
            "\n".join([*lines, *([f"... and {more} more"] if more > 0 else [])])
            + "\nThe default keys apply. Run `stormdrill keys` to check the file.",
            title="Your keymap is not used",
            severity="warning",
            timeout=20,
            markup=False,
        )

    # -------------------------------------------------------------- loading, in worker threads
    @work(thread=True, exclusive=True, group="load", description="load")
    def _load(self, scenario: str | Scenario | None, load_id: int, *, startup: bool = False) -> None:
        # Only what the briefing needs is imported before it is on screen (not the engine: ~0.1 s).
        from sim.scenario.problems import ScenarioError

        try:
            if startup and self.options.resume is not None:
                self._resume(load_id)
                return
            if scenario is None:
                from sim.tui.screens.picker import load_library

                library = load_library()
                self.call_from_thread(self._show_picker, library, load_id)
                return
            if isinstance(scenario, str):
                from sim.scenario.library import resolve
                from sim.scenario.load import load_scenario

                scenario = load_scenario(resolve(scenario))
            # The briefing first: it needs only the scenario. The storm is expanded while it is read,
            # once the briefing is on screen (so this thread does not slow its first frame down).
            import sim.tui.screens.briefing  # noqa: F401

            shown = threading.Event()
            self.call_from_thread(self._play, scenario, load_id, shown=shown)
            shown.wait(timeout=2)
            from sim.tui.game import Game

            game = Game.start(scenario, self.options)
            self._import_screens()
        except ScenarioError as exc:
            self.call_from_thread(self._failed, list(exc.problems), startup, load_id)
            return
        if get_current_worker().is_cancelled:
            game.close()
            return
        self.call_from_thread(self._game_ready, game, load_id)

    def _resume(self, load_id: int) -> None:
        """Replay the journal named on the command line (in the load worker), then its briefing."""
        from sim.engine.journal import JournalError
        from sim.engine.session import ResumeError
        from sim.scenario.problems import Problem
        from sim.tui.game import Game

        try:
            game = Game.resume(self.options)
        except (JournalError, ResumeError) as exc:
            journal = str(self.options.resume)
            problem = Problem(journal, 0, 0, f"cannot resume: {exc}", "start a new session with `stormdrill play`")
            self.call_from_thread(self._failed, [problem], True, load_id)
            return
        self._import_screens()
        self.call_from_thread(self._play, game.scenario, load_id, game)

    @staticmethod
    def _import_screens() -> None:
        """Import the play and debrief screens in the worker too, so the UI thread finds them ready."""
        import sim.tui.screens.briefing
        import sim.tui.screens.console
        import sim.tui.screens.debrief  # noqa: F401

    def _show_picker(self, library: list[Entry], load_id: int) -> None:
        if load_id != self._load_id:
            return
        self.library = library
        self._restart_mode("picker")
        self._tell_keymap_problems()
        self._loaded.set()

    def _play(
        self, scenario: Scenario, load_id: int, game: Game | None = None, *, shown: threading.Event | None = None
    ) -> None:
        """The briefing of ``scenario`` (``game``: its session, when it is ready already; ``shown`` is
        set once the briefing is on screen)."""
        if load_id != self._load_id:
            if game is not None:
                game.close()
            if shown is not None:
                shown.set()
            return
        self.scenario = scenario
        self.game = None
        self._start_when_ready = False
        mounted = self._restart_mode("play")
        if shown is not None:
            # The load worker goes on (the storm, the engine) only once the briefing is on screen.
            self.call_next(self._set_when_drawn, mounted, shown)
        if game is not None:
            self._game_ready(game, load_id)

    def _game_ready(self, game: Game, load_id: int) -> None:
        if load_id != self._load_id:
            game.close()  # the trainee went back to the picker meanwhile
            return
        self.game = game
        self._loaded.set()
        # The reply judge's model loads while the trainee reads the briefing, not on the first reply.
        self._warm_judge()
        if self._start_when_ready:
            self._begin()

    @work(thread=True, exclusive=True, group="judge", description="warm up the judge")
    def _warm_judge(self) -> None:
        from scoring.judging import warm_up

        warm_up()

    def _failed(self, problems: list[Problem], startup: bool, load_id: int) -> None:
        if load_id != self._load_id:
            return
        if startup and (self.scenario_arg or self.options.resume is not None):
            # Named on the command line: leave, and let the CLI print every problem with its line.
            self.problems = problems
            self._loaded.set()
            self.exit(return_code=2)
            return
        lines = [clean_text(str(p), visible=True) for p in problems[:5]] or ["invalid scenario"]
        if len(problems) > 5:
            lines.append(f"... and {len(problems) - 5} more: run `stormdrill validate` on the file")
        self.switch_mode("picker")  # first: a new screen clears the notifications
        self._tell_keymap_problems()
        self.notify("\n".join(lines), title="Cannot open scenario", severity="error", timeout=20, markup=False)
        self._loaded.set()

    # -------------------------------------------------------------- flow
    def open_game(self, scenario: str) -> None:
        """Load ``scenario`` (a library id or a path) behind the loading screen, then show its briefing."""
        self._load_id += 1
        self._show_loading(Path(scenario).stem)
        self._load(scenario, self._load_id)

    def on_picker_screen_chosen(self, event: Any) -> None:
        self.open_game(event.path)

    def on_briefing_screen_back(self) -> None:
        self._load_id += 1  # a storm still being expanded is dropped
        if self.game is not None and not self.game.started:
            self.game.close()
        self.game = None
        self.switch_mode("picker")

    def on_briefing_screen_start(self) -> None:
        if self.game is None:
            self._start_when_ready = True  # the storm is still being expanded: start the moment it is
            return
        self._begin()

    def _begin(self) -> None:
        from sim.tui.screens.console import ConsoleScreen

        game = self.game
        assert game is not None
        self._start_when_ready = False
        # Everything loaded so far (the storm, the scenario, the judge's model, Textual itself) lives
        # as long as the session: out of the collector's sight, a full collection during the storm
        # scans only what the session adds (without this, one took 100-400 ms, a visible freeze).
        gc.freeze()
        game.begin()
        self.push_screen(ConsoleScreen(game))  # over the briefing, the base screen of the play mode
        self._tell_keymap_problems()
        if self.auto_tick:
            self.timer = self.set_interval(TICK, self.tick)
            # Drawing a storm leaves cyclic garbage (Textual's line caches) at some 1,000 objects a
            # second; collected often, each full collection is short, instead of one long one now and then.
            self._collector = self.set_interval(COLLECT_EVERY, self._collect)

    @staticmethod
    def _collect() -> None:
        gc.collect()

    def tick(self) -> None:
        """Advance the game to the clock's time and publish what changed to the screens."""
        from sim.tui.messages import publish

        game = self.game
        if game is None or not game.started or self.current_mode != "play":
            return
        changes = game.tick()
        publish(self, game, changes)
        if changes.ended:
            self.finish()

    def on_console_screen_ended(self) -> None:
        self.finish()

    def finish(self) -> None:
        """End the session (if it is running) and score it in a worker, behind the loading screen."""
        game = self.game
        if game is None or self.current_mode != "play":
            return
        for timer in (self.timer, self._collector):
            if timer is not None:
                timer.stop()
        self.timer = self._collector = None
        self.unsent = self._draft()
        if not game.finished:
            game.end()
        self.exports = []
        self._show_loading("your debrief: scoring the session")
        self._score(game)

    def _draft(self) -> str:
        """The text in the console's composer, if the trainee was typing in it."""
        from textual.widgets import TextArea

        from sim.tui.widgets.composer import Composer

        try:
            composer = self.screen.query_one(Composer)
        except Exception:
            return ""
        typing = isinstance(self.screen.focused, TextArea)
        return composer.text.strip() if typing else ""

    @work(thread=True, exclusive=True, group="score", description="score the session")
    def _score(self, game: Game) -> None:
        scored = game.score()
        import sim.tui.screens.debrief  # noqa: F401

        self.call_from_thread(self._scored, scored)

    def _scored(self, scored: Scored) -> None:
        self.scored = scored
        self._restart_mode("debrief")
        self._loaded.set()

    def on_debrief_screen_again(self) -> None:
        """A new session of the same scenario, with a new journal (and the same seed, so the same storm)."""
        game = self.game
        if game is None:
            return
        game.close()
        self.options.journal = None
        self.options.resume = None
        self.game = None
        self.open_game(game.scenario.source or game.scenario.id)

    def on_debrief_screen_scenarios(self) -> None:
        if self.game is not None:
            self.game.close()
        self.game = None
        self.switch_mode("picker")

    def on_debrief_screen_exported(self, event: Any) -> None:
        self.exports.append(event.path)

    # -------------------------------------------------------------- quitting
    def resume_command(self, journal: Path) -> str:
        """The command that continues this session, at the speed it was played."""
        speed = self.game.speed if self.game is not None else self.options.speed
        quoted = shlex.quote(str(journal))
        return f"stormdrill play --resume {quoted}" + (f" --speed {speed:g}" if speed != 1 else "")

    def farewell(self) -> str:
        """What is printed on leaving after a debrief: where the journal and the reports are."""
        scored = self.scored
        if scored is None:
            return ""
        lines = [f"Your journal: {scored.journal}"]
        lines += [f"Your report: {path}" for path in self.exports]
        if not any(p.suffix == ".html" for p in self.exports):
            html = shlex.quote(str(scored.journal.with_suffix(".html")))
            lines.append(f"Make a report with: stormdrill report {shlex.quote(str(scored.journal))} --html {html}")
        return "\n".join(lines)

    def _leave(self, message: str) -> None:
        """Exit, printing ``message`` once the terminal is back: plain text (never markup), its lines
        unbroken so that paths and commands can be copied."""
        if message:
            self.error_console.soft_wrap = True
        self.exit(message=Text(message) if message else None)

    async def action_quit(self) -> None:
        game = self.game
        if game is None or game.finished or not game.started:
            if game is not None:
                game.close()
            farewell = self.farewell() if self.current_mode == "debrief" else ""
            self._leave(farewell)
            return

        def answer(yes: bool | None) -> None:
            if yes and self.game is not None:
                self.game.close()
                self._leave(f"Your journal is saved. Resume with: {self.resume_command(game.journal_path)}")

        from sim.tui.screens.confirm import ConfirmScreen

        self.push_screen(
            ConfirmScreen(
                f"Quit now? Everything you sent is saved in your journal:\n"
                f"{game.journal_path}\nResume later with --resume."
            ),
            answer,
        )

    # -------------------------------------------------------------- keys
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "hide_help":  # esc closes the Keys panel; otherwise esc is the screen's
            return bool(self.screen.query("HelpPanel"))
        return True

    def action_hide_help(self) -> None:
        self.action_hide_help_panel()

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    # -------------------------------------------------------------- command palette
    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every command of the current screen (commands.py) is also in the palette, with its key."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            command = commands.BY_ID.get(binding.id or "")
            if command is None or not command.palette or command.id in seen or not active.enabled:
                continue
            if command.id in ("app.palette", "app.quit", "app.help"):
                continue  # Textual lists these itself (Quit, Keys)
            seen.add(command.id)
            node = active.node

            async def run(action: str = binding.action, node: object = node) -> None:
                await self.run_action(action, node)  # type: ignore[arg-type]

            keys = commands.shown(command.id, self.keymap)
            # Palette titles and help are markup: a key such as "[" is escaped.
            yield SystemCommand(escape(f"{command.description} ({keys})"), escape(f"{keys} · {command.where}"), run)
