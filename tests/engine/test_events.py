"""The journal's typed schema: what the engine writes is what scoring reads, and bad lines say where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scoring import analyse
from scoring.record import Act
from sim.cli import cli
from sim.engine.actions import ReplyAction, UpdateAction
from sim.engine.clock import VirtualClock
from sim.engine.events import ActionEvent, CommitmentEvent, PostEvent, TraineeAction, parse_event
from sim.engine.journal import JournalError, read_journal
from sim.engine.session import Session
from sim.scenario.model import Scenario


def _played(scenario: Scenario, tmp_path: Path) -> Path:
    clock = VirtualClock()
    s = Session.create(scenario, clock, journal_path=tmp_path / "j.jsonl", trainee="Sam")
    clock.set(130)
    s.advance()
    post = s.delivered[0]
    s.act(ReplyAction(post.id, "Sorry, we're on it: next update at 09:20."))
    s.act(UpdateAction("What we know: the ovens failed at 08:40. Next update at 09:20."))
    clock.set(400)
    s.advance()
    s.close()
    return tmp_path / "j.jsonl"


def test_every_line_the_engine_writes_reads_back_typed_and_identical(scenario: Scenario, tmp_path: Path) -> None:
    path = _played(scenario, tmp_path)
    j = read_journal(path)
    assert j.header.trainee == "Sam" and j.header.scenario == scenario.id
    assert len(j.events) == len(j.raw_events)
    for ev, raw in zip(j.events, j.raw_events, strict=True):
        assert ev.to_json() == raw
    actions = [e.action for e in j.events if isinstance(e, ActionEvent)]
    assert [a.kind for a in actions] == ["reply", "update"]
    assert actions[0].post_id and actions[0].seq == 1
    assert any(isinstance(e, CommitmentEvent) and e.status == "made" for e in j.events)


def test_engine_and_scoring_share_one_action_type(scenario: Scenario, tmp_path: Path) -> None:
    assert Act is TraineeAction
    j = read_journal(_played(scenario, tmp_path))
    _card, rec = analyse(scenario, j.header, j.events, j.warnings)
    assert all(isinstance(a, TraineeAction) for a in rec.actions)
    assert [a.seq for a in rec.actions] == [1, 2]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ({"type": "post", "t": 1, "id": "p", "author": "@a", "text": 5}, "`text` should be text"),
        ({"type": "post", "t": "soon", "id": "p", "author": "@a", "text": "x"}, "`t` should be a number"),
        ({"type": "action", "t": 1, "seq": 1, "kind": "shout", "text": "x"}, "`kind` should be one of"),
        ({"type": "action", "t": 1, "seq": 1, "kind": "plan", "text": "x", "steps": "do it"}, "`steps`"),
        ({"type": "commitment", "t": 1, "status": "made", "due": 9, "source": "one", "words": "x"}, "`source`"),
        ({"type": "post", "t": 1, "id": "p", "author": "@a", "text": "x", "tags": [1]}, "`tags`"),
    ],
)
def test_a_line_of_the_wrong_shape_is_named(line: dict[str, object], says: str) -> None:
    with pytest.raises(ValueError, match=says) as err:
        parse_event(line, 7)
    assert "line 7" in str(err.value)


def test_score_refuses_a_journal_with_a_bad_line_with_its_number(scenario: Scenario, tmp_path: Path) -> None:
    path = _played(scenario, tmp_path)
    lines = path.read_text().splitlines()
    bad = json.loads(lines[2])
    bad["t"] = "later"
    lines[2] = json.dumps(bad)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(JournalError, match="line 3"):
        read_journal(path)
    result = CliRunner().invoke(cli, ["score", str(path), "--scenario", str(scenario.source)])
    assert result.exit_code == 2
    assert "line 3" in result.output and "Traceback" not in result.output


def test_unknown_event_types_are_skipped_so_newer_journals_still_score(scenario: Scenario) -> None:
    assert parse_event({"type": "reaction", "t": 3, "emoji": "x"}, 2) is None
    ev = parse_event({"type": "post", "t": 3, "id": "p1", "author": "@a", "text": "hi", "must_handle": True}, 2)
    assert isinstance(ev, PostEvent) and ev.must_handle and ev.role == "customer"
