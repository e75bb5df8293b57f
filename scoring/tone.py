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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sim.scenario.model import NEGATIVE_TONE_FLAGS, POSITIVE_TONE_FLAGS
from sim.scenario.patterns import compile_pattern, negated

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
    "safety_instruction": "Gives a clear safety instruction (stop using it, call 111, see a doctor).",
    "defensive": "Sounds defensive: defends the company before helping the person.",
    "blames": "Blames the customer or a third party.",
    "dismissive": "Minimises the problem or the person's feelings.",
    "non_apology": 'A non-apology ("sorry if", "sorry you feel that way", "any inconvenience").',
    "legalese": "Legal or corporate language people do not talk in.",
    "hostile": "Hostile, sarcastic or condescending.",
    "profanity": "Swears.",
    "shouting": "Shouts (capitals or many exclamation marks).",
    "mocking_emoji": "Uses a mocking or celebratory emoji: out of place while people are hurting.",
    "speculates": "Guesses at a cause that is not confirmed.",
    "over_promises": 'Promises what cannot be known ("never again", "fixed for everyone").',
    "asks_pii_public": "Asks for personal data in public.",
    "contradicts_briefing": "Contradicts a fact the team has confirmed.",
    "copy_paste": "A copy of an earlier reply: people notice stock answers.",
    "vague": "Says nothing concrete (no fact, no step, no time).",
    "denies": "Denies the person's account of what happened.",
    "sarcastic": "Mocks the person or is sarcastic, even in polite words.",
    "false_reassurance": "Reassures about safety without grounds: give a safety instruction instead.",
    "keyword_list": "Piles up stock words without saying anything about this person's problem.",
    "canned": "A canned line that could answer any complaint.",
    "bare_dm": "Only sends the person to private messages, with nothing else.",
    "off_topic": "Talks about something other than what the person asked.",
    "ignores_question": "Does not answer what the person asked.",
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
    "safety_instruction": 10,
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
    "denies": -32,
    "sarcastic": -36,
    "false_reassurance": -32,
    "keyword_list": -10,
    "canned": -22,
    "bare_dm": -16,
    "off_topic": -26,
    "ignores_question": -26,
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
    "shouting": 55,
    "legalese": 55,
}
REFUSAL_CAP = 30.0  # "we don't apologise", "I'm not sorry"
SECRET_CAP = 35.0  # asking for a card number, security code or password, anywhere
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
    cap: float = 100.0  # the rules' own ceiling (secrets asked for, refusals, very short texts)
    judge: str = ""  # the judge that made it (the learned layer's version), for records kept in journals

    def to_record(self) -> dict[str, Any]:
        """The judgement as the journal keeps it (the debrief reuses it instead of judging again)."""
        return {
            "judge": self.judge,
            "score": self.score,
            "flags": list(self.flags),
            "positive": list(self.positive),
            "hits": [[h.flag, h.points, h.match, h.why] for h in self.hits],
            "politeness": self.politeness,
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> ToneResult | None:
        """A judgement read back from a journal; None when it is not one."""
        try:
            flags = tuple(str(f) for f in rec["flags"])
            positive = tuple(str(f) for f in rec["positive"])
            hits = tuple(ToneHit(str(a), float(b), str(c), str(d)) for a, b, c, d in rec["hits"])
            return cls(
                int(rec["score"]),
                flags,
                positive,
                tuple(f for f in flags if f not in positive),
                hits,
                float(rec.get("politeness", 0.0)),
                judge=str(rec.get("judge", "")),
            )
        except (KeyError, TypeError, ValueError):
            return None


# Words one of which must occur for a pattern to match at all: a cheap test that skips most searches.
PREFILTER: dict[str, tuple[str, ...]] = {
    "owns_it": ("our ", "we ", "on us", "wrong", "let ", "failed", "should", "own"),
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
        "our doing",
        "your side",
        "your end",
        "to blame",
        "direct ",
        "due to",
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
        "could have",
        "could've",
        "ought to",
        "would have",
        "might have",
        "would've",
        "might've",
        "should've",
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
        "practice",
        "terms",
        "polic",
        "t&c",
        "conditions",
        "contract",
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
        "safe",
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


class GateScan:
    """Which of several keyword gates a text opens, in one regex pass.

    ``gates`` maps a gate's name to its keys; a gate is open when any of its keys occurs in the text
    as plain text (``any(k in text for k in keys)``). All keys form one trie-shaped pattern run once
    with a lookahead at each position, which finds the longest key starting there; every shorter key
    starting there is a prefix of it, so the gates of each longest key are precomputed. One pass
    over the text costs about a third of one search per gate.
    """

    def __init__(self, gates: dict[str, tuple[str, ...]]) -> None:
        keys = sorted({k for ks in gates.values() for k in ks if k})
        self.opens = {
            key: frozenset(name for name, ks in gates.items() if any(key.startswith(k) for k in ks if k))
            for key in keys
        }
        trie: dict[str, Any] = {}
        for key in keys:
            node = trie
            for ch in key:
                node = node.setdefault(ch, {})
            node[""] = {}
        self.pattern = re.compile(f"(?=({self._build(trie)}))" if keys else "(?!)")

    @classmethod
    def _build(cls, node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + cls._build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longest key that matches here

    def __call__(self, text: str) -> frozenset[str]:
        found = set(self.pattern.findall(text))
        if not found:
            return frozenset()
        return frozenset().union(*(self.opens[k] for k in found))


# The ceilings of the bands of docs/tone-labelling.md on the 0-100 scale (harmful, poor, thin).
HARMFUL_CAP, POOR_CAP, THIN_CAP = 19.0, 39.0, 59.0


def _rx(pattern: str) -> re.Pattern[str]:
    """Patterns are written in lower case and run on lower-cased text (much faster than IGNORECASE)."""
    return re.compile(pattern)


NEG_PREFIX = r"(?<!not )(?<!never )(?<!no )(?<!n't )"
R = {
    "acknowledges": _rx(
        r"\b(we( |(?='))(know|see|hear|understand|recogni[sz]e|are aware|'re aware|have seen|'ve seen|hear you)|"
        r"(we|i)('re| are|'m| am) (now )?(looking into|investigating) (the |these |your |all )?(reports|complaints|"
        r"messages|posts|concerns|issues?|problems?)|(we|i)('re| are) taking (this|it|them|these reports|your "
        r"concerns?) (very )?seriously|"
        r"i (see|hear|understand|know|get it|can see)|you'?re (right|absolutely right)|"
        r"you are (right|absolutely right)|"
        r"thanks? (you )?(so much )?for (telling|letting|flagging|raising|reporting|your patience|bearing|sharing|"
        r"bringing)|that'?s (not ok|not okay|unacceptable|not good enough|not acceptable)|"
        r"(this|that) (isn't|is not|wasn't|was not) (good enough|acceptable|ok|okay|what you)|"
        r"many of you|not the experience|we hear you|fair point|you deserve)"
    ),
    "apologises": _rx(r"\b(sorry|apologi[sz]e[ds]?|apologies|apology|forgive us)\b"),
    "empathises": _rx(
        r"\b(understand (how|why|that|your)|(that|this|it|which|you) must (be|have been|feel)"
        r"(?! (on|at|with|in|from|due|caused|your|the|a|an|made|sent|paid|submitted|received|filed|provided|"
        r"returned|completed|signed|in writing|"
        r"\w+ed\b))|that sounds|sounds (awful|terrible|stressful|"
        r"frightening|scary|really)|frustrat\w*|(?<!don't )(?<!do not )(?<!no need to )(?<!nothing to )"
        r"worr(y|ied|ying)|upsett\w*|awful|terrible|stressful|"
        r"right to be (angry|upset|frustrated|annoyed|worried|furious)|i can (only )?imagine|heartbreak\w*|"
        r"devastat\w*|scary|frightening|distress\w*|so sorry|really sorry|truly sorry|deeply sorry|"
        r"not the experience|we feel|our thoughts|feel let down|let you down)\b"
    ),
    "owns_it": _rx(
        r"\b(our (mistake|fault|error|failure|responsibility)|we( |(?='))(got|have got|'ve got) (this|it|that) wrong|"
        r"we (messed|screwed) up|we let (you|people|our customers|everyone) down|(that|this|it)'?s on us|"
        r"(this|that|it) is on us|we take (full |complete )?(responsibility|ownership)|we failed|we should have|"
        r"we caused|our (own )?(system|update|team|decision|change) (caused|failed)|we made a mistake|"
        r"we own (this|it)|entirely our|our own fault|"
        r"you (should|shouldn'?t|should not) (have|'ve) (heard|had to|been told|been warned|found out|learnt|learned))"
        r"\b"
    ),
    "informs": _rx(
        r"(\b\d[\d,.:]*\b|\b(caused by|because|due to|confirmed|identified|restored|recall(ed|ing)?|affected|"
        r"investigat\w+|rolled back|reopen\w*|outage|we can confirm|the cause|cancel(l)?ed|delayed|shortage|"
        r"breach|exposed|contaminat\w*|we have (found|traced|stopped|paused|closed|removed|suspended)|"
        r"we've (found|traced|stopped|paused|closed|removed|suspended)|is (down|back|working|closed|open)|"
        r"are (down|back|working|closed|open)|best[- ]before|batch|lot|stores?|flights?|accounts?|orders?|"
        r"(was|were|has been|have been) (taken|stolen|accessed|leaked|exposed|compromised|refunded|credited|issued|"
        r"restored|fixed|replaced|removed|suspended|closed|reopened|grounded|rebooked))\b)"
    ),
    "next_step": _rx(
        r"\b(next update|update (you|again|at|by|in|within)|we('ll| will) (update|refund|replace|send|call|contact|"
        r"be in touch|get back|post|share|fix|credit|cover|reimburse|compensate|look after|sort|email|message|"
        r"arrange|rebook|follow up|keep you)|(by|before) \d+([:.]\d\d)?(\s?[ap]\.?m)?|within \d+|"
        r"within (the|an|one) hour|in \d+ (minutes|mins|hours|days)|tomorrow|refund\w*|"
        r"replacement|please (call|contact|stop|don'?t|do not|keep|bring|return|dm|message|seek|"
        r"reset|change|update|use|throw|bin|ignore|report|block)|on (its|the|their) way|"
        r"stop using|call (a|your|us|the)|keep you (posted|updated)|here is what happens next|what happens next)\b"
    ),
    "moves_to_private": _rx(
        r"\b(dm|d\.m\.|direct message|private message|privately|message us|inbox|sent you a (dm|message|private|note)|"
        r"pm us|in private|check your (messages|dms|inbox)|send us a message|drop us a (line|message))\b"
    ),
    "defensive": _rx(
        r"\b(we( |(?='))(followed|have followed|'ve followed|complied with|adhered to) (all|every|the)|"
        r"(that|this) (is|was) not what happened|that'?s not what happened|we stand by|we did nothing wrong|"
        r"there is no evidence|we reject|we deny|(these|such|those) claims are (false|untrue|baseless|misleading)|"
        r"we are not responsible|we're not responsible|not responsible for|(outside|beyond) (of )?our control|"
        r"no fault of ours|will not be commenting|no further comment|we have nothing to apologi[sz]e|"
        r"claims circulating|we maintain|inaccurate and misleading|our (processes|procedures) (are|were) (robust|sound|"
        r"correct))\b"
    ),
    "blames": _rx(
        r"\b(not our fault|isn'?t our fault|wasn'?t our fault|your (own )?fault|"
        r"you (should|could|ought to|might|would)(n'?t| not)? ?(have|'ve) (just |simply |easily |at least )?"
        r"(known|read|checked|double[- ]checked|called|looked|listened|followed|asked|paid|kept|ordered|waited|"
        r"come|done|bought|used|booked|planned|noticed|seen|contacted|realised|realized|taken|gone|been (more )?"
        r"careful)|"
        r"if (only )?you(?:'d| had) (only |just |simply |actually )?(read|checked|followed|called|listened|looked|"
        r"asked|paid|booked|come|done|used|noticed|bothered|waited|kept|planned|taken|gone|been (more )?careful)|"
        r"user error|read the (instructions|faq|terms|manual|small print|label)|you failed to|"
        r"you didn'?t (read|follow|check)|(?<!sorry )(?<!sorry that )you were told|"
        r"(the|our) (supplier|courier|partner|contractor|vendor|"
        r"weather|airport|bank|manufacturer|delivery company|third[- ]party)('s)? (is|are|was|were) (to blame|"
        r"responsible|at fault)|blame (lies|rests) with|lies with (the|our|a)|responsibility (for this )?(matter )?"
        r"lies with|(caused|created) by (the|a|our) (supplier|courier|partner|contractor|vendor|third[- ]part\w+)|"
        r"third[- ]part(y|ies) (is|are|was|were)?\s*(to blame|responsible|at fault)|blame the|"
        r"their fault|customers? (misus|mishandl)\w*|fault of (the|our|a) \w+|"
        r"(check|read|look at) the [\w ]{1,20}next time|next time,? (please )?(check|read|look)|"
        r"(courier|supplier|partner|contractor|vendor|airport|bank|weather|manufacturer|driver|government|"
        r"regulator|council|staff member|employee)'?s? fault|not our doing|"
        r"(issue|problem|fault|error|glitch)s? (is|are|was|were|must be|may be|might be|could be|lies) (on|at|with) "
        r"your (side|end)|(parents|customers|users|passengers|guests|travell?ers|fans|members) (are|were) "
        r"(responsible|to blame)|direct (your |any |all )?(complaints|questions|queries|claims) to (them|the "
        r"(operator|contractor|supplier|partner|venue|artist|promoter|airport|manufacturer|platform))|"
        r"due to (a|an|the) ([\w-]+ ){0,3}(issue|problem|failure|outage|error|fault) (with|at|from|on the part of) "
        r"(our|a|the) ([\w-]+ ){0,2}(suppliers?|partners?|providers?|processors?|vendors?|contractors?|couriers?|"
        r"third[- ]part(y|ies)))\b"
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
        r"sorry,? but|apologi[sz]e,? but|apologies,? but|sorry you feel that way|"
        r"(sorry|apologi[sz]e|apologies)\b[^.!?;]{0,80}?[,;] ?(however|but (we|our|this|that|it|the) "
        r"(can(no|')t|could(n'?t| not)|are(n'?t| not)|were(n'?t| not)|is(n'?t| not)|was(n'?t| not)|do(n'?t| not)|"
        r"did(n'?t| not)|have no|had no))|"
        r"(sorry|apologi[sz]e|apologies) (to|for) (any|anyone|those|everyone)( \w+){0,2} (who|that) (may|might|could) "
        r"have|any inconvenience (this|that|"
        r"which) may have caused)\b"
    ),
    "legalese": _rx(
        r"\b(per our (terms|policy|policies)|as per|pursuant|liab(le|ility)|hereby|terms (of service|and "
        r"conditions)|in accordance with|notwithstanding|aforementioned|we take (this|these|your|all) ?(matter|"
        r"matters|concerns?|reports?|feedback)? (very )?seriously|at this (point in )?time|going forward|leverage|"
        r"stakeholders?|regrettable|duly|heretofore|disclaim\w*|without prejudice|"
        r"(?<!in )(?<!of )(?<!at )(?<!for )(?<!across )(?<!from )(?<!with )(?<!by )(?<!to )"
        r"the (company|organi[sz]ation) (is|was|has|does|did|will|shall|would|can ?not|cannot|accepts?|regrets?|"
        r"remains|takes|apologi[sz]es|understands|acknowledges|values|continues|acted|followed)|"
        r"(?:^|(?<=[.!?] ))the (company|organi[sz]ation) (?!that|which|who|whose|we|and|or)[a-z]+(s|ed)(?= )|"
        r"applicable (laws|regulations|procedures)|in due course|customers are advised|remediation|"
        r"operational (challenges|issues)|service disruption event|(standard|common|normal) (industry |business )?"
        r"practice|(covered|set out|outlined|stated|explained|detailed) (in|by|under) (our|the) ([\w-]+ ){0,2}(terms|"
        r"polic(y|ies)|t&cs?|conditions|contract))\b"
    ),
    "hostile": _rx(
        r"\b(ridiculous|stupid|idiot\w*|pathetic|clearly (didn'?t|did not|can'?t|cannot|don'?t)|learn to|"
        r"get over it|not our problem|deal with it|"
        r"whatever(?= *[.!]*$| you say| works for you)|or whatever|nobody cares|who cares|shut up|how dare|"
        r"(that'?s|it'?s|that is|it is) your problem|grow up|lol|lmao|nice try|good luck with that|moan\w*|"
        r"whing\w*|whin(e|ing)|"
        r"(so|how|bit|very|rather|quite|sound|sounds|being) entitled|entitled (people|customers|attitude|much)|"
        r"troll|liar|lying|get a life|cry (more|about it)|so what|not my problem)\b"
    ),
    "profanity": _rx(
        r"\b(fuck\w*|shit\w*|bullshit|crap|bloody|bastard\w*|wtf|arse\w*|asshole|piss\w*|bitch\w*|"
        r"damn\w*|dick\w*|wanker|bollocks|frigging|fricking)\b"
    ),
    "mocking_emoji": re.compile(
        "[\U0001f644\U0001f602\U0001f923\U0001f921\U0001f485\U0001f60f\U0001f643"
        "\U0001f61c\U0001f92a\U0001f937\U0001f4a9\U0001f971\U0001f634\U0001f92d"
        "\U0001f389\U0001f973\U0001f38a\U0001f929\U0001f60d\U0001f60e\U0001f606]"
    ),
    "over_promises": _rx(
        r"\b((this|it|that) will never happen( again)?|never (ever )?happen again|100 ?%|guarantee[ds]?|"
        r"completely (fixed|resolved|safe)|"
        r"fully (fixed|resolved|restored)|(all|everything)('?s| is)? (fixed|sorted|resolved|back to normal)|"
        r"perfectly safe|fixed for (everyone|everybody|all)|back to normal (now|already)|zero risk|no risk|"
        r"absolutely no (risk|danger)|definitely won'?t|rest assured|"
        r"(products?|food|items?|meals?|everything) (is|are) (completely |totally |perfectly |"
        r"100% )?safe(?! to say)|keep (using|eating|drinking) (it|them) as normal)\b"
    ),
    "vague_phrase": _rx(
        r"\b(looking into (it|this|the matter)|thanks? (you )?for (reaching out|your (message|feedback|comment|"
        r"patience))|we are aware|we're aware|we'?re on it|investigating the matter|we'?ll look into|"
        r"we are investigating|bear with us|we appreciate your (patience|feedback)|noted)\b"
    ),
}
_PII = _rx(
    r"\b(card (number|details|no)|credit card|debit card|password|passcode|pin( number| code)?|cvv|cvc|"
    r"security code|date of birth|dob|full address|home address|account (number|details)|sort code|"
    r"social security|ssn|passport|bank details|login( details)?|one[- ]time code|otp|national id|"
    r"full name|your name|(e-?mail|postal|home|street|delivery|billing) address|your address|your e-?mail|"
    r"(phone|mobile|telephone|contact|cell) (number|no)|postcode|post code|zip code|"
    r"digits on the back|memorable (word|information)|long number|expiry( date)?|customer number|"
    r"(the )?code (you|we|that|which)( \w+){0,3} (received|got|sent|texted))\b"
)
# Secrets no one should ever be asked for, not even in a private message.
_SECRET = _rx(
    r"\b((full |long )?card (number|details|no)|(credit|debit) card (number|details)|password|passcode|"
    r"pin( number| code)?|cvv|cvc|security code|(\d|three|3) digits on the back|login( details)?|"
    r"one[- ]time (code|password)|otp|memorable (word|information)|long number|"
    r"(the )?code (you|we|that|which)( \w+){0,3} (received|got|sent|texted))\b"
)
_ASK = _rx(
    r"\b(please (send|share|post|reply|tell|give|provide|confirm|include|dm|message|leave|write|drop|comment)|"
    r"send (us|me)|share (your|the)|reply (here |below |to this )?with|tell us|give us|provide (us|your)|"
    r"what is your|what's your|can you (send|share|post|give|confirm|provide|dm|message)|post (your|it|them)|"
    r"include (your|the)|(dm|message|inbox) (us|me) (with )?(your|the)|(leave|put|drop|write|type|comment) "
    r"(your|them|it)|comment (with|below)|(let us|let me) know your|(we|i)('ll| will)? need your|"
    r"(we|i) need (your|the)|pop (your|the|it|them|us)|tweet (us|me|your|the)|reply (here |below |publicly |"
    r"in (the )?(replies|comments|thread) |to this (tweet|post|thread) )?with|post (the|a)|comment (your|the)|"
    r"drop (us|your|the)|(dms?|direct message|message|inbox|pm|e-?mail|text|write to)( (to )?(us|me))?"
    r"( \w+){0,2} (with|containing)|forward (it|them|the|your)|(?<!we'll )(?<!we will )(?<!i'll )send (it|them|the|"
    r"your))\b"
)
_NEVER = _rx(r"\b(never|don'?t|do not|not|no need|won'?t)\b")
# Ruling data out: "not your card number", "without your account number or card details", "leave out your PIN".
_RULED_OUT = _rx(r"\b(never|don'?t|do not|not|no|nor|won'?t|without|except|leave out|leaving out|instead of)\b")


def _asked_for(rx: re.Pattern[str], sentence: str) -> str:
    """The first piece of personal data the sentence asks for: an ask ("send us", "what's your") comes
    before it, and no negation comes between just before the ask and the data ("we'll never ask for
    your PIN", "please don't post your card number", "DM us your order number, no card details").
    A negation elsewhere in the sentence ("no stress, just send us your PIN") does not cancel the ask."""
    for m in rx.finditer(sentence):
        asks = [a for a in _ASK.finditer(sentence[: m.end()]) if a.start() < m.start()]
        if not asks:
            continue
        ask = asks[-1].start()
        lead = re.split(r"[,.;:!?()\u2014\u2013]| - ", sentence[max(0, ask - 24) : ask])[-1]
        if _NEVER.search(lead) or _RULED_OUT.search(sentence[ask : m.start()]):
            continue  # "you never have to give us your PIN"; "DM us your order number, not your card number"
        return m.group(0).strip()
    return ""


_HEDGE = _rx(
    r"\b(might|may have|may be|could (be|have)|probably|possibly|perhaps|we think|we believe|likely|"
    r"we suspect|seems? (like|to be)|looks like|rumou?red|apparently|we guess|maybe)\b"
)
_CAUSE = _rx(
    r"\b(caus\w*|because|due to|hack\w*|attack\w*|sabotag\w*|supplier|fault|behind (this|it)|blame|reason|"
    r"(was|is) the (problem|issue)|responsible|virus|malware|contaminat\w*|cyber\w*)\b"
)
_PRECAUTION = _rx(
    r"\b(might|may|could)( also| still)? (be |have been )?(affected|involved|impacted|included|at risk|"
    r"contain\w*|need\w*|missing|mislabell?ed|undeclared|present|unsafe)\b"
)
_OWNED_CAUSE = _rx(r"\s*(of\s+|to\s+)?(our|my)\s+(own\s+)?(error|mistake|fault|failure|system|process|staff|team)\b")
_NEGATED_SORRY = _rx(
    r"\b(not|never|no need to be|won'?t be|nothing to be|don'?t|do not|won'?t|will not|refuse to|shall not)"
    r"( going to)? (be )?(sorry|apologi\w*)|no apolog"
)
# Refusing to apologise is defensive, not merely a missing apology ("no need to be sorry" is kind, not this).
_REFUSE_SORRY = _rx(
    r"\b((we|i)( a?re|'re|'m| am| will| would)? (not|never) (be )?(sorry|apologi[sz]e)|"
    r"(we|i)( |(?='))(don'?t|do not|won'?t|will not|refuse to|shall not|have nothing to|aren'?t going to|"
    r"are not going to|am not going to|'m not going to|'re not going to) (be )?(sorry|apologi[sz]e)|"
    r"(^|[.!?;,]\s*)not sorry)\b"
)
# Blaming a third party in other words ("our partner let everyone down"): only run when one is named.
_THIRD_PARTY_KEYS = (
    "supplier",
    "courier",
    "partner",
    "contractor",
    "vendor",
    "depot",
    "airport",
    "bank",
    "manufacturer",
    "driver",
    "agenc",
    "provider",
    "delivery",
    "third",
)
_THIRD_PARTY_BLAME = _rx(
    r"\b(the|our|their|a) ([\w-]+ ){0,2}(suppliers?|couriers?|partners?|contractors?|vendors?|depots?|airports?|"
    r"banks?|manufacturers?|drivers?|subcontractors?|agency|agencies|providers?|delivery (company|firm)|"
    r"third[- ]part(y|ies))('s)? ([\w']+ ){0,4}?(let (you|us|everyone|everybody|people|customers|you all|"
    r"them|our customers) down|failed (you|us|everyone|everybody|people|customers|them|to)|(messed|screwed|"
    r"mucked|cocked) (it |this |things )?up|dropped the ball|got (it|this|that) wrong|(is|are|was|were) to blame)\b"
)
# Minimising in other words ("things like this go wrong all the time", "hardly a tragedy").
_DISMISS_MORE_KEYS = (
    "all the time",
    "every day",
    "everywhere",
    "sometimes",
    "hardly",
    "tragedy",
    "end of the world",
    "that bad",
    "that serious",
    "that big",
    "worse things",
    "teacup",
    "first world",
    "fuss",
    "drama",
)
_DISMISS_MORE = _rx(
    r"\b((things|stuff|problems|issues|mistakes|incidents|glitches|delays) (like (this|that) )?"
    r"(go wrong|goes wrong|happen|happens) (all the time|every day|everywhere|sometimes)|"
    r"happens (all the time|every day|everywhere)|hardly (a|an|the|anything|any|worth|news|surprising)\b[\w ]{0,20}|"
    r"(not|hardly|isn'?t|it'?s not) (exactly )?(a tragedy|the end of the world|that (bad|serious|big))|"
    r"worse things happen|(storm|tempest) in a teacup|first world problem|(making|make|such) a (fuss|drama)|"
    r"fuss (about|over) nothing)\b"
)
_PII_KEYS = (
    "card",
    "pass",
    "pin",
    "cvv",
    "cvc",
    "code",
    "birth",
    "dob",
    "address",
    "account",
    "social",
    "ssn",
    "bank",
    "login",
    "otp",
    "national",
    "name",
    "mail",
    "phone",
    "mobile",
    "cell",
    "contact",
    "digits",
    "memorable",
)
_NOT_OURS = _rx(r"\b(not|never|isn'?t|wasn'?t) (our|on us)")
# "The food is safe", said plainly (no "100%", "completely", "guaranteed"), when a briefing the team has
# says so ("it is not a food safety issue", "no ingredients are contaminated"): a known fact, not a promise.
_PLAIN_SAFE = _rx(r"^((products?|food|items?|meals?|everything) (is|are) safe|no risk)$")
# A fact that denies a risk ("not a food safety issue", "free of lead") or states safety ("safe to drink",
# "tests came back clear"); the second kind only when not itself denied or left open ("we have not yet
# confirmed whether it is safe to use").
_FACT_DENIES_RISK = _rx(
    r"\b(not|no|isn'?t|aren'?t|nothing|none of|free of|clear of)\b[\w ,']{0,40}?\b(safety (issue|risk|concern|problem)|"
    r"unsafe|contaminat\w*|danger\w*|toxic\w*|hazard\w*|harmful|(fire|health) risk)|"
    r"\bposes? no (\w+ )?(risk|danger|threat|hazard)|\bno (health |safety |fire )?(risk|danger|threat|hazard)\b"
)
_FACT_OPEN = _rx(
    r"\b(yet|rule[sd]? out|whether|unclear|not known|unknown|investigat\w*|may|might|could|possibl\w*|suspect\w*|"
    r"pending|awaiting|until)\b"
)
_FACT_STATES_SAFE = _rx(r"\bsafe to \w+|\bharmless\b|\b(tests?|results?) (came back|are|were) (clear|negative)")
_FACT_SAYS_UNSAFE = _rx(
    r"\b(not safe|unsafe|do not (eat|use|drink)|don'?t (eat|use|drink)|stop (using|eating|drinking)|contaminated|"
    r"overheat\w*|caught fire)\b"
)


_SAYS_SAFE = _rx(
    r"\b(is|are|'s|'re) (still )?(safe|fine|harmless)\b|\bsafe to \w+|\bharmless\b|\bnothing('s| is)? wrong with\b|"
    r"\bno (food[- ]|health |fire )?safety (issue|problem|risk|concern)|"
    r"\b(not|isn'?t|aren'?t)( a| about| related to| to do with)?( the)?( food)? safety\b|"
    r"\b(not|no|none of)\b[\w ']{0,30}\bcontaminated\b|"
    r"\b(poses?|is|there'?s|there is) no (\w+ )?(risk|danger|threat|hazard)\b"
)
_OVERCLAIM = _rx(
    r"\b(absolutely|completely|totally|perfectly|100 ?%|guarantee\w*|never|ever|impossible|no way|whatsoever|zero|"
    r"forever|always|rest assured|promise|assurance|future|any (point|time))\b"
)


def _plain_safe_claim(text: str, m: re.Match[str]) -> bool:
    """An over-promise match that only says plainly that something is safe, in a sentence without absolutes."""
    return bool(_PLAIN_SAFE.match(m.group(0).strip())) and not _OVERCLAIM.search(_sentence_at(text, m.start()))


# "That will never happen again" is a promise nobody can keep, unless the team has decided exactly
# that ("seated passengers will never be removed for crew"): then it announces a decision. Grounded
# when a known fact decides a "never" and the sentence (with the two before it) shares at least two
# word stems with that fact, and nothing else in the text promises ("I promise", "guaranteed").
_NEVER_AGAIN = _rx(r"\b((this|it|that) will never happen( again)?|never (ever )?happen again)\b")
_DECIDES_NEVER = _rx(
    r"\b(decided|decision|agreed|approved|from (today|now|tomorrow|this week)|permanently|for good|with immediate "
    r"effect|policy)\b"
)
_NEVER_WORD = _rx(r"\b(never|no longer|not again|permanently|for good|banned|ends?|scrapped|stopp?(ed|ing)?)\b")
_PROMISE_WORD = _rx(r"\b((i|we) (promise|guarantee|swear)|guarantee[ds]?|100 ?%)\b")


def _stems(text: str) -> set[str]:
    return {w[:5] for w in _content_words(text)}


def _decided_never(text: str, m: re.Match[str], facts: Sequence[str]) -> bool:
    """A "never happen again" match that announces a "never" the team has decided (see above)."""
    if not _NEVER_AGAIN.fullmatch(m.group(0).strip()) or _PROMISE_WORD.search(text):
        return False
    sentences = [sen for sen in _SENT.finditer(text) if sen.start() < m.end()]
    span = " ".join(sen.group(0) for sen in sentences[-3:]) or text
    mine = _stems(span)
    return any(
        _DECIDES_NEVER.search(f.lower()) and _NEVER_WORD.search(f.lower()) and len(mine & _stems(f)) >= 2 for f in facts
    )


def _sentence_at(text: str, at: int) -> str:
    return next((sen.group(0) for sen in _SENT.finditer(text) if sen.start() <= at < sen.end()), text)


def states_briefed_safety(text: str, facts: Sequence[str]) -> bool:
    """The text says plainly, without absolutes, that the product is safe, and a known fact says so too:
    grounded reassurance, neither a promise nor false comfort."""
    text = text.lower()  # the patterns are lower case; callers pass the text as typed
    return bool(_SAYS_SAFE.search(text)) and not _OVERCLAIM.search(text) and briefing_says_safe(facts)


_CLAUSE_BREAK = re.compile(r"[,;:]|\b(?:and|but|while|whereas)\b")


def _clause_before(sentence: str, at: int) -> str:
    """The words of a match's own clause before it: in "the batteries are not overheating and the
    scooters are safe to ride" the "not" belongs to the overheating, not to the safety."""
    return _CLAUSE_BREAK.split(sentence[:at])[-1]


def briefing_says_safe(facts: Sequence[str]) -> bool:
    """A known fact says the product is safe, and none says it is not."""
    says = False
    for fact in facts:
        for sentence in _SENT.findall(fact.lower()):
            unsafe = _FACT_SAYS_UNSAFE.search(sentence)
            safe = _FACT_STATES_SAFE.search(sentence)
            if _FACT_OPEN.search(sentence):
                continue  # "we have not yet ruled out contamination": open, not confirmed either way
            if _FACT_DENIES_RISK.search(sentence) or (safe and not negated(_clause_before(sentence, safe.start()))):
                says = True
            elif unsafe and not negated(_clause_before(sentence, unsafe.start())):
                return False
    return says


_SORRY_WORDS = _rx(r"\b(so|really|truly|deeply) sorry\b")
_DAY_WORD = _rx(r"\b(today|tonight|this (morning|afternoon|evening))\b(?!'s)")
_FUTURE = _rx(
    r"\b(will|'ll|won'?t|going to|shall|by|before|until|later|expect|should (arrive|be|reach|see|get)|"
    r"plan to|aim to|intend to|set to|due|next|from|open|reopen\w*|back|please|can|able to)\b|'ll\b"
)
_AHEAD = _rx(
    r"\b(will|won'?t|going to|shall|expect\w*|aim\w*|plan\w*|intend\w*|next|tomorrow|please|should|hope to|"
    r"due|set to|promise)\b|'ll\b"
)
_ABOUT_THEM = _rx(
    r"\byou(?:'ve| have| had|'d)? (?:already )?(?:complained|messaged|contacted|called|rung|phoned|tweeted|posted|"
    r"written|emailed|chased|asked)\b|\b\d+ (?:times|messages|complaints|calls|emails|tweets)\b"
)
_DIGITS = re.compile(r"\d[\d,.:]*")
# A safety or health instruction: stop, don't eat, call 111, see a doctor, switch it off, stay indoors...
_SAFETY_STEP = _rx(
    r"\b((do not|don'?t|never|stop|avoid|no more) (\w+ing |keep |let (anyone|him|her|them|your \w+) )?"
    r"(use|using|eat|eating|drink|drinking|drive|driving|charge|charging|give|giving|take|taking|touch|touching|"
    r"ride|riding|plug|swim|swimming|feed|feeding|wear|wearing|open|opening|go (in|into|near|back)|cook|cooking|"
    r"serve|serving|light|apply|applying|handle|run|running|sit|sleep|it|them|the)|"
    r"(call|ring|phone|dial|contact) (999|911|112|111|nhs|an ambulance|your (gp|doctor|pharmacist|vet|midwife)|"
    r"a (doctor|gp|pharmacist|vet)|the (poison\w*|emergency|gas|fire)\w*|emergency)|"
    r"(see|speak to|talk to|ask|visit|check with) (a|your) (doctor|gp|pharmacist|vet|midwife|dentist|optician)|"
    r"seek (urgent |immediate |emergency )?(medical |veterinary )?(advice|help|attention|care)|"
    r"medical (advice|attention)|"
    r"(go|get|head|take (him|her|them|your \w+)) (straight )?to (a&e|hospital|the (emergency|hospital|er|vet)|"
    r"urgent care|the nearest)|a&e|(switch|turn|shut) (it |them |the \w+ |\w+ )?off|unplug\w*|disconnect|pull over|"
    r"leave (the|your) (house|building|property|area|room|flat|home)|open (the |all )?(windows|doors)|evacuat\w*|"
    r"(throw|bin) (it|them|the \w+) (away|out)|throw away|(return|bring) (it|them|the \w+) (back|to)|"
    r"boil (the |your |all )?water|keep (it|them|him|her|the \w+|your \w+|children|kids|pets|dogs?|everyone|people) "
    r"(away|out|off|indoors|inside|clear)|stay (indoors|inside|away|off|clear|out)|"
    r"(check|look for|watch for|look out for) (the |any )?(symptoms|signs)|(get|have) (it|him|her|them|that|the \w+|"
    r"your \w+) (checked|seen|looked at|inspected)|until (it'?s|it has been|an engineer|a technician) (been )?"
    r"(checked|inspected|repaired|signed off|fixed)|(not|isn'?t|aren'?t|never) (\w+ )?safe (to|for)|"
    r"unsafe (to|for))\b"
)
_SORRY_KEYS = ("sorr", "apolog", "regret", "inconvenien", "offend", "forgive")
_HEDGE_KEYS = (
    "might",
    "may have",
    "may be",
    "could be",
    "could have",
    "probabl",
    "possibl",
    "perhaps",
    "we think",
    "we believe",
    "likely",
    "we suspect",
    "seem",
    "looks like",
    "rumo",
    "apparently",
    "we guess",
    "maybe",
)
# Every gate, found in one pass: the flag gates of PREFILTER and the gates of the checks below.
_GATE_SCAN = GateScan(
    {
        **PREFILTER,
        "sorry": _SORRY_KEYS,
        "third_party": _THIRD_PARTY_KEYS,
        "dismiss_more": _DISMISS_MORE_KEYS,
        "pii": _PII_KEYS,
        "hedge": _HEDGE_KEYS,
    }
)
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


# A clock time ("09:07", "3.15pm", "3pm"), not a price ("£19.99", "$12.50").
_CLOCK = re.compile(r"(?<![£$€\d.,])\b\d{1,2}[:.][0-5]\d(?!\d|[.,]\d)(\s?[ap]\.?m\b\.?)?|\b\d{1,2}\s?[ap]\.?m\b\.?")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d[\d,.:]*(\s?[ap]m\b)?")
_HANDLE = re.compile(r"@\w(?:[\w.-]*\w)?")  # format 2 handles may hold dots and hyphens inside
SHORT_TEXT = 12  # words: below this, copy-paste is also judged on the set of words


def template_form(text: str, author_name: str = "", author_handle: str = "") -> str:
    """A text with what a template swaps in taken out: the author's name and handle, any handle, numbers.

    Two texts with the same template form are the same reply with a name or a time changed.
    """
    low = _norm(text).lower()
    for name in {author_name.strip().lower(), *(author_name.lower().split()[:1])}:
        if len(name) > 1:
            low = _name_rx(name).sub(" name ", low)
    handle = author_handle.strip().lower().lstrip("@")
    if len(handle) > 1:
        low = _name_rx(handle, "@?").sub(" name ", low)
    return _generic_form(low)


@lru_cache(maxsize=4096)
def _name_rx(name: str, prefix: str = "") -> re.Pattern[str]:
    """A name or handle as a whole word (compiled once: a storm has thousands of authors, more than
    the re module's own cache holds)."""
    return re.compile(rf"{prefix}(?<!\w){re.escape(name)}(?!\w)")


@lru_cache(maxsize=8192)
def _generic_form(text: str) -> str:
    low = _HANDLE.sub(" name ", _norm(text).lower())
    return " ".join(_NUMBER.sub(" 0 ", low).split())


@lru_cache(maxsize=8192)
def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < 3:
        return frozenset({tuple(words)})
    return frozenset(tuple(words[i : i + 3]) for i in range(len(words) - 2))


def similarity(a: str, b: str) -> float:
    """How much two texts are the same reply, 0..1, once handles and numbers are set aside.

    Word-trigram Jaccard similarity; for short texts (under 12 words), also the Jaccard similarity of
    their word sets, since one changed word breaks most trigrams of a short text.
    """
    fa, fb = _generic_form(a), _generic_form(b)
    sa, sb = _shingles(fa), _shingles(fb)
    if not sa or not sb:
        return 0.0
    tri = len(sa & sb) / len(sa | sb)
    if tri < 0.8:
        ua, ub = _word_set(fa), _word_set(fb)
        if ua and ub and min(_word_count(fa), _word_count(fb)) < SHORT_TEXT:
            return max(tri, len(ua & ub) / len(ua | ub))
    return tri


@lru_cache(maxsize=8192)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))


@lru_cache(maxsize=8192)
def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


# Contradiction patterns match simple paraphrases too: "no one has died" is "nobody has died".
_CANON = (
    (
        re.compile(r"\b(no[- ]?one|nobody|no body|not anyone|not anybody|not a (single )?(person|soul))('s)?(?!\w)"),
        "nobody",
    ),
    (re.compile(r"\b(died|dead|killed|passed away|lost (his|her|their) li(fe|ves)|perished)\b"), "died"),
    (re.compile(r"\b(fatalities|fatality|deaths|death)\b"), "deaths"),
    (re.compile(r"\b(has|have|had|was|were|is|are|been|be|being)\b|'(s|ve|d|re)\b"), " "),
    (re.compile(r"[-\u2010-\u2015]"), " "),
)


def _canon(text: str) -> str:
    low = _norm(text).lower()
    for rx, repl in _CANON:
        low = rx.sub(repl, low)
    return " ".join(low.split())


def contradiction(patterns: tuple[str, ...], text: str) -> str:
    """The words of ``text`` that contradict one of ``patterns`` (author patterns), or "".

    The patterns also match simple paraphrases (no one / nobody / no-one, has / have / was, died /
    killed), and a claim the sentence negates ("it was NOT sabotage") agrees with the facts.
    """
    if not patterns:
        return ""
    low = _norm(text).lower()
    canon = _canon(low)
    for pat in patterns:
        for target, rx in ((low, compile_pattern(pat)), (canon, compile_pattern(_canon(pat)))):
            for m in rx.finditer(target):
                if not negated(target[max(0, m.start() - 60) : m.start()]):
                    return m.group(0)
    return ""


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
    gates = _GATE_SCAN(t)
    found: dict[str, str] = {}
    whys: dict[str, str] = {}
    extra_cap = 100.0
    if not words:
        hit = ToneHit("vague", float(POINTS["vague"]), "", "Empty: says nothing.")
        return ToneResult(0, ("vague",), (), ("vague",), (hit,), 0.0, 0.0)

    def flag(name: str, match: str) -> None:
        if match and name not in found:
            found[name] = match

    # Non-apologies first: their "sorry" must not count as an apology.
    if "sorry" in gates:
        non_apology = _search(R["non_apology"], t)
        flag("non_apology", non_apology)
        sorry_text = R["non_apology"].sub(" ", t) if non_apology else t
        if not _NEGATED_SORRY.search(sorry_text):
            flag("apologises", _search(R["apologises"], sorry_text))
        refusal = _search(_REFUSE_SORRY, t) if ("not" in t or "n't" in t or "never" in t or "refuse" in t) else ""
        if refusal:
            flag("defensive", refusal)
            whys["defensive"] = "Refuses to apologise: that reads as defending the company, not helping."
            extra_cap = min(extra_cap, REFUSAL_CAP)
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
        if (name in PREFILTER and name not in gates) or (name == "mocking_emoji" and t.isascii()):
            continue
        flag(name, _search(R[name], t))
    # A time is a next step when it is ahead ("we'll call by 3pm"), not when it is past ("fixed by 9am").
    step = found.get("next_step", "")
    if step[:3] in ("by ", "bef") and any(ch.isdigit() for ch in step):
        sentence = next((sen for sen in _SENT.findall(t) if step in sen), t)
        if not _AHEAD.search(sentence):
            found.pop("next_step")
    # "Today" is a next step when it is about what happens ("you'll have it today"), not what did
    # ("today's disruption", "tonight didn't go ahead").
    if "next_step" not in found and _DAY_WORD.search(t):
        for sentence in _SENT.findall(t):
            day = _DAY_WORD.search(sentence)
            if day and _FUTURE.search(sentence):
                flag("next_step", day.group(0))
                break
    if "dismissive" not in found and "dismiss_more" in gates:
        flag("dismissive", _search(_DISMISS_MORE, t))
    if "blames" in found and found["blames"].startswith(("their", "your", "the ")):
        # "None of this is their fault" clears them; "not our fault, it's their fault" still blames.
        clear = [m for m in R["blames"].finditer(t) if not negated(t[max(0, m.start() - 60) : m.start()], clause=True)]
        if clear:
            found["blames"] = clear[0].group(0)
        else:
            found.pop("blames")
    if "blames" not in found and "third_party" in gates:
        partner = _search(_THIRD_PARTY_BLAME, t)
        # "Our new depot failed to get dough out. That's on us": our own partner's failure, named as what
        # happened and owned in the same text, is an account of the cause, not blame shifted.
        if not (partner.startswith("our ") and "owns_it" in found):
            flag("blames", partner)
    if "over_promises" in found and ctx.known_facts:
        # what the briefings ground is no promise: a plain "it's safe" they confirm, a "never" they decided
        safe = briefing_says_safe(ctx.known_facts)
        found["over_promises"] = next(
            (
                m.group(0).strip()
                for m in R["over_promises"].finditer(t)
                if not (safe and _plain_safe_claim(t, m)) and not _decided_never(t, m, ctx.known_facts)
            ),
            "",
        )
        if not found["over_promises"]:
            found.pop("over_promises")
    if "owns_it" in found and _NOT_OURS.search(t):
        found.pop("owns_it")
    if "empathises" in found and found["empathises"].lower().endswith(" sorry"):
        # "So sorry" is one apology, not an apology and empathy too; empathy needs words of its own.
        sorry_free = _SORRY_WORDS.sub(" ", t)
        found.pop("empathises")
        flag("empathises", _search(R["empathises"], sorry_free))
    # Facts: concrete details, or words shared with the briefings known now.
    fact_text = _CLOCK.sub(" ", t) if _DIGIT.search(t) else t
    if _DIGIT.search(fact_text) and _ABOUT_THEM.search(fact_text):
        # A count of the person's own messages ("you've complained 4 times") is not a fact about the incident.
        fact_text = " ".join(
            _DIGITS.sub(" ", sen) if _ABOUT_THEM.search(sen) else sen for sen in _SENT.findall(fact_text)
        )
    info = _search(R["informs"], fact_text)
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
    for sentence in _SENT.findall(t) if "hedge" in gates and _HEDGE.search(t) else ():
        # A hedge on what is affected ("older lots may be affected") is precaution, not a guess at a cause.
        careful = [m.span() for m in _PRECAUTION.finditer(sentence)]
        h = next(
            (m.group(0).strip() for m in _HEDGE.finditer(sentence) if not any(a <= m.start() < b for a, b in careful)),
            "",
        )
        # A cause the sentence denies ("she hasn't been hacked") is not a guess at one, nor one it owns
        # ("wrong because of our error").
        c = next(
            (
                m.group(0)
                for m in _CAUSE.finditer(sentence)
                if not negated(sentence[max(0, m.start() - 60) : m.start()])
                and not _OWNED_CAUSE.match(sentence, m.end())
                and not sentence[max(0, m.start() - 5) : m.start()].endswith("our ")
            ),
            "",
        )
        if h and c:
            flag("speculates", f"{h} ... {c}")
            break
    for pat in ctx.unconfirmed:
        # "It wasn't hackers" denies the rumour; only a cause the text asserts is speculation.
        m = next(
            (m for m in compile_pattern(pat).finditer(t) if not negated(t[max(0, m.start() - 60) : m.start()])), None
        )
        if m:
            flag("speculates", m.group(0))
            break
    # Secrets (card numbers, CVV, passwords) must never be asked for, not even privately; other
    # personal data only not in public.
    if "pii" in gates and _PII.search(t):
        for sentence in _SENT.findall(t):
            pii = _asked_for(_PII, sentence)
            if not pii:
                continue
            secret = _asked_for(_SECRET, sentence)
            if secret:
                flag("asks_pii_public", secret)
                whys["asks_pii_public"] = (
                    "Asks for a secret (card number, security code, password): never ask for these, "
                    "not even in a private message."
                )
                extra_cap = min(extra_cap, SECRET_CAP)
                break
            if ctx.kind != "dm" and not R["moves_to_private"].search(sentence):
                flag("asks_pii_public", pii)
                break
    # Safety first: an instruction that keeps people safe, and a safety question left without one.
    safety = _search(_SAFETY_STEP, t)
    flag("safety_instruction", safety)
    # Two more safety rules were tried and dropped after the held-out paraphrase checks: bare
    # reassurance on a safety question (5 of 12 caught) and a warm reply that ignores a safety
    # question (1 of 16): both are left to the learned layer (false_reassurance, ignores_question).
    contra = contradiction(ctx.contradictions, t)
    flag("contradicts_briefing", contra)
    # Copy-paste: the same reply as an earlier one once names, handles and numbers are set aside, or the
    # same sentence said again within this text.
    if ctx.earlier_replies:
        form = template_form(t, ctx.author_name, ctx.author_handle)
        best = max((similarity(form, e) for e in ctx.earlier_replies if e), default=0.0)
        if best >= 0.8:
            flag("copy_paste", f"{best:.0%} the same as an earlier text")
    sentences = _SENT.findall(t)
    seen: dict[str, int] = {}
    if len(sentences) > 1 and len(words) >= 10:
        for sentence in sentences:
            key = sentence.strip(" .!?")
            if key.count(" ") >= 3:
                seen[key] = seen.get(key, 0) + 1
    if seen and max(seen.values()) >= 2 and "copy_paste" not in found:
        flag("copy_paste", f"the same sentence {max(seen.values())} times")
        whys["copy_paste"] = "Says the same sentence more than once: it reads as padding, not an answer."
    if "informs" not in found and "next_step" not in found:
        vague = _search(R["vague_phrase"], t)
        if vague or len(words) < 8:
            flag("vague", vague or "too short to say anything")
        ack = found.get("acknowledges", "")
        if vague and ack and (ack in vague or vague in ack):
            found.pop("acknowledges")  # one phrase ("we are aware") is not both acknowledgement and vagueness
    # A sentence that mixes an apology with blame ("sorry, but the courier...") is blame, not an apology.
    if "blames" in found and "apologises" in found:
        found.pop("apologises")
    return _score(found, ctx, words, t, whys, sentences, extra_cap)


# Words and phrases the rubric rewards: a text made mostly of them, or a list of them, is stuffing.
_RUBRIC = re.compile(
    r"\b(sorry|apolog\w*|understand\w*|frustrat\w*|upset\w*|worr\w*|awful|on us|let (you|everyone) down|"
    r"refund\w*|compensat\w*|dm|update\w*|today|tonight|doctor|official|never ask|not true|hear you|"
    r"our fault|our mistake|we know|next step|private\w*|helpline)\b"
)
_SEGMENT = re.compile(r"[,;.!?\n]|:(?!\d)")


def _keyword_list(text: str, n_words: int) -> bool:
    """A list of rubric keywords rather than sentences: dense with them, or many short comma-separated bits."""
    hits = len(_RUBRIC.findall(text))
    if hits >= 6 and hits / n_words >= 0.3:
        return True
    if hits < 3 or text.count(",") + text.count(";") < 4:
        return False
    segments = [seg.split() for seg in _SEGMENT.split(text)]
    segments = [seg for seg in segments if seg]
    if len(segments) < 6:
        return False
    short = [seg for seg in segments if len(seg) <= 3]
    keyworded = sum(1 for seg in short if _RUBRIC.search(" ".join(seg)))
    return len(short) / len(segments) >= 0.6 and keyworded >= 3


_STATEMENT_KINDS = ("update", "plan")
_APPLICABLE = {
    True: tuple(f for f in POSITIVE_FLAGS if f not in ("personal", "moves_to_private")),  # public statements
    False: POSITIVE_FLAGS,  # replies and private messages
}
_TOTAL_POS = {k: sum(POINTS[f] for f in v) for k, v in _APPLICABLE.items()}


def _score(
    found: dict[str, str],
    ctx: ToneContext,
    words: list[str],
    text: str,
    whys: dict[str, str] | None = None,
    sentences: list[str] | None = None,
    extra_cap: float = 100.0,
) -> ToneResult:
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
    # Stuffing: one word over and over, or a list of the rubric's keywords (not a terse, factual reply).
    rubric = len(_RUBRIC.findall(text)) if function_ratio < 0.2 else 0
    stuffed = n >= 6 and (
        (top >= 4 and top / n >= 0.2)
        or (rubric >= 3 and rubric / n >= 0.3)
        or (function_ratio < 0.45 and _keyword_list(text, n))
    )
    if stuffed:
        positive_points *= 0.2
    pol = politeness(text, words, _SENT.findall(text) if sentences is None else sentences)
    score = BASE + positive_points + 3 * pol
    hits: list[ToneHit] = []
    for f in POSITIVE_FLAGS:
        if f in found and f in applicable:
            share = POINTS[f] / (0.8 * total_pos) * POS_SPAN
            hits.append(ToneHit(f, round(share, 1), found[f], FLAG_DESCRIPTIONS[f]))
    cap = extra_cap
    for f in NEGATIVE_FLAGS:
        if f in found:
            score += POINTS[f]
            cap = min(cap, CAPS.get(f, 100.0))
            why = (whys or {}).get(f, FLAG_DESCRIPTIONS[f])
            hits.append(ToneHit(f, float(POINTS[f]), found[f], why))
    if stuffed:
        cap = min(cap, 30.0)
        hits.append(ToneHit("keyword_list", -10.0, "keyword list", "Reads like a list of keywords, not a reply."))
        found.setdefault("keyword_list", "keyword list")
    rule_cap = extra_cap
    if n < 6:
        cap = min(cap, 35.0)
        rule_cap = min(rule_cap, 35.0)
    final = round(max(0.0, min(cap, score)))
    pos = tuple(f for f in POSITIVE_FLAGS if f in found and f in applicable)
    neg = tuple(f for f in NEGATIVE_FLAGS if f in found)
    return ToneResult(final, pos + neg, pos, neg, tuple(hits), round(pol, 3), rule_cap)
