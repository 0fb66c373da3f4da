"""Languages other than English: which language a message is in, its crisis words, and the reply.

Kindred only understands English so far. A message in another language must not go through the
English risk rules (they would misread it), but it must still get a short answer the person can
read, and words such as "chcę umrzeć" must still raise an urgent escalation. This module does the
three parts of that; every word and all the wording live in `safety.yml` (`numbers`,
`english_words` and `languages`):

* `identify(text)` says which language a message is in, and says English unless it is confident.
* `crisis_in(text, code)` lists the risk types whose crisis words occur in a non-English message.
* `language_reply(code)` is the short reply in that language, with the numbers filled in.
* `warm_up()` builds the detector at start-up rather than on the first message.

Language identification uses lingua (`lingua-language-detector`), restricted to the languages in
`LANGUAGES`. The detector is built once per process, with its models preloaded (about a second
and 400 MB), so that a message then costs well under a millisecond.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from safety.vocabulary import RISK_TYPES

CONFIG_PATH = Path(__file__).resolve().parent.parent / "safety.yml"

# The languages Kindred can identify, each with the script it is written in (the first word of the
# Unicode names of its letters): English plus the languages most spoken in UK communities that
# lingua supports. Each Latin-script language added can take short English messages from English,
# so only those people here actually write are listed.
LANGUAGES: dict[Language, str] = {
    Language.ENGLISH: "LATIN",
    Language.POLISH: "LATIN",
    Language.ROMANIAN: "LATIN",
    Language.SPANISH: "LATIN",
    Language.PORTUGUESE: "LATIN",
    Language.WELSH: "LATIN",
    Language.FRENCH: "LATIN",
    Language.ITALIAN: "LATIN",
    Language.GERMAN: "LATIN",
    Language.LITHUANIAN: "LATIN",
    Language.SOMALI: "LATIN",
    Language.TURKISH: "LATIN",
    Language.URDU: "ARABIC",
    Language.ARABIC: "ARABIC",
    Language.PERSIAN: "ARABIC",
    Language.PUNJABI: "GURMUKHI",
    Language.BENGALI: "BENGALI",
    Language.GUJARATI: "GUJARATI",
    Language.HINDI: "DEVANAGARI",
    Language.TAMIL: "TAMIL",
    Language.CHINESE: "CJK",
    Language.RUSSIAN: "CYRILLIC",
    Language.UKRAINIAN: "CYRILLIC",
}
BY_CODE: dict[str, Language] = {language.iso_code_639_1.name.lower(): language for language in LANGUAGES}

ENGLISH = "en"
# Returned for a message in a script none of LANGUAGES uses (Greek, Hebrew, Korean...): it is
# certainly not English, but we cannot say which language it is. BCP 47's "undetermined".
UNDETERMINED = "und"
# The codes `crisis_in` and `language_reply` answer for: every language `identify` can return
# other than English.
IDENTIFIABLE = frozenset(BY_CODE) - {ENGLISH}

# The rule for Latin-script text, where the script settles nothing. Chosen on tests/data/
# language_english.txt (short English chat, names, places, text speak) and the sentences in
# tests/test_language.py. lingua's confidences are spread thin on short text (a lone "hiya" is
# 78% Somali, "brb" 89% Welsh, "Magdalena Kowalska" 86% Polish), so fewer than four words is
# English. Two different `english_words` make a message English whatever lingua says: Welsh
# place names pull whole English sentences to Welsh ("I used to live in Pontypridd and Llanelli"
# is 90% Welsh). Otherwise lingua must reach 0.5, or 0.8 when the message has one English word
# (no sentence in a listed language has any): everyday sentences in the listed languages mostly
# reach 0.6 and more; English ones without English words stay under 0.5 once the names in them are
# set aside (see `_by_lingua`).
MIN_WORDS = 4
MIN_LETTERS = 15
MIN_CONFIDENCE = 0.5
MIN_CONFIDENCE_ONE_ENGLISH_WORD = 0.8
ENGLISH_WORDS_NEEDED = 2
# Long messages are identified from their start: enough to tell, and the cost stays flat.
MAX_CHARS = 1000
# One Chinese character carries about as much as a short word, so it counts double when the main
# script of a mixed message is decided ("请问附近有没有 lunch club" is Chinese).
CJK_WEIGHT = 2

# A crisis phrase shorter than this (after normalisation) is too likely to occur inside ordinary
# words. Chinese packs a word into one or two characters, so it has its own minimum.
MIN_PHRASE_CHARS = 4
MIN_PHRASE_CHARS_CJK = 2
REPLY_PLACEHOLDERS = frozenset({"emergency", "samaritans"})

_SKIPPED_TOKEN = re.compile(r"\S*\d\S*|https?://\S+|www\.\S+|@\w+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
# Latin letters that carry their mark inside the letter, so Unicode decomposition leaves them.
_LATIN_UNMARKED = str.maketrans(
    {"ł": "l", "Ł": "L", "ı": "i", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "ŀ": "l"}
)
# Arabic script: short vowels and tatweel are optional, hamza seats and the Arabic and Persian
# forms of yeh, kaf and heh vary by keyboard. Folded the same way in the text and in the lists.
_ARABIC_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "ہ": "ه",
        "ۀ": "ه",
        "ـ": None,
        "\u0670": None,
        **{chr(mark): None for mark in range(0x064B, 0x0660)},
    }
)
# Indian scripts: the nukta is often left out when typing, and chandrabindu/anusvara (Devanagari)
# and tippi/bindi (Gurmukhi) are used interchangeably. Cyrillic ё is usually typed as е.
_INDIC_CYRILLIC_FOLD = str.maketrans(
    {"\u093c": None, "\u0a3c": None, "\u09bc": None, "\u0abc": None, "\u0901": "\u0902", "\u0a70": "\u0a02", "ё": "е"}
)


# --- text helpers ----------------------------------------------------------------------------


def _script(char: str) -> str:
    """The script of a character, as the first word of its Unicode name ("LATIN", "ARABIC", "CJK")."""
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def _strip_latin_marks(text: str) -> str:
    """`text` with the accents on Latin letters removed ("Łukasz" -> "Lukasz", "să" -> "sa").

    Only Latin letters lose their marks: in Indian scripts the marks are vowels, not accents.
    """
    kept: list[str] = []
    base = ""
    for char in unicodedata.normalize("NFD", text):
        if not unicodedata.combining(char):
            base = char
        elif base and _script(base) == "LATIN":
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).translate(_LATIN_UNMARKED)


def _normalise(text: str) -> str:
    """`text` folded for matching phrases: NFKC, casefold, no Latin accents, Arabic and Indian
    script variants folded, punctuation as spaces, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _strip_latin_marks(text).translate(_ARABIC_FOLD).translate(_INDIC_CYRILLIC_FOLD)
    spaced: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":
            continue  # zero-width joiners (Persian "می‌خواهم" is often typed "میخواهم"), bidi marks
        spaced.append(" " if category[0] in "PSZC" and char != "'" else char)
    return " ".join("".join(spaced).split())


def _is_word_char(char: str) -> bool:
    """Whether `char` continues a word: letters, digits, and the vowel signs of Indian scripts."""
    return char.isalnum() or unicodedata.category(char) in ("Mn", "Mc")


def _words(text: str) -> set[str]:
    """The distinct words of `text`, casefolded, apostrophes kept inside words ("don't")."""
    return set(_WORD.findall(unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()))


# --- safety.yml: numbers, english_words, languages ------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """One crisis word or phrase, normalised, and whether it must start and end on a word edge.

    `identifies`: finding it settles the language of a Latin-script message, because it is several
    words in Latin letters ("quiero morir"). A single word such as "suicid*" also matches English.
    """

    text: str
    whole_start: bool
    whole_end: bool
    identifies: bool

    def found_in(self, normalised: str) -> bool:
        """Whether the phrase occurs in already-normalised text, on word edges where required."""
        at = normalised.find(self.text)
        while at != -1:
            end = at + len(self.text)
            starts = not self.whole_start or at == 0 or not _is_word_char(normalised[at - 1])
            ends = not self.whole_end or end == len(normalised) or not _is_word_char(normalised[end])
            if starts and ends:
                return True
            at = normalised.find(self.text, at + 1)
        return False


@dataclass(frozen=True)
class LanguageEntry:
    """One language in `safety.yml`: its name, reply template, crisis phrases by risk type, and the
    everyday words one of which a message needs to be taken for it (empty: no such condition)."""

    code: str
    name: str
    reply: str
    crisis: dict[str, tuple[Phrase, ...]]
    words: frozenset[str] = frozenset()
    # Phrases of loneliness or isolation in that language (optional): noticed as in English.
    lonely: tuple[Phrase, ...] = ()


@dataclass(frozen=True)
class LanguageConfig:
    """The `numbers`, `english_words` and `languages` blocks of `safety.yml`."""

    numbers: dict[str, str]
    english_words: frozenset[str]
    languages: dict[str, LanguageEntry]
    # Per language, the crisis phrases that settle the language of a Latin-script message.
    identifying: dict[str, tuple[Phrase, ...]]


def _parse_numbers(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ValueError("safety.yml: `numbers` must be a mapping with `emergency` and `samaritans`")
    for key in sorted(REPLY_PLACEHOLDERS):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"safety.yml: `numbers.{key}` must be a non-empty string")
    return {str(key): str(value) for key, value in raw.items()}


def _parse_words(raw: object, where: str) -> frozenset[str]:
    # YAML reads a bare yes, no, on or off as true or false: the check below catches it.
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"safety.yml: `{where}` must be a non-empty list of words")
    for word in raw:
        if not isinstance(word, str) or _words(word) != {word}:
            raise ValueError(f"safety.yml: `{where}`: {word!r} is not a single lower-case word (quote yes/no/on/off)")
    return frozenset(raw)


def _parse_phrase(raw: object, where: str) -> Phrase:
    if not isinstance(raw, str):
        raise ValueError(f"safety.yml: {where}: {raw!r} is not a string")
    text = _normalise(raw.strip("*"))
    cjk = any(_script(char) == "CJK" for char in text)
    if len(text) < (MIN_PHRASE_CHARS_CJK if cjk else MIN_PHRASE_CHARS):
        raise ValueError(f"safety.yml: {where}: {raw!r} is too short to be unambiguous")
    # Chinese is written without spaces, so a Chinese phrase never needs a word edge.
    return Phrase(
        text=text,
        whole_start=not raw.startswith("*") and _script(text[0]) != "CJK",
        whole_end=not raw.endswith("*") and _script(text[-1]) != "CJK",
        identifies=" " in text and any(_script(char) == "LATIN" for char in text),
    )


def _parse_crisis(raw: object, where: str) -> dict[str, tuple[Phrase, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"safety.yml: {where}.crisis must map risk types to lists of phrases")
    crisis: dict[str, tuple[Phrase, ...]] = {}
    for risk_type, phrases in raw.items():
        if risk_type not in RISK_TYPES:
            raise ValueError(f"safety.yml: {where}.crisis: '{risk_type}' is not a risk type (one of {RISK_TYPES})")
        if not isinstance(phrases, list) or not phrases:
            raise ValueError(f"safety.yml: {where}.crisis.{risk_type} must be a non-empty list")
        crisis[risk_type] = tuple(_parse_phrase(phrase, f"{where}.crisis.{risk_type}") for phrase in phrases)
    return crisis


def _check_reply(reply: object, where: str) -> str:
    if not isinstance(reply, str) or not reply.strip():
        raise ValueError(f"safety.yml: {where}.reply must be a non-empty string")
    try:
        fields = {field for _, field, _, _ in string.Formatter().parse(reply) if field is not None}
    except ValueError as error:
        raise ValueError(f"safety.yml: {where}.reply has broken braces: {error}") from error
    if fields != REPLY_PLACEHOLDERS:
        missing, unknown = sorted(REPLY_PLACEHOLDERS - fields), sorted(fields - REPLY_PLACEHOLDERS)
        raise ValueError(
            f"safety.yml: {where}.reply needs {{emergency}} and {{samaritans}} (missing {missing}, unknown {unknown})"
        )
    return reply


def _parse_language(code: object, raw: object) -> LanguageEntry:
    where = f"languages.{code}"
    if code not in IDENTIFIABLE:
        raise ValueError(f"safety.yml: {where}: not a language Kindred identifies (one of {sorted(IDENTIFIABLE)})")
    if not isinstance(raw, dict):
        raise ValueError(f"safety.yml: {where} must be a mapping with name, reply and crisis")
    if not isinstance(raw.get("name"), str) or not raw["name"].strip():
        raise ValueError(f"safety.yml: {where}.name must be a non-empty string")
    return LanguageEntry(
        code=str(code),
        name=raw["name"],
        reply=_check_reply(raw.get("reply"), where),
        crisis=_parse_crisis(raw.get("crisis"), where),
        words=_parse_words(raw["words"], f"{where}.words") if "words" in raw else frozenset(),
        lonely=tuple(_parse_phrase(phrase, f"{where}.lonely") for phrase in raw.get("lonely") or []),
    )


@lru_cache(maxsize=4)
def load(path: str | Path = CONFIG_PATH) -> LanguageConfig:
    """Read and check the `numbers`, `english_words` and `languages` blocks (cached per path).

    Args:
        path: The safety configuration file; `safety.yml` at the project root by default.

    Returns:
        The parsed blocks.

    Raises:
        ValueError: If a block is missing or malformed: a crisis type that is not in
            `safety.vocabulary.RISK_TYPES`, a reply without {emergency} and {samaritans}, a
            language Kindred cannot identify, a phrase too short to be safe.
    """
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    languages = raw.get("languages")
    if not isinstance(languages, dict):
        raise ValueError("safety.yml: `languages` must be a mapping of language codes")
    entries = {str(code): _parse_language(code, entry) for code, entry in languages.items()}
    identifying = {
        code: tuple(phrase for phrases in entry.crisis.values() for phrase in phrases if phrase.identifies)
        for code, entry in entries.items()
    }
    return LanguageConfig(
        numbers=_parse_numbers(raw.get("numbers")),
        english_words=_parse_words(raw.get("english_words"), "english_words"),
        languages=entries,
        identifying={code: phrases for code, phrases in identifying.items() if phrases},
    )


# --- identification --------------------------------------------------------------------------


@dataclass(frozen=True)
class LanguageGuess:
    """Which language a message is in.

    Attributes:
        code: ISO 639-1 code, "en" for English, or "und" for a script Kindred does not know.
        name: The language's English name, e.g. "Polish".
        confidence: How sure the guess is, 0 to 1: lingua's confidence when lingua chose it; 1.0
            when the script, a listed crisis phrase or English words settle it; 0.0 for English
            by default, when there is too little text to tell.
    """

    code: str
    name: str
    confidence: float

    @property
    def english(self) -> bool:
        """Whether the message should go through Kindred's English rules."""
        return self.code == ENGLISH


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    """The lingua detector for LANGUAGES, built once per process.

    High accuracy mode: low accuracy mode is lighter (~40 MB against ~400 MB) but on short chat it
    calls plain English foreign ("I fell asleep in my chair" 93% not English).
    """
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_preloaded_language_models().build()


def _guess(language: Language, confidence: float) -> LanguageGuess:
    return LanguageGuess(language.iso_code_639_1.name.lower(), language.name.title(), round(confidence, 3))


def _english(confidence: float) -> LanguageGuess:
    return LanguageGuess(ENGLISH, "English", confidence)


def _clean(text: str) -> str:
    """The text to identify: NFKC, without tokens holding digits (postcodes, phone numbers, times),
    links or @handles, which belong to no language."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS])
    return " ".join(_SKIPPED_TOKEN.sub(" ", text).split())


def _main_script(text: str) -> str | None:
    """The script most of the letters in `text` are written in, or None if it has no letters."""
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            script = _script(char)
            counts[script] = counts.get(script, 0) + (CJK_WEIGHT if script == "CJK" else 1)
    return max(counts, key=counts.__getitem__) if counts else None


def _top(text: str, candidates: list[Language]) -> tuple[Language, float]:
    """lingua's most likely language for `text` among `candidates`, and its confidence."""
    values = _detector().compute_language_confidence_values(text)
    best = max((value for value in values if value.language in candidates), key=lambda value: value.value)
    return best.language, best.value


def _by_script(text: str, script: str) -> LanguageGuess:
    """The language of text written mainly in a non-Latin script.

    The script settles it when one listed language uses it (Gurmukhi is Punjabi); lingua chooses
    between those that share it (Arabic, Urdu, Persian; Russian, Ukrainian). Punjabi written in
    Shahmukhi comes out as Urdu: its reply is readable and its crisis words are checked anyway.
    """
    candidates = [language for language, written_in in LANGUAGES.items() if written_in == script]
    if not candidates:
        return LanguageGuess(UNDETERMINED, "Unknown", 1.0)
    if len(candidates) == 1:
        return _guess(candidates[0], 1.0)
    return _guess(*_top(text, candidates))


def _by_crisis_phrase(text: str, config: LanguageConfig) -> LanguageGuess | None:
    """The language whose multi-word crisis phrase occurs in Latin-script `text`, if any.

    "Chcę się zabić" is too short for lingua to be sure of, but a reviewed crisis phrase is plenty
    of evidence, and a person in crisis must not be answered by rules that cannot read them. When
    phrases of several languages occur, lingua chooses among those languages.
    """
    normalised = _normalise(text)
    found = [
        BY_CODE[code]
        for code, phrases in config.identifying.items()
        if any(phrase.found_in(normalised) for phrase in phrases)
    ]
    if not found:
        return None
    language = found[0] if len(found) == 1 else _top(text, found)[0]
    return _guess(language, 1.0)


def _names_set_aside(words: list[str]) -> list[str]:
    """The words of a message without those that look like names: capitalised or with letters
    outside ASCII ("Łukasz", "Llanelli", "Björk"). Empty when nothing was set aside."""
    plain = [word for word in words if word.isascii() and not word[:1].isupper()]
    return plain if len(plain) < len(words) else []


def _by_lingua(text: str, english_words: int, config: LanguageConfig) -> LanguageGuess:
    """The language of Latin-script text: English unless lingua is confident of another.

    Names pull lingua off English: its rule engine jumps to Polish for any "Ł", and Welsh place
    names ("Ysbyty Gwynedd") outweigh the English round them. So when the other words, read on
    their own, are English, the message is English. (Stripping the accents instead would not do:
    real French without them, "l'annee derniere", drops under the threshold.)

    Args:
        text: Latin-script text, cleaned.
        english_words: How many different `english_words` it has (fewer than two).
        config: The parsed configuration, for the `words` a language may require.
    """
    words = [token for token in text.split() if any(char.isalpha() for char in token)]
    if len(words) < MIN_WORDS or sum(char.isalpha() for char in text) < MIN_LETTERS:
        return _english(0.0)
    latin = [language for language, script in LANGUAGES.items() if script == "LATIN"]
    language, confidence = _top(text, latin)
    if language == Language.ENGLISH:
        return _guess(language, confidence)
    if confidence < (MIN_CONFIDENCE_ONE_ENGLISH_WORD if english_words else MIN_CONFIDENCE):
        return _english(0.0)
    plain = _names_set_aside(words)
    if len(plain) >= 2 and _top(" ".join(plain), latin)[0] == Language.ENGLISH:
        return _english(0.0)
    entry = config.languages.get(language.iso_code_639_1.name.lower())
    if entry is not None and entry.words and not _words(text) & entry.words:
        return _english(0.0)
    return _guess(language, confidence)


def identify(text: str, config: LanguageConfig | None = None) -> LanguageGuess:
    """Which language a resident's message is in: English unless confident it is another.

    A message mainly in a non-Latin script is settled by its script. Latin-script text is, in
    this order:

    1. the language of a multi-word crisis phrase found in it ("quiero morir");
    2. English, if it has two different `english_words`;
    3. English, if it has fewer than four words or 15 letters;
    4. another language if lingua gives it 0.5 or more (0.8 with one English word), unless its
       words other than names read as English, or the language has `words` in safety.yml (Welsh)
       and none of them is in the message;
    5. otherwise English.

    Numbers, postcodes and links are ignored; a message with no letters is English (the English
    rules are harmless on it).

    Args:
        text: The message as the resident wrote it.
        config: The parsed configuration; `safety.yml` by default.

    Returns:
        The language guess; `guess.english` means "use the English rules".
    """
    cleaned = _clean(text)
    script = _main_script(cleaned)
    if script is None:
        return _english(0.0)
    if script != "LATIN":
        return _by_script(cleaned, script)
    config = config or load()
    by_phrase = _by_crisis_phrase(cleaned, config)
    if by_phrase is not None:
        return by_phrase
    english_words = len(_words(cleaned) & config.english_words)
    if english_words >= ENGLISH_WORDS_NEEDED:
        return _english(1.0)
    return _by_lingua(cleaned, english_words, config)


def warm_up() -> None:
    """Read safety.yml and build the detector now (about a second and 450 MB), so that the first
    resident to write does not wait for it. Short messages never reach lingua, so `identify("hi")`
    would not do this. Raises ValueError if safety.yml is malformed."""
    load()
    _detector()


# --- crisis words and replies ----------------------------------------------------------------


def crisis_in(text: str, code: str, config: LanguageConfig | None = None) -> list[str]:
    """The risk types whose crisis words occur in a message identified as language `code`.

    The lists of `code` are checked, and so are those of every other configured language: short
    messages are easily taken for a neighbouring language (Portuguese for Spanish, Ukrainian for
    Russian, Shahmukhi Punjabi for Urdu), and a phrase on those lists is not ordinary talk in any
    of them. English ("en") is left to the English rules.

    Args:
        text: The message as the resident wrote it.
        code: The language `identify` gave it.
        config: The parsed configuration; `safety.yml` by default.

    Returns:
        The risk types found, most serious first; [] for English and unknown codes.
    """
    if code not in IDENTIFIABLE and code != UNDETERMINED:
        return []
    config = config or load()
    normalised = _normalise(text)
    found: set[str] = set()
    for entry in config.languages.values():
        for risk_type, phrases in entry.crisis.items():
            if risk_type not in found and any(phrase.found_in(normalised) for phrase in phrases):
                found.add(risk_type)
    return [risk_type for risk_type in RISK_TYPES if risk_type in found]


def lonely_in(text: str, code: str, config: LanguageConfig | None = None) -> bool:
    """Whether a message in language `code` speaks of loneliness or isolation (its `lonely` list)."""
    config = config or load()
    entry = config.languages.get(code)
    if entry is None:
        return False
    normalised = _normalise(text)
    return any(phrase.found_in(normalised) for phrase in entry.lonely)


def _isolate_if_rtl(reply: str, number: str) -> str:
    """`number` wrapped in left-to-right isolates when the reply is right-to-left (Arabic, Urdu,
    Persian): otherwise "116 123" would be shown as "123 116" there."""
    rtl = any(unicodedata.bidirectional(char) in ("R", "AL") for char in reply)
    return f"\u2066{number}\u2069" if rtl else number


def language_reply(code: str, config: LanguageConfig | None = None) -> str | None:
    """The short reply in language `code`, with the numbers filled in from `safety.yml`.

    Args:
        code: The language `identify` gave the message.
        config: The parsed configuration; `safety.yml` by default.

    Returns:
        The reply, or None when there is no translation for that language.
    """
    config = config or load()
    entry = config.languages.get(code)
    if entry is None:
        return None
    numbers = {key: _isolate_if_rtl(entry.reply, config.numbers[key]) for key in REPLY_PLACEHOLDERS}
    return entry.reply.format(**numbers)
