"""The practice history: finished sessions kept per trainee in the results store, `stormdrill history`
(sparklines, best and latest, what changed in words), imports that refuse what is not a finished
session and change nothing, and the learning path's recommendation."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli import cli
from sim.progress import BLOCKS, changes, histories, sparkline
from sim.workshop.store import Store
from tests.practice.conftest import as_trainee

Played = Callable[[str, str], Path]


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


def stamp(path: Path, minutes_ago: int) -> Path:
    t = time.time() - 60 * minutes_ago
    os.utime(path, (t, t))
    return path


@pytest.fixture
def sessions(played: Played, tmp_path: Path) -> dict[str, Path]:
    """Sam played Empty Ovens three times (canned, slow, expert), Kim once (defensive), oldest first."""
    out = {}
    for i, (who, persona) in enumerate([("Sam", "canned"), ("Sam", "slow"), ("Kim", "defensive"), ("Sam", "expert")]):
        out[f"{who}-{persona}"] = stamp(
            as_trainee(played("empty-ovens", persona), tmp_path / f"{who}-{persona}.jsonl", who), 40 - 10 * i
        )
    return out


def test_sparkline_maps_0_to_100_onto_eight_blocks() -> None:
    assert sparkline([0, 50, 100]) == BLOCKS[0] + BLOCKS[4] + BLOCKS[7]
    assert sparkline([-5, 130]) == BLOCKS[0] + BLOCKS[7]
    assert sparkline([]) == ""


def test_import_keeps_each_trainees_sessions_and_history_shows_trends(sessions: dict[str, Path]) -> None:
    code, out, err = run("history", "--import", *map(str, sessions.values()))
    assert code == 0, err
    assert out.count("imported ") == 4
    store = Store()
    sam = store.attempts("sam")  # names match whatever their case
    kim = store.attempts("Kim")
    assert [a.journal for a in sam] == [str(sessions[k].resolve()) for k in ("Sam-canned", "Sam-slow", "Sam-expert")]
    assert len(kim) == 1 and kim[0].trainee == "Kim"
    assert all(a.imported_from for a in sam + kim)
    totals = [a.total for a in sam]
    assert totals[-1] > totals[0]  # the expert run beats the canned one

    code, out, _ = run("history", "--trainee", "Sam", "--json")
    assert code == 0
    data = json.loads(out)
    (eo,) = data["history"]
    assert eo["trainee"] == "Sam" and eo["sessions"] == 3
    assert eo["trend"]["total"] == [round(t, 1) for t in totals]
    assert eo["best"]["total"] == round(max(totals), 1) and eo["latest"]["total"] == round(totals[-1], 1)
    assert eo["sparklines"]["tone"] == sparkline(eo["trend"]["tone"])
    up, down = changes(sam[-2].card, sam[-1].card)
    assert eo["improved"] == up and eo["slipped"] == down
    assert up  # the expert did better than the slow run on something, and says what

    code, text, _ = run("history", "--trainee", "Sam")
    assert "Empty Ovens (intro): 3 sessions" in text
    assert eo["sparklines"]["total"] in text
    assert "Since the previous attempt:" in text and f"+ {up[0]}" in text
    assert "Kim" not in text

    code, text, _ = run("history")  # everyone
    assert "Kim" in text and "Sam" in text and "Empty Ovens (intro): 1 session" in text


def test_what_changed_is_read_from_the_cards_evidence(sessions: dict[str, Path]) -> None:
    run("history", "--import", str(sessions["Sam-canned"]), str(sessions["Sam-expert"]))
    canned, expert = Store().attempts("Sam")
    up, _down = changes(canned.card, expert.card)
    assert any(u.startswith("tone up") for u in up)
    flags = canned.card["tone"]["flags"]
    if flags.get("copy_paste") and not expert.card["tone"]["flags"].get("copy_paste"):
        assert f"no texts read as copies of each other this time (was {flags['copy_paste']})" in up
    # Reversed, the same differences read as slips.
    _up2, down2 = changes(expert.card, canned.card)
    assert any(d.startswith("tone down") for d in down2) and len(down2) >= len(up) - 1


def test_an_import_that_is_already_there_is_a_note_and_adds_nothing(sessions: dict[str, Path]) -> None:
    j = str(sessions["Sam-slow"])
    assert run("history", "--import", j)[0] == 0
    code, out, _ = run("history", "--import", j)
    assert code == 0 and "in your history already" in out
    assert len(Store().attempts()) == 1


def test_imports_that_are_not_finished_sessions_exit_2_and_change_nothing(
    sessions: dict[str, Path], played: Played, tmp_path: Path
) -> None:
    good = str(sessions["Sam-slow"])
    unfinished = tmp_path / "unfinished.jsonl"
    lines = sessions["Sam-expert"].read_text(encoding="utf-8").splitlines()
    unfinished.write_text("\n".join(line for line in lines[:40] if '"type":"end"' not in line) + "\n")
    junk = tmp_path / "notes.jsonl"
    junk.write_text("hello\n")
    bot = played("empty-ovens", "quitter")  # a scripted bot's journal, not a trainee's
    for bad, words in [
        (unfinished, "has not finished"),
        (junk, "not a Stormdrill journal"),
        (bot, "bot, not by a trainee"),
        (tmp_path / "missing.jsonl", "no such file"),
    ]:
        code, _out, err = run("history", "--import", good, str(bad))
        assert code == 2, (bad, err)
        assert words in err and str(bad) in err
        assert "Traceback" not in err
        assert Store().attempts() == []  # the good one was not imported either


def test_the_console_records_a_finished_session_and_import_then_finds_it(played: Played, tmp_path: Path) -> None:
    from sim.workshop.history import LocalHistory

    j = as_trainee(played("empty-ovens", "slow"), tmp_path / "mine.jsonl", "Ana")
    from scoring import analyse
    from sim.engine.journal import read_journal
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario

    journal = read_journal(j)
    card, _ = analyse(load_scenario(resolve("empty-ovens")), journal.header, journal.events)
    link = LocalHistory()
    assert link.record(j, card.to_json(), trainee="Ana", difficulty="intro", coached=True) == ""
    (a,) = link.attempts("Ana")
    assert a.coached and a.imported_from == "" and a.difficulty == "intro"
    code, out, _ = run("history", "--import", str(j))
    assert code == 0 and "already" in out
    code, out, _ = run("history", "--trainee", "Ana")
    assert "coached" in out
    link.close()


def test_histories_group_per_trainee_and_scenario(sessions: dict[str, Path]) -> None:
    run("history", "--import", *map(str, sessions.values()))
    groups = histories(Store().attempts())
    assert [(g.trainee, len(g.attempts)) for g in groups] == [("Kim", 1), ("Sam", 3)]
    assert groups[0].since_previous() == ([], [])


def test_journals_without_import_are_refused_with_what_to_do(sessions: dict[str, Path]) -> None:
    code, _out, err = run("history", str(sessions["Sam-slow"]))
    assert code == 2 and "--import" in err


def test_an_unknown_scenario_is_a_clear_error_not_an_empty_history() -> None:
    code, _out, err = run("history", "--scenario", "empty-oven")
    assert code == 2 and "no scenario `empty-oven`" in err and "did you mean `empty-ovens`?" in err
    code, _out, err = run("history", "--scenario", "zzz", "--json")
    assert code == 2 and "the library: " in err and "kitchen-cam" in err
    code, out, _err = run("history", "--scenario", "kitchen-cam")  # a real scenario, not played yet
    assert code == 0 and "No finished sessions of kitchen-cam yet" in out
