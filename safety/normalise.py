"""Normalise a message once, before every triage layer: people type, they don't write test cases.

The rules, the semantic layer and the intent classifier all read the text through `normalise`, so
"IVE TAKEN ALL MY TABLETS 😭", "ive taken all my tablets" and "I've taken all my tablets" look the
same to each of them. In order:

1. Unicode: NFKC, curly quotes and apostrophes to `'`, zero-width characters removed; emoji that
   name a means (💊 🔪 🪢) become the word, other emoji and symbols become a space.
2. Case: lower case (ALL CAPITALS is common in distress and in older people's typing).
3. Letters repeated for emphasis ("sooo", "pleeease") are cut back to a spelling that exists.
4. Punctuation: runs of "!!!" or "..." become one mark, which still ends a sentence.
5. Text speak and contractions, with or without apostrophes ("im", "dont", "kms", "rn", "gonna"),
   and reflexives typed as two words ("my self").
6. Misspellings of the risk vocabulary ("sucidal", "overdoes", "myslef"): a word that is rare in
   English and within one or two edits of a risk word becomes that word. The edit distance is
   rapidfuzz's optimal-string-alignment distance (a maintained C++ library; transpositions count
   as one edit), and "rare" is spaCy's English word-probability table from spacy-lookups-data.

Each step is small and has a name in `STEPS`, so the property-based tests and the perturbation
report can check that no positive becomes negative under any one of them.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

# Emoji that carry a meaning the rules need. Everything else pictographic becomes a space.
_EMOJI_WORDS = {"💊": " pills ", "🔪": " knife ", "🪢": " rope ", "🩸": " blood ", "⚰": " coffin "}
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'", "´": "'", "\u201c": '"', "\u201d": '"'})
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\ufe0e\ufe0f]")


def _symbol(char: str) -> bool:
    """Pictographs, private-use and control characters (but not line breaks, which end sentences)."""
    return unicodedata.category(char) in {"So", "Sk", "Cs", "Co", "Cn", "Cc"} and char != "\n"


def unicode_clean(text: str) -> str:
    """NFKC, one kind of apostrophe, no invisible characters, emoji as words or spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = _INVISIBLE.sub("", text)
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    return "".join(" " if _symbol(c) else c for c in text)


def lower(text: str) -> str:
    """Lower case."""
    return text.lower()


_REPEATS = re.compile(r"([a-z])\1{2,}")
_REPEATED_WORD = re.compile(r"\b[a-z]*([a-z])\1{2,}[a-z]*\b")


def squeeze_repeats(text: str) -> str:
    """'sooo lonelyyy' -> 'so lonely': letters repeated three or more times, cut to a known word."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        double = _REPEATS.sub(r"\1\1", word)
        single = _REPEATS.sub(r"\1", word)
        probability = _probabilities()
        best = max((double, single), key=lambda w: probability.get(w, -99.0))
        return best if known(best) else single

    return _REPEATED_WORD.sub(fix, text)


_PUNCT_RUNS = re.compile(r"([!?.,])\1+")
_MIXED_END = re.compile(r"[!?]{2,}")


def tidy_punctuation(text: str) -> str:
    """'help!!!' -> 'help!', '...' -> '.', '?!?' -> '?'; a line break ends a sentence."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    text = " ".join(line if line[-1] in ".!?;," else line + "." for line in lines[:-1])
    text = f"{text} {lines[-1]}" if lines else ""
    text = _MIXED_END.sub("?", _PUNCT_RUNS.sub(r"\1", text))
    return re.sub(r"\s+", " ", text).strip()


# Text speak and contractions, applied in order. Ambiguous forms are rewritten only in the context
# that makes them unambiguous: "ill" is "I will" only before a verb-like word, "id" only before
# "rather|like|love|be|never"; "sh" is self-harm only next to words that say so.
# The contraction rows take the apostrophe as optional, so "dont", "cant", "im" and "ive" are
# expanded by the same rows as "don't", "can't", "I'm" and "I've".
_SPEAK: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    (r"\b(ca|wo|sha)n'?t\b", lambda m: {"ca": "can", "wo": "will", "sha": "shall"}[m.group(1)] + " not"),
    (r"\bcannot\b", "can not"),
    (r"\b(do|does|did|is|are|was|were|have|has|had|could|would|should|must|need|ai|might)n'?t\b", r"\1 not"),
    (r"\bain not\b", "am not"),
    (r"\b(i)'?m\b", "i am"),
    (r"\b(i|you|we|they)'?ve\b", r"\1 have"),
    (r"\bi'?d (been|had|just|always|gone|done|got|already|taken|thought|lost|tried)\b", r"i had \1"),
    (r"\bi'd\b", "i would"),
    (r"\bid (rather|like|love|be|never|sooner|happily)\b", r"i would \1"),
    (r"\b(he|she)d (been|walked|had|gone|done|said|told|fallen|taken|tried|left)\b", r"\1 had \2"),
    (r"\b(he|she)'?s (been|got|gone|done|had|taken|left|fallen|[a-z]+ed)\b", r"\1 has \2"),
    (r"\bi'll\b", "i will"),
    (r"\b(he|she)ll (kill|hurt|hit|come|find|be|do|get|break|stab|beat|go)\b", r"\1 will \2"),
    (r"\bill (be|never|just|do|go|end|kill|take|try|make|jump|have|get)\b", r"i will \1"),
    (r"\b(you|they|we)'re\b", r"\1 are"),
    (r"\b(youre|ur)\b(?= (a|an|the|so|not|going|gonna|being|never|always|right|welcome)\b)", "you are"),
    (r"\btheyre\b", "they are"),
    (r"\b(he|she|it|that|what|there|who|where|how)'s\b", r"\1 is"),
    (r"\b(hes|shes|thats|whats|theres)\b", lambda m: m.group(1)[:-1] + " is"),
    (r"\b(he|she|they|you|we)'ll\b", r"\1 will"),
    (r"\b(he|she|they|you|we)'d\b", r"\1 would"),
    (r"\bsomeone's\b", "someone is"),
    (r"\blet's\b", "let us"),
    (r"\bu\b", "you"),
    (r"\bur\b", "your"),
    (r"\br\b(?= (you|u|we|they)\b)", "are"),
    (r"\bwanna\b", "want to"),
    (r"\bgonna\b", "going to"),
    (r"\bgotta\b", "got to"),
    (r"\bimma\b", "i am going to"),
    (r"\bkms\b", "kill myself"),
    (r"\bkmn\b", "kill me now"),
    (r"\bunalive\b", "kill"),
    (r"\bunaliving\b", "killing"),
    (r"\bunalived\b", "killed"),
    (r"\bsewer ?slide\b", "suicide"),
    (r"\bsu[i1!]c[i1!]d(e|al)\b", r"suicid\1"),
    (r"\bsel+f[ -]?harm(ing|ed|s)?\b", "selfharm"),
    (r"\bs/h\b", "selfharm"),
    (r"\b(urges? to|relapsed? (on|with|into)|clean from|free from|stop|did|doing|started|start) sh\b", r"\1 selfharm"),
    (r"\bsh (again|scars?|urges?|relapse|tonight|last night)\b", r"selfharm \1"),
    (r"\bod(?:'d|'ed|ed)\b", "overdosed"),
    (r"\bod(ing)?\b", lambda m: "overdosing" if m.group(1) else "overdose"),
    (r"\bover dose(d|s)?\b", r"overdose\1"),
    (r"\bmy ?sel(f|ves)\b", r"mysel\1"),
    (r"\b(him|her|them|your|our) ?sel(f|ves)\b", r"\1sel\2"),
    (r"\bno ?one\b", "no one"),
    (r"\brn\b", "right now"),
    (r"\b(idk|dunno)\b", "i do not know"),
    (r"\bidc\b", "i do not care"),
    (r"\bidgaf\b", "i do not care"),
    (r"\bngl\b", "not going to lie"),
    (r"\btbh\b", "to be honest"),
    (r"\b(cuz|coz|cos|bc|bcos|bcoz)\b", "because"),
    (r"\b(pls|plz|plez)\b", "please"),
    (r"\btho\b", "though"),
    (r"\bppl\b", "people"),
    (r"\b(shud|shld)\b", "should"),
    (r"\b(wud|wld)\b", "would"),
    (r"\b(cud|cld)\b", "could"),
    (r"\b(tmrw|tmr|tmoz|tomoz)\b", "tomorrow"),
    (r"\b(thinkin|thinkn)\b", "thinking"),
    (r"\b(nothin)\b", "nothing"),
    (r"\b(somethin)\b", "something"),
    (r"\b(2nite|2night|tonite|2nyt)\b", "tonight"),
    (r"\b2day\b", "today"),
    (r"\b2moro\w*\b", "tomorrow"),
    (r"\bb4\b", "before"),
    (r"\bw/o\b", "without"),
    (r"\bw/\s", "with "),
    (r"\babt\b", "about"),
    (r"\bsmth\b", "something"),
    (r"\bsm1\b", "someone"),
    (r"\b(ne1|any1)\b", "anyone"),
    (r"\b(no1)\b", "no one"),
    (r"\b(every1|evry1)\b", "everyone"),
    (r"\bbf\b", "boyfriend"),
    (r"\bgf\b", "girlfriend"),
    (r"\b(mam|mom|mummy|mommy)\b", "mum"),
    (r"\s+", " "),
]
_SPEAK_COMPILED = [(re.compile(p), r) for p, r in _SPEAK]


# Words around a message that carry no meaning of their own: they are dropped so the meaning of
# "sorry to bother you but I'm standing on the bridge. help" is the meaning of what is inside.
_WRAPPERS = re.compile(
    r"^(?:(?:hi|hello|hiya|hey|um+|erm+|so|ok|okay)\b[,.!]?\s*)*"
    r"(?:(?:i am )?sorry to (?:bother|trouble|disturb) you(?: with this)?(?:,? but)?[,.]?\s*|"
    r"(?:i )?hope you do not mind(?: me (?:asking|writing))?(?:,? but)?[,.]?\s*)?"
)
_TRAILING_HELP = re.compile(r"[,.!\s]*\b(?:please )?help(?: me)?(?: please)?[.!?]*$")


def strip_wrappers(text: str) -> str:
    """'sorry to bother you but X. help' -> 'X' (greetings, apologies and a last lone 'help')."""
    inner = text
    for _ in range(3):  # "sorry to bother you but sorry to bother you but ..." (a nervous writer)
        stripped = _WRAPPERS.sub("", inner, count=1)
        stripped = _TRAILING_HELP.sub("", stripped) if len(stripped.split()) > 4 else stripped
        if stripped == inner:
            break
        inner = stripped
    return inner.strip() or text


def expand_speak(text: str) -> str:
    """Contractions (with or without apostrophes), text speak and reflexives in two words."""
    for pattern, replacement in _SPEAK_COMPILED:
        text = pattern.sub(replacement, text)
    return text.strip()


# --- misspellings -----------------------------------------------------------------------------

# A word at least this rare in spaCy's English probability table (or absent) may be a misspelling.
RARE_LOG_PROB = -15.0
# Short misspellings that edit distance alone would get wrong or miss.
_SHORT_FIXES = {"kil": "kill", "ded": "dead", "dye": "die", "pils": "pills", "tabs": "tablets", "ambo": "ambulance"}
_WORD = re.compile(r"[a-z]{3,}")


# The known English words (those above RARE_LOG_PROB) and their log probabilities, kept in the
# project's cache: spaCy's whole table is a million entries and about 270 MB in memory, the known
# words are about fifty thousand. `./kindred setup` writes it; a process that finds it missing
# writes it itself.
WORDS_CACHE = Path(__file__).resolve().parent.parent / "var" / "cache" / "english-words-v1.json"


def build_word_table(out: Path = WORDS_CACHE) -> Path:
    """Write the known words of spaCy's English probability table (spacy-lookups-data) to `out`."""
    import spacy_lookups_data  # noqa: PLC0415 - only its data folder is needed, and only here

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table = {w: round(p, 3) for w, p in json.load(handle).items() if p > RARE_LOG_PROB}
    out.parent.mkdir(parents=True, exist_ok=True)
    # Rasa and the gateway may build it at the same moment: never share a temporary file.
    temporary = out.with_name(f"{out.stem}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(table), encoding="utf-8")
    temporary.replace(out)
    return out


@lru_cache(maxsize=1)
def _probabilities() -> dict[str, float]:
    if not WORDS_CACHE.is_file():
        build_word_table()
    return json.loads(WORDS_CACHE.read_text(encoding="utf-8"))


def known(word: str) -> bool:
    """Whether a lower-case word is common enough in English to be taken as spelled right."""
    return _probabilities().get(word, -99.0) > RARE_LOG_PROB


@lru_cache(maxsize=1)
def risk_vocabulary() -> tuple[str, ...]:
    """Every word of four or more letters the triage patterns are written in: the cues, and the
    context that discounts them ("optciian said" must still read as a professional's words)."""
    from safety import patterns as P  # noqa: PLC0415 - only needed once, when the first word is checked

    texts: list[str] = list(P.MACROS.values())
    for _name, _type, _level, pats in P.CUES:
        texts += pats
    for group in (P.SIGNALS, P.SUPPORT, P.ASK_DIRECTLY_CUES, P.NEEDS_PATTERNS):
        for pats in group.values():
            texts += pats
    texts += (
        P.CARING_CONTEXT
        + P.LONELINESS
        + P.IDIOMS
        + P.HYPOTHETICAL
        + P.DENIALS
        + P.PAST_MARKERS
        + P.RESOLVED_MARKERS
        + P.REPORTED_BY_PROFESSIONAL
        + P.TOLD_BY_OTHERS
        + P.EXTRA_VOCABULARY
    )
    words = {w for t in texts for w in _WORD.findall(t.lower())}
    return tuple(sorted(words))


# Common English words a misspelling may be corrected to when it is no risk word.
COMMON_LOG_PROB = -13.5


@lru_cache(maxsize=1)
def common_words() -> tuple[str, ...]:
    """About fifteen thousand common English words, most common first (ties go to the commoner)."""
    probability = _probabilities()
    words = (w for w, p in probability.items() if p > COMMON_LOG_PROB and len(w) >= 3 and w.isalpha() and w.islower())
    return tuple(sorted(words, key=lambda w: -probability[w]))


@lru_cache(maxsize=8192)
def correct(word: str) -> str:
    """The word a rare word is a misspelling of: a risk word first, else a common English word."""
    if word in _SHORT_FIXES:
        return _SHORT_FIXES[word]
    if len(word) < 4 or known(word):
        return word
    vocabulary = risk_vocabulary()
    if word in vocabulary:
        return word
    # A risk word is looked for a little further away (two slips in "myself" still mean "myself");
    # a word that is English already is never changed, so this cannot turn ordinary words into risk.
    for choices, limit in ((vocabulary, 1 if len(word) <= 5 else 2), (common_words(), 1 if len(word) <= 6 else 2)):
        best = extractOne(word, choices, scorer=OSA.distance, score_cutoff=limit)
        if best:
            return best[0]
    return word


def fix_spelling(text: str) -> str:
    """Correct misspelt words (risk words first); a correction that makes text speak ("oaer dbse"
    -> "over dose") is expanded like the rest."""
    fixed = _WORD.sub(lambda m: correct(m.group(0)), text)
    return expand_speak(fixed) if fixed != text else fixed


# The steps, in order. `normalise` applies them all; tests apply them one at a time.
STEPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("unicode", unicode_clean),
    ("case", lower),
    ("repeated letters", squeeze_repeats),
    ("punctuation", tidy_punctuation),
    ("text speak", expand_speak),
    ("spelling", fix_spelling),
)


def normalise(text: str, steps: Iterable[tuple[str, Callable[[str], str]]] = STEPS) -> str:
    """The message as every triage layer reads it."""
    for _name, step in steps:
        text = step(text)
    return text
