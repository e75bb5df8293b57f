"""``stormdrill history`` and ``stormdrill replay``: practising alone (docs/practice.md).

Heavy modules (SQLAlchemy, scoring, Textual) are imported inside each command."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2
DB_HELP = (
    "The results store: sqlite:///FILE or postgresql://USER@HOST/DB (default: SQLite in your Stormdrill data folder)."
)


def fail(message: str, hint: str = "") -> NoReturn:
    click.echo(f"stormdrill: {message}" + (f" ({hint})" if hint else ""), err=True)
    sys.exit(EXIT_BAD_INPUT)


def _line(text: str) -> str:
    from sim.scenario.text import clean_text

    return clean_text(str(text), single_line=True)


def _open(db: str | None) -> Any:
    from sim.workshop.store import Store, StoreError

    try:
        return Store(db)
    except StoreError as exc:
        fail(str(exc), "check --db")


def _library_steps() -> list[Any]:
    from sim.progress import PathStep
    from sim.scenario.library import load_library

    return [PathStep(sc.id, sc.title, sc.difficulty) for _f, sc, _p in load_library() if sc is not None]


@click.command()
@click.argument("journals", nargs=-1, metavar="[JOURNAL...]")
@click.option("--trainee", default=None, help="Only this trainee's sessions (with --import: whose sessions these are).")
@click.option("--scenario", "scenario_id", default=None, help="Only this scenario (its id, e.g. empty-ovens).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the history as JSON (one object per trainee and scenario)."
)
@click.option(
    "--import",
    "do_import",
    is_flag=True,
    help="Bring in the finished sessions JOURNAL... played elsewhere (a workshop, another machine).",
)
@click.option("--db", default=None, help=DB_HELP)
def history(
    journals: tuple[str, ...],
    trainee: str | None,
    scenario_id: str | None,
    as_json: bool,
    do_import: bool,
    db: str | None,
) -> None:
    """Your past sessions per scenario: best and latest, each pillar's trend, and what changed.

    \b
    stormdrill history                       every trainee's sessions on this machine
    stormdrill history --trainee Sam         one trainee's (and what to play next)
    stormdrill history --import J.jsonl...   keep sessions played elsewhere (nothing changes if one is bad)
    """
    if journals and not do_import:
        fail(
            "journals given without --import", "to bring them into your history: stormdrill history --import JOURNAL..."
        )
    store = _open(db)
    try:
        if do_import:
            _import(store, journals, trainee)
            return
        _show(store, trainee, scenario_id, as_json)
    finally:
        store.close()


def _import(store: Any, journals: tuple[str, ...], trainee: str | None) -> None:
    from sim.workshop.history import NotASession, check_import

    if not journals:
        fail("--import needs the journals to bring in", "stormdrill history --import JOURNAL...")
    checked, problems, seen = [], [], set()
    for j in journals:
        try:
            c = check_import(store, Path(j), trainee)
        except NotASession as exc:
            problems.append(str(exc))
            continue
        if c.attempt.content_hash in seen:
            click.echo(f"note: {j} is given twice; it is imported once", err=True)
            continue
        seen.add(c.attempt.content_hash)
        checked.append(c)
    for p in problems:
        click.echo(f"stormdrill: {_line(p)}", err=True)
    if problems:
        fail(
            f"nothing imported: {len(problems)} of {len(journals)} file{'s' if len(journals) != 1 else ''} "
            "not a finished Stormdrill session",
            "leave those out and import again",
        )
    fresh = [c for c in checked if not c.already]
    for c in checked:
        if c.already:
            click.echo(f"note: {c.path} is in your history already (the same journal); left as it is")
    added = store.add_attempts([c.attempt for c in fresh]) if fresh else []
    for c, new in zip(fresh, added, strict=False):
        a = c.attempt
        if new:
            click.echo(
                f"imported {c.path}: {_line(a.trainee)}, {_line(a.scenario_title)}, total {a.total:.0f}"
                + (" (coached)" if a.coached else "")
            )
        else:
            click.echo(f"note: {c.path} is in your history already (the same journal); left as it is")


def _show(store: Any, trainee: str | None, scenario_id: str | None, as_json: bool) -> None:
    from sim.progress import histories, recommend

    attempts = store.attempts(trainee, scenario_id)
    groups = histories(attempts)
    if not groups and scenario_id:
        known = sorted({s.id for s in _library_steps()} | {a.scenario for a in store.attempts()})
        if scenario_id not in known:  # a typo, not a scenario still to play
            from sim.scenario.problems import did_you_mean

            fail(
                f"no scenario `{_line(scenario_id)}` in the library or in the history",
                did_you_mean(scenario_id, known) or "the library: " + ", ".join(known),
            )
    rec = None
    if trainee is not None and scenario_id is None:
        rec = recommend(_library_steps(), store.attempts(trainee))
    if as_json:
        out: dict[str, Any] = {"history": [g.to_json() for g in groups]}
        if rec is not None:
            out["next"] = {"scenario": rec.scenario, "title": rec.title, "why": rec.why}
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if not groups:
        who = f" for {_line(trainee)}" if trainee else ""
        what = f" of {_line(scenario_id)}" if scenario_id else ""
        click.echo(f"No finished sessions{what}{who} yet. Play one with `stormdrill play`.")
        if rec is not None:
            click.echo(f"Next: {_line(rec.title)} ({_line(rec.why)})")
        return
    for text in render_history(groups):
        click.echo(text)
    if rec is not None:
        click.echo(f"Next: {_line(rec.title)}: {_line(rec.why)}")


def render_history(groups: list[Any]) -> list[str]:
    """The history as lines of plain text (the CLI prints them)."""
    lines: list[str] = []
    who = None
    for g in groups:
        if g.trainee != who:
            who = g.trainee
            lines += [_line(who), "=" * min(60, len(_line(who)))]
        best, latest = g.best, g.latest
        n = len(g.attempts)
        lines.append(f"{_line(g.title)} ({_line(g.latest.difficulty or '?')}): {n} session{'s' if n != 1 else ''}")
        lines.append(f"  best   {best.total:3.0f}  {_when(best)}")
        lines.append(f"  latest {latest.total:3.0f}  {_when(latest)}")
        spark = g.sparklines()
        for p in ("total", "speed", "tone", "plan"):
            values = g.trend(p)
            lines.append(f"  {p:<6} {spark[p]:<12} " + " → ".join(f"{v:.0f}" for v in values[-6:]))
        up, down = g.since_previous()
        if n > 1:
            lines.append("  Since the previous attempt:")
            lines += [f"    + {_line(u)}" for u in up] or ["    + nothing improved"]
            lines += [f"    - {_line(d)}" for d in down] or ["    - nothing slipped"]
        lines.append("")
    return lines


def _when(a: Any) -> str:
    bits = [a.finished.strftime("%Y-%m-%d %H:%M")]
    if a.coached:
        bits.append("coached")
    if a.imported_from:
        bits.append("imported")
    return ", ".join(bits)


def speed_option(default: float, help: str) -> Callable[[F], F]:
    """``--speed``: scenario minutes per real minute (play and replay)."""
    return click.option("--speed", type=click.FloatRange(0.1, 600), default=default, show_default=True, help=help)


@click.command()
@click.argument("journal", metavar="JOURNAL")
@speed_option(10.0, "Scenario minutes per real minute while playing back.")
@click.option(
    "--against", "against", type=click.Path(dir_okay=False), default=None, help="A second journal, side by side."
)
@click.option("--against-ideal", is_flag=True, help="Side by side with the ideal bot on the same seed.")
@click.option("--scenario", default=None, help="The scenario file, if it moved since the session.")
def replay(journal: str, speed: float, against: str | None, against_ideal: bool, scenario: str | None) -> None:
    """Watch a session again, read-only, with a scrubber: any minute, the next or previous action.

    \b
    Keys: space pause, left/right a minute, [ ] previous/next action, g go to a minute,
    + - speed, home/end start/end, q quit.
    """
    from sim.cli import _read_journal_or_exit, _scenario_for

    if against and against_ideal:
        fail("give --against JOURNAL2 or --against-ideal, not both")
    j1 = _read_journal_or_exit(journal)
    sc = _scenario_for(j1, scenario, journal)
    journals = [(Path(journal), j1)]
    if against:
        j2 = _read_journal_or_exit(against)
        if j2.header.scenario != j1.header.scenario:
            fail(
                f"{against} is a session of `{j2.header.scenario}`, not `{j1.header.scenario}`",
                "compare two sessions of one scenario",
            )
        journals.append((Path(against), j2))
    from sim.tui.replay import ReplayApp, build_replays

    try:
        replays = build_replays(sc, journals, ideal=against_ideal)
    except ValueError as exc:
        fail(f"{journal}: {exc}")
    app = ReplayApp(replays, speed=speed)
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


def default_trainee() -> str:
    return os.environ.get("USER") or "trainee"
