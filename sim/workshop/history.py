"""A trainee's practice history in the results store: what the console records when a session
ends, journals imported from elsewhere, and the link the console reads it through.

The console (``sim.tui``) never imports this module: the CLI hands it a :class:`LocalHistory` as
``GameOptions.history`` (the ``HistoryLink`` protocol), as a workshop hands it its room.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # SQLAlchemy loads when the store is first used, the journal reader and the attempts when a session
    # is recorded or imported: not while the console starts (about 0.1 s before the first frame).
    from sim.progress import Attempt

    from .store import Store


class NotASession(ValueError):
    """A file that is not a finished Stormdrill session (the message says why and what to do)."""


def _intact(path: Path, valid_bytes: int) -> bytes:
    return path.read_bytes()[:valid_bytes]


def attempt_of(
    path: Path, card: dict[str, Any], *, trainee: str, difficulty: str, coached: bool, imported_from: str = ""
) -> Attempt:
    """The history's record of the finished session journaled at ``path``, scored as ``card``."""
    from sim.engine.journal import read_journal
    from sim.progress import make_attempt

    journal = read_journal(path)
    return make_attempt(
        path.resolve(),
        _intact(path, journal.valid_bytes),
        card,
        trainee=trainee,
        started=journal.header.started,
        finished=datetime.now(UTC),
        difficulty=difficulty,
        coached=coached or journal.header.coached,
        imported_from=imported_from,
    )


@dataclass(frozen=True)
class Checked:
    path: Path
    attempt: Attempt
    already: bool  # the store has this journal already


def check_import(store: Store, path: Path, trainee: str | None = None) -> Checked:
    """Read and score a journal to import; ``NotASession`` when it is not a finished session."""
    from scoring import analyse
    from sim.engine.events import EndEvent
    from sim.engine.journal import JournalError, read_journal
    from sim.progress import make_attempt
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario
    from sim.scenario.problems import ScenarioError

    if not path.is_file():
        raise NotASession(f"{path}: no such file (give the path of a session journal, a .jsonl file)")
    try:
        journal = read_journal(path)
    except JournalError as exc:
        raise NotASession(f"{path}: not a Stormdrill journal: {exc}") from None
    head = journal.header
    if head.bot:
        raise NotASession(f"{path}: a session played by the `{head.bot}` bot, not by a trainee (nothing to import)")
    if not any(isinstance(e, EndEvent) for e in journal.events):
        raise NotASession(
            f"{path}: this session has not finished (finish it with `stormdrill play --resume {path}`, then import it)"
        )
    arg = head.scenario_path if head.scenario_path and Path(head.scenario_path).exists() else head.scenario
    if not arg:
        raise NotASession(f"{path}: the journal does not name its scenario")
    try:
        scenario = load_scenario(resolve(str(arg)))
    except ScenarioError as exc:
        first = str(exc.problems[0]) if exc.problems else "invalid scenario"
        raise NotASession(f"{path}: its scenario `{head.scenario}` cannot be loaded here: {first}") from None
    if scenario.id != head.scenario:
        raise NotASession(f"{path}: the journal is for scenario `{head.scenario}`, not `{scenario.id}`")
    card, _rec = analyse(scenario, head, journal.events, journal.warnings)
    stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    attempt = make_attempt(
        path.resolve(),
        _intact(path, journal.valid_bytes),
        card.to_json(),
        trainee=trainee or head.trainee or "trainee",
        started=head.started,
        finished=stamp,
        difficulty=scenario.difficulty,
        coached=head.coached,
        imported_from=str(path.resolve()),
    )
    return Checked(path, attempt, store.has_attempt(attempt.content_hash))


class LocalHistory:
    """The console's link to the results store (``sim.tui.options.HistoryLink``): opened on first use."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url
        self._store: Store | None = None
        self._lock = threading.Lock()

    def _open(self) -> Store:
        from .store import Store

        with self._lock:
            if self._store is None:
                self._store = Store(self.url)
            return self._store

    def record(self, journal: Path, card: dict[str, Any], *, trainee: str, difficulty: str, coached: bool) -> str:
        """Keep a finished session; "" once kept, else why it is not (the debrief says so)."""
        from sim.engine.journal import JournalError

        from .store import StoreError

        try:
            attempt = attempt_of(journal, card, trainee=trainee, difficulty=difficulty, coached=coached)
            self._open().add_attempts([attempt])
        except (StoreError, JournalError, OSError) as exc:
            return f"your history could not be saved: {exc}"
        return ""

    def attempts(self, trainee: str | None = None, scenario: str | None = None) -> Sequence[Attempt]:
        from .store import StoreError

        try:
            return self._open().attempts(trainee, scenario)
        except StoreError:
            return []

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
