"""How well a service answers a resident's words: the words part and the meaning part, combined.

A search's words become concepts (`parse`): each word left after dropping little words, with its
synonyms' one form (`categories.canonical`) and related words (`categories.RELATED`). Generic words
("group", "support", "help") weigh less. The words part of a service's score (`lexical`) is the
weighted share of concepts found in its name (full credit) or text (less), or only through a
related word (less again); the meaning part is the cosine of the search's and the service's
sentence embeddings (`directory.vectors`). `score` adds them, with a little more for a service whose
audience or category is the one asked for ("LGBT group" -> audience lgbt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from directory.categories import RELATED, audiences_in, canonical, categories_in

STOPWORDS = frozenset(
    "a an and any anything are around at be can could do does for from get got have i i'm im in is it its "
    "just like looking me my near nearby need of on or our please some someone something somewhere that the "
    "there to us want we what where which who with would you your local area".split()
)
# Words that say little about which service is wanted: they count, but for less, and only find
# services when nothing else in the search does.
WEAK = frozenset(
    "group groups club clubs support supports service services help people person session sessions activity "
    "activities class classes meet meeting place places thing things info information advice".split()
)
WEAK_WEIGHT = 0.3
IN_NAME, IN_TEXT, RELATED_ONLY = 1.0, 0.7, 0.45
# score = SEMANTIC * cosine + LEXICAL * words part + FIELD (audience or category asked for).
SEMANTIC, LEXICAL, FIELD = 1.0, 0.4, 0.15
# A service is shown when its score reaches MIN_SCORE and either a specific word of the search is
# in it or its meaning alone is this close (cosine), so nonsense finds nothing and "youth club"
# for a 40-year-old is not any club.
MIN_SCORE, MEANING_ALONE = 0.35, 0.5
# Services within TIER of each other's score count as equally good, and the nearest comes first.
TIER = 0.06
# Categories too broad to say what a search is for.
BROAD_CATEGORIES = frozenset({"activities"})


@dataclass
class Concept:
    """One word of a search: the word-starts that find it, and related ones that find it less."""

    word: str
    forms: tuple[str, ...]
    related: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass
class Words:
    """A search's words, read."""

    concepts: list[Concept] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    audiences: set[str] = field(default_factory=set)

    def retrieval_terms(self) -> list[str]:
        """Words and phrases to look up in the full-text index: the specific ones if there are any."""
        strong = [c for c in self.concepts if c.weight == 1.0] or self.concepts
        return sorted({term for c in strong for term in (c.word, *c.related)})


def stem(word: str) -> str:
    """A crude stem that still starts the word's other forms ("volunteering" -> "volunteer")."""
    for suffix in ("ings", "ing", "ers", "ies", "er", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _related(tokens: list[str], index: int) -> tuple[str, ...]:
    """Related words for the token at `index`, from it alone or from the phrase it starts."""
    found = list(RELATED.get(tokens[index], ()))
    if index + 1 < len(tokens):
        found += RELATED.get(f"{tokens[index]} {tokens[index + 1]}", ())
    return tuple(canonical(w) for w in found)


def parse(text: str) -> Words:
    """A search's words as weighted concepts, and the audiences and categories they name."""
    value = canonical(text)
    tokens = [t for t in re.findall(r"[a-z0-9+]+", value) if t not in STOPWORDS and len(t) > 1]
    concepts = [
        Concept(t, forms=(stem(t),), related=_related(tokens, i), weight=WEAK_WEIGHT if t in WEAK else 1.0)
        for i, t in enumerate(tokens)
    ]
    return Words(concepts, categories_in(value) - BROAD_CATEGORIES, audiences_in(value))


def _pattern(forms: tuple[str, ...]) -> re.Pattern | None:
    return re.compile("|".join(r"(?<![a-z0-9])" + re.escape(f) for f in forms)) if forms else None


class Matcher:
    """A search's concepts compiled once, to score many services' words quickly."""

    def __init__(self, words: Words) -> None:
        self.concepts = [(c.weight, _pattern(c.forms), _pattern(c.related)) for c in words.concepts]
        self.total = sum(c.weight for c in words.concepts)
        self.only_generic = all(c.weight < 1.0 for c in words.concepts)

    def lexical(self, name: str, document: str) -> tuple[float, bool]:
        """The weighted share of the search's concepts in a service's name or text (0 to 1), and
        whether any specific (not generic) concept is among them."""
        if not self.total:
            return 0.0, False
        name = canonical(name)
        found, specific = 0.0, self.only_generic
        for weight, forms, related in self.concepts:
            credit = _credit(forms, related, name, document)
            found += weight * credit
            specific = specific or (credit > 0 and weight == 1.0)
        return found / self.total, specific


def _credit(forms: re.Pattern, related: re.Pattern | None, name: str, document: str) -> float:
    """How much of a concept a service has: in its name, in its text, or only through a related word."""
    if forms.search(name):
        return IN_NAME
    if forms.search(document):
        return IN_TEXT
    return RELATED_ONLY if related is not None and related.search(document) else 0.0


def field_match(words: Words, categories: str, audiences: str) -> bool:
    """Whether a service is in a category or for an audience the search names."""
    return any(f" {c} " in categories for c in words.categories) or any(f" {a} " in audiences for a in words.audiences)


def score(meaning: float, words_part: float, fits: bool) -> float:
    """How well a service answers a search."""
    return SEMANTIC * meaning + LEXICAL * words_part + (FIELD if fits else 0.0)


def shown(meaning: float, words_part: float, specific: bool, total: float) -> bool:
    """Whether a service answers a search well enough to be shown at all: a good enough score, and
    a specific word of the search in it, or a meaning close enough on its own."""
    return total >= MIN_SCORE and ((words_part > 0 and specific) or meaning >= MEANING_ALONE)


def tier(total: float, best: float) -> int:
    """0 for scores within TIER of the best, 1 for the next band, ..."""
    return int((best - total) / TIER)
