"""The words model (safety.lexical) and how triage uses it: a second signal that confirms the
meaning's reading, never a reason to raise risk on its own (issue 13, point 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from safety.lexical import LexicalTriage
from safety.lexical import shared as words
from safety.rules import Assessment
from safety.semantic import SemanticResult
from safety.triage import confirmed_by_words, decide_meaning, triage

EXAMPLES = [
    ("i want to end it all tonight", "suicide"),
    ("im going to kill myself", "suicide"),
    ("nobody would miss me if i was gone", "suicide"),
    ("i cut my arms again last night", "self_harm"),
    ("lovely weather for a walk", "none"),
    ("what time does the lunch club start", "none"),
    ("the choir meets on tuesdays", "none"),
]


def test_probabilities_cover_every_label_and_sum_to_one(tmp_path: Path) -> None:
    model = LexicalTriage(EXAMPLES, cache=tmp_path)
    p = model.probabilities("i want to end it all")
    assert set(p) == {"suicide", "self_harm", "none"}
    assert abs(sum(p.values()) - 1) < 1e-6
    assert max(p, key=p.get) == "suicide"


def test_the_fitted_model_is_cached_and_reused(tmp_path: Path) -> None:
    first = LexicalTriage(EXAMPLES, cache=tmp_path)
    cached = list(tmp_path.glob("lexical-*.joblib"))
    assert len(cached) == 1
    again = LexicalTriage(EXAMPLES, cache=tmp_path)
    assert again.probabilities("kms") == first.probabilities("kms")
    LexicalTriage([*EXAMPLES, ("ive got the rope ready", "suicide")], cache=tmp_path)
    assert len(list(tmp_path.glob("lexical-*.joblib"))) == 2  # other examples, another model


def test_hostile_and_huge_input_is_read() -> None:
    for text in ["", "\x00\x1b[31m", "<script>alert(1)</script>", "'; DROP TABLE x; --", "a" * 100_000]:
        assert set(words().probabilities(text)) >= {"suicide", "none"}


def meaning(**probability: float) -> SemanticResult:
    return SemanticResult({"none": 0.1, **probability}, False)


def test_the_words_alone_never_raise_anything() -> None:
    """High words, low meaning: not confirmed; nothing is added."""
    found = Assessment()
    quiet = meaning(suicide=0.1)
    assert confirmed_by_words(quiet, {"suicide": 0.99}) == set()
    decide_meaning(found, quiet, confirmed=confirmed_by_words(quiet, {"suicide": 0.99}))
    assert found.risk == "none"


def test_meaning_without_the_words_only_asks() -> None:
    found = Assessment()
    decide_meaning(found, meaning(suicide=0.95))
    assert found.risk == "concern" and found.ask == "suicide"


def test_meaning_confirmed_by_the_words_is_urgent() -> None:
    found = Assessment()
    reading = meaning(suicide=0.5)
    assert confirmed_by_words(reading, {"suicide": 0.45}) == set()  # the words not sure enough
    decide_meaning(found, reading, confirmed=confirmed_by_words(reading, {"suicide": 0.6}))
    assert found.risk == "urgent" and "suicide" in found.risk_types and found.ask is None


def test_abuse_confirmed_by_the_words_counts_without_the_rules_words() -> None:
    found = Assessment()
    reading = meaning(abuse=0.5)
    decide_meaning(found, reading)
    assert "abuse" not in found.risk_types  # the embeddings alone read abuse into family life
    decide_meaning(found, reading, confirmed=confirmed_by_words(reading, {"abuse": 0.7}))
    assert "abuse" in found.risk_types


@pytest.mark.parametrize(
    "text",
    [
        "the doctor asked if I ever felt like killing myself and I said no",
        "I'm not suicidal, I just want a choir",
        "I could kill for a cuppa right now",
        "my knees are killing me on these stairs",
        "If I hear that Christmas song once more I'll scream",
        "I look after my husband, he has dementia",
        "It's bad manners to die first, my mother used to say",
        "she always said it was rude to go first",
        # short conversational replies the words model once confirmed (conversation journeys)
        "finished work in july after 31 yrs as a school cook and honest to god i dont know what to do with meself",
        "i mean id like to have a friend eventually. in real life. just not yet",
        "Do I qualify? I don't live with Mum, I just go round morning and night and do her tablets and meals.",
    ],
)
def test_discounted_and_everyday_messages_stay_calm(text: str) -> None:
    assert triage(text).risk == "none"


@pytest.mark.parametrize(
    "text",
    [
        "been saving my tablets for weeks now. tonights the night",
        "NOBODY WOULD EVEN NOTICE IF I WAS GONE",
        "months clean and i relapsed tonight, the blade was right there",
    ],
)
def test_plain_risk_typed_as_people_type_is_urgent(text: str) -> None:
    assert triage(text).risk == "urgent"
