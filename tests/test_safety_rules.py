"""The rule layer: what must be caught, and what must not (idioms, negations, past, hypotheticals)."""

from __future__ import annotations

import pytest

from safety.rules import normalise, shared

MUST = [
    ("I want to die", "urgent", "suicide"),
    ("kms", "urgent", "suicide"),
    ("i wanna unalive myself", "urgent", "suicide"),
    ("everyone would be better off without me", "urgent", "suicide"),
    ("I've been giving my things away", "urgent", "suicide"),
    ("I'm not sure I want to live anymore", "urgent", "suicide"),
    ("my dad keeps talking about ending his life", "urgent", "suicide"),
    ("I keep cutting myself", "urgent", "self_harm"),
    ("my daughter has been self-harming", "urgent", "self_harm"),
    ("mum has fallen and can't get up", "urgent", "medical_emergency"),
    ("I've got chest pains", "urgent", "medical_emergency"),
    ("he's not breathing", "urgent", "medical_emergency"),
    ("he took 30 tablets", "urgent", "medical_emergency"),
    ("he's got a knife and says he's going to kill me", "urgent", "abuse"),
    ("my son takes my pension", "concern", "abuse"),
    ("I'm being bullied at school", "concern", "abuse"),
    ("my partner won't let me see my friends", "concern", "abuse"),
    ("I haven't eaten for three days", "concern", "self_neglect"),
    ("I've run out of my tablets", "concern", "self_neglect"),
    ("I missed my hospital appointment because there was no bus", "concern", "self_neglect"),
    ("the heating's broken and I can't afford to fix it", "concern", "cold_home"),
    ("my flat is freezing", "concern", "cold_home"),
    ("I'm caring for my husband with dementia and I'm at breaking point", "concern", "carer_strain"),
    ("I look after mum and I can't do this anymore", "concern", "carer_strain"),
]

MUST_NOT = [
    "this heat is killing me",
    "I'd kill for a cuppa",
    "I fell asleep in my chair",
    "I'm not suicidal, I just want a choir",
    "I don't want to die",
    "I had a fall last year but I'm fine",
    "I used to self harm but I've been clean for years",
    "what should I do if my mum falls?",
    "my phone died",
    "I'm dying for a cup of tea",
    "I cut myself shaving",
    "I forgot to take my tablets this morning",
    "my feet are killing me",
    "I nearly died laughing",
    "it's freezing outside today",
    "we fell out over the washing up",
    "I'd never hurt myself",
    "the film about suicide was sad",
]


@pytest.mark.parametrize(("text", "level", "risk_type"), MUST)
def test_risk_is_found(text: str, level: str, risk_type: str) -> None:
    result = shared().analyse(text)
    assert result.risk == level, (text, result)
    assert risk_type in result.risk_types, (text, result)


@pytest.mark.parametrize("text", MUST_NOT)
def test_idioms_negations_and_past_are_not_risk(text: str) -> None:
    result = shared().analyse(text)
    assert result.risk == "none", (text, result.cues)
    assert result.risk_types == []


def test_carer_distress_is_strain_not_suicide() -> None:
    result = shared().analyse("I'm caring for my mum and I can't go on like this")
    assert result.risk_types == ["carer_strain"]
    assert result.risk == "concern"


def test_several_types_in_one_message_are_all_reported() -> None:
    result = shared().analyse("he hits me and I want to die")
    assert result.risk == "urgent"
    assert set(result.risk_types) == {"suicide", "abuse"}


@pytest.mark.parametrize(
    ("text", "lonely"),
    [
        ("I feel so lonely since my wife died", True),
        ("I haven't spoken to anyone in days", True),
        ("nobody ever visits", True),
        ("I'm not lonely, just bored", False),
        ("I'd like to join a choir", False),
    ],
)
def test_loneliness(text: str, lonely: bool) -> None:
    assert shared().analyse(text).loneliness is lonely


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("I'd like to join a choir", "activities"),
        ("I can't drive anymore, how would I get there", "transport"),
        ("I'd like someone to visit me", "befriending"),
        ("I need a break from caring for my husband", "respite"),
        ("hello", "none"),
    ],
)
def test_need(text: str, need: str) -> None:
    assert shared().analyse(text).need == need


def test_age_is_read_from_the_message() -> None:
    assert shared().analyse("I'm 15 and I want to die").age == 15
    assert shared().analyse("I'm 79 and my grandson takes my pension").older


def test_hostile_and_huge_input_is_handled() -> None:
    assert shared().analyse("<script>alert(1)</script>'; DROP TABLE messages;--").risk == "none"
    assert shared().analyse("\x00\x01 " * 5000).risk == "none"
    assert shared().analyse("").risk == "none"


def test_normalise_expands_slang_and_contractions() -> None:
    assert normalise("I can’t, I wanna kms") == "i can not, i want to kill myself"


def test_every_need_has_patterns_and_no_pattern_names_an_unknown_need() -> None:
    from safety.patterns import NEEDS_PATTERNS
    from safety.vocabulary import NEEDS

    assert set(NEEDS_PATTERNS) == set(NEEDS) - {"none"}
