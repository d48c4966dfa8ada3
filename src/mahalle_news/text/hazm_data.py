"""hazm's character tables and word lists, read without importing the ``hazm`` package.

``import hazm`` (or ``from hazm.anything import …``) first runs ``hazm/__init__.py``, which imports every hazm
module and with them nltk, SciPy, scikit-learn and spaCy: about 200 MB of memory and a second of start-up in every
process, the API server's included, for which the text core needs none of it. What the text core does need is
small: the character tables of ``hazm/constants.py`` (a module of plain literals, no imports) and two data files,
``words.dat`` (word, frequency, tags) and ``verbs.dat`` (past#present roots).

So this module finds hazm's installed directory without executing the package (``importlib.util.find_spec`` on a
top-level package only locates it), loads ``constants.py`` on its own, and reads the data files itself.
:func:`normalize_chars` applies hazm's ``Normalizer`` character steps with these tables, in hazm's order, for the
options :data:`mahalle_news.text.normalize.HAZM_OPTIONS` sets; a test checks it against hazm's ``Normalizer``
itself on every character the tables name. When hazm is already imported, its own modules are used.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from mahalle_news.errors import DataError


@functools.cache
def hazm_dir() -> Path:
    """hazm's installed package directory, located without running its ``__init__``."""
    spec = importlib.util.find_spec("hazm")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if not locations:
        raise DataError("hazm is not installed: the text core reads its tables and word lists (pip install hazm)")
    return Path(locations[0])


def _constants_module() -> ModuleType:
    loaded = sys.modules.get("hazm.constants")
    if loaded is not None:
        return loaded
    path = hazm_dir() / "constants.py"
    spec = importlib.util.spec_from_file_location("mahalle_news.text._hazm_constants", path)
    if spec is None or spec.loader is None:
        raise DataError(f"{path}: hazm's constants module cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Patterns = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Tables:
    """The hazm tables the text core uses (names as in ``hazm/constants.py``)."""

    translation_src: str
    translation_dst: str
    numbers_src: str
    numbers_dst: str
    diacritics_patterns: Patterns
    special_chars_patterns: Patterns
    unicode_replacements: Patterns


def _patterns(module: ModuleType, name: str) -> Patterns:
    value = getattr(module, name, None)
    if not isinstance(value, list | tuple) or not all(
        isinstance(p, tuple) and len(p) == 2 and all(isinstance(s, str) for s in p) for p in value
    ):
        raise DataError(f"{hazm_dir() / 'constants.py'}: {name} is not a list of (pattern, replacement) strings")
    return tuple((str(a), str(b)) for a, b in value)


def _string(module: ModuleType, name: str) -> str:
    value = getattr(module, name, None)
    if not isinstance(value, str):
        raise DataError(f"{hazm_dir() / 'constants.py'}: {name} is not a string")
    return value


@functools.cache
def tables() -> Tables:
    """hazm's character tables, loaded once per process."""
    module = _constants_module()
    return Tables(
        translation_src=_string(module, "TRANSLATION_SRC"),
        translation_dst=_string(module, "TRANSLATION_DST"),
        numbers_src=_string(module, "NUMBERS_SRC"),
        numbers_dst=_string(module, "NUMBERS_DST"),
        diacritics_patterns=_patterns(module, "DIACRITICS_PATTERNS"),
        special_chars_patterns=_patterns(module, "SPECIAL_CHARS_PATTERNS"),
        unicode_replacements=_patterns(module, "UNICODE_REPLACEMENTS"),
    )


Compiled = tuple[tuple[re.Pattern[str], str], ...]


@functools.cache
def _compiled() -> tuple[dict[int, str], dict[int, str], Compiled, Compiled]:
    t = tables()
    letters = dict(zip(map(ord, t.translation_src), t.translation_dst, strict=False))
    digits = dict(zip(map(ord, t.numbers_src), t.numbers_dst, strict=False))
    diacritics = tuple((re.compile(p), r) for p, r in t.diacritics_patterns)
    specials = tuple((re.compile(p), r) for p, r in t.special_chars_patterns)
    return letters, digits, diacritics, specials


def normalize_chars(text: str) -> str:
    """hazm's ``Normalizer(**HAZM_OPTIONS).normalize`` for the character steps those options enable: letter and
    digit translation, diacritics removed, Unicode replacements (literal strings), special characters removed.
    Meant for short runs (the text core calls it once per distinct length-changing character)."""
    letters, digits, diacritics, specials = _compiled()
    text = text.translate(letters).translate(digits)
    for pattern, repl in diacritics:
        text = pattern.sub(repl, text)
    for old, new in tables().unicode_replacements:
        text = text.replace(old, new)
    for pattern, repl in specials:
        text = pattern.sub(repl, text)
    return text


def _data_path(name: str) -> Path:
    return hazm_dir() / "data" / name


def _data_lines(name: str) -> Iterator[tuple[int, str]]:
    path = _data_path(name)
    try:
        with path.open(encoding="utf-8") as handle:
            yield from enumerate((line.rstrip("\r\n") for line in handle), 1)
    except OSError as exc:
        raise DataError(f"{path}: cannot read hazm's word list ({exc.strerror or exc})") from exc


def words() -> Iterator[tuple[str, int, tuple[str, ...]]]:
    """hazm's word-frequency list, ``data/words.dat``: (word, frequency, part-of-speech tags)."""
    for n, line in _data_lines("words.dat"):
        parts = line.strip().split("\t")
        if len(parts) != 3:
            continue  # hazm skips such lines too
        word, freq, tags = parts
        try:
            count = int(freq)
        except ValueError:
            raise DataError(f"{_data_path('words.dat')} line {n}: frequency {freq!r} is not a number") from None
        yield word, count, tuple(tags.split(","))


def verb_roots() -> Iterator[str]:
    """hazm's verb roots, ``data/verbs.dat``: one «past#present» pair per line."""
    for _, line in _data_lines("verbs.dat"):
        if line.strip():
            yield line.strip()
