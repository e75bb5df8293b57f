"""The ``stormdrill`` command. Heavy modules (Textual, scoring) are imported lazily per command,
so ``stormdrill --help`` and ``--version`` stay fast and never import Textual."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from sim import __version__
from sim.practice_cli import speed_option
from sim.scenario.text import clean_text

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2


class CleanStream:
    """The CLI's output boundary: a text stream that passes everything written through ``clean_text``.

    Scenario values, file names, trainee names and journal contents end up in messages, tables and
    JSON; none of their escape sequences or control characters may reach the terminal. They are
    written out visibly (ESC as ``\\u001b``), so a validation message still shows what is wrong.
    """

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # a text stream (click probes with bytes to tell)
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.stream.write(clean_text(text, visible=True))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return bool(self.stream.isatty())

    def fileno(self) -> int:
        return int(self.stream.fileno())

    @property
    def encoding(self) -> str:
        return str(getattr(self.stream, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str:
        return str(getattr(self.stream, "errors", None) or "strict")


def raw_stream(stream: Any) -> Any:
    """The terminal under a CleanStream, for Stormdrill's own control output (the progress bar)."""
    return stream.stream if isinstance(stream, CleanStream) else stream


def fail(message: str, hint: str = "") -> NoReturn:
    """Print a one-line error (and what to do next) and exit with status 2."""
    click.echo(f"stormdrill: {message}" + (f" ({hint})" if hint else ""), err=True)
    sys.exit(EXIT_BAD_INPUT)


def report_problems(problems: list[Any]) -> None:
    for p in problems:
        click.echo(str(p), err=True)


def load_or_exit(arg: str) -> Any:
    """Resolve and load a scenario; on problems print them all and exit 2."""
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario
    from sim.scenario.problems import ScenarioError

    try:
        return load_scenario(resolve(arg))
    except ScenarioError as exc:
        report_problems(exc.problems)
        n = len(exc.errors)
        fail(f"{arg}: {n} problem{'s' if n != 1 else ''} found", "fix them, then run `stormdrill validate`")


class _Group(click.Group):
    """Keeps commands in the order they are declared in --help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="stormdrill")
def cli() -> None:
    """Stormdrill: practise answering a social-media crisis, and get scored on it.

    \b
    Play:       stormdrill play [SCENARIO] [--coach]; keys; history; replay JOURNAL
    Author:     stormdrill new NAME; validate PATH...; preview SCENARIO; watch FILE;
                migrate FILE...; schema
    Score:      stormdrill score JOURNAL; report JOURNAL...; tone < replies.txt
    Calibrate:  stormdrill autoplay SCENARIO --bot ideal --out J.jsonl; calibrate SCENARIO...
    Workshops:  stormdrill workshop serve SCENARIO; workshop console; workshop report --html F

    SCENARIO is a YAML file or the id of a shipped scenario (e.g. empty-ovens).
    """


# --------------------------------------------------------------------------- playing


@cli.command()
@click.argument("scenario", required=False)
@speed_option(1.0, "Scenario minutes per real minute (5 = five times faster).")
@click.option("--seed", type=int, default=None, help="Seed for the crowd (default: the scenario's).")
@click.option("--trainee", default=None, help="Your name, for the journal and the leaderboard.")
@click.option(
    "--resume", "resume", type=click.Path(dir_okay=False), default=None, help="Continue a session from its journal."
)
@click.option(
    "--journal",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the journal (default: your Stormdrill data folder).",
)
@click.option(
    "--coach",
    is_flag=True,
    help="Coaching: hints from the scoring rules while you play; ctrl+t checks a draft (marks the session coached).",
)
def play(
    scenario: str | None,
    speed: float,
    seed: int | None,
    trainee: str | None,
    resume: str | None,
    journal: str | None,
    coach: bool,
) -> None:
    """Play a scenario in the trainee console. Without SCENARIO, pick one from the library."""
    if resume and scenario:
        fail("give either a scenario or --resume, not both", "the journal knows its scenario")
    if resume and not Path(resume).is_file():
        fail(f"no such journal: {resume}", "journals are listed in your Stormdrill data folder")
    if scenario:
        # Only the cheap checks here; the app validates the file behind its first frame.
        from sim.scenario.library import resolve
        from sim.scenario.problems import ScenarioError

        try:
            path = resolve(scenario)
        except ScenarioError as exc:
            report_problems(exc.problems)
            sys.exit(EXIT_BAD_INPUT)
        if not path.is_file():
            fail(f"no such file: {scenario}", "give a library id (see `stormdrill play`) or a path to a .yaml file")
    from sim.tui.app import GameOptions, StormdrillApp

    # The name is drawn by the console and written to the journal: clean it where it enters.
    name = clean_text(trainee or os.environ.get("USER") or "", single_line=True) or "trainee"
    options = GameOptions(
        speed=speed,
        seed=seed,
        trainee=name,
        resume=Path(resume) if resume else None,
        journal=Path(journal) if journal else None,
        coach=coach,
    )
    from sim.workshop.history import LocalHistory

    options.history = LocalHistory()
    app = StormdrillApp(options, scenario=scenario)
    try:
        app.run()
    finally:
        options.history.close()
    if app.keymap_problems:  # the console said so too, and played with the default keys
        report_problems(app.keymap_problems)
        click.echo("stormdrill: warning: your keymap was not used (run `stormdrill keys` to check it)", err=True)
    if app.problems:
        report_problems(app.problems)
        what = resume or scenario
        n = sum(1 for p in app.problems if p.severity == "error")
        hint = "fix them, then run `stormdrill validate`" if scenario else "start a new session instead"
        fail(f"{what}: {n} problem{'s' if n != 1 else ''} found", hint)
    if app.return_code:
        sys.exit(app.return_code)


@cli.command()
def keys() -> None:
    """List every command of the console: where it applies, its keys (after your keymap), its id.

    \b
    Your keymap is a TOML file in your Stormdrill config folder (the first line of the output
    says where; STORMDRILL_CONFIG_DIR overrides the folder). Give any command other keys by its id:
      "console.reply" = "R"
      "feed.down" = "j,down,ctrl+n"
    Keys are Textual key names (r, R, ctrl+s, f5, enter, escape, space, slash, plus). A keymap with
    problems is not used: they are printed as file:line: message, and this exits with status 2.
    """
    from sim.tui import commands
    from sim.tui.keymap import KeymapError, keymap_path, load_keymap

    path = keymap_path()
    try:
        keymap = load_keymap(path)
    except KeymapError as exc:
        report_problems(exc.problems)
        fail(f"{path}: the keymap is not used", "fix it, or remove it to use the default keys")
    state = f"{len(keymap)} command{'s' if len(keymap) != 1 else ''} remapped" if path.exists() else "not there yet"
    click.echo(f"Your keymap: {path} ({state})")
    click.echo('Change a key with a line like  "console.reply" = "R"  (several keys: "R,enter").')
    where = ""
    for c in commands.COMMANDS:
        if c.where != where:
            where = c.where
            click.echo(f"\n{where[:1].upper()}{where[1:]}")
        shown = ", ".join(commands.keys_of(c.id, keymap))
        default = f"  (yours; the default is {c.keys.replace(',', ', ')})" if c.id in keymap else ""
        click.echo(f"  {shown:<18} {c.id:<20} {c.description}{default}")


# --------------------------------------------------------------------------- authoring


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, no summary.")
def validate(paths: tuple[str, ...], quiet: bool) -> None:
    """Check scenario files (or every .yaml in folders); exit 0 only when all are valid.

    Every problem is printed on its own line as file:line:col: message (hint).
    """
    from sim.scenario.library import scenario_files
    from sim.scenario.load import check_file
    from sim.scenario.problems import ScenarioError

    try:
        files = scenario_files(list(paths))
    except ScenarioError as exc:
        report_problems(exc.problems)
        sys.exit(EXIT_BAD_INPUT)
    if not files:
        fail("no scenario files found in " + ", ".join(paths), "scenario files end in .yaml or .yml")
    errors = warnings = bad_files = 0
    for f in files:
        problems = check_file(f)
        report_problems(problems)
        n_err = sum(1 for p in problems if p.severity == "error")
        errors += n_err
        warnings += len(problems) - n_err
        bad_files += 1 if n_err else 0
    if not quiet:
        summary = f"{len(files)} file{'s' if len(files) != 1 else ''} checked: "
        summary += f"{bad_files} invalid, {errors} error{'s' if errors != 1 else ''}" if errors else "all valid"
        if warnings:
            summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
        click.echo(summary, err=bool(errors))
    sys.exit(EXIT_BAD_INPUT if errors else 0)


@cli.command()
@click.argument("scenario")
@click.option("--seed", type=int, default=None, help="Seed for the crowd (default: the scenario's).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per post (t, id, author, text, ...).")
@click.option("--no-chart", is_flag=True, help="Leave out the volume chart.")
@click.option("--by-role", is_flag=True, help="Chart the volume by author role.")
def preview(scenario: str, seed: int | None, as_json: bool, no_chart: bool, by_role: bool) -> None:
    """Show the expanded storm in time order and a per-minute volume chart."""
    from sim.preview import print_json, print_storm
    from sim.scenario.expand import expand

    sc = load_or_exit(scenario)
    storm = expand(sc, seed)
    if as_json:
        print_json(storm, sys.stdout)
    else:
        print_storm(storm, sys.stdout, chart=not no_chart, width=_width(), by_role=by_role)


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--check", is_flag=True, help="Only report what would change (and show it); exit 1 if anything would.")
def migrate(files: tuple[str, ...], check: bool) -> None:
    """Rewrite format 1 scenario files as format 2, in place, keeping their comments.

    \b
    What changes: `format: 2`, and each briefing's `at` becomes `known_at`. The result is checked
    before it is written: it must validate and build the same scenario (so it scores the same).
    Exit 0 when done (or, with --check, when nothing needs to change), 1 with --check when a file
    would change, 2 when a file cannot be read or migrated.
    """
    import difflib

    from sim.scenario.load import read_text
    from sim.scenario.migrate import MigrateError, migrate_text

    bad = pending = 0
    for name in files:
        text, problems = read_text(Path(name))
        if text is None:
            report_problems(problems)
            bad += 1
            continue
        try:
            result = migrate_text(text, name)
        except MigrateError as exc:
            report_problems(exc.problems)
            click.echo(f"{name}: not migrated (fix the problems above, then run `stormdrill migrate` again)", err=True)
            bad += 1
            continue
        if not result.needed:
            click.echo(f"{name}: already format 2")
            continue
        pending += 1
        for line, why in result.changes:
            click.echo(f"{name}:{line}: {why}")
        if check:
            diff = difflib.unified_diff(
                text.splitlines(keepends=True), result.text.splitlines(keepends=True), name, f"{name} (format 2)"
            )
            click.echo("".join(diff), nl=False)
            continue
        try:
            tmp = Path(name).with_name(Path(name).name + ".migrating")
            tmp.write_text(result.text, encoding="utf-8")
            tmp.replace(name)
        except OSError as exc:
            fail(f"cannot write {name}: {exc.strerror or exc}")
        n = len(result.changes)
        click.echo(f"{name}: migrated to format 2 ({n} change{'s' if n != 1 else ''})")
    if bad:
        sys.exit(EXIT_BAD_INPUT)
    sys.exit(1 if check and pending else 0)


@cli.command()
@click.argument("file")
@click.option("--no-bots", is_flag=True, help="Validate and preview only; do not play the bots.")
@click.option("--interval", type=click.FloatRange(0.1, 60), default=0.5, help="Seconds between looks (default 0.5).")
@click.option("--once", is_flag=True, help="Report once and exit (status 0 valid, 2 invalid).")
def watch(file: str, no_bots: bool, interval: float, once: bool) -> None:
    """Re-validate and re-preview FILE on every save: the volume chart by role, the must-handle
    timeline, and what each bot scores (with the calibration verdict).

    A half-written file shows its problems (file:line) and the watch goes on; Ctrl-C stops it.
    """
    from sim.calibrate import BOTS
    from sim.watch import Watch

    path = Path(file)
    if path.is_dir():
        fail(f"{file} is a folder", "watch one scenario file")
    terminal = raw_stream(sys.stdout) if sys.stdout.isatty() else None  # clearing it is our own control output
    w = Watch(path, sys.stdout, bots=() if no_bots else BOTS, interval=interval, width=_width(), clear_to=terminal)
    if once:
        w.step()
        sys.exit(0 if w.last in ("valid", "calibrated", "uncalibrated") else EXIT_BAD_INPUT)
    try:
        w.run()
    except KeyboardInterrupt:
        click.echo("stopped watching")


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to a file.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the scenario format (for editors and CI)."""
    from sim.scenario.schema import SCHEMA

    text = json.dumps(SCHEMA, indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("name")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def new(name: str, force: bool) -> None:
    """Write NAME.yaml, a commented starter scenario that validates."""
    import re
    from importlib.resources import files

    path = Path(name if name.endswith((".yaml", ".yml")) else f"{name}.yaml")
    slug = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_")[:64] or "my-scenario"
    if path.exists() and not force:
        fail(f"{path} already exists", "choose another name, or add --force to overwrite it")
    title = path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "My scenario"
    text = files("sim.scenario").joinpath("starter.yaml").read_text(encoding="utf-8")
    text = text.replace("__ID__", slug).replace("__TITLE__", title.replace('"', "'"))
    schema_path = path.parent / "scenario.schema.json"
    try:
        path.write_text(text, encoding="utf-8")
        if not schema_path.exists():
            from sim.scenario.schema import SCHEMA

            schema_path.write_text(json.dumps(SCHEMA, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")
    click.echo(
        f"wrote {path} (and {schema_path.name} beside it, for editors). Next: edit it, then "
        f"`stormdrill validate {path}` and `stormdrill preview {path}`."
    )


# --------------------------------------------------------------------------- scoring


def _read_journal_or_exit(path: str) -> Any:
    from sim.engine.journal import JournalError, read_journal

    p = Path(path)
    if not p.is_file():
        fail(f"no such journal: {path}", "journals end in .jsonl; `stormdrill play` writes them")
    try:
        return read_journal(p)
    except JournalError as exc:
        fail(f"{path}: {exc}", "is this a Stormdrill journal?")


def _scenario_for(journal: Any, override: str | None, path: str) -> Any:
    header = journal.header
    arg = override or header.scenario_path or header.scenario
    if not arg:
        fail(f"{path}: the journal does not name its scenario", "pass --scenario FILE")
    if not override and header.scenario_path and not Path(header.scenario_path).exists():
        arg = header.scenario
    return load_or_exit(str(arg))


def _analyse(path: str, scenario: str | None) -> tuple[Any, Any]:
    from scoring import analyse

    journal = _read_journal_or_exit(path)
    for w in journal.warnings:
        click.echo(f"{path}: warning: {w}", err=True)
    sc = _scenario_for(journal, scenario, path)
    return analyse(sc, journal.header, journal.events, journal.warnings)


@cli.command()
@click.argument("journal", metavar="JOURNAL")
@click.option("--json", "as_json", is_flag=True, help="Print the score card as JSON (docs/scoring.md).")
@click.option("--scenario", default=None, help="The scenario file, if it moved since the session.")
def score(journal: str, as_json: bool, scenario: str | None) -> None:
    """Print the score card of a session journal, with the evidence behind every point."""
    card, _rec = _analyse(journal, scenario)
    if as_json:
        click.echo(json.dumps(card.to_json(), indent=2, ensure_ascii=False))
        return
    from sim.scenario.patterns import format_time

    who = " ".join((card.trainee or "trainee").split())  # one line, whatever the journal holds
    click.echo(f"{card.scenario_title}: {who}, seed {card.seed}")
    click.echo(
        f"Total {card.total:.0f}/100   speed {card.speed.score:.0f}   tone {card.tone.score:.0f}   "
        f"plan {card.plan.score:.0f}"
    )
    click.echo("")
    for e in sorted(card.evidence, key=lambda e: (e.t, e.part)):
        click.echo(f"{format_time(e.t):>8}  {e.part:<5} {e.points:+6.1f}  {e.what}")
    click.echo("")
    click.echo("Coaching:")
    for c in card.coaching:
        click.echo(f"  - {c}")


@cli.command()
@click.argument("journals", nargs=-1, required=True, metavar="JOURNAL...")
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="Write a self-contained HTML page.")
@click.option("--md", "md_out", type=click.Path(dir_okay=False), help="Write Markdown.")
@click.option("--scenario", default=None, help="The scenario file, if it moved since the sessions.")
def report(journals: tuple[str, ...], html_out: str | None, md_out: str | None, scenario: str | None) -> None:
    """Write a debrief report of one or more sessions of one scenario (side by side)."""
    from scoring.report import build_html, build_markdown

    entries = [_analyse(j, scenario) for j in journals]
    ids = {card.scenario for card, _ in entries}
    if len(ids) > 1:
        fail("the journals are from different scenarios: " + ", ".join(sorted(ids)), "report one scenario at a time")
    if not html_out and not md_out:
        html_out = f"{entries[0][0].scenario}-report.html"
    for out, build in ((html_out, build_html), (md_out, build_markdown)):
        if out:
            try:
                Path(out).write_text(build(entries), encoding="utf-8")
            except OSError as exc:
                fail(f"cannot write {out}: {exc.strerror or exc}")
            click.echo(f"wrote {out}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per line (score, flags, evidence).")
@click.option(
    "--jsonl",
    is_flag=True,
    help="Read one JSON object per line: text (required), post, author, kind (reply|update|private|plan), earlier.",
)
def tone(as_json: bool, jsonl: bool) -> None:
    """Judge replies from standard input with the game's own reply judge; one result per line.

    \b
    Plain input: one reply per line.
    --jsonl: {"text": "...", "post": "...", "author": "...", "kind": "reply", "earlier": ["..."]}
    Output: SCORE<TAB>flags, or with --json an object with score, flags and evidence.
    A bad --jsonl line is reported with its line number (exit status 2); nothing is judged then.
    """
    from scoring.tone_cli import run

    sys.exit(run(sys.stdin, sys.stdout, as_json, jsonl=jsonl, err=sys.stderr))


# --------------------------------------------------------------------------- bots


@cli.command()
@click.argument("scenario")
@click.option(
    "--bot",
    required=True,
    type=click.Choice(["silent", "slow", "canned", "defensive", "ideal"]),
    help="Which scripted player.",
)
@click.option("--seed", type=int, default=None, help="Seed for the crowd (default: the scenario's).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The journal to write.")
@click.option("--resume", is_flag=True, help="Continue the journal at --out after it was cut short.")
def autoplay(scenario: str, bot: str, seed: int | None, out: str, resume: bool) -> None:
    """Play a whole session headless with a scripted bot, in virtual time."""
    from scoring.judge import tone_judge
    from sim.autoplay import run_autoplay

    sc = load_or_exit(scenario)
    if resume and not Path(out).exists():
        fail(f"no journal to resume at {out}", "drop --resume to start a new one")
    if not resume and Path(out).exists():
        fail(f"{out} already exists", "choose another --out, or add --resume to continue it")
    try:
        run_autoplay(sc, bot, sc.seed if seed is None else seed, Path(out), resume=resume, judge=tone_judge)
    except ValueError as exc:
        fail(str(exc))
    click.echo(f"wrote {out}", err=True)


@cli.command()
@click.argument("scenarios", nargs=-1, required=True, metavar="SCENARIO...")
@click.option("--seed", type=int, default=None, help="Seed (default: each scenario's own).")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.option(
    "--humans",
    type=click.Choice(["check", "report", "skip"]),
    default="check",
    show_default=True,
    help="The validity suite's human sessions: check their order (fail if it breaks), only report it, or skip them.",
)
def calibrate(scenarios: tuple[str, ...], seed: int | None, as_json: bool, quiet: bool, humans: str) -> None:
    """Run every bot and the validity suite's human sessions on each scenario; check good play wins.

    Fails (exit 1) unless `ideal` scores at least 80, `silent` at most 20, and `ideal` beats every
    other bot by at least 25 points; and, where the scenario has human sessions (tests/validity/),
    expert > slow > canned > defensive by at least 10 each, quitter at most 25, must-handle only at
    least 10 below the expert and the keyword gamer at most 30. Lists the must-handle posts the ideal
    play left unanswered and the key points it missed.
    """
    from sim.calibrate import BOTS, check, check_humans, human_sessions, run_bot, run_human
    from sim.scenario.library import scenario_files

    try:
        files = scenario_files(list(scenarios))
    except Exception as exc:  # ScenarioError: unknown library id
        fail(str(exc))
    files = [f for f in files if f.stem != "stress"]
    loaded = [load_or_exit(str(f)) for f in files]
    rows: list[dict[str, Any]] = []
    jobs: list[tuple[Any, str, Any]] = [(sc, bot, None) for sc in loaded for bot in BOTS]
    if humans != "skip":
        jobs += [(sc, path.stem, path) for sc in loaded for path in human_sessions(sc)]
    show = not quiet and not as_json and sys.stderr.isatty()
    bots: dict[str, dict[str, Any]] = {}
    human_results: dict[str, dict[str, Any]] = {}
    with click.progressbar(
        jobs,
        label="Calibrating",
        file=raw_stream(sys.stderr) if show else open(os.devnull, "w"),
        item_show_func=lambda j: f"{j[0].id}/{j[1]}" if j else "",
    ) as bar:
        for sc, name, path in bar:
            if path is None:
                bots.setdefault(sc.id, {})[name] = run_bot(sc, name, seed)
            else:
                persona, result = run_human(sc, path)
                human_results.setdefault(sc.id, {})[persona] = result
    failures: list[str] = []
    notes: list[str] = []
    for sc in loaded:
        scores = {b: r.total for b, r in bots[sc.id].items()}
        human = {p: r.total for p, r in human_results.get(sc.id, {}).items()}
        problems = check(scores)
        human_problems = check_humans(human)
        failures += [f"{sc.id}: {p}" for p in problems + (human_problems if humans == "check" else [])]
        notes += [f"{sc.id}: {p}" for p in human_problems if humans == "report"]
        rows.append(
            {
                "scenario": sc.id,
                **{b: round(scores[b], 1) for b in BOTS},
                "human": {p: round(v, 1) for p, v in sorted(human.items(), key=lambda kv: -kv[1])},
                "ideal_gaps": bots[sc.id]["ideal"].gaps,
                "ok": not problems and not (humans == "check" and human_problems),
                "human_problems": human_problems,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        width = max(len(r["scenario"]) for r in rows) if rows else 8
        click.echo(f"{'scenario':<{width}}  " + "  ".join(f"{b:>9}" for b in BOTS) + "  verdict")
        for r in rows:
            click.echo(
                f"{r['scenario']:<{width}}  "
                + "  ".join(f"{r[b]:>9.1f}" for b in BOTS)
                + ("  ok" if r["ok"] else "  FAIL")
            )
            if r["human"]:
                click.echo(" " * (width + 2) + "human: " + ", ".join(f"{p} {v:.1f}" for p, v in r["human"].items()))
            for gap in r["ideal_gaps"][:8]:
                click.echo(" " * (width + 2) + f"ideal gap: {gap}")
    for f in failures:
        click.echo(f"calibration: {f}", err=True)
    for n in notes:
        click.echo(f"calibration (human order, reported only): {n}", err=True)
    sys.exit(1 if failures else 0)


from sim.practice_cli import history, replay  # noqa: E402 - practising alone (heavy modules load per command)
from sim.workshop_cli import workshop  # noqa: E402 - the command group (its heavy modules load per command)

cli.add_command(history)
cli.add_command(replay)
cli.add_command(workshop)


def _width() -> int:
    try:
        return max(60, min(200, os.get_terminal_size().columns))
    except OSError:
        return 100


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI, turning unexpected errors into one line (set STORMDRILL_DEBUG=1 for details).

    Everything printed on stdout and stderr, click's own usage errors included, goes through
    ``CleanStream``. The console (Textual) draws on the terminal itself and is not affected.
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = CleanStream(out), CleanStream(err)
    try:
        cli.main(args=argv, prog_name="stormdrill", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("stormdrill: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: say so without a wall of traceback
        if os.environ.get("STORMDRILL_DEBUG"):
            raise
        click.echo(f"stormdrill: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("Please report it with the command you ran; STORMDRILL_DEBUG=1 shows the details.", err=True)
        sys.exit(1)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = out, err


if __name__ == "__main__":
    main()
