"""The tone model: every flag on paraphrases (and not on near misses), ranking, gaming, the labelled set."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.devset import evaluate, load_rows
from scoring.judge import LEARNED_ONLY
from scoring.tone import NEGATIVE_FLAGS, POSITIVE_FLAGS, GateScan, ToneContext, analyze, politeness, similarity
from scoring.tone_cli import run

POST = "My order never arrived and nobody answers the phone. I'm furious."
CTX = ToneContext(kind="reply", post_text=POST, author_name="Maria Lopez", author_handle="@marialopez")

FIRES = {
    "acknowledges": [
        "We hear you, and this isn't good enough.",
        "You're right, that's not okay.",
        "We're aware many of you can't log in this morning.",
        "We're investigating the reports about tonight's orders.",
    ],
    "apologises": ["We're sorry about your order.", "We apologise for the missing delivery."],
    "empathises": ["I understand how frustrating this must be.", "That sounds really stressful."],
    "owns_it": [
        "This is on us: we got it wrong.",
        "Our mistake, and we take full responsibility.",
        "We've got this wrong, plain and simple.",
    ],
    "informs": [
        "Your order is delayed because the depot closed on Monday.",
        "We confirmed 300 orders are affected.",
        "Names, emails and hashed passwords were taken; no card details.",
    ],
    "next_step": [
        "Next update at 3pm.",
        "We'll refund you within 48 hours.",
        "We'll have you at the gate by 14:30.",
        "Your replacement will reach you today.",
        "Please reset your password.",
    ],
    "personal": ["Maria, your order should have arrived by now.", "Your order and the phone lines both failed you."],
    "moves_to_private": ["Please DM us your order number.", "I've sent you a private message."],
    "defensive": ["We followed all procedures correctly.", "That is not what happened, and we stand by our team."],
    "blames": [
        "That's not our fault, the courier lost it.",
        "If you had read the instructions this wouldn't happen.",
        "Our partners on the ground have let us down today.",
        "Our systems were up all morning. The issue must be on your side.",
        "This was not our doing.",
        "Parents are responsible for supervising their children on the bus.",
        "The shuttle is run by a contractor; please direct complaints to them.",
        "Payments failed due to an upstream issue with our third-party processor.",
    ],
    "dismissive": ["It's only a minor delay, calm down.", "Only a small number of orders are affected."],
    "non_apology": [
        "Sorry you feel that way.",
        "We apologise for any inconvenience.",
        "We apologise to any parents who may have been affected.",
        "We're sorry to hear your son was unwell, however we cannot verify this was our product.",
        "We're sorry your daughter felt uncomfortable, but we are not liable for independent drivers.",
    ],
    "legalese": [
        "Per our terms of service we are not liable.",
        "Pursuant to our policy, no refund applies.",
        "Overbooking is standard industry practice and is covered in our booking terms.",
    ],
    "hostile": ["Your complaint is ridiculous.", "Learn to read, nobody cares."],
    "profanity": ["This is a shit situation.", "What the fuck happened?"],
    "shouting": ["WE ARE WORKING ON IT, STOP ASKING", "Stop asking!!!"],
    "mocking_emoji": ["Sure, 'never arrived' 🙄", "Patience please 😂"],
    "speculates": ["It might have been caused by hackers.", "Probably the supplier's fault, we think."],
    "over_promises": ["This will never happen again.", "Everything is fully fixed, 100% guaranteed."],
    "asks_pii_public": ["Please reply with your card number.", "Can you post your date of birth and password?"],
    "vague": ["Thanks for reaching out.", "We're looking into it."],
    "safety_instruction": [
        "Please stop using the charger and unplug it now.",
        "Don't eat it: throw it away or bring it back to any store.",
        "If he has any trouble breathing, call 999 straight away.",
    ],
    "keyword_list": ["sorry apologise empathise update 3pm DM refund team", "Sorry, sorry, refund, update, DM, today."],
}
NEAR_MISS = {
    "apologises": "We are not sorry for enforcing safety rules.",
    "blames": "That's not the experience you should have had.",
    "asks_pii_public": "We will never ask for your card number or password.",
    "over_promises": "We will never again remove a seated passenger.",
    "moves_to_private": "We posted an update on our website.",
    "speculates": "The cause was a failed database upgrade, confirmed this morning.",
    "shouting": "We are working on it.",
}


# More near misses: words a rule looks for, used in a way that does not earn (or cost) the flag.
NEAR_MISSES = [
    ("next_step", "We apologise for today's disruption."),  # "today" about what happened, not what will
    ("next_step", "Tonight didn't go ahead, and that hurts."),
    ("empathises", "Don't worry, we'll sort it."),  # reassurance, not empathy
    ("empathises", "The issue must be on your side."),
    ("blames", "That account is not us: please report it."),  # a scam warning
    ("blames", "If you had a booking, we'll refund it in full."),
    ("non_apology", "We're so sorry your order was late, but your refund is on its way today."),
    # a hedge on what is affected is precaution, and a cause the text owns is no guess (human experts
    # on cold-cuts and results-day lost 10 points each to these as "major" speculation)
    ("speculates", "We've extended the recall to every product made since 1 June because older lots may be affected."),
    ("speculates", "His grade was likely wrong because of our error, and a corrected one is coming tomorrow."),
    ("speculates", "We're recalling seeded loaves with those dates because sesame may be missing from the label."),
    ("blames", "I'm sorry you were told that. It isn't right: all our lodges have the same heater."),
]


@pytest.mark.parametrize(("flag", "text"), NEAR_MISSES)
def test_more_near_misses(flag: str, text: str) -> None:
    assert flag not in analyze(text, CTX).flags


def test_our_own_partner_failure_owned_is_an_account_not_blame() -> None:
    # Naming what failed ("our new depot failed to get dough out") and owning it in the same text is
    # what the briefing lets the team say; the same naming without owning it still blames.
    ctx = ToneContext(kind="reply", post_text="Went to the Croydon store and it's closed.")
    owned = "Stephanie, sorry: Croydon is closed after our new delivery depot failed to get dough there. It's on us."
    assert "blames" not in analyze(owned, ctx).flags
    for text in (
        "Croydon is closed because our new delivery depot failed to get dough there.",
        "Our courier failed to deliver. That is on them, not us.",
        "The depot failed to get dough out; please take it up with them.",
    ):
        assert "blames" in analyze(text, ctx).flags, text


def test_a_price_is_a_fact_not_a_clock_time() -> None:
    assert "informs" in analyze("Your £19.99 has been refunded to your card.", CTX).flags


@pytest.mark.parametrize(("flag", "text"), [(f, t) for f, ts in FIRES.items() for t in ts])
def test_flag_fires_on_paraphrases(flag: str, text: str) -> None:
    assert flag in analyze(text, CTX).flags


@pytest.mark.parametrize(("flag", "text"), list(NEAR_MISS.items()))
def test_flag_does_not_fire_on_near_misses(flag: str, text: str) -> None:
    assert flag not in analyze(text, CTX).flags


def test_every_flag_is_covered() -> None:
    covered = set(FIRES) | {"contradicts_briefing", "copy_paste"} | LEARNED_ONLY
    assert covered == set(POSITIVE_FLAGS) | set(NEGATIVE_FLAGS)


def test_context_flags() -> None:
    ctx = ToneContext(
        kind="reply",
        contradictions=("overbooked",),
        unconfirmed=("sabotage",),
        earlier_replies=("Hi, we're sorry for the trouble. Our team is working on it.",),
    )
    assert "contradicts_briefing" in analyze("The flight was overbooked, sorry.", ctx).flags
    assert "contradicts_briefing" not in analyze("The flight was not overbooked.", ctx).flags
    assert "speculates" in analyze("It looks like sabotage at the depot.", ctx).flags
    copy = analyze("Hi, we're sorry for the trouble. Our team is working on it!", ctx)
    assert "copy_paste" in copy.flags and copy.score <= 30
    assert similarity("a b c d e", "a b c d e") == 1.0


def test_research_counter_examples_rank_correctly() -> None:
    good = analyze(
        "We're so sorry for the trouble, Maria. That's not the experience we want for you. Our team is "
        "investigating the outage now and we'll post an update by 3pm. Please DM us your order number so "
        "we can make this right.",
        CTX,
    ).score
    legal = analyze(
        "We are sorry you feel that way. Per our terms of service, we are not liable for delays caused "
        "by third parties.",
        CTX,
    ).score
    blame = analyze("That's not our fault. Read the FAQ.", CTX).score
    canned = analyze("Thanks for reaching out. We're looking into it.", CTX).score
    assert good >= 85 and legal < 30 and blame < 20 and canned < 40
    assert analyze("We're so sorry. We're fixing it now; next update at 3pm.", ToneContext(kind="update")).score > 60


def test_gaming_attempts_score_low() -> None:
    for text in (
        "sorry apologise empathise update 3pm DM refund team",
        "sorry sorry sorry sorry sorry sorry sorry sorry",
        "We apologise but this was the courier's fault.",
        "DM DM DM refund refund next update next update",
    ):
        assert analyze(text, CTX).score < 40, text


def test_empty_and_hostile_input() -> None:
    assert analyze("", CTX).score == 0
    r = analyze("[@click=app.quit] \x1b[2J" * 200, CTX)
    assert 0 <= r.score <= 100


def test_politeness_direction() -> None:
    assert politeness("Thank you so much, could you please take a look?") > politeness("Why is this wrong??")


def test_labelled_set_regression_floor() -> None:
    rows = load_rows(Path(__file__).parent.parent / "data" / "tone_dev.jsonl")
    held_out = evaluate([r for r in rows if r["split"] == "test"])
    everything = evaluate(rows)
    assert held_out["spearman"] >= 0.80 and everything["spearman"] >= 0.80
    assert held_out["auc_good_vs_poor"] >= 0.98


def test_blind_labelled_set() -> None:
    """80 replies to 10 crises in other industries, written and labelled blind (the labeller had seen only
    docs/tone-labelling.md). Some rules were then added after looking at its misses (docs/tone-model.md),
    so it is a regression floor now, not a held-out figure."""
    rows = load_rows(Path(__file__).parent.parent / "data" / "tone_blind.jsonl")
    figures = evaluate(rows)
    assert figures["n"] == 80
    assert figures["spearman"] >= 0.80 and figures["auc_good_vs_poor"] >= 0.98


def test_second_blind_labelled_set() -> None:
    """60 replies to 8 more crises, written and labelled blind after the first blind set's fixes; the
    model as it stood then scored Spearman 0.843 and AUC 0.989 on it (docs/tone-model.md)."""
    rows = load_rows(Path(__file__).parent.parent / "data" / "tone_blind2.jsonl")
    figures = evaluate(rows)
    assert figures["n"] == 60
    assert figures["spearman"] >= 0.80 and figures["auc_good_vs_poor"] >= 0.98


def test_tone_cli_plain_and_json() -> None:
    out = io.StringIO()
    assert run(["We're so sorry, Maria. Next update at 3pm.\n", "Not our fault.\n"], out, False) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].split("\t")[0].isdigit() and "blames" in lines[1]
    out = io.StringIO()
    run(["Thanks for reaching out.\n"], out, True)
    obj = json.loads(out.getvalue())
    assert obj["score"] < 40 and "vague" in obj["flags"] and obj["evidence"]


GATES = {"a": ("sorr", "sorry to", "apolog"), "b": ("so", "rry"), "c": ("we think", "we"), "d": ("x y",)}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="sorytapolgwehink xz.", max_size=60))
def test_gate_scan_opens_exactly_the_gates_whose_keys_occur(text: str) -> None:
    # One pass must agree with a plain substring test per gate, overlapping and nested keys included.
    expected = {name for name, keys in GATES.items() if any(k in text for k in keys)}
    assert GateScan(GATES)(text) == expected


def test_gate_scan_of_the_tone_model_agrees_with_substring_tests_on_the_labelled_replies() -> None:
    from scoring.tone import _GATE_SCAN, PREFILTER

    rows = load_rows(Path(__file__).parent.parent / "data" / "tone_dev.jsonl")
    for row in rows:
        text = " ".join(row["reply"].lower().split())
        expected = {name for name, keys in PREFILTER.items() if any(k in text for k in keys)}
        assert expected == {g for g in _GATE_SCAN(text) if g in PREFILTER}


SAFE_FACT = (
    "Operations confirm the cause: the new delivery partner's depot could not process our orders. "
    "It is not a food safety issue and no ingredients are contaminated."
)


def test_saying_the_briefed_safety_fact_plainly_is_not_over_promising() -> None:
    # "The food is safe" when the team's briefing says it is not a food safety issue: a known fact (my own
    # careful play of empty-ovens lost 10 on the total and 20 on the plan to it).
    post = "Is it even safe to eat at the stores that are open?"
    briefed = ToneContext(kind="reply", post_text=post, known_facts=(SAFE_FACT,))
    bare = ToneContext(kind="reply", post_text=post)
    text = "The food is safe. Stores are closed because the dough did not arrive."
    from scoring.judge import judge

    assert "over_promises" not in judge(text, briefed).flags
    assert "over_promises" in analyze(text, bare).flags  # with nothing known, it is a promise
    # Absolutes and promises about the future stay over-promises, whatever the briefing says.
    for loud in ("Our food is 100% safe.", "The food is safe, and this will never happen again."):
        assert "over_promises" in analyze(loud, briefed).flags, loud
    # A briefing that says the product is unsafe grounds nothing.
    unsafe = ToneContext(
        kind="reply", post_text=post, known_facts=("Some batches are contaminated. Customers must not eat them.",)
    )
    assert "over_promises" in analyze(text, unsafe).flags


def test_a_crowd_joke_needs_no_answer_however_big_its_author() -> None:
    from sim.scenario.model import Post
    from sim.scenario.triage import needs_answer, priority

    def crowd(text: str, tags: list[str], followers: int) -> Post:
        return Post("w-1", 0, "a1", "Big Account", "@big", "public", followers, text, tuple(tags), source="wave")

    assert not needs_answer(crowd("Poor guy. Hope he's ok.", ["noise"], 11_868))
    assert not needs_answer(crowd("Fly with us: we'll drag you there", ["joke"], 11_096))
    assert priority(crowd("Fly with us: we'll drag you there", ["joke"], 11_096)) == 0
    assert needs_answer(crowd("Is this even legal?? Can airlines do that?", ["question"], 10_777))
    assert not needs_answer(crowd("Is this even legal?", ["question"], 800))


@pytest.mark.parametrize("name", ["set1", "set2", "set3"])
def test_grounded_safety_is_not_over_promising_and_ungrounded_still_is(name: str) -> None:
    """Paraphrase sets by helpers who had not seen the rule (tests/data/grounded_safety): a reply saying
    plainly what a briefing confirmed is safe ("grounded") rarely reads as an over-promise or false
    reassurance; absolutes ("overclaim") and comfort the facts do not back ("ungrounded") still do.
    Measured when the rule was kept: grounded flagged 1/25, 3/32, 2/30 (11/25, 9/32 and 3/30 before it);
    overclaim 25/25 and 19/20, ungrounded 19/24 and 15/15, as before it. Set 3 was first scored with a
    fact that leaves safety open ("not yet confirmed whether ... safe to use") read as grounding: 10/15
    ungrounded caught; the fix (open facts ground nothing) came after, so set 3 is no longer unseen."""
    from scoring.judge import judge_many

    rows = [
        json.loads(line)
        for line in (Path(__file__).parent.parent / "data" / "grounded_safety" / f"{name}.jsonl").open()
    ]
    res = judge_many(
        [r["reply"] for r in rows],
        [ToneContext(kind="reply", post_text=r["post"], known_facts=(r["fact"],)) for r in rows],
    )
    flagged: dict[str, list[bool]] = {}
    for r, x in zip(rows, res, strict=True):
        flagged.setdefault(r["kind"], []).append(bool({"over_promises", "false_reassurance"} & set(x.flags)))
    assert sum(flagged["grounded"]) / len(flagged["grounded"]) <= 0.15
    for kind in ("overclaim", "ungrounded"):
        if kind in flagged:
            assert sum(flagged[kind]) / len(flagged[kind]) >= 0.75, kind


def test_a_rivals_jab_or_a_trolls_bait_needs_no_answer_but_a_false_alarm_does() -> None:
    from sim.scenario.model import Post
    from sim.scenario.triage import needs_answer, priority

    def named(role: str, text: str, tags: tuple[str, ...], followers: int = 91_000) -> Post:
        return Post("p_x", 0, "rival", "Rival", "@rival", role, followers, text, tags, source="script")

    assert not needs_answer(named("competitor", "Our doors are open and our ovens are hot", ("joke",)))
    assert not needs_answer(named("troll", "come for the lakes, stay forever", ("joke",), 300))
    assert needs_answer(named("troll", "found a SECOND poisoned bottle at Cedar Falls", ("misinformation", "joke")))
    assert needs_answer(named("customer", "Is my order refunded?", ("question",), 230))  # a named persona
    # and so it is never the urgent post a reply to someone else left waiting (triage), however big its author
    assert priority(named("competitor", "Our doors are open and our ovens are hot", ("joke",))) == 0
    assert priority(named("scammer", "DM us your card for a refund", ("scam",))) == 1
    assert priority(named("troll", "found a SECOND poisoned bottle", ("misinformation",))) == 3
    assert priority(named("customer", "Still waiting", (), 91_000)) == 3


def test_asking_for_personal_data_is_read_by_scope_not_by_any_negation_in_the_sentence() -> None:
    """Paraphrases by a helper who had not seen the rules (tests/data/personal_data/set9.jsonl): asks for
    data in public with an unrelated negation ("no stress, just post your card number"), secrets asked
    for even by DM, data named only to rule it out ("DM us your order number, no card details"), and
    "the company" as a stiff legal subject vs in plain words ("the company that delivers our dough").
    First scored on 2026-12-03 with the rules as first changed: asks 11/20, secrets by DM 13/20,
    ruled out 16/20, corporate 16/20, plain 19/20 (before the change: 1, 13, 16, 20, 0 of 20); the ask
    verbs, the negation's scope and the sentence-initial "The company ..." were then widened on it, so
    the set is no longer unseen."""
    path = Path(__file__).parent.parent / "data" / "personal_data" / "set9.jsonl"
    rows = [json.loads(line) for line in path.open()]
    want = {
        "asks_public": ("asks_pii_public", True, "reply"),
        "asks_secret_dm": ("asks_pii_public", True, "dm"),
        "rules_out": ("asks_pii_public", False, "reply"),
        "corporate_third_person": ("legalese", True, "reply"),
        "company_plain": ("legalese", False, "reply"),
    }
    for group, (flag, present, kind) in want.items():
        got = [
            (flag in analyze(r["reply"], ToneContext(kind=kind, post_text=r["post"])).flags) == present
            for r in rows
            if r["group"] == group
        ]
        assert len(got) == 20 and sum(got) >= 17, (group, sum(got))
    # the narrow cases the rule exists for
    assert "asks_pii_public" not in analyze("Could you DM us your order number (no card details, ever)?").flags
    assert "asks_pii_public" in analyze("Don't worry, just send us your PIN and we'll sort it.").flags
    assert "asks_pii_public" not in analyze("You never have to give us your password.").flags
    assert "legalese" in analyze("The company has acted responsibly throughout.").flags
    assert "legalese" not in analyze("The decision to wait was the company's, and we own it.").flags


def test_never_again_is_a_decision_when_the_team_decided_it_and_a_promise_otherwise() -> None:
    """Paraphrases by a helper who had not seen the rule (tests/data/never_again/set10.jsonl): a "never"
    the team decided ("seated passengers will never be removed for crew"), announced as "that will never
    happen again"; the same words when nothing of the kind was decided; and the decision plus a promise
    nobody made. Scored once when the rule was kept (2026-12-03): the over-promise rule fired on 1/25
    decided (5/25 without the rule), 15/25 undecided and 9/25 decided-plus-promise (as without it)."""
    rows = [json.loads(line) for line in (Path(__file__).parent.parent / "data" / "never_again" / "set10.jsonl").open()]

    def flagged(group: str, facts: bool = True) -> int:
        return sum(
            "over_promises"
            in analyze(
                r["reply"],
                ToneContext(
                    kind="reply" if r["post"] else "update",
                    post_text=r["post"],
                    known_facts=(r["fact"],) if facts else (),
                ),
            ).flags
            for r in rows
            if r["group"] == group
        )

    assert flagged("decided_never") <= 2 < flagged("decided_never", facts=False)
    assert flagged("undecided_never") == flagged("undecided_never", facts=False) >= 12
    assert flagged("decided_plus_overpromise") == flagged("decided_plus_overpromise", facts=False)


def test_grounded_safety_reads_the_text_as_typed_and_negation_in_its_own_clause() -> None:
    """Found when judge 6878rows-ft-C flagged grounded replies in set 2: the check ran lower-case patterns
    on the text as typed ("There's no danger..." missed), and a "not" in another clause of the fact
    ("the batteries are not overheating and the scooters are safe to ride") negated its safety."""
    from scoring.tone import briefing_says_safe, states_briefed_safety

    crayons = ("Independent lab testing confirms the crayons contain no lead or other toxic substances.",)
    assert states_briefed_safety("There's no danger from the crayons.", crayons)
    assert states_briefed_safety("Nothing wrong with the crayons themselves.", crayons)
    assert briefing_says_safe(["The batteries are not overheating and the scooters are safe to ride."])
    assert not briefing_says_safe(["The scooters are not safe to ride."])
    assert not briefing_says_safe(["Some power banks have overheated, and we are replacing them."])
    assert not states_briefed_safety("There's no danger from the crayons.", ("Testing is not finished yet.",))
