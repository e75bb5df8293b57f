"""How urgent a post is: shared by the engine (unanswered by priority), bots and scoring."""

from __future__ import annotations

import re

from .model import Post

HIGH_REACH = 10_000
_MEDIA_ROLES = ("journalist", "regulator", "politician")
_CHATTER = frozenset({"noise", "joke"})
_NOT_TO_ANSWER = frozenset({"competitor", "troll", "scammer"})


def _reach(post: Post) -> bool:
    """High reach that matters: a big crowd account's joke or aside ("Poor guy. Hope he's ok.") asks
    nothing of the company, so its follower count alone does not make it urgent."""
    return post.followers >= HIGH_REACH and not (post.source == "wave" and _CHATTER & set(post.tags))


def priority(post: Post) -> int:
    """Safety 5, media or regulator 4, influencer, high reach or pinned 3, must-handle 2, pii/question/scam 1,
    else 0; a competitor's, troll's or scam account's post that needs no answer is at most 1."""
    tags = set(post.tags)
    if post.role in _NOT_TO_ANSWER and not post.must_handle and not {"misinformation", "safety"} & tags:
        # a rival's jab or a troll's bait needs no answer (needs_answer), so it is never urgent, however big
        # its author; a scam account's post is still worth seeing (1) to warn people about it
        return 1 if "scam" in tags else 0
    if "safety" in tags:
        return 5
    if tags & {"media", "regulator"} or post.role in _MEDIA_ROLES:
        return 4
    if "influencer" in tags or post.role == "influencer" or _reach(post) or post.pinned:
        return 3
    if post.must_handle:
        return 2
    if tags & {"pii", "question", "scam", "misinformation"}:
        return 1
    return 0


def needs_answer(post: Post) -> bool:
    """Must-handle, a named persona, high reach, or a safety question from the crowd.

    Crowd rumours and scams are corrected once in public, not answered one by one, so they do
    not each need an answer; named accounts with urgent tags always do. A crowd joke or aside does
    not need one however many followers its author has, nor does a competitor's, troll's or scam
    account's post unless it spreads a false alarm or the scenario says it must be handled.
    """
    if post.must_handle:
        return True
    if post.role in _NOT_TO_ANSWER and not {"misinformation", "safety"} & set(post.tags):
        return False  # a rival's jab, a troll's bait: answering them amplifies them (a false alarm is corrected)
    return post.source != "wave" or _reach(post) or post.role in (*_MEDIA_ROLES, "influencer") or "safety" in post.tags


def needs_answer_alone(post: Post) -> bool:
    """A post a public statement cannot answer for its author: must-handle, a named persona, the media
    or a regulator, an influencer, high reach."""
    return (
        post.must_handle
        or post.source != "wave"
        or _reach(post)
        or post.role in (*_MEDIA_ROLES, "influencer")
        or bool({"media", "regulator", "influencer"} & set(post.tags))
    )


_OWN_CASE = re.compile(
    r"\bmy (?:own )?(?:order|account|card|bank|booking|address|refund|payment|parcel|delivery|reference|phone|"
    r"email|flight|ticket|reservation|bill|statement|details|data|money|credit|loan|policy)s?\b|"
    r"\border (?:number|no\.?|#)|#\s?\d{4,}|\b\d{6,}\b",
    re.IGNORECASE,
)


def about_own_case(post: Post) -> bool:
    """The post is about its author's own order, account, card or booking ("my order", an order number):
    a case to take to private messages."""
    return bool(_OWN_CASE.search(post.text))
