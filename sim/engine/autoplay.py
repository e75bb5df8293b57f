"""Autoplay: a bot plays a whole session headless, in virtual time.

The clock steps to the next event or ``step`` seconds on, whichever is sooner; at each step the
session advances, then the bot is asked for actions until it has none. Every event instant is a
step, so a journal cut short at any byte resumes exactly: the torn line is dropped, the journal
replayed, and play continues from its last instant; the finished journal matches the
uninterrupted run line for line (the header's wall-clock ``started`` aside).

The bot is passed in as a function (``sim.bots`` lives above the engine); ``sim.autoplay`` looks
bots up by name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sim.scenario.expand import expand
from sim.scenario.model import Scenario, Storm

from .actions import Action, Refusal
from .clock import VirtualClock
from .journal import JournalEmpty
from .reading import Judge
from .session import ResumeError, Session

Bot = Callable[[Session], Action | None]
STEP = 10.0
MAX_ACTIONS_PER_STEP = 20


def run_autoplay(
    scenario_or_storm: Scenario | Storm,
    bot: Bot,
    seed: int | None,
    out_path: Path,
    *,
    bot_name: str,
    resume: bool = False,
    judge: Judge | None = None,
    step: float = STEP,
    trainee: str | None = None,
    on_refusal: Callable[[Action, Refusal], None] | None = None,
) -> Session:
    """Play the scenario (or a ready storm) with ``bot``; write, or with ``resume`` continue, ``out_path``.

    Returns the ended session. Raises ``ResumeError`` when the journal cannot be continued
    (another scenario, seed or bot) and ``ValueError`` for a step that is not positive.
    """
    if step <= 0:
        raise ValueError(f"step must be positive, not {step}")
    clock = VirtualClock()
    session = _resume(scenario_or_storm, seed, out_path, clock, bot_name, judge) if resume else None
    if session is None:
        storm = _storm(scenario_or_storm, seed)
        trainee = trainee or f"bot:{bot_name}"
        session = Session(storm, clock, trainee=trainee, judge=judge, journal_path=out_path, bot=bot_name)
    try:
        while not session.ended:
            session.advance(clock.now())
            if session.ended:
                break
            for _ in range(MAX_ACTIONS_PER_STEP):
                action = bot(session)
                if action is None:
                    break
                result = session.act(action)
                if isinstance(result, Refusal):
                    if on_refusal is not None:
                        on_refusal(action, result)
                    break
            clock.set(min(session.now + step, session.next_instant()))
    finally:
        session.close()
    return session


def _storm(scenario_or_storm: Scenario | Storm, seed: int | None) -> Storm:
    if isinstance(scenario_or_storm, Storm):
        if seed is not None and seed != scenario_or_storm.seed:
            return expand(scenario_or_storm.scenario, seed)
        return scenario_or_storm
    return expand(scenario_or_storm, scenario_or_storm.seed if seed is None else seed)


def _resume(
    scenario_or_storm: Scenario | Storm,
    seed: int | None,
    out_path: Path,
    clock: VirtualClock,
    bot_name: str,
    judge: Judge | None,
) -> Session | None:
    """The resumed session, or None to start afresh (the crash came before the header was whole)."""
    try:
        session = Session.resume(scenario_or_storm, out_path, clock, judge=judge, seed=seed)
    except JournalEmpty:
        return None
    if (session.header.bot if session.header else None) != bot_name:
        session.close()
        raise ResumeError(
            f"the journal was played by bot `{session.header.bot if session.header else None}`, not `{bot_name}`"
        )
    return session
