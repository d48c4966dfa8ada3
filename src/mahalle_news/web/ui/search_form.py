"""The search form: the query parameters of ``GET /v1/facts`` read into a filter, with every problem explained in
Persian next to its field, and the values echoed back as the person typed them.

The filter language reports one problem at a time; the form checks each field on its own first, so that two
bad fields are both marked at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import QueryParams

from mahalle_news.errors import InputError, Location
from mahalle_news.filters import KNOWN_PARAMS, FactFilter, parse_fact_filter
from mahalle_news.web.ui.format import SORT_LABELS, fa_digits, fa_number, jalali_short, money, type_label

#: Fields the form shows; the other filter parameters it receives are carried along in hidden inputs.
SHOWN = ("q", "type", "province", "program", "official", "date_from", "date_to", "value_min", "value_max",
         "rials_min", "rials_max", "sort")  # fmt: skip
LABELS = {
    "q": "واژه‌های جست‌وجو",
    "type": "نوع واقعیت",
    "province": "استان",
    "program": "طرح یا برنامه",
    "source": "منبع",
    "official": "مقام مسئول",
    "date_from": "از تاریخ",
    "date_to": "تا تاریخ",
    "value_min": "کمترین مقدار",
    "value_max": "بیشترین مقدار",
    "rials_min": "کمترین اعتبار (ریال)",
    "rials_max": "بیشترین اعتبار (ریال)",
    "story": "ماجرا",
    "article": "خبر",
    "relevant": "مرتبط بودن خبر",
    "counted": "شمارش تکراری‌ها",
    "sort": "ترتیب",
    "cursor": "صفحه",
}
_NUMBER = "یک عدد بنویسید، مثلاً ۱۲ یا ۲٫۵."
_WHOLE = "یک عدد صحیح بنویسید، بی اعشار."
_DATE = "تاریخ را به شکل سال/ماه/روز بنویسید، مثلاً ۱۴۰۴/۰۱/۱۵."


def persian_message(err: InputError) -> tuple[str, str]:
    """(field, message in Persian) for an error of the filter language."""
    name = err.location.field if err.location and err.location.field else ""
    text = err.message
    if text.startswith("unknown parameter"):
        return name, f"پارامتر «{name}» شناخته نیست؛ آن را از نشانی صفحه بردارید."
    if text == "given more than once":
        return name, "این فیلد بیش از یک بار آمده است؛ یک مقدار بدهید."
    if text.startswith("at most"):
        return name, "این فیلد بیش از اندازه بلند است یا مقدارهای زیادی دارد."
    if " is after " in text:
        if name == "date_from":
            return name, "«از تاریخ» بعد از «تا تاریخ» است."
        return name, "کمترین مقدار از بیشترین مقدار بزرگ‌تر است."
    if name in ("date_from", "date_to"):
        return name, "چنین روزی در تقویم نیست." if text.startswith("no such day") else _DATE
    if name in ("value_min", "value_max"):
        return name, _NUMBER
    if name in ("rials_min", "rials_max", "story", "article"):
        return name, _WHOLE
    if name == "province":
        return name, "استانی به این نام نمی‌شناسیم؛ از فهرست انتخاب کنید."
    if name == "type":
        return name, "این نوع واقعیت شناخته نیست؛ از فهرست انتخاب کنید."
    if name == "sort":
        return name, "ترتیب نتیجه‌ها را از فهرست انتخاب کنید."
    if name in ("relevant", "counted"):
        return name, "مقدار این فیلد باید true، false یا any باشد."
    if name == "cursor":
        return name, "نشانی صفحهٔ بعد معتبر نیست یا کهنه شده است؛ جست‌وجو را از صفحهٔ اول آغاز کنید."
    return name, "مقدار این فیلد پذیرفتنی نیست."


def _as_mapping(params: QueryParams | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(params, QueryParams):
        out: dict[str, Any] = {}
        for key in params:
            values = params.getlist(key)
            out[key] = values if len(values) > 1 or key in ("type", "province", "program", "source") else values[0]
        return out
    return dict(params)


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, list) and not any(v.strip() for v in value))


@dataclass
class SearchForm:
    """What the form shows: the values as given, the filter when they are valid, and the errors by field."""

    values: dict[str, Any]
    filter: FactFilter | None
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        given = self.values.get(name)
        if isinstance(given, list):
            return str(given[0]) if given else ""
        return "" if given is None else str(given)

    def selected(self, name: str) -> list[str]:
        given = self.values.get(name)
        if given is None:
            return []
        items = given if isinstance(given, list) else [given]
        if self.filter is not None and name in ("province", "program"):
            return list(getattr(self.filter, name))  # resolved spellings («كرمان» → «کرمان»)
        return [s.strip() for item in items for s in str(item).split(",") if s.strip()]

    def hidden(self) -> list[tuple[str, str]]:
        """The filter parameters given but not shown as fields, to send again with the form."""
        out: list[tuple[str, str]] = []
        for name, given in self.values.items():
            if name in SHOWN or name == "cursor" or name not in KNOWN_PARAMS:
                continue
            out += [(name, str(v)) for v in (given if isinstance(given, list) else [given])]
        return out

    @property
    def params(self) -> dict[str, Any]:
        """The given parameters without empty fields and without the page cursor."""
        return {k: v for k, v in self.values.items() if k != "cursor" and not _blank(v)}


def read_form(params: QueryParams | Mapping[str, Any]) -> SearchForm:
    """The form of these query parameters: empty fields are ignored (a plain GET form sends them all)."""
    values = _as_mapping(params)
    given = {k: v for k, v in values.items() if k != "cursor" and not _blank(v)}
    errors: dict[str, str] = {}
    for name in list(given):
        if name not in KNOWN_PARAMS:
            errors[name] = persian_message(InputError("unknown parameter", location=Location(field=name)))[1]
            continue
        try:
            parse_fact_filter({name: given[name]})
        except InputError as err:
            errors[name] = persian_message(err)[1]
    filt: FactFilter | None = None
    if not errors:
        try:
            filt = parse_fact_filter(given)
        except InputError as err:
            name, message = persian_message(err)
            errors[name or "q"] = message
    return SearchForm(values, filt, errors)


def filter_pairs(filt: FactFilter | None) -> list[tuple[str, str]]:
    """A filter in words, one (label, value) per condition: for the export and alert pages."""
    if filt is None:
        return []
    out: list[tuple[str, str]] = []
    if filt.q:
        out.append((LABELS["q"], filt.q))
    if filt.type:
        out.append((LABELS["type"], "، ".join(type_label(t) for t in filt.type)))
    for name in ("province", "program", "source"):
        values = getattr(filt, name)
        if values:
            out.append((LABELS[name], "، ".join(values)))
    if filt.official:
        out.append((LABELS["official"], filt.official))
    if filt.date_from or filt.date_to:
        out.append(("تاریخ انتشار", f"{jalali_short(filt.date_from)} تا {jalali_short(filt.date_to)}"))
    if filt.value_min is not None or filt.value_max is not None:
        out.append(("مقدار", f"{fa_number(filt.value_min)} تا {fa_number(filt.value_max)}"))
    if filt.rials_min is not None or filt.rials_max is not None:
        out.append(("اعتبار", f"{money(filt.rials_min)} تا {money(filt.rials_max)}"))
    for name in ("story", "article"):
        if getattr(filt, name) is not None:
            out.append((LABELS[name], fa_digits(getattr(filt, name))))
    if filt.relevant is not True:
        out.append((LABELS["relevant"], "همهٔ خبرها" if filt.relevant is None else "فقط خبرهای نامرتبط"))
    if filt.counted is not True:
        out.append((LABELS["counted"], "همهٔ نسخه‌ها" if filt.counted is None else "فقط تکرارها"))
    if filt.sort != "published_desc":
        out.append((LABELS["sort"], SORT_LABELS.get(filt.sort, filt.sort)))
    return out
