"""What the gateway already computed for a message (its sentence embedding), kept in memory briefly.

The gateway triages every message with the MiniLM encoder before Rasa sees it, and sends the
embedding along. Kindred's callback channel (`nlu.callback_channel`) takes the embedding out of the
message's metadata, so it is not stored in the tracker with every event, and keeps it here by the
text's SHA-256 for the NLU components of the same Rasa process to pick up a moment later.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

DIMENSIONS = 384
_KEEP = 4096
_embeddings: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def take_embedding(metadata: dict | None) -> dict | None:
    """Remember `metadata["kindred"]["embedding"]` by its sha256; return the metadata without it."""
    if not isinstance(metadata, dict) or not isinstance(metadata.get("kindred"), dict):
        return metadata
    kindred = dict(metadata["kindred"])
    values = kindred.pop("embedding", None)
    sha = kindred.get("sha256")
    if isinstance(sha, str) and isinstance(values, list) and len(values) == DIMENSIONS:
        try:
            vector = np.asarray(values, dtype=np.float32)
        except (TypeError, ValueError):
            vector = None
        if vector is not None and np.all(np.isfinite(vector)):
            with _lock:
                _embeddings[sha] = vector
                _embeddings.move_to_end(sha)
                while len(_embeddings) > _KEEP:
                    _embeddings.popitem(last=False)
    return {**metadata, "kindred": kindred}


def embedding(sha: str | None) -> np.ndarray | None:
    """The gateway's embedding of the text with this SHA-256, if it sent one recently."""
    if not sha:
        return None
    with _lock:
        return _embeddings.get(sha)
