"""Word lists behind joiner (ZWNJ) repair: hazm's word-frequency list and verb roots, plus our domain lexicon.

Loaded once per process (``lexicon()`` is cached). Keys of :attr:`Lexicon.fixes` are forms with every ZWNJ
removed; values are the correctly written forms.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

from mahalle_news.errors import DataError
from mahalle_news.text.hazm_data import verb_roots, words

ZWNJ = "\u200c"
#: Letters that do not join the following letter: no ZWNJ is ever written after them.
NON_JOINING = frozenset("اآأإدذرزژوؤءةۀ")
_PERSON_ENDINGS = ("", "م", "ی", "د", "یم", "ید", "ند")


@dataclass
class Lexicon:
    freq: dict[str, int] = field(default_factory=dict)
    adjectives: set[str] = field(default_factory=set)
    fixes: dict[str, str] = field(default_factory=dict)  # glued key -> correct form
    protected: set[str] = field(default_factory=set)  # glued-looking words to keep as written
    domain: set[str] = field(default_factory=set)  # our curated correct forms containing ZWNJ
    verbs_mi: dict[str, str] = field(default_factory=dict)  # glued «میشود» -> «می‌شود»
    participles: set[str] = field(default_factory=set)  # «کرده», «شده»
    long_participles: tuple[str, ...] = ()  # participles of 4+ letters, for «نشستهای» = «نشست‌های»
    verb_forms: set[str] = field(default_factory=set)  # plain conjugated forms: «برشمرد», «نشدن»

    def known(self, word: str) -> bool:
        """A word attested with a positive frequency, or one of ours."""
        return self.freq.get(word, 0) > 0 or word in self.protected or word in self.participles

    def weight(self, word: str) -> int:
        return self.freq.get(word, 0)


def _read_domain_lexicon() -> tuple[set[str], set[str]]:
    text = resources.files("mahalle_news.text").joinpath("data/zwnj_lexicon.txt").read_text("utf-8")
    domain: set[str] = set()
    protected: set[str] = set()
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if " " in line:
            raise DataError(f"zwnj_lexicon.txt line {n}: one word per line, got {line!r}")
        if line.startswith("!"):
            protected.add(line[1:])
        elif ZWNJ in line:
            domain.add(line)
        else:
            raise DataError(f"zwnj_lexicon.txt line {n}: {line!r} has no ZWNJ; prefix it with ! to protect it")
    return domain, protected


@functools.cache
def lexicon() -> Lexicon:
    lex = Lexicon()
    for word, freq, tags in words():
        lex.freq[word] = int(freq)
        if "AJ" in tags:
            lex.adjectives.add(word)
    lex.domain, lex.protected = _read_domain_lexicon()
    for roots in verb_roots():
        past, _, present = roots.partition("#")
        lex.participles.add(past + "ه")
        for root in {past, present}:
            if root:
                for ending in (*_PERSON_ENDINGS, "ن"):
                    for neg in ("", "ن"):
                        lex.verb_forms.add(neg + root + ending)
        for prefix in ("می", "نمی"):
            for root in {past, present}:
                if not root:
                    continue
                for ending in _PERSON_ENDINGS:
                    form = prefix + ZWNJ + root + ending
                    lex.verbs_mi[form.replace(ZWNJ, "")] = form
    lex.long_participles = tuple(p for p in lex.participles if len(p) >= 4)
    # hazm's attested compounds written with ZWNJ, then ours (which win)
    for word, freq in lex.freq.items():
        if ZWNJ in word and freq > 0:
            lex.fixes[word.replace(ZWNJ, "")] = word
    for word in lex.domain:
        lex.fixes[word.replace(ZWNJ, "")] = word
    return lex
