"""Properties of the text core on any input: never raise, spans inside the text and in order, normalisation
idempotent and fold-preserving."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mahalle_news.text.dates import find_dates
from mahalle_news.text.inspect import analyse
from mahalle_news.text.money import find_money
from mahalle_news.text.normalize import fold, normalize
from mahalle_news.text.numbers import find_numbers
from mahalle_news.text.places import find_places

PERSIAN = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیيكةۀأؤئءًٌٍَُِّ"
PIECES = [
    " ",
    "\u200c",
    "\n",
    "\t",
    "۱۲",
    "١٢",
    "12",
    "٫",
    ",",
    "٬",
    "/",
    ".",
    "-",
    "،",
    "«",
    "»",
    "و",
    "هزار",
    "میلیون",
    "میلیارد",
    "ریال",
    "تومان",
    "همت",
    "محله",
    "ها",
    "های",
    "می",
    "نه",
    "ده",
    "صد",
    "سی",
    "ام",
    "فروردین",
    "شنبه",
    "کرمان",
    "محلات",
    "تا",
    "حدود",
    "بیش از",
    "ﷲ",
    "\u200f",
    "\ufeff",
    "\x00",
    "\ud800",
]
persianish = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(alphabet=PERSIAN, min_size=1, max_size=6)), max_size=40
).map("".join)
any_text = st.one_of(st.text(max_size=200), persianish)


def _spans_ok(spans: list[tuple[int, int]], n: int) -> None:
    last = 0
    for s, e in spans:
        assert 0 <= s <= e <= n
        assert s >= last  # in order and not overlapping
        last = e


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_properties_normalize_is_idempotent_and_keeps_fold(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once
    assert fold(once) == fold(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_properties_offsets_stay_inside_original(text: str) -> None:
    n = normalize(text)
    for i in range(0, len(n.text) + 1, max(1, len(n.text) // 7)):
        s, e = n.to_original(0, i)
        assert 0 <= s <= e <= len(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_text)
def test_properties_finders_never_raise_and_spans_are_valid(text: str) -> None:
    norm = normalize(text)
    nums = find_numbers(norm)
    _spans_ok([x.span for x in nums], len(text))
    _spans_ok([x.span for x in find_money(norm, nums)], len(text))
    _spans_ok([x.span for x in find_dates(norm, dt.date(2025, 1, 1))], len(text))
    _spans_ok([x.span for x in find_places(norm)], len(text))


def test_properties_large_text_is_handled() -> None:
    chunk = "در ۱۰ محلهمحور کرمان اعتباری بالغ بر ۲ هزار و ۵۰۰ میلیارد ریال در ۲۱ فروردین تخصیص یافت.\n"
    text = chunk * (10_000_000 // len(chunk) + 1)  # > 10 MB of UTF-8
    result = analyse(text, dt.date(2025, 5, 1))
    assert len(result["numbers"]) > 100_000
    assert result["money"][-1]["rials"] == 2_500_000_000_000
