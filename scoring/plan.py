"""The action plan: posted publicly before the deadline, concrete, owned, timed, consistent and kept current.

A plan is the trainee's `plan` action (structured steps plus free text), or a public update that
reads as one (announced as a plan or listing steps, with at least five plan elements). Filler does
not count: a step needs substance, an owner must be a role or person (not "Team"), a time must be
concrete (not "soon"; "now" counts half) and the next update must say when. Each
required element is worth an equal share of 80 points; 10 points go to consistency with the
briefings known at the time (their decided actions are reflected, no contradictions), 10 to
keeping the plan current when new facts arrive after it.
A plan after the deadline keeps 60% of its points; no plan scores 0.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from sim.scenario.model import Briefing
from sim.scenario.patterns import format_time

from .card import Evidence, PartScore
from .record import Act, SessionRecord
from .tone import contradiction as contradiction_in

LATE_FACTOR = 0.6
PASTED_POINTS = 20.0
W_ELEMENTS, W_CONSISTENT, W_CURRENT = 80.0, 10.0, 10.0

_R = re.IGNORECASE
# When the next update comes: a clock time, a duration, or a named day or time of day.
_UPDATE_WHEN = (
    r"(\d{1,2}[:.]\d{2}|\b\d{1,2}\s*(am|pm)\b|\b(in|within) (\d+|an?|one|two|the) (minutes?|mins?|hours?|hour)\b|"
    r"\b(noon|midday|midnight|tonight|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)"
)
DETECTORS: dict[str, re.Pattern[str]] = {
    "what_happened": re.compile(
        r"\b(caused|because|due to|outage|failure|failed|fault|error|recall|breach|shortage|disruption|delay|"
        r"mistake|exposed|affected|we got|recall\w*|cancel\w*|leak\w*|contaminat\w*|closed|crash\w*|locked)\b",
        _R,
    ),
    "customer_actions": re.compile(
        r"\b(you should|you can|please|if you|if your|check (your|whether|if)|stop using|do not|don't|keep your|"
        r"bring|return|ignore|call|contact|change your|reset|look out|watch for|seek|see a doctor|freeze|"
        r"follow (the|our)|only use|ask your|throw (it|them)? ?away|bin (it|them)|restart|wait for|avoid)\b",
        _R,
    ),
    "help_channel": re.compile(
        r"\b(dm|direct message|message us|private message|inbox|helpline|hotline|phone|call us|email|website|"
        r"web ?page|page|link|site|visit|status|live chat|chat|freephone|0800|\w+\.\w{2,}(/\S*)?)\b",
        _R,
    ),
    "remedy": re.compile(
        r"\b(refund|compensat|reimburs|voucher|credit|replace|replacement|free of charge|free|waive|cover (the|your)|"
        r"goodwill|make (it|this) right|pay (for|back)|money back|rebook|fix(es|ed)? for|recovery (option|tool|guide)|"
        r"automated recovery|repair|restor(e|ed|ing) (your|service|access|the)|roll(ed)? back|reopen|paid in full)",
        _R,
    ),
    "timeframes": re.compile(
        r"\b(tonight|today|tomorrow|this (morning|afternoon|evening|week|month)|next (week|month)|"
        r"(within|in|for) (\d+|one|two|three|four|five|six|seven|ten|twelve|24|48) (working )?"
        r"(minutes?|mins?|hours?|hrs?|days?|weeks?|months?)|within the hour|"
        r"\d{1,2}[:.]\d{2}|\d{1,2}\s*(am|pm)|(by|on|before|until|from|every) (monday|tuesday|wednesday|thursday|"
        r"friday|saturday|sunday|the end of|end of)|\d{1,2}(st|nd|rd|th)? (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
        r"nov|dec)\w*)\b",
        _R,
    ),
    "owners": re.compile(
        r"\b(our (\w+ )?(engineers|ceo|director|manager|head|chief|managers|crew|department)|"
        r"our (?!own |whole |entire )\w+ team|customer (care|service|support)|head of|chief \w+|ceo|engineers|"
        r"the (?!whole |entire )\w+ team|i will|i'll|independent (review|auditor|investigator))\b",
        _R,
    ),
    "next_update": re.compile(
        r"\b(next update|update (you|again|at|by|in)|further update|we'll update|we will update|report back|"
        r"post (again|an update)|hear from us)\b[^.!?\n]{0,40}?" + _UPDATE_WHEN,
        _R,
    ),
}

# What makes a step, an owner, a time or a next update real rather than filler.
_VAGUE_WORDS = frozenset(
    [
        "fix",
        "fixing",
        "fixed",
        "sort",
        "sorting",
        "sorted",
        "handle",
        "handling",
        "deal",
        "dealing",
        "look",
        "looking",
        "into",
        "it",
        "issue",
        "issues",
        "problem",
        "problems",
        "thing",
        "things",
        "stuff",
        "matter",
        "matters",
        "situation",
        "everything",
        "something",
        "anything",
        "work",
        "working",
        "on",
        "more",
        "do",
        "doing",
        "done",
        "make",
        "sure",
        "resolve",
        "resolving",
        "address",
        "addressing",
        "check",
        "improve",
        "improving",
        "better",
        "best",
        "the",
        "a",
        "an",
        "this",
        "that",
        "these",
        "those",
        "all",
        "our",
        "we",
        "us",
        "they",
        "its",
        "of",
        "to",
        "for",
        "with",
        "and",
        "or",
        "some",
        "etc",
        "asap",
        "soon",
        "now",
        "everyone",
        "everybody",
        "people",
        "customers",
        "leverage",
        "synergies",
        "synergy",
        "alignment",
        "align",
        "stakeholder",
        "stakeholders",
        "learnings",
        "going",
        "forward",
        "processes",
        "process",
        "review",
        "reviewing",
        "action",
        "actions",
        "take",
        "taking",
        "plan",
    ]
)
_GENERIC_OWNERS = frozenset(
    [
        "team",
        "teams",
        "staff",
        "people",
        "someone",
        "somebody",
        "everyone",
        "everybody",
        "we",
        "us",
        "all",
        "company",
        "the",
        "our",
        "a",
        "an",
        "tbd",
        "tbc",
        "tba",
        "na",
        "n/a",
        "them",
        "they",
        "anyone",
        "whoever",
        "group",
        "department",
        "me",
        "i",
        "who",
        "unknown",
        "management",
    ]
)
_TIME_WORDS = frozenset(
    [
        "today",
        "tonight",
        "tomorrow",
        "soon",
        "later",
        "asap",
        "now",
        "immediately",
        "week",
        "month",
        "hour",
        "hours",
        "days",
    ]
)
_WEAK_WHEN = re.compile(
    r"^\W*(now|right now|immediately|asap|as soon as possible|at once|right away|straight away)\W*$", _R
)
_WORD_RX = re.compile(r"[a-z][a-z'/-]*", _R)


def substantive_step(what: str) -> bool:
    """A step says what is done to what: at least three words, two of them more than filler."""
    words = [w.lower() for w in _WORD_RX.findall(what)]
    content = [
        w for w in words if w not in _VAGUE_WORDS and w not in _GENERIC_OWNERS and w not in _TIME_WORDS and len(w) > 2
    ]
    return len(words) >= 3 and len(content) >= 2


def real_owner(who: str) -> bool:
    """A named role or person ("Head of customer service", "Priya"), not "Team", "we" or "?"."""
    words = [w.lower() for w in _WORD_RX.findall(who)]
    return any(w not in _GENERIC_OWNERS and len(w) > 1 for w in words)


_DEADLINE = re.compile(
    r"\b(before|until|after|once|as soon as|from|starting|effective|every|each|next|by|end of)\s+"
    r"(?!(soon|possible|later|asap|then|now|we can)\b)[a-z0-9]",
    _R,
)


def timing(when: str) -> float:
    """1 for a concrete time, date, duration or named deadline; 0.5 for "now"/"immediately"; 0 otherwise."""
    text = when.strip()
    if not text:
        return 0.0
    if _WEAK_WHEN.match(text):
        return 0.5
    if DETECTORS["timeframes"].search(text) or _DEADLINE.search(text):
        return 1.0
    return 0.0


_NEXT_UPDATE_TIME = re.compile(_UPDATE_WHEN, _R)
_PLAN_HEADER = re.compile(
    r"\b(action plan|our plan|the plan|next steps|what happens next|here'?s what we'?re doing)\b", _R
)
_STEP_LINE = re.compile(r"(?m)^\s*(?:\d+[.)]|[-*•])\s+(\S.*)$")
# Numbered steps written inline in one paragraph: "What we will do: 1) ... ; 2) ... ; 3) ...".
_INLINE_STEP = re.compile(r"(?:^|[\s:;])\(?\d\)\s+([^;]+?)(?=;|\s\(?\d\)\s|\.\s|$)")
_ACTION_SENTENCE = re.compile(r"\b(we will|we'll|we are|we're|we have|we've|our \w+ (will|is|are))\b", _R)


# A step made of keywords ("Refund replacement recall compensation") is not a step.
_PLAN_KEYWORDS = frozenset(
    [
        "refund",
        "refunds",
        "replacement",
        "replacements",
        "recall",
        "recalls",
        "compensation",
        "compensate",
        "voucher",
        "vouchers",
        "credit",
        "apology",
        "apologise",
        "apologize",
        "sorry",
        "update",
        "updates",
        "investigation",
        "investigate",
        "review",
        "reviews",
        "dm",
        "support",
        "help",
        "helpline",
        "hotline",
        "fix",
        "fixes",
        "fixed",
        "remedy",
        "action",
        "actions",
        "plan",
        "communication",
        "communications",
        "transparency",
        "accountability",
        "safety",
        "customers",
        "customer",
        "care",
        "priority",
        "monitoring",
        "notification",
        "notifications",
        "statement",
        "goodwill",
        "resolution",
        "escalation",
        "process",
        "processes",
        "improvements",
        "training",
        "policy",
    ]
)
_FUNCTION = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "for",
        "of",
        "and",
        "with",
        "by",
        "on",
        "in",
        "at",
        "our",
        "your",
        "their",
        "every",
        "all",
        "each",
        "will",
        "we",
        "you",
        "they",
        "is",
        "are",
        "be",
        "from",
        "who",
        "what",
        "when",
        "into",
        "this",
        "that",
        "it",
        "its",
        "any",
        "no",
        "not",
        "as",
    ]
)
# "Customers" is the public; "Customer care" is a team of ours.
_PUBLIC_OWNER = re.compile(
    r"(you|yourself|customers|everyone|anyone|the public|parents|passengers|residents|guests|members|"
    r"owners|households|fans|patients|students|users)\b",
    re.IGNORECASE,
)
_URL_RX = re.compile(r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/\S*)?")
_SENTENCES = re.compile(r"[^.!?\n]+[.!?]*")


def keyword_step(what: str) -> bool:
    """A list of keywords rather than something done: a comma list of one- and two-word bits
    ("Freeze, monitoring, phone line, safety"; "Empathy, apology and care"), or no function word and
    mostly plan keywords."""
    plain = _URL_RX.sub(" ", what)
    bits = [b.split() for b in re.split(r"[,;/&]| and | or ", plain) if b.strip()]
    # a bit is a keyword when it is one or two words and none is a function word ("in store" is not)
    kw = [b for b in bits if len(b) <= 2 and not any(w.lower().strip("'") in _FUNCTION for w in b)]
    if len(bits) >= 4 and len(kw) >= 0.75 * len(bits):
        return True
    if len(bits) >= 3 and len(kw) == len(bits):  # "Empathy, apology and care"
        return True
    words = [w.lower().strip("'") for w in _WORD_RX.findall(what)]
    if len(words) < 2 or any(w in _FUNCTION for w in words):
        return False
    return sum(1 for w in words if w in _PLAN_KEYWORDS) * 2 >= len(words)


# Words of a team's notes rather than of a public plan: who advised what, what is suspected, what is
# not to be said. A step that restates a decided action in the briefing's words is still a step.
_INTERNAL_RX = re.compile(
    r"\b(?:advis\w*|legal|lawyers?|liability|internal(?:ly)?|confidential|not for (?:release|publication)|"
    r"do not (?:share|publish|admit|confirm|say|comment)|don't (?:share|publish|admit|confirm|say)|"
    r"off the record|board|stakeholders?|comms|ops team|suspect\w*|unconfirmed|tbc|tbd|fyi|draft|"
    r"hold(?:ing)? line|exposure|reputational|noted|per (?:legal|ops|the board))\b",
    re.IGNORECASE,
)


def pasted_briefing(text: str, briefings: Sequence[Briefing]) -> Briefing | None:
    """The internal briefing a piece of text copies (most of its word trigrams) with the words of
    internal notes in the copied text ("Legal advises we do not admit liability..."), if any. A step
    that restates a decided action ("Credit £50 to every household under the notice") is not pasted."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    if len(words) < 6 or not _INTERNAL_RX.search(text):
        return None
    grams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
    for b in briefings:
        bw = re.findall(r"[a-z0-9']+", b.text.lower())
        bgrams = {tuple(bw[i : i + 3]) for i in range(len(bw) - 2)}
        if bgrams and len(grams & bgrams) / len(grams) >= 0.5:
            return b
    return None


def public_part(act: Act, briefings: Sequence[Briefing] = ()) -> tuple[Act, list[str]]:
    """The plan without what does not count: keyword-list steps, text pasted from internal briefings.
    Returns the cleaned plan and what was dropped, in words, for the debrief."""
    dropped: list[str] = []
    steps = []
    for st in act.steps:
        if keyword_step(st.what):
            dropped.append(f'step "{st.what[:60]}" is a list of keywords, not something done')
        elif briefings and (b := pasted_briefing(st.what, briefings)):
            dropped.append(f'step "{st.what[:60]}" copies the internal briefing "{b.title}"')
        else:
            steps.append(st)
    kept = []
    for sentence in _SENTENCES.findall(act.text):
        b = pasted_briefing(sentence, briefings) if briefings else None
        if b is not None:
            dropped.append(f'"{sentence.strip()[:60]}" copies the internal briefing "{b.title}"')
        elif keyword_step(sentence) and len(sentence.split()) >= 3:
            dropped.append(f'"{sentence.strip()[:60]}" is a list of keywords')
        else:
            kept.append(sentence)
    if not dropped:
        return act, []
    return replace(act, text="".join(kept).strip(), steps=tuple(steps)), dropped


def plan_elements(act: Act, briefings: Sequence[Briefing] = ()) -> dict[str, str]:
    """Which plan elements a text shows, each with the words that show it (filler and pasted text aside)."""
    act = public_part(act, briefings)[0]
    text = act.full_text()
    found: dict[str, str] = {}
    for name, rx in DETECTORS.items():
        m = rx.search(text)
        if m:
            found[name] = m.group(0)
    real_steps = [s for s in act.steps if substantive_step(s.what)]
    if len(real_steps) >= 2:
        found["steps"] = f"{len(real_steps)} steps"
    else:
        bullets = sum(1 for line in _STEP_LINE.findall(act.text) if substantive_step(line))
        bullets = max(bullets, sum(1 for item in _INLINE_STEP.findall(act.text) if substantive_step(item)))
        sentences = sum(
            1 for m in _ACTION_SENTENCE.finditer(act.text) if substantive_step(_sentence_at(act.text, m.end()))
        )
        if bullets >= 2 or sentences >= 2:
            found["steps"] = f"{max(bullets, sentences)} actions in the text"
    if real_steps:
        # Structured steps decide owners and times: "Team" is nobody, "now" or "soon" is no deadline.
        found.pop("owners", None)
        found.pop("timeframes", None)
        owned = sum(1 for s in real_steps if real_owner(s.who))
        if owned * 2 >= len(real_steps):
            found["owners"] = f"{owned} of {len(real_steps)} steps have an owner"
        timed = [timing(s.when) for s in real_steps]
        if sum(timed) * 2 >= len(real_steps) and max(timed) >= 1:
            found["timeframes"] = f"{sum(1 for x in timed if x)} of {len(real_steps)} steps have a time"
        # A step the public does is what affected people should do, whatever its verb.
        theirs = next((s for s in real_steps if _PUBLIC_OWNER.match(s.who.strip())), None)
        if theirs is not None and "customer_actions" not in found:
            found["customer_actions"] = f'a step for {theirs.who.strip()}: "{theirs.what[:40]}"'
    elif act.steps:
        found.pop("owners", None)
        found.pop("timeframes", None)
    nxt = act.next_update.strip()
    if nxt:
        found.pop("next_update", None)
        if _NEXT_UPDATE_TIME.search(nxt):
            found["next_update"] = nxt
    return found


def _sentence_at(text: str, start: int) -> str:
    end = re.search(r"[.!?\n]", text[start:])
    return text[start : start + end.start()] if end else text[start:]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]{4,}", text.lower())}


def _reflects(action_what: str, text_words: set[str]) -> bool:
    words = _words(action_what) - {"with", "from", "that", "this", "every", "will", "their", "have", "until"}
    if not words:
        return True
    return len(words & text_words) / len(words) >= 0.4


def find_plans(rec: SessionRecord, is_plan_like: Callable[[Act], bool] | None = None) -> list[Act]:
    """Plan actions, plus public updates announced as a plan (or listing steps) with five or more elements."""
    plans = []
    for a in rec.actions:
        found = plan_elements(a) if a.kind == "update" else {}
        announced = (
            bool(_PLAN_HEADER.search(a.text))
            or len(_STEP_LINE.findall(a.text)) >= 2
            or len(_INLINE_STEP.findall(a.text)) >= 2
        )
        if a.kind == "plan" or (announced and "steps" in found and len(found) >= 5):
            plans.append(a)
    return plans


def score_plan(
    rec: SessionRecord, tone_penalty: Callable[[Act], tuple[float, str]]
) -> tuple[PartScore, list[Evidence]]:
    sc = rec.scenario
    required = sc.scoring.plan_require
    deadline = float(sc.scoring.plan_deadline if sc.scoring.plan_deadline is not None else sc.duration)
    plans = find_plans(rec)
    ev: list[Evidence] = []
    if not plans:
        ev.append(
            Evidence(
                deadline,
                "plan",
                "plan.missing",
                "No action plan was published: people were never told what happens next, by when, and who does it.",
                -100.0,
            )
        )
        return PartScore(0.0, {"posted": False, "posted_s": None, "on_time": False, "elements": {}}), ev
    # The best plan before the deadline counts; otherwise the first late one (or, format 2, an early one).
    early = too_early(plans, sc.scoring.plan_not_before)
    in_window = [p for p in plans if p not in early]
    on_time = [p for p in in_window if p.t <= deadline]
    candidates = on_time or in_window or early

    def known_at(t: float) -> list[Briefing]:
        return [b for b in sc.briefings if rec.briefing_times.get(b.id, 1e18) <= t]

    best = max(candidates, key=lambda p: (len(set(plan_elements(p, known_at(p.t))) & set(required)), -p.t))
    found = plan_elements(best, known_at(best.t))
    cleaned, dropped = public_part(best, known_at(best.t))
    for what in dropped:
        ev.append(
            Evidence(
                best.t,
                "plan",
                "plan.filler",
                f"Not counted: {what}. A plan tells the public what happens for them, by when and who does it.",
                0.0,
                best.ref,
            )
        )
    pasted = [w for w in dropped if "internal briefing" in w]
    share = W_ELEMENTS / max(1, len(required))
    # A plan of a few words cannot really cover its elements, whatever keywords it holds.
    thin = len(cleaned.full_text().split()) < 25
    if thin:
        share *= 0.5
    elements = {}
    pts = 0.0
    for name in required:
        if name in found:
            pts += share
            elements[name] = True
            ev.append(
                Evidence(
                    best.t,
                    "plan",
                    f"plan.{name}",
                    f'Plan covers {name.replace("_", " ")} ("{found[name]}").',
                    share,
                    best.ref,
                )
            )
        else:
            elements[name] = False
            ev.append(Evidence(best.t, "plan", f"plan.{name}", f"Plan is missing {_MISSING[name]}.", -share, best.ref))
    # Consistency: decided actions of briefings known at the time are reflected; no contradictions.
    known: list[Briefing] = [
        b for b in sc.briefings if rec.briefing_times.get(b.id, 1e18) <= best.t and not b.embargoed(best.t)
    ]
    decided = [s for b in known for s in b.actions]
    words = _words(best.full_text())
    reflected = sum(1 for s in decided if _reflects(s.what, words))
    consistency = reflected / len(decided) if decided else 1.0
    # As in the tone model: paraphrases count, and a negated claim ("not a cyberattack") agrees with the facts.
    contradiction = contradiction_in(tuple(pat for b in known for pat in b.contradicts), best.full_text()) or None
    pts_consistent = W_CONSISTENT * consistency * (0.0 if contradiction else 1.0)
    if decided:
        ev.append(
            Evidence(
                best.t,
                "plan",
                "plan.consistent",
                f"Plan reflects {reflected} of {len(decided)} actions your team had decided by then.",
                pts_consistent - W_CONSISTENT,
                best.ref,
            )
        )
    if contradiction:
        ev.append(
            Evidence(
                best.t,
                "plan",
                "plan.contradiction",
                f'Plan says "{contradiction}", which contradicts a fact your team knew by then.',
                -W_CONSISTENT,
                best.ref,
            )
        )
    # Kept current: briefings with new decisions or a confirmed cause after the plan need a later statement.
    later_facts = [
        b
        for b in sc.briefings
        if (b.actions or b.confirms_cause) and best.t < rec.briefing_times.get(b.id, 1e18) < rec.end_t - 60
    ]
    if later_facts:
        first_fact = min(rec.briefing_times[b.id] for b in later_facts)
        followed = any(a.statement and a.t > first_fact for a in rec.actions)
        pts_current = W_CURRENT if followed else 0.0
        ev.append(
            Evidence(
                first_fact,
                "plan",
                "plan.updated",
                "Updated the public after new facts arrived."
                if followed
                else "New facts arrived after the plan but the plan was never updated.",
                pts_current - W_CURRENT if not followed else 0.0,
            )
        )
    else:
        pts_current = W_CURRENT
    if thin:
        ev.append(
            Evidence(
                best.t, "plan", "plan.thin", "The plan is only a few words: each element earns half.", 0.0, best.ref
            )
        )
    penalty, why = tone_penalty(best)
    if penalty:
        ev.append(Evidence(best.t, "plan", "plan.tone", why, -penalty, best.ref))
    if pasted:
        penalty += PASTED_POINTS
        ev.append(
            Evidence(
                best.t,
                "plan",
                "plan.internal",
                "The plan pastes internal briefing text: the public plan should say what happens for people, "
                "in your own words, not your team's notes.",
                -PASTED_POINTS,
                best.ref,
            )
        )
    # Consistency and currency are worth what the plan holds: a plan of filler gets little of them.
    coverage = sum(1 for v in elements.values() if v) / max(1, len(required))
    if coverage < 1:
        lost = (pts_consistent + pts_current) * (1 - coverage)
        ev.append(
            Evidence(
                best.t,
                "plan",
                "plan.coverage",
                f"The plan covers {coverage:.0%} of its elements, so it earns that share of the points for "
                "consistency and keeping it current.",
                -round(lost, 2),
                best.ref,
            )
        )
        pts_consistent *= coverage
        pts_current *= coverage
    total = pts + pts_consistent + pts_current - penalty
    late = best.t > deadline
    if late:
        ev.append(
            Evidence(
                best.t,
                "plan",
                "plan.late",
                f"Plan published at {format_time(best.t)}, after the "
                f"{format_time(deadline)} deadline: it keeps {int(LATE_FACTOR * 100)}% of its points.",
                -total * (1 - LATE_FACTOR),
                best.ref,
            )
        )
        total *= LATE_FACTOR
    if best in early:
        ev.append(early_evidence(best, sc.scoring.plan_not_before or 0, total))
        total *= LATE_FACTOR
    details = {
        "posted": True,
        "posted_s": round(best.t, 1),
        "on_time": not late,
        "deadline_s": deadline,
        "elements": elements,
        "consistency_pct": round(100 * consistency, 1),
        "updated_after_new_facts": bool(pts_current) if later_facts else None,
    }
    return PartScore(max(0.0, min(100.0, total)), details), ev


def too_early(plans: list[Act], not_before: int | None) -> list[Act]:
    """Format 2: the plans posted before `scoring.plan.not_before` (the remedy was not decided yet)."""
    return [p for p in plans if not_before is not None and p.t < not_before]


def early_evidence(best: Act, not_before: int, total: float) -> Evidence:
    return Evidence(
        best.t,
        "plan",
        "plan.early",
        f"Plan published at {format_time(best.t)}, before {format_time(not_before)}, when the remedy could be "
        f"decided; no plan came after it, so it keeps {int(LATE_FACTOR * 100)}% of its points.",
        -total * (1 - LATE_FACTOR),
        best.ref,
    )


_MISSING = {
    "what_happened": "what happened, in plain words",
    "steps": "concrete steps (at least two)",
    "owners": "who does each step",
    "timeframes": "by when each step happens",
    "customer_actions": "what affected people should do now",
    "help_channel": "where to get help (DM, phone line, web page)",
    "remedy": "the remedy: refund, compensation or fix for those affected",
    "next_update": "when the next update comes",
}
