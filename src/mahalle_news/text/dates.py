"""Jalali dates in running text → ISO Gregorian.

Reads «۲۱ فروردین‌ماه»، «پنجشنبه ۲۶ شهریور ۱۳۹۴ ساعت ۹:۳۲»، «سه شنبه سوم شهریور ۱۳۹۴»، «جمعه سی ام اسفند ۱۳۸۷»،
«۱۴۰۳/۰۸/۱۲» and two-digit years («۹۴» → ۱۳۹۴, «۰۲» → ۱۴۰۲). A date written without a year takes the year
that puts it nearest before (or on) the reference date — the article's publication date. A weekday written
with the date is checked (``weekday_ok``). The calendar is jdatetime's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import jdatetime

from mahalle_news.text import lexemes as lx
from mahalle_news.text.normalize import PERSIAN_LETTERS, Normalized, normalize

MONTHS = {
    "فروردین": 1,
    "اردیبهشت": 2,
    "خرداد": 3,
    "تیر": 4,
    "مرداد": 5,
    "امرداد": 5,
    "شهریور": 6,
    "مهر": 7,
    "آبان": 8,
    "آذر": 9,
    "دی": 10,
    "بهمن": 11,
    "اسفند": 12,
}
#: jdatetime weekday(): Saturday = 0
WEEKDAYS = {
    "شنبه": 0,
    "یکشنبه": 1,
    "دوشنبه": 2,
    "سه‌شنبه": 3,
    "چهارشنبه": 4,
    "پنجشنبه": 5,
    "پنج‌شنبه": 5,
    "جمعه": 6,
}

_L = f"[{PERSIAN_LETTERS}]"
_S = "[ \u200c]*"
_S1 = "[ \u200c]+"
_DAY_WORDS = sorted({*lx.ORDINALS, *lx.SMALL}, key=len, reverse=True)
_DAY_WORD = "(?:" + "|".join(_DAY_WORDS) + ")"
_DAY = rf"(?P<day>\d{{1,2}}|{_DAY_WORD}(?:{_S1}و{_S1}{_DAY_WORD})?(?:{_S}امین|{_S}ام)?)"
_WEEKDAY = (
    "(?P<wd>"
    + "|".join(
        sorted(
            {w.replace("\u200c", _S) for w in WEEKDAYS} | {"سه" + _S1 + "شنبه", "پنج" + _S1 + "شنبه"},
            key=len,
            reverse=True,
        )
    )
    + ")"
)
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_TIME = (
    rf"(?:{_S}[،,]?{_S}ساعت(?:{_S1}ساعت)?{_S}(?P<hh>\d{{1,2}})"
    rf"(?:{_S}(?::|و)(?:{_S})(?P<mm>\d{{1,2}})(?:{_S}دقیقه)?"
    rf"(?:{_S}(?::|و)(?:{_S})(?P<ss>\d{{1,2}})(?:{_S}ثانیه)?)?)?)?"
)
_TEXT_DATE = re.compile(
    rf"(?<!{_L})(?:(?:روز{_S1})?{_WEEKDAY}{_S}[،,]?{_S})?{_DAY}{_S1}{_MONTH}(?:{_S}ماه)?"
    rf"(?:{_S}(?:سال{_S1})?(?P<year>[1۱][2-4۲-۴]\d\d|\d\d(?={_S}(?:[،,]?{_S}ساعت|[،,.؛:)»\n]|$)))(?!\d))?{_TIME}(?!{_L})"
)
_MONTH_ANCHOR = re.compile(rf"(?<!{_L})(?:{'|'.join(sorted(MONTHS, key=len, reverse=True))})(?!{_L})")
_BACK, _AHEAD = 60, 90  # widest weekday + day before a month name; year and time after it
_NUM_DATE = re.compile(r"(?<![\d/])(?P<y>\d{4}|\d{2})[/\-.](?P<m>\d{1,2})[/\-.](?P<d>\d{1,2})(?![\d/])")


@dataclass
class DateMention:
    span: tuple[int, int]
    gregorian: str  # ISO date, or date and time when a time was written
    jalali: str  # YYYY-MM-DD
    year_inferred: bool = False
    weekday_ok: bool | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "span": list(self.span),
            "gregorian": self.gregorian,
            "jalali": self.jalali,
            "year_inferred": self.year_inferred,
            "weekday_ok": self.weekday_ok,
        }


def _day_value(raw: str) -> int | None:
    raw = re.sub(f"{_S}(امین|ام)$", "", raw.strip())
    if raw.isdigit():
        return int(raw)
    total = 0
    for part in re.split(f"{_S1}و{_S1}", raw):
        part = part.strip()
        value = lx.ORDINALS.get(part, lx.SMALL.get(part))
        if value is None:
            return None
        total += value
    return total


def _full_year(y: int, ndigits: int) -> int:
    if ndigits == 4:
        return y
    return 1400 + y if y < 50 else 1300 + y


def _resolve_year(month: int, day: int, reference: dt.date | None) -> int | None:
    if reference is None:
        return None
    try:
        ref = jdatetime.date.fromgregorian(date=reference)
    except (ValueError, OverflowError):
        return None  # a reference outside the Jalali calendar's range
    for year in (ref.year, ref.year - 1):
        try:
            cand = jdatetime.date(year, month, day)
        except ValueError:
            continue
        if cand.togregorian() <= reference:
            return int(year)
    return None


def find_dates(text: str | Normalized, reference: dt.date | None = None) -> list[DateMention]:
    """Jalali dates in ``text``. Without a year, the year comes from ``reference``; with neither, skipped."""
    norm = text if isinstance(text, Normalized) else normalize(text)
    t = norm.text
    out: list[DateMention] = []
    last_end = 0
    for anchor in _MONTH_ANCHOR.finditer(t):  # only near a month name: the full pattern is costly
        m = _TEXT_DATE.search(t, max(last_end, anchor.start() - _BACK), min(len(t), anchor.end() + _AHEAD))
        if m is None or m.start("month") != anchor.start():
            continue
        last_end = m.end()
        day = _day_value(m.group("day"))
        month = MONTHS[m.group("month")]
        if day is None or not 1 <= day <= 31:
            continue
        inferred = m.group("year") is None
        year = (
            _resolve_year(month, day, reference) if inferred else _full_year(int(m.group("year")), len(m.group("year")))
        )
        if year is None:
            continue
        mention = _make(norm, m.start(), m.end(), year, month, day, inferred, m)
        if mention is not None:
            out.append(mention)
    for m in _NUM_DATE.finditer(t):
        y = _full_year(int(m.group("y")), len(m.group("y")))
        if not 1200 <= y <= 1499:
            continue
        mention = _make(norm, m.start(), m.end(), y, int(m.group("m")), int(m.group("d")), False, None)
        if mention is not None:
            out.append(mention)
    out.sort(key=lambda d: d.span)
    return out


def _make(
    norm: Normalized,
    start: int,
    end: int,
    year: int,
    month: int,
    day: int,
    inferred: bool,
    m: re.Match[str] | None,
) -> DateMention | None:
    try:
        jd = jdatetime.date(year, month, day)
    except ValueError:
        return None
    greg: dt.date | dt.datetime = jd.togregorian()
    weekday_ok = None
    if m is not None:
        if m.group("wd"):
            wd = re.sub(_S1, "\u200c", m.group("wd"))
            expected = WEEKDAYS.get(wd, WEEKDAYS.get(wd.replace("\u200c", "")))
            weekday_ok = expected == jd.weekday()
        if m.group("hh") is not None:
            hh, mm, ss = int(m.group("hh")), int(m.group("mm") or 0), int(m.group("ss") or 0)
            if hh < 24 and mm < 60 and ss < 60:
                greg = dt.datetime(greg.year, greg.month, greg.day, hh, mm, ss)
            # an impossible time («ساعت ۲۴:۰۰») leaves the date itself standing
    o_start, o_end = norm.to_original(start, end)
    return DateMention((o_start, o_end), greg.isoformat(), f"{year:04d}-{month:02d}-{day:02d}", inferred, weekday_ok)
