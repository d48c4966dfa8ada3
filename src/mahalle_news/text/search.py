"""Search keys: the folded words full-text indexes store, so that «کم‌برخوردار», «کمبرخوردار» and «كم برخوردار»
find each other.

A word written with a joiner (after normalisation) is indexed twice over: glued («کمبرخوردار») and as its parts
(«کم» «برخوردار»), in that order, so both a glued query word and the two-word phrase match it.
"""

from __future__ import annotations

import re

from mahalle_news.text.lexicon import ZWNJ
from mahalle_news.text.normalize import fold_word, normalize

_TOKEN = re.compile(rf"[\w{ZWNJ}]+", re.UNICODE)


def search_words(text: str) -> list[str]:
    """Index words of ``text``: normalised, each word folded; compounds also split into their folded parts."""
    out: list[str] = []
    for m in _TOKEN.finditer(normalize(text).text):
        token = m.group().strip(ZWNJ)
        if not token:
            continue
        glued = fold_word(token)
        if glued:
            out.append(glued)
        if ZWNJ in token:
            out.extend(p for p in (fold_word(part) for part in token.split(ZWNJ)) if p)
    return out


def index_text(text: str) -> str:
    """:func:`search_words` joined by spaces: the string given to the store's full-text index."""
    return " ".join(search_words(text))
