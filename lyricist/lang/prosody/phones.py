"""CMU phone strings: rhyme parts, the last two syllables, stressed pronunciations, assonance keys.

Pure functions of phone strings such as ``F AY1 ER0``; they know nothing of
spelling or of the dictionary.

Example:
    >>> rhyme_of_phones("D IH0 Z AY1 ER0"), tail2_of_phones("D IH0 Z AY1 ER0"), n_vowels("AY ER")
    ('AY ER', 'AY ER', 2)
    >>> stressed_prons(["DH AH0", "DH AH1"])
    ['DH AH1']
"""

from __future__ import annotations

from typing import Iterable

#: The CMU vowel phones (stress digits removed).
VOWEL_PHONES = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"}


_NO_DIGITS = str.maketrans("", "", "012")


def phone_parts(phones: str) -> tuple[str | None, str | None]:
    """(rhyme part, last two syllables) of one CMU phone string, stress removed."""
    ph = phones.split()
    marks = [p[-1] for p in ph]
    vowels = [i for i, m in enumerate(marks) if m in "012"]
    if not vowels:
        return None, None
    for stress in "12":
        if stress in marks:
            start = len(marks) - 1 - marks[::-1].index(stress)
            break
    else:
        start = vowels[-1]
    bare = phones.translate(_NO_DIGITS).split()
    tail2 = " ".join(bare[vowels[-2]:]) if len(vowels) > 1 else None
    return " ".join(bare[start:]), tail2


def rhyme_of_phones(phones: str) -> str | None:
    """Rhyme part of one CMU phone string: from the last primary-stressed vowel.

    Falls back to the last secondary-stressed vowel, then the last vowel
    (``'cause`` K AH0 Z -> ``AH Z``); None without a vowel (``hmm``).
    """
    return phone_parts(phones)[0]


def tail2_of_phones(phones: str) -> str | None:
    """Phones (stress removed) from the second-to-last vowel, or None with one vowel."""
    return phone_parts(phones)[1]


def stressed_prons(prons: Iterable[str]) -> list[str]:
    """The pronunciations with a stressed vowel (the stressed forms of "the": DH AH1), else all."""
    prons = list(prons)
    stressed = [p for p in prons if "1" in p or "2" in p]
    return stressed or prons


def n_vowels(rp: str) -> int:
    """Vowels (syllables) in a phone string without stress digits, such as a rhyme part."""
    return sum(p in VOWEL_PHONES for p in rp.split())


# Vowels heard as one in most American singing (cot-caught merger).
_VOWEL_MERGE = {"AO": "AA"}


def assonance_key(rp: str) -> tuple[str, int]:
    """(stressed vowel, syllables after it) of a rhyme part: near rhymes share it (AO heard as AA, except before R).

    Example:
        >>> assonance_key("AY M"), assonance_key("AO L"), assonance_key("AO R")
        (('AY', 0), ('AA', 0), ('AO', 0))
    """
    ph = rp.split()
    head = ph[0]
    if len(ph) < 2 or ph[1] != "R":  # "for" and "far" stay apart even where cot and caught merge
        head = _VOWEL_MERGE.get(head, head)
    return head, n_vowels(rp) - 1
