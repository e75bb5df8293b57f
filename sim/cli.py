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

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2


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
    Play:       stormdrill play [SCENARIO]
    Author:     stormdrill new NAME; validate PATH...; preview SCENARIO; schema
    Score:      stormdrill score JOURNAL; report JOURNAL...; tone < replies.txt
    Calibrate:  stormdrill autoplay SCENARIO --bot ideal --out J.jsonl; calibrate SCENARIO...

    SCENARIO is a YAML file or the id of a shipped scenario (e.g. empty-ovens).
    """


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
def preview(scenario: str, seed: int | None, as_json: bool, no_chart: bool) -> None:
    """Show the expanded storm in time order and a per-minute volume chart."""
    from sim.preview import print_json, print_storm
    from sim.scenario.expand import expand

    sc = load_or_exit(scenario)
    storm = expand(sc, seed)
    if as_json:
        print_json(storm, sys.stdout)
    else:
        print_storm(storm, sys.stdout, chart=not no_chart, width=_width())


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


def _width() -> int:
    try:
        return max(60, min(200, os.get_terminal_size().columns))
    except OSError:
        return 100


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI, turning unexpected errors into one line (set STORMDRILL_DEBUG=1 for details)."""
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


if __name__ == "__main__":
    main()
