"""The pressure index (0-100): how hot the public mood is, sampled every scenario minute.

target = 0.6 x volume level + silence push + flagged-reply push - care pull, clamped to 0..100;
the index moves 35% of the way to the target each minute (public mood has inertia).

- volume level = 100 x (1 - exp(-heat / 60)); heat sums the posts of the last minute, each
  weighing 1 + 0.4 x log10(1 + followers) + its tag weight (safety 2, media/regulator 1.5,
  influencer/misinformation/boycott 1, scam 0.5, complaint 0.3, joke 0.2, praise -0.5);
- silence push = min(30, 30 x silence / (2 x update_every)), silence counted from the last public
  statement (or the start);
- flagged-reply push = min(25, 8 per reply the judge flagged defensive, dismissive, blaming or
  hostile in the last 10 minutes);
- care pull = min(20, 6 per public statement + 2 per unflagged reply to a high-reach account, in
  the last 10 minutes).

Format 2 adds: a post's media weighs in its heat (video 1.5, image 0.75, audio 0.5, link 0.25); a
quote post also carries half the heat of the post it quotes; a pinned post adds its heat again
every minute while it is unanswered; and an inject's ``pressure`` moves the index at once by that
many points and pushes the target by them for the next 10 minutes (at most +-30 in all).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from sim.scenario.model import Post
from sim.scenario.triage import HIGH_REACH

TAG_WEIGHT = {
    "safety": 2.0,
    "media": 1.5,
    "regulator": 1.5,
    "influencer": 1.0,
    "misinformation": 1.0,
    "boycott": 1.0,
    "scam": 0.5,
    "complaint": 0.3,
    "joke": 0.2,
    "praise": -0.5,
}
MEDIA_WEIGHT = {"video": 1.5, "image": 0.75, "audio": 0.5, "link": 0.25}
QUOTE_SHARE = 0.5
PUSH_MAX = 30.0
NEGATIVE = frozenset({"defensive", "dismissive", "blames", "hostile", "profanity", "non_apology"})
WINDOW = 600.0


def post_heat(post: Post) -> float:
    media = MEDIA_WEIGHT.get(post.media.kind, 0.0) if post.media is not None else 0.0
    return max(0.0, 1 + 0.4 * math.log10(1 + post.followers) + sum(TAG_WEIGHT.get(t, 0.0) for t in post.tags) + media)


def target(
    heat: float,
    silence: float,
    update_every: float,
    flagged: int,
    statements: int,
    good_high_reach: int,
    push: float = 0.0,
) -> float:
    volume = 100 * (1 - math.exp(-heat / 60))
    silence_push = min(30.0, 30 * silence / (2 * max(60.0, update_every)))
    flag_push = min(25.0, 8.0 * flagged)
    care = min(20.0, 6.0 * statements + 2.0 * good_high_reach)
    inject_push = max(-PUSH_MAX, min(PUSH_MAX, push))
    return max(0.0, min(100.0, 0.6 * volume + silence_push + flag_push - care + inject_push))


def clamp(value: float) -> float:
    return round(max(0.0, min(100.0, value)), 2)


def step(current: float, goal: float) -> float:
    return round(current + 0.35 * (goal - current), 2)


def is_good_high_reach(post: Post | None, flags: Iterable[str]) -> bool:
    return post is not None and post.followers >= HIGH_REACH and not (set(flags) & NEGATIVE)
