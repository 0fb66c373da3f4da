"""Prepare what the environments alone do not give: the offline spaCy pipeline."""

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
