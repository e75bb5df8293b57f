"""Tone of a whole session: every trainee text judged in its context, then aggregated.

Each text gets the tone model's 0-100 score with the context a human judge would use: the post
answered, the author, the trainee's earlier texts of every kind (copy-paste, names and numbers set
aside), the facts known at that moment (contradictions) and the causes not yet confirmed
(speculation). The session score is a weighted mean (must-handle, high-reach answers and public
statements weigh more; public texts carry at least 75% of it, so private messages cannot dilute bad
public ones), blended with how well answers to must-handle posts cover what they must say, minus
penalties: the weakest public texts, lines to avoid, things a must-handle answer must not say, and
private matters answered only in public.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.engine.reading import Earlier, JudgeRequest, judge_request
from sim.scenario.model import Expectation
from sim.scenario.patterns import asserted, compile_pattern, format_time
from sim.scenario.text import clean_text

from .card import Evidence, PartScore, ReplyTone
from .judging import judge_requests, judge_version
from .record import HIGH_REACH, Act, SessionRecord
from .speed import OTHER_TARGET, calls_for_private, crowd_people, crowd_target
from .tone import ToneResult

W_CONTENT = 0.25
AVOID_POINTS, MUST_NOT_POINTS, PRIVATE_POINTS = 8.0, 6.0, 5.0
AVOID_REPEAT_POINTS = 2.0
PUBLIC_SHARE = 0.75  # public texts carry at least this share of the mean text score
WORST_N, WORST_BAR, WORST_POINTS = 3, 40.0, 10.0  # the weakest public texts: how many, below what, up to


@dataclass(frozen=True)
class Judged:
    act: Act
    result: ToneResult
    weight: float
    facts: tuple[str, ...] = ()  # the briefings' facts the team knew when the text was sent


MUST_WEIGHT = 3.0
# The judge's scale (docs/tone-labelling.md: harmful 10, poor 30, thin 50, good 70, excellent 90) as
# the pillar reads it: texts that are good on average (70) earn 86, good to excellent (80) earn 100.
PILLAR_ZERO, PILLAR_FULL = 10.0, 80.0


def pillar_level(mean: float) -> float:
    """The tone pillar's level for a weighted mean text score."""
    return max(0.0, min(100.0, 100.0 * (mean - PILLAR_ZERO) / (PILLAR_FULL - PILLAR_ZERO)))


OTHER_WEIGHT = 2.0  # a named account, high reach, or a safety question: the weight of its answer


def _weight(rec: SessionRecord, a: Act) -> float:
    if a.kind in ("update", "plan"):
        return 2.0
    d = rec.posts.get(a.post_id or "")
    if d is None:
        return 1.0
    if d.post.must_handle:
        return MUST_WEIGHT
    if d.post.followers >= HIGH_REACH or d.priority >= 3:
        return OTHER_WEIGHT
    return 1.0


def _aggregate(judged: list[Judged]) -> tuple[float, dict[int, float]]:
    """The mean text score and each text's effective weight in it.

    Public texts (replies, updates, the plan) carry at least ``PUBLIC_SHARE`` of the mean, however many
    private messages there are, so a flood of good private messages cannot hide bad public ones.
    """
    pub = [j for j in judged if j.act.public]
    priv = [j for j in judged if not j.act.public]
    pub_w = sum(j.weight for j in pub)
    priv_w = sum(j.weight for j in priv)
    eff = {j.act.seq: j.weight for j in judged}
    if pub_w and priv_w and priv_w / (pub_w + priv_w) > 1 - PUBLIC_SHARE:
        scale = (1 - PUBLIC_SHARE) / PUBLIC_SHARE * pub_w / priv_w
        for j in priv:
            eff[j.act.seq] = j.weight * scale
    total = sum(eff.values())
    return sum(j.result.score * eff[j.act.seq] for j in judged) / total, eff


def judge_requests_for(rec: SessionRecord) -> tuple[list[Act], list[JudgeRequest]]:
    """The trainee's texts in order and what the judge is given for each (the live game's reading)."""
    sc = rec.scenario
    acts = [a for a in rec.actions if a.kind in ("reply", "private", "update", "plan")]
    reqs = []
    earlier: list[Earlier] = []
    for a in acts:
        known = [b for b in sc.briefings if rec.briefing_times.get(b.id, 1e18) <= a.t]
        d = rec.posts.get(a.post_id or "")
        post = d.post if d else None
        text = a.full_text()
        reqs.append(judge_request(sc, a.t, a.kind, text, post, earlier, known))
        earlier = [*earlier, Earlier(text, post.name if post else "", post.handle if post else "")]
    return acts, reqs


def judge_all(rec: SessionRecord) -> list[Judged]:
    """Tone of every trainee text, in order, each with the context the live game gave it.

    The requests are built by the engine's own reading of play (sim.engine.reading), so the
    debrief's judgement of a text is the live one. Copy-paste is judged across every kind of text
    (public replies, private messages, updates, the plan), in template form: names, handles and
    numbers set aside.
    """
    acts, reqs = judge_requests_for(rec)
    # The live judgements the journal kept are reused when the same judge made them; the rest are judged now.
    version = judge_version()
    results: list[ToneResult | None] = [
        ToneResult.from_record(a.judgement) if a.judgement and a.judgement.get("judge") == version else None
        for a in acts
    ]
    todo = [i for i, r in enumerate(results) if r is None]
    for i, r in zip(todo, judge_requests([reqs[i] for i in todo]), strict=True):
        results[i] = r
    return [
        Judged(a, r, _weight(rec, a), tuple(b.text for b in req.known))
        for a, r, req in zip(acts, results, reqs, strict=True)
        if r is not None
    ]


# Key points that are acts or stances, met by doing them or by what the judge reads, not by a word.
_PRIVATE_IDEA = re.compile(r"\b(dm|direct message|private|message us|inbox|pm)\b")
_APOLOGY_IDEA = re.compile(r"\b(sorry|apolog\w*|our fault|own)\b")
_APOLOGY_FLAGS = frozenset({"apologises", "owns_it"})
# Taking a case offline in public words: "our director will call you today", "we'll be in touch directly".
_OFFLINE = re.compile(
    r"\b(call|phone|ring|e-?mail|contact|visit) (you|him|her|them)\b|\bin touch (with you )?directly\b"
)


def key_point_met(idea: str, text: str, flags: set[str], went_private: bool) -> bool:
    """Whether the answers to a must-handle post make one of its key points.

    Taking it private is met by a private message (or by offering one); an apology by what the judge
    reads as apologising or owning it, in any words; other points by their alternatives.
    """
    low = idea.lower()
    if _PRIVATE_IDEA.search(low) and (went_private or "moves_to_private" in flags):
        return True
    if _APOLOGY_IDEA.search(low) and flags & _APOLOGY_FLAGS:
        return True
    return bool(compile_pattern(idea).search(text))


def describe_key_point(idea: str, model_answer: str = "") -> str:
    """A key point in words for the trainee: the model answer's sentence that makes it, or its wording."""
    low = idea.lower()
    if _PRIVATE_IDEA.search(low):
        return "taking the case to private messages"
    if _APOLOGY_IDEA.search(low):
        return "an apology that owns the problem"
    rx = compile_pattern(idea)
    for sentence in re.split(r"(?<=[.!?])\s+", model_answer.strip()):
        if sentence and rx.search(sentence):
            return f'a point like "{clean_text(sentence, single_line=True)[:120]}"'
    words = [w.strip() for w in idea.split("|") if w.strip()][:3]
    return "a mention of " + " or ".join(f'"{w}"' for w in words)


def answers_in_window(exp: Expectation, field: str, pattern: str, answers: list[Act]) -> list[Act]:
    """The answers a must_mention / must_not_say item applies to (format 2 bounds it in time)."""
    window = exp.window(field, pattern)
    return answers if window is None else [a for a in answers if window.holds(a.t)]


EMBARGO_POINTS, EMBARGO_REPEAT_POINTS = 8.0, 2.0


def embargo_penalties(rec: SessionRecord, judged: list[Judged]) -> tuple[float, list[Evidence]]:
    """Format 2: a fact said publicly while it was under embargo (known, but not to be said before
    its `public_from`): charged in full once per fact, a little more each time after."""
    points, ev = 0.0, []
    embargoed = [b for b in rec.scenario.briefings if b.public_from is not None and b.reveals]
    broken: set[str] = set()
    for j in judged:
        a = j.act
        if not a.public:
            continue
        for b in embargoed:
            under_embargo = rec.briefing_times.get(b.id, 1e18) <= a.t < (b.public_from or 0)
            said = asserted(b.reveals, a.full_text()) if under_embargo else None
            if not said:
                continue
            again = b.id in broken
            broken.add(b.id)
            cost = EMBARGO_REPEAT_POINTS if again else EMBARGO_POINTS
            points += cost
            ev.append(
                Evidence(
                    a.t,
                    "tone",
                    "tone.embargo",
                    f'Said "{said}" at {format_time(a.t)}{" again" if again else ""}, before "{b.title}" could be '
                    f"made public ({format_time(b.public_from or 0)}): your team knew it, but it was under embargo.",
                    -cost,
                    a.post_id or a.ref,
                )
            )
    return points, ev


CRISIS_POINTS = 6.0
_OWNING = frozenset({"apologises", "owns_it"})


def crisis_type_penalties(rec: SessionRecord, judged: list[Judged]) -> tuple[float, list[Evidence]]:
    """Format 2: once the crisis becomes preventable, the public expects the company to apologise and
    take responsibility in a public statement within the update cadence."""
    sc = rec.scenario
    points, ev = 0.0, []
    window = float(sc.scoring.update_every)
    for change in sc.crisis_type_changes:
        if change.to != "preventable" or change.t >= rec.end_t:
            continue
        owned = any(
            j.act.statement and change.t <= j.act.t <= change.t + window and _OWNING & set(j.result.flags)
            for j in judged
        )
        if owned:
            continue
        points += CRISIS_POINTS
        ev.append(
            Evidence(
                float(change.t),
                "tone",
                "tone.crisis_type",
                f"From {format_time(change.t)} the public saw this crisis as preventable, but no public statement "
                f"in the {format_time(window)} after that apologised and took responsibility.",
                -CRISIS_POINTS,
            )
        )
    return points, ev


CROWD_WEIGHT = 1.5  # an ordinary person's unanswered post, in the tone mean


def crowd_left_silent(rec: SessionRecord, judged: list[Judged]) -> tuple[int, float]:
    """Of the crowd target (returned too), how many people got no answer to any of their posts: an
    answer is a public reply (judged in the mean whatever its quality), or a private message, not a
    copy, to a post that calls for one (as in speed: a DM is no answer to a public matter)."""
    people = crowd_people(rec)
    if not people:
        return 0, 0.0
    want = crowd_target(len(people))
    copies = {j.act.seq for j in judged if "copy_paste" in j.result.flags}
    answered = {
        a.post_id
        for a in rec.actions
        if a.post_id in rec.posts
        and (
            a.kind == "reply"
            or (a.kind == "private" and a.seq not in copies and calls_for_private(rec.posts[a.post_id].post))
        )
    }
    reached = sum(1 for posts in people.values() if any(d.id in answered for d in posts))
    return max(0, round(want) - reached), want


def score_tone(rec: SessionRecord, judged: list[Judged]) -> tuple[PartScore, list[Evidence], list[ReplyTone]]:
    ev: list[Evidence] = []
    sc = rec.scenario
    replies = [
        ReplyTone(
            t=j.act.t,
            kind=j.act.kind,
            ref=j.act.post_id or j.act.ref,
            text=j.act.full_text(),
            score=j.result.score,
            flags=j.result.flags,
            post_text=rec.posts[j.act.post_id].post.text if j.act.post_id in rec.posts else "",
            why=tuple(h.why for h in j.result.hits),
            matches=tuple((h.flag, h.match) for h in j.result.hits),
        )
        for j in judged
    ]
    if not judged:
        ev.append(
            Evidence(rec.end_t, "tone", "tone.nothing", "You published nothing, so there is no tone to credit.", -100.0)
        )
        return PartScore(0.0, {"texts": 0, "mean": None, "content_pct": None, "penalties": 0.0}), ev, replies
    mean, eff = _aggregate(judged)
    total_w = sum(eff.values()) or 1.0
    by_seq = {j.act.seq: j for j in judged}
    # Silence towards a post that needed an answer is a tone too: each must-handle post left unanswered
    # counts as a text scoring 0 with a must-handle answer's weight, each other post that needed one
    # (a named account, high reach, a safety question) with its answer's weight (ending early leaves
    # the rest unanswered).
    ignored = [d for d in rec.posts.values() if rec.needs_own_answer(d) and not rec.responses_to(d.id)]
    silent_crowd, want = crowd_left_silent(rec, judged)
    if ignored or silent_crowd:
        # In a big storm nobody answers every such post: as in the speed pillar, answering OTHER_TARGET of
        # them is the full answer, so the silence counts for at most that many of them.
        others = rec.others_to_answer()
        answered_others = sum(1 for d in others if rec.responses_to(d.id))
        silent_others = max(0, min(len(others), OTHER_TARGET) - answered_others)
        n_must = sum(1 for d in ignored if d.post.must_handle)
        # The crowd: of the people a real team answers in a storm (speed's crowd target), those who got
        # nothing count as texts scoring 0 with CROWD_WEIGHT each, after the posts above.
        crowd_zeros = max(0, silent_crowd - silent_others)
        w_ignored = MUST_WEIGHT * n_must + OTHER_WEIGHT * silent_others + CROWD_WEIGHT * crowd_zeros
        mean_before = mean
        mean = mean * total_w / (total_w + w_ignored)
        ignored.sort(key=lambda d: (not d.post.must_handle, d.t))
        crowd_note = (
            f"{'to ' if ignored else ''}{crowd_zeros}{' more' if ignored else ''} of the "
            f"{want:.0f} people who posted that a team should reach in a storm this size"
            if crowd_zeros
            else ""
        )
        names = ", ".join(d.post.handle for d in ignored[:6])
        more = f" and {len(ignored) - 6} more" if len(ignored) > 6 else ""
        what = (
            f"{n_must} must-handle post{'s' if n_must != 1 else ''}"
            + (
                f" and {len(ignored) - n_must} other{'s' if len(ignored) - n_must != 1 else ''} that needed one"
                if len(ignored) > n_must
                else ""
            )
            if n_must
            else f"{len(ignored)} post{'s' if len(ignored) != 1 else ''} that needed one"
        )
        silent_to = "; and ".join(x for x in ((f"{what} ({names}{more})" if ignored else ""), crowd_note) if x)
        ev.append(
            Evidence(
                min((d.t for d in ignored), default=rec.end_t),
                "tone",
                "tone.unanswered",
                f"No answer to {silent_to}: to those people the silence is the tone, so each counts as a text "
                "scoring 0.",
                -round(mean_before - mean, 2),
                ignored[0].id if ignored else "",
            )
        )

    # Content of answers to must-handle posts.
    coverage: list[float] = []
    penalties = 0.0
    n_content = sum(1 for d in rec.posts.values() if d.expect and d.expect.must_mention and rec.responses_to(d.id))
    for d in sorted((d for d in rec.posts.values() if d.expect), key=lambda d: d.t):
        exp = d.expect
        assert exp is not None
        answers = rec.responses_to(d.id)
        if not answers:
            continue
        required = [m for m in exp.must_mention if answers_in_window(exp, "must_mention", m, answers)]
        if required:
            hit = []
            for idea in required:
                within = answers_in_window(exp, "must_mention", idea, answers)
                flags = {f for a in within if a.seq in by_seq for f in by_seq[a.seq].result.flags}
                went_private = any(a.kind == "private" for a in within)
                if key_point_met(idea, " ".join(a.text for a in within), flags, went_private):
                    hit.append(idea)
            cov = len(hit) / len(required)
            coverage.append(cov)
            missing = [describe_key_point(m, exp.model_answer) for m in required if m not in hit]
            ev.append(
                Evidence(
                    answers[0].t,
                    "tone",
                    "tone.must_mention",
                    f"Answer to {d.post.handle} covers {len(hit)} of {len(required)} key points"
                    + (f"; missing {'; '.join(missing)}." if missing else "."),
                    round(100 * W_CONTENT * (cov - 1) / max(1, n_content), 2),
                    d.id,
                )
            )
        for bad in exp.must_not_say:
            said_then = answers_in_window(exp, "must_not_say", bad, answers)
            said_words = asserted(bad, " ".join(a.text for a in said_then), mentions=True) if said_then else None
            if said_words:
                penalties += MUST_NOT_POINTS
                ev.append(
                    Evidence(
                        answers[0].t,
                        "tone",
                        "tone.must_not_say",
                        f'Answer to {d.post.handle} said "{said_words}", which it should not.',
                        -MUST_NOT_POINTS,
                        d.id,
                    )
                )
        # Taken offline: a private message, or a promise to contact the person directly (a call, an
        # email); an invitation to "DM us" alone leaves the case in public.
        offline = any(a.kind == "private" or _OFFLINE.search(a.text.lower()) for a in answers)
        if exp.private and not offline:
            penalties += PRIVATE_POINTS
            ev.append(
                Evidence(
                    answers[0].t,
                    "tone",
                    "tone.private",
                    f"{d.post.handle}'s case involves personal "
                    "details but was handled only in public: move it to private messages.",
                    -PRIVATE_POINTS,
                    d.id,
                )
            )
    # Scenario lines to avoid, in public texts.
    known_at = rec.briefing_times
    avoided: set[str] = set()
    for j in judged:
        a = j.act
        if not a.public:
            continue
        for av in sc.scoring.avoid:
            if av.until is not None and a.t >= av.until:
                continue
            if av.until_briefing is not None and known_at.get(av.until_briefing, 1e18) <= a.t:
                continue
            said = asserted(av.say, a.full_text(), mentions=True)
            if said:
                # One lesson, charged in full once; saying it again costs a little more each time.
                again = av.say in avoided
                points = AVOID_REPEAT_POINTS if again else AVOID_POINTS
                avoided.add(av.say)
                penalties += points
                ev.append(
                    Evidence(
                        a.t,
                        "tone",
                        "tone.avoid",
                        f'Said "{said}" at {format_time(a.t)}{" again" if again else ""}: {av.why}',
                        -points,
                        a.post_id or a.ref,
                    )
                )
    # The worst public texts cost points however many good texts surround them.
    public = sorted((j for j in judged if j.act.public), key=lambda j: (j.result.score, j.act.t))
    worst = public[:WORST_N]
    worst_mean = sum(j.result.score for j in worst) / len(worst) if worst else 100.0
    if worst_mean < WORST_BAR:
        cost = min(WORST_POINTS, (WORST_BAR - worst_mean) / 4)
        penalties += cost
        ev.append(
            Evidence(
                worst[0].act.t,
                "tone",
                "tone.worst_public",
                f"Your {len(worst)} weakest public text{'s' if len(worst) > 1 else ''} averaged "
                f"{worst_mean:.0f}/100: the public sees every one of them, whatever else you said.",
                -round(cost, 2),
                worst[0].act.post_id or worst[0].act.ref,
            )
        )
    for points, evidence in (embargo_penalties(rec, judged), crisis_type_penalties(rec, judged)):
        penalties += points
        ev += evidence
    penalties = min(penalties, 40.0)
    content = sum(coverage) / len(coverage) if coverage else None
    level = pillar_level(mean)
    blended = level if content is None else (1 - W_CONTENT) * level + W_CONTENT * 100 * content
    score = max(0.0, min(100.0, blended - penalties))
    # Worst and best texts as evidence.
    ranked = sorted(judged, key=lambda j: (j.result.score, j.act.t))
    for j in ranked[:3]:
        if j.result.score < 60:
            neg = ", ".join(j.result.negative) or "little substance"
            ev.append(
                Evidence(
                    j.act.t,
                    "tone",
                    "tone.worst",
                    f"Weak {j.act.kind} ({j.result.score}/100): {neg}.",
                    round((j.result.score - mean) * eff[j.act.seq] / total_w, 2),
                    j.act.post_id or j.act.ref,
                )
            )
    for j in reversed(ranked[-2:]):
        if j.result.score >= 75:
            pos = ", ".join(j.result.positive)
            ev.append(
                Evidence(
                    j.act.t,
                    "tone",
                    "tone.best",
                    f"Strong {j.act.kind} ({j.result.score}/100): {pos}.",
                    round((j.result.score - mean) * eff[j.act.seq] / total_w, 2),
                    j.act.post_id or j.act.ref,
                )
            )
    flag_counts: dict[str, int] = {}
    for j in judged:
        for f in j.result.flags:
            flag_counts[f] = flag_counts.get(f, 0) + 1
    details = {
        "texts": len(judged),
        "mean": round(mean, 1),
        "content_pct": round(100 * content, 1) if content is not None else None,
        "penalties": round(penalties, 1),
        "flags": dict(sorted(flag_counts.items())),
    }
    return PartScore(score, details), ev, replies
