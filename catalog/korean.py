"""Korean grammar the generated copy needs: particles chosen by the final syllable of the word before them.

Pure Python; used wherever Korean text is assembled from parts (reasons, names, labels).
"""

from __future__ import annotations

# Particle pairs: (after a final consonant, after a vowel). 으로/로 also takes 로 after ㄹ.
_PAIRS: dict[str, tuple[str, str]] = {
    "와": ("과", "와"),
    "과": ("과", "와"),
    "을": ("을", "를"),
    "를": ("을", "를"),
    "이": ("이", "가"),
    "가": ("이", "가"),
    "은": ("은", "는"),
    "는": ("은", "는"),
    "으로": ("으로", "로"),
    "로": ("으로", "로"),
    "이랑": ("이랑", "랑"),
    "랑": ("이랑", "랑"),
    "이에요": ("이에요", "예요"),
    "예요": ("이에요", "예요"),
}
# How a Latin letter or digit at the end of a word is read aloud: True when the reading ends in a final consonant.
_LATIN_FINAL = {**dict.fromkeys("lmnr", True), **dict.fromkeys("LMNR", True)}
_DIGIT_FINAL = {
    "0": True,
    "1": True,
    "3": True,
    "6": True,
    "7": True,
    "8": True,
    "2": False,
    "4": False,
    "5": False,
    "9": False,
}


def final_consonant(word: str) -> tuple[bool, bool]:
    """(has a final consonant, that consonant is ㄹ) for the last readable character of `word`."""
    for char in reversed(word.strip()):
        code = ord(char)
        if 0xAC00 <= code <= 0xD7A3:
            jong = (code - 0xAC00) % 28
            return jong != 0, jong == 8
        if char.isdigit():
            return _DIGIT_FINAL[char], char in "178"
        if char.isalpha():
            return _LATIN_FINAL.get(char, False), char in "lL"
    return False, False


def josa(word: str, particle: str) -> str:
    """`word` followed by the right form of `particle` ("와"/"과", "을"/"를", "이"/"가", "은"/"는", "으로"/"로" …).

    >>> josa("신발", "와"), josa("바지", "과"), josa("블랙", "을"), josa("샌들", "으로")
    ('신발과', '바지와', '블랙을', '샌들로')
    """
    consonant, rieul = final_consonant(word)
    after_consonant, after_vowel = _PAIRS[particle]
    if after_consonant == "으로" and rieul:
        return f"{word}{after_vowel}"
    return f"{word}{after_consonant if consonant else after_vowel}"
