"""Coaching points in plain language, and the must-handle table for the debrief."""

from __future__ import annotations

from typing import Any

from sim.scenario.patterns import format_time
from sim.scenario.text import clean_text

from .card import ScoreCard
from .record import SessionRecord

# What to do instead, per flag; the coaching point opens with the trainee's own words that raised it.
_FLAG_ADVICE = {
    "copy_paste": "Several replies were copies of each other. People notice stock replies; answer each person "
    "about their own problem.",
    "blames": "Replies shifted blame to customers or partners. Once the facts point to you, own it: apologise "
    "and say what you are doing.",
    "defensive": "Replies sounded defensive. Acknowledge the harm first; defend nothing until the facts are in.",
    "legalese": "Replies used legal or corporate language. Say it in plain words, the way you would to a neighbour.",
    "non_apology": "A conditional apology is not an apology. Say sorry for what happened, without conditions.",
    "dismissive": "Replies minimised the problem. To the person affected it is not minor.",
    "vague": "Some replies said nothing concrete. Give a fact, a next step or a time in every reply.",
    "speculates": "You guessed at causes before they were confirmed. Say what you know, what you don't, and when "
    "you will know more.",
    "asks_pii_public": "You asked for personal details in public. Move that to private messages, and never ask "
    "for passwords or card numbers.",
    "hostile": "Some replies were hostile or sarcastic. Never argue with an angry customer in public.",
    "contradicts_briefing": "A reply contradicted facts your team had confirmed. Check the briefings before posting.",
    "over_promises": "You promised things you could not know. Promise the next update, not the end state.",
    "denies": "A reply disputed a person's account. Take their experience seriously and check it privately.",
    "sarcastic": "A reply mocked the person, even in polite words. Never score points off someone in public.",
    "false_reassurance": "You reassured people about safety without grounds. Give the safety instruction first.",
    "keyword_list": "Some texts piled up stock words. Say one concrete thing about this person's problem instead.",
    "canned": "Some replies were canned lines that could answer anyone. Speak to the person's own problem.",
    "ignores_question": "Some replies did not answer what people asked. Answer the question first.",
    "off_topic": "Some replies talked about something else. Answer what the person raised.",
}


def _quoted(card: ScoreCard, flag: str) -> str:
    """The trainee's own words behind a flag, to open its coaching point: 'At 12m05s you wrote "...": '."""
    for r in sorted(card.replies, key=lambda r: r.score):
        if flag in r.flags:
            low = r.text.lower()
            words = next((m for f, m in r.matches if f == flag and m and m.lower() in low), "")
            quote = words if len(words) >= 8 else clean_text(r.text, single_line=True)[:100]
            return f'At {format_time(r.t)} you wrote "{quote}". '
    return ""


def coaching_points(card: ScoreCard, rec: SessionRecord) -> list[str]:
    pts: list[str] = []
    sp = card.speed.details
    target = rec.scenario.scoring.first_statement
    first = sp.get("first_statement_s")
    if first is None:
        pts.append(
            f"Post a holding statement within {format_time(target)}: empathy, what you know, what you are "
            "doing, and when the next update comes. Silence lets rumours set the story."
        )
    elif first > target:
        pts.append(
            f"Your first statement came after {format_time(first)}; aim for {format_time(target)}. "
            "A short holding statement beats a perfect late one."
        )
    if sp.get("longest_silence_s") and sp["longest_silence_s"] > rec.scenario.scoring.update_every and first:
        pts.append(
            f"You went {format_time(sp['longest_silence_s'])} without a public update. Promise a time "
            "for the next update and keep it, even when there is little new to say."
        )
    broken = [e for e in card.evidence if e.rule == "speed.promise_broken"]
    if broken:
        pts.append(
            broken[0].what
            + (f" ({len(broken) - 1} more missed.)" if len(broken) > 1 else "")
            + " Every missed promise costs trust: set times you can keep."
        )
    late = [r for r in card.must_handle if not r["in_time"]]
    if late:
        names = ", ".join(
            f"{r['author']} ({'no answer' if r['first_reply_s'] is None else format_time(r['first_reply_s'])})"
            for r in late[:4]
        )
        pts.append(
            f"Must-handle posts waited too long: {names}. "
            "Triage: answer safety first, then media and high-reach accounts, then the rest."
        )
    flags = card.tone.details.get("flags", {}) if card.tone.details else {}
    texts = max(1, card.tone.details.get("texts") or 1)
    for flag, advice in _FLAG_ADVICE.items():
        n = flags.get(flag, 0)
        if n and (n >= 2 or n / texts >= 0.1 or flag in ("hostile", "asks_pii_public", "blames")):
            pts.append(_quoted(card, flag) + advice)
    if not card.plan.details.get("posted"):
        pts.append(
            "Publish an action plan: what happened, the steps (who does what, by when), what affected "
            "people should do, where to get help, the remedy, and when the next update comes."
        )
    else:
        missing = [k.replace("_", " ") for k, v in card.plan.details.get("elements", {}).items() if not v]
        if missing:
            pts.append("Your action plan left out: " + ", ".join(missing) + ".")
        if not card.plan.details.get("on_time"):
            pts.append("Your action plan came after the deadline; publish a first version early and update it.")
    if not pts:
        pts.append("Strong session. Next time, try a harder scenario or a faster speed.")
    return pts


def must_handle_table(rec: SessionRecord) -> list[dict[str, Any]]:
    """Each must-handle post delivered, the trainee's answers beside the model answer."""
    rows = []
    for d in sorted((d for d in rec.posts.values() if d.expect), key=lambda d: d.t):
        exp = d.expect
        assert exp is not None
        answers = rec.responses_to(d.id)
        target = exp.reply_within or rec.scenario.scoring.reply
        first = answers[0].t - d.t if answers else None
        rows.append(
            {
                "post": d.id,
                "t": d.t,
                "author": d.post.handle,
                "text": d.post.text,
                "tags": list(d.post.tags),
                "target_s": target,
                "first_reply_s": round(first, 1) if first is not None else None,
                "in_time": first is not None and first <= target,
                "private_expected": exp.private,
                "answers": [{"t": a.t, "kind": a.kind, "text": a.text} for a in answers],
                "model_answer": exp.model_answer,
            }
        )
    return rows
