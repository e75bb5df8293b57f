"""Scripted players for autoplay and calibration.

A bot is a pure function of what the session shows at that moment (posts delivered, briefings so
far, its own earlier actions, the clock): ``decide(session) -> Action | None``, asked again after
each action until it returns None. No hidden state, so a resumed session replays it exactly.
Bots see what a trainee sees (tags, must-handle marks, reach), never the script's future or the
expectations behind must-handle posts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from itertools import islice

from sim.engine.actions import Action, PlanAction, PrivateAction, ReplyAction, UpdateAction
from sim.engine.session import Session
from sim.scenario.model import Briefing, PlanStep, Post
from sim.scenario.patterns import clock_label
from sim.scenario.triage import about_own_case

Bot = Callable[[Session], Action | None]


def _pick(options: Sequence[str], *keys: object) -> str:
    digest = hashlib.sha256("|".join(str(k) for k in keys).encode()).digest()
    return options[digest[0] % len(options)]


def _first_name(post: Post) -> str:
    name = post.name.split()[0] if post.name.split() else ""
    return name if name.isalpha() else post.handle


_PROBLEMS = (
    "order|delivery|parcel|refund|money|payment|charge|bill|card|account|booking|reservation|flight|signal|"
    "outage|network|connection|service|app|website|email|store|shop|closure|video|report|food|meal|allergy|"
    "compensation|data|password|recall|product|staff|wait|queue|cancellation|message|kitchen|hygiene|alarm|"
    "coverage|phone|mobile|internet|price|sign|dough|bread|pizza|burger|sandwich|drink"
)
_PROBLEM = re.compile(rf"\b(?:(?P<my>my|our) )?(?:\w+'s )?(?P<w>(?:{_PROBLEMS})s?)\b", re.IGNORECASE)


def _topic(post: Post, quoted: Post | None = None) -> str:
    """What the post is about, as a noun phrase ("your order", "the outage"), or "this". A post with a
    video or a picture is about that (format 2); a quote post with no topic of its own, about what it quotes."""
    if post.media is not None:
        return f"the {post.media.kind}"
    m = _PROBLEM.search(post.text)
    if m is None and quoted is not None:
        return _topic(quoted)
    return ("your " if m.group("my") else "the ") + m.group("w").lower() if m else "this"


def _actions_in_last(s: Session, seconds: float) -> int:
    return sum(1 for a in s.actions if a.t > s.now - seconds and a.kind != "end")


def _next_update_label(s: Session, every: float) -> tuple[float, str]:
    due = s.now + every
    due = (int(due // 300) + 1) * 300 if every >= 600 else due
    return due, clock_label(s.scenario.start_minutes, due)


def _facts(s: Session) -> list[Briefing]:
    """Briefings with a line the company may say now (format 2: not while under embargo)."""
    return [b for b in s.briefings_so_far() if b.public_line and not b.embargoed(s.now)]


def _decided(s: Session) -> list[Briefing]:
    """Briefings whose facts may be acted on in public now (format 2: not while under embargo)."""
    return [b for b in s.briefings_so_far() if not b.embargoed(s.now)]


def _quoted(s: Session, post: Post) -> Post | None:
    return s.post(post.quote) if post.quote else None


def _owns_now(s: Session) -> bool:
    """Format 2: the crisis has become preventable during the storm, so the company owns it in public."""
    return bool(s.scenario.crisis_type_changes) and s.crisis_type == "preventable"


OWNING = "This should not have happened, and it is our responsibility: we are sorry, and we are putting it right."


def _latest_fact(s: Session) -> str:
    facts = _facts(s)
    return facts[-1].public_line if facts else ""


# ----------------------------------------------------------------------------- silent


def silent(s: Session) -> Action | None:
    return None


# ----------------------------------------------------------------------------- canned

CANNED_REPLY = "Thanks for reaching out. We're looking into it."
CANNED_STATEMENT = "We are aware of an issue and are looking into it."


def _stated(s: Session) -> bool:
    """Whether the bot has posted a public statement (whether or not it counted as an update)."""
    return any(a.statement for a in s.actions)


def canned(s: Session) -> Action | None:
    if not _stated(s) and s.now >= 180:
        return UpdateAction(CANNED_STATEMENT)
    if _actions_in_last(s, 60) >= 4:
        return None
    for post in s.unanswered():
        return ReplyAction(post.id, CANNED_REPLY)
    return None


# ----------------------------------------------------------------------------- defensive

DEFENSIVE_STATEMENT = (
    "We are aware of claims circulating online. We have followed all applicable procedures and "
    "regulations, and responsibility for this matter lies with third parties. We will not be "
    "commenting further at this time."
)
DEFENSIVE_REPLIES = (
    "This is not our fault. Per our terms and conditions we are not liable for issues caused by third parties.",
    "We followed all procedures. If you had read the instructions this would not have happened.",
    "That is simply not what happened. Please refer to our terms of service, which you agreed to.",
    "We stand by our processes. Any inconvenience is regrettable but was outside our control.",
)


def defensive(s: Session) -> Action | None:
    if not _stated(s) and s.now >= 120:
        return UpdateAction(DEFENSIVE_STATEMENT)
    if _actions_in_last(s, 60) >= 3:
        return None
    for post in s.unanswered(min_priority=1):
        return ReplyAction(post.id, _pick(DEFENSIVE_REPLIES, post.id))
    return None


# ----------------------------------------------------------------------------- slow

SLOW_DELAY = (20 * 60, 40 * 60)  # it answers each post 20 to 40 minutes after it arrived
_SLOW_LOOKAHEAD = 50


def _slow_delay(post: Post) -> float:
    lo, hi = SLOW_DELAY
    digest = hashlib.sha256(post.id.encode()).digest()
    return lo + int.from_bytes(digest[:4], "big") % (hi - lo)


def _decent_reply(s: Session, post: Post) -> str:
    fact = _latest_fact(s)
    return (
        f"Hi {_first_name(post)}, sorry for the trouble with {_topic(post)}. "
        + (f"{fact} " if fact else "We are working on it. ")
        + "Thanks for your patience."
    )


def slow(s: Session) -> Action | None:
    if not _stated(s) and s.now >= s.duration * 0.6:
        fact = _latest_fact(s)
        return UpdateAction("We're sorry for the disruption. " + (fact or "We are working on it."))
    if _actions_in_last(s, 60) >= 2:
        return None
    for post in islice(s.oldest_unanswered(), _SLOW_LOOKAHEAD):
        if (s.delivered_at(post.id) or 0.0) + _slow_delay(post) <= s.now:
            return ReplyAction(post.id, _decent_reply(s, post))
    return None


# ----------------------------------------------------------------------------- ideal

_OPENERS = (
    "Hi {n}, I'm so sorry about this, and you're right to be upset.",
    "{n}, I'm really sorry. That's not the experience you should have had.",
    "Hi {n}, thank you for telling us, and I'm sorry you've been affected.",
    "{n}, I'm sorry. I understand how frustrating this is.",
    "Hi {n}, I'm so sorry, that sounds awful.",
    "{n}, we've let you down here and I apologise.",
    "Sorry, {n}. I completely understand why you're annoyed.",
)
_SAFETY = (
    "Your safety comes first: please stop using it, and if anyone feels unwell, call a doctor or the medical "
    "helpline straight away.",
    "Please don't use it for now, and if anyone has symptoms, contact a doctor or medical helpline right away.",
    "Until we know more, please put it aside; anyone who feels ill should speak to a doctor or the medical "
    "helpline today.",
    "The safest thing right now is not to use it, and to get medical advice quickly if anyone in your home "
    "feels unwell.",
    "For now, please keep it out of use, and if you notice any symptoms at all, ring a doctor or the "
    "medical helpline without waiting.",
)
# A person in distress (a safety post about someone's wellbeing, not about a product) needs
# someone with them and the emergency services or a crisis line, never "stop using it".
_WELLBEING = (
    "Please stay with them if you can. If anyone might be in danger, call the emergency services now; a crisis "
    "helpline can also listen, day or night.",
    "What matters most right now is that nobody is alone with this: if anyone is at risk, call the emergency "
    "services straight away, and a crisis helpline is there to talk any time.",
    "Please don't carry this alone. If you think anyone is in danger, ring the emergency services now, or talk to "
    "a doctor or a crisis helpline today.",
)
_DISTRESS = re.compile(
    r"nothing to live for|no point (?:in )?(?:anything|living)|can'?t go on|end it all|"
    r"hurt(?:ing)? (?:my|him|her|them)sel(?:f|ves)|suicid|self[- ]harm|don'?t want to be here|panic attack|"
    r"kill(?:ing)? (?:my|him|her)self",
    re.IGNORECASE,
)


# Someone in immediate physical danger (trapped, water or smoke coming in, a smell of gas) needs the
# emergency services first.
_EMERGENCY = (
    "If anyone is in danger right now, call the emergency services straight away and move somewhere safe while "
    "you wait.",
    "Please call the emergency services now if anyone is at risk, and don't put yourself in danger to help.",
    "If a life could be at risk, ring the emergency services immediately; getting everyone somewhere safe comes first.",
)
_DANGER = re.compile(
    r"trapped|can'?t get out|stuck (?:in|inside|upstairs|on)|coming under (?:the|her|his|my|our) door|"
    r"water (?:is )?(?:coming|pouring|getting|rising) (?:in|under|through)|smell(?:s|ing)? (?:of )?gas|on fire|"
    r"smoke (?:is )?coming",
    re.IGNORECASE,
)


def _safety_line(post: Post, k: int) -> str:
    """The safety instruction for this post: help for a person in distress, the emergency services for
    someone in danger, else stop using the product and get medical advice."""
    if _DISTRESS.search(post.text):
        return _nth(_WELLBEING, k)
    return _nth(_EMERGENCY if _DANGER.search(post.text) else _SAFETY, k)


_PRIVATE_PUBLIC = (
    "I've sent you a private message so we can sort out your case without sharing personal details here. "
    "Please never post card numbers or passwords publicly.",
    "I've just sent you a DM so we can look at your account privately; please don't share personal details in public.",
    "Check your messages: I've written to you privately so your details stay out of this thread.",
    "So that nothing personal ends up in public, I've moved your case to a direct message just now.",
)
_MEDIA = (
    "Thanks for asking. Here is what we can confirm so far.",
    "Happy to help with your story. What we can confirm right now:",
    "Thanks for getting in touch. These are the confirmed facts as of now.",
    "Good question, and you deserve a clear answer. Confirmed so far:",
)
_MISINFO = (
    "That isn't accurate, and I understand why people are worried.",
    "I want to correct this calmly: that claim is not right.",
    "{n}, I can see why this is going round, but it isn't true.",
    "Thanks for checking with us first, {n}: that one is false.",
    "{n}, I understand the worry, but this rumour is wrong.",
)
_MISINFO_BRIDGE = (
    "Here is what we know for certain.",
    "The confirmed position is this.",
    "These are the facts we can stand behind.",
    "Please only trust what we post on this account.",
    "We will correct anything false as soon as we see it.",
    "",
)
_SCAM = (
    "Please be careful: {h} is not an official account. We will never ask for card details, passwords or "
    "payment by DM. Please report the account.",
    "Warning: {h} is an impostor, not us. Do not send it card numbers, codes or money, and please report it.",
    "{h} has nothing to do with us. We never ask for passwords, PINs or payments in messages; please block "
    "and report it.",
    "Heads up, everyone: {h} is fake. If it has asked you for card details, don't reply, and report it to "
    "the platform.",
)

_SCAM_VICTIM = (
    "That wasn't us: we never ask for card numbers, PINs or passwords, so please don't reply to it and report it.",
    "That message did not come from us. We will never ask for your PIN or full card number; please block it.",
    "It's a scam, not us: our only account is {c}, and we never ask for codes, passwords or payments.",
)

_TOPIC = (
    "Thanks for telling us about {t}.",
    "We're looking into {t} for you now.",
    "You're right to raise {t} with us.",
    "Sorting out {t} is on us.",
    "I hear you about {t}.",
    "I've passed your point about {t} straight to the team.",
)
_CLOSERS = (
    "We'll keep you posted here.",
    "Our updates are pinned on our profile.",
    "Our next update is at {when}.",
    "You'll hear from us again soon.",
    "Thank you for your patience while we fix this.",
    "Please check back here at {when} for our next update.",
    "If anything changes for you, just reply and we'll pick it up.",
)


def _nth(options: Sequence[str], i: int) -> str:
    return options[i % len(options)]


def _replies_so_far(s: Session) -> int:
    """How many replies and private messages the bot has sent: each new one picks different wording."""
    return sum(1 for a in s.actions if a.kind in ("reply", "private"))


HOLDING_AFTER = 90.0  # seconds: time to read the situation before the holding statement


def _personal(post: Post) -> bool:
    """Tagged pii, or it names the author's own order, account or card: that belongs in private messages."""
    if post.role == "scammer":
        return False  # an impostor is warned about in public, never messaged privately
    return "pii" in post.tags or about_own_case(post)


def _reply_text(s: Session, post: Post) -> str:
    """A reply worded for this post; consecutive replies never share their wording (no copy-paste)."""
    n = _first_name(post)
    i = _replies_so_far(s)
    tags = set(post.tags)
    fact = _latest_fact(s)
    nxt = s.next_promise()
    when = f" Our next public update is at {clock_label(s.scenario.start_minutes, nxt)}." if nxt else ""
    if post.role == "scammer":
        return _nth(_SCAM, i).format(h=post.handle) + f" Updates only come from {s.scenario.company.handle}."
    quoted = _quoted(s, post)
    if quoted is not None:  # a quote post spreads what it quotes: answer that too
        tags |= set(quoted.tags)
    parts = [_nth(_OPENERS, i).format(n=n)]
    if "scam" in tags:  # someone asking about, or hit by, a scam
        parts.append(_nth(_SCAM_VICTIM, i // 3).format(c=s.scenario.company.handle))
        if "safety" in tags:
            parts.append(_safety_line(post, i // 7))
    elif "misinformation" in tags:
        parts = [_nth(_MISINFO, i).format(n=n), _nth(_MISINFO_BRIDGE, i // 5)]
        parts.append(fact or "We will only share confirmed facts, from this account.")
    elif "safety" in tags:
        parts.append(_safety_line(post, i // 7))
        if fact:
            parts.append(fact)
    elif "media" in tags or post.role in ("journalist", "regulator", "politician"):
        parts = [f"Hi {n}. " + _nth(_MEDIA, i)]
        parts.append(fact or "We are investigating and will share confirmed facts as soon as we have them.")
        parts.append("We're sorry to everyone affected.")
    else:
        parts.append(_nth(_TOPIC, i // 7).format(t=_topic(post, quoted)))
        if "question" in tags and fact:
            parts.append(fact)
    if _personal(post):
        parts.append(_nth(_PRIVATE_PUBLIC, i))
    label = clock_label(s.scenario.start_minutes, nxt) if nxt else ""
    closer = _nth(_CLOSERS, i // 3)
    if "{when}" in closer and not label:
        closer = "We'll keep you posted here."
    parts.append(closer.format(when=label))
    if "safety" in tags or "media" in tags or post.role in ("journalist", "regulator"):
        parts.append(when.strip())
    return " ".join(p for p in parts if p)


_PRIVATE = (
    "Hi {n}, this is the {c} care team. I'm sorry for what happened with {t}. I'll personally look after your "
    "case: please reply here with your order or reference number and the best time to call you.",
    "{n}, thanks for bearing with us. I'm picking up {t} for you myself; if you send me your reference "
    "number and a phone number, someone from our care team will ring you today.",
    "Hello {n}, I'm so sorry about {t}. To put it right quickly, could you tell me your order or account "
    "reference here? I'll check it and message you back within the hour.",
    "{n}, I'm sorry you've had to chase us about {t}. Reply with your reference and a good time to call, "
    "and I'll make sure it's sorted and refunded where it should be.",
)
_PRIVATE_SAFE = (
    "Please don't send passwords or full card numbers.",
    "We never need your PIN, password or full card number.",
    "Please leave out passwords and card numbers; we never ask for them.",
)


_PRIVATE_END = (
    "Thank you for your patience.",
    "I'm here until this is fixed for you.",
    "",
    "You won't have to explain it all again.",
    "Speak soon.",
)


def _private_text(s: Session, post: Post) -> str:
    k = sum(1 for a in s.actions if a.kind == "private")
    body = _nth(_PRIVATE, k).format(n=_first_name(post), c=s.scenario.company.name, t=_topic(post))
    return " ".join(p for p in (body, _nth(_PRIVATE_SAFE, k), _nth(_PRIVATE_END, k)) if p)


def _holding(s: Session, every: float) -> UpdateAction:
    _, label = _next_update_label(s, every)
    facts = " ".join(b.public_line for b in _facts(s)[-2:])
    return UpdateAction(
        f"We're so sorry. We know many of you are affected and worried right now. {facts} "
        f"We don't have all the answers yet; our teams are working on it now. Updates will only come from this "
        f"account. Next update at {label}."
    )


_NO_NEWS = (
    "No major change since our last update; our teams are still working on it.",
    "Nothing new to confirm yet, and we won't guess; the work is carrying on without a break.",
    "We have no new facts this time, but the people fixing this have not stopped.",
    "Still no confirmed change to report. We'd rather tell you that than stay silent.",
)
_UPDATE_HELP = (
    "We're sorry for the disruption this is causing. If you need help, DM us.",
    "We know how hard this is, and we're sorry. Message us privately if you need help with your own case.",
    "Sorry again to everyone affected. Our care team is answering direct messages all day.",
    "We're sorry this is still going on. For your own case, send us a DM and we'll pick it up.",
    "We apologise for the worry this is causing. Please only trust updates from this account.",
)
_REMINDER = ("To recap: {f}", "What we know: {f}", "As a reminder, {f}", "Where things stand: {f}")


def _update(s: Session, every: float) -> UpdateAction:
    _, label = _next_update_label(s, every)
    said = [a.text for a in s.public_posts() if a.statement]
    k = len(said)
    fresh = [b.public_line for b in _facts(s) if not any(b.public_line in text for text in said)]
    if fresh:
        news = " ".join(fresh[-2:])
    else:
        known = [b.public_line for b in _facts(s)]
        recap = _nth(_REMINDER, k).format(f=_nth(known, k)) if known else ""
        news = f"{_nth(_NO_NEWS, k)} {recap}".strip()
    owning = f"{OWNING} " if _owns_now(s) else ""
    return UpdateAction(f"Update: {owning}{news} {_nth(_UPDATE_HELP, k)} Next update at {label}.")


def _plan(s: Session, every: float) -> PlanAction:
    briefings = _decided(s)
    steps = [PlanStep(a.what, a.who, a.when) for b in briefings for a in b.actions]
    if len(steps) < 2:
        steps.append(PlanStep("Investigate the cause and share what we find", "Our incident team", "within 24 hours"))
    steps.append(
        PlanStep("If you are affected, check our updates here and DM us for help with your own case", "You", "now")
    )
    cause = next((b.public_line for b in reversed(briefings) if b.confirms_cause and b.public_line), "")
    what = cause or _latest_fact(s) or "We got this wrong and people were affected."
    _, label = _next_update_label(s, every)
    text = (
        f"Our action plan. What happened: {what} We're sorry, and here is what happens next. If you need help, "
        "DM us or visit our help page; we will refund or compensate everyone affected."
    )
    return PlanAction(text, tuple(steps[:8]), f"{label} on this account")


def _changed_at(s: Session) -> float:
    """When the crisis type last changed (format 2), or 0."""
    return max((float(c.t) for c in s.scenario.crisis_type_changes if c.t <= s.now), default=0.0)


def _stated_since(s: Session, t: float) -> bool:
    return any(a.statement and a.t >= t for a in s.actions)


def ideal(s: Session) -> Action | None:
    every = float(min(s.scenario.scoring.update_every, 15 * 60))
    if s.now < HOLDING_AFTER:
        return None
    if s.last_statement is None:
        return _holding(s, every)
    deadline = s.scenario.scoring.plan_deadline or s.duration
    briefings = _decided(s)
    facts_allow = any(b.actions or b.confirms_cause for b in briefings)
    not_before = s.scenario.scoring.plan_not_before or 0  # format 2: not before the remedy is decided
    if not s.plan_posted and (facts_allow or s.now >= deadline - 180) and s.now >= max(240, not_before):
        return _plan(s, every)
    if _owns_now(s) and not _stated_since(s, _changed_at(s)):
        return _update(s, every)
    due = s.next_promise()
    if (due is not None and s.now >= due - 90) or (s.now - (s.last_statement or 0) >= every):
        return _update(s, every)
    if _actions_in_last(s, 60) >= 3:
        return None
    # A public reply that promised a private message is followed by the private message itself.
    for a in reversed(s.actions[-20:]):
        replied = s.post(a.post_id) if a.post_id else None
        if replied is not None and _personal(replied) and s.status_of(replied.id) != "private":
            return PrivateAction(replied.id, _private_text(s, replied))
    for post in s.unanswered(crowd=False):  # the crowd's low-reach, untagged posts are left to updates
        if post.source == "wave" and post.role == "scammer" and not post.must_handle:
            continue  # a crowd of impostors is reported and warned about once in public, not answered one by one
        return ReplyAction(post.id, _reply_text(s, post))
    return None


BOTS: dict[str, Bot] = {"silent": silent, "slow": slow, "canned": canned, "defensive": defensive, "ideal": ideal}
