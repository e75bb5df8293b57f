"""The scenario model: what a YAML scenario file means, as frozen dataclasses.

All times are whole scenario seconds from the start of the scenario (``t``). Held posts and
waves (those fired only by an inject) carry times relative to the moment the inject fires.
Text fields are already cleaned of escape sequences and control characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

FORMAT_VERSION = 2  # the newest format; format 1 files (no `format` key, or `format: 1`) load unchanged
FORMATS = (1, 2)

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
    "embargo_broken",
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

# Placeholders of format 2 filled when a post is delivered, from the state of play at that moment.
LIVE_PLACEHOLDERS = ("promised_time", "trainee_name", "minutes_silent")
MEDIA_KINDS = ("video", "image", "audio", "link")

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
    public_from: int | None = None  # format 2: an embargo; the fact may be said publicly only from then
    reveals: str = ""  # format 2: the pattern that gives the fact away (what the embargo forbids)

    def embargoed(self, t: float) -> bool:
        """Whether the fact is known but may not be said publicly yet at ``t``."""
        return self.public_from is not None and self.t <= t < self.public_from

    def sayable(self, t: float) -> bool:
        """Whether the fact may be said publicly at ``t`` (known, and not under embargo)."""
        return self.t <= t and not self.embargoed(t)


@dataclass(frozen=True)
class Window:
    """Format 2: a ``must_mention`` or ``must_not_say`` item that applies only to answers sent in
    [start, end) (scenario seconds; None = unbounded)."""

    field: str  # must_mention | must_not_say
    pattern: str
    start: int | None = None
    end: int | None = None

    def holds(self, t: float) -> bool:
        return (self.start is None or t >= self.start) and (self.end is None or t < self.end)


@dataclass(frozen=True)
class Expectation:
    """What a good answer to a must-handle post does."""

    reply_within: int | None = None  # seconds after delivery; None = the scenario's reply target
    must_mention: tuple[str, ...] = ()  # each an idea: alternatives separated by '|'
    should_mention: tuple[str, ...] = ()
    must_not_say: tuple[str, ...] = ()
    private: bool = False  # belongs in private messages
    model_answer: str = ""
    windows: tuple[Window, ...] = ()  # format 2: items of must_mention / must_not_say bounded in time

    def window(self, field: str, pattern: str) -> Window | None:
        """The time bounds of one item (None: it applies to every answer)."""
        return next((w for w in self.windows if w.field == field and w.pattern == pattern), None)

    def shifted(self, offset: int) -> Expectation:
        """The expectation of a held post fired ``offset`` seconds into the scenario (its bounds count from then)."""
        if not self.windows or not offset:
            return self
        moved = tuple(
            Window(
                w.field,
                w.pattern,
                None if w.start is None else w.start + offset,
                None if w.end is None else w.end + offset,
            )
            for w in self.windows
        )
        return replace(self, windows=moved)


@dataclass(frozen=True)
class Media:
    """Format 2: what a post carries besides its words, described in text (never rendered)."""

    kind: str  # video | image | audio | link
    caption: str

    def label(self) -> str:
        return f"[{self.kind}: {self.caption}]"


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
    quote: str | None = None  # format 2: the post this one quotes
    pinned: bool = False  # format 2: the author pinned it; it keeps drawing attention while unanswered
    media: Media | None = None  # format 2
    live: bool = False  # format 2: the text holds placeholders filled at delivery


@dataclass(frozen=True)
class Template:
    text: str
    tags: tuple[str, ...] = ()
    weight: float = 1.0
    media: Media | None = None  # format 2


@dataclass(frozen=True)
class Responds:
    """Format 2: how a wave's volume answers play. Each event adds its effect to the wave's
    multiplier (1 = as scripted), fading with ``half_life``; the multiplier stays in [0, cap]."""

    good_statement: float = 0.0
    good_reply: float = 0.0
    flagged_reply: float = 0.0
    half_life: int = 600
    cap: float = 2.0

    def effect(self, kind: str) -> float:
        return float(getattr(self, kind, 0.0)) if kind in CROWD_EVENTS else 0.0


CROWD_EVENTS = ("good_statement", "good_reply", "flagged_reply")


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
    responds: Responds | None = None  # format 2: the volume answers play
    current: float | None = None  # format 2, held waves: this many times the volume when it fires
    current_over: int = 300  # ... measured over this many seconds before the firing

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
    briefing: str | None = None  # embargo_broken


@dataclass(frozen=True)
class Inject:
    id: str
    when: Condition
    fires: tuple[str, ...]
    repeat: bool = False
    note: str = ""
    pressure: float = 0.0  # format 2: points the firing adds to the pressure index (negative: calms it)
    crowd: float = 0.0  # format 2: added to the multiplier of every wave whose volume responds to play


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
    plan_not_before: int | None = None  # format 2: a plan before this time is too early


@dataclass(frozen=True)
class CrisisChange:
    """Format 2: from ``t`` on, the public sees the crisis as ``to``."""

    t: int
    to: str


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    difficulty: str
    crisis_type: str
    duration: int
    company: Company
    format: int = 1
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
    crisis_type_changes: tuple[CrisisChange, ...] = ()  # format 2, in time order

    def crisis_type_at(self, t: float) -> str:
        """The crisis type the public sees at ``t`` (``crisis_type`` until the first change)."""
        current = self.crisis_type
        for change in self.crisis_type_changes:
            if change.t <= t:
                current = change.to
        return current

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
    quote: str | None = None  # format 2: the id of the post this one quotes
    pinned: bool = False  # format 2
    media: Media | None = None  # format 2
    live: bool = False  # format 2: placeholders in the text are filled when it is delivered
    level: float | None = None  # format 2, responsive waves: delivered only while the wave's multiplier exceeds it

    @property
    def must_handle(self) -> bool:
        return self.expect is not None

    @property
    def extra(self) -> bool:
        """A post of a responsive wave beyond its scripted volume: delivered only when play feeds the crowd."""
        return self.level is not None and self.level >= 1.0


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
