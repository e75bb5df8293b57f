"""The reply judge: bands by construction, the post matters, learned flags with evidence, floors that
the trivial baselines fail, the paraphrase check, and one judge for the game and `stormdrill tone`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from scoring.devset import BEHAVIOUR_EXPECTS, evaluate, figures, keyword_baseline, length_baseline, load_rows
from scoring.judge import HARMFUL, POOR, head_info, judge, judge_many
from scoring.tone import HARMFUL_CAP, POOR_CAP, ToneContext
from scoring.tone_cli import run

DATA = Path(__file__).resolve().parent.parent / "data"
SAFETY_POST = "My son ate two of the recalled yoghurts an hour ago and now he has a rash. What should I do?"
ORDER_POST = "Order 5521 never came and nobody answers the phone. Where is my food?"


def reply(text: str, post: str = ORDER_POST, author: str = "Dana Reid") -> ToneContext:
    return ToneContext(kind="reply", post_text=post, author_name=author)


def test_the_learned_layer_is_installed() -> None:
    info = head_info()
    assert info["learned"], "scoring/models/judge-head.json is missing: the judge would run on rules alone"


def test_harmful_and_poor_flags_cap_by_band() -> None:
    texts = [
        "Honestly Dana, if you had checked the tracking you would have seen the courier's note. Not on us.",
        "Thanks for reaching out! We value your feedback and are always looking to improve.",
        "Dana, I'm sorry: order 5521 was stuck at our kitchen. A driver is on the way, it'll be with you by 19:40.",
    ]
    results = judge_many(texts, [reply(t) for t in texts])
    for r in results:
        if set(r.flags) & HARMFUL:
            assert r.score <= HARMFUL_CAP
        elif set(r.flags) & POOR:
            assert r.score <= POOR_CAP
    blame, canned, good = results
    assert blame.score < canned.score < good.score
    assert good.score >= 70


def test_a_safety_question_needs_a_safety_instruction_first() -> None:
    warm = "Oh no, we're so sorry to hear this, we completely understand how worrying it is. Our team is on it."
    safe = "Please call 111 now, or 999 if he has any trouble breathing, and keep the pot for the doctor."
    w, s = judge_many([warm, safe], [reply(warm, SAFETY_POST), reply(safe, SAFETY_POST)])
    assert w.score <= POOR_CAP
    assert "safety_instruction" in s.flags
    assert s.score > w.score + 20


def test_reassurance_without_grounds_on_a_safety_question_scores_poor_or_worse() -> None:
    text = "Don't worry, he'll be absolutely fine, these things pass quickly."
    safe = "Please call 111 now, or 999 if he has any trouble breathing, and keep the pot for the doctor."
    r, s = judge_many([text, safe], [reply(text, SAFETY_POST), reply(safe, SAFETY_POST)])
    assert r.score <= POOR_CAP
    assert s.score > r.score + 25


def test_the_post_matters_an_off_topic_reply_is_capped() -> None:
    text = "Thanks Dana! Our new autumn menu launches next week, with three vegan dishes and a kids' meal deal."
    on_topic = (
        "Dana, order 5521 is late because our kitchen lost power. We're refunding it now and a new one leaves at 19:30."
    )
    off, on = judge_many([text, on_topic], [reply(text), reply(on_topic)])
    assert off.score <= POOR_CAP
    assert on.score > off.score + 25


def test_every_flag_has_evidence_and_learned_flags_quote_an_example() -> None:
    text = "We're sorry you feel that way, but our drivers are among the best in the city and rarely make mistakes."
    r = judge(text, reply(text))
    assert r.negative
    for h in r.hits:
        assert h.match, f"{h.flag} has no evidence"
        assert h.why
    learned = [h for h in r.hits if h.match.startswith("reads like: ")]
    for h in learned:
        assert len(h.match) > len("reads like: ") + 10


def test_empty_and_whitespace_texts_score_zero() -> None:
    for text in ("", "   ", "\n"):
        assert judge(text, reply(text)).score == 0


# ------------------------------------------------------------------ floors that the baselines fail

FLOORS = {
    # set: (spearman, partial spearman with length fixed, AUC good vs poor). Blind set 3 scored once
    # (0.903 / 0.812 / 0.997 ordinary, 0.853 / 0.755 / 0.981 hard); these floors sit below those and
    # above what reply length alone or a keyword list plus length reach (docs/tone-model.md).
    "blind3/hard.jsonl": (0.80, 0.70, 0.95),
    "blind3/ordinary.jsonl": (0.86, 0.75, 0.98),
    # Blind set 4 (12 new crises, another writer), scored once with the same judge: 0.909 / 0.850 / 0.999
    # ordinary, 0.859 / 0.863 / 0.981 hard (training/figures-blind4.json).
    "blind4/hard.jsonl": (0.80, 0.78, 0.95),
    "blind4/ordinary.jsonl": (0.86, 0.78, 0.98),
    # Blind set 5 (12 more new crises, another writer), scored once with the retrained judge (harm head
    # included): 0.927 / 0.860 / 0.996 ordinary, 0.921 / 0.921 / 0.997 hard (training/figures-blind5.json).
    "blind5/hard.jsonl": (0.86, 0.86, 0.97),
    "blind5/ordinary.jsonl": (0.88, 0.80, 0.98),
    # Blind set 6 (12 more new crises, another writer, and a part of short replies to the crowd), scored
    # once with the judge trained with w10 and w11: 0.930 / 0.871 / 0.984 ordinary, 0.872 / 0.872 / 0.974
    # hard, 0.817 / 0.710 / 0.946 live (training/figures-blind6.json).
    "blind6/hard.jsonl": (0.82, 0.82, 0.95),
    "blind6/ordinary.jsonl": (0.88, 0.82, 0.96),
    "blind6/live.jsonl": (0.75, 0.64, 0.90),
    # Blind set 7 (12 more new crises, another writer), scored once with the same judge and the rules of
    # 2 December 2026: 0.908 / 0.820 / 0.991 ordinary, 0.918 / 0.915 / 0.995 hard, 0.893 / 0.794 / 0.969
    # live (training/figures-blind7.json).
    "blind7/hard.jsonl": (0.86, 0.86, 0.97),
    "blind7/ordinary.jsonl": (0.86, 0.76, 0.97),
    "blind7/live.jsonl": (0.83, 0.72, 0.93),
    # Blind set 8 (12 more new crises, another writer), scored once with the judge 6878rows-ft-C on
    # 4 December 2026: 0.877 / 0.772 / 0.971 ordinary, 0.908 / 0.908 / 0.977 hard, 0.947 / 0.908 / 1.0
    # live (training/figures-blind8.json).
    "blind8/hard.jsonl": (0.86, 0.86, 0.95),
    "blind8/ordinary.jsonl": (0.82, 0.72, 0.94),
    "blind8/live.jsonl": (0.90, 0.85, 0.97),
    # Blind set 9 (12 more new crises, another writer), scored once with the same judge on 4 December
    # 2026: 0.926 / 0.865 / 0.998 ordinary, 0.948 / 0.948 / 0.998 hard, 0.904 / 0.849 / 0.984 live
    # (training/figures-blind9.json).
    "blind9/hard.jsonl": (0.90, 0.90, 0.97),
    "blind9/ordinary.jsonl": (0.88, 0.80, 0.97),
    "blind9/live.jsonl": (0.85, 0.78, 0.95),
}
# AUC harmful (1) vs poor (2) on the blind sets scored once (0.935 ordinary, 0.926 hard on blind set 5;
# 0.941 and 0.942 on blind set 6): the floor sits below them and above reply length and the keyword list
# on the hard set.
HARM_FLOORS = {
    "blind5/hard.jsonl": 0.85,
    "blind5/ordinary.jsonl": 0.85,
    "blind6/hard.jsonl": 0.88,
    "blind6/ordinary.jsonl": 0.88,
    "blind7/hard.jsonl": 0.85,  # 0.892 scored once
    "blind8/hard.jsonl": 0.90,  # 0.967 scored once
    "blind8/ordinary.jsonl": 0.90,  # 0.957 scored once
    "blind8/live.jsonl": 0.85,  # 0.906 scored once
    "blind9/hard.jsonl": 0.93,  # 1.0 scored once
    "blind9/ordinary.jsonl": 0.90,  # 0.959 scored once
    "blind9/live.jsonl": 0.85,  # 0.907 scored once
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_floors_hold_for_the_judge_and_fail_for_the_baselines(name: str) -> None:
    rows = load_rows(DATA / name)
    rho, partial, auc = FLOORS[name]
    ours = evaluate(rows, interval=False, baselines=False)
    assert ours["spearman"] >= rho
    assert ours["partial_spearman_length"] >= partial
    assert ours["auc_good_vs_poor"] >= auc
    for baseline in (length_baseline, keyword_baseline):
        b = figures([baseline(r) for r in rows], rows, interval=False)
        fails = b["spearman"] < rho or b["partial_spearman_length"] < partial or b["auc_good_vs_poor"] < auc
        assert fails, f"{baseline.__name__} passes the floors of {name}: they say nothing about the judge"


@pytest.mark.parametrize("name", sorted(HARM_FLOORS))
def test_harmful_replies_score_below_poor_ones(name: str) -> None:
    rows = load_rows(DATA / name)
    assert evaluate(rows, interval=False, baselines=False)["auc_poor_vs_harmful"] >= HARM_FLOORS[name]
    assert figures([length_baseline(r) for r in rows], rows, interval=False)["auc_poor_vs_harmful"] < HARM_FLOORS[name]


@pytest.mark.parametrize("blind", ["blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9"])
def test_adversarial_replies_do_not_score_well(blind: str) -> None:
    rows = load_rows(DATA / blind / "adversarial.jsonl")
    results = judge_many([r["reply"] for r in rows], [reply("", r["post"], r["author"]) for r in rows])
    over = [r["reply"] for r, res in zip(rows, results, strict=True) if res.score > 60]
    assert len(over) <= 2, over


# ------------------------------------------------------------------ the paraphrase check (set B)

ACCEPTED = (
    # behaviours whose flags (BEHAVIOUR_EXPECTS) fired on >= 80% of set B's paraphrases when the model
    # was final (docs/tone-model.md lists every behaviour, those below 80% too)
    "blame_third_party",
    "denial",  # 10/12 with 6878rows-ft-C (6/12 with the judge before)
    "hostility",
    "legalese_shutdown",
    "keyword_stuffing",
    "canned",
    "vague",  # 10/12 with 6878rows-ft-C (7/12 with the judge before)
    "bare_dm",
    "non_apology",
    "over_promise",
    "speculate_cause",
    "pii_public",
    "off_topic",
    "ignores_question",
    "fact",
    "apology",
    "safety_instruction",
)


@pytest.mark.parametrize("behaviour", sorted(ACCEPTED))
def test_paraphrase_check_of_accepted_rules(behaviour: str) -> None:
    rows = [r for r in load_rows(DATA / "paraphrases_check.jsonl") if r["behaviour"] == behaviour and r["present"]]
    results = judge_many([r["reply"] for r in rows], [ToneContext(kind="reply", post_text=r["post"]) for r in rows])
    caught = sum(1 for res in results if set(res.flags) & BEHAVIOUR_EXPECTS[behaviour])
    assert caught / len(rows) >= 0.8, f"{behaviour}: {caught}/{len(rows)}"


# ------------------------------------------------------------------ `stormdrill tone --jsonl`


def test_tone_jsonl_uses_the_post_and_the_earlier_texts() -> None:
    first = "Dana, so sorry: order 5521 is on its way, with you by 19:40 and refunded in full."
    lines = [
        json.dumps({"text": first, "post": ORDER_POST, "author": "Dana Reid"}),
        json.dumps({"text": first.replace("Dana", "Sam"), "post": ORDER_POST, "author": "Sam", "earlier": [first]}),
        json.dumps({"text": "Update: all stores are open again; next update at 18:00.", "kind": "update"}),
        json.dumps({"text": "Ok.", "kind": "private", "post": ORDER_POST}),
    ]
    out = io.StringIO()
    assert run(lines, out, as_json=True, jsonl=True) == 0
    got = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(got) == 4
    assert all(0 <= g["score"] <= 100 and isinstance(g["flags"], list) for g in got)
    assert "copy_paste" in got[1]["flags"] and got[1]["score"] < got[0]["score"]
    # The same text and context as the game gives it: the same judgement.
    direct = judge(first, ToneContext(kind="reply", post_text=ORDER_POST, author_name="Dana Reid"))
    assert got[0]["score"] == direct.score and got[0]["flags"] == list(direct.flags)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "line 2: not valid JSON"),
        ('{"post": "x"}', "line 2: missing the required field `text`"),
        ('{"text": 5}', "line 2: `text` must be a string"),
        ('{"text": "a", "kind": "tweet"}', "line 2: `kind` must be one of"),
        ('{"text": "a", "earlier": "b"}', "line 2: `earlier` must be a list of strings"),
        ('{"text": "a", "mood": "b"}', "line 2: unknown field 'mood'"),
        ('["text"]', "line 2: expected a JSON object"),
    ],
)
def test_tone_jsonl_bad_lines_are_named_and_exit_2(line: str, message: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = run([json.dumps({"text": "fine"}), line], out, as_json=True, jsonl=True, err=err)
    assert status == 2
    assert message in err.getvalue()
    assert out.getvalue() == ""  # nothing judged when the input is bad


def test_tone_plain_lines_still_work() -> None:
    out = io.StringIO()
    assert run(["We're sorry, Dana. A new order leaves at 19:30.", "whatever"], out, as_json=False) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all("\t" in line for line in lines)
    assert int(lines[0].split("\t")[0]) > int(lines[1].split("\t")[0])


def test_every_flag_a_scenario_can_name_is_one_the_judge_can_raise() -> None:
    """reply_flagged injects name tone flags: each is raised by a rule or by a learned behaviour head."""
    from scoring.judge import BEHAVIOUR_FLAGS, LEARNED_ONLY, _head
    from sim.scenario.model import TONE_FLAGS

    head = _head()
    assert head is not None
    learned = {BEHAVIOUR_FLAGS[b] for b in head.behaviours}
    assert learned >= LEARNED_ONLY
    assert set(LEARNED_ONLY) <= set(TONE_FLAGS)


# ------------------------------------------------------------------ the harm head (harmful vs poor)


def test_the_harm_head_puts_a_polite_denial_below_a_bland_reply_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import numpy as np

    from scoring import judge as judge_module

    post = "We were up there 90 minutes. Not 'around an hour' like your statement says. I had my phone clock running."
    denial = (
        "Thanks for getting in touch, Vikram. Our ride logs record the full sequence of events, and we're confident "
        "in the timings given in our statement. We appreciate that time can feel much longer in a stressful situation."
    )
    bland = "Thanks for reaching out! We're looking into it and will get back to you."
    ctx = ToneContext(kind="reply", post_text=post, author_name="Vikram")
    # Judged alone: the reply is in blind set 4, and an embedding cached from a padded batch there differs
    # in its last int8 digits, enough to move this reply across the harm head's line.
    from scoring.encoder import encoder
    from scoring.judge import pair_text

    encoder()._cache.pop(pair_text(denial, post), None)
    polite_denial, poor = judge(denial, ctx), judge(bland, ctx)
    assert polite_denial.score < poor.score <= POOR_CAP  # harmful below poor, though no rule's words fire
    hit = next(h for h in polite_denial.hits if h.flag == "reads_harmful")
    # Its evidence: the nearest harmful behaviour and example (denial, or sarcasm: the int8 encoder's last
    # digits differ between CPUs with and without AVX-512 VNNI, and the two are close for this reply).
    assert hit.points < 0 and hit.match.startswith(("closest to denial", "closest to sarcasm"))
    assert "reads like: " in hit.match
    # Without the harm head the same reply sits higher: the head is what moves it.
    head = judge_module._head()
    assert head is not None and head.harm_w.size
    monkeypatch.setattr(judge_module, "_head", lambda: dataclasses.replace(head, harm_w=np.zeros(0, np.float32)))
    assert judge(denial, ctx).score > polite_denial.score
    assert all(h.flag != "reads_harmful" for h in judge(denial, ctx).hits)


def test_saying_what_the_team_decided_is_not_over_promising() -> None:
    decided = (
        "The board has agreed that every store team member is paid in full while stores are closed, and "
        "franchisees get a fee holiday for the weeks of the disruption."
    )
    text = (
        "As promised: every store team member, including your 24, is paid in full while stores are closed, "
        "and franchisees get a fee holiday for the weeks of disruption."
    )
    post = "24 staff in my two Swindon stores sent home with no shifts this week. Who pays them?"
    unknown = judge(text, ToneContext(kind="dm", post_text=post))
    known = judge(text, ToneContext(kind="dm", post_text=post, known_facts=(decided,)))
    assert "over_promises" in unknown.flags  # a promise nobody here has decided reads as one
    assert "over_promises" not in known.flags and known.score >= unknown.score
    assert not any(h.flag == "over_promises" for h in known.hits)
