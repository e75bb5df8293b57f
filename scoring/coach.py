"""Coaching while playing (``stormdrill play --coach``): timely hints from the same rules as scoring,
and a check of a draft before it is sent.

Each hint is one scoring rule read live from the session, with the engine's own reading of play
(``sim.engine.reading.is_update`` decides what counts as an update, so the silence here is the
silence the score charges) and the scenario's targets (``scoring`` block, each must-handle post's
``reply_within``). A hint fires once, at the moment its rule is met, and never before:

- ``coach.first_statement``: no public update yet, and the first-statement target is less than
  ``LEAD`` away (or past);
- ``coach.silence``: the time since the last public update has reached the scenario's cadence
  (``update_every``); once per silence;
- ``coach.promise``: an update you promised is due within ``LEAD`` and you have not posted it;
- ``coach.must_handle``: a must-handle post has waited past its ``reply_within`` with no answer;
- ``coach.plan``: the action plan is due within ``LEAD`` (or the deadline passed) and none is out;
- ``coach.flagged``: a text you just sent carries a flag the judge found words for (quoted).

No Textual here: the console shows the hints; tests drive them on a virtual clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sim.engine.events import TraineeAction
from sim.engine.session import Session
from sim.scenario.patterns import clock_label, format_time
from sim.scenario.text import clean_text

from .record import base_post, lookup
from .tone import FLAG_DESCRIPTIONS, ToneResult

LEAD = 120.0  # seconds of warning before a deadline
# A flag and how a hint names it: "this reply reads as blaming".
READS_AS = {
    "blames": "blaming",
    "defensive": "defensive",
    "dismissive": "dismissive",
    "non_apology": "a non-apology",
    "legalese": "legalese",
    "hostile": "hostile",
    "profanity": "profane",
    "shouting": "shouting",
    "mocking_emoji": "mocking",
    "speculates": "guessing at a cause",
    "over_promises": "over-promising",
    "asks_pii_public": "asking for personal details in public",
    "contradicts_briefing": "contradicting a briefing",
    "copy_paste": "a copy of an earlier reply",
    "denies": "disputing their account",
    "sarcastic": "sarcastic",
    "false_reassurance": "false reassurance",
    "keyword_list": "a pile of stock words",
    "canned": "a canned line",
}
# What lifts a draft, for the flags that hold it down and the good things it lacks.
LIFT_FLAG = {
    "blames": "take the blame off the person: own what happened and say what you are doing",
    "defensive": "acknowledge the harm first; defend nothing until the facts are in",
    "dismissive": "do not minimise it: to the person affected it is not minor",
    "non_apology": "say sorry for what happened, without 'if' or 'any inconvenience'",
    "legalese": "say it in plain words, the way you would to a neighbour",
    "hostile": "drop the edge: never argue with an angry customer in public",
    "sarcastic": "drop the irony: never score points off someone in public",
    "speculates": "say what you know, what you don't, and when you will know more",
    "over_promises": "promise the next update, not the end state",
    "asks_pii_public": "move personal details to private messages (m)",
    "contradicts_briefing": "check the briefings (b): this contradicts what your team confirmed",
    "copy_paste": "write to this person about their own problem, not a copy",
    "denies": "take their account seriously and check it privately",
    "false_reassurance": "give the safety instruction instead of reassurance",
    "keyword_list": "say one concrete thing about this person's problem instead of stock words",
    "canned": "speak to this person's own problem",
    "vague": "give a fact, a next step or a time",
    "ignores_question": "answer what they asked first",
    "off_topic": "answer what the person raised",
}
LIFT_MISSING = {
    "informs": "add a concrete fact (what happened, how many, what is known)",
    "next_step": "add a next step or a time for the next update",
    "apologises": "say sorry, without conditions",
    "personal": "speak to this person about their own problem",
}
BANDS = ((80, "excellent"), (60, "good"), (40, "acceptable"), (20, "poor"), (0, "harmful"))


def band(score: float) -> str:
    """The band of a text's score (docs/tone-labelling.md: label 1-5 is 10, 30, 50, 70, 90 points)."""
    return next(name for floor, name in BANDS if score >= floor)


@dataclass(frozen=True)
class Hint:
    rule: str  # coach.silence, coach.must_handle, ...
    key: str  # what it is about (fires once per key)
    t: float
    text: str


def flag_words(result: ToneResult, flags: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """(flag, the words that raised it) for negative flags the judge found words for."""
    wanted = set(result.negative if flags is None else flags)
    out: list[tuple[str, str]] = []
    for h in result.hits:
        learned = h.match.startswith("reads like")
        if h.flag in wanted and h.flag in READS_AS and h.match and not learned and all(f != h.flag for f, _ in out):
            out.append((h.flag, clean_text(h.match, single_line=True)[:80]))
    return out


class Coach:
    """Hints for one session, each fired once when its rule is met (``check`` after every tick)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.scenario = session.scenario
        self._known = lookup(session.storm)
        self.fired: set[str] = set()
        self.log: list[Hint] = []

    def _fire(self, rule: str, key: str, text: str) -> Hint | None:
        full = f"{rule}:{key}"
        if full in self.fired:
            return None
        self.fired.add(full)
        hint = Hint(rule, key, self.session.now, text)
        self.log.append(hint)
        return hint

    def _clock(self, t: float) -> str:
        return clock_label(self.scenario.start_minutes, t)

    def reply_target(self, post_id: str) -> float:
        base = base_post(self._known, post_id)
        within = base.expect.reply_within if base is not None and base.expect is not None else None
        return float(within or self.scenario.scoring.reply)

    def check(self) -> list[Hint]:
        """The hints whose rule is met now and that have not fired yet."""
        s, rules = self.session, self.scenario.scoring
        now = s.now
        hints: list[Hint | None] = []
        if s.ended:
            return []
        if s.last_statement is None:
            due = float(rules.first_statement)
            if now >= due - min(LEAD, due / 3):
                when = "was due" if now >= due else "is due"
                hints.append(
                    self._fire(
                        "coach.first_statement",
                        "first",
                        f"No public update yet: your holding statement {when} by {self._clock(due)}. Post one now "
                        "(u): what you know, what you are doing, and when the next update comes.",
                    )
                )
        else:
            silence = now - s.last_statement
            if silence >= rules.update_every:
                hints.append(
                    self._fire(
                        "coach.silence",
                        f"{s.last_statement:.3f}",
                        f"{format_time(silence)} without a public update (your cadence is every "
                        f"{format_time(rules.update_every)}): post one (u), even if there is little new to say.",
                    )
                )
        for c in s.commitments:
            if c.status == "open" and c.audience == "public" and c.due - LEAD <= now:
                hints.append(
                    self._fire(
                        "coach.promise",
                        f"{c.source}:{c.due:.0f}",
                        f'You promised an update at {self._clock(c.due)} ("{clean_text(c.words, single_line=True)}"): '
                        "post it now (u), or every missed promise costs trust.",
                    )
                )
        for post in s.delivered:
            if not post.must_handle or s.responded(post.id):
                continue
            arrived = s.delivered_at(post.id) or 0.0
            target = self.reply_target(post.id)
            if now - arrived > target:
                hints.append(
                    self._fire(
                        "coach.must_handle",
                        post.id,
                        f"{clean_text(post.handle, single_line=True)} has waited {format_time(now - arrived)} "
                        f"with no answer (must-handle: answer within {format_time(target)}). Select it and reply (r).",
                    )
                )
        deadline = rules.plan_deadline
        if deadline is not None and not s.plan_posted and now >= deadline - LEAD:
            when = "was due" if now >= deadline else "is due"
            hints.append(
                self._fire(
                    "coach.plan",
                    "plan",
                    f"Your action plan {when} by {self._clock(deadline)}: publish a first version now (a).",
                )
            )
        return [h for h in hints if h is not None]

    def after(self, action: TraineeAction) -> list[Hint]:
        """Hints about a text just sent: the flags the judge found words for, quoting them."""
        if not action.public or action.judgement is None:
            return []
        result = ToneResult.from_record(action.judgement)
        if result is None:
            return []
        found = flag_words(result)
        if not found:
            return []
        what = {"reply": "This reply", "update": "This update", "plan": "This plan"}.get(action.kind, "This text")
        parts = [f'reads as {READS_AS[f]}: "{words}"' for f, words in found[:2]]
        advice = LIFT_FLAG.get(found[0][0], "")
        hint = self._fire(
            "coach.flagged",
            str(action.seq),
            f"{what} " + "; it ".join(parts) + (f". Next time: {advice}." if advice else "."),
        )
        return [hint] if hint else []


@dataclass(frozen=True)
class DraftCheck:
    score: int
    band: str
    flags: tuple[tuple[str, str, str], ...]  # (flag, what it means, the words that raised it)
    lifts: tuple[str, ...]
    refused: str = ""  # why the draft could not be sent at all

    def lines(self) -> list[str]:
        if self.refused:
            return [f"Not sendable: {self.refused}"]
        out = [f"Score {self.score}: {self.band}."]
        for flag, meaning, words in self.flags:
            out.append(f"{flag}: {meaning}" + (f' ("{words}")' if words else ""))
        if self.lifts:
            out.append("What would lift it: " + "; ".join(self.lifts) + ".")
        elif self.score >= 80:
            out.append("Nothing to add: send it.")
        return out


def check_draft(session: Session, action: Any, judge: Any) -> DraftCheck:
    """What the judge would say of ``action`` if it were sent now: score, band, flags, what lifts it."""
    request = session.preview_request(action)
    if request is None:
        checked = session._check(action)
        reason = getattr(checked, "reason", "") or "the session has ended"
        return DraftCheck(0, "", (), (), refused=reason)
    result: ToneResult = judge(request)
    words = dict(flag_words(result, result.negative))
    flags = tuple(
        (f, FLAG_DESCRIPTIONS.get(f, ""), words.get(f, "")) for f in result.negative if f in FLAG_DESCRIPTIONS
    )
    lifts = [LIFT_FLAG[f] for f in result.negative if f in LIFT_FLAG]
    if request.kind in ("reply", "update", "plan"):
        wanted = ("informs", "next_step") + (("personal",) if request.kind == "reply" else ())
        lifts += [LIFT_MISSING[p] for p in wanted if p not in result.positive]
    if request.kind == "private" and "next_step" not in result.positive:
        lifts.append(LIFT_MISSING["next_step"])
    return DraftCheck(int(result.score), band(result.score), flags, tuple(dict.fromkeys(lifts)))
