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

from dataclasses import dataclass

from sim.engine.reading import Earlier, judge_request
from sim.scenario.patterns import asserted, compile_pattern, format_time

from .card import Evidence, PartScore, ReplyTone
from .judge import judge_requests
from .record import HIGH_REACH, Act, SessionRecord
from .tone import ToneResult

RECENT = 40  # earlier texts compared for copy-paste
W_CONTENT = 0.25
AVOID_POINTS, MUST_NOT_POINTS, PRIVATE_POINTS = 8.0, 6.0, 5.0
PUBLIC_SHARE = 0.75  # public texts carry at least this share of the mean text score
WORST_N, WORST_BAR, WORST_POINTS = 3, 40.0, 10.0  # the weakest public texts: how many, below what, up to


@dataclass(frozen=True)
class Judged:
    act: Act
    result: ToneResult
    weight: float


def _weight(rec: SessionRecord, a: Act) -> float:
    if a.kind in ("update", "plan"):
        return 2.0
    d = rec.posts.get(a.post or "")
    if d is None:
        return 1.0
    if d.post.must_handle:
        return 3.0
    if d.post.followers >= HIGH_REACH or d.priority >= 3:
        return 2.0
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


def judge_all(rec: SessionRecord) -> list[Judged]:
    """Tone of every trainee text, in order, each with the context the live game gave it.

    The requests are built by the engine's own reading of play (sim.engine.reading), so the
    debrief's judgement of a text is the live one. Copy-paste is judged across every kind of text
    (public replies, private messages, updates, the plan), in template form: names, handles and
    numbers set aside.
    """
    sc = rec.scenario
    acts = [a for a in rec.actions if a.kind in ("reply", "private", "update", "plan")]
    reqs = []
    earlier: list[Earlier] = []
    for a in acts:
        known = [b for b in sc.briefings if rec.briefing_times.get(b.id, 1e18) <= a.t]
        d = rec.posts.get(a.post or "")
        post = d.post if d else None
        text = a.full_text()
        reqs.append(judge_request(sc, a.t, a.kind, text, post, earlier, known))
        earlier = [*earlier, Earlier(text, post.name if post else "", post.handle if post else "")]
    results = judge_requests(reqs)
    return [Judged(a, r, _weight(rec, a)) for a, r in zip(acts, results, strict=True)]


def score_tone(rec: SessionRecord, judged: list[Judged]) -> tuple[PartScore, list[Evidence], list[ReplyTone]]:
    ev: list[Evidence] = []
    sc = rec.scenario
    replies = [
        ReplyTone(
            t=j.act.t,
            kind=j.act.kind,
            ref=j.act.post or j.act.ref,
            text=j.act.full_text(),
            score=j.result.score,
            flags=j.result.flags,
            post_text=rec.posts[j.act.post].post.text if j.act.post in rec.posts else "",
            why=tuple(h.why for h in j.result.hits),
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
        text = " ".join(a.text for a in answers)
        if exp.must_mention:
            hit = [m for m in exp.must_mention if compile_pattern(m).search(text)]
            cov = len(hit) / len(exp.must_mention)
            coverage.append(cov)
            missing = [m.split("|")[0] for m in exp.must_mention if m not in hit]
            ev.append(
                Evidence(
                    answers[0].t,
                    "tone",
                    "tone.must_mention",
                    f"Answer to {d.post.handle} covers {len(hit)} of {len(exp.must_mention)} key points"
                    + (f"; missing: {', '.join(missing)}." if missing else "."),
                    round(100 * W_CONTENT * (cov - 1) / max(1, n_content), 2),
                    d.id,
                )
            )
        for bad in exp.must_not_say:
            m = compile_pattern(bad).search(text)
            if m:
                penalties += MUST_NOT_POINTS
                ev.append(
                    Evidence(
                        answers[0].t,
                        "tone",
                        "tone.must_not_say",
                        f'Answer to {d.post.handle} said "{m.group(0)}", which it should not.',
                        -MUST_NOT_POINTS,
                        d.id,
                    )
                )
        if exp.private and not any(a.kind == "private" for a in answers):
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
    for j in judged:
        a = j.act
        if not a.public:
            continue
        for av in sc.scoring.avoid:
            if av.until is not None and a.t >= av.until:
                continue
            if av.until_briefing is not None and known_at.get(av.until_briefing, 1e18) <= a.t:
                continue
            said = asserted(av.say, a.full_text())
            if said:
                penalties += AVOID_POINTS
                ev.append(
                    Evidence(
                        a.t,
                        "tone",
                        "tone.avoid",
                        f'Said "{said}" at {format_time(a.t)}: {av.why}',
                        -AVOID_POINTS,
                        a.post or a.ref,
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
                worst[0].act.post or worst[0].act.ref,
            )
        )
    penalties = min(penalties, 40.0)
    content = sum(coverage) / len(coverage) if coverage else None
    blended = mean if content is None else (1 - W_CONTENT) * mean + W_CONTENT * 100 * content
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
                    j.act.post or j.act.ref,
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
                    j.act.post or j.act.ref,
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
