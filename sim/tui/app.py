"""The Stormdrill trainee console (Textual app): picker -> briefing -> console -> debrief."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer

from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
from sim.scenario.problems import ScenarioError
from sim.tui.game import Game, GameOptions
from sim.tui.screens.briefing import BriefingScreen
from sim.tui.screens.console import ConfirmScreen, ConsoleScreen
from sim.tui.screens.debrief import DebriefScreen
from sim.tui.screens.picker import PickerScreen

TICK = 0.1  # seconds of wall time between engine ticks


class StormdrillApp(App[None]):
    """Play a crisis scenario in the terminal."""

    TITLE = "Stormdrill"
    CSS_PATH = Path(__file__).parent / "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
    ]

    def __init__(self, options: GameOptions, *, scenario: str | None = None, auto_tick: bool = True) -> None:
        super().__init__()
        self.options = options
        self.scenario_arg = scenario
        self.auto_tick = auto_tick
        self.game: Game | None = None
        self.timer: Timer | None = None

    def on_mount(self) -> None:
        if self.options.resume is not None:
            self.open_game(None)
        elif self.scenario_arg:
            self.open_game(self.scenario_arg)
        else:
            self.push_screen(PickerScreen())

    # -------------------------------------------------------------- flow
    def open_game(self, scenario: str | None) -> None:
        try:
            if scenario is None:
                self.game = Game.resume(self.options)
            else:
                sc = load_scenario(resolve(scenario))
                self.game = Game.start(sc, self.options)
        except ScenarioError as exc:
            first = exc.problems[0] if exc.problems else "invalid scenario"
            self.notify(str(first), title="Cannot open scenario", severity="error", timeout=15, markup=False)
            if not self.screen_stack or (isinstance(self.screen, Screen) and len(self.screen_stack) <= 1):
                self.push_screen(PickerScreen())
            return
        self.push_screen(BriefingScreen(self.game.scenario, resumed=self.game.resumed))

    @on(PickerScreen.Chosen)
    def chosen(self, event: PickerScreen.Chosen) -> None:
        self.open_game(event.path)

    @on(BriefingScreen.Back)
    def back(self) -> None:
        if self.game is not None and not self.game.started:
            self.game.close()
            self.game = None
        if len(self.screen_stack) > 2:
            self.pop_screen()
        else:
            self.switch_screen(PickerScreen())

    @on(BriefingScreen.Start)
    def start(self) -> None:
        assert self.game is not None
        self.game.begin()
        self.switch_screen(ConsoleScreen(self.game))
        if self.auto_tick:
            self.timer = self.set_interval(TICK, self.tick)

    def tick(self) -> None:
        """Advance the game to the clock's time and refresh the console."""
        game = self.game
        screen = self.screen
        if game is None or not game.started or not isinstance(screen, ConsoleScreen) or not screen.is_mounted:
            return
        ended = game.tick()
        if isinstance(screen, ConsoleScreen):
            with self.batch_update():
                screen.refresh_state()
        if ended:
            self.finish()

    @on(ConsoleScreen.Ended)
    def ended(self) -> None:
        self.finish()

    def finish(self) -> None:
        game = self.game
        if game is None:
            return
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        if not game.finished:
            game.end()
        card, rec = game.score()
        self.switch_screen(DebriefScreen(card, rec, game.journal_path))

    # -------------------------------------------------------------- quitting
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
                self.exit(message=f"Your journal is saved. Resume with: stormdrill play --resume {game.journal_path}")

        self.push_screen(
            ConfirmScreen(
                f"Quit now? Everything you sent is saved in your journal:\n"
                f"{game.journal_path}\nResume later with --resume."
            ),
            answer,
        )

    # -------------------------------------------------------------- command palette
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key binding of the current screen is also a command in the palette."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            action = binding.action
            node = active.node

            async def run(action: str = action, node: object = node) -> None:
                await self.run_action(action, node)  # type: ignore[arg-type]

            yield SystemCommand(f"{binding.description} ({key})", f"Key: {key}", run)
