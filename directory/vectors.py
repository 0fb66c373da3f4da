"""Sentence embeddings of services, for the semantic part of search.

The encoder is the one the assistant already runs (`safety.encoder.shared()`: all-MiniLM-L6-v2 on
ONNX Runtime). A service's vector is computed when its search document is written (import, edit,
`reindex`) and stored with it as float16 bytes (768 per service); a search encodes only its own
words and compares them with the stored vectors of the services its filters allow.
"""

from __future__ import annotations

import numpy as np

from safety.encoder import DIMENSIONS, shared

# Characters of a service's text that are embedded: the encoder reads 126 word pieces at most.
TEXT_CHARS = 700


def embedding_text(name: str, labels: str, description: str) -> str:
    """What a service's vector is computed from: its name, its categories, then its description."""
    return " ".join(f"{name}. {labels}. {description}".split())[:TEXT_CHARS]


def encode_text(text: str) -> bytes:
    """The stored form (float16 bytes) of a text's vector."""
    return np.asarray(shared().encode(text), dtype=np.float16).tobytes()


def encode_document(name: str, labels: str, description: str) -> bytes:
    """The stored vector of a service."""
    return encode_text(embedding_text(name, labels, description))


def encode_query(text: str) -> np.ndarray:
    """A search's words as a unit float32 vector."""
    return shared().encode(text)


def similarities(query: np.ndarray, stored: list[bytes]) -> np.ndarray:
    """Cosine similarity of the query with each stored vector (both are unit length)."""
    if not stored:
        return np.zeros(0, dtype=np.float32)
    matrix = np.frombuffer(b"".join(stored), dtype=np.float16).reshape(len(stored), DIMENSIONS)
    return matrix.astype(np.float32) @ query
