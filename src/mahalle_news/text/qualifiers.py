"""Qualifiers written before a figure: «حدود ۷ محله» (about), «بیش از ۱۰۰ هزار نفر» (more than), «کمتر از».

Shared by money and (later) fact assembly, so a qualifier means the same everywhere.
"""

from __future__ import annotations

import re

ABOUT, MORE_THAN, LESS_THAN = "about", "more_than", "less_than"

_PHRASES: dict[str, str] = {
    "حدود": ABOUT,
    "حدودا": ABOUT,
    "در حدود": ABOUT,
    "نزدیک به": ABOUT,
    "قریب به": ABOUT,
    "تقریبا": ABOUT,
    "بیش از": MORE_THAN,
    "بیشتر از": MORE_THAN,
    "بالغ بر": MORE_THAN,
    "افزون بر": MORE_THAN,
    "متجاوز از": MORE_THAN,
    "کمتر از": LESS_THAN,
    "کم‌تر از": LESS_THAN,
}
_BEFORE = re.compile(
    "(?:^|(?<=[\\s«(،]))(?P<q>"
    + "|".join(re.escape(p).replace("\\ ", "[ \u200c]+") for p in sorted(_PHRASES, key=len, reverse=True))
    + ")[ \u200c]*$"
)
#: Words that may stand between a qualifier and its figure: «اعتباری بالغ بر ...» has none, «حدود مبلغ ...» does.
_WINDOW = 24


def qualifier_before(text: str, pos: int) -> tuple[str, tuple[int, int]] | None:
    """The qualifier ending right before ``pos`` in ``text``: (kind, span) or None."""
    window = text[max(0, pos - _WINDOW) : pos]
    m = _BEFORE.search(window)
    if m is None:
        return None
    offset = max(0, pos - _WINDOW)
    phrase = re.sub("[ \u200c]+", " ", m.group("q"))
    return _PHRASES[phrase], (offset + m.start("q"), offset + m.end("q"))
