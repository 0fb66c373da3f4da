"""The Suicide Risk Lexicon v1.0 (Low et al., 2024; Apache-2.0): clinically defined constructs with
phrases reviewed by clinicians, vendored in `safety/lexicon/` with its licence.

Kindred's risk coverage is built from it rather than from memory:
- the reviewed phrases of the constructs that are risk on their own (passive and active suicidal
  ideation, other suicidal language, direct self-injury) are rule cues (`safety.rules`) and
  labelled examples for the semantic layer (`safety.semantic`);
- the phrases of the constructs that are distress around risk (hopelessness, burdensomeness,
  entrapment, lethal means) are the second signal that lets the semantic layer's reading be urgent.

A few phrases are left out, each with its reason in `EXCLUDED`: clinical terms people don't type,
and phrases that are ordinary talk in UK English. The datasets that ship in the same PyPI wheel are
reserved for independent evaluation and are not here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "lexicon" / "suicide_risk_lexicon_v1-0"
PHRASES = FOLDER / "validated_prototypical_tokens.csv"

# Constructs whose phrases are risk on their own, with the risk type each means.
CUE_CONSTRUCTS: dict[str, str] = {
    "Passive suicidal ideation": "suicide",
    "Active suicidal ideation & suicidal planning": "suicide",
    "Other suicidal language": "suicide",
    "Direct self-injury": "self_harm",
}
# Constructs whose phrases support the semantic layer's reading of the risk type.
SUPPORT_CONSTRUCTS: dict[str, str] = {
    "Hopelessness": "suicide",
    "Burdensomeness": "suicide",
    "Entrapment & desire to escape": "suicide",
    "Lethal means for suicide": "suicide",
}
EXCLUDED: dict[str, str] = {
    "nssi": "a clinical abbreviation nobody types about themselves",
    "suicidal intent": "a clinical term",
    "suicidal tendencies": "a clinical term ('suicidal' alone is a cue already)",
    "kill me": "an idiom in UK English ('my mum will kill me')",
    "hit by the train": "news and accidents far more often than ideation",
    "escape": "ordinary talk ('a weekend escape')",
    "i want out": "ordinary talk ('I want out of this job')",
    "want to leave": "ordinary talk",
    "paralyzing": "ordinary talk",
    "caged": "ordinary talk",
    "helpless": "ordinary talk, and a carer's word for the person they care for",
    "9mm": "a calibre, not a phrase",
    "cutting": "gardening, cooking and hair",
    "drink pesticide": "kept as a cue elsewhere only with a first person",
}


@dataclass(frozen=True)
class Construct:
    """One construct: its definition, examples and reviewed phrases."""

    name: str
    definition: str
    phrases: tuple[str, ...]


@lru_cache(maxsize=1)
def constructs() -> dict[str, Construct]:
    """Every construct of the lexicon, from the vendored CSV (first rows: name, definition, source,
    examples; then one reviewed phrase per row)."""
    rows = list(csv.reader(PHRASES.read_text(encoding="utf-8").splitlines()))
    header = rows[0]
    found: dict[str, Construct] = {}
    for column, name in enumerate(header):
        if not name or name.endswith(("_include", "_add")):
            continue
        cells = [row[column].strip() if column < len(row) else "" for row in rows[1:]]
        phrases = tuple(dict.fromkeys(c for c in cells[4:] if c))
        found[name] = Construct(name=name, definition=cells[1], phrases=phrases)
    missing = [c for c in (*CUE_CONSTRUCTS, *SUPPORT_CONSTRUCTS) if c not in found]
    if missing:
        raise ValueError(f"{PHRASES}: the lexicon has no construct {missing}; is the vendored file intact?")
    return found


def _usable(phrase: str) -> bool:
    return phrase.lower() not in EXCLUDED


def phrases_for(wanted: dict[str, str]) -> list[tuple[str, str, str]]:
    """(phrase, risk type, construct) for the constructs in `wanted`, exclusions left out."""
    table = constructs()
    return [(p, risk_type, name) for name, risk_type in wanted.items() for p in table[name].phrases if _usable(p)]


def cue_phrases() -> list[tuple[str, str, str]]:
    """Phrases that are risk on their own."""
    return phrases_for(CUE_CONSTRUCTS)


def support_phrases() -> list[tuple[str, str, str]]:
    """Phrases that are distress around risk."""
    return phrases_for(SUPPORT_CONSTRUCTS)
