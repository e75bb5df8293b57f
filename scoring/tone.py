"""A tone model built for crisis replies: offline, explainable, hard to game.

Not sentiment: a rubric. Positive flags (acknowledges, apologises, empathises, owns it, informs,
gives a next step or time, personal, moves private details to private messages) add points;
negative flags (defensive, blames, dismissive, non-apology, legalese, hostile, profanity,
shouting, mocking emoji, speculation, over-promising, asking for personal data in public,
contradicting a briefing, copy-paste, vague) take points away and cap the score, so no amount of
nice words rescues a blaming or canned reply. Keyword stuffing and very short texts are capped.
Every flag comes with the words that raised it and a sentence for the trainee (docs/tone-model.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from sim.scenario.model import NEGATIVE_TONE_FLAGS, POSITIVE_TONE_FLAGS
from sim.scenario.patterns import compile_pattern

# The flag names are part of the scenario format (reply_flagged injects name them), so they live there.
POSITIVE_FLAGS = POSITIVE_TONE_FLAGS
NEGATIVE_FLAGS = NEGATIVE_TONE_FLAGS

FLAG_DESCRIPTIONS = {
    "acknowledges": "Acknowledges the problem and the person.",
    "apologises": "Says sorry without conditions.",
    "empathises": "Shows it understands how people feel.",
    "owns_it": "Takes responsibility instead of deflecting.",
    "informs": "Gives a concrete fact: what happened, how many, what is known.",
    "next_step": "Says what happens next or when.",
    "personal": "Speaks to this person about their own problem.",
    "moves_to_private": "Takes personal details to private messages.",
    "defensive": "Sounds defensive: defends the company before helping the person.",
    "blames": "Blames the customer or a third party.",
    "dismissive": "Minimises the problem or the person's feelings.",
    "non_apology": 'A non-apology ("sorry if", "sorry you feel that way", "any inconvenience").',
    "legalese": "Legal or corporate language people do not talk in.",
    "hostile": "Hostile, sarcastic or condescending.",
    "profanity": "Swears.",
    "shouting": "Shouts (capitals or many exclamation marks).",
    "mocking_emoji": "Uses a mocking emoji.",
    "speculates": "Guesses at a cause that is not confirmed.",
    "over_promises": 'Promises what cannot be known ("never again", "fixed for everyone").',
    "asks_pii_public": "Asks for personal data in public.",
    "contradicts_briefing": "Contradicts a fact the team has confirmed.",
    "copy_paste": "A copy of an earlier reply: people notice stock answers.",
    "vague": "Says nothing concrete (no fact, no step, no time).",
}

POINTS = {
    "acknowledges": 8,
    "apologises": 12,
    "empathises": 9,
    "owns_it": 8,
    "informs": 11,
    "next_step": 11,
    "personal": 9,
    "moves_to_private": 5,
    "defensive": -26,
    "blames": -32,
    "dismissive": -22,
    "non_apology": -22,
    "legalese": -16,
    "hostile": -36,
    "profanity": -36,
    "shouting": -16,
    "mocking_emoji": -22,
    "speculates": -16,
    "over_promises": -12,
    "asks_pii_public": -26,
    "contradicts_briefing": -26,
    "copy_paste": -36,
    "vague": -22,
}
CAPS = {
    "blames": 40,
    "hostile": 25,
    "profanity": 25,
    "defensive": 45,
    "non_apology": 45,
    "dismissive": 45,
    "copy_paste": 30,
    "vague": 45,
    "asks_pii_public": 45,
    "contradicts_briefing": 45,
    "mocking_emoji": 40,
}
BASE = 45.0
POS_SPAN = 55.0


class ToneHit(NamedTuple):
    flag: str
    points: float
    match: str
    why: str


@dataclass(frozen=True)
class ToneContext:
    kind: str = "reply"  # reply | update | plan | dm
    post_text: str = ""
    author_name: str = ""
    author_handle: str = ""
    earlier_replies: tuple[str, ...] = ()
    known_facts: tuple[str, ...] = ()
    contradictions: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()


class ToneResult(NamedTuple):
    score: int
    flags: tuple[str, ...]
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    hits: tuple[ToneHit, ...]
    politeness: float


# Words one of which must occur for a pattern to match at all: a cheap test that skips most searches.
PREFILTER: dict[str, tuple[str, ...]] = {
    "owns_it": ("our ", "we ", "on us", "wrong", "let ", "failed", "should have", "own"),
    "defensive": (
        "follow",
        "compl",
        "adhered",
        "what happened",
        "stand by",
        "nothing wrong",
        "no evidence",
        "reject",
        "deny",
        "claims",
        "responsible",
        "control",
        "no fault",
        "comment",
        "apologi",
        "maintain",
        "misleading",
        "process",
        "procedure",
    ),
    "blames": (
        "fault",
        "should",
        "if you",
        "user error",
        "read the",
        "failed to",
        "didn",
        "were told",
        "blame",
        "lies with",
        "responsib",
        "caused by",
        "created by",
        "third",
        "misus",
        "mishandl",
        "check the",
        "next time",
        "look at the",
    ),
    "dismissive": (
        "only a",
        "minor",
        "calm",
        "relax",
        "big deal",
        "overreact",
        "proportion",
        "small number",
        "isolated",
        "nothing to worry",
        "just a",
        "rare case",
        "some people",
        "chill",
        "move on",
        "happen",
        "slight",
        "bit of a",
        "hiccup",
        "unlikely",
        "should be",
    ),
    "hostile": (
        "ridiculous",
        "stupid",
        "idiot",
        "pathetic",
        "clearly",
        "learn to",
        "get over",
        "problem",
        "deal with",
        "whatever",
        "cares",
        "shut up",
        "how dare",
        "grow up",
        "lol",
        "lmao",
        "nice try",
        "good luck",
        "moan",
        "whin",
        "entitled",
        "troll",
        "liar",
        "lying",
        "get a life",
        "cry ",
        "so what",
    ),
    "legalese": (
        "per our",
        "as per",
        "pursuant",
        "liab",
        "hereby",
        "terms",
        "in accordance",
        "notwithstanding",
        "aforementioned",
        "seriously",
        "at this",
        "going forward",
        "leverage",
        "stakeholder",
        "regrettable",
        "duly",
        "heretofore",
        "disclaim",
        "without prejudice",
        "the company",
        "the organi",
        "applicable",
        "in due course",
        "customers are advised",
        "remediation",
        "operational",
        "service disruption",
    ),
    "over_promises": (
        "never",
        "100",
        "guarantee",
        "completely",
        "fully",
        "fixed",
        "sorted",
        "resolved",
        "normal",
        "perfectly",
        "risk",
        "danger",
        "definitely",
        "rest assured",
    ),
    "profanity": (
        "fuck",
        "shit",
        "crap",
        "bloody",
        "bastard",
        "wtf",
        "arse",
        "ass",
        "piss",
        "bitch",
        "damn",
        "dick",
        "wanker",
        "bollocks",
        "frig",
        "fric",
    ),
}


_SORRY_GATE = re.compile("sorr|apolog|regret|inconvenien|offend|forgive")
_GATES = {name: re.compile("|".join(re.escape(k) for k in keys)) for name, keys in PREFILTER.items()}


def _rx(pattern: str) -> re.Pattern[str]:
    """Patterns are written in lower case and run on lower-cased text (much faster than IGNORECASE)."""
    return re.compile(pattern)


NEG_PREFIX = r"(?<!not )(?<!never )(?<!no )(?<!n't )"
R = {
    "acknowledges": _rx(
        r"\b(we (know|see|hear|understand|recogni[sz]e|are aware|'re aware|have seen|'ve seen|hear you)|"
        r"i (see|hear|understand|know|get it|can see)|you'?re (right|absolutely right)|"
        r"you are (right|absolutely right)|"
        r"thanks? (you )?(so much )?for (telling|letting|flagging|raising|reporting|your patience|bearing|sharing|"
        r"bringing)|that'?s (not ok|not okay|unacceptable|not good enough|not acceptable)|"
        r"(this|that) (isn't|is not|wasn't|was not) (good enough|acceptable|ok|okay|what you)|"
        r"many of you|not the experience|we hear you|fair point|you deserve)"
    ),
    "apologises": _rx(r"\b(sorry|apologi[sz]e[ds]?|apologies|apology|forgive us)\b"),
    "empathises": _rx(
        r"\b(understand (how|why|that|your)|must (be|have been|feel)|that sounds|sounds (awful|terrible|stressful|"
        r"frightening|scary|really)|frustrat\w*|worr(y|ied|ying)|upsett\w*|awful|terrible|stressful|"
        r"right to be (angry|upset|frustrated|annoyed|worried|furious)|i can (only )?imagine|heartbreak\w*|"
        r"devastat\w*|scary|frightening|distress\w*|so sorry|really sorry|truly sorry|deeply sorry|"
        r"not the experience|we feel|our thoughts|feel let down|let you down)\b"
    ),
    "owns_it": _rx(
        r"\b(our (mistake|fault|error|failure|responsibility)|we (got|have got|'ve got) (this|it|that) wrong|"
        r"we (messed|screwed) up|we let (you|people|our customers|everyone) down|(that|this|it)'?s on us|"
        r"(this|that|it) is on us|we take (full |complete )?(responsibility|ownership)|we failed|we should have|"
        r"we caused|our (own )?(system|update|team|decision|change) (caused|failed)|we made a mistake|"
        r"we own (this|it)|entirely our|our own fault)\b"
    ),
    "informs": _rx(
        r"(\b\d[\d,.:]*\b|\b(caused by|because|due to|confirmed|identified|restored|recall(ed|ing)?|affected|"
        r"investigat\w+|rolled back|reopen\w*|outage|we can confirm|the cause|cancel(l)?ed|delayed|shortage|"
        r"breach|exposed|contaminat\w*|we have (found|traced|stopped|paused|closed|removed|suspended)|"
        r"we've (found|traced|stopped|paused|closed|removed|suspended)|is (down|back|working|closed|open)|"
        r"are (down|back|working|closed|open)|best[- ]before|batch|lot|stores?|flights?|accounts?|orders?)\b)"
    ),
    "next_step": _rx(
        r"\b(next update|update (you|again|at|by|in|within)|we('ll| will) (update|refund|replace|send|call|contact|"
        r"be in touch|get back|post|share|fix|credit|cover|reimburse|compensate|look after|sort|email|message|"
        r"arrange|rebook|follow up|keep you)|(by|at|before) \d|within \d+|within (the|an|one) hour|in \d+ "
        r"(minutes|mins|hours|days)|today|tonight|tomorrow|this (morning|afternoon|evening)|refund\w*|"
        r"replacement|please (call|contact|check|stop|don'?t|do not|visit|keep|bring|return|dm|message|see|seek)|"
        r"stop using|call (a|your|us|the)|keep you (posted|updated)|here is what happens next|what happens next)\b"
    ),
    "moves_to_private": _rx(
        r"\b(dm|d\.m\.|direct message|private message|privately|message us|inbox|sent you a (dm|message|private|note)|"
        r"pm us|in private|check your (messages|dms|inbox)|send us a message|drop us a (line|message))\b"
    ),
    "defensive": _rx(
        r"\b(we (followed|have followed|'ve followed|complied with|adhered to) (all|every|the)|"
        r"(that|this) (is|was) not what happened|that'?s not what happened|we stand by|we did nothing wrong|"
        r"there is no evidence|we reject|we deny|(these|such|those) claims are (false|untrue|baseless|misleading)|"
        r"we are not responsible|we're not responsible|not responsible for|(outside|beyond) (of )?our control|"
        r"no fault of ours|will not be commenting|no further comment|we have nothing to apologi[sz]e|"
        r"claims circulating|we maintain|inaccurate and misleading|our (processes|procedures) (are|were) (robust|sound|"
        r"correct))\b"
    ),
    "blames": _rx(
        r"\b(not our fault|isn'?t our fault|wasn'?t our fault|your (own )?fault|"
        r"you should(n't| not)? have (known|read|checked|called|looked|listened|followed|asked|paid|kept|"
        r"ordered|waited|come|done|bought|used|booked|planned|noticed|seen|contacted)|"
        r"if you had|if you'd|user error|read the (instructions|faq|terms|manual|small print|label)|you failed to|"
        r"you didn'?t (read|follow|check)|you were told|(the|our) (supplier|courier|partner|contractor|vendor|"
        r"weather|airport|bank|manufacturer|delivery company|third[- ]party)('s)? (is|are|was|were) (to blame|"
        r"responsible|at fault)|blame (lies|rests) with|lies with (the|our|a)|responsibility (for this )?(matter )?"
        r"lies with|(caused|created) by (the|a|our) (supplier|courier|partner|contractor|vendor|third[- ]part\w+)|"
        r"third[- ]part(y|ies) (is|are|was|were)?\s*(to blame|responsible|at fault)|blame the|"
        r"their fault|customers? (misus|mishandl)\w*|fault of (the|our|a) \w+|"
        r"(check|read|look at) the [\w ]{1,20}(before|next time)|next time,? (please )?(check|read|look)|"
        r"(courier|supplier|partner|contractor|vendor|airport|bank|weather|manufacturer|driver|government|"
        r"regulator|council|staff member|employee)'?s? fault)\b"
    ),
    "dismissive": _rx(
        r"\b(only a (few|small number|handful|tiny)|minor (issue|inconvenience|problem|glitch|delay)|calm down|"
        r"relax|not a big deal|no big deal|overreact\w*|blown out of proportion|small number of|isolated incident|"
        r"nothing to worry about|it'?s just a|(a|one) rare case|some people are|chill|move on|these things happen|"
        r"it happens|slight (delay|inconvenience)|a bit of a (delay|hiccup)|hiccup|(very|highly|extremely) unlikely|"
        r"should be (fine|ok|okay|safe))\b"
    ),
    "non_apology": _rx(
        r"\b(sorry (if|you feel|that you feel|you think|you were offended|you're upset|you are upset|for any "
        r"inconvenience|for the inconvenience|to hear you feel)|we regret (that you|any inconvenience|if)|"
        r"apologi[sz]e for any inconvenience|regret any inconvenience|if anyone was offended|if anyone felt|"
        r"sorry,? but|apologi[sz]e,? but|apologies,? but|sorry you feel that way|any inconvenience (this|that|"
        r"which) may have caused)\b"
    ),
    "legalese": _rx(
        r"\b(per our (terms|policy|policies)|as per|pursuant|liab(le|ility)|hereby|terms (of service|and "
        r"conditions)|in accordance with|notwithstanding|aforementioned|we take (this|these|your|all) ?(matter|"
        r"matters|concerns?|reports?|feedback)? (very )?seriously|at this (point in )?time|going forward|leverage|"
        r"stakeholders?|regrettable|duly|heretofore|disclaim\w*|without prejudice|the company|the organi[sz]ation|"
        r"applicable (laws|regulations|procedures)|in due course|customers are advised|remediation|"
        r"operational (challenges|issues)|service disruption event)\b"
    ),
    "hostile": _rx(
        r"\b(ridiculous|stupid|idiot\w*|pathetic|clearly (didn'?t|did not|can'?t|cannot|don'?t)|learn to|"
        r"get over it|not our problem|deal with it|whatever|nobody cares|who cares|shut up|how dare|"
        r"your problem|grow up|lol|lmao|nice try|good luck with that|moan\w*|whing\w*|whin(e|ing)|"
        r"entitled|troll|liar|lying|get a life|cry (more|about it)|so what|not my problem)\b"
    ),
    "profanity": _rx(
        r"\b(fuck\w*|shit\w*|bullshit|crap|bloody|bastard\w*|wtf|arse\w*|asshole|piss\w*|bitch\w*|"
        r"damn\w*|dick\w*|wanker|bollocks|frigging|fricking)\b"
    ),
    "mocking_emoji": re.compile(
        "[\U0001f644\U0001f602\U0001f923\U0001f921\U0001f485\U0001f60f\U0001f643"
        "\U0001f61c\U0001f92a\U0001f937\U0001f4a9\U0001f971\U0001f634\U0001f92d]"
    ),
    "over_promises": _rx(
        r"\b((this|it|that) will never happen( again)?|never (ever )?happen again|100 ?%|guarantee[ds]?|"
        r"completely (fixed|resolved|safe)|"
        r"fully (fixed|resolved|restored)|(all|everything)('?s| is)? (fixed|sorted|resolved|back to normal)|"
        r"perfectly safe|fixed for (everyone|everybody|all)|back to normal (now|already)|zero risk|no risk|"
        r"absolutely no (risk|danger)|definitely won'?t|rest assured)\b"
    ),
    "vague_phrase": _rx(
        r"\b(looking into (it|this|the matter)|thanks? (you )?for (reaching out|your (message|feedback|comment|"
        r"patience))|we are aware|we're aware|we'?re on it|investigating the matter|we'?ll look into|"
        r"we are investigating|bear with us|we appreciate your (patience|feedback)|noted)\b"
    ),
}
_PII = _rx(
    r"\b(card (number|details|no)|credit card|debit card|password|passcode|pin( number| code)?|cvv|"
    r"security code|date of birth|dob|full address|home address|account (number|details)|sort code|"
    r"social security|ssn|passport|bank details|login( details)?|one[- ]time code|otp|national id)\b"
)
_ASK = _rx(
    r"\b(please (send|share|post|reply|tell|give|provide|confirm|include)|send (us|me)|share (your|the)|"
    r"reply with|tell us|give us|provide (us|your)|what is your|what's your|can you (send|share|post|give|"
    r"confirm|provide)|post (your|it)|include (your|the))\b"
)
_NEVER = _rx(r"\b(never|don'?t|do not|not|no need|won'?t)\b")
_HEDGE = _rx(
    r"\b(might|may have|may be|could (be|have)|probably|possibly|perhaps|we think|we believe|likely|"
    r"we suspect|seems? (like|to be)|looks like|rumou?red|apparently|we guess|maybe)\b"
)
_CAUSE = _rx(
    r"\b(caus\w*|because|due to|hack\w*|attack\w*|sabotag\w*|supplier|fault|behind (this|it)|blame|reason|"
    r"(was|is) the (problem|issue)|responsible|virus|malware|contaminat\w*|cyber\w*)\b"
)
_NEGATED_SORRY = _rx(r"\b(not|never|no need to be|won'?t be|nothing to be) (sorry|apologi\w*)|no apolog")
_WORD = re.compile(r"[a-z0-9']+")
_SENT = re.compile(r"[^.!?\n]+[.!?]*")
STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "this",
        "that",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "not",
        "no",
        "yes",
        "you",
        "your",
        "yours",
        "we",
        "our",
        "us",
        "they",
        "them",
        "their",
        "i",
        "me",
        "my",
        "it",
        "its",
        "im",
        "i'm",
        "what",
        "when",
        "where",
        "who",
        "why",
        "how",
        "can",
        "could",
        "would",
        "should",
        "will",
        "just",
        "still",
        "again",
        "get",
        "got",
        "very",
        "really",
        "so",
        "too",
        "than",
        "then",
        "there",
        "here",
        "about",
        "after",
        "before",
        "please",
        "any",
        "all",
        "some",
        "more",
        "most",
        "much",
        "many",
        "one",
        "hi",
        "hey",
        "ok",
        "okay",
        "thanks",
        "thank",
        "today",
        "now",
        "like",
        "know",
        "need",
        "want",
        "going",
        "gone",
        "dont",
        "don't",
        "cant",
        "can't",
        "isnt",
        "isn't",
        "wont",
        "won't",
        "anyone",
        "someone",
        "we're",
        "we'll",
        "we've",
        "you're",
        "you'll",
        "it's",
        "that's",
        "there's",
        "let",
        "us",
        "also",
        "as",
        "up",
        "out",
        "into",
        "over",
        "under",
        "only",
        "own",
        "same",
        "such",
        "here's",
    ]
)

# Politeness strategies (Danescu-Niculescu-Mizil et al. 2013), signs from the paper, weights by hand.
_POLITE = [
    (_rx(r"\b(thanks?|thank you|grateful|appreciate)\b"), 1.0),
    (_rx(r"\b(great|good|nice|excellent|wonderful|interesting) (work|job|point|idea|question|catch)\b"), 0.8),
    (_rx(r"(?:^|(?<=[.!?] ))\s*(hi|hello|hey|dear|good (morning|afternoon|evening))\b"), 0.5),
    (_rx(r"\b(sorry|apologi[sz]e|apologies|excuse me|forgive)\b"), 0.6),
    (_rx(r"\bplease\b"), 0.5),
    (_rx(r"(?:^|(?<=[.!?] ))\s*please\b"), -0.4),
    (_rx(r"\b(could|would) you\b"), 0.6),
    (_rx(r"\b(can|will) you\b"), 0.2),
    (_rx(r"\b(by the way|btw)\b"), 0.5),
    (_rx(r"\b(i think|i believe|i suppose|perhaps|maybe|might|i guess|it seems|possibly|somewhat)\b"), 0.3),
    (_rx(r"\b(in fact|actually|the point is|the reality is|the truth is|obviously|clearly)\b"), -0.5),
    (_rx(r"(?:^|(?<=[.!?] ))\s*(so|then|and|but|or|well|now)\b"), -0.4),
    (_rx(r"(?:^|(?<=[.!?] ))\s*(you|your)\b"), -0.4),
    (_rx(r"(?:^|(?<=[.!?] ))\s*(why|what|how|where|when)\b[^?]*\?"), -0.5),
    (_rx(r"\b(wrong|bad|stupid|hate|terrible|awful|nonsense|waste|useless|ridiculous|annoying)\b"), -0.5),
    (_rx(r"[!?]{2,}"), -0.4),
]


_P_WORDS = {
    "thanks": 1.0,
    "thank": 1.0,
    "grateful": 1.0,
    "appreciate": 1.0,
    "sorry": 0.6,
    "apologise": 0.6,
    "apologize": 0.6,
    "apologies": 0.6,
    "forgive": 0.6,
    "please": 0.5,
    "btw": 0.5,
    "perhaps": 0.3,
    "maybe": 0.3,
    "might": 0.3,
    "possibly": 0.3,
    "somewhat": 0.3,
    "suppose": 0.3,
    "guess": 0.3,
    "actually": -0.5,
    "obviously": -0.5,
    "clearly": -0.5,
    "wrong": -0.5,
    "bad": -0.5,
    "stupid": -0.5,
    "hate": -0.5,
    "terrible": -0.5,
    "awful": -0.5,
    "nonsense": -0.5,
    "waste": -0.5,
    "useless": -0.5,
    "ridiculous": -0.5,
    "annoying": -0.5,
}
_P_BIGRAMS = {
    ("could", "you"): 0.6,
    ("would", "you"): 0.6,
    ("can", "you"): 0.2,
    ("will", "you"): 0.2,
    ("by", "the"): 0.0,
    ("i", "think"): 0.3,
    ("i", "believe"): 0.3,
    ("in", "fact"): -0.5,
    ("excuse", "me"): 0.6,
    ("good", "work"): 0.8,
    ("great", "job"): 0.8,
    ("nice", "work"): 0.8,
    ("good", "point"): 0.8,
    ("great", "idea"): 0.8,
    ("good", "question"): 0.8,
    ("good", "morning"): 0.5,
}
_P_FIRST = frozenset(a for a, _ in _P_BIGRAMS)
_P_START = {
    "hi": 0.5,
    "hello": 0.5,
    "hey": 0.5,
    "dear": 0.5,
    "please": -0.9,
    "so": -0.4,
    "then": -0.4,
    "and": -0.4,
    "but": -0.4,
    "or": -0.4,
    "well": -0.4,
    "now": -0.4,
    "you": -0.4,
    "your": -0.4,
}
_P_QUESTION_START = {"why", "what", "how", "where", "when"}


def politeness(text: str, words: list[str] | None = None, sentences: list[str] | None = None) -> float:
    """Politeness from parser-free strategies (Danescu-Niculescu-Mizil et al. 2013), roughly -1..1.

    Each strategy counts at most twice; weights are hand-set from the paper's signs. ``words`` and
    ``sentences`` of the lower-cased text may be passed when the caller has them already.
    """
    low = text.lower()[:4000]
    if words is None:
        words = _WORD.findall(low)
    word_counts: dict[str, int] = {}
    pair_counts: dict[tuple[str, str], int] = {}
    previous = ""
    for w in words:
        if w in _P_WORDS:
            word_counts[w] = word_counts.get(w, 0) + 1
        if previous in _P_FIRST:
            pair = (previous, w)
            if pair in _P_BIGRAMS:
                pair_counts[pair] = pair_counts.get(pair, 0) + 1
        previous = w
    total = 0.0
    total += sum(min(n, 2) * _P_WORDS[w] for w, n in word_counts.items())
    total += sum(min(n, 2) * _P_BIGRAMS[p] for p, n in pair_counts.items())
    if "by the way" in low:
        total += 0.5
    for sentence in (_SENT.findall(low) if sentences is None else sentences)[:20]:
        first = _WORD.match(sentence.lstrip())
        if first:
            total += _P_START.get(first.group(0), 0.0)
            if first.group(0) in _P_QUESTION_START and sentence.rstrip().endswith("?"):
                total -= 0.5
    if "!!" in low or "??" in low or "?!" in low:
        total -= 0.4
    return max(-1.0, min(1.0, total / 2.5))


def _norm(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").replace("\u2018", "'").split())


@lru_cache(maxsize=8192)
def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return frozenset({tuple(words)})
    return frozenset(tuple(words[i : i + 3]) for i in range(len(words) - 2))


def similarity(a: str, b: str) -> float:
    """Word-trigram Jaccard similarity of two texts, 0..1."""
    sa, sb = _shingles(_norm(a)), _shingles(_norm(b))
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def _content_words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in STOP and len(w) > 3}


def _search(rx: re.Pattern[str], text: str) -> str:
    m = rx.search(text)
    return m.group(0).strip() if m else ""


def analyze(text: str, ctx: ToneContext | None = None) -> ToneResult:
    """Score one text from 0 to 100, with named flags and the words behind each."""
    ctx = ctx or ToneContext()
    raw = text or ""
    t = _norm(raw).lower()
    words = _WORD.findall(t)
    found: dict[str, str] = {}
    if not words:
        hit = ToneHit("vague", float(POINTS["vague"]), "", "Empty: says nothing.")
        return ToneResult(0, ("vague",), (), ("vague",), (hit,), 0.0)

    def flag(name: str, match: str) -> None:
        if match and name not in found:
            found[name] = match

    # Non-apologies first: their "sorry" must not count as an apology.
    if _SORRY_GATE.search(t):
        non_apology = _search(R["non_apology"], t)
        flag("non_apology", non_apology)
        sorry_text = R["non_apology"].sub(" ", t) if non_apology else t
        if not _NEGATED_SORRY.search(sorry_text):
            flag("apologises", _search(R["apologises"], sorry_text))
    for name in (
        "acknowledges",
        "empathises",
        "owns_it",
        "next_step",
        "moves_to_private",
        "defensive",
        "blames",
        "dismissive",
        "legalese",
        "hostile",
        "profanity",
        "mocking_emoji",
        "over_promises",
    ):
        gate = _GATES.get(name)
        if (gate is not None and gate.search(t) is None) or (name == "mocking_emoji" and t.isascii()):
            continue
        flag(name, _search(R[name], t))
    if "owns_it" in found and _rx(r"\b(not|never|isn'?t|wasn'?t) (our|on us)").search(t):
        found.pop("owns_it")
    if (
        "empathises" in found
        and found["empathises"].lower() in ("so sorry", "really sorry")
        and "apologises" not in found
    ):
        found.pop("empathises")
    # Facts: concrete details, or words shared with the briefings known now.
    info = _search(R["informs"], t)
    if not info and ctx.known_facts:
        mine = _content_words(t)
        for fact in ctx.known_facts:
            shared = mine & _content_words(fact)
            if len(shared) >= 3:
                info = " ".join(sorted(shared)[:3])
                break
    flag("informs", info)
    # Personal: the person's name or handle, or their specific problem.
    if ctx.kind in ("reply", "dm"):
        first = ctx.author_name.split()[0].lower() if ctx.author_name.split() else ""
        handle = ctx.author_handle.lower().lstrip("@")
        lower = t.lower()
        named = (first and len(first) > 1 and re.search(rf"\b{re.escape(first)}\b", lower)) or (
            handle and handle in lower
        )
        overlap = _content_words(t) & _content_words(ctx.post_text) if ctx.post_text else set()
        if named and (overlap or len(words) >= 12):
            flag("personal", first or handle)
        elif len(overlap) >= 2:
            flag("personal", " ".join(sorted(overlap)[:3]))
    # Shouting.
    letters = sum(map(str.isalpha, raw))
    upper = sum(map(str.isupper, raw))
    if (letters >= 12 and upper / letters > 0.6) or "!!!" in raw:
        flag("shouting", "CAPITALS" if upper / max(1, letters) > 0.6 else "!!!")
    # Speculation: a hedged cause, or naming a cause not confirmed yet.
    for sentence in _SENT.findall(t) if _HEDGE.search(t) else ():
        h, c = _search(_HEDGE, sentence), _search(_CAUSE, sentence)
        if h and c:
            flag("speculates", f"{h} ... {c}")
            break
    for pat in ctx.unconfirmed:
        m = compile_pattern(pat).search(t)
        if m:
            flag("speculates", m.group(0))
            break
    # Personal data asked for in public.
    if ctx.kind != "dm" and _PII.search(t):
        for sentence in _SENT.findall(t):
            pii = _search(_PII, sentence)
            if (
                pii
                and _search(_ASK, sentence)
                and not _NEVER.search(sentence)
                and not R["moves_to_private"].search(sentence)
            ):
                flag("asks_pii_public", pii)
                break
    for pat in ctx.contradictions:
        m = compile_pattern(pat).search(t)
        if m:
            # "it was NOT sabotage" agrees with the facts; only a plain claim contradicts them.
            before = t[max(0, m.start() - 25) : m.start()].lower()
            if not re.search(r"\b(not|no|never|isn'?t|wasn'?t|aren'?t|weren'?t|rule[sd]? out|false|untrue)\b", before):
                flag("contradicts_briefing", m.group(0))
                break
    if ctx.kind != "dm":
        best = max((similarity(t, e) for e in ctx.earlier_replies if e), default=0.0)
        if best >= 0.8:
            flag("copy_paste", f"{best:.0%} the same as an earlier text")
    if "informs" not in found and "next_step" not in found:
        vague = _search(R["vague_phrase"], t)
        if vague or len(words) < 8:
            flag("vague", vague or "too short to say anything")
    # A sentence that mixes an apology with blame ("sorry, but the courier...") is blame, not an apology.
    if "blames" in found and "apologises" in found:
        found.pop("apologises")
    return _score(found, ctx, words, t)


_STATEMENT_KINDS = ("update", "plan")
_APPLICABLE = {
    True: tuple(f for f in POSITIVE_FLAGS if f not in ("personal", "moves_to_private")),  # public statements
    False: POSITIVE_FLAGS,  # replies and private messages
}
_TOTAL_POS = {k: sum(POINTS[f] for f in v) for k, v in _APPLICABLE.items()}


def _score(found: dict[str, str], ctx: ToneContext, words: list[str], text: str) -> ToneResult:
    statement = ctx.kind in _STATEMENT_KINDS
    applicable = _APPLICABLE[statement]
    total_pos = _TOTAL_POS[statement]
    got = sum(POINTS[f] for f in applicable if f in found)
    positive_points = POS_SPAN * min(1.0, got / (0.8 * total_pos))
    # Short texts cannot earn much; keyword stuffing earns nothing.
    n = len(words)
    if n < 12:
        positive_points *= 0.75 if n >= 6 else 0.35
    counts: dict[str, int] = {}
    for w in words:
        if w not in STOP:
            counts[w] = counts.get(w, 0) + 1
    function_ratio = 1 - sum(counts.values()) / n
    top = max(counts.values(), default=0)
    stuffed = n >= 6 and (function_ratio < 0.2 or (top >= 4 and top / n >= 0.2))
    if stuffed:
        positive_points *= 0.2
    pol = politeness(text, words, _SENT.findall(text))
    score = BASE + positive_points + 3 * pol
    hits: list[ToneHit] = []
    for f in POSITIVE_FLAGS:
        if f in found and f in applicable:
            share = POINTS[f] / (0.8 * total_pos) * POS_SPAN
            hits.append(ToneHit(f, round(share, 1), found[f], FLAG_DESCRIPTIONS[f]))
    cap = 100.0
    for f in NEGATIVE_FLAGS:
        if f in found:
            score += POINTS[f]
            cap = min(cap, CAPS.get(f, 100.0))
            hits.append(ToneHit(f, float(POINTS[f]), found[f], FLAG_DESCRIPTIONS[f]))
    if stuffed:
        cap = min(cap, 30.0)
        hits.append(ToneHit("vague", -10.0, "keyword list", "Reads like a list of keywords, not a reply."))
        found.setdefault("vague", "keyword list")
    if n < 6:
        cap = min(cap, 35.0)
    final = round(max(0.0, min(cap, score)))
    pos = tuple(f for f in POSITIVE_FLAGS if f in found and f in applicable)
    neg = tuple(f for f in NEGATIVE_FLAGS if f in found)
    return ToneResult(final, pos + neg, pos, neg, tuple(hits), round(pol, 3))
