"""``stormdrill workshop ...``: serve a workshop, join it, run it, report on it (docs/workshops.md).

Heavy modules (Textual, SQLAlchemy, textual-serve) are imported inside each command."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

EXIT_BAD_INPUT = 2
DB_HELP = (
    "The results store: sqlite:///FILE or postgresql://USER@HOST/DB (default: SQLite in your Stormdrill data folder)."
)
WORKSHOP_HELP = "The workshop's id, or the start of it (default: the newest one still open)."


def fail(message: str, hint: str = "") -> NoReturn:
    click.echo(f"stormdrill: {message}" + (f" ({hint})" if hint else ""), err=True)
    sys.exit(EXIT_BAD_INPUT)


def open_store_or_exit(db: str | None, *, migrate: bool = True) -> Any:
    from sim.workshop.store import Store, StoreError

    try:
        return Store(db, migrate=migrate)
    except StoreError as exc:
        fail(str(exc), "check --db; a PostgreSQL server must be running and reachable")


def workshop_or_exit(store: Any, prefix: str | None) -> Any:
    w = store.find_workshop(prefix)
    if w is None:
        if prefix:
            fail(f"no single workshop's id starts with {prefix!r}", "see the id `stormdrill workshop serve` printed")
        fail("there is no workshop in this store yet", "start one with `stormdrill workshop serve SCENARIO`")
    return w


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def workshop() -> None:
    """Run one storm for a room: serve it to browsers, follow the room live, debrief the cohort.

    \b
    Facilitator:  stormdrill workshop serve SCENARIO      (prints the URL and the join code)
                  stormdrill workshop console             (roster; start, pause, resume, push a post, end)
                  stormdrill workshop report --html F     (the cohort debrief; --csv, --json, --xapi)
    Trainee:      open the URL in a browser, or `stormdrill workshop join` in a terminal
    """


@workshop.command()
@click.argument("scenario")
@click.option("--seed", type=int, default=None, help="Seed for the crowd (default: the scenario's); everyone gets it.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--db", default=None, help=DB_HELP)
@click.option("--code", default=None, help="The join code (default: a new random one, printed).")
@click.option("--public-url", default=None, help="The address browsers use, when behind a reverse proxy (https://...).")
def serve(
    scenario: str, seed: int | None, host: str, port: int, db: str | None, code: str | None, public_url: str | None
) -> None:
    """Serve SCENARIO to browsers: one trainee console per tab, one storm and one clock for the room."""
    from sim.cli import load_or_exit
    from sim.workshop.serve import DB_ENV, WorkshopServer, participant_command, port_free
    from sim.workshop.store import MIN_CODE, canonical_code, new_code

    sc = load_or_exit(scenario)
    if code is not None and len(canonical_code(code)) < MIN_CODE:
        fail(f"the join code must have at least {MIN_CODE} letters or digits", "or leave out --code to get one")
    if not port_free(host, port):
        fail(f"cannot listen on {host}:{port}: the port is taken or the address is not this machine's", "use --port")
    store = open_store_or_exit(db)
    code = code or new_code()
    source = str(Path(sc.source).resolve()) if sc.source else ""
    info = store.create_workshop(
        scenario=sc.id,
        title=sc.title,
        seed=sc.seed if seed is None else seed,
        duration=float(sc.duration),
        code=code,
        scenario_path=source,
        scenario_hash=sc.content_hash or "",
    )
    from sim.workshop.store import redact

    os.environ[DB_ENV] = store.url
    prepare_consoles(sc, info.id, info.seed)
    url = public_url or f"http://{host}:{port}"
    click.echo(f"Workshop {info.id[:8]}: {sc.title} (seed {info.seed})")
    click.echo(f"  Trainees open:  {url}")
    click.echo(f"  Join code:      {code}")
    click.echo(f"  Results store:  {redact(store.url)}")
    click.echo(
        f"  Run the room:   stormdrill workshop console --workshop {info.id[:8]}"
        + (f" --db {redact(store.url)}" if db else "")
    )
    store.close()
    keeper = start_judge()
    forks = start_zygote(info.id)
    click.echo("Press Ctrl+C to stop serving (the results stay in the store).", err=True)
    server = WorkshopServer(participant_command(info.id, launcher=forks is not None), host, port, public_url)
    try:
        server.serve()
    finally:
        if forks is not None:
            forks.stop()
        if keeper is not None:
            keeper.stop()


def prepare_consoles(sc: Any, workshop_id: str, seed: int) -> None:
    """What serve does once for every console (docs/workshops.md, sizing): the storm's name pools,
    drawn here and kept (the consoles never import Faker), and the scenario file's schema check
    (they skip it, and jsonschema): some 18 MB less per console."""
    from sim.scenario.expand import POOLS_ENV, expand
    from sim.store import data_dir

    os.environ[POOLS_ENV] = str(data_dir() / "workshops" / workshop_id / "name-pools")
    expand(sc, seed)
    if sc.content_hash:  # load_or_exit checked this file in full: the consoles loading it skip the schema
        from sim.scenario.load import SCHEMA_CHECKED_ENV

        os.environ[SCHEMA_CHECKED_ENV] = sc.content_hash


def start_judge() -> Any:
    """The host's one reply judge process for the consoles (docs/workshops.md, sizing); None if there is
    none, and then each console judges in-process."""
    from sim.workshop.judge_service import JUDGE_ENV, JudgeKeeper, judge_address

    path = judge_address()
    if path is None:
        click.echo("  Reply judge:    in each console (no Unix sockets here: about 170 MB more per trainee)")
        return None
    keeper = JudgeKeeper(path)
    if not keeper.start():
        click.echo(f"  Reply judge:    in each console ({keeper.problem})")
        return None
    os.environ[JUDGE_ENV] = str(path)
    click.echo(f"  Reply judge:    one process for this host (pid {keeper.pid})")
    return keeper


def start_zygote(workshop_id: str) -> Any:
    """The workshop's console fork server (docs/workshops.md, sizing); None if there is none, and then
    each tab's console imports everything itself."""
    from sim.workshop.launch import ZYGOTE_ENV
    from sim.workshop.zygote import ZygoteKeeper, zygote_address

    path = zygote_address(workshop_id)
    if path is None:
        click.echo("  Consoles:       one process each (no Unix sockets here: about 35 MB more per trainee)")
        return None
    keeper = ZygoteKeeper(path, workshop_id)
    if not keeper.start():
        click.echo(f"  Consoles:       one process each ({keeper.problem})")
        return None
    os.environ[ZYGOTE_ENV] = str(path)
    click.echo(f"  Consoles:       forked from one warm process (pid {keeper.pid})")
    return keeper


@workshop.command(hidden=True)
@click.option("--socket", "path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workshop", "workshop_id", required=True)
def zygote(path: Path, workshop_id: str) -> None:
    """The workshop's console fork server (serve starts it): forks a warm console for each tab."""
    from sim.workshop.store import DB_ENV
    from sim.workshop.zygote import run_zygote

    sys.exit(run_zygote(path, workshop_id, os.environ.get(DB_ENV) or None))


@workshop.command(hidden=True)
@click.option("--socket", "path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lease-wait", type=click.FloatRange(0.1), default=60.0, help="Exit if no serve leases it by then (s).")
def judge(path: Path, lease_wait: float) -> None:
    """The host's reply judge process (serve starts it): judges for every console over a Unix socket."""
    from sim.workshop.judge_service import run_judge

    sys.exit(run_judge(path, lease_wait))


@workshop.command(hidden=True)
@click.option("--workshop", "workshop_id", required=True)
def participant(workshop_id: str) -> None:
    """One browser tab's trainee console (textual-serve runs this, or its launcher when there is no fork server)."""
    from sim.workshop.zygote import run_console

    run_console(workshop_id)


@workshop.command()
@click.option("--db", default=None, help=DB_HELP)
def join(db: str | None) -> None:
    """Join a workshop from this terminal: the join code and your name, then the storm."""
    open_store_or_exit(db, migrate=False).close()
    from scoring import judging
    from sim.workshop.app import WorkshopApp
    from sim.workshop.judge_service import ServedJudge, judge_address

    served = ServedJudge.if_running(judge_address())  # on a serve host: its judge
    if served is not None:
        judging.use(served)

    app = WorkshopApp(db)
    app.run()


@workshop.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--workshop", "workshop_id", default=None, help=WORKSHOP_HELP)
def console(db: str | None, workshop_id: str | None) -> None:
    """The facilitator's console: the live roster; start, pause, resume, push a post, end."""
    store = open_store_or_exit(db)
    w = workshop_or_exit(store, workshop_id)
    from sim.workshop.console import FacilitatorApp

    FacilitatorApp(store, w.id).run()


@workshop.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--workshop", "workshop_id", default=None, help=WORKSHOP_HELP)
@click.option("--html", "html_out", type=click.Path(dir_okay=False), required=True, help="The cohort debrief page.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False), help="One row per trainee.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False), help="One object per trainee.")
@click.option("--xapi", "xapi_out", type=click.Path(dir_okay=False), help="xAPI statements, one per finished session.")
def report(
    db: str | None,
    workshop_id: str | None,
    html_out: str,
    csv_out: str | None,
    json_out: str | None,
    xapi_out: str | None,
) -> None:
    """The cohort debrief of a workshop: leaderboard, pillar spread, common mistakes, hot-wash questions."""
    from sim.workshop.report import build_cohort, write_outputs

    store = open_store_or_exit(db)
    w = workshop_or_exit(store, workshop_id)
    cohort = build_cohort(store, w)
    if not cohort.rows:
        fail(f"workshop {w.id[:8]} has no finished session yet", "the report lists sessions once they end")
    outputs = {"html": html_out, "csv": csv_out, "json": json_out, "xapi": xapi_out}
    try:
        for path in write_outputs(cohort, outputs):
            click.echo(f"wrote {path}")
    except OSError as exc:
        fail(f"cannot write: {exc.strerror or exc}", "check the folder exists and is writable")
