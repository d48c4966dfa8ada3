"""Persian number words: the lexemes the number parser reads, with their spelling variants."""

from __future__ import annotations

from fractions import Fraction

UNITS = {
    "صفر": 0,
    "یک": 1,
    "دو": 2,
    "سه": 3,
    "چهار": 4,
    "چار": 4,
    "پنج": 5,
    "شش": 6,
    "شیش": 6,
    "هفت": 7,
    "هشت": 8,
    "نه": 9,
}
TEENS = {
    "ده": 10,
    "یازده": 11,
    "دوازده": 12,
    "سیزده": 13,
    "چهارده": 14,
    "چارده": 14,
    "پانزده": 15,
    "پونزده": 15,
    "شانزده": 16,
    "شونزده": 16,
    "هفده": 17,
    "هیفده": 17,
    "هجده": 18,
    "هیجده": 18,
    "هژده": 18,
    "نوزده": 19,
}
TENS = {"بیست": 20, "سی": 30, "چهل": 40, "پنجاه": 50, "شصت": 60, "هفتاد": 70, "هشتاد": 80, "نود": 90}
HUNDREDS = {
    "صد": 100,
    "یکصد": 100,
    "دویست": 200,
    "سیصد": 300,
    "چهارصد": 400,
    "چارصد": 400,
    "پانصد": 500,
    "پونصد": 500,
    "ششصد": 600,
    "شیشصد": 600,
    "هفتصد": 700,
    "هشتصد": 800,
    "نهصد": 900,
}
#: Short scale, as Iranian news uses it: میلیارد = 10^9, بیلیون = 10^9, تریلیون = 10^12.
SCALES = {
    "هزار": 10**3,
    "میلیون": 10**6,
    "ملیون": 10**6,
    "میلیارد": 10**9,
    "ملیارد": 10**9,
    "بیلیون": 10**9,
    "تریلیون": 10**12,
}
SMALL: dict[str, int] = {**UNITS, **TEENS, **TENS, **HUNDREDS}

_ORDINAL_IRREGULAR = {"اول": 1, "اولین": 1, "نخست": 1, "نخستین": 1, "سوم": 3, "سومین": 3}


def _ordinals() -> dict[str, int]:
    out: dict[str, int] = dict(_ORDINAL_IRREGULAR)
    for word, value in {**SMALL, **SCALES}.items():
        if word == "سه":
            continue
        stems = [word]
        if word.endswith("ی"):  # سی → سی‌ام, سی‌امین
            out[word + "\u200cام"] = value
            out[word + "\u200cامین"] = value
            out[word + "ام"] = value
            out[word + "امین"] = value
            continue
        for stem in stems:
            out[stem + "م"] = value
            out[stem + "مین"] = value
    return out


ORDINALS = _ordinals()
#: «پنج دهم» = 0.5: after a number, these divide it.
FRACTIONS = {"دهم": 10, "صدم": 100, "هزارم": 1000}
HALF = "نیم"
NEGATIVE = "منفی"


def word_value(word: str) -> tuple[str, Fraction | int] | None:
    """Classify one number word: ``(kind, value)`` with kind small / scale / ordinal / half, or None."""
    if word in SMALL:
        return "small", SMALL[word]
    if word in SCALES:
        return "scale", SCALES[word]
    if word in ORDINALS:
        return "ordinal", ORDINALS[word]
    if word == HALF:
        return "half", Fraction(1, 2)
    return None


def split_glued(word: str) -> list[str] | None:
    """«دوهزار» → [«دو», «هزار»]; «یک‌صد» → [«یک», «صد»]; None unless every part is a number word."""
    parts: list[str] = []
    for chunk in word.split("\u200c"):
        got = _split_chunk(chunk)
        if got is None:
            return None
        parts.extend(got)
    return parts if len(parts) > 1 or (parts and parts[0] != word) else None


def _split_chunk(chunk: str) -> list[str] | None:
    if not chunk:
        return None
    if word_value(chunk) is not None:
        return [chunk]
    for cut in range(len(chunk) - 1, 1, -1):
        head = chunk[:cut]
        if head in SMALL or head in SCALES:
            rest = _split_chunk(chunk[cut:])
            if rest is not None:
                return [head, *rest]
    return None


#: Every written form that can start a number phrase (for the candidate scan).
STARTERS = sorted({*SMALL, *SCALES, *ORDINALS, HALF, NEGATIVE}, key=len, reverse=True)
