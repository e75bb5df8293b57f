"""`stormdrill migrate`: format 1 files become format 2, comments kept, meaning and scores unchanged."""

from __future__ import annotations

import dataclasses
from importlib.resources import files
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scoring import analyse
from scoring.judge import tone_judge
from sim.autoplay import run_autoplay
from sim.cli import cli
from sim.engine.journal import read_journal
from sim.scenario.library import library_dir
from sim.scenario.load import check_text, load_scenario, load_text
from sim.scenario.migrate import MigrateError, migrate_text
from sim.scenario.model import Scenario

SHIPPED = sorted(p for p in library_dir().glob("*.yaml"))
SHIPPED_F2 = [p for p in SHIPPED if "\nformat: 2\n" in p.read_text(encoding="utf-8")]
SHIPPED_F1 = [p for p in SHIPPED if p not in SHIPPED_F2]
STARTER = files("sim.scenario").joinpath("starter.yaml").read_text(encoding="utf-8")
ENGINE = Path(__file__).parent.parent / "engine" / "scenario.yaml"


def same(a: Scenario, b: Scenario) -> bool:
    def strip(sc: Scenario) -> Scenario:
        return dataclasses.replace(sc, format=1, source="", content_hash="")

    return strip(a) == strip(b)


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line and line.strip().startswith("#")]


@pytest.mark.parametrize("path", [*SHIPPED_F1, ENGINE], ids=lambda p: p.stem)
def test_every_shipped_format_1_scenario_migrates_to_the_same_scenario(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    result = migrate_text(text, str(path))
    assert result.needed and result.text.count("\nformat: 2") == 1
    assert [str(p) for p in check_text(result.text, "new.yaml")[1] if p.severity == "error"] == []
    assert same(load_text(text), load_text(result.text))
    assert load_text(result.text).format == 2
    assert comments(result.text) == comments(text)  # every whole-line comment kept, in order
    briefings = yaml.safe_load(result.text)["briefings"]
    assert briefings and all("known_at" in b and "at" not in b for b in briefings)
    assert not migrate_text(result.text).needed  # a second run changes nothing


def test_the_shipped_format_2_scenarios_need_no_migration() -> None:
    assert {p.stem for p in SHIPPED_F2} >= {"boil-notice", "results-day", "tampered-shelf"}
    for path in SHIPPED_F2:
        assert load_scenario(path).format == 2
        assert not migrate_text(path.read_text(encoding="utf-8"), str(path)).needed


def test_trailing_comments_keep_their_column() -> None:
    text = STARTER.replace("__ID__", "bakery").replace("__TITLE__", "Bakery")
    text = text.replace(
        "  - id: b_cause\n    at: 8\n", "  - id: b_cause\n    at: 8                    # the cause is found\n"
    )
    old = next(line for line in text.splitlines() if "# the cause is found" in line)
    new = next(line for line in migrate_text(text).text.splitlines() if "# the cause is found" in line)
    assert new.strip().startswith("known_at: 8") and new.index("#") == old.index("#")


def test_a_file_without_format_gets_it_before_its_first_key_after_the_comments() -> None:
    text = STARTER.replace("__ID__", "bakery").replace("__TITLE__", "Bakery").replace("format: 1\n", "")
    result = migrate_text(text)
    lines = result.text.splitlines()
    first_key = next(i for i, line in enumerate(lines) if line and not line.startswith("#"))
    assert lines[first_key] == "format: 2" and lines[first_key + 1].startswith("id: bakery")


def test_flow_style_files_migrate_too() -> None:
    text = (
        "{id: flow, title: Flow, summary: s, difficulty: intro, crisis_type: victim, duration: 10,\n"
        ' company: {name: A, handle: "@a"},\n'
        " briefings: [{id: b0, at: 0, title: T, text: X}, {id: b1, 'at': 2, title: U, text: Y}]}\n"
    )
    result = migrate_text(text)
    sc = load_text(result.text)
    assert sc.format == 2 and [b.t for b in sc.briefings] == [0, 120]
    assert "'known_at': 2" in result.text


def test_an_invalid_file_is_not_migrated_and_says_where() -> None:
    with pytest.raises(MigrateError) as info:
        migrate_text("format: 1\nid: x\ntitel: y\n", "bad.yaml")
    assert any(str(p).startswith("bad.yaml:3:1: unknown key `titel`") for p in info.value.problems)


def test_a_post_text_format_2_would_fill_is_refused_with_its_line() -> None:
    text = STARTER.replace("__ID__", "b").replace("__TITLE__", "B")
    text = text.replace("Can you confirm how many", "Update promised at {promised_time}. Can you confirm how many")
    with pytest.raises(MigrateError) as info:
        migrate_text(text, "s.yaml")
    line = text[: text.index("{promised_time}")].count("\n") + 1
    assert [p.line for p in info.value.problems] == [line]
    assert "fills in" in info.value.problems[0].message


def test_cli_check_reports_and_migrate_rewrites(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_text(STARTER.replace("__ID__", "bakery").replace("__TITLE__", "Bakery"), encoding="utf-8")
    before = f.read_text()
    runner = CliRunner()
    check = runner.invoke(cli, ["migrate", "--check", str(f)])
    assert check.exit_code == 1, check.output
    assert f"{f}:5: `format: 1` is now `format: 2`" in check.output and "+format: 2" in check.output
    assert f.read_text() == before  # --check writes nothing
    done = runner.invoke(cli, ["migrate", str(f)])
    assert done.exit_code == 0 and "migrated to format 2" in done.output
    assert load_scenario(f).format == 2
    again = runner.invoke(cli, ["migrate", "--check", str(f)])
    assert again.exit_code == 0 and "already format 2" in again.output
    missing = runner.invoke(cli, ["migrate", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "no such file" in missing.output and "Traceback" not in missing.output


def test_a_migrated_scenario_scores_identically(tmp_path: Path) -> None:
    original = load_scenario(library_dir() / "kitchen-cam.yaml")
    migrated_file = tmp_path / "kitchen-cam.yaml"
    migrated_file.write_text(migrate_text((library_dir() / "kitchen-cam.yaml").read_text()).text)
    migrated = load_scenario(migrated_file)
    totals = []
    lines = []
    for sc, name in ((original, "a"), (migrated, "b")):
        out = tmp_path / f"{name}.jsonl"
        run_autoplay(sc, "ideal", sc.seed, out, judge=tone_judge)
        j = read_journal(out)
        totals.append(analyse(sc, j.header, j.events, j.warnings)[0].total)
        lines.append(out.read_text().splitlines()[1:])  # the header names the file's hash
    assert lines[0] == lines[1]
    assert totals[0] == totals[1] and totals[0] > 0
