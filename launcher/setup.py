"""Prepare what the environments alone do not give: the offline spaCy pipeline and the ONNX graph
of the sentence encoder."""

from __future__ import annotations

import shutil

from launcher.paths import SPACY_MODEL


def build_spacy_model() -> None:
    """Build a blank English pipeline with the lookup lemmatizer (no download needed)."""
    if (SPACY_MODEL / "config.cfg").is_file():
        return
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    SPACY_MODEL.parent.mkdir(parents=True, exist_ok=True)
    tmp = SPACY_MODEL.with_name(SPACY_MODEL.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    tmp.rename(SPACY_MODEL)


def build_sentence_encoder() -> None:
    """Build the ONNX graph of the sentence encoder from the installed weights (once; a few seconds).

    Only the app environment has the `onnx` package that builds it; the Rasa environment loads the
    same file with ONNX Runtime.
    """
    from safety.onnx_encoder import ensure_graph, graph_paths

    if not graph_paths()[1].exists():
        print("kindred: building the sentence encoder for ONNX Runtime (once, a few seconds)", flush=True)
    ensure_graph()


def build_word_table() -> None:
    """The known English words the spelling step of `safety.normalise` reads (once; a few seconds)."""
    from safety.normalise import WORDS_CACHE
    from safety.normalise import build_word_table as build

    if not WORDS_CACHE.is_file():
        build()
