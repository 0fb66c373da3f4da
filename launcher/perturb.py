"""How people really type a message: the transformations the triage must be indifferent to.

Used by `./kindred eval triage` (the perturbation report: how often a positive flips under each)
and by the property-based tests in tests/test_normalise.py. Each transformation is deterministic,
takes a message and returns the same message as someone else might have typed it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_APOSTROPHES = re.compile(r"['\u2019]")
_REFLEXIVE = re.compile(r"\b(my|your|him|her)(self)\b", re.IGNORECASE)
_SPEAK = [
    (re.compile(r"\bI'?m\b", re.IGNORECASE), "im"),
    (re.compile(r"\bI'?ve\b", re.IGNORECASE), "ive"),
    (re.compile(r"\bdon'?t\b", re.IGNORECASE), "dont"),
    (re.compile(r"\bcan'?t\b", re.IGNORECASE), "cant"),
    (re.compile(r"\b(I'?m|I am) going to\b", re.IGNORECASE), "im gonna"),
    (re.compile(r"\bwant to\b", re.IGNORECASE), "wanna"),
    (re.compile(r"\bright now\b", re.IGNORECASE), "rn"),
    (re.compile(r"\bkill myself\b", re.IGNORECASE), "kms"),
    (re.compile(r"\byou\b", re.IGNORECASE), "u"),
    (re.compile(r"\bbecause\b", re.IGNORECASE), "cos"),
    (re.compile(r"\bpeople\b", re.IGNORECASE), "ppl"),
    (re.compile(r"\btonight\b", re.IGNORECASE), "2nite"),
]
_LONG_WORD = re.compile(r"[A-Za-z]{6,}")


def capitals(text: str) -> str:
    """ALL CAPITALS."""
    return text.upper()


def no_apostrophes(text: str) -> str:
    """ "I've" typed as "Ive"."""
    return _APOSTROPHES.sub("", text)


def split_reflexive(text: str) -> str:
    """ "myself" typed as "my self"."""
    return _REFLEXIVE.sub(r"\1 \2", text)


def text_speak(text: str) -> str:
    """Lower case, no full stops, and the usual abbreviations."""
    text = text.lower().replace(".", "")
    for pattern, short in _SPEAK:
        text = pattern.sub(short, text)
    return text


def one_typo(text: str) -> str:
    """Two letters swapped in the longest word, as a thumb on a phone does."""
    words = _LONG_WORD.findall(text)
    if not words:
        return text
    word = max(words, key=len)
    middle = len(word) // 2
    typo = word[: middle - 1] + word[middle] + word[middle - 1] + word[middle + 1 :]
    return text.replace(word, typo, 1)


def trailing_emoji(text: str) -> str:
    """A sad face at the end."""
    return text.rstrip() + " 😔"


def apologetic(text: str) -> str:
    """ "sorry to bother you but ... help"."""
    body = text.strip()
    body = body[:1].lower() + body[1:] if body[:2] != "I " else body
    return f"Sorry to bother you but {body} help"


def stretched(text: str) -> str:
    """Letters repeated for emphasis ("sooo") in the longest word."""
    words = _LONG_WORD.findall(text)
    if not words:
        return text
    word = max(words, key=len)
    return text.replace(word, word + word[-1] * 3, 1)


TRANSFORMATIONS: dict[str, Callable[[str], str]] = {
    "capitals": capitals,
    "no apostrophes": no_apostrophes,
    "my self": split_reflexive,
    "text speak": text_speak,
    "one typo": one_typo,
    "trailing emoji": trailing_emoji,
    "sorry to bother you": apologetic,
    "stretched letters": stretched,
}
