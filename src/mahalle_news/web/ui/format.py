"""Numbers, money, dates and fact values the way a Persian reader expects them.

Digits are Persian (۰–۹), thousands are grouped with «٬» and decimals use «٫»; dates are Jalali in Iran time;
budgets (stored in rials) read as «۳۵٬۰۰۰ میلیارد ریال» with the same amount in tomans beside it.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Mapping
from typing import Any

import jdatetime
from markupsafe import Markup, escape

IRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
_TO_FA = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
MONTHS = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
TYPE_LABELS: dict[str, str] = {
    "neighbourhood_count": "شمار محله‌ها",
    "budget": "اعتبار",
    "program": "طرح و برنامه",
    "official": "مقام مسئول",
    "population": "جمعیت",
    "percentage": "درصد",
    "quantity": "مقدار",
}
APPROX_LABELS = {"about": "حدود", "more_than": "بیش از", "less_than": "کمتر از"}
PERIOD_LABELS = {"per neighbourhood": "برای هر محله", "1 year": "در یک سال"}
STATUS_LABELS = {"current": "رقم تازه", "superseded": "رقم قبلی (جایگزین‌شده)"}
SORT_LABELS = {
    "published_desc": "تازه‌ترین خبر",
    "published_asc": "قدیمی‌ترین خبر",
    "value_desc": "بیشترین مقدار",
    "value_asc": "کمترین مقدار",
    "rials_desc": "بیشترین اعتبار",
    "rials_asc": "کمترین اعتبار",
}
_MONEY_UNITS = ((10**9, "میلیارد"), (10**6, "میلیون"))


def fa_digits(value: object) -> str:
    """The text of ``value`` with Persian digits."""
    return str(value).translate(_TO_FA)


_DIGIT_TOKEN = re.compile(r"[A-Za-z0-9._/:@%+-]*[0-9][A-Za-z0-9._/:@%+-]*")


def fa_text(text: object) -> str:
    """Quoted text (an article, a sentence, a title) with its digits shown in Persian, except inside Latin
    tokens (an address, a code such as «A4»): the shapes change, never the characters' positions."""
    if text is None:
        return ""

    def convert(match: re.Match[str]) -> str:
        token = match.group(0)
        return token if any("a" <= c.lower() <= "z" for c in token) else token.translate(_TO_FA)

    return _DIGIT_TOKEN.sub(convert, str(text))


def fa_number(value: float | int | None, decimals: int = 2) -> str:
    """«۱۲٬۳۴۵» or «۳٫۵»: grouped with «٬», at most ``decimals`` decimals (trailing zeros dropped); «—» for None."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    negative = value < 0
    value = abs(value)
    if isinstance(value, int) or float(value).is_integer():
        text = f"{round(value):,}"
    else:
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    text = text.replace(",", "٬").replace(".", "٫")
    return ("−" if negative else "") + fa_digits(text)


def fa_percent(share: float | None) -> str:
    """A share 0…1 as «۵۰٪»."""
    return "—" if share is None else fa_number(share * 100, 1) + "٪"


def _scaled(amount: int, unit_name: str) -> str:
    for size, word in _MONEY_UNITS:
        if amount >= size:
            value = amount / size
            return f"{fa_number(value, 2 if value < 10 else 1 if value < 100 else 0)} {word} {unit_name}"
    return f"{fa_number(amount)} {unit_name}"


def money(rials: int | None) -> str:
    """A rial amount, readable: «۳۵٬۰۰۰ میلیارد ریال»."""
    if rials is None:
        return "—"
    return _scaled(abs(int(rials)), "ریال")


def tomans(rials: int | None) -> str:
    """The same amount in tomans (a tenth): «۳٬۵۰۰ میلیارد تومان»."""
    if rials is None:
        return "—"
    return _scaled(abs(int(rials)) // 10, "تومان")


def _iran(value: dt.datetime | dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(IRAN).date()
    return value


def jalali(value: dt.datetime | dt.date | None) -> jdatetime.date | None:
    """The Jalali day of a date (a datetime is read in Iran time)."""
    if value is None:
        return None
    return jdatetime.date.fromgregorian(date=_iran(value))


def jalali_date(value: dt.datetime | dt.date | None) -> str:
    """«۱ فروردین ۱۴۰۴»; «—» for None."""
    day = jalali(value)
    if day is None:
        return "—"
    return fa_digits(f"{day.day} {MONTHS[day.month - 1]} {day.year}")


def jalali_short(value: dt.datetime | dt.date | None) -> str:
    """«۱۴۰۴/۰۱/۰۱»; «—» for None."""
    day = jalali(value)
    return "—" if day is None else fa_digits(f"{day.year:04d}/{day.month:02d}/{day.day:02d}")


def jalali_datetime(value: dt.datetime | None) -> str:
    """«۱ فروردین ۱۴۰۴، ساعت ۱۴:۳۰» (Iran time); «—» for None."""
    if value is None:
        return "—"
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    local = aware.astimezone(IRAN)
    return f"{jalali_date(local)}، ساعت {fa_digits(local.strftime('%H:%M'))}"


def month_key(value: dt.datetime | dt.date) -> tuple[int, int]:
    """(Jalali year, month) of a date (a datetime is read in Iran time)."""
    return _month_of(_iran(value))


@functools.lru_cache(maxsize=8192)
def _month_of(day: dt.date) -> tuple[int, int]:  # a dashboard asks it of every fact: once per day is enough
    jday = jdatetime.date.fromgregorian(date=day)
    return jday.year, jday.month


def month_label(key: tuple[int, int]) -> str:
    """«فروردین ۱۴۰۴»."""
    return f"{MONTHS[key[1] - 1]} {fa_digits(key[0])}"


def type_label(kind: str | None) -> str:
    return TYPE_LABELS.get(kind or "", kind or "—")


def fact_value(fact: Mapping[str, Any]) -> str:
    """The figure of a fact in words: «حدود ۱۶ محله», «۳۵٬۰۰۰ میلیارد ریال برای هر محله», «عبدالله سارانی»."""
    kind = fact.get("type")
    approx = APPROX_LABELS.get(str(fact.get("approx") or ""), "")
    prefix = f"{approx} " if approx else ""
    value = fact.get("value")
    if kind == "budget":
        period = PERIOD_LABELS.get(str(fact.get("period") or ""), "")
        return prefix + money(fact.get("rials")) + (f" {period}" if period else "")
    if kind == "neighbourhood_count":
        return f"{prefix}{fa_number(value)} محله"
    if kind == "population":
        return f"{prefix}{fa_number(value)} نفر"
    if kind == "percentage":
        return f"{prefix}{fa_number(value)}٪"
    if kind == "quantity":
        unit = fact.get("unit") or ""
        return f"{prefix}{fa_number(value)} {unit}".strip()
    if kind == "official":
        name, role = fact.get("name") or "—", fact.get("role")
        return f"{name} ({role})" if role else str(name)
    if kind == "program":
        return str(fact.get("name") or fact.get("program") or "—")
    return fa_number(value) if value is not None else "—"


_ASCII_RUN = re.compile(r"[ -~]+")


def isolate_latin(text: object) -> Markup:
    """Escaped text with each run of Latin text (a path, an address, a name in English) isolated left to right,
    so that «ایرنا — /rss/latest.xml» keeps its slash where it belongs inside Persian text."""

    def wrap(match: re.Match[str]) -> str:
        run = match.group(0)
        core = run.strip()
        if not any(c.isalpha() for c in core):
            return str(escape(run))
        lead, trail = run[: len(run) - len(run.lstrip())], run[len(run.rstrip()) :]
        return f'{lead}<bdi dir="ltr">{escape(core)}</bdi>{trail}'

    if text is None:
        return Markup("")
    raw = str(text)
    out, at = [], 0
    for match in _ASCII_RUN.finditer(raw):
        out.append(str(escape(raw[at : match.start()])))
        out.append(wrap(match))
        at = match.end()
    out.append(str(escape(raw[at:])))
    return Markup("".join(out))
