"""The Stormdrill trainee console (Textual app): picker -> briefing -> console -> debrief.

The first frame is a plain loading screen that needs nothing but Textual; the engine, scoring and
the scenario are imported and loaded in a worker thread behind it, so the terminal shows
Stormdrill about as fast as it can show any Textual app.
"""

from __future__ import annotations

import asyncio
import shlex
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.css.query import NoMatches
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer

from sim.scenario.text import clean_text
from sim.tui import commands
from sim.tui.options import GameOptions
from sim.tui.screens.loading import LoadingScreen

if TYPE_CHECKING:
    from sim.scenario.model import Scenario
    from sim.scenario.problems import Problem
    from sim.tui.game import Game

__all__ = ["GameOptions", "StormdrillApp"]

TICK = 0.1  # seconds of wall time between engine ticks


class StormdrillApp(App[None]):
    """Play a crisis scenario in the terminal."""

    TITLE = "Stormdrill"
    CSS_PATH = Path(__file__).parent / "app.tcss"
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
        not used (they are in ``keymap_problems``, and shown once the console is up)."""
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
        self.game: Game | None = None
        self.timer: Timer | None = None
        # Why the scenario or journal named on the command line could not be opened (the CLI prints them).
        self.problems: list[Problem] = []
        self._loaded = asyncio.Event()

    def get_default_screen(self) -> Screen[Any]:
        """The first frame: "Loading ..." with nothing else to build."""
        if self.options.resume is not None:
            what = f"your session ({self.options.resume.name})"
        elif isinstance(self.scenario_arg, str):
            what = Path(self.scenario_arg).stem
        elif self.scenario_arg is not None:
            what = self.scenario_arg.title
        else:
            what = "the scenario library"
        return LoadingScreen(what)

    def on_mount(self) -> None:
        self.set_keymap(self.keymap)
        if self.keymap_problems:
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
        # Start loading once the first frame is on screen, so the worker never delays it.
        self.call_after_refresh(self._load, self.scenario_arg, startup=True)

    async def wait_loaded(self) -> None:
        """Wait until the scenario (or the library) that is loading is on screen."""
        await self._loaded.wait()

    # -------------------------------------------------------------- loading, in a worker thread
    @work(thread=True, exclusive=True, group="load")
    def _load(self, scenario: str | Scenario | None, *, startup: bool = False) -> None:
        from sim.engine.journal import JournalError
        from sim.engine.session import ResumeError
        from sim.scenario.problems import Problem, ScenarioError
        from sim.tui.game import Game

        try:
            if startup and self.options.resume is not None:
                game = Game.resume(self.options)
            elif isinstance(scenario, str):
                from sim.scenario.library import resolve
                from sim.scenario.load import load_scenario

                game = Game.start(load_scenario(resolve(scenario)), self.options)
            elif scenario is not None:
                game = Game.start(scenario, self.options)
            else:
                from sim.tui.screens.picker import load_library

                entries = load_library()
                self.call_from_thread(self._show_picker, entries)
                return
        except ScenarioError as exc:
            self.call_from_thread(self._failed, list(exc.problems), startup)
            return
        except (JournalError, ResumeError) as exc:
            journal = str(self.options.resume)
            problem = Problem(journal, 0, 0, f"cannot resume: {exc}", "start a new session with `stormdrill play`")
            self.call_from_thread(self._failed, [problem], startup)
            return
        # Import the screens here too, so the main thread finds them ready.
        import sim.tui.screens.console
        import sim.tui.screens.debrief  # noqa: F401

        self.call_from_thread(self._opened, game)

    def _replace_loading(self, screen: Screen[Any]) -> None:
        """Show ``screen`` in place of a loading screen pushed over the picker, or over the first frame."""
        if len(self.screen_stack) > 1 and isinstance(self.screen, LoadingScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        self._loaded.set()

    def _show_picker(self, entries: list[Any]) -> None:
        from sim.tui.screens.picker import PickerScreen

        self._replace_loading(PickerScreen(entries))

    def _opened(self, game: Game) -> None:
        from sim.tui.screens.briefing import BriefingScreen

        self.game = game
        self._replace_loading(BriefingScreen(game.scenario, resumed=game.resumed))
        # The reply judge's model loads while the trainee reads the briefing, not on the first reply.
        self.call_after_refresh(self._warm_judge)

    @work(thread=True, exclusive=True, group="judge")
    def _warm_judge(self) -> None:
        from scoring.judge import warm_up

        warm_up()

    def _failed(self, problems: list[Problem], startup: bool) -> None:
        if startup and (self.scenario_arg or self.options.resume is not None):
            # Named on the command line: leave, and let the CLI print every problem with its line.
            self.problems = problems
            self._loaded.set()
            self.exit(return_code=2)
            return
        lines = [clean_text(str(p), visible=True) for p in problems[:5]] or ["invalid scenario"]
        if len(problems) > 5:
            lines.append(f"... and {len(problems) - 5} more: run `stormdrill validate` on the file")
        self.notify("\n".join(lines), title="Cannot open scenario", severity="error", timeout=20, markup=False)
        if len(self.screen_stack) > 2:
            self.pop_screen()  # the loading screen, back to the picker under it
        else:
            from sim.tui.screens.picker import PickerScreen

            self.switch_screen(PickerScreen())
        self._loaded.set()

    # -------------------------------------------------------------- flow
    def open_game(self, scenario: str) -> None:
        """Load ``scenario`` (a library id or a path) behind a loading screen, then show its briefing."""
        self._loaded.clear()
        self.push_screen(LoadingScreen(Path(scenario).stem))
        self._load(scenario)

    def on_picker_screen_chosen(self, event: Any) -> None:
        self.open_game(event.path)

    def on_briefing_screen_back(self) -> None:
        from sim.tui.screens.picker import PickerScreen

        if self.game is not None and not self.game.started:
            self.game.close()
            self.game = None
        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:
            self.switch_screen(PickerScreen())

    def on_briefing_screen_start(self) -> None:
        from sim.tui.screens.console import ConsoleScreen

        assert self.game is not None
        self.game.begin()
        self.switch_screen(ConsoleScreen(self.game))
        if self.auto_tick:
            self.timer = self.set_interval(TICK, self.tick)

    def tick(self) -> None:
        """Advance the game to the clock's time and refresh the console."""
        game = self.game
        from sim.tui.screens.console import ConsoleScreen

        screen = self.screen
        if game is None or not game.started or not isinstance(screen, ConsoleScreen) or not screen.is_mounted:
            return
        ended = game.tick()
        try:
            with self.batch_update():
                screen.refresh_state()
        except NoMatches:
            return  # the app is shutting down and has already removed the console's widgets
        if ended:
            self.finish()

    def on_console_screen_ended(self) -> None:
        self.finish()

    def finish(self) -> None:
        from sim.tui.screens.debrief import DebriefScreen

        game = self.game
        if game is None:
            return
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if not game.finished:
            game.end()
        card, rec = game.score()
        history: list[dict[str, Any]] = []
        if game.options.record_results:
            from sim.store import results

            history = [r for r in results(game.scenario.id) if r.get("trainee") == game.options.trainee]
        self.switch_screen(DebriefScreen(card, rec, game.journal_path, history))
        if game.history_note:
            self.notify(game.history_note, title="History", severity="warning", timeout=10, markup=False)

    def on_debrief_screen_again(self) -> None:
        """A new session of the same scenario, with a new journal (and the same seed, so the same storm)."""
        game = self.game
        if game is None:
            return
        game.close()
        self.options.journal = None
        self.options.resume = None
        self.game = None
        source = game.scenario.source or game.scenario.id
        self._loaded.clear()
        self.switch_screen(LoadingScreen(game.scenario.title))
        self._load(source)

    def on_debrief_screen_scenarios(self) -> None:
        from sim.tui.screens.picker import PickerScreen

        if self.game is not None:
            self.game.close()
        self.game = None
        self.switch_screen(PickerScreen())

    # -------------------------------------------------------------- quitting
    def resume_command(self, journal: Path) -> str:
        """The command that continues this session, at the speed it was played."""
        speed = self.game.speed if self.game is not None else self.options.speed
        quoted = shlex.quote(str(journal))
        return f"stormdrill play --resume {quoted}" + (f" --speed {speed:g}" if speed != 1 else "")

    async def action_quit(self) -> None:
        game = self.game
        if game is None or game.finished or not game.started:
            if game is not None:
                game.close()
            self.exit()
            return

        def answer(yes: bool | None) -> None:
            if yes and self.game is not None:
                self.game.close()
                self.exit(message=f"Your journal is saved. Resume with: {self.resume_command(game.journal_path)}")

        from sim.tui.screens.console import ConfirmScreen

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
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
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
