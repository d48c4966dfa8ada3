"""The data behind fact extraction, read from data files (programs, official roles, honorifics, given names,
counted units), so patterns change without code changes and travel with a saved pipeline."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import ahocorasick

from mahalle_news.errors import DataError
from mahalle_news.text.normalize import PERSIAN_LETTERS, fold, normalize
from mahalle_news.text.places import spellings

DATA_FILES = ("programs.tsv", "roles.txt", "honorifics.txt", "first_names.txt", "units.txt")
_LETTERS = frozenset(PERSIAN_LETTERS + "\u200c")


def _norm(s: str) -> str:
    return normalize(s).text


def _lines(text: str) -> list[tuple[int, str]]:
    return [
        (n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip() and not line.startswith("#")
    ]


@dataclass
class Registry:
    programs: dict[str, str] = field(default_factory=dict)  # folded alias -> canonical name
    roles: list[str] = field(default_factory=list)  # normalised, longest first
    honorifics: frozenset[str] = frozenset()
    folded_honorifics: frozenset[str] = frozenset()
    first_names: frozenset[str] = frozenset()
    units: list[str] = field(default_factory=list)  # normalised, longest first
    unit_keys: list[tuple[str, ...]] = field(default_factory=list)  # the units folded word by word
    _automaton: ahocorasick.Automaton | None = None

    @classmethod
    def from_texts(cls, texts: dict[str, str]) -> Registry:
        reg = cls()
        texts = {name: texts.get(name, "") for name in DATA_FILES}
        for n, line in _lines(texts["programs.tsv"]):
            canonical, _, aliases = line.partition("\t")
            if not canonical:
                raise DataError(f"programs.tsv line {n}: a canonical name is required")
            for alias in [canonical, *filter(None, aliases.split("|"))]:
                reg.programs[fold(alias)] = normalize(canonical).text
        reg.roles = sorted({_norm(x) for _, x in _lines(texts["roles.txt"])}, key=len, reverse=True)
        reg.honorifics = frozenset(_norm(x) for _, x in _lines(texts["honorifics.txt"]))
        reg.folded_honorifics = frozenset(fold(x) for x in reg.honorifics)
        reg.first_names = frozenset(_norm(x) for _, x in _lines(texts["first_names.txt"]))
        reg.units = sorted({_norm(x) for _, x in _lines(texts["units.txt"])}, key=len, reverse=True)
        keys = {tuple(fold(w) for w in re.split("[ \u200c]+", u) if w) for u in reg.units}
        reg.unit_keys = sorted(keys, key=len, reverse=True)
        automaton = ahocorasick.Automaton()
        for _, line in _lines(texts["programs.tsv"]):
            canonical, _, aliases = line.partition("\t")
            for alias in [canonical, *filter(None, aliases.split("|"))]:
                for spelling in spellings(normalize(alias).text):
                    automaton.add_word(spelling, (len(spelling), normalize(canonical).text))
        automaton.make_automaton()
        reg._automaton = automaton
        return reg

    @functools.cached_property
    def role_pattern(self) -> re.Pattern[str]:
        """Any role head, on word boundaries (longest first)."""
        return re.compile(
            f"(?<![{PERSIAN_LETTERS}\u200c])(?:"
            + "|".join(map(re.escape, self.roles))
            + f")(?![{PERSIAN_LETTERS}\u200c])"
        )

    def find_programs(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical name) of registry programs in normalised text, on word boundaries."""
        assert self._automaton is not None
        out: list[tuple[int, int, str]] = []
        for end_idx, (length, canonical) in self._automaton.iter_long(text):
            start, end = end_idx - length + 1, end_idx + 1
            if (start and text[start - 1] in _LETTERS) or (end < len(text) and text[end] in _LETTERS):
                continue
            out.append((start, end, canonical))
        out.extend(_new_programs(text, out))
        out.sort()
        return out


_NEW_PROGRAM = re.compile(r"(?<![\w\u200c])(طرح|برنامه|پویش|رزمایش|پروژه)[ \u200c]*(?:ملی[ \u200c]+)?«([^»\n]{2,50})»")


def _new_programs(text: str, known: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Programs named after طرح / برنامه / پویش / رزمایش in «گیومه» that the registry does not know."""
    out = []
    for m in _NEW_PROGRAM.finditer(text):
        if any(s < m.end() and m.start() < e for s, e, _ in known):
            continue
        out.append((m.start(), m.end(), f"{m.group(1)} {m.group(2).strip()}"))
    return out


def read_data_dir(path: Path | None = None, names: tuple[str, ...] = DATA_FILES) -> dict[str, str]:
    """The data files' texts, from ``path`` (a saved pipeline) or the package; a missing or unreadable file in a
    saved pipeline is a :class:`DataError` naming it."""
    texts = {}
    for name in names:
        if path is None:
            texts[name] = resources.files("mahalle_news.nlp").joinpath("data", name).read_text(encoding="utf-8")
            continue
        file = path / name
        if not file.exists():
            raise DataError(f"{file}: missing from the saved pipeline")
        try:
            texts[name] = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{file}: cannot be read as UTF-8 ({exc.__class__.__name__})") from None
    return texts
