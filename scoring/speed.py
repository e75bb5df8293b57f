"""Speed: the measures trainees meet in real social inboxes, turned into a 0-100 score.

Blocks (points out of 100):
- 20 time to the first public statement (the holding statement), against the scenario target;
- 30 must-handle posts answered within their target;
- 15 other posts that need an answer (priority tags, named accounts, high reach) answered in time;
- 15 the crowd: the share of the people who posted that got a real answer (full from one in five);
- 15 cadence: the longest public silence against the expected update interval, and promises kept;
- 5 triage: urgent posts answered before low-priority ones.

A response only earns full speed credit when it is a real answer: a reply whose tone score is at
least ``QUALITY_GATE`` and is not a copy of an earlier one. A private message is an answer only to
a post that calls for private handling (personal details, an own order or account); to a public
matter (media, misinformation, a scam) it is no answer at all. A post with a poor public reply
earns little, whatever else it got: the public saw the poor reply.
Instant junk replies therefore earn little, so speed cannot be gamed with canned text.

Public statements count for the first-statement and cadence blocks only when they are updates by
the one definition the console and the injects use too (``sim.engine.reading.is_update``): a fact, a
status or a next step, not a copy. "Hi." is not a holding statement; "09:19: ovens back in 30 stores,
next update 09:35" is one, with or without an apology.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import replace
from itertools import pairwise

from sim.engine.events import CommitmentEvent
from sim.scenario.model import Post
from sim.scenario.patterns import clock_label, format_time
from sim.scenario.text import clean_text
from sim.scenario.triage import about_own_case

from .card import Evidence, PartScore
from .record import Act, Delivered, SessionRecord
from .tone import HARMFUL_CAP

QUALITY_GATE = 45
POOR_CREDIT = 0.25
HARMFUL_CREDIT = 0.1  # a reply in the harmful band (docs/tone-labelling.md)
W_FIRST, W_MUST, W_OTHER, W_CROWD, W_CADENCE, W_TRIAGE = 20.0, 30.0, 15.0, 15.0, 15.0, 5.0
CROWD_SHARE, CROWD_MIN, CROWD_MAX = 0.2, 5.0, 40.0  # one person in five, at least 5, at most 40, earns the crowd block
OTHER_TARGET = 20  # good answers to high-reach or urgent posts that earn the whole block


def _timeliness(delay: float, target: float) -> float:
    """1 within the target, falling linearly to 0.3 at three times the target, then 0.15."""
    if delay <= target:
        return 1.0
    if delay <= 3 * target:
        return 1.0 - 0.7 * (delay - target) / (2 * target)
    return 0.15


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def score_speed(
    rec: SessionRecord,
    quality: Callable[[Act], float],
    statement_ok: Callable[[Act], bool] | None = None,
) -> tuple[PartScore, list[Evidence]]:
    """Speed score and evidence.

    ``quality(act)`` is the credit of a response, 0..1; ``statement_ok(act)`` says whether a public
    statement has the substance to count as a holding statement or a cadence update (all count when
    it is not given).
    """
    sc = rec.scenario
    targets = sc.scoring
    ev: list[Evidence] = []
    end = max(rec.end_t, 1.0)
    ok = statement_ok or (lambda a: True)

    # Responses to each delivered post; the first one, and the first real answer.
    first: dict[str, Act] = {}
    responses: dict[str, list[Act]] = {}
    for a in rec.actions:
        if a.kind in ("reply", "private") and a.post_id in rec.posts:
            responses.setdefault(a.post_id, []).append(a)
            first.setdefault(a.post_id, a)

    def answered(post_id: str) -> tuple[Act | None, float]:
        """The response that counts for a post and its credit: a poor public reply spoils the post."""
        acts = responses.get(post_id, [])
        if not acts:
            return None, 0.0
        public = [a for a in acts if a.kind == "reply"]
        if public:
            q = min(quality(a) for a in public)
        else:
            q = max(quality(a) for a in acts)
        real = next((a for a in acts if quality(a) >= 1), acts[0])
        return real, q

    # 1. The holding statement: the first public statement with substance.
    all_statements = [a for a in rec.actions if a.statement]
    statements = [a for a in all_statements if ok(a)]
    first_statement = statements[0].t if statements else None
    target = targets.first_statement

    def on_time(t: float) -> float:
        """Full at or before the target, falling linearly to 0 at four times it."""
        return max(0.0, 1 - max(0.0, t - target) / (3 * target))

    if first_statement is None and all_statements:
        empty = all_statements[0]
        pts_first = W_FIRST * POOR_CREDIT * on_time(empty.t)
        ev.append(
            Evidence(
                empty.t,
                "speed",
                "speed.first_statement",
                "Your public statements said nothing of substance (no acknowledgement with a fact or a next "
                "step), so none counts as a holding statement.",
                pts_first - W_FIRST,
                empty.ref,
            )
        )
    elif first_statement is None:
        pts_first = 0.0
        ev.append(
            Evidence(
                end,
                "speed",
                "speed.first_statement",
                "No public statement at all: the silence left an information vacuum for rumours to fill.",
                -W_FIRST,
            )
        )
    else:
        pts_first = W_FIRST * on_time(first_statement)
        verdict = "within" if first_statement <= target else "later than"
        skipped = [a for a in all_statements if a.t < first_statement]
        note = (
            f" An earlier statement at {format_time(skipped[0].t)} said nothing of substance and does not count."
            if skipped
            else ""
        )
        if skipped:
            # A hollow line earns what it would alone (POOR_CREDIT): a later real one never lowers that.
            hollow = W_FIRST * POOR_CREDIT * on_time(skipped[0].t)
            if hollow > pts_first:
                pts_first = hollow
                note = (
                    f" An earlier statement at {format_time(skipped[0].t)} said nothing of substance: it earns "
                    f"the {POOR_CREDIT:.0%} a hollow holding line earns, more than the late one."
                )
        ev.append(
            Evidence(
                first_statement,
                "speed",
                "speed.first_statement",
                f"First public statement after {format_time(first_statement)}, {verdict} the "
                f"{format_time(target)} target.{note}",
                pts_first,
                statements[0].ref,
            )
        )

    # 2 and 3. Posts answered in time.
    must = [d for d in rec.posts.values() if d.post.must_handle]
    other = rec.others_to_answer()

    def credit(d: Delivered, tgt: float) -> float:
        a, q = answered(d.id)
        if a is None:
            return 0.0
        return _timeliness(a.t - d.t, tgt) * q

    must_credit = []
    for d in sorted(must, key=lambda d: d.t):
        tgt = float(d.expect.reply_within if d.expect and d.expect.reply_within else targets.reply)
        c = credit(d, tgt)
        must_credit.append(c)
        resp, q = answered(d.id)
        share = W_MUST / len(must)
        if resp is None:
            ev.append(
                Evidence(
                    d.t,
                    "speed",
                    "speed.must_handle",
                    f"Must-handle post from {d.post.handle} was never answered (target {format_time(tgt)}).",
                    -share,
                    d.id,
                )
            )
        else:
            delay = resp.t - d.t
            late = "in time" if delay <= tgt else f"late (target {format_time(tgt)})"
            note = "" if q >= 1 else " The answer was too poor to count fully (or not an answer to this post)."
            ev.append(
                Evidence(
                    resp.t,
                    "speed",
                    "speed.must_handle",
                    f"Answered must-handle post from {d.post.handle} after {format_time(delay)}, {late}.{note}",
                    share * c,
                    d.id,
                )
            )
    pts_must = W_MUST * (sum(must_credit) / len(must_credit)) if must_credit else W_MUST
    other_credit = [credit(d, float(targets.reply)) for d in other]
    # In a big storm nobody answers every high-reach post: full credit from OTHER_TARGET good answers.
    pts_other = (
        W_OTHER * min(1.0, sum(other_credit) / min(len(other_credit), OTHER_TARGET)) if other_credit else W_OTHER
    )
    if other:
        answered_other = sum(1 for d in other if d.id in first)
        missed = sorted((d for d in other if d.id not in first), key=lambda d: d.t)
        names = ", ".join(f"{d.post.handle} ({format_time(d.t)})" for d in missed[:5])
        more = f" and {len(missed) - 5} more" if len(missed) > 5 else ""
        # Answered, but for little: say which and why, so the points lost name their posts.
        weak: list[str] = []
        for d, c in sorted(zip(other, other_credit, strict=True), key=lambda dc: dc[1]):
            got, q = answered(d.id)
            if got is None or c >= 0.75 or len(weak) >= 3:
                continue
            why = "the answer was too poor to count fully" if q < 1 else ""
            if got.t - d.t > targets.reply:
                late = f"answered {format_time(got.t - d.t)} after, target {format_time(targets.reply)}"
                why = f"{late}; {why}" if why else late
            weak.append(f"{d.post.handle} ({why})")
        ev.append(
            Evidence(
                end,
                "speed",
                "speed.priority_posts",
                f"Answered {answered_other} of {len(other)} "
                "other posts that needed an answer (urgent tags, named accounts, high reach)"
                + (f"; no answer to {names}{more}" if missed else "")
                + (f"; answered for little: {', '.join(weak)}" if weak else "")
                + ".",
                pts_other - W_OTHER,
                missed[0].id if missed else "",
            )
        )
    # The crowd: how many of the people complaining got a real answer (ignoring them cannot pay).
    people = crowd_people(rec)
    reached = 0.0
    for posts_of in people.values():
        reached += max((answered(d.id)[1] for d in posts_of), default=0.0)
    want = crowd_target(len(people))
    crowd = min(1.0, reached / want) if people else 1.0
    pts_crowd = W_CROWD * crowd
    if people:
        ev.append(
            Evidence(
                end,
                "speed",
                "speed.crowd",
                f"Reached {reached:.0f} of the {len(people)} people who posted with a real answer "
                f"(full credit from {want:.0f}).",
                pts_crowd - W_CROWD,
            )
        )

    # 4. Cadence: longest silence after the first statement, and promises.
    silences: list[tuple[float, float]] = []
    if first_statement is not None:
        times = [*[st.t for st in statements], end]
        silences = list(pairwise(times))
    longest = max((b - a for a, b in silences), default=end if first_statement is None else 0.0)
    every = float(targets.update_every)
    if first_statement is None:
        cadence = 0.0
    elif longest <= every:
        cadence = 1.0
    else:
        cadence = max(0.0, 1 - (longest - every) / (2 * every))
    broken = [c for c in rec.commitments if c.status == "broken"]
    kept = [c for c in rec.commitments if c.status == "kept"]
    # A promise still open when the session ended early falls due in the silence that follows.
    settled = {(c.source, c.due, c.audience) for c in broken + kept}
    broken += [
        replace(c, status="broken")
        for c in rec.commitments
        if c.status == "made" and (c.source, c.due, c.audience) not in settled and c.due + 60 <= rec.end_t
    ]
    pts_cadence = max(0.0, W_CADENCE * cadence - 4.0 * len(broken))
    if first_statement is not None:
        start = next((a for a, b in silences if b - a == longest), 0.0)
        ev.append(
            Evidence(
                start,
                "speed",
                "speed.cadence",
                f"Longest public silence {format_time(longest)}"
                + (
                    f" after your first statement (the {format_time(first_statement)} before it is scored above)"
                    if first_statement > longest
                    else ""
                )
                + f" (expected an update every {format_time(every)}).",
                W_CADENCE * cadence - W_CADENCE,
            )
        )

    def promise_words(com: CommitmentEvent) -> str:
        due = clock_label(sc.start_minutes, com.due)
        words = clean_text(com.words, single_line=True)[:60]
        to = f" to {rec.handle_of(com.audience)}" if com.audience != "public" else ""
        return f'"{words}"{to} (due {due})'

    for com in broken:
        ev.append(
            Evidence(
                com.due,
                "speed",
                "speed.promise_broken",
                f"You promised {promise_words(com)} and "
                + ("posted no update by then." if com.audience == "public" else "did not get back to them in time."),
                -4.0,
                f"action:{com.source}",
            )
        )
    for com in kept:
        ev.append(
            Evidence(
                com.t,
                "speed",
                "speed.promise_kept",
                f"Kept your promise {promise_words(com)}.",
                0.0,
                f"action:{com.source}",
            )
        )

    # 5. Triage: replies to low-priority posts while an urgent one waited more than 2 minutes.
    urgent = sorted(
        (d for d in rec.posts.values() if (d.priority >= 3 or d.post.must_handle) and not rec.answered_in_public(d)),
        key=lambda d: d.t,
    )
    low_replies = 0
    bad_order = 0
    example: tuple[Act, Delivered] | None = None
    for a in rec.actions:
        if a.kind not in ("reply", "private") or a.post_id not in rec.posts:
            continue
        target_post = rec.posts[a.post_id]
        if target_post.priority >= 3 or target_post.post.must_handle:
            continue
        low_replies += 1
        # An urgent post waiting while a low one was answered: one answered later, or one never answered
        # while it was still fresh (within three reply targets; after that it is charged above, once).
        waiting = [
            d
            for d in urgent
            if d.t + 120 <= a.t and (first[d.id].t > a.t if d.id in first else a.t <= d.t + 3 * float(targets.reply))
        ]
        if waiting:
            bad_order += 1
            example = example or (a, waiting[0])
    if low_replies:
        pts_triage = W_TRIAGE * (1 - bad_order / low_replies)
        if bad_order:
            ev.append(
                Evidence(
                    end,
                    "speed",
                    "speed.triage",
                    f"{bad_order} of {low_replies} replies went to "
                    "low-priority posts while an urgent post (safety, media, high reach) waited"
                    + (
                        f", e.g. at {format_time(example[0].t)} while {example[1].post.handle}'s post "
                        f"from {format_time(example[1].t)} waited."
                        if example
                        else "."
                    ),
                    pts_triage - W_TRIAGE,
                )
            )
    else:
        pts_triage = W_TRIAGE if first else 0.0

    if not first and not statements:
        pts_must = pts_other = 0.0
    if not first and not statements:
        pts_crowd = 0.0
    total = pts_first + pts_must + pts_other + pts_crowd + pts_cadence + pts_triage

    delays = [first[d.id].t - d.t for d in rec.posts.values() if d.id in first]
    needing = [d for d in rec.posts.values() if rec.needs_own_answer(d)]
    details = {
        "first_statement_s": round(first_statement, 1) if first_statement is not None else None,
        "median_reply_s": round(statistics.median(delays), 1) if delays else None,
        "p90_reply_s": round(_percentile(delays, 0.9), 1) if delays else None,
        "answered_pct": round(100 * sum(1 for d in needing if d.id in first) / len(needing), 1) if needing else 0.0,
        "answered_all_pct": round(100 * len(first) / len(rec.posts), 1) if rec.posts else 0.0,
        "must_handle_in_time_pct": round(
            100
            * sum(
                1
                for d in must
                if d.id in first
                and first[d.id].t - d.t
                <= float(d.expect.reply_within if d.expect and d.expect.reply_within else targets.reply)
            )
            / len(must),
            1,
        )
        if must
        else None,
        "longest_silence_s": round(longest, 1),
        "promises_kept": len(kept),
        "promises_broken": len(broken),
        "triage_pct": round(100 * (1 - bad_order / low_replies), 1) if low_replies else None,
        "posts_delivered": len(rec.posts),
        "posts_needing_answer": len(needing),
        "blocks": {
            "first_statement": round(pts_first, 1),
            "must_handle": round(pts_must, 1),
            "other_posts": round(pts_other, 1),
            "crowd": round(pts_crowd, 1),
            "cadence": round(pts_cadence, 1),
            "triage": round(pts_triage, 1),
        },
    }
    return PartScore(max(0.0, min(100.0, total)), details), ev


_PUBLIC_TAGS = frozenset({"media", "misinformation", "scam", "regulator", "boycott", "legal"})
_PUBLIC_ROLES = frozenset({"journalist", "regulator", "politician", "scammer", "troll", "competitor"})


def crowd_target(n_people: int) -> float:
    """How many of the people who posted a team should reach: one in five, at least 5, at most 40."""
    return min(CROWD_MAX, max(CROWD_MIN, CROWD_SHARE * n_people))


def crowd_people(rec: SessionRecord) -> dict[str, list[Delivered]]:
    """The people who posted (not injects, trolls, scammers or competitors), each with their posts."""
    if rec.people is None:
        people: dict[str, list[Delivered]] = {}
        for d in rec.posts.values():
            if d.post.source != "inject" and d.post.role not in ("troll", "scammer", "competitor"):
                people.setdefault(d.post.author, []).append(d)
        rec.people = people
    return rec.people


def calls_for_private(post: Post) -> bool:
    """A post to handle in private messages: tagged pii, expected private, or about the author's own case."""
    if post.expect is not None and post.expect.private:
        return True
    if "pii" in post.tags:
        return True
    if _PUBLIC_TAGS & set(post.tags) or post.role in _PUBLIC_ROLES:
        return False
    return about_own_case(post)


def public_matter(post: Post) -> bool:
    """A post whose answer must be public: media, misinformation, scams, regulators (a DM is no answer)."""
    return not calls_for_private(post) and bool(_PUBLIC_TAGS & set(post.tags) or post.role in _PUBLIC_ROLES)


def quality_credit(tone_score: float, flags: tuple[str, ...], kind: str, post: Post | None = None) -> float:
    """Speed credit of a response given its tone: full for a real answer, little for junk.

    A private message is judged against the ``post`` it answers: full credit only where the post calls
    for private handling, none for a public matter (media, misinformation, scam), little otherwise.
    """
    if kind == "private":
        if post is not None and not calls_for_private(post):
            return 0.0 if public_matter(post) else POOR_CREDIT
        if "copy_paste" in flags or tone_score < QUALITY_GATE - 15:
            return POOR_CREDIT
        return 1.0
    if tone_score <= HARMFUL_CAP:
        return HARMFUL_CREDIT  # an answer that blames, denies or mocks feeds the storm: next to nothing
    if "copy_paste" in flags or tone_score < QUALITY_GATE:
        return POOR_CREDIT
    return 1.0
