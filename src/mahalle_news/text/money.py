"""Amounts of money: a number followed by a currency, converted to rials.

ریال and تومان (1 تومان = 10 ریال), «همت» (هزار میلیارد تومان = 10^13 ریال), the adjective forms «میلیارد
ریالی» / «تومانی», and a qualifier written before the amount (حدود → about, بیش از / بالغ بر → more_than,
کمتر از → less_than). Foreign currencies (دلار، یورو) are reported with their currency and no rial value.
A range («۵۰۰ تا ۷۰۰ میلیون تومان») gives two amounts, both in the currency written after the second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from mahalle_news.text.normalize import Normalized, normalize
from mahalle_news.text.numbers import NumberMention, find_numbers
from mahalle_news.text.qualifiers import qualifier_before

#: currency word -> (currency code, rials per unit or None)
CURRENCIES: dict[str, tuple[str, int | None]] = {
    "ریال": ("IRR", 1),
    "ریالی": ("IRR", 1),
    "تومان": ("IRR", 10),
    "تومانی": ("IRR", 10),
    "همت": ("IRR", 10**13),
    "همتی": ("IRR", 10**13),
    "دلار": ("USD", None),
    "دلاری": ("USD", None),
    "یورو": ("EUR", None),
    "یورویی": ("EUR", None),
}
_CURRENCY = re.compile(r"[ \u200c]*(?P<c>" + "|".join(sorted(CURRENCIES, key=len, reverse=True)) + r")(?![آ-ی])")


@dataclass
class MoneyMention:
    span: tuple[int, int]  # the amount with its currency word, original coordinates
    rials: int | None
    amount: int | float  # the number as written, before the currency
    currency: str
    unit: str  # the currency word as normalised: ریال، تومان، همت …
    approx: str | None = None
    qualifier_span: tuple[int, int] | None = None
    number_span: tuple[int, int] = (0, 0)
    norm_span: tuple[int, int] = (0, 0)  # the amount with its currency word, in the normalised text

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "span": list(self.span),
            "rials": self.rials,
            "amount": self.amount,
            "currency": self.currency,
            "unit": self.unit,
            "approx": self.approx,
        }
        if self.qualifier_span:
            out["qualifier_span"] = list(self.qualifier_span)
        return out


def find_money(text: str | Normalized, numbers: list[NumberMention] | None = None) -> list[MoneyMention]:
    """All amounts of money in ``text``; pass ``numbers`` when they were already found."""
    norm = text if isinstance(text, Normalized) else normalize(text)
    nums = find_numbers(norm) if numbers is None else numbers
    t = norm.text
    out: list[MoneyMention] = []
    currency_after: dict[int, re.Match[str]] = {}
    for i, num in enumerate(nums):
        if num.ordinal:
            continue
        m = _CURRENCY.match(t, num.norm_span[1])
        if m is None and num.range_role == "from" and i + 1 < len(nums):
            other = nums[i + 1]
            m = currency_after.get(i + 1) or _CURRENCY.match(t, other.norm_span[1])
            if m is not None:
                currency_after[i + 1] = m
                end_norm = num.norm_span[1]
            else:
                continue
        elif m is None:
            continue
        else:
            end_norm = m.end()
        code, rate = CURRENCIES[m.group("c")]
        unit = "همت" if m.group("c").startswith("همت") else m.group("c").removesuffix("ی")
        rials = None
        if rate is not None:
            value = Fraction(num.value) * rate
            rials = int(value) if value.denominator == 1 else round(value)
        q = qualifier_before(t, num.norm_span[0])
        o_start, o_end = norm.to_original(num.norm_span[0], end_norm)
        out.append(
            MoneyMention(
                span=(o_start, o_end),
                rials=rials,
                amount=num.value,
                currency=code,
                unit=unit,
                approx=q[0] if q else None,
                qualifier_span=norm.to_original(*q[1]) if q else None,
                number_span=num.span,
                norm_span=(num.norm_span[0], end_norm),
            )
        )
    return out
