"""Format 2 sessions resume exactly too: a crowd that answered play, a pile-on sized when it fired, a
pressure jump and live placeholders all replay to the same journal after a cut at any line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.bots import BOTS
from sim.engine.autoplay import run_autoplay
from sim.scenario.expand import expand
from sim.scenario.load import load_scenario

from ..f2 import judge

EXAMPLE = Path(__file__).parent.parent / "scenario" / "format2.yaml"


def _body(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[1:]  # the header's wall-clock time differs


@pytest.mark.parametrize("bot", ["defensive", "ideal"])
def test_a_format_2_journal_cut_anywhere_resumes_to_the_same_journal(bot: str, tmp_path: Path) -> None:
    sc = load_scenario(EXAMPLE)
    full = tmp_path / "full.jsonl"
    run_autoplay(sc, BOTS[bot], 3, full, bot_name=bot, judge=judge)
    body = _body(full)
    if bot == "defensive":  # the pile-on fired, sized by the crowd, and the pressure jumped
        assert any('"i_defensive"' in line for line in body) and any('"id":"w_pileon-' in line for line in body)
    else:  # good statements damped the crowd below its scripted volume
        scripted = sum(1 for p in expand(sc, 3).posts if p.wave == "w_crowd" and not p.extra)
        assert sum(1 for line in body if '"id":"w_crowd-' in line) < scripted
    raw = full.read_bytes()
    ends = [i + 1 for i, b in enumerate(raw) if b == ord("\n")]
    cuts = sorted({*ends[1:-1:25], *(e - 5 for e in ends[2::40])})
    for n, cut in enumerate(cuts):
        part = tmp_path / f"cut{n}.jsonl"
        part.write_bytes(raw[:cut])
        run_autoplay(sc, BOTS[bot], 3, part, bot_name=bot, judge=judge, resume=True)
        assert _body(part) == body, f"cut at byte {cut}"
