"""Scoring on hand-made journals: each speed measure, the plan elements, tone aggregation, evidence."""

from __future__ import annotations

from importlib.resources import files
from typing import Any

import pytest

from scoring import score_events
from scoring.plan import plan_elements
from scoring.record import Act
from scoring.speed import W_FIRST
from sim.scenario.expand import expand
from sim.scenario.load import load_text
from sim.scenario.model import PlanStep, Scenario, Storm

STARTER = files("sim.scenario").joinpath("starter.yaml").read_text(encoding="utf-8")
SCENARIO = load_text(STARTER.replace("__ID__", "bakery").replace("__TITLE__", "Bakery"))
STORM = expand(SCENARIO, 1)
HEADER = {"type": "header", "format": 1, "scenario": "bakery", "seed": 1, "trainee": "Sam"}

GOOD_HOLDING = (
    "We're so sorry: some of our seeded loaves may contain sesame that is not on the label. "
    "We are recalling loaves with best-before 3 to 5 May and our team is checking every batch now. "
    "If you have one, please don't eat it; we'll refund you in full. Next update at 09:20."
)
GOOD_SAFETY = (
    "Priya, I'm so sorry, that must be frightening. If your son shows any sign of an allergic "
    "reaction please call 111 or your GP now. Seeded loaves with best-before 3-5 May are affected; "
    "we'll refund you in full. DM us and our care team will call you today."
)
GOOD_PRESS = (
    "Tom, thanks for asking. We are recalling seeded loaves from our north bakery with best-before "
    "dates of 3 to 5 May because the label may not list sesame. No one has reported harm so far; "
    "we'll share numbers in our next update at 09:20."
)
CANNED = "Thanks for reaching out. We're looking into it."
DEFENSIVE = "This is not our fault. Per our terms, labelling errors by suppliers are not our responsibility."


def events_until(t: int, scenario: Scenario = SCENARIO, storm: Storm = STORM) -> list[dict[str, Any]]:
    """Delivered posts and briefings up to time t, as the engine would journal them."""
    evs: list[dict[str, Any]] = []
    for b in scenario.briefings:
        if b.t <= t:
            evs.append({"type": "briefing", "t": b.t, "id": b.id})
    for p in storm.posts:
        if p.t <= t:
            evs.append(
                {
                    "type": "post",
                    "t": p.t,
                    "id": p.id,
                    "author": p.handle,
                    "text": p.text,
                    "tags": list(p.tags),
                    "must_handle": p.must_handle,
                    **({"source": p.source} if p.source != "wave" else {}),  # as the engine journals it
                }
            )
    return sorted(evs, key=lambda e: e["t"])


def act(t: float, kind: str, text: str, post: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "action", "t": t, "kind": kind, "text": text, "post": post, **extra}


def run(actions: list[dict[str, Any]], until: int = 1800) -> Any:
    evs = events_until(until) + actions + [{"type": "end", "t": until}]
    evs.sort(key=lambda e: (e["t"], e["type"] != "post"))
    return score_events(SCENARIO, HEADER, evs)


PLAN = act(
    900,
    "plan",
    "What happened: a labelling machine printed the old allergen list after a software update, so some "
    "seeded loaves do not list sesame. Here is our plan.",
    steps=[
        {
            "what": "Full refund for every recalled loaf, no receipt needed",
            "who": "Customer care team",
            "when": "from today",
        },
        {
            "what": "Manual label checks on every batch until the machine is fixed",
            "who": "Head of production",
            "when": "starting tonight",
        },
        {
            "what": "If you bought a seeded loaf, please check the best-before date and don't eat it",
            "who": "You",
            "when": "now",
        },
    ],
    next_update="09:40 on this account; DM us or call 0800 123 456 for help",
)


def test_silent_session_scores_zero() -> None:
    card = run([])
    assert card.total == 0
    assert card.plan.details["posted"] is False
    assert card.speed.details["first_statement_s"] is None
    assert any(e.rule == "plan.missing" for e in card.evidence)


def test_first_statement_time_is_measured_and_scored() -> None:
    fast = run([act(120, "update", GOOD_HOLDING)])
    slow = run([act(1200, "update", GOOD_HOLDING)])
    assert fast.speed.details["first_statement_s"] == 120
    assert slow.speed.details["first_statement_s"] == 1200
    assert fast.speed.details["blocks"]["first_statement"] == W_FIRST
    assert slow.speed.details["blocks"]["first_statement"] < 10


def test_reply_times_median_p90_and_must_handle_in_time() -> None:
    card = run(
        [
            act(120, "update", GOOD_HOLDING),
            act(200, "reply", GOOD_SAFETY, "p_allergy"),  # post at 120: 80 s, in time (5 min)
            act(1260, "reply", GOOD_PRESS, "p_press"),  # post at 360: 900 s, exactly the 15-min target
        ]
    )
    sp = card.speed.details
    assert sp["median_reply_s"] == pytest.approx(490)
    assert sp["p90_reply_s"] == pytest.approx(80 + 0.9 * 820)
    assert sp["must_handle_in_time_pct"] == 100.0
    late = run([act(120, "update", GOOD_HOLDING), act(1700, "reply", GOOD_SAFETY, "p_allergy")])
    assert late.speed.details["must_handle_in_time_pct"] == 0.0
    assert late.speed.score < card.speed.score


def test_longest_silence_and_cadence() -> None:
    updates = (
        GOOD_HOLDING,
        "Update: we're sorry, the cause is confirmed: a labelling machine printed the old allergen list. "
        "Every batch is now checked by hand before it leaves. Next update at 09:30.",
        "We know many of you are still worried. Refunds for recalled loaves start today at any of our shops, "
        "no receipt needed; our care team will call anyone who DMs us. Next update at 09:40.",
    )
    steady = run([act(60 + 600 * i, "update", text) for i, text in enumerate(updates)])
    gap = run([act(60, "update", GOOD_HOLDING)])
    assert steady.speed.details["longest_silence_s"] == pytest.approx(600)
    assert gap.speed.details["longest_silence_s"] == pytest.approx(1740)
    assert steady.speed.details["blocks"]["cadence"] > gap.speed.details["blocks"]["cadence"]


def test_promises_broken_cost_points() -> None:
    base = [act(120, "update", GOOD_HOLDING)]
    broken = [*base, {"type": "commitment", "t": 1200, "status": "broken", "due": 1200, "source": 1}]
    a, b = run(base), run(broken)
    assert b.speed.details["promises_broken"] == 1
    assert b.speed.score < a.speed.score


def test_triage_urgent_before_low_priority() -> None:
    low = [p for p in STORM.posts if p.wave and 250 < p.t < 600 and not ({"safety", "media"} & set(p.tags))][:3]
    bad = run(
        [act(120, "update", GOOD_HOLDING)]
        + [
            act(
                p.t + 30,
                "reply",
                f"Hi {p.name.split()[0]}, sorry about this. Loaves with best-before 3-5 May are "
                f"affected; we'll refund you in full. Next update at 09:20. ({i})",
                p.id,
            )
            for i, p in enumerate(low)
        ]
    )
    assert bad.speed.details["triage_pct"] is not None and bad.speed.details["triage_pct"] < 100
    assert any(e.rule == "speed.triage" for e in bad.evidence)


def test_canned_replies_earn_little_speed_and_poor_tone() -> None:
    posts = [p for p in STORM.posts if p.t < 1500][:25]
    canned = run([act(100, "update", CANNED)] + [act(p.t + 20, "reply", CANNED, p.id) for p in posts])
    good = run(
        [
            act(100, "update", GOOD_HOLDING),
            act(200, "reply", GOOD_SAFETY, "p_allergy"),
            act(400, "reply", GOOD_PRESS, "p_press"),
            PLAN,
        ]
    )
    assert canned.tone.score < 35
    assert canned.tone.details["flags"].get("copy_paste", 0) >= 20
    assert good.total > canned.total + 25


def test_defensive_answers_lose_tone_and_must_not_say() -> None:
    card = run(
        [act(100, "update", DEFENSIVE), act(200, "reply", "It's perfectly safe, nothing to worry about.", "p_allergy")]
    )
    assert card.tone.score < 40
    assert any(e.rule == "tone.must_not_say" for e in card.evidence)


def test_avoid_line_only_before_its_briefing() -> None:
    early = run([act(120, "update", "We think this may be sabotage at the bakery. " + GOOD_HOLDING)])
    late = run([act(600, "update", "We can confirm it was not sabotage. " + GOOD_HOLDING)])
    assert any(e.rule == "tone.avoid" for e in early.evidence)
    assert not any(e.rule == "tone.avoid" for e in late.evidence)


def test_private_case_needs_private_message() -> None:
    sc = load_text(
        STARTER.replace("__ID__", "bakery")
        .replace("__TITLE__", "Bakery")
        .replace("      private: false", "      private: true")
    )
    public = GOOD_SAFETY.replace(" DM us and our care team will call you today.", " DM us.")
    evs = [*events_until(1800), act(200, "reply", public, "p_allergy"), {"type": "end", "t": 1800}]
    evs.sort(key=lambda e: e["t"])
    public_only = score_events(sc, HEADER, evs)
    assert any(e.rule == "tone.private" for e in public_only.evidence)
    # Promising to call the person takes it offline, as a private message does.
    called = [*events_until(1800), act(200, "reply", GOOD_SAFETY, "p_allergy"), {"type": "end", "t": 1800}]
    called.sort(key=lambda e: e["t"])
    assert not any(e.rule == "tone.private" for e in score_events(sc, HEADER, called).evidence)
    evs2 = [
        *evs,
        act(
            210,
            "private",
            "Hi Priya, our care team lead here. Could you share your phone number so we "
            "can call you today about a refund?",
            "p_allergy",
        ),
    ]
    evs2.sort(key=lambda e: e["t"])
    with_dm = score_events(sc, HEADER, evs2)
    assert not any(e.rule == "tone.private" for e in with_dm.evidence)


def test_plan_elements_each_detected() -> None:
    a = Act(1, 0, "plan", PLAN["text"], None, tuple(PlanStep(**s) for s in PLAN["steps"]), PLAN["next_update"])
    found = plan_elements(a)
    for name in (
        "what_happened",
        "steps",
        "owners",
        "timeframes",
        "customer_actions",
        "help_channel",
        "remedy",
        "next_update",
    ):
        assert name in found, name
    bare = Act(2, 0, "plan", "We are working on it.", None, (), "")
    assert set(plan_elements(bare)) <= {"what_happened"}


def test_plan_scoring_on_time_late_and_missing() -> None:
    on_time = run([act(120, "update", GOOD_HOLDING), PLAN])
    late = run([act(120, "update", GOOD_HOLDING), {**PLAN, "t": 1700}])
    assert on_time.plan.details["posted"] and on_time.plan.details["on_time"]
    assert on_time.plan.score >= 80
    assert not late.plan.details["on_time"]
    assert late.plan.score == pytest.approx(on_time.plan.score * 0.6, abs=1)
    assert any(e.rule == "plan.late" for e in late.evidence)


def test_plan_consistency_with_briefing_actions() -> None:
    vague_steps = {
        **PLAN,
        "steps": [
            {"what": "Look into the situation carefully", "who": "Our team", "when": "soon"},
            {"what": "Keep everyone posted on progress", "who": "Our team", "when": "soon"},
        ],
    }
    a = run([act(120, "update", GOOD_HOLDING), PLAN])
    b = run([act(120, "update", GOOD_HOLDING), vague_steps])
    assert a.plan.details["consistency_pct"] == 100.0
    assert b.plan.details["consistency_pct"] < 100.0


def test_a_plan_in_a_blaming_tone_loses_points() -> None:
    """The same plan, in the company's own words, with and without blaming a supplier: the tone
    costs the plan 20 points, with the evidence saying why."""
    own = (
        "Some of our seeded loaves went out with labels that leave out sesame. We are sorry. Here is what we are doing."
    )
    blaming = own.replace("We are sorry.", "This is not our fault: our supplier's machine did it.")
    fair = run([act(120, "update", GOOD_HOLDING), {**PLAN, "text": own}])
    unfair = run([act(120, "update", GOOD_HOLDING), {**PLAN, "text": blaming}])
    assert fair.plan.score == 100 and not any(e.rule == "plan.tone" for e in fair.evidence)
    [tone] = [e for e in unfair.evidence if e.rule == "plan.tone"]
    assert tone.points == -20 and "blames" in tone.what
    assert unfair.plan.score == fair.plan.score - 20


def test_keyword_stuffed_plan_is_not_rewarded() -> None:
    stuffed = act(
        900,
        "plan",
        "happened refund dm please by team next update sorry apologise 3pm",
        steps=[{"what": "refund", "who": "team", "when": "3pm"}, {"what": "dm", "who": "ceo", "when": "9am"}],
    )
    card = run([act(120, "update", GOOD_HOLDING), stuffed])
    assert card.plan.score < 60


def test_evidence_items_are_complete_and_json_is_documented_shape() -> None:
    card = run([act(120, "update", GOOD_HOLDING), act(200, "reply", GOOD_SAFETY, "p_allergy"), PLAN])
    js = card.to_json()
    for key in ("total", "speed", "tone", "plan", "evidence"):
        assert key in js
    for key in ("first_statement_s", "median_reply_s", "p90_reply_s", "answered_pct"):
        assert key in js["speed"]
    assert 0 <= js["total"] <= 100
    assert js["plan"]["posted"] is True
    for e in js["evidence"]:
        assert set(e) >= {"t", "part", "rule", "what", "points", "ref"}
        assert e["what"]


def test_silence_towards_posts_that_needed_an_answer_is_a_tone() -> None:
    # A high-reach account's question is not must-handle, but it needed an answer: leaving it silent
    # costs tone (named in the evidence), as an unanswered must-handle post does.
    loud = {
        "type": "post",
        "t": 200,
        "id": "x_loud",
        "author": "@bigvoice",
        "text": "Which loaves?",
        "followers": 90000,
    }
    base = [act(120, "update", GOOD_HOLDING), act(150, "reply", GOOD_SAFETY, "p_allergy"), loud]
    answer = "Hi, it's our seeded loaves with best-before 3 to 5 May; full refund in store, no receipt needed."
    silent = run(base)
    answered = run([*base, act(260, "reply", answer, "x_loud")])
    gap = [e for e in silent.evidence if e.rule == "tone.unanswered"]
    assert len(gap) == 1 and "@bigvoice" in gap[0].what and gap[0].points < 0
    assert answered.tone.score > silent.tone.score
    assert not any("@bigvoice" in e.what for e in answered.evidence if e.rule == "tone.unanswered")


def test_priority_posts_answered_for_little_are_named_with_the_reason() -> None:
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario
    from sim.scenario.triage import needs_answer

    scenario = load_scenario(resolve("empty-ovens"))
    storm = expand(scenario, scenario.seed)
    other = [p for p in storm.posts if not p.must_handle and needs_answer(p) and p.t < 1200][:2]
    assert other, "empty-ovens has posts that need an answer besides the must-handle ones"
    evs = [e for e in events_until(1300, scenario, storm) if e["type"] == "post"]
    evs += [act(100, "update", GOOD_HOLDING)] + [act(p.t + 20, "reply", CANNED, p.id) for p in other]
    evs.append({"type": "end", "t": 1300})
    evs.sort(key=lambda e: (e["t"], e["type"] != "post"))
    card = score_events(scenario, {**HEADER, "scenario": "empty-ovens"}, evs)
    ev = next(e for e in card.evidence if e.rule == "speed.priority_posts")
    assert "answered for little" in ev.what and "too poor" in ev.what
    assert any(p.handle in ev.what.split("answered for little")[1] for p in other)
    assert ev.points < 0


def test_the_crowd_left_in_silence_counts_in_tone_and_answering_it_pays() -> None:
    """Answering only the must-handle posts leaves the crowd a team should reach in silence: each of
    them counts in the tone mean as a text scoring 0, and answering them lifts tone."""
    base = [
        act(120, "update", GOOD_HOLDING),
        act(200, "reply", GOOD_SAFETY, "p_allergy"),
        act(400, "reply", GOOD_PRESS, "p_press"),
    ]
    only = run(base)
    note = next(e for e in only.evidence if e.rule == "tone.unanswered")
    assert "people who posted that a team should reach" in note.what and note.points < 0
    answers = [
        "Thanks for checking. Only seeded loaves with best-before 3 to 5 May are recalled; if yours is one, "
        "please don't eat it and bring it back for a full refund.",
        "Good question: rye loaves are not affected. The recall covers seeded loaves dated 3 to 5 May only.",
        "I'm sorry for the worry. If the label says seeded and the date is 3, 4 or 5 May, please return it to "
        "any of our shops and we'll refund you, no receipt needed.",
        "You're right to ask. We're recalling seeded loaves with those dates because sesame may be missing from "
        "the label; other breads are fine to eat.",
        "Please check the best-before date on the bag: 3 to 5 May on a seeded loaf means it's part of the recall, "
        "and our shops will refund it today.",
        "Sorry you had to go looking for this. The affected loaves are seeded ones dated 3 to 5 May; our next "
        "update is at 09:20 on this account.",
    ]
    crowd = sorted(
        (p for p in STORM.posts if p.source == "wave" and p.role == "customer" and "question" in p.tags and p.t < 1500),
        key=lambda p: p.t,
    )[: len(answers)]
    assert len(crowd) == len(answers)
    answered = run(base + [act(p.t + 40, "reply", text, p.id) for p, text in zip(crowd, answers, strict=True)])
    assert answered.tone.score > only.tone.score + 10
    assert answered.total > only.total


def test_a_statement_with_the_safety_answer_answers_the_crowds_safety_questions() -> None:
    """Crowd safety questions ("is it safe at other stores?") are answered once in public, like a crowd
    rumour, when a statement gives the safety instruction by the time a reply is due: they are then not
    charged as unanswered, nor as urgent posts left waiting, and answering some in person still pays.
    Without that statement they each still need an answer; a named account's never stops needing one."""
    from scoring import analyse
    from sim.scenario.library import resolve
    from sim.scenario.load import load_scenario

    scenario = load_scenario(resolve("kitchen-cam"))
    storm = expand(scenario, scenario.seed)
    header = {**HEADER, "scenario": "kitchen-cam", "seed": scenario.seed}
    posts = [e for e in events_until(900, scenario, storm) if e["type"] == "post"]
    crowd = [p for p in storm.posts if p.source == "wave" and "safety" in p.tags and p.t < 900 and p.followers < 10_000]
    assert len(crowd) >= 10
    safe = (
        "We are deeply sorry. A video shows unacceptable food handling at our Fairview store, which is now "
        "closed. If you ate there this week and feel unwell, please see your doctor. Next update at 10:30."
    )
    vague = "We are aware of a video and are looking into it. Next update at 10:30."
    one = crowd[5]
    reply = act(
        one.t + 30,
        "reply",
        "Only the Fairview store is involved and it is closed; if you feel unwell, see a doctor.",
        one.id,
    )

    def session(statement: str) -> Any:
        evs = [*posts, act(40, "update", statement), reply, {"type": "end", "t": 900}]
        evs.sort(key=lambda e: (e["t"], e["type"] != "post"))
        return analyse(scenario, header, evs, storm=storm)

    card, rec = session(safe)
    covered = [
        d
        for d in rec.posts.values()
        if d.post.source == "wave" and "safety" in d.post.tags and rec.answered_in_public(d)
    ]
    assert len(covered) >= 10
    assert not any(rec.answered_in_public(d) for d in rec.posts.values() if d.post.source != "wave")
    assert all(
        p.handle not in e.what for e in card.evidence if e.rule in ("tone.unanswered", "speed.triage") for p in crowd
    )
    assert one.id in {d.id for d in rec.others_to_answer()}  # the one answered in person still counts

    card_v, rec_v = session(vague)
    assert not any(rec_v.answered_in_public(d) for d in rec_v.posts.values())
    assert card_v.speed.score < card.speed.score
    assert (
        card_v.tone.details["mean"] < card.tone.details["mean"]
    )  # (the rest of this short session zeroes both pillars)
    assert card_v.speed.details["posts_needing_answer"] >= card.speed.details["posts_needing_answer"] + len(covered)
