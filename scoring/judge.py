"""The reply judge: the tone rules and a learned layer, one judgement per text, in its context.

Every place that judges a text (the live game, the debrief, ``stormdrill tone``, the benchmarks)
calls :func:`judge` or :func:`judge_many` with a :class:`~scoring.tone.ToneContext`: the kind of
text, the post it answers, the poster, the texts sent before it, the facts known and the causes not
confirmed yet.

How a score is made (docs/tone-model.md):

1. The rules (``scoring.tone``) find constructions and give each flag its evidence: the words that
   raised it.
2. A sentence encoder (all-MiniLM-L6-v2 fine-tuned on the labelled corpus, int8 ONNX) reads the
   reply with the post it answers. Its score head reads the whole reply on the 1-5 scale; logistic
   behaviour heads on its embedding (blame, denial, sarcasm, false reassurance, off-topic, ignoring
   the question...) raise flags the rules cannot see, each with the nearest labelled example of that
   behaviour as its evidence.
3. A stage-2 ridge combines the encoder's score, the behaviour probabilities and the rule flags into
   the 1-5 label, then 0-100 (1 -> 10, 2 -> 30, 3 -> 50, 4 -> 70, 5 -> 90).
4. Bands by construction: a harmful rule flag caps the score at 19, a poor flag (or any learned flag)
   at 39, an apology with nothing concrete at 59; the rules' own caps (secrets asked for, refusals,
   very short texts) still apply.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from sim.engine.reading import JudgeRequest

from .encoder import MODELS, EmbeddingCache, encoder
from .judging import contexts_for
from .tone import (
    HARMFUL_CAP,
    NEGATIVE_FLAGS,
    POOR_CAP,
    POSITIVE_FLAGS,
    THIN_CAP,
    ToneContext,
    ToneHit,
    ToneResult,
    _content_words,
    analyze,
    states_briefed_safety,
)

HEAD_FILE = MODELS / "judge-head.json"
EXAMPLES_FILE = MODELS / "judge-examples.npz"

# The band each negative flag puts a text in (docs/tone-labelling.md).
HARMFUL = frozenset(
    {
        "blames",
        "denies",
        "hostile",
        "profanity",
        "sarcastic",
        "false_reassurance",
        "keyword_list",
        "contradicts_briefing",
    }
)
POOR = frozenset(
    {
        "defensive",
        "dismissive",
        "non_apology",
        "legalese",
        "shouting",
        "mocking_emoji",
        "speculates",
        "over_promises",
        "asks_pii_public",
        "copy_paste",
        "vague",
        "canned",
        "bare_dm",
        "off_topic",
        "ignores_question",
    }
)
# Detected behaviours (the corpus's and the paraphrase sets' names) and the flag each raises.
BEHAVIOUR_FLAGS = {
    "blame_customer": "blames",
    "blame_third_party": "blames",
    "denial": "denies",
    "hostility": "hostile",
    "sarcasm": "sarcastic",
    "legalese_shutdown": "legalese",
    "false_safety": "false_reassurance",
    "keyword_stuffing": "keyword_list",
    "canned": "canned",
    "vague": "vague",
    "non_apology": "non_apology",
    "bare_dm": "bare_dm",
    "over_promise": "over_promises",
    "speculate_cause": "speculates",
    "pii_public": "asks_pii_public",
    "off_topic": "off_topic",
    "ignores_question": "ignores_question",
}
# Flags only the learned layer raises: no rule can see them in words alone.
LEARNED_ONLY = frozenset(
    {"denies", "sarcastic", "canned", "bare_dm", "off_topic", "false_reassurance", "ignores_question"}
)
DETECTOR_WHY = {
    "blames": "Puts the blame on the customer or on someone else.",
    "denies": "Denies the person's account of what happened.",
    "hostile": "Hostile or rude to the person.",
    "sarcastic": "Mocks the person or is sarcastic, even in polite words.",
    "legalese": "Uses policy or legal language to shut the complaint down.",
    "false_reassurance": "Reassures about safety without grounds: give a safety instruction instead.",
    "keyword_list": "Piles up stock words without saying anything about this person's problem.",
    "canned": "A canned line that could answer any complaint.",
    "vague": "Says nothing concrete (no fact, no step, no time).",
    "non_apology": "A conditional or non-apology.",
    "bare_dm": "Only sends the person to private messages, with nothing else.",
    "over_promises": "Promises what nobody can know yet.",
    "speculates": "Guesses at a cause that is not confirmed.",
    "asks_pii_public": "Asks for personal details in public.",
    "off_topic": "Talks about something other than what the person asked.",
    "ignores_question": "Does not answer what the person asked.",
}
# Rule flags given to the head as features (the rules' evidence, never the score alone).
RULE_FEATURES = POSITIVE_FLAGS + NEGATIVE_FLAGS
KINDS = ("reply", "update", "plan", "dm")
RULE_INDEX = {f: i for i, f in enumerate(RULE_FEATURES)}


@dataclass(frozen=True)
class Head:
    """The learned layer's weights (scoring/models/judge-head.json, written by training/train_judge.py).

    The fine-tuned encoder's own heads read the pair embedding: a 1-5 score and one logit per
    behaviour. The stage-2 ridge combines them with the rule flags, the kind of text and its length.
    """

    score_w: np.ndarray  # (384,) on scale * embedding
    score_b: float
    beh_w: np.ndarray  # (behaviours, 384)
    beh_b: np.ndarray  # (behaviours,)
    behaviours: tuple[str, ...]
    thresholds: np.ndarray  # (behaviours,) probability at which a behaviour raises its flag
    stage2_w: np.ndarray
    stage2_b: float
    scale: float
    version: str
    # Harmful vs poor: a logistic on the stage-2 features, fitted on held-out replies labelled 1 or 2.
    # It orders the bottom of the scale (a reply the ridge puts below the thin band), which the 1-5
    # ridge alone barely does. Empty when the head file predates it.
    harm_w: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    harm_b: float = 0.0

    @classmethod
    def load(cls, path: Path = HEAD_FILE) -> Head:
        d = json.loads(path.read_text(encoding="utf-8"))
        f32 = np.float32
        return cls(
            np.asarray(d["score_w"], dtype=f32),
            float(d["score_b"]),
            np.asarray(d["beh_w"], dtype=f32),
            np.asarray(d["beh_b"], dtype=f32),
            tuple(d["behaviours"]),
            np.asarray(d["thresholds"], dtype=f32),
            np.asarray(d["stage2_w"], dtype=f32),
            float(d["stage2_b"]),
            float(d["scale"]),
            str(d.get("version", "")),
            np.asarray(d.get("harm_w", []), dtype=f32),
            float(d.get("harm_b", 0.0)),
        )

    def encoder_outputs(self, emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The encoder heads: the raw 1-5 score and each behaviour's probability."""
        x = emb * self.scale
        return x @ self.score_w + self.score_b, sigmoid(x @ self.beh_w.T + self.beh_b)


POST_CHARS = 160  # the post's gist: its first sentences (fewer tokens, a faster judge)


def pair_text(reply: str, post: str) -> str:
    """What the encoder reads: the reply, then the start of the post it answers (if any)."""
    post = " ".join(post.split())
    if len(post) > POST_CHARS:
        post = post[:POST_CHARS].rsplit(" ", 1)[0]
    return f"{reply} [SEP] {post}" if post else reply


def rule_features(results: Sequence[ToneResult], contexts: Sequence[ToneContext], texts: Sequence[str]) -> np.ndarray:
    rows = []
    for res, ctx, text in zip(results, contexts, texts, strict=True):
        flags = set(res.flags)
        n = max(1, len(text.split()))
        row = [1.0 if f in flags else 0.0 for f in RULE_FEATURES]
        row += [1.0 if ctx.kind == k else 0.0 for k in KINDS]
        row += [np.log1p(n) / 5.0, 1.0 if n < 8 else 0.0, 1.0 if ctx.post_text.strip() else 0.0]
        rows.append(row)
    return np.asarray(rows, dtype=np.float32)


def stage2_features(score: np.ndarray, probs: np.ndarray, rules: np.ndarray) -> np.ndarray:
    return np.hstack([score[:, None], probs, rules]).astype(np.float32)


def sigmoid(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))
    return out


def label_to_score(p: np.ndarray) -> np.ndarray:
    return np.clip(20.0 * p - 10.0, 0.0, 100.0)


@lru_cache(maxsize=1)
def _head() -> Head | None:
    return Head.load() if HEAD_FILE.is_file() else None


@lru_cache(maxsize=1)
def _examples() -> dict[str, tuple[np.ndarray, list[str]]]:
    if not EXAMPLES_FILE.is_file():
        return {}
    data = np.load(EXAMPLES_FILE, allow_pickle=False)
    texts = json.loads(str(data["texts"]))
    return {b: (data[f"e_{b}"].astype(np.float32), texts[b]) for b in texts}


_LOAD_LOCK = threading.Lock()


def warm_up() -> None:
    """Load the encoder and the head now (the console does this in a worker while the briefing shows)."""
    with _LOAD_LOCK:
        _head()
        _examples()
    encoder().warm_up()


HARM_MIX = 0.5  # how far the harm head moves a reply within the bottom 40 points (docs/tone-model.md, step 5)
HARM_WHY = "Reads like a harmful reply (blame, denial, mockery or a shutdown), even with no rule's words."
HARMFUL_BEHAVIOURS = tuple(b for b, f in BEHAVIOUR_FLAGS.items() if f in HARMFUL)


def _harm_evidence(probs: np.ndarray, head: Head, vec: np.ndarray | None) -> str:
    """The harmful behaviour the text reads most like, and its nearest labelled example."""
    j = max((i for i, b in enumerate(head.behaviours) if b in HARMFUL_BEHAVIOURS), key=lambda i: probs[i], default=-1)
    if j < 0:
        return "learned"
    name = head.behaviours[j]
    example = _nearest(name, vec) if vec is not None else ""
    return f"closest to {name.replace('_', ' ')}" + (f"; reads like: {example}" if example else "")


def _nearest(behaviour: str, vec: np.ndarray) -> str:
    bank = _examples().get(behaviour)
    if bank is None:
        return ""
    embs, texts = bank
    i = int(np.argmax(embs @ vec))
    return texts[i]


def judge_many(
    texts: Sequence[str], contexts: Sequence[ToneContext], *, cache: EmbeddingCache | None = None
) -> list[ToneResult]:
    """Judge several texts at once (one batched encoder pass).

    ``cache``: the embeddings to reuse (default: the encoder's own; the judge process keeps one per
    participant). The int8 encoder scales a batch as a whole, so a text batched with others can score
    a point or two apart from the same text judged alone."""
    rules = [analyze(t, c) for t, c in zip(texts, contexts, strict=True)]
    head = _head()
    if head is None or not texts:
        return rules
    emb = encoder().embed([pair_text(t, c.post_text) for t, c in zip(texts, contexts, strict=True)], cache)
    return judge_with(head, texts, contexts, rules, emb)


def judge_with(
    head: Head,
    texts: Sequence[str],
    contexts: Sequence[ToneContext],
    rules: Sequence[ToneResult],
    emb: np.ndarray,
    evidence: bool = True,
) -> list[ToneResult]:
    """The learned layer on top of the rules, given the pair embeddings (training evaluates heads this way)."""
    score, probs = head.encoder_outputs(emb)
    x = stage2_features(score, probs, rule_features(rules, contexts, texts))
    predicted = x @ head.stage2_w + head.stage2_b
    harm = sigmoid(x @ head.harm_w + head.harm_b) if head.harm_w.size else np.full(len(texts), np.nan)
    return [
        _combine(res, ctx, float(predicted[i]), probs[i], head, emb[i] if evidence else None, texts[i], float(harm[i]))
        for i, (res, ctx) in enumerate(zip(rules, contexts, strict=True))
    ]


def _states_known_fact(text: str, ctx: ToneContext) -> bool:
    mine = _content_words(text)
    return any(len(mine & _content_words(fact)) >= 3 for fact in ctx.known_facts)


def band_cap(flags: Iterable[str], hits: Sequence[ToneHit]) -> float:
    """The ceiling of the band the flags put a text in (docs/tone-labelling.md).

    Vagueness alone is poor ("we're looking into it"); an apology or empathy with nothing concrete is
    thin, not poor; a text too short to say much is capped by the rules' own short-text cap instead.
    """
    names = set(flags)
    if names & HARMFUL:
        return HARMFUL_CAP
    poor = names & POOR
    if poor == {"vague"}:
        if next((h.match for h in hits if h.flag == "vague"), "") == "too short to say anything":
            return 100.0
        if names & {"apologises", "empathises", "owns_it"}:
            return THIN_CAP
    return POOR_CAP if poor else 100.0


def judge(text: str, ctx: ToneContext | None = None) -> ToneResult:
    """Judge one text (0-100, flags with their evidence) in its context."""
    return judge_many([text], [ctx or ToneContext()])[0]


def _combine(
    res: ToneResult,
    ctx: ToneContext,
    predicted: float,
    probs: np.ndarray,
    head: Head,
    vec: np.ndarray | None,
    vec_text: str = "",
    harm: float = float("nan"),
) -> ToneResult:
    if res.cap <= 0:
        return res  # nothing to judge (an empty text)
    # Points: what each flag adds to or takes from the score through the stage-2 ridge (20 points a label).
    n_beh = len(head.behaviours)
    hits = [
        h._replace(points=round(20.0 * float(head.stage2_w[1 + n_beh + RULE_INDEX[h.flag]]), 1))
        if h.flag in RULE_INDEX
        else h
        for h in res.hits
    ]
    flags = dict.fromkeys(res.flags)
    statement = ctx.kind in ("update", "plan")
    for j, name in enumerate(head.behaviours):
        flag = BEHAVIOUR_FLAGS[name]
        if probs[j] < head.thresholds[j] or flag in flags:
            continue
        if statement and flag in ("bare_dm", "asks_pii_public", "ignores_question", "off_topic"):
            continue  # a statement to everyone answers no one's question
        if not ctx.post_text.strip() and flag in ("off_topic", "ignores_question"):
            continue
        if flag in ("speculates", "over_promises") and _states_known_fact(vec_text, ctx):
            continue  # it says what a briefing the team knows says: a fact or a decision, not a guess or a promise
        if flag in ("over_promises", "false_reassurance") and states_briefed_safety(vec_text, ctx.known_facts):
            continue  # "the food is safe", as the briefing says: grounded, not a promise or false comfort
        example = _nearest(name, vec) if vec is not None else ""
        flags[flag] = None
        points = round(20.0 * float(head.stage2_w[1 + j]) * float(probs[j]), 1)
        hits.append(ToneHit(flag, points, f"reads like: {example}" if example else "learned", DETECTOR_WHY[flag]))
    score = float(label_to_score(np.asarray(predicted)))
    # A learned flag puts a text in the poor band at most: the harmful band needs a rule's evidence.
    learned = len(flags) > len(res.flags)
    cap = min(res.cap, band_cap(res.flags, res.hits), POOR_CAP if learned else 100.0)
    final = max(0.0, min(cap, score))
    if final <= POOR_CAP and not math.isnan(harm):  # below the thin band: harmful or poor, as the harm head reads it
        lowered = min(cap, (1.0 - HARM_MIX) * final + HARM_MIX * POOR_CAP * (1.0 - harm))
        if harm >= 0.5 and lowered < final - 0.5 and not set(flags) & HARMFUL:
            hits.append(ToneHit("reads_harmful", round(lowered - final, 1), _harm_evidence(probs, head, vec), HARM_WHY))
        final = lowered
    final = round(final)
    positive = tuple(f for f in POSITIVE_FLAGS if f in flags)
    negative = tuple(f for f in NEGATIVE_FLAGS if f in flags)
    return ToneResult(
        final, positive + negative, positive, negative, tuple(hits), res.politeness, res.cap, head.version
    )


def judge_requests(reqs: Sequence[JudgeRequest]) -> list[ToneResult]:
    """Judge the game's texts in this process, each in its context (``scoring.judging`` builds it)."""
    return judge_many([r.text for r in reqs], contexts_for(reqs))


def tone_judge(req: JudgeRequest) -> ToneResult:
    """The engine's judge: one of the trainee's texts judged in the context the debrief uses. The
    journal keeps the judgement (``to_record``) and the debrief reuses it."""
    return judge_requests([req])[0]


def judge_version() -> str:
    """The version of the judge in use: a record made by another one is judged again."""
    head = _head()
    return head.version if head else "rules"


def head_info() -> dict[str, Any]:
    head = _head()
    return {"learned": head is not None, "version": head.version if head else ""}
