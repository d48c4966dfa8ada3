"""Officials: a person's name with the title the article gives them.

A title starts with a role head from ``data/roles.txt`` (استاندار، معاون …، مدیرکل …، فرماندار …) and runs to
the place or office it belongs to («استاندار البرز»، «مدیرکل اجتماعی و فرهنگی استانداری کرمانشاه»). The name is
a given name from ``data/first_names.txt`` plus a surname, found right before the title («مجتبی عبداللهی،
استاندار البرز»), right after it («فرمانده سپاه ثارالله استان کرمان سردار محمدعلی نظری»), or at the start of
the next sentence («… گفت: … یوسف نیک‌پور روز سه‌شنبه …»). Honorifics (سردار، دکتر …) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mahalle_news.nlp.registry import Registry
from mahalle_news.text.normalize import PERSIAN_LETTERS, fold

_W = f"[{PERSIAN_LETTERS}\u200c]+"
_WORD = re.compile(_W)
#: Words that end a title: verbs of saying, prepositions that start the rest of the sentence.
_TITLE_STOP = frozenset(
    "گفت افزود اظهار کرد داشت بیان تاکید تأکید خبر داد از در با به که روز امروز دیروز صبح عصر شب ضمن طی "
    "ادامه هم همچنین نیز این آن وی او".split()
)
_SURNAME_TAILS = frozenset("پور زاده نیا راد منش فر فرد نژاد نسب وند لو دوست".split())


@dataclass
class OfficialMention:
    name: str
    role: str
    name_span: tuple[int, int]  # normalised text
    role_span: tuple[int, int]


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


def _read_title(text: str, head_end: int, places: dict[int, int]) -> int:
    """Where a title that starts with a role head ends: at the first place it names («استاندار البرز»),
    else before the first word that starts the rest of the sentence («مدیرکل اجتماعی و فرهنگی استانداری در …»).
    ``places`` maps the start of each place name to its end (normalised text)."""
    end = head_end
    for ws, we, w in _words(text, head_end, min(len(text), head_end + 160))[:10]:
        if text[end:ws].strip() not in ("", "،") or w in _TITLE_STOP:
            break
        if ws in places:
            return places[ws]
        end = we
    return end


def _skip_honorifics(
    text: str, pos: int, words: list[tuple[int, int, str]], reg: Registry
) -> tuple[int, list[tuple[int, int, str]]]:
    """Drop honorifics, one or two words long («سردار», «حجت الاسلام»), from the front of ``words``."""
    folded = reg.folded_honorifics
    while words:
        if fold(words[0][2]) in folded:
            cut = 1
        elif len(words) > 1 and fold(words[0][2] + words[1][2]) in folded:
            cut = 2
        else:
            break
        if text[pos : words[0][0]].strip(" ،"):
            break
        pos = words[cut - 1][1]
        words = words[cut:]
    return pos, words


def _name_at(text: str, pos: int, reg: Registry, forward: bool = True) -> tuple[int, int, str] | None:
    """A person's name starting at ``pos`` (forward) or ending at ``pos`` (backward)."""
    if forward:
        words = _words(text, pos, min(len(text), pos + 80))
        pos, words = _skip_honorifics(text, pos, words, reg)
        if len(words) < 2 or text[pos : words[0][0]].strip(" ،:"):
            return None
        first = words[0]
        if first[2] not in reg.first_names:
            return None
        parts = [first]
        if words[1][2] in reg.first_names and len(words) > 2:  # «محمد علی», «سید محمد» spelt apart
            parts.append(words[1])
            words = words[1:]
        surname = words[1]
        if surname[2] in reg.first_names and len(parts) == 1 and len(words) > 2:
            parts.append(surname)
            surname = words[2]
        parts.append(surname)
        nxt = words[words.index(surname) + 1] if words.index(surname) + 1 < len(words) else None
        if nxt and nxt[2] in _SURNAME_TAILS and nxt[0] == surname[1] + 1:
            parts.append(nxt)
        s, e = parts[0][0], parts[-1][1]
        return s, e, " ".join(p[2] for p in parts)
    words = _words(text, max(0, pos - 60), pos)
    for k in range(len(words) - 1):
        if words[k][2] not in reg.first_names and fold(words[k][2]) not in reg.folded_honorifics:
            continue  # a name starts with a given name or an honorific: skip the rest cheaply
        got = _name_at(text, words[k][0], reg, forward=True)
        if got is not None and text[got[1] : pos].strip(" ،") == "":
            return got
    return None


_LEAD = re.compile(r"\s*(?:به گزارش[^،\n]{0,60}،\s*|به گفته\s+)?")
#: What follows a person's name that opens a sentence: a day, a meeting, a verb of saying, a comma.
_AFTER_NAME = re.compile(r"[ ]*(?:،|روز|امروز|دیروز|صبح|عصر|شامگاه|در |ضمن |با |ادامه داد|افزود|گفت|اظهار|تاکید|تأکید)")
_NOT_NAME = frozenset("این آن وی او ایشان نامبرده همچنین سپس اما ولی البته مسئول".split())


def _name_before_speech(text: str, pos: int, end: int, reg: Registry) -> tuple[int, int, str] | None:
    """Two words opening a sentence, then a day, a place of speaking or a verb of saying: a person's name even
    when their given name is not on our list («سیروان ویسی روز دوشنبه …»)."""
    words = _words(text, pos, min(end, pos + 60))
    pos, words = _skip_honorifics(text, pos, words, reg)
    if len(words) < 2 or text[pos : words[0][0]].strip():
        return None
    first, last = words[0], words[1]
    if first[2] in _NOT_NAME or last[2] in _NOT_NAME or text[first[1] : last[0]] != " ":
        return None
    if any(first[2].startswith(r) or last[2] == r for r in reg.roles):
        return None
    if _AFTER_NAME.match(text, last[1]) is None:
        return None
    return first[0], last[1], f"{first[2]} {last[2]}"


def find_officials(
    text: str, sentences: list[tuple[int, int]], reg: Registry, places: dict[int, int]
) -> list[OfficialMention]:
    """Officials in normalised ``text``; ``sentences`` are (start, end) spans; ``places`` maps place starts to ends.

    Names written next to their title win; a title left without one takes the name that opens the next sentence,
    unless that name comes with a title of its own."""
    role_re = reg.role_pattern
    titles: list[tuple[int, int, int]] = []  # (sentence, start, end)
    for si, (s_start, s_end) in enumerate(sentences):
        for m in role_re.finditer(text, s_start, s_end):
            title_end = _read_title(text, m.end(), places)
            if title_end == m.end() and m.group() not in ("استاندار", "فرماندار", "شهردار"):
                continue  # a bare «معاون» or «رئیس» without whose: not a usable title
            titles.append((si, m.start(), title_end))
    out: list[OfficialMention] = []
    seen: set[str] = set()
    unnamed = []

    def add(name: tuple[int, int, str], start: int, end: int) -> None:
        key = name[2].replace("\u200c", "").replace(" ", "")
        if key not in seen:
            seen.add(key)
            out.append(OfficialMention(name[2], text[start:end].strip(" ،"), (name[0], name[1]), (start, end)))

    for si, start, end in titles:
        name = _name_at(text, start, reg, forward=False) or _name_at(text, end, reg)
        if name is None:
            unnamed.append((si, start, end))
        else:
            add(name, start, end)
    titled_names = {o.name_span[0] for o in out}
    for si, start, end in unnamed:
        if si + 1 >= len(sentences):
            continue
        nxt_start, nxt_end = sentences[si + 1]
        lead = _LEAD.match(text, nxt_start, nxt_end)
        at = lead.end() if lead else nxt_start
        name = _name_at(text, at, reg) or _name_before_speech(text, at, nxt_end, reg)
        if name is None or name[0] in titled_names:
            continue
        if role_re.match(text, name[1] + 1) or role_re.match(text, name[1] + 2):
            continue  # the next sentence's person has a title of their own
        add(name, start, end)
    out.sort(key=lambda o: o.name_span)
    return out
