# ruff: noqa: RUF001, RUF002  (look-alike letters are this module's subject)
"""The speech and command screen: word lists matched after undoing the usual disguises.

Before matching, text is normalised: Unicode NFKC (fullwidth and other compatibility forms become
plain letters), case-folded, diacritics removed, zero-width characters and soft hyphens deleted,
and common look-alike letters (Cyrillic and Greek ``а е о р с у х к і``…) mapped to Latin. The
patterns then tolerate up to three separators between the letters of a word (``k i l l``,
``k.i.l.l``, ``k-i-l-l``), digits and signs used as letters (``k1ll``, ``@ttack``), English
inflections (``killing``, ``attackers``, ``stabbed``) and the built-in lists of other languages
(``bt_planner.verification.harm_lexicon``). Words must still start and end at word boundaries, so
``skill``, ``Harmony`` and ``unbreakable`` pass.

What a word list cannot do: understand meaning. A threat without a listed word ("you will not
wake up tomorrow"), a paraphrase, a language not configured, or a word split by an unusual trick
passes; an innocent sentence using a listed word ("kill the lights") is refused. For more, pass a
classifier (``TextClassifier``): it sees the original text after the word list found nothing and
returns a reason to refuse, or None.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from bt_planner.verification.harm_lexicon import EXTRA_ENGLISH_STEMS, FORMS_BY_LANGUAGE, HARMLESS_PHRASES

TextClassifier = Callable[[str], "str | None"]
"""A user-supplied screen: the text in, a reason to refuse it out (None: no objection)."""

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)

_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l",
        "ԛ": "q", "ԝ": "w", "ь": "b",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
        "υ": "u", "χ": "x", "ω": "w", "ς": "s", "σ": "o",
        # other look-alikes NFKC keeps
        "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss",
    }
)  # fmt: skip

_AS_LETTER = {
    "a": "a@4", "b": "b8", "e": "e3", "g": "g9", "i": "i1!|l", "l": "l1|i", "o": "o0", "s": "s$5", "t": "t7+",
}  # fmt: skip

_UMLAUTS = {"ä": "(?:ä|ae)", "ö": "(?:ö|oe)", "ü": "(?:ü|ue)"}
_UMLAUT_LANGUAGES = frozenset({"de"})
"""Languages whose forms are matched with their umlauts (or ae/oe/ue), not with the bare vowel."""

_PUNCT = r"[^\w\s]{0,3}"
_GAP = r"[\W_]{1,3}"
_SUFFIXES = ("s", "es", "ed", "d", "ing", "ings", "er", "ers", "ful", "en", "t")
_AFTER_E = ("r", "rs")
"""Extra endings of a stem ending in ``e`` (``strangler``); ``-ing`` then drops the ``e``."""
_E_DROPPED = ("ing", "ings", "er", "ers", "ed")
_START, _END = r"(?<![^\W_])", r"(?![^\W_])"


def normalise(text: str, *, lookalikes: bool = True, keep_accents: bool = False) -> str:
    """NFKC, case-fold, no diacritics, no invisible characters; look-alike letters mapped to Latin.

    With ``keep_accents`` the diacritics stay (composed), for the forms matched with them.
    """
    folded = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()
    if keep_accents:
        return folded.translate(_LOOKALIKES) if lookalikes else folded
    stripped = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return stripped.translate(_LOOKALIKES) if lookalikes else stripped


def _letter(char: str) -> str:
    if char.isspace():
        return r"[\W_]*"
    if char in _UMLAUTS:
        return _UMLAUTS[char]
    alternatives = _AS_LETTER.get(char)
    return "[" + re.escape(alternatives) + "]" if alternatives else re.escape(char)


def _endings(suffixes: tuple[str, ...], gap: str) -> str:
    return "|".join(gap.join(_letter(c) for c in suffix) for suffix in suffixes)


def _word_pattern(word: str, *, inflect: bool, keep_accents: bool = False) -> str:
    """Two ways of writing ``word``: letters with punctuation between them, or every letter spaced."""
    chars = list(normalise(word.strip(), lookalikes=False, keep_accents=keep_accents))
    letters = [_letter(c) for c in chars]
    tight = "".join(
        letter + (_PUNCT if i + 1 < len(chars) and chars[i].isalnum() and chars[i + 1].isalnum() else "")
        for i, letter in enumerate(letters)
    )
    forms = [tight]
    if inflect and chars and chars[-1].isalpha():
        suffixes = "|".join(_PUNCT.join(_letter(c) for c in suffix) for suffix in _SUFFIXES)
        forms = [f"{tight}(?:{_PUNCT}{letters[-1]})?(?:{_PUNCT}(?:{suffixes}))?"]
        if chars[-1] == "e" and len(chars) >= 4:
            without_e = tight[: tight.rfind(_PUNCT)]
            forms.append(f"{tight}{_PUNCT}(?:{_endings(_AFTER_E, _PUNCT)})")
            forms.append(f"{without_e}{_PUNCT}(?:{_endings(_E_DROPPED, _PUNCT)})")
    if len(chars) >= 3 and all(c.isalnum() for c in chars):
        spaced = _GAP.join(letters)
        if inflect:
            suffixes = "|".join(_GAP.join(_letter(c) for c in suffix) for suffix in _SUFFIXES)
            spaced += f"(?:{_GAP}(?:{suffixes}))?"
        forms.append(spaced)
    return "|".join(f"(?:{form})" for form in forms)


@lru_cache(maxsize=32)
def screen_pattern(words: tuple[str, ...], languages: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled pattern for the configured words (inflected) and the languages' built-in forms."""
    stems = [w for w in (*words, *(EXTRA_ENGLISH_STEMS if "en" in languages else ())) if w.strip()]
    parts = [_word_pattern(w, inflect=w.strip().isascii() and w.strip().isalpha()) for w in stems]
    parts += [
        _word_pattern(f, inflect=False, keep_accents=code in _UMLAUT_LANGUAGES)
        for code in languages
        for f in FORMS_BY_LANGUAGE.get(code, ())
    ]
    if not parts:
        return None
    parts.sort(key=len, reverse=True)
    return re.compile(_START + "(?:" + "|".join(parts) + ")" + _END, re.IGNORECASE)


def _harmless_pattern() -> re.Pattern[str]:
    """The harmless compounds as written: a space or hyphen between words, common endings allowed."""
    endings = r"(?:s|es|ed|ing|ers?)?"
    phrases = [
        r"[\s-]*".join(re.escape(word) + endings for word in phrase.split())
        for phrase in sorted(HARMLESS_PHRASES, key=len, reverse=True)
    ]
    return re.compile(_START + "(?:" + "|".join(phrases) + ")" + _END, re.IGNORECASE)


_HARMLESS = _harmless_pattern()


def find_forbidden(text: str, *, words: tuple[str, ...], languages: tuple[str, ...] = ()) -> str | None:
    """The first listed word found in ``text`` however disguised, or None.

    Returned as written in ``text`` when it was found there undisguised, else as normalised.
    """
    pattern = screen_pattern(tuple(words), tuple(languages))
    if pattern is None:
        return None
    variants = (
        text,
        normalise(text, lookalikes=False, keep_accents=True),
        normalise(text, lookalikes=False),
        normalise(text),
    )
    for variant in variants:
        found = pattern.search(_HARMLESS.sub(" ", variant))
        if found is not None:
            return found.group(0)
    return None
