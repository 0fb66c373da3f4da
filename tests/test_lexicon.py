"""The Suicide Risk Lexicon v1.0: Kindred's risk coverage is built from its reviewed phrases."""

from __future__ import annotations

import pytest

from safety.lexicon import CUE_CONSTRUCTS, EXCLUDED, SUPPORT_CONSTRUCTS, constructs, cue_phrases, support_phrases
from safety.rules import shared
from safety.triage import triage


def test_the_vendored_lexicon_has_every_construct_kindred_uses() -> None:
    table = constructs()
    for name in (*CUE_CONSTRUCTS, *SUPPORT_CONSTRUCTS):
        assert table[name].phrases, name
        assert table[name].definition, name
    assert len(table) >= 45


@pytest.mark.parametrize(("phrase", "risk_type", "construct"), cue_phrases())
def test_every_reviewed_risk_phrase_is_urgent(phrase: str, risk_type: str, construct: str) -> None:
    found = triage(phrase)
    assert found.risk == "urgent" and risk_type in found.risk_types, (construct, found.risk, found.risk_types)


@pytest.mark.parametrize(("phrase", "risk_type", "construct"), support_phrases())
def test_every_reviewed_distress_phrase_is_a_second_signal(phrase: str, risk_type: str, construct: str) -> None:
    assert risk_type in shared().analyse(phrase).support, construct


def test_excluded_phrases_are_not_used_and_each_has_a_reason() -> None:
    used = {p.lower() for p, _t, _c in cue_phrases() + support_phrases()}
    assert not used & set(EXCLUDED)
    assert all(reason for reason in EXCLUDED.values())


def test_an_excluded_idiom_stays_benign() -> None:
    assert triage("my mum will kill me if I'm late again").risk == "none"
