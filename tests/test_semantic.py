"""The sentence encoder and the semantic layer: offline, deterministic, and vetoed by context."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from safety.encoder import shared as encoder
from safety.encoder import vector_from_text, vector_to_text
from safety.rules import shared as rules
from safety.semantic import embed, examples_from_nlu, label_for
from safety.triage import triage


def test_wordpiece_matches_bert_vocabulary() -> None:
    ids = encoder().tokenizer.ids("I can't breathe, café")
    assert ids == [101, 1045, 2064, 1005, 1056, 7200, 1010, 7668, 102]


def test_embeddings_are_unit_length_deterministic_and_meaningful() -> None:
    model = encoder()
    a = model.encode("I want to end my life")
    assert a.shape == (384,) and abs(float(np.linalg.norm(a)) - 1) < 1e-5
    assert np.allclose(a, model.encode("I want to end my life"))
    close = float(a @ model.encode("I don't want to be alive any more"))
    far = float(a @ model.encode("the bus to town was late again"))
    assert close > far + 0.2


def test_hostile_and_huge_input_encodes() -> None:
    assert encoder().encode("\x00" * 10 + "<script>" * 2000).shape == (384,)
    assert encoder().encode("").shape == (384,)


def test_the_vector_sent_to_rasa_round_trips_and_anything_else_is_refused() -> None:
    vector = encoder().encode("I'd like to join a choir")
    sent = vector_to_text(vector)
    assert len(sent) <= 1100  # float16, base64: about 1 KB a message
    back = vector_from_text(sent)
    assert back is not None and float(back @ vector) > 0.999
    # the triage hands the gateway the vector it computed, for exactly that text as the models read it
    assert np.allclose(triage("I'd like to join a choir").vector, embed("I'd like to join a choir"))
    for bad in (
        None,
        42,
        "",
        "not base64 !!",
        vector_to_text(vector[:100]),
        base64.b64encode(np.full(384, np.nan, dtype=np.float16).tobytes()).decode(),
        base64.b64encode(np.zeros(384, dtype=np.float16).tobytes()).decode(),
        "A" * 100_000,
    ):
        assert vector_from_text(bad) is None


def test_training_labels() -> None:
    assert label_for("risk_suicide") == "suicide"
    assert label_for("feeling_lonely") == "lonely"
    assert label_for("greet") == "none"
    labels = {label for _, label in examples_from_nlu()}
    assert {"suicide", "self_harm", "medical_emergency", "abuse", "none", "lonely"} <= labels


@pytest.mark.parametrize(
    ("text", "risk_type"),
    [
        ("i hate myself and i just want to vanish and never come back", "suicide"),
        ("My husband has gone a funny colour and is clutching his chest", "medical_emergency"),
    ],
)
def test_meaning_catches_what_the_rules_miss(text: str, risk_type: str) -> None:
    assert rules().analyse(text).risk == "none"
    found = triage(text)
    assert found.risk == "urgent" and risk_type in found.risk_types


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal, I just want a choir",
        "no I'm not being hurt by anyone, honestly",
        "what should I do if my dad falls when I'm out?",
        "this heat is killing me",
    ],
)
def test_denials_hypotheticals_and_idioms_veto_the_meaning_layer(text: str) -> None:
    assert triage(text).risk == "none"


def test_caring_is_not_strain_until_the_person_says_it_is() -> None:
    """The meaning reads strain into any sentence about caring; strain needs the carer's own words."""
    assert triage("I look after my husband, he has dementia").risk == "none"
    assert triage("I'm 15 and I help look after my mum").risk == "none"
    found = triage("I look after my husband and I'm so tired I can barely think")
    assert "carer_strain" in found.risk_types and found.risk == "concern"
