"""The rule layer of risk triage: spaCy Matcher rules over lemmas, with context checks.

`RuleTriage.analyse(text)` finds risk cues (suicide, self-harm, medical emergency, abuse,
self-neglect, cold home, carer strain), loneliness and the need a person asks for. A cue does not
count when it is negated just before ("I'm not suicidal"), hypothetical ("what should I do if my
mum falls"), part of an idiom ("this heat is killing me"), or past and resolved ("I had a fall
last year but I'm fine"). It runs in well under a millisecond, needs no trained model and no
network, so the gateway can use it when Rasa is down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

from safety import lexicon
from safety import patterns as P
from safety.normalise import normalise
from safety.vocabulary import DEFAULT_LEVEL, NEEDS, RISK_TYPES, level_rank

_AGE = re.compile(
    r"\b(?:i am|i'm|im|am|aged|age)\s+(?:only\s+|just\s+)?(\d{1,2})\b(?!\s*(?:minutes|mins|hours|"
    r"days|weeks|months|pounds|quid|p\b|%|miles))|\b(\d{1,2})\s*(?:years? old|yrs? old|yo|y/o)\b"
)
_YOUNG_HINTS = re.compile(
    r"\b(at school|my school|in year \d+|year (7|8|9|10|11)|gcses?|my teacher|my teachers|"
    r"secondary school|high school|sixth form|my mum and dad|my parents)\b"
)
_OLDER_HINTS = re.compile(
    r"\b(my pension|pensioner|grandson|granddaughter|grandchildren|grandkids|my carer|care home|"
    r"in my (7|8|9)0s|i'?m (6|7|8|9)\d)\b"
)


@dataclass
class Cue:
    """One risk cue found in a message."""

    name: str
    risk_type: str
    level: str
    text: str


@dataclass
class Assessment:
    """What the rule layer found in one message."""

    risk: str = "none"
    risk_types: list[str] = field(default_factory=list)
    loneliness: bool = False
    need: str = "none"
    cues: list[Cue] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    age: int | None = None
    older: bool = False
    # Whole-message context that discounts a meaning-based guess: denial, hypothetical, past.
    context: list[str] = field(default_factory=list)
    # Distress the rules saw that is not a cue on its own (hopelessness, being a burden, being
    # trapped, means): with the semantic layer's reading it is the second signal for `urgent`.
    support: list[str] = field(default_factory=list)
    # A question the assistant should ask because the risk is not explicit ("suicide": ask directly).
    ask: str | None = None
    # The message is about caring for someone (safety.patterns.CARING_CONTEXT).
    caring: bool = False
    # What the message says about the situation beyond risk (safety.patterns.SIGNALS).
    signals: list[str] = field(default_factory=list)
    # ISO 639-1 code when the message is not in English (the English rules were not run).
    language: str = "en"
    # Label probabilities from the semantic layer, when it ran (see safety.triage).
    semantic: dict[str, float] = field(default_factory=dict)
    # Label probabilities from the words model (safety.lexical), when it ran.
    lexical: dict[str, float] = field(default_factory=dict)
    # The message's sentence embedding, when the semantic layer computed it (passed on to Rasa).
    vector: Any = field(default=None, repr=False, compare=False)

    @property
    def discounted(self) -> bool:
        """Whether a model's risk guess should be ignored for this message."""
        return bool(self.suppressed or self.context)

    @property
    def urgent_abuse(self) -> bool:
        """Whether someone is in immediate danger from another person."""
        return any(c.risk_type == "abuse" and c.level == "urgent" for c in self.cues)

    def as_dict(self) -> dict:
        """The fixed triage vocabulary plus the cues, for parse data and logs."""
        return {
            "risk": self.risk,
            "risk_types": list(self.risk_types),
            "loneliness": self.loneliness,
            "need": self.need,
            "cues": [c.text for c in self.cues],
            "discounted": list(self.context) + list(self.suppressed),
            "semantic": dict(self.semantic),
            "lexical": dict(self.lexical),
            "age": self.age,
            "support": list(self.support),
            "ask": self.ask,
            "signals": list(self.signals),
            "language": self.language,
        }


@lru_cache(maxsize=1)
def _nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


class RuleTriage:
    """Compiled risk, loneliness and need rules. Build once; `analyse` is thread-safe."""

    def __init__(self, nlp: Language | None = None) -> None:
        self.nlp = nlp or _nlp()
        self.matcher = Matcher(self.nlp.vocab)
        self._cue_meta: dict[str, tuple[str, str, str, str]] = {}
        for name, risk_type, level, pats in P.CUES:
            for index, pat in enumerate(pats):
                key = f"cue:{name}:{index}"
                self._cue_meta[key] = (name, risk_type, level, pat)
                self._add(key, pat)
        for index, (phrase, risk_type, construct) in enumerate(lexicon.cue_phrases()):
            # The lexicon's reviewed phrases, as typed people would (normalised like the messages).
            key = f"cue:lexicon-{risk_type}:{index}"
            pattern = normalise(phrase)
            self._cue_meta[key] = (f"lexicon: {construct}", risk_type, "urgent", pattern)
            self._add(key, pattern)
        for phrase, risk_type, _construct in lexicon.support_phrases():
            self._add(f"support:{risk_type}:lexicon-{len(self._cue_meta)}-{phrase}", normalise(phrase))
        self._add_all("care", P.CARING_CONTEXT)
        self._add_all("idiom", P.IDIOMS)
        self._add_all("accident", P.ACCIDENTS)
        self._add_all("deliberate", P.DELIBERATE)
        self._add_all("hypo", P.HYPOTHETICAL)
        self._add_all("past", P.PAST_MARKERS)
        self._add_all("resolved", P.RESOLVED_MARKERS)
        self._add_all("lonely", P.LONELINESS)
        self._add_all("reported", P.REPORTED_BY_PROFESSIONAL)
        self._add_all("told", P.TOLD_BY_OTHERS)
        for risk_type, pats in P.ASK_DIRECTLY_CUES.items():
            self._add_all(f"ask:{risk_type}", pats)
        for signal, pats in P.SIGNALS.items():
            self._add_all(f"signal:{signal}", pats)
        for risk_type, pats in P.SUPPORT.items():
            self._add_all(f"support:{risk_type}", pats)
        self._add_all("denial", P.DENIALS)
        for need, pats in P.NEEDS_PATTERNS.items():
            self._add_all(f"need:{need}", pats)

    def _add_all(self, prefix: str, pats: list[str]) -> None:
        for index, pat in enumerate(pats):
            self._add(f"{prefix}:{index}", pat)

    def _lemmas(self, word: str) -> list[str]:
        doc = self.nlp(word)
        return list(dict.fromkeys([word, *(t.lemma_ for t in doc if len(doc) == 1)]))

    def _token(self, spec: str) -> dict:
        optional = spec.endswith("?") and spec != "?"
        if optional:
            spec = spec[:-1]
        if spec == "~":
            return {"OP": "?"}
        if spec == "#num":
            return {"LIKE_NUM": True} | ({"OP": "?"} if optional else {})
        if "@" in spec:
            spec = "|".join(P.MACROS[alt[1:]] if alt.startswith("@") else alt for alt in spec.split("|"))
        if spec.startswith("="):
            # Exact forms: "=took|=taken|swallow" lists words as typed, each with or without "=".
            token: dict = {"LOWER": {"IN": [alt.lstrip("=") for alt in spec.split("|")]}}
        else:
            words: list[str] = []
            for word in spec.split("|"):
                words += self._lemmas(word)
            token = {"LEMMA": {"IN": list(dict.fromkeys(words))}}
        if optional:
            token["OP"] = "?"
        return token

    def _add(self, key: str, pattern: str) -> None:
        self.matcher.add(key, [[self._token(spec) for spec in p.split()] for p in expand(pattern)])

    def analyse(self, text: str) -> Assessment:
        """Triage one message."""
        clean = normalise(text or "")[:4000]
        result = Assessment()
        if not clean:
            return result
        doc = self.nlp(clean)
        found: dict[str, list[Span]] = {}
        for match_id, start, end in self.matcher(doc):
            key = self.nlp.vocab.strings[match_id]
            found.setdefault(key.rsplit(":", 1)[0], []).append(doc[start:end])
            if key.startswith("cue:"):
                found.setdefault(key, []).append(doc[start:end])
        # An accident is an idiom unless the message says it was done on purpose.
        idioms = found.get("idiom", []) + ([] if found.get("deliberate") else found.get("accident", []))
        hypos = found.get("hypo", [])
        caring = bool(found.get("care"))
        result.caring = caring
        result.age = _age(clean)
        result.older = bool(_OLDER_HINTS.search(clean)) or (result.age is not None and result.age >= 60)
        cues: list[Cue] = []
        for key, spans in found.items():
            if not key.startswith("cue:") or key.count(":") != 2:
                continue
            name, risk_type, level, pat = self._cue_meta[key]
            if risk_type == "carer_strain" and not caring:
                continue
            if caring and pat in P.AMBIGUOUS_DISTRESS:
                risk_type, level = "carer_strain", "concern"
            for span in spans:
                reason = self._why_not(doc, span, idioms, hypos, found, risk_type)
                if reason == "hypothetical" and _about_me(doc, span) and not found.get("denial"):
                    # "what if I took all my tablets?": a question about the person's own death is
                    # not a story; the assistant asks directly rather than let it pass.
                    result.ask = result.ask or _ask_when_hypothetical(risk_type, span)
                if reason:
                    result.suppressed.append(f"{span.text} ({reason})")
                    continue
                cues.append(Cue(name, risk_type, level, span.text))
        result.cues = _dedupe(cues)
        for cue in result.cues:
            if cue.risk_type in RISK_TYPES and cue.risk_type not in result.risk_types:
                result.risk_types.append(cue.risk_type)
            if level_rank(cue.level) > level_rank(result.risk):
                result.risk = cue.level
        result.risk_types = [t for t in RISK_TYPES if t in result.risk_types]
        if result.ask and result.risk != "urgent":
            result.risk = "concern"
            result.risk_types = [t for t in RISK_TYPES if t in {*result.risk_types, result.ask}]
        for risk_type in P.ASK_DIRECTLY_CUES:
            spans = found.get(f"ask:{risk_type}", [])
            if result.risk != "urgent" and any(not self._why_not(doc, s, idioms, hypos, found) for s in spans):
                result.ask = result.ask or risk_type
                result.risk = "concern"
                if risk_type not in result.risk_types:
                    result.risk_types = [t for t in RISK_TYPES if t in {*result.risk_types, risk_type}]
        if found.get("denial"):
            result.context.append("denial")
        if idioms:
            result.context.append("idiom")
        if hypos and not result.cues and len(_sentences(doc)) == 1 and len(doc) <= WHOLE_HYPOTHETICAL:
            # A one-sentence question or story about risk; in a longer post a hypothetical covers
            # only the cues near it, never what the rest of the post says.
            result.context.append("hypothetical")
        if found.get("past") and found.get("resolved"):
            result.context.append("past and resolved")
        for key, spans in found.items():
            if key.startswith("signal:") and any(not _negated(doc, s) for s in spans):
                result.signals.append(key.split(":", 1)[1])
            if key.startswith("support:") and any(
                not self._discounted_support(doc, s, idioms, hypos, found) for s in spans
            ):
                result.support.append(key.split(":", 1)[1])
        result.loneliness = any(not self._why_not(doc, span, idioms, hypos, found) for span in found.get("lonely", []))
        for need in NEEDS[:-1]:
            if any(not _negated(doc, span) for span in found.get(f"need:{need}", [])):
                result.need = need
                break
        return result

    def _discounted_support(self, doc: Doc, span: Span, idioms: list[Span], hypos: list[Span], found: dict) -> bool:
        """Distress words count unless idiomatic, hypothetical or reported; "not waking up" is no
        negation of the distress, so negation is not checked here."""
        reason = self._why_not(doc, span, idioms, hypos, found)
        return bool(reason) and reason != "negated"

    def _why_not(
        self, doc: Doc, span: Span, idioms: list[Span], hypos: list[Span], found: dict, risk_type: str = ""
    ) -> str:
        """Why a matched cue does not count, or '' when it does."""
        if any(_overlaps(span, idiom) for idiom in idioms):
            return "idiom"
        if _negated(doc, span):
            return "negated"
        sentence = _sentence(doc, span)
        if risk_type in ("suicide", "self_harm") and any(_overlaps(span, told) for told in found.get("told", [])):
            return "said by others"
        for said in found.get("reported", []):
            # "The optician said I wasn't safe": a professional's words about the person, not a cry.
            if sentence[0] <= said.start < span.start:
                return "reported"
        for hypo in hypos:
            if hypo.start < span.start and span.start - hypo.end <= HYPOTHETICAL_REACH and hypo.start >= sentence[0]:
                if not _boundary(doc, hypo.end, span.start) and not _new_clause(doc, hypo.end, span.start):
                    return "hypothetical"
        in_sentence = [
            s for k in ("past", "resolved") for s in found.get(k, []) if sentence[0] <= s.start < sentence[1]
        ]
        kinds = {k for k in ("past", "resolved") for s in found.get(k, []) if sentence[0] <= s.start < sentence[1]}
        if in_sentence and kinds == {"past", "resolved"} and not _after_the_past(doc, in_sentence, span):
            return "past and resolved"
        if "past" in kinds and any(s.start >= sentence[1] for s in found.get("resolved", [])):
            # "I thought about ending it back then. Six years on I'm happy."
            return "past and resolved"
        for s in found.get("past", []):
            # "I used to self harm" is history; not across "but" ("I used to manage but lately..."),
            # and not "I'm not used to computers".
            used = s.text.startswith("used to") and sentence[0] <= s.start < span.start
            # "I used to cut ... but since my fall I have started again": history no longer
            used = used and not any(doc[i].lower_ in P.AGAIN_WORDS for i in range(span.end, len(doc)))
            accustomed = s.start > 0 and doc[s.start - 1].lemma_ in {"not", "be", "get"}
            if used and not accustomed and not _boundary(doc, s.end, span.start):
                return "past"
        return ""


# How many words a hypothetical ("what if", "a film about") reaches forward within its sentence.
HYPOTHETICAL_REACH = 10
# A message of one sentence with a hypothetical in it is a question or a story about risk, when it is
# this short; a long stretch typed without full stops is not one sentence.
WHOLE_HYPOTHETICAL = 25

_GROUP = re.compile(r"\(([^()]*)\)")


def expand(pattern: str) -> list[str]:
    """Expand `(a b|c)` groups into one pattern per alternative."""
    match = _GROUP.search(pattern)
    if not match:
        return [pattern]
    out: list[str] = []
    for alternative in match.group(1).split("|"):
        out += expand(pattern[: match.start()] + alternative.strip() + pattern[match.end() :])
    return out


_BOUNDARY_WORDS = {".", "?", "!", ";", "but", "and", ",", "so", "because"}


def _after_the_past(doc: Doc, markers: list[Span], span: Span) -> bool:
    """Whether a cue comes after the past-and-resolved story and is marked as now ("I was fine last
    year but tonight I want to die"): then the story does not cover it."""
    last = max(s.end for s in markers)
    between = range(last, span.start)
    return last <= span.start and any(doc[i].lower_ in P.NOW_WORDS or doc[i].lower_ == "but" for i in between)


_PILLS = frozenset(P.MACROS["pills"].split("|")) | {"tablets", "pills", "overdose"}


def _ask_when_hypothetical(risk_type: str, span: Span) -> str | None:
    """What to ask about when a cue about the person is only a "what if": their own suicide or
    self-harm, or an overdose of their own tablets; nothing for other hypotheticals."""
    if risk_type in {"suicide", "self_harm"}:
        return risk_type
    if risk_type == "medical_emergency" and any(t.lower_ in _PILLS or t.lemma_ in _PILLS for t in span):
        return "suicide"
    return None


def _about_me(doc: Doc, span: Span) -> bool:
    """Whether the person is the subject of a cue: "i" in it or just before it."""
    return any(doc[i].lower_ in {"i", "myself", "me"} for i in range(max(span.start - 3, 0), span.end))


def _new_clause(doc: Doc, start: int, end: int) -> bool:
    """Whether the person starts a clause of their own between a hypothetical and a cue ("i dont know
    if they are alive i have been saving my pills"): text typed without full stops or commas still
    has clauses, and a hypothetical does not reach into the next one. "what if i took them all"
    keeps the "i" that is the hypothetical's own subject."""
    return any(doc[i].lower_ == "i" for i in range(start + 1, end))


def _boundary(doc: Doc, start: int, end: int) -> bool:
    return any(doc[i].text in _BOUNDARY_WORDS for i in range(start, end))


def _negated(doc: Doc, span: Span) -> bool:
    """A negation in the three words before the cue, in the same clause."""
    for i in range(span.start - 1, max(span.start - 4, -1), -1):
        word = doc[i].lemma_
        if doc[i].text in _BOUNDARY_WORDS:
            return False
        if word in P.NEGATIONS:
            after = doc[i + 1].lemma_ if i + 1 < len(doc) else ""
            return after not in P.NEGATION_EXCEPTIONS
    return False


def _sentence(doc: Doc, span: Span) -> tuple[int, int]:
    """Start and end token of the sentence around a span (by punctuation; no parser offline)."""
    start = span.start
    while start > 0 and doc[start - 1].text not in {".", "?", "!", ";"}:
        start -= 1
    end = span.end
    while end < len(doc) and doc[end].text not in {".", "?", "!", ";"}:
        end += 1
    return start, end


def _sentences(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) token offsets of the sentences of a message, split at . ? ! ;"""
    bounds, start = [], 0
    for token in doc:
        if token.text in {".", "?", "!", ";"}:
            if token.i > start:
                bounds.append((start, token.i))
            start = token.i + 1
    if start < len(doc):
        bounds.append((start, len(doc)))
    return bounds


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _dedupe(cues: list[Cue]) -> list[Cue]:
    seen: set[tuple[str, str]] = set()
    out = []
    for cue in sorted(cues, key=lambda c: -level_rank(c.level)):
        if (cue.risk_type, cue.text) not in seen:
            seen.add((cue.risk_type, cue.text))
            out.append(cue)
    return out


def _age(text: str) -> int | None:
    match = _AGE.search(text)
    if match:
        age = int(match.group(1) or match.group(2))
        if 5 <= age <= 110:
            return age
    if _YOUNG_HINTS.search(text):
        return 15
    return None


def default_level(risk_type: str) -> str:
    """The level of a type found by the model alone."""
    return DEFAULT_LEVEL.get(risk_type, "concern")


@lru_cache(maxsize=1)
def shared() -> RuleTriage:
    """One compiled rule set per process."""
    return RuleTriage()
