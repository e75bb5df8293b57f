"""Resume: a journal cut at any byte continues to exactly the uninterrupted journal; autoplay CLI."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from scoring import score
from scoring.judge import tone_judge
from sim.bots import BOTS
from sim.engine.autoplay import run_autoplay as engine_autoplay
from sim.engine.clock import VirtualClock
from sim.engine.journal import read_journal
from sim.engine.reading import Judge
from sim.engine.session import ResumeError, Session
from sim.scenario.expand import expand
from sim.scenario.model import Scenario, Storm

HERE = Path(__file__).parent


def run_autoplay(
    scenario: Scenario | Storm,
    bot: str,
    seed: int | None,
    out: Path,
    *,
    resume: bool = False,
    judge: Judge | None = None,
) -> Session:
    return engine_autoplay(scenario, BOTS[bot], seed, out, bot_name=bot, resume=resume, judge=judge)


def _body(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[1:]  # the header's wall-clock time differs


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, scenario: Scenario) -> Path:
    out = tmp_path_factory.mktemp("full") / "ideal.jsonl"
    run_autoplay(scenario, "ideal", 5, out, judge=tone_judge)
    return out


def test_uninterrupted_run_is_deterministic(full: Path, scenario: Scenario, tmp_path: Path) -> None:
    again = tmp_path / "again.jsonl"
    run_autoplay(scenario, "ideal", 5, again, judge=tone_judge)
    assert _body(again) == _body(full)
    other = tmp_path / "other.jsonl"
    run_autoplay(scenario, "ideal", 6, other, judge=tone_judge)
    assert _body(other) != _body(full)


def test_resume_after_a_cut_at_every_line_and_mid_line(full: Path, scenario: Scenario, tmp_path: Path) -> None:
    raw = full.read_bytes()
    ends = [i + 1 for i, b in enumerate(raw) if b == ord("\n")]
    cuts = set(ends[:-1])  # at every line boundary (the last one is the finished file)
    cuts |= {e - 7 for e in ends[1::3] if e - 7 > ends[0]}  # and mid-line, in every third line
    cuts |= {0, 1, ends[0] // 2, ends[0] - 1, ends[0] + 1}  # in and just after the header
    reference = _body(full)
    expected_score = score(scenario, read_journal(full)).total
    for n, cut in enumerate(sorted(cuts)):
        part = tmp_path / f"cut{n}.jsonl"
        part.write_bytes(raw[:cut])
        run_autoplay(scenario, "ideal", 5, part, resume=True, judge=tone_judge)
        assert _body(part) == reference, f"cut at byte {cut}"
    assert score(scenario, read_journal(part)).total == expected_score


def test_resume_refuses_a_changed_bot_or_an_edited_journal(full: Path, scenario: Scenario, tmp_path: Path) -> None:
    part = tmp_path / "p.jsonl"
    raw = full.read_bytes()
    part.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ResumeError, match="played by bot `ideal`"):
        run_autoplay(scenario, "canned", 5, part, resume=True, judge=tone_judge)
    with pytest.raises(ResumeError, match="played with seed 5, not 6"):
        run_autoplay(scenario, "ideal", 6, part, resume=True, judge=tone_judge)
    with pytest.raises(ResumeError, match="sha256 differs"):
        Session.resume(replace(scenario, content_hash="0" * 64), part, VirtualClock(), judge=tone_judge)
    with pytest.raises(ResumeError, match="tone judge"):
        Session.resume(scenario, part, VirtualClock(), judge=None)
    lines = part.read_text().splitlines(keepends=True)
    post_line = next(i for i, line in enumerate(lines) if '"type":"post"' in line)
    lines[post_line] = lines[post_line].replace('"text":"', '"text":"EDITED ', 1)
    part.write_text("".join(lines))
    with pytest.raises(ResumeError, match=f"journal line {post_line + 1} differs from the replay"):
        Session.resume(scenario, part, VirtualClock(), judge=tone_judge)


@pytest.mark.parametrize("bot", ["slow", "canned", "defensive"])
def test_other_bots_resume_exactly(bot: str, scenario: Scenario, tmp_path: Path) -> None:
    full = tmp_path / "full.jsonl"
    run_autoplay(scenario, bot, 3, full, judge=tone_judge)
    raw = full.read_bytes()
    for cut in range(len(raw) // 7, len(raw), len(raw) // 7):
        part = tmp_path / f"{cut}.jsonl"
        part.write_bytes(raw[:cut])
        run_autoplay(scenario, bot, 3, part, resume=True, judge=tone_judge)
        assert _body(part) == _body(full), f"cut at byte {cut}"


def test_a_storm_and_a_step_can_be_given(scenario: Scenario, tmp_path: Path) -> None:
    storm = expand(scenario, 4)
    out = tmp_path / "s.jsonl"
    session = engine_autoplay(storm, BOTS["ideal"], None, out, bot_name="ideal", step=30)
    assert session.ended and read_journal(out).header.seed == 4
    with pytest.raises(ValueError, match="step must be positive"):
        engine_autoplay(storm, BOTS["ideal"], None, out, bot_name="ideal", step=0)


def test_torn_last_line_is_skipped_with_a_warning(full: Path, tmp_path: Path) -> None:
    part = tmp_path / "torn.jsonl"
    raw = full.read_bytes()
    part.write_bytes(raw[: len(raw) - 5])
    journal = read_journal(part)
    assert journal.warnings and "cut short" in journal.warnings[0]
    assert len(journal.events) == len(_body(full)) - 1


def test_autoplay_cli_and_resume(tmp_path: Path) -> None:
    out = tmp_path / "cli.jsonl"
    args = [
        sys.executable,
        "-m",
        "sim",
        "autoplay",
        str(HERE / "scenario.yaml"),
        "--bot",
        "ideal",
        "--seed",
        "2",
        "--out",
        str(out),
    ]
    assert subprocess.run(args, capture_output=True).returncode == 0
    full = out.read_bytes()
    out.write_bytes(full[: len(full) * 2 // 3 + 3])
    again = subprocess.run([*args, "--resume"], capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert out.read_bytes().split(b"\n")[1:] == full.split(b"\n")[1:]
    exists = subprocess.run(args, capture_output=True, text=True)
    assert exists.returncode == 2 and "already exists" in exists.stderr
    score_out = subprocess.run(
        [sys.executable, "-m", "sim", "score", str(out), "--json"], capture_output=True, text=True
    )
    assert score_out.returncode == 0, score_out.stderr
    assert '"total"' in score_out.stdout
