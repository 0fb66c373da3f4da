"""Normalisation: people type in capitals, without apostrophes, in text speak, with typos and emoji.

Property-based (Hypothesis): every positive stays positive and every benign message stays benign under
each transformation of `launcher.perturb` and under any combination of them, for the rule layer and
for the whole triage.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launcher.perturb import TRANSFORMATIONS
from safety.normalise import STEPS, correct, normalise
from safety.rules import shared
from safety.triage import triage
from safety.vocabulary import level_rank

POSITIVE = [
    ("I want to kill myself", "urgent"),
    ("I've taken all the tablets", "urgent"),
    ("I don't want to be here anymore", "urgent"),
    ("nobody would even notice if I was gone", "urgent"),
    ("I'd rather not wake up tomorrow", "urgent"),
    ("I've been saving up my tablets", "urgent"),
    ("months clean and I relapsed tonight", "urgent"),
    ("I want it all to stop", "urgent"),
    ("I keep cutting myself", "urgent"),
    ("mum has fallen and can't get up", "urgent"),
    ("he's got a knife and says he's going to kill me", "urgent"),
    ("my son takes my pension", "concern"),
    ("I'm being bullied at school", "concern"),
    ("I haven't eaten for three days", "concern"),
    ("my flat is freezing and the boiler is broken", "concern"),
    ("I'm caring for my husband with dementia and I'm at breaking point", "concern"),
]

BENIGN = [
    "this heat is killing me",
    "I'd kill for a cuppa",
    "I fell asleep in my chair",
    "I'm not suicidal, I just want a choir",
    "I nearly died laughing at Strictly",
    "The optician said I wasn't safe to drive",
    "I look after my mum who's had a stroke",
    "Will they come to the house or do I have to take him somewhere?",
    "my wife can't do steps",
    "I had a fall last year but I'm fine now",
    "Is there a lunch club near me on Tuesdays?",
    "my feet are killing me after that walk",
]


def rule_level(text: str) -> str:
    return shared().analyse(text).risk


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("IVE TAKEN ALL MY TABLETS 😭", "i have taken all my tablets"),
        ("im gonna kms rn", "i am going to kill myself right now"),
        ("i want to kill my self", "i want to kill myself"),
        ("sooo lonelyyy!!!", "so lonely!"),
        ("i feel sucidal", "i feel suicidal"),
        ("idk what to do 💊", "i do not know what to do pills"),
        ("months clean and i relapsed on sh tonight", "months clean and i relapsed on selfharm tonight"),
        ("odd day today", "odd day today"),
        ("I was ill yesterday", "i was ill yesterday"),
        ("ill be gone by tomorrow", "i will be gone by tomorrow"),
    ],
)
def test_normalise_rewrites_how_people_type(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


def test_spelling_corrects_only_rare_words_near_the_risk_vocabulary() -> None:
    assert correct("sucidal") == "suicidal"
    assert correct("myslef") == "myself"
    assert correct("overdoes") == "overdose"
    # Real words stay as typed, however close to a risk word.
    assert correct("bridges") == "bridges"
    assert correct("skill") == "skill"
    assert correct("garden") == "garden"


@pytest.mark.parametrize(("name", "transform"), list(TRANSFORMATIONS.items()))
def test_each_transformation_keeps_positives_positive(name: str, transform) -> None:  # noqa: ANN001
    for text, level in POSITIVE:
        changed = transform(text)
        assert level_rank(rule_level(changed)) >= level_rank(level), f"{name}: {changed!r}"


@pytest.mark.parametrize(("name", "transform"), list(TRANSFORMATIONS.items()))
def test_each_transformation_keeps_benign_benign(name: str, transform) -> None:  # noqa: ANN001
    for text in BENIGN:
        changed = transform(text)
        assert triage(changed).risk == "none", f"{name}: {changed!r}"


transform_lists = st.lists(st.sampled_from(sorted(TRANSFORMATIONS)), min_size=1, max_size=4)


def apply_all(text: str, names: list[str]) -> str:
    for name in names:
        text = TRANSFORMATIONS[name](text)
    return text


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(POSITIVE), names=transform_lists)
def test_combined_transformations_keep_positives_positive(case: tuple[str, str], names: list[str]) -> None:
    text, level = case
    changed = apply_all(text, names)
    assert level_rank(triage(changed).risk) >= level_rank(level), changed


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.sampled_from(BENIGN), names=transform_lists)
def test_combined_transformations_keep_benign_benign(text: str, names: list[str]) -> None:
    changed = apply_all(text, names)
    assert triage(changed).risk == "none", changed


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalise_never_fails_and_is_stable(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert not any(ord(c) < 32 and c not in "\n\t" for c in once)


def test_every_step_is_named_and_applied_in_order() -> None:
    names = [name for name, _ in STEPS]
    assert names == ["unicode", "case", "repeated letters", "punctuation", "text speak", "spelling"]


def test_an_answer_to_the_assistants_question_is_read_by_the_rules_only() -> None:
    meaning_only = "The heating's on and I've got a hot water bottle, so I'm snug as a bug."
    assert triage(meaning_only).risk == "concern"
    assert triage(meaning_only, answering="access_cost").risk == "none"
    # explicit words still count whatever was asked
    assert triage("I want to kill myself", answering="location").risk == "urgent"
