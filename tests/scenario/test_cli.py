"""The authoring commands, run as a user would: exit codes, messages, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from sim.cli import cli
from sim.scenario.library import library_dir
from sim.scenario.schema import SCHEMA


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True)


def test_help_and_version_do_not_import_textual() -> None:
    code = (
        "import sys\nfrom sim.cli import main\n"
        "for argv in (['--help'], ['--version'], ['validate', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit as e:\n        assert e.code == 0, e.code\n"
        "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("CLEAN")
    assert "Usage: stormdrill" in out


def test_new_writes_a_valid_starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["new", "harbour-outage"])
    assert result.exit_code == 0, result.output
    assert Path("harbour-outage.yaml").exists()
    again = runner.invoke(cli, ["new", "harbour-outage"])
    assert again.exit_code == 2 and "already exists" in again.output
    check = runner.invoke(cli, ["validate", "harbour-outage.yaml"])
    assert check.exit_code == 0, check.output
    data = yaml.safe_load(Path("harbour-outage.yaml").read_text())
    assert data["id"] == "harbour-outage"


def test_validate_bad_file_exits_2_without_traceback(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("format: 1\nid: Bad Id\ntitel: x\n")
    result = run("validate", str(f))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{f}:3:1: unknown key `titel` (did you mean `title`?)" in result.stderr
    assert f"{f}:2:5: `id` should be an id" in result.stderr


def test_validate_missing_path_and_empty_folder(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2 and "no such file" in result.stderr
    result = run("validate", str(tmp_path))
    assert result.returncode == 2 and "no scenario files found" in result.stderr


def test_preview_of_unknown_scenario_says_what_exists() -> None:
    result = run("preview", "no-such-scenario")
    assert result.returncode == 2
    assert "no such file or library scenario" in result.stderr
    assert "Traceback" not in result.stderr


def test_schema_is_valid_json_schema_and_matches_shipped_copy() -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == SCHEMA
    shipped = library_dir() / "scenario.schema.json"
    assert json.loads(shipped.read_text()) == schema, "run `stormdrill schema -o scenarios/scenario.schema.json`"


def test_preview_lists_posts_and_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    runner.invoke(cli, ["new", "demo"])
    result = runner.invoke(cli, ["preview", "demo.yaml", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "BRIEFING" in result.output and "Posts per minute" in result.output
    assert "@priyashah" in result.output
    js = runner.invoke(cli, ["preview", "demo.yaml", "--json"])
    rows = [json.loads(line) for line in js.output.splitlines()]
    assert rows and {"t", "id", "author", "text"} <= set(rows[0])
    assert [r["t"] for r in rows] == sorted(r["t"] for r in rows)
