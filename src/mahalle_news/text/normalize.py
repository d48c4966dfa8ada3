"""Normalisation of Persian news text, with an offset map back to the original.

Three stages, each a :class:`~mahalle_news.text.offsets.Rewriter` pass so every edit is traced:

1. **characters** — hazm's ``Normalizer`` character tables, applied as one translation:
   Arabic letter variants and presentation forms to Persian letters (ي→ی, ك→ک, …), **digits: every digit
   script (ASCII, Arabic-Indic) becomes Persian ۰–۹**, ``%`` → ``٪``, diacritics, kashida, ``\\r`` and hazm's
   "special" marks deleted, ligatures (﷼، ﷲ، ﻻ …) spelt out. We add: no-break and other Unicode spaces → space,
   control characters → space, zero-width space/BOM/direction marks deleted, lone surrogates → U+FFFD.
   The hazm options this equals are :data:`HAZM_OPTIONS` (a test checks the equality).
2. **spacing** — runs of spaces/tabs → one space, stray or doubled ZWNJ removed, no space before «، ؛ ! ؟ » )»
   or after «« (».
3. **joiners** — the zero-width non-joiner restored in glued words («محلهمحور» → «محله‌محور», «میشود»,
   «ظرفیتهای», «کردهایم», «مهمترین») and in spaced ones («محله ها», «می شود»), judged with hazm's word-frequency
   list, hazm's verb roots and our domain lexicon (``data/zwnj_lexicon.txt``). Words hazm would wrongly join are
   left alone: «ارزیابی میدانی» (not «می‌دانی»), «فعال شده است» (verb phrases are never joined).

``fold`` gives a matching key that ignores joiner/space differences, letter variants, diacritics, digit scripts
and punctuation.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mahalle_news.text.hazm_data import normalize_chars, tables
from mahalle_news.text.lexemes import SCALES, SMALL
from mahalle_news.text.lexicon import NON_JOINING, ZWNJ, Lexicon, lexicon
from mahalle_news.text.offsets import ChainMap, OffsetMap, Rewriter

if TYPE_CHECKING:
    from hazm import Normalizer

#: The hazm ``Normalizer`` options whose character-level result stage 1 reproduces.
HAZM_OPTIONS: dict[str, bool] = {
    "correct_spacing": False,  # we do spacing and joiners ourselves (stages 2-3), with offsets
    "remove_diacritics": True,
    "remove_specials_chars": True,
    "decrease_repeated_chars": False,  # «سلامممم» is not news text; lengthening words would move offsets
    "persian_style": False,  # keep quotes and decimal points as written
    "persian_numbers": True,  # the digit policy: Persian digits in normalised text
    "unicodes_replacement": True,
    "seperate_mi": False,  # hazm's version turns «میدانی» into «می‌دانی»; stage 3 decides with context
}

PERSIAN_LETTERS = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقلمنهوپچژکگیۀ"
_WORD_RE = re.compile(f"[{PERSIAN_LETTERS}{ZWNJ}]+")
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"
_DELETE_EXTRA = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\r"


def _char_class_chars(pattern: str) -> str:
    body = pattern.strip("[]")
    return body.encode("ascii", "backslashreplace").decode("unicode_escape") if "\\u" in body else body


@functools.cache
def _char_table() -> tuple[dict[int, str], dict[int, str], re.Pattern[str]]:
    """(one-to-one table, length-changing table, regex of length-changing characters)."""
    t = tables()
    one: dict[int, str] = {}
    for src, dst in zip(t.translation_src, t.translation_dst, strict=True):
        one[ord(src)] = dst
    for src, dst in zip(t.numbers_src, t.numbers_dst, strict=True):
        one[ord(src)] = dst
    for ch in _SPACES:
        one[ord(ch)] = " "
    for cp in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
        if chr(cp) not in "\n\r":
            one[cp] = " "
    # resolve chains (a->b, b->c) so the table is idempotent
    for key, val in list(one.items()):
        seen = 0
        while len(val) == 1 and ord(val) in one and one[ord(val)] != val and seen < 5:
            val = one[ord(val)]
            seen += 1
        one[key] = val
    multi: dict[int, str] = {}
    for pattern, _ in t.diacritics_patterns + t.special_chars_patterns:
        for ch in _char_class_chars(pattern):
            multi[ord(ch)] = ""
    for ch in "ـ" + _DELETE_EXTRA:
        multi[ord(ch)] = ""
    for pattern, replacement in t.unicode_replacements:
        for ch in pattern.strip("()").split("|"):
            if len(ch) == 1:
                multi[ord(ch)] = replacement
    for cp in multi:
        one.pop(cp, None)
    klass = "".join(re.escape(chr(cp)) for cp in sorted(multi))
    return one, multi, re.compile(f"[{klass}\ud800-\udfff]+")


@functools.cache
def _translatable() -> re.Pattern[str]:
    one, _, _ = _char_table()
    return re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(one)) + "]")


@functools.cache
def hazm_normalizer() -> Normalizer:
    """hazm's ``Normalizer``, constructed once with :data:`HAZM_OPTIONS`: the reference the text core is tested
    and benchmarked against. Importing it loads all of hazm (nltk, SciPy, spaCy …), so normalisation itself never
    calls it: see :mod:`mahalle_news.text.hazm_data`."""
    from hazm import Normalizer

    return Normalizer(**HAZM_OPTIONS)


def _stage_chars(text: str) -> tuple[str, OffsetMap]:
    """hazm's character normalisation with offsets: one-to-one letters and digits through one translation
    table built from hazm's tables; the rare runs that change length (diacritics, ligatures, marks) through
    hazm's character steps (:func:`~mahalle_news.text.hazm_data.normalize_chars`), one run at a time, so every
    edit is located."""
    one, _, changing = _char_table()
    if _translatable().search(text):  # most articles need no translation at all: a scan in C decides
        text = text.translate(one)
    if not changing.search(text):
        return text, OffsetMap.identity(len(text))
    rw = Rewriter(text)
    for m in changing.finditer(text):
        rw.replace(m.start(), m.end(), _changing_run(m.group()))
    return rw.finish()


def _changing_run(run: str) -> str:
    out = []
    for piece in re.split("([\ud800-\udfff]+)", run):
        if piece and "\ud800" <= piece[0] <= "\udfff":
            out.append("\ufffd" * len(piece))  # lone surrogates: not text hazm can read
        elif piece:
            out.append(_hazm_piece(piece))
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _hazm_piece(piece: str) -> str:
    _, multi, _ = _char_table()
    if all(ord(ch) in multi and not multi[ord(ch)] for ch in piece):
        return ""  # deletions only (diacritics, kashida, marks): no need to call hazm
    return "".join(_hazm_char(ch) for ch in piece)


@functools.lru_cache(maxsize=1024)
def _hazm_char(ch: str) -> str:
    """One length-changing character through hazm's character steps (once per distinct character)."""
    _, multi, _ = _char_table()
    replacement = multi.get(ord(ch), ch)
    if replacement:
        by_hazm = normalize_chars(ch)
        # hazm spells most ligatures out; where its table misses one (ﻻ), ours does it
        replacement = by_hazm if by_hazm != ch else replacement
    return replacement


_ZWNJ_RE = re.compile(f"{ZWNJ}+")
_SPACING_RE = re.compile(
    "(?P<edge>^[ ]+|[ ]+$)|(?P<before>[ ]+(?=[،؛!؟»)]))|(?P<after>(?<=[«(])[ ]+)|(?P<spaces>[ ]{2,})",
    re.MULTILINE,
)
_LETTER = frozenset(PERSIAN_LETTERS)


def _stage_zwnj(text: str) -> tuple[str, OffsetMap]:
    """Stray joiners go: doubled, at word edges, next to spaces, after letters that do not join."""
    if ZWNJ not in text:
        return text, OffsetMap.identity(len(text))
    rw = Rewriter(text)
    for m in _ZWNJ_RE.finditer(text):
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        keep = before in _LETTER and before not in NON_JOINING and after in _LETTER
        rw.replace(m.start(), m.end(), ZWNJ if keep else "")
    return rw.finish()


def _stage_spacing(text: str) -> tuple[str, OffsetMap]:
    """One space between words; none at line edges, before «، ؛ ! ؟ » )» or after «« (»."""
    if not _SPACING_RE.search(text):
        return text, OffsetMap.identity(len(text))
    rw = Rewriter(text)
    for m in _SPACING_RE.finditer(text):
        rw.replace(m.start(), m.end(), " " if m.lastgroup == "spaces" else "")
    return rw.finish()


# ---------------------------------------------------------------- joiners
_PLURAL = ("هایمان", "هایتان", "هایشان", "هایی", "هایم", "هایت", "هایش", "های", "ها")
_CLITIC_AFTER_HE = ("ایم", "اید", "اند", "ای", "ام", "ات", "اش", "مان", "تان", "شان")
_COMPARATIVE = ("ترین", "تری", "تر")
_SUFFIXES = _PLURAL + _COMPARATIVE + _CLITIC_AFTER_HE
#: Suffixes written glued after any letter: a known stem plus one of these is already right («ساکنان»).
_GLUED_SUFFIXES = ("یان", "گان", "ان", "ات", "ین", "یی", "ی", "م", "ت", "ش", "ند", "ید", "یم")
#: Right-hand heads of derived compounds, written after a ZWNJ: «شرکت‌کنندگان», «آماده‌سازی».
_HEADS = tuple(
    sorted(
        [
            "کننده",
            "کنندگان",
            "سازی",
            "سازان",
            "ساز",
            "افزایی",
            "شناس",
            "شناسی",
            "شناسان",
            "نامه",
            "بخشی",
            "کشی",
            "نگری",
            "بندی",
            "بندان",
            "خواب",
            "آموز",
            "آموزان",
            "آموزی",
            "بگیر",
            "بگیران",
            "زده",
            "زدگان",
            "دیده",
            "دیدگان",
            "شدگان",
            "کرد",
            "محور",
            "مند",
            "مندی",
            "پذیر",
            "پذیری",
            "رسانی",
            "گذاری",
            "گذار",
            "گذاران",
            "نشین",
            "نشینی",
            "آوری",
            "گیری",
            "گیران",
            "ریزی",
            "اندازی",
            "برداری",
            "خواهی",
            "گرایی",
            "یافته",
            "یافتگی",
        ],
        key=len,
        reverse=True,
    )
)
#: Heads that also join across a space: «مردم محور», «آسیب دیدگان», «بهره مند».
_SPACED_HEADS = frozenset(
    "محور مند مندی بگیران شدگان زدگان دیدگان کنندگان کننده آموزان نشین نشینی آزاری گردی فروشی گیری سازی "
    "رسانی گذاری ریزی اندازی برداری شناسی زده دیده سنجی".split()
)
#: «سه‌روزه», «پنج‌ساله», «شش‌ماهه»: a number word and a duration or size head.
_COUNT_WORDS = tuple(
    sorted(
        [
            "یک",
            "دو",
            "سه",
            "چهار",
            "پنج",
            "شش",
            "هفت",
            "هشت",
            "نه",
            "ده",
            "دوازده",
            "پانزده",
            "بیست",
            "سی",
            "چهل",
            "پنجاه",
            "صد",
        ],
        key=len,
        reverse=True,
    )
)
_DURATION_HEADS = frozenset("روزه ساله ماهه هفته\u200cای نفره طبقه ساعته دقیقه\u200cای گانه جانبه".split())
#: Prefixes written with a ZWNJ before a known word: «کم‌آب», «هم‌اندیشی», «بی‌سرپناه».
_PREFIXES = ("کم", "هم", "بی", "نیمه", "پیش")
#: Second words that make a verb phrase, never a compound: «فعال شده است» stays three words.
_VERBAL = frozenset(
    "شده شد شود شوند شدند است هست نیست بود بوده باشد باشند کرد کرده کند کنند کردند نمود نموده گردید گردیده "
    "گردد دارد دارند داشت داشته خواهد یافت یافته".split()
)
#: Titles stay apart from what follows them: «معاون وزیر», «رئیس سازمان» (hazm lists some as compounds).
_TITLE_WORDS = frozenset("معاون رئیس رییس مدیر دبیر وزیر استاندار فرماندار شهردار نماینده سرپرست".split())
#: First words that stay separate in spaced text.
_FUNCTION = frozenset("به در از با که و را تا برای این آن هر چند".split())
_MIN_PART_FREQ = 20_000
_MIN_SPACED_FREQ = 100_000
_PREVERBS = ("بر", "در", "فرا", "باز", "وا", "ور", "فرو")


def _join(left: str, right: str) -> str:
    return left + ("" if left[-1] in NON_JOINING else ZWNJ) + right


def _repair_glued(word: str, lex: Lexicon, depth: int = 0) -> str | None:
    """The correctly joined form of a glued word, or None to leave it.

    Evidence, strongest first: our lexicon and hazm's attested ZWNJ compounds; «می/نمی» + a conjugated verb;
    an attested stem + a suffix (plural, clitic after «ه», comparative after an adjective); a known word + a
    derivational head («کنندگان», «سازی»), «و» or «ال» pairs, prefixes (کم، هم، بی); for words hazm does not
    list at all, a split into two frequent words.
    """
    if word in lex.protected or depth > 2 or len(word) < 3:
        return None
    fixed = lex.fixes.get(word)
    if fixed is not None and (fixed in lex.domain or not lex.known(word)):
        return fixed
    if lex.known(word) or word in lex.verb_forms:
        return None
    verb = lex.verbs_mi.get(word)
    if verb is not None:
        return verb
    for preverb in _PREVERBS:
        if word.startswith(preverb):
            rest = word[len(preverb) :]
            if rest in lex.verb_forms:
                return None  # «برشمرد»: a verb, not two words
            if rest in lex.verbs_mi:
                return preverb + lex.verbs_mi[rest]  # «درمیآید»
    found = _suffix_split(word, lex, depth)
    if found is not None:
        return found or None
    for suffix in _GLUED_SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            if lex.known(stem):
                return None  # «ساکنان», «نگرانی»: already right
            inner = _head_split(stem, lex)
            if inner is not None:
                return inner + suffix  # «کمآبی», «شستوشوی»
    found = _head_split(word, lex)
    if found is not None or depth:
        return found  # inside a longer word only the evidence above counts
    if word in lex.freq:  # listed without a frequency: too weak to split on frequencies alone
        return None
    return _split_compound(word, lex)


def _suffix_split(word: str, lex: Lexicon, depth: int) -> str | None:
    """Stem + inflectional suffix. '' means "the word is right as written"."""
    best: tuple[int, str] | None = None
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if not word.endswith(suffix) or len(stem) < 2:
            continue
        if suffix in _CLITIC_AFTER_HE:
            ok_stem = stem.endswith("ه") and len(stem) >= 3
            ok_stem |= suffix == "ای" and stem.endswith("ی") and len(stem) >= 3 and stem in lex.freq
            ok_stem |= suffix == "اند" and stem in lex.adjectives  # «نگران‌اند», «موظف‌اند»
            if not ok_stem:
                continue
        if suffix in _COMPARATIVE and not (
            len(stem) >= 3 and (stem in lex.adjectives or (stem.endswith("ی") and stem in lex.freq))
        ):
            continue
        if stem[-1] in NON_JOINING:
            if lex.known(stem):
                weight, form = max(lex.weight(stem), 1), word  # «نهادهای», «کارها»: already right
            else:
                continue
        else:
            stem_fixed = stem if lex.known(stem) else _repair_glued(stem, lex, depth + 1)
            if stem_fixed is None:
                continue
            weight, form = max(lex.weight(stem), 1), stem_fixed + ZWNJ + suffix
            if suffix in _CLITIC_AFTER_HE:
                if stem_fixed is not stem:
                    continue  # a clitic needs an attested stem
                if not any(stem.endswith(p) for p in lex.long_participles):
                    weight *= 3  # «حرفهای», «منطقهای»: the «ه‌ای» reading unless the plural stem is far commoner
        if best is None or weight > best[0]:
            best = (weight, form)
    if best is not None:
        return "" if best[1] == word else best[1]
    for suffix in _PLURAL:  # an unlisted stem: «سرویسهای», «تاکسیها»
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 4 and stem[-1] not in NON_JOINING and word not in lex.freq:
            return stem + ZWNJ + suffix
    return None


def _head_split(word: str, lex: Lexicon) -> str | None:
    for count in _COUNT_WORDS:
        rest = word[len(count) :]
        if word.startswith(count) and rest in _DURATION_HEADS:
            return count + ZWNJ + rest  # «سهروزه», «یکروزه»
    for head in _HEADS:
        left = word[: -len(head)]
        if word.endswith(head) and len(left) >= 2 and left[-1] not in NON_JOINING and lex.known(left):
            return left + ZWNJ + head
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 2 and lex.known(rest) and lex.weight(rest) > _MIN_PART_FREQ:
            return prefix + ZWNJ + rest
    for i in range(2, len(word) - 2):
        left, right = word[:i], word[i:]
        if left[-1] in NON_JOINING or not lex.known(left):
            continue
        if right.startswith("و") and lex.known(right[1:]) and len(right) > 2 and not lex.known(right):  # «گفتوگو»
            return left + ZWNJ + right
        if right.startswith("ال") and len(right) > 4 and not lex.known(right):  # «فارغالتحصیلان»
            return left + ZWNJ + right
    return None


def _part_weight(part: str, lex: Lexicon) -> int:
    w = lex.weight(part)
    if w == 0 and part.endswith("ی") and len(part) > 3:
        w = lex.weight(part[:-1])  # «آموزی», «گذاری», «شناسی»
    return w


def _split_compound(word: str, lex: Lexicon) -> str | None:
    best: tuple[float, str] | None = None
    for i in range(2, len(word) - 2):
        left, right = word[:i], word[i:]
        if left[-1] in NON_JOINING or left in _FUNCTION or right.startswith(("ی", "ا")):
            continue
        wl, wr = _part_weight(left, lex), _part_weight(right, lex)
        if wl < _MIN_PART_FREQ or wr < _MIN_PART_FREQ:
            continue
        score = math.log(wl) + math.log(wr)
        if best is None or score > best[0]:
            best = (score, left + ZWNJ + right)
    return best[1] if best else None


def _join_spaced(left: str, right: str, lex: Lexicon) -> str | None:
    """The joined form of two words separated by one space, or None to keep them apart."""
    if left in _FUNCTION or len(left) < 2:
        return None
    if right in _PLURAL:
        return _join(left, right)
    if left in ("می", "نمی"):
        return lex.verbs_mi.get(left + right)
    if right in _CLITIC_AFTER_HE:
        ok = left.endswith("ه") and len(left) >= 3
        ok |= right == "ای" and left.endswith("ی") and len(left) >= 3
        ok |= right == "اند" and left in lex.adjectives
        return left + ZWNJ + right if ok else None
    if right in _COMPARATIVE:
        ok = left in lex.adjectives or (left.endswith("ی") and left in lex.freq)
        return _join(left, right) if ok and len(left) >= 3 else None
    candidate = left + ZWNJ + right
    if candidate in lex.domain:
        return candidate
    if right in _VERBAL or right in lex.protected or left[-1] in NON_JOINING:
        return None
    if right in _DURATION_HEADS and left in _COUNT_WORDS:
        return candidate  # «پنج ساله»
    if left in SCALES or left in SMALL or right in SCALES or right in SMALL:
        return None  # figures stay apart: «میلیون واحد», «هزار نفر»
    if right in _SPACED_HEADS and lex.known(left) and left not in _COUNT_WORDS:  # «هفت محور» stays
        return candidate
    if right.startswith("و") and len(right) > 2 and lex.known(right[1:]) and lex.known(left) and not lex.known(right):
        return candidate  # «کسب وکار» (but «معاون وزیر» stays: «وزیر» is a word of its own)
    if right.startswith("ال") and len(right) > 4 and not lex.known(right):
        return candidate  # «قرض الحسنه»
    if left == "کم" and right.endswith("ی") and lex.known(right[:-1]):
        return candidate  # «کم خونی»
    if lex.freq.get(candidate, 0) >= _MIN_SPACED_FREQ and left not in _TITLE_WORDS:
        return candidate  # hazm's well-attested compounds: «همه‌جانبه», «بهره‌گیری»
    return None


def _edit_separators(rw: Rewriter, start: int, old: str, new: str) -> None:
    """Write ``old`` (at ``start``) as ``new`` through minimal edits: the two differ only in separators
    (space, ZWNJ, nothing), so every letter keeps its own offset."""
    i = j = 0
    while i < len(old) or j < len(new):
        a = old[i] if i < len(old) else ""
        b = new[j] if j < len(new) else ""
        if a == b:
            i += 1
            j += 1
        elif a in (" ", ZWNJ) and b in (" ", ZWNJ):
            rw.replace(start + i, start + i + 1, b)
            i += 1
            j += 1
        elif b in (" ", ZWNJ):
            rw.replace(start + i, start + i, b)
            j += 1
        else:
            rw.replace(start + i, start + i + 1, "")
            i += 1


@functools.lru_cache(maxsize=1 << 18)
def _repair_word(word: str) -> str | None:
    """Cached :func:`_repair_glued`: news repeats its words, and the lexicon never changes in a process."""
    return _repair_glued(word, lexicon())


@functools.lru_cache(maxsize=1 << 18)
def _join_pair_checked(left: str, right: str) -> str | None:
    return _join_spaced(left, right, lexicon())


_PAIR_LEFT = frozenset(("می", "نمی", "کم"))


@functools.cache
def _pair_triggers() -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Right-hand words any spaced rule can join, and the (left, right) pairs of attested compounds."""
    lex = lexicon()
    right = frozenset(_PLURAL + _CLITIC_AFTER_HE + _COMPARATIVE) | _SPACED_HEADS | _DURATION_HEADS
    pairs = {tuple(w.split(ZWNJ)) for w in lex.domain if w.count(ZWNJ) == 1}
    pairs |= {tuple(w.split(ZWNJ)) for w, f in lex.freq.items() if f >= _MIN_SPACED_FREQ and w.count(ZWNJ) == 1}
    return right, frozenset((a, b) for a, b in pairs)


def _joins_with(left: str, right: str, triggers: frozenset[str], pairs: frozenset[tuple[str, str]]) -> str | None:
    """Fast path first: most pairs of words can match no spaced rule at all."""
    if right in triggers or left in _PAIR_LEFT or right[0] == "و" or right.startswith("ال") or (left, right) in pairs:
        return _join_pair_checked(left, right)
    return None


def _stage_joiners(text: str) -> tuple[str, OffsetMap]:
    triggers, pairs = _pair_triggers()
    words = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]
    rw = Rewriter(text)
    i = 0
    n = len(words)
    while i < n:
        start, end, word = words[i]
        joined = word
        # spaced: this word, one space, the next — and on along a chain («محله ها ها» is joined in one pass)
        while i + 1 < n and words[i + 1][0] == end + 1 and text[end] == " ":
            nxt = _joins_with(joined, words[i + 1][2], triggers, pairs)
            if nxt is None:
                break
            joined, end = nxt, words[i + 1][1]
            i += 1
        if joined != word:
            _edit_separators(rw, start, text[start:end], joined)
        elif ZWNJ not in word:
            fixed = _repair_word(word)
            if fixed is not None:
                _edit_separators(rw, start, word, fixed)
        i += 1
    return rw.finish()


@dataclass(frozen=True)
class Normalized:
    """Normalised text and the way back to the original."""

    original: str
    text: str
    offsets: ChainMap

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original-text ``[start, end)`` of a span of the normalised text."""
        return self.offsets.span(start, end)


def normalize(text: str) -> Normalized:
    """Normalise ``text``; see the module docstring for what changes and what never does."""
    t1, m1 = _stage_chars(text)
    t2, m2 = _stage_zwnj(t1)
    t3, m3 = _stage_spacing(t2)
    t4, m4 = _stage_joiners(t3)
    return Normalized(original=text, text=t4, offsets=ChainMap([m1, m2, m3, m4]))


# ---------------------------------------------------------------- fold
_FOLD_EXTRA = {
    ord("ة"): "ه",
    ord("ۀ"): "ه",
    ord("أ"): "ا",
    ord("إ"): "ا",
    ord("ٱ"): "ا",
    ord("ؤ"): "و",
    ord("ء"): "",
}
for _i, _d in enumerate("۰۱۲۳۴۵۶۷۸۹"):
    _FOLD_EXTRA[ord(_d)] = str(_i)
_FOLD_DROP = re.compile(r"[\s\u200c\u200d]+|[^\w]+", re.UNICODE)


def fold(text: str) -> str:
    """A matching key: equal for spellings that differ only in joiners, spaces, letter variants, diacritics,
    digit scripts, punctuation or Latin case."""
    t1, _ = _stage_chars(text)
    t1 = t1.translate(_FOLD_EXTRA).lower()
    return _FOLD_DROP.sub("", t1).replace("_", "")


_LAST_WORD = re.compile(f"([{PERSIAN_LETTERS}{ZWNJ}]+)[ {ZWNJ}]*$")


def word_before(text: str, pos: int) -> str:
    """The Persian word that ends right before ``pos`` (spaces allowed between), or "" (looks back 30 chars)."""
    m = _LAST_WORD.search(text, max(0, pos - 30), pos)
    return m.group(1) if m else ""


@functools.lru_cache(maxsize=1 << 16)
def fold_word(word: str) -> str:
    """:func:`fold` of one word, cached: news repeats its words."""
    return fold(word)
