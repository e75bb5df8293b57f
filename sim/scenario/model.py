"""The scenario model: what a YAML scenario file means, as frozen dataclasses.

All times are whole scenario seconds from the start of the scenario (``t``). Held posts and
waves (those fired only by an inject) carry times relative to the moment the inject fires.
Text fields are already cleaned of escape sequences and control characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FORMAT_VERSION = 1

DIFFICULTIES = ("intro", "standard", "hard")
CRISIS_TYPES = ("victim", "accidental", "preventable")
ROLES = (
    "customer",
    "journalist",
    "influencer",
    "regulator",
    "politician",
    "employee",
    "franchisee",
    "partner",
    "expert",
    "family",
    "public",
    "troll",
    "competitor",
    "scammer",
)
DISPOSITIONS = ("supportive", "neutral", "worried", "angry", "hostile", "mocking")
TAGS = (
    "complaint",
    "question",
    "safety",
    "media",
    "influencer",
    "pii",
    "misinformation",
    "scam",
    "regulator",
    "employee",
    "legal",
    "boycott",
    "joke",
    "praise",
    "noise",
)
PLAN_ELEMENTS = (
    "what_happened",
    "steps",
    "owners",
    "timeframes",
    "customer_actions",
    "help_channel",
    "remedy",
    "next_update",
)
CONDITION_KINDS = (
    "no_statement_by",
    "silence",
    "unanswered",
    "no_plan_by",
    "reply_flagged",
    "promise_missed",
    "said",
)
DEFAULT_FLAGGED = ("defensive", "dismissive", "blames", "hostile")
# Tone flags the scoring model can raise (kept here so scenarios can name them without importing scoring).
POSITIVE_TONE_FLAGS = (
    "acknowledges",
    "apologises",
    "empathises",
    "owns_it",
    "informs",
    "next_step",
    "personal",
    "moves_to_private",
    "safety_instruction",
)
NEGATIVE_TONE_FLAGS = (
    "defensive",
    "blames",
    "dismissive",
    "non_apology",
    "legalese",
    "hostile",
    "profanity",
    "shouting",
    "mocking_emoji",
    "speculates",
    "over_promises",
    "asks_pii_public",
    "contradicts_briefing",
    "copy_paste",
    "vague",
    "denies",
    "sarcastic",
    "false_reassurance",
    "keyword_list",
    "canned",
    "bare_dm",
    "off_topic",
    "ignores_question",
)
TONE_FLAGS = POSITIVE_TONE_FLAGS + NEGATIVE_TONE_FLAGS

PLACEHOLDERS = (
    "name",
    "first_name",
    "last_name",
    "handle",
    "city",
    "order",
    "number",
    "time",
    "day",
    "company",
    "company_handle",
)

Difficulty = Literal["intro", "standard", "hard"]
CrisisType = Literal["victim", "accidental", "preventable"]


@dataclass(frozen=True)
class Company:
    name: str
    handle: str
    voice: str = ""


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    handle: str
    role: str
    followers: int
    disposition: str = "neutral"
    bio: str = ""


@dataclass(frozen=True)
class PlanStep:
    """One step of an action plan: what is done, who does it, by when (free text)."""

    what: str
    who: str = ""
    when: str = ""


@dataclass(frozen=True)
class Briefing:
    """A fact the trainee's team learns at time ``t``."""

    id: str
    t: int
    title: str
    text: str
    public_line: str = ""  # a sentence the company may now say publicly
    confirms_cause: bool = False  # from now on the cause is confirmed
    contradicts: tuple[str, ...] = ()  # patterns that contradict this fact once known
    actions: tuple[PlanStep, ...] = ()  # plan steps the team has decided


@dataclass(frozen=True)
class Expectation:
    """What a good answer to a must-handle post does."""

    reply_within: int | None = None  # seconds after delivery; None = the scenario's reply target
    must_mention: tuple[str, ...] = ()  # each an idea: alternatives separated by '|'
    should_mention: tuple[str, ...] = ()
    must_not_say: tuple[str, ...] = ()
    private: bool = False  # belongs in private messages
    model_answer: str = ""


@dataclass(frozen=True)
class ScriptedPost:
    id: str
    t: int
    author: str  # persona id
    text: str
    tags: tuple[str, ...] = ()
    reply_to: str | None = None
    expect: Expectation | None = None
    held: bool = False  # only delivered when an inject fires it; t is then relative


@dataclass(frozen=True)
class Template:
    text: str
    tags: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class Wave:
    """Generated crowd volume over [start, end), one count per minute."""

    id: str
    start: int
    end: int
    per_minute: tuple[int, ...]
    templates: tuple[Template, ...]
    roles: tuple[tuple[str, float], ...] = (("customer", 1.0),)
    followers: tuple[int, int] = (20, 2000)
    held: bool = False

    @property
    def total(self) -> int:
        return sum(self.per_minute)


@dataclass(frozen=True)
class Condition:
    kind: str
    at: int | None = None  # no_statement_by, no_plan_by, said.before
    minutes: int | None = None  # silence length / unanswered length, in seconds despite the name
    after: int = 0  # silence is only counted from this time
    post: str | None = None  # unanswered
    persona: str | None = None  # reply_flagged (None = anyone)
    flags: tuple[str, ...] = ()  # reply_flagged
    pattern: str = ""  # said


@dataclass(frozen=True)
class Inject:
    id: str
    when: Condition
    fires: tuple[str, ...]
    repeat: bool = False
    note: str = ""


@dataclass(frozen=True)
class Avoid:
    """A scenario-specific line not to say, optionally only until a time or a briefing."""

    say: str
    why: str
    until: int | None = None
    until_briefing: str | None = None


@dataclass(frozen=True)
class ScoringSettings:
    weight_speed: float = 40.0
    weight_tone: float = 35.0
    weight_plan: float = 25.0
    first_statement: int = 15 * 60
    reply: int = 60 * 60
    update_every: int = 30 * 60
    plan_deadline: int | None = None
    plan_require: tuple[str, ...] = PLAN_ELEMENTS
    avoid: tuple[Avoid, ...] = ()


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    difficulty: str
    crisis_type: str
    duration: int
    company: Company
    format: int = FORMAT_VERSION
    start_clock: str = "09:00"
    locale: str = "en_US"
    seed: int = 1
    objectives: tuple[str, ...] = ()
    variables: tuple[tuple[str, tuple[str, ...]], ...] = ()
    personas: tuple[Persona, ...] = ()
    briefings: tuple[Briefing, ...] = ()
    posts: tuple[ScriptedPost, ...] = ()
    waves: tuple[Wave, ...] = ()
    injects: tuple[Inject, ...] = ()
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    source: str = ""  # file path it was loaded from
    content_hash: str = ""  # sha256 of the file's bytes

    def persona(self, persona_id: str) -> Persona | None:
        for p in self.personas:
            if p.id == persona_id:
                return p
        return None

    @property
    def start_minutes(self) -> int:
        """Minutes after midnight shown at scenario time 0 (from ``start_clock``)."""
        hh, mm = self.start_clock.split(":")
        return int(hh) * 60 + int(mm)


@dataclass(frozen=True)
class Post:
    """A post as delivered to the trainee (scripted, generated by a wave, or fired by an inject)."""

    id: str
    t: int
    author: str  # persona id, or a generated account id
    name: str
    handle: str
    role: str
    followers: int
    text: str
    tags: tuple[str, ...] = ()
    reply_to: str | None = None
    expect: Expectation | None = None
    source: str = "script"  # script | wave | inject
    wave: str | None = None

    @property
    def must_handle(self) -> bool:
        return self.expect is not None


@dataclass(frozen=True)
class Storm:
    """A scenario expanded with a seed: every post it can ever deliver, in time order."""

    scenario: Scenario
    seed: int
    posts: tuple[Post, ...]  # scheduled posts, sorted by (t, id)
    held: dict[str, tuple[Post, ...]]  # inject target id -> posts with times relative to firing

    @property
    def briefings(self) -> tuple[Briefing, ...]:
        return self.scenario.briefings
