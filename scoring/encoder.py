"""The reply judge's sentence encoder: all-MiniLM-L6-v2, int8, run with onnxruntime.

The model file (``scoring/models/encoder-int8.onnx``, exported by ``training/export_encoder.py``)
has mean pooling and L2 normalisation inside its graph, so this module needs only onnxruntime,
tokenizers and numpy: no torch, nothing downloaded. It loads lazily, once, on first use or when
``warm_up()`` is called (the console calls it from a worker thread while the briefing is shown).
Embeddings are cached per text, so a post answered ten times is encoded once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

MODELS = Path(__file__).resolve().parent / "models"
MODEL_FILE = MODELS / "encoder-int8.onnx"
TOKENIZER_FILE = MODELS / "tokenizer.json"
MAX_TOKENS = 128
DIM = 384
CACHE = 4096
BATCH = 16


EmbeddingCache = OrderedDict[str, np.ndarray]


class EncoderMissing(RuntimeError):
    """The model files are not installed (a broken install): say so plainly."""


class Encoder:
    def __init__(self, model: Path = MODEL_FILE, tokenizer: Path = TOKENIZER_FILE) -> None:
        self.model_path, self.tokenizer_path = model, tokenizer
        self._lock = threading.Lock()
        self._session: Any = None
        self._tok: Any = None
        self._cache: EmbeddingCache = OrderedDict()

    def _load(self) -> None:
        with self._lock:
            if self._session is not None:
                return
            if not self.model_path.is_file() or not self.tokenizer_path.is_file():
                raise EncoderMissing(f"the reply judge's model is missing: {self.model_path} (reinstall Stormdrill)")
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tok = Tokenizer.from_file(str(self.tokenizer_path))
            tok.enable_truncation(MAX_TOKENS)
            tok.no_padding()  # the file pads to 128 tokens; batches are padded here, to their longest text
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            self._tok = tok
            session = ort.InferenceSession(str(self.model_path), opts, providers=["CPUExecutionProvider"])
            # One run at the largest shape sizes the memory arena once: without it every new, longer
            # input grows the arena and a reply costs 5x more (20 ms instead of 4).
            full = np.ones((BATCH, MAX_TOKENS), dtype=np.int64)
            session.run(None, {"input_ids": full, "attention_mask": full})
            self._session = session

    def warm_up(self) -> None:
        """Load the model now (from a worker thread, so that nobody waits for it later)."""
        self._load()
        self.embed(["warm up"])

    @property
    def loaded(self) -> bool:
        return self._session is not None

    def embed(self, texts: Sequence[str], cache: EmbeddingCache | None = None) -> np.ndarray:
        """One unit-length row per text (float32, ``len(texts)`` x 384).

        ``cache``: the embeddings to reuse and keep (default: the encoder's own). The judge process
        keeps one per participant, so each gets what its own in-process encoder would give: int8
        dynamic quantisation scales a batch as a whole, so a text's embedding depends a little on the
        texts it was batched with, and a cache remembers the first."""
        cache = self._cache if cache is None else cache
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            hit = cache.get(text)
            if hit is not None:
                out[i] = hit
            else:
                todo.setdefault(text, []).append(i)
        if not todo:
            return out
        self._load()
        # Batches of similar length pad little: sort the new texts by token count.
        encs = {t: self._tok.encode(_encodable(t) or " ") for t in todo}
        order = sorted(todo, key=lambda t: len(encs[t].ids))
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            width = max(len(encs[t].ids) for t in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, t in enumerate(batch):
                n = len(encs[t].ids)
                ids[row, :n] = encs[t].ids
                mask[row, :n] = 1
            vecs = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            with self._lock:
                for t, v in zip(batch, vecs, strict=True):
                    for i in todo[t]:
                        out[i] = v
                    cache[t] = v
                    if len(cache) > CACHE:
                        cache.popitem(last=False)
        return out


_ENCODER: Encoder | None = None
_ENCODER_LOCK = threading.Lock()


def _encodable(text: str) -> str:
    """The text as the tokenizer can take it: a lone surrogate (pasted or hostile text) becomes U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text


def encoder() -> Encoder:
    """The process's one encoder (loaded on first use)."""
    global _ENCODER
    with _ENCODER_LOCK:
        if _ENCODER is None:
            _ENCODER = Encoder()
        return _ENCODER
