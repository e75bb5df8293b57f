"""The engine honours format 2: responsive and sized crowds, injects that move the mood, embargoes,
live placeholders, quote, pinned and media posts, crisis type changes. Each test fails if its field
is ignored."""

from __future__ import annotations

from collections.abc import Mapping

from sim.engine.actions import Action, ReplyAction, UpdateAction
from sim.engine.events import InjectEvent, PostEvent, PressureEvent
from sim.engine.pressure import post_heat
from sim.engine.session import Session
from sim.scenario.expand import expand
from sim.scenario.model import Post, Scenario

from ..f2 import scenario, session, wave_count

RESPONSIVE = {"responds": {"good_statement": -0.4, "flagged_reply": 0.6, "half_life": "10m", "cap": 2}}


def _play(sc: Scenario, actions: Mapping[int, Action], until: int = 1800) -> Session:
    s, clock = session(sc)
    for t in sorted(actions):
        clock.set(t)
        s.act(actions[t])
    clock.set(until)
    s.advance()
    return s


def test_silent_play_keeps_the_scripted_volume_of_a_responsive_wave() -> None:
    sc = scenario(waves=[{**scenario_wave(), "volume": {"per_minute": [6] * 30, **RESPONSIVE}}])
    s = _play(sc, {})
    assert wave_count(s) == 180  # exactly the scripted crowd: no event moved it
    storm = expand(sc)
    assert sum(1 for p in storm.posts if p.extra) == 180  # the extra posts wait for play to feed the crowd


def test_good_statements_damp_a_responsive_crowd_and_flagged_replies_feed_it() -> None:
    responsive = scenario(waves=[{**scenario_wave(), "volume": {"per_minute": [6] * 30, **RESPONSIVE}}])
    fixed = scenario()
    updates = {t: UpdateAction(f"We're sorry. Trains are moving again on line {t}.") for t in range(60, 1800, 240)}
    damped = _play(responsive, updates)
    assert wave_count(damped) < 0.7 * 180
    fed = _play(responsive, {t: ReplyAction("p1", "This is not our fault.") for t in range(120, 1800, 240)})
    assert wave_count(fed) > 1.3 * 180
    # A wave without `responds` is the same crowd whatever the play.
    assert wave_count(_play(fixed, updates)) == wave_count(_play(fixed, {})) == 180


def test_the_crowd_recovers_as_effects_fade() -> None:
    sc = scenario(
        waves=[
            {
                **scenario_wave(),
                "volume": {"per_minute": [20] * 30, "responds": {"good_statement": -1, "half_life": "2m"}},
            }
        ]
    )
    s = _play(sc, {60: UpdateAction("We're sorry. Trains are moving again.")})
    per_minute = [0] * 30
    for p in s.delivered:
        if p.wave == "w":
            per_minute[int((s.delivered_at(p.id) or 0) // 60)] += 1
    assert per_minute[0] == 20  # before the statement: as scripted
    assert per_minute[1] <= 5  # the minute after it: damped to a fraction (the effect halves in 2 minutes)
    assert per_minute[12] >= 16  # ten minutes (five half-lives) later: nearly the scripted 20 again


def scenario_wave() -> dict[str, object]:
    return {"id": "w", "from": 0, "to": 30, "templates": [{"text": "{name} is annoyed", "tags": ["complaint"]}]}


def _sized(rate: int) -> Scenario:
    return scenario(
        waves=[
            {**scenario_wave(), "volume": {"per_minute": [rate] * 30}},
            {
                "id": "pile",
                "from": 0,
                "to": 5,
                "held": True,
                "volume": {"current": 1, "current_over": "3m"},
                "templates": [{"text": "Pile-on from {city}", "tags": ["complaint"]}],
            },
        ],
        injects=[{"id": "i_pile", "when": {"no_statement_by": 10}, "fires": ["pile"]}],
    )


def test_a_held_wave_with_current_scales_with_the_volume_when_it_fires() -> None:
    low, high = _play(_sized(4), {}), _play(_sized(8), {})
    n_low, n_high = wave_count(low, "pile"), wave_count(high, "pile")
    assert 4 * 5 - 3 <= n_low <= 4 * 5 + 3  # as many again as arrived a minute, for its 5 minutes
    assert 8 * 5 - 3 <= n_high <= 8 * 5 + 3
    fired = [p for p in high.delivered if p.wave == "pile"]
    assert all(601 <= (high.delivered_at(p.id) or 0) < 601 + 300 for p in fired)


def test_an_inject_moves_the_pressure_at_once_and_for_ten_minutes() -> None:
    calm = scenario()
    pushed = scenario(injects=[{"id": "i", "when": {"no_statement_by": 5}, "pressure": 30}])
    a, b = _play(calm, {}, 420), _play(pushed, {}, 420)
    events = [e for e in (b._replay or []) if isinstance(e, PressureEvent)]
    at_firing = [e.value for e in events if e.t == 301]
    before = [e.value for e in events if e.t == 300]
    assert at_firing and before and at_firing[0] == min(100, round(before[0] + 30, 2))
    assert b.pressure > a.pressure + 10  # still pushed two minutes later


def test_an_inject_feeds_a_responsive_crowd() -> None:
    wave = {**scenario_wave(), "volume": {"per_minute": [6] * 30, "responds": {"half_life": "30m", "cap": 2}}}
    quiet = scenario(waves=[wave], injects=[{"id": "i", "when": {"no_statement_by": 5}, "pressure": 1}])
    fed = scenario(waves=[wave], injects=[{"id": "i", "when": {"no_statement_by": 5}, "crowd": 0.8}])
    assert wave_count(_play(quiet, {})) == 180
    assert wave_count(_play(fed, {})) > 180 + 60


EMBARGO = {
    "briefings": [
        {"id": "b0", "known_at": 0, "title": "Start", "text": "A train broke down."},
        {
            "id": "b_theft",
            "known_at": 1,
            "public_from": 10,
            "reveals": "stolen|theft",
            "title": "Theft",
            "text": "The cable was stolen.",
            "public_line": "Police confirm the cable was stolen.",
        },
    ],
    "posts": [
        {"id": "p1", "at": 1, "author": "cust", "text": "My train is stuck!"},
        {"id": "h_leak", "at": 0, "held": True, "author": "journo", "text": "Who told you it was theft?"},
    ],
    "injects": [{"id": "i_leak", "when": {"embargo_broken": "b_theft"}, "fires": ["h_leak"], "repeat": True}],
}


def test_saying_an_embargoed_fact_fires_its_inject_only_before_public_from() -> None:
    sc = scenario(**EMBARGO)
    s = _play(
        sc,
        {
            30: UpdateAction("The cable was stolen."),  # not known yet: a guess, not a breach
            120: UpdateAction("It was not stolen, as far as we know."),  # negated
            200: UpdateAction("We're sorry: the cable was stolen overnight."),  # a breach
            700: UpdateAction("Police confirm the cable was stolen."),  # after public_from
        },
    )
    fired = [e for e in s._replay or [] if isinstance(e, InjectEvent)]
    assert [(e.t, e.cause.get("briefing")) for e in fired] == [(200, "b_theft")]
    assert s.post("h_leak") is not None


def test_live_placeholders_are_filled_when_the_post_arrives() -> None:
    sc = scenario(
        posts=[
            {"id": "p1", "at": 1, "author": "cust", "text": "My train is stuck!"},
            {
                "id": "h",
                "at": 0,
                "held": True,
                "author": "journo",
                "text": "{trainee_name}, you said {promised_time}. Silent for {minutes_silent} min. {{literal}}",
            },
        ],
        injects=[{"id": "i", "when": {"promise_missed": True}, "fires": ["h"]}],
    )
    s = _play(sc, {120: UpdateAction("We're sorry, trains are stuck. Next update at 09:10.")})
    post = s.post("h")
    assert post is not None
    assert post.text == "tester, you said 09:10. Silent for 9 min. {literal}"  # fired at 09:11, silent since 09:02
    journaled = next(e for e in s._replay or [] if isinstance(e, PostEvent) and e.id == "h")
    assert journaled.text == post.text


def test_format_1_posts_keep_their_braces() -> None:
    from sim.scenario.load import load_text

    from ..f2 import text

    f1 = (
        text(format=1)
        .replace("known_at:", "at:")
        .replace("My train is stuck!", "Use code {promised_time}")
        .replace(".", "_")
        .replace("-lee", "_lee")
    )
    s, clock = session(load_text(f1, "f1.yaml"))
    clock.set(120)
    s.advance()
    post = s.post("p1")
    assert post is not None and post.text == "Use code {promised_time}"


def test_quote_pinned_and_media_are_journaled_and_weigh_in_the_pressure() -> None:
    plain = Post("a", 0, "x", "X", "@x", "customer", 100, "Look")
    from sim.scenario.model import Media

    video = Post("b", 0, "x", "X", "@x", "customer", 100, "Look", media=Media("video", "a fire"))
    assert post_heat(video) > post_heat(plain)
    posts = [
        {
            "id": "p1",
            "at": 1,
            "author": "cust",
            "text": "My train is stuck!",
            "media": {"kind": "video", "caption": "A dark tunnel"},
        },
        {"id": "p2", "at": 2, "author": "journo", "text": "Look at this.", "quote": "p1", "pinned": True},
    ]
    sc = scenario(posts=posts)
    ignored = _play(sc, {}, 900)
    unpinned = _play(scenario(posts=[posts[0], {**posts[1], "pinned": False}]), {}, 900)
    assert ignored.pressure > unpinned.pressure + 1  # the pinned post keeps drawing eyes while unanswered
    no_quote = {k: v for k, v in posts[1].items() if k not in ("quote", "pinned")}
    unquoted = _play(scenario(posts=[posts[0], no_quote]), {}, 180)
    quoting = _play(scenario(posts=[posts[0], {**posts[1], "pinned": False}]), {}, 180)
    assert quoting.pressure > unquoted.pressure  # a quote post carries part of the heat of what it quotes
    events = {e.id: e for e in ignored._replay or [] if isinstance(e, PostEvent)}
    assert events["p1"].media == ("video", "A dark tunnel")
    assert events["p2"].quote == "p1" and events["p2"].pinned
    line = events["p2"].to_json()
    assert line["quote"] == "p1" and line["pinned"] is True


def test_the_crisis_type_changes_at_its_time() -> None:
    sc = scenario(crisis_type_changes=[{"at": 10, "to": "preventable"}])
    s, clock = session(sc)
    clock.set(599)
    s.advance()
    assert s.crisis_type == "victim"
    clock.set(600)
    s.advance()
    assert s.crisis_type == "preventable"


def test_live_placeholders_in_wave_templates_and_a_plus_signed_effect() -> None:
    from sim.scenario.load import load_text

    from ..f2 import text

    yaml_text = text(
        waves=[
            {
                **scenario_wave(),
                "volume": {"per_minute": [2] * 30},
                "templates": [{"text": "Silent for {minutes_silent} minutes, {name}"}],
            }
        ]
    ).replace("per_minute:", "responds: {flagged_reply: +0.5}\n    per_minute:")
    sc = load_text(yaml_text, "f2.yaml")
    assert sc.waves[0].responds is not None and sc.waves[0].responds.flagged_reply == 0.5
    s = _play(sc, {300: UpdateAction("We're sorry. Trains are moving again.")}, 600)
    texts = {int((s.delivered_at(p.id) or 0) // 60): p.text for p in s.delivered if p.wave == "w"}
    assert texts[2].startswith("Silent for 2 minutes, ") and texts[8].startswith("Silent for 3 minutes, ")
    assert all("{" not in t for t in texts.values())
