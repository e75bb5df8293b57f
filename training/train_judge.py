"""Fit the reply judge's learned layer on top of the fine-tuned encoder (see training/README.md).

Runs in the project's own environment (numpy and ONNX encoders; no torch):

    .venv/bin/python training/train_judge.py --holdout-model A --holdout-onnx A-onnx --final-model B

A is training/finetune.py run with --holdout (some writers left out), B the same run on everything.
On A's held-out rows (text it never saw) this fits what must not be fitted on training text: the
detectors' thresholds (at most 3% of good replies raise a flag) and the stage-2 ridge that combines
the encoder's score and behaviours with the rule flags. The final model is B's encoder and heads
with those. It also stores, per behaviour, labelled examples whose nearest one is a learned flag's
evidence.

Data (docs/tone-model.md): the labelled corpus in training/corpus/ (several writers, 30+ crises),
the earlier labelled sets in tests/data (tone_dev, tone_blind, tone_blind2: their blind figures were
reported before they joined the pool), and paraphrase set A (training/paraphrases/set_a.jsonl) for
the detectors, and blind sets 3, 4 and 5 (tests/data/blind3, blind4, blind5, folded in after their
figures were reported; the next claim needs blind set 6, never trained on). Never a current blind
set nor paraphrase set B
(tests/data/paraphrases_check.jsonl): those are scored, not learned from.

Deterministic: no randomness but a seeded bootstrap, so the same data give the same files.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.devset import context, load_rows  # noqa: E402
from scoring.encoder import Encoder, encoder  # noqa: E402
from scoring.judge import (  # noqa: E402
    BEHAVIOUR_FLAGS,
    EXAMPLES_FILE,
    HEAD_FILE,
    Head,
    judge_with,
    pair_text,
    rule_features,
    stage2_features,
)
from scoring.stats import auc, spearman  # noqa: E402
from scoring.tone import analyze  # noqa: E402

# Corpus styles (free text written by the writers) -> behaviours. First match wins.
STYLE_RULES = [
    ("customer", "blame_customer"),
    ("third", "blame_third_party"),
    ("false", "false_safety"),
    ("denial", "denial"),
    ("deny", "denial"),
    ("denies", "denial"),
    ("sarcas", "sarcasm"),
    ("mock", "sarcasm"),
    ("passive", "sarcasm"),
    ("patronis", "sarcasm"),
    ("condescen", "sarcasm"),
    ("hostile", "hostility"),
    ("legal", "legalese_shutdown"),
    ("over-promis", "over_promise"),
    ("overpromis", "over_promise"),
    ("over promis", "over_promise"),
    ("specul", "speculate_cause"),
    ("personal data", "pii_public"),
    ("pii", "pii_public"),
    ("off-topic", "off_topic"),
    ("off topic", "off_topic"),
    ("ignor", "ignores_question"),
    ("keyword", "keyword_stuffing"),
    ("stuff", "keyword_stuffing"),
    ("canned", "canned"),
    ("bare dm", "bare_dm"),
    ("non-apology", "non_apology"),
    # blame in other words: of a supplier, partner, contractor, the weather... (label <= 3 only)
    ("near-miss", "blame_third_party"),
    ("blam", "blame_third_party"),
    ("shifts", "blame_third_party"),
    ("deflect", "blame_third_party"),
]


def load(path: Path, group: str) -> list[dict[str, Any]]:
    return [{**r, "group": group} for r in load_rows(path)]


# Corpora since w13 start a faulty row's style with one of these tags (their brief says so): the tag
# decides, whatever words follow ("sarcasm at other customers" is sarcasm, not blaming the customer).
STYLE_TAGS = [
    ("blames customer", "blame_customer"),
    ("blames third party", "blame_third_party"),
    ("false safety", "false_safety"),
    ("denial", "denial"),
    ("sarcasm", "sarcasm"),
    ("hostile", "hostility"),
    ("legalese", "legalese_shutdown"),
    ("over-promise", "over_promise"),
    ("speculation", "speculate_cause"),
    ("personal data in public", "pii_public"),
    ("off-topic", "off_topic"),
    ("ignores question", "ignores_question"),
    ("keyword stuffing", "keyword_stuffing"),
    ("canned", "canned"),
    ("bare dm", "bare_dm"),
    ("non-apology", "non_apology"),
]


def style_behaviour(style: str) -> str | None:
    s = (style or "").lower()
    for tag, b in STYLE_TAGS:
        if s.startswith(tag):
            return b
    for key, b in STYLE_RULES:
        if key in s:
            return b
    return None


def training_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for f in sorted(glob.glob(str(ROOT / "training" / "corpus" / "*.jsonl"))):
        rows += load(Path(f), Path(f).stem)
    for name in ("tone_dev", "tone_blind", "tone_blind2"):
        rows += load(ROOT / "tests" / "data" / f"{name}.jsonl", name)
    # Blind sets join the pool once their figures are reported (training/figures-blind3.json ... -blind9.json).
    # The shipped judge (6878rows-ft-C) was trained before blind sets 8 and 9 and corpus w15 joined.
    for blind in ("blind3", "blind4", "blind5", "blind6", "blind7", "blind8", "blind9"):
        for part in ("ordinary", "hard", "adversarial", "live"):
            path = ROOT / "tests" / "data" / blind / f"{part}.jsonl"
            if path.exists():  # "live" (short replies to the crowd mid-storm) since blind set 6
                rows += load(path, blind)
    return rows


def paraphrase_rows() -> list[dict[str, Any]]:
    return load(ROOT / "training" / "paraphrases" / "set_a.jsonl", "para_a")


class Prepared:
    """Rule results and pair embeddings of a list of rows, computed once with a given encoder."""

    def __init__(self, rows: list[dict[str, Any]], enc: Encoder) -> None:
        self.rows = rows
        self.texts = [r["reply"] for r in rows]
        self.contexts = [context(r) for r in rows]
        self.rules = [analyze(t, c) for t, c in zip(self.texts, self.contexts, strict=True)]
        self.emb = enc.embed([pair_text(t, c.post_text) for t, c in zip(self.texts, self.contexts, strict=True)])
        self.rulef = rule_features(self.rules, self.contexts, self.texts)
        self.labels = np.asarray([float(r.get("label", 0)) for r in rows], dtype=np.float64)


def load_heads(model_dir: Path) -> dict[str, Any]:
    return json.loads((model_dir / "heads.json").read_text(encoding="utf-8"))


def make_head(
    heads: dict[str, Any],
    thresholds: np.ndarray,
    w2: np.ndarray,
    b2: float,
    version: str,
    detectors: tuple[np.ndarray, np.ndarray] | None = None,
    harm: tuple[np.ndarray, float] | None = None,
) -> Head:
    beh_w, beh_b = detectors if detectors is not None else (heads["beh_w"], heads["beh_b"])
    return Head(
        np.asarray(heads["score_w"], dtype=np.float32),
        float(heads["score_b"]),
        np.asarray(beh_w, dtype=np.float32),
        np.asarray(beh_b, dtype=np.float32),
        tuple(BEHAVIOUR_FLAGS),
        np.asarray(thresholds, dtype=np.float32),
        np.asarray(w2, dtype=np.float32),
        float(b2),
        float(heads["scale"]),
        version,
        np.asarray(harm[0] if harm is not None else [], dtype=np.float32),
        float(harm[1]) if harm is not None else 0.0,
    )


def logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression by Newton's method (deterministic)."""
    xb = np.hstack([x, np.ones((x.shape[0], 1))]).astype(np.float64)
    beta = np.zeros(xb.shape[1])
    reg = np.full(xb.shape[1], l2)
    reg[-1] = 1e-6
    for _ in range(30):
        p = 1 / (1 + np.exp(-np.clip(xb @ beta, -30, 30)))
        g = xb.T @ (w * (p - y)) + reg * beta
        h = (xb * (w * p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(h, g)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    return beta[:-1], float(beta[-1])


def detector_data(behaviour: str, data: Prepared, para: Prepared) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows showing a behaviour (corpus rows of that style rated 1-3, paraphrases) against rows that do
    not (good replies, near misses, the positive behaviours' paraphrases, other styles at a lower weight)."""
    xs, ys, ws = [], [], []
    for i, r in enumerate(data.rows):
        b = style_behaviour(r.get("style", ""))
        if b == behaviour and r["label"] <= 3:
            xs.append(data.emb[i]), ys.append(1.0), ws.append(1.0)
        elif r["label"] >= 4:
            xs.append(data.emb[i]), ys.append(0.0), ws.append(1.0)
        elif b is not None and b != behaviour:
            xs.append(data.emb[i]), ys.append(0.0), ws.append(0.3)
    for i, r in enumerate(para.rows):
        b = r["behaviour"].removesuffix("_not")
        if b == behaviour:
            xs.append(para.emb[i]), ys.append(1.0 if r["present"] else 0.0), ws.append(1.0)
        elif r["present"] and b not in BEHAVIOUR_FLAGS:
            xs.append(para.emb[i]), ys.append(0.0), ws.append(1.0)
    y, w = np.asarray(ys), np.asarray(ws)
    pos, neg = max(1.0, float((w * y).sum())), max(1.0, float((w * (1 - y)).sum()))
    w = np.where(y == 1, w * (neg / pos) ** 0.5, w)
    return np.asarray(xs, dtype=np.float64), y, w


def fit_detectors(data: Prepared, para: Prepared, scale: float, l2: float = 3.0) -> tuple[np.ndarray, np.ndarray]:
    """One logistic detector per behaviour on the encoder's embeddings (the behaviour heads)."""
    ws, bs = [], []
    for behaviour in BEHAVIOUR_FLAGS:
        x, y, w = detector_data(behaviour, data, para)
        wv, b = logistic(x * scale, y, w, l2)
        ws.append(wv)
        bs.append(b)
    return np.asarray(ws, dtype=np.float32), np.asarray(bs, dtype=np.float32)


def fit_stage2(x: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, float]:
    mean = x.mean(axis=0)
    xc = x - mean
    ym = y.mean()
    w = np.linalg.solve(xc.T @ xc + alpha * np.eye(x.shape[1]), xc.T @ (y - ym))
    return w, float(ym - mean @ w)


def fit_harm(x: np.ndarray, labels: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, float]:
    """Harmful (1) vs poor (2): a logistic on the stage-2 features of the replies labelled 1 or 2."""
    m = labels <= 2
    y = (labels[m] == 1).astype(np.float64)
    return logistic(x[m], y, np.ones(int(m.sum())), l2)


def thresholds_for(head: Head, data: Prepared, fp_rate: float) -> np.ndarray:
    """Per behaviour: the probability that at most ``fp_rate`` of good replies (4-5) reach, and at least 0.5."""
    _, probs = head.encoder_outputs(data.emb)
    good = probs[data.labels >= 4]
    return np.asarray([max(0.5, float(np.quantile(good[:, j], 1 - fp_rate))) for j in range(probs.shape[1])])


def stage2_x(head: Head, data: Prepared) -> np.ndarray:
    score, probs = head.encoder_outputs(data.emb)
    return stage2_features(score, probs, data.rulef).astype(np.float64)


def scores(head: Head, data: Prepared) -> np.ndarray:
    res = judge_with(head, data.texts, data.contexts, data.rules, data.emb, evidence=False)
    return np.asarray([r.score for r in res], dtype=np.float64)


def example_bank(data: Prepared, para: Prepared) -> tuple[dict[str, np.ndarray], dict[str, list[str]]]:
    """Labelled examples of each behaviour, so a learned flag can show the nearest one as its evidence."""
    embs: dict[str, np.ndarray] = {}
    texts: dict[str, list[str]] = {}
    for behaviour in BEHAVIOUR_FLAGS:
        idx = [i for i, r in enumerate(para.rows) if r["behaviour"] == behaviour and r["present"]]
        chosen = [para.texts[i] for i in idx]
        vecs = [para.emb[i] for i in idx]
        for i, r in enumerate(data.rows):
            if style_behaviour(r.get("style", "")) == behaviour and r["label"] <= 2 and len(chosen) < 60:
                chosen.append(data.texts[i])
                vecs.append(data.emb[i])
        if chosen:
            embs[f"e_{behaviour}"] = np.asarray(vecs, dtype=np.float16)
            texts[behaviour] = chosen
    return embs, texts


def save(head: Head, embs: dict[str, np.ndarray], texts: dict[str, list[str]], meta: dict[str, Any]) -> None:
    def r(v: np.ndarray) -> Any:
        return np.round(np.asarray(v, dtype=np.float64), 6).tolist()

    payload = {
        "version": head.version,
        **meta,
        "scale": head.scale,
        "behaviours": list(head.behaviours),
        "thresholds": r(head.thresholds),
        "score_w": r(head.score_w),
        "score_b": round(head.score_b, 6),
        "beh_w": r(head.beh_w),
        "beh_b": r(head.beh_b),
        "stage2_w": r(head.stage2_w),
        "stage2_b": round(head.stage2_b, 6),
        "harm_w": r(head.harm_w),
        "harm_b": round(head.harm_b, 6),
    }
    HEAD_FILE.write_text(json.dumps(payload, separators=(",", ":")) + "\n", encoding="utf-8")
    np.savez_compressed(EXAMPLES_FILE, texts=np.asarray(json.dumps(texts, ensure_ascii=False)), **embs)


def main() -> None:
    ap = argparse.ArgumentParser(description="Fit the reply judge's learned layer on a fine-tuned encoder.")
    ap.add_argument(
        "--holdout-model", type=Path, required=True, help="finetune.py output trained without --holdout groups"
    )
    ap.add_argument("--holdout-onnx", type=Path, required=True, help="that model exported by export_encoder.py")
    ap.add_argument("--final-model", type=Path, required=True, help="finetune.py output trained on everything")
    ap.add_argument("--alpha", type=float, default=10.0)
    ap.add_argument("--fp-rate", type=float, default=0.03)
    ap.add_argument("--harm-l2", type=float, default=1.0)
    args = ap.parse_args()
    rows = training_rows()
    heads_a = load_heads(args.holdout_model)
    hold = set(heads_a["holdout"])
    held = [r for r in rows if r["group"] in hold]
    enc_a = Encoder(args.holdout_onnx / "encoder-int8.onnx", args.holdout_onnx / "tokenizer.json")
    data_a = Prepared(held, enc_a)
    # Behaviour detectors fitted on A's training rows; their thresholds set on the held-out rows.
    train_a = Prepared([r for r in rows if r["group"] not in hold], enc_a)
    para_a = Prepared(paraphrase_rows(), enc_a)
    det_a = fit_detectors(train_a, para_a, float(heads_a["scale"]))
    base = make_head(heads_a, np.full(len(BEHAVIOUR_FLAGS), 0.5), np.zeros(1), 0.0, "", det_a)
    thresholds = thresholds_for(base, data_a, args.fp_rate)
    base = make_head(heads_a, thresholds, np.zeros(1), 0.0, "", det_a)
    x = stage2_x(base, data_a)
    report: dict[str, Any] = {"holdout": sorted(hold), "n": len(held)}
    # Stage 2 measured by two-fold cross-fitting on the held-out rows, then fitted on all of them.
    idx = np.arange(len(held))
    folds = [idx % 2 == 0, idx % 2 == 1]
    pred = np.zeros(len(held))
    pred_noharm = np.zeros(len(held))
    for f in folds:
        w2, b2 = fit_stage2(x[~f], data_a.labels[~f], args.alpha)
        harm_f = fit_harm(x[~f], data_a.labels[~f], args.harm_l2)
        pred[f] = scores(make_head(heads_a, thresholds, w2, b2, "", det_a, harm_f), data_a)[f]
        pred_noharm[f] = scores(make_head(heads_a, thresholds, w2, b2, "", det_a), data_a)[f]
    for g in sorted(hold):
        m = np.asarray([r["group"] == g for r in held])
        enc_only = base.encoder_outputs(data_a.emb[m])[0]
        lab = data_a.labels[m]
        report[g] = {
            "encoder_head": round(spearman(list(enc_only), list(lab)), 3),
            "judge_crossfit": round(spearman(list(pred[m]), list(lab)), 3),
            "auc_poor_vs_harmful_crossfit": round(auc(list(pred[m][lab == 2]), list(pred[m][lab == 1])), 3),
            "auc_poor_vs_harmful_without_harm_head": round(
                auc(list(pred_noharm[m][lab == 2]), list(pred_noharm[m][lab == 1])), 3
            ),
        }
    _, probs = base.encoder_outputs(data_a.emb)
    fired = probs >= thresholds[None, :]
    good = data_a.labels >= 4
    report["detectors_on_holdout"] = {
        b: {
            "good_replies_flagged": round(float(fired[good, j].mean()), 3),
            "style_rows_caught": f"{int(fired[styled, j].sum())}/{int(styled.sum())}"
            if (
                styled := np.asarray([style_behaviour(r.get("style", "")) == b and r["label"] <= 3 for r in held])
            ).any()
            else "0/0",
        }
        for j, b in enumerate(BEHAVIOUR_FLAGS)
    }
    w2, b2 = fit_stage2(x, data_a.labels, args.alpha)
    harm = fit_harm(x, data_a.labels, args.harm_l2)
    print(json.dumps({"stage2_validation": report}))
    heads_b = load_heads(args.final_model)
    version = f"{len(rows)}rows-{Path(args.final_model).name}"
    enc = encoder()
    data = Prepared(rows, enc)
    para = Prepared(paraphrase_rows(), enc)
    det_b = fit_detectors(data, para, float(heads_b["scale"]))
    head = make_head(heads_b, thresholds, w2, b2, version, det_b, harm)
    embs, texts = example_bank(data, para)
    groups = sorted({r["group"] for r in rows})
    save(head, embs, texts, {"trained_on": groups, "stage2_fitted_on": sorted(hold)})
    print(f"wrote {HEAD_FILE.relative_to(ROOT)} and {EXAMPLES_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
