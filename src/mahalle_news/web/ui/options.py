"""The choices the forms offer (provinces, programs, fact types, sorts) in Persian alphabetical order."""

from __future__ import annotations

import functools

from mahalle_news.filters import NATIONAL, SORTS
from mahalle_news.nlp import FACT_TYPES
from mahalle_news.web.ui.format import SORT_LABELS, TYPE_LABELS

#: The Persian alphabet: Python's code-point order puts پ چ ژ گ (and ک ی) after the Arabic letters.
_ALPHABET = "آاأإءبپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیئ"
_RANK = {c: i for i, c in enumerate(_ALPHABET)}
_FOLD = str.maketrans({"ك": "ک", "ي": "ی", "ى": "ی", "ة": "ه", "\u200c": " "})


def persian_key(text: str) -> tuple[int, ...]:
    """A sort key in Persian alphabetical order (spaces and ZWNJ first, unknown characters last)."""
    return tuple(-1 if c == " " else _RANK.get(c, len(_ALPHABET) + ord(c)) for c in text.translate(_FOLD).strip())


@functools.cache
def provinces() -> tuple[str, ...]:
    """The 31 provinces in alphabetical order, then «کشور» (national figures)."""
    from mahalle_news.text.places import PROVINCE, gazetteer

    names = {p.name for p in gazetteer().places if p.kind == PROVINCE}
    return (*sorted(names, key=persian_key), NATIONAL)


@functools.cache
def programs() -> tuple[str, ...]:
    """The canonical names of the programs the extractor knows."""
    from mahalle_news.nlp.registry import Registry, read_data_dir

    return tuple(sorted(set(Registry.from_texts(read_data_dir()).programs.values()), key=persian_key))


def fact_types() -> list[tuple[str, str]]:
    return [(t, TYPE_LABELS.get(t, t)) for t in FACT_TYPES]


def sorts() -> list[tuple[str, str]]:
    return [(s, SORT_LABELS.get(s, s)) for s in SORTS]
