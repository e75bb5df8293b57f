"""The shipped scenarios that use format 2 (boil-notice, tampered-shelf, results-day): their responsive
crowds, embargoes, bounded expectations, sized pile-ons and live placeholders really happen in play,
through the engine and the game's own reply judge, and the ideal bot and the validity suite's careful
humans respect the embargoes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scoring import analyse
from scoring.card import ScoreCard
from scoring.judge import tone_judge
from sim.bots import BOTS, DEFENSIVE_REPLIES
from sim.calibrate import human_sessions
from sim.engine.actions import Action, EndAction, ReplyAction, UpdateAction
from sim.engine.autoplay import run_autoplay
from sim.engine.clock import VirtualClock
from sim.engine.journal import read_journal
from sim.engine.scripted import load_script, play_script
from sim.engine.session import Session
from sim.scenario.expand import expand
from sim.scenario.library import resolve
from sim.scenario.load import load_scenario
from sim.scenario.model import Scenario
from sim.scenario.patterns import asserted, clock_label

VALIDITY = Path(__file__).resolve().parents[1] / "validity"


@dataclass(frozen=True)
class Shipped:
    sid: str
    embargo: str  # the briefing under embargo
    leak: str  # the held post a broken embargo brings
    word: str  # the crowd waiting for word: damped by good updates, fed by flagged replies
    main: str  # the main crowd: fed by flagged replies only (the validity sessions answer its posts)
    bounded: str  # a must-handle post with an expectation bounded in time
    bounded_until: float  # minutes: where its must_not_say stops applying
    too_early: str  # a reply to it that is fine later but not before then
    not_before: float  # minutes: the plan's earliest time
    cold: str  # a post whose cold reply fires the pile-on (w_backlash)


SHIPPED = [
    Shipped(
        "tampered-shelf",
        "b_withdraw",
        "h_leak",
        "w_word",
        "w_fear",
        "p_reporter",
        12,
        "Hi Marcus, police have confirmed the bottles were tampered with. We're sorry; about 300 stores are "
        "checking their shelves right now and our press office will call you.",
        12,
        "p_dizzy",
    ),
    Shipped(
        "boil-notice",
        "b_illness",
        "h_figures",
        "w_word",
        "w_boil",
        "p_reporter",
        13,
        "Hi Helen, we're sorry. We've extended the notice to Wexcombe and Marsden, 38,000 homes, and about "
        "40 people are ill so far.",
        22,
        "p_mumfluencer",
    ),
    Shipped(
        "results-day",
        "b_fix",
        "h_leak",
        "w_word",
        "w_results",
        "p_studytuber",
        14,
        "Sam, you're right and we're sorry. Please don't accept an insurance offer yet: universities are "
        "holding places, and every grade will be fixed today.",
        14,
        "p_studytuber",
    ),
]
IDS = [s.sid for s in SHIPPED]


@pytest.fixture(scope="module")
def scenarios() -> dict[str, Scenario]:
    return {s.sid: load_scenario(resolve(s.sid)) for s in SHIPPED}


@pytest.fixture(params=SHIPPED, ids=IDS)
def spec(request: pytest.FixtureRequest) -> Shipped:
    """Each test below runs once for each of the three scenarios."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def sc(spec: Shipped, scenarios: dict[str, Scenario]) -> Scenario:
    return scenarios[spec.sid]


def _session(sc: Scenario, path: Path | None = None) -> tuple[Session, VirtualClock]:
    clock = VirtualClock()
    s = Session.create(sc, clock, journal_path=path, judge=tone_judge, trainee="tester")
    if path is None:
        s._replay = []  # keep the events in memory (no journal file)
    return s, clock


def _play(sc: Scenario, actions: list[tuple[float, Any]], until: float, path: Path | None = None) -> Session:
    """Play ``actions`` (an Action, or a function of the session giving one) at their times, up to ``until``."""
    s, clock = _session(sc, path)
    for t, a in actions:
        clock.set(t)
        s.advance()
        s.act(a(s) if callable(a) else a)
    clock.set(until)
    s.advance()
    return s


def _card(sc: Scenario, actions: list[tuple[float, Any]], tmp_path: Path, name: str) -> tuple[ScoreCard, Session]:
    path = tmp_path / f"{name}.jsonl"
    s = _play(sc, [*actions, (sc.duration - 1, EndAction())], sc.duration, path)
    s.close()
    j = read_journal(path)
    return analyse(sc, j.header, j.events, j.warnings)[0], s


def _briefing(sc: Scenario, bid: str) -> Any:
    return next(b for b in sc.briefings if b.id == bid)


def _update(sc: Scenario, t: float, k: int, due: float | None = None) -> UpdateAction:
    """A good public update at ``t``: the newest public line that may be said then, and a next update time."""
    lines = [b.public_line for b in sc.briefings if b.t <= t and b.public_line and not b.embargoed(t)]
    label = clock_label(sc.start_minutes, t + 240 if due is None else due)
    sorry = "We're sorry for the worry this is causing."
    return UpdateAction(f"Update {k + 1}: {lines[-1]} {sorry} Next update at {label}.")


def _defensive(k: int) -> Any:
    """A reply the judge flags, to the newest post delivered (a function of the session)."""

    def act(s: Session) -> Action:
        post = next(p for p in reversed(s.delivered) if p.source == "wave" and not s.responded(p.id))
        return ReplyAction(post.id, DEFENSIVE_REPLIES[k % len(DEFENSIVE_REPLIES)])

    return act


def _count(s: Session, wave: str, until: float) -> int:
    return sum(1 for p in s.delivered if p.wave == wave and (s.delivered_at(p.id) or 0.0) < until)


TIMES = [120.0 + 240 * k for k in range(5)]  # minutes 2, 6, 10, 14, 18
UNTIL = 22 * 60.0


def test_each_uses_format_2s_responsive_volume_and_an_embargo(spec: Shipped, sc: Scenario) -> None:
    assert sc.format == 2
    waves = {w.id: w for w in sc.waves}
    word, main = waves[spec.word].responds, waves[spec.main].responds
    assert word is not None and word.good_statement < 0 < word.flagged_reply
    assert main is not None and main.flagged_reply > 0 and main.good_statement == main.good_reply == 0
    assert waves["w_backlash"].current is not None  # the pile-on is sized by the moment
    b = _briefing(sc, spec.embargo)
    assert b.public_from is not None and b.t < b.public_from and b.reveals
    assert asserted(b.reveals, b.public_line)  # the public line is the fact the embargo holds back
    assert any(p.live for p in sc.posts)  # a held post fills a placeholder from the state of play
    assert sc.scoring.plan_not_before == spec.not_before * 60
    # A model answer written for a post that must be answered before the fact may be said keeps it back.
    for post in sc.posts:
        exp = post.expect
        if exp is not None and post.t + (exp.reply_within or 0) < b.public_from:
            assert not asserted(b.reveals, exp.model_answer), post.id


def test_good_updates_damp_the_crowd_and_defensive_replies_feed_it(spec: Shipped, sc: Scenario) -> None:
    scripted = sum(1 for p in expand(sc).posts if p.wave == spec.word and not p.extra and p.t < UNTIL)
    main_scripted = sum(1 for p in expand(sc).posts if p.wave == spec.main and not p.extra and p.t < UNTIL)
    good = _play(sc, [(t, _update(sc, t, k)) for k, t in enumerate(TIMES)], UNTIL)
    silent = _play(sc, [], UNTIL)
    fed = _play(sc, [(t, _defensive(k)) for k, t in enumerate(TIMES)], UNTIL)
    assert _count(good, spec.word, UNTIL) < 0.7 * scripted  # each good update quiets the waiting crowd
    assert scripted <= _count(silent, spec.word, UNTIL) < _count(fed, spec.word, UNTIL)
    assert _count(fed, spec.word, UNTIL) > 1.5 * scripted
    # The main crowd, whose posts the validity sessions answer, is never thinned: only fed.
    assert _count(good, spec.main, UNTIL) == main_scripted
    assert _count(fed, spec.main, UNTIL) > 1.2 * main_scripted


def test_saying_the_embargoed_fact_early_is_penalised_and_fires_the_leak(
    spec: Shipped, sc: Scenario, tmp_path: Path
) -> None:
    b = _briefing(sc, spec.embargo)
    assert b.public_from is not None
    holding = (90.0, _update(sc, 90, 0))
    leak = UpdateAction(f"{b.public_line} We're sorry. Next update at {clock_label(sc.start_minutes, b.t + 300)}.")
    early, s_early = _card(sc, [holding, (b.t + 30.0, leak)], tmp_path, "early")
    later, s_later = _card(sc, [holding, (b.public_from + 30.0, leak)], tmp_path, "later")
    guess, s_guess = _card(sc, [holding, (b.t - 60.0, leak)], tmp_path, "guess")
    hit = [e for e in early.evidence if e.rule == "tone.embargo"]
    assert len(hit) == 1 and hit[0].points == -8.0 and b.title in hit[0].what
    assert s_early.post(spec.leak) is not None  # the embargo_broken inject brought its post
    for card, s in ((later, s_later), (guess, s_guess)):  # from public_from it is fine; before known_at, a guess
        assert [e for e in card.evidence if e.rule == "tone.embargo"] == []
        assert s.post(spec.leak) is None
    assert early.tone.details["penalties"] == later.tone.details["penalties"] + 8.0


def test_an_expectation_bounded_in_time(spec: Shipped, sc: Scenario, tmp_path: Path) -> None:
    post = next(p for p in sc.posts if p.id == spec.bounded)
    before = spec.bounded_until * 60 - 20
    assert post.t < before
    early, _ = _card(sc, [(before, ReplyAction(spec.bounded, spec.too_early))], tmp_path, "early")
    late, _ = _card(sc, [(before + 60, ReplyAction(spec.bounded, spec.too_early))], tmp_path, "late")

    def said(card: ScoreCard) -> list[str]:
        return [e.what for e in card.evidence if e.rule == "tone.must_not_say" and e.ref == spec.bounded]

    assert len(said(early)) == 1 and said(late) == []


def test_the_pile_on_is_sized_by_the_volume_when_it_fires(spec: Shipped, sc: Scenario) -> None:
    at = next(p.t for p in sc.posts if p.id == spec.cold) + 20.0
    cold = ReplyAction(spec.cold, DEFENSIVE_REPLIES[0])
    # The same cold reply at the same moment: after good updates have quieted the crowd, or after silence.
    quiet = _play(sc, [*((t, _update(sc, t, k)) for k, t in enumerate(TIMES) if t < at), (at, cold)], at + 480)
    loud = _play(sc, [(at, cold)], at + 480)
    n_quiet, n_loud = _count(quiet, "w_backlash", 1e9), _count(loud, "w_backlash", 1e9)
    assert 0 < n_quiet < n_loud


def test_a_missed_promise_is_quoted_back_with_its_time(spec: Shipped, sc: Scenario) -> None:
    s = _play(sc, [(90.0, _update(sc, 90, 0, due=300))], 600)
    promise = s.post("h_promise")
    assert promise is not None and clock_label(sc.start_minutes, 300) in promise.text and "{" not in promise.text


def test_the_ideal_bot_keeps_the_embargo_then_says_it(spec: Shipped, sc: Scenario, tmp_path: Path) -> None:
    b = _briefing(sc, spec.embargo)
    path = tmp_path / "ideal.jsonl"
    s = run_autoplay(sc, BOTS["ideal"], None, path, bot_name="ideal", judge=tone_judge)
    card, _ = analyse(sc, *_journal(path))
    assert [e for e in card.evidence if e.rule == "tone.embargo"] == []
    assert s.post(spec.leak) is None
    said = [a.t for a in s.public_posts() if asserted(b.reveals, a.full_text())]
    assert said and min(said) >= (b.public_from or 0)  # it says the fact, once it may
    plans = [a.t for a in s.actions if a.kind == "plan"]
    assert plans and plans[0] >= spec.not_before * 60  # and waits for the remedy before its plan


def _journal(path: Path) -> tuple[Any, Any, Any]:
    j = read_journal(path)
    return j.header, j.events, j.warnings


def test_the_validity_sessions_never_break_the_embargo(spec: Shipped, sc: Scenario, tmp_path: Path) -> None:
    """The sessions were written by people before the embargo existed: the embargo's times were set so
    that what they did stays consistent with it (a careful expert says the fact only once it may)."""
    for path in human_sessions(sc, VALIDITY):
        script = load_script(path)
        out = tmp_path / f"{path.stem}.jsonl"
        s = play_script(sc, script, out, judge=tone_judge)
        assert not script.refused, (path.stem, script.refused)
        card, _ = analyse(sc, *_journal(out))
        assert [e.what for e in card.evidence if e.rule == "tone.embargo"] == [], path.stem
        assert s.post(spec.leak) is None, path.stem
