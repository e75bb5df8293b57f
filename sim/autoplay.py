"""Autoplay: a bot plays a whole session headless, in virtual time.

The clock moves in steps of ``STEP`` scenario seconds; at each step the session advances, then
the bot is asked for actions until it has none. Resuming a journal cut short at any byte drops
the torn line, replays the journal exactly, and continues from the step it was in, so the
finished journal matches the uninterrupted run line for line (the header's wall-clock
``started`` aside).
"""

from __future__ import annotations

import math
from pathlib import Path

from sim.bots import BOTS
from sim.engine.clock import VirtualClock
from sim.engine.session import Judge, Session
from sim.scenario.model import Scenario

STEP = 10.0
MAX_ACTIONS_PER_STEP = 20


def run_autoplay(
    scenario: Scenario,
    bot_name: str,
    seed: int,
    out_path: Path,
    *,
    resume: bool = False,
    judge: Judge | None = None,
    trainee: str | None = None,
) -> Session:
    """Play ``scenario`` with the named bot; write (or continue) the journal at ``out_path``."""
    if bot_name not in BOTS:
        raise ValueError(f"unknown bot `{bot_name}` (bots: {', '.join(BOTS)})")
    bot = BOTS[bot_name]
    clock = VirtualClock()
    if resume:
        session = Session.resume(scenario, out_path, clock, judge=judge)
        if session.header.get("bot") != bot_name:
            session.close()
            raise ValueError(f"the journal was played by bot `{session.header.get('bot')}`, not `{bot_name}`")
        if int(session.header.get("seed", seed)) != seed:
            session.close()
            raise ValueError(f"the journal was played with seed {session.header.get('seed')}, not {seed}")
        step = math.ceil(session.now / STEP) if session.now > 0 else 0
    else:
        session = Session.create(
            scenario,
            clock,
            seed=seed,
            journal_path=out_path,
            judge=judge,
            trainee=trainee or f"bot:{bot_name}",
            bot=bot_name,
        )
        step = 0
    try:
        while not session.ended:
            t = min(step * STEP, float(scenario.duration))
            clock.set(t)
            session.advance()
            if session.ended:
                break
            for _ in range(MAX_ACTIONS_PER_STEP):
                action = bot(session)
                if action is None:
                    break
                session.act(action)
            step += 1
    finally:
        session.close()
    return session
