"""Everything the text core finds in one text, as one JSON-ready dict (the ``inspect`` command's output)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mahalle_news.text.dates import find_dates
from mahalle_news.text.money import find_money
from mahalle_news.text.normalize import normalize
from mahalle_news.text.numbers import find_numbers
from mahalle_news.text.places import find_dateline, find_places


def analyse(text: str, reference: dt.date | None = None) -> dict[str, Any]:
    """Normalised text plus numbers, money, dates and places; every span in ``text``'s own coordinates."""
    norm = normalize(text)
    numbers = find_numbers(norm)
    dateline = find_dateline(norm)
    return {
        "normalized": norm.text,
        "numbers": [n.to_dict() for n in numbers],
        "money": [m.to_dict() for m in find_money(norm, numbers)],
        "dates": [d.to_dict() for d in find_dates(norm, reference)],
        "places": [p.to_dict() for p in find_places(norm)],
        "dateline": dateline.to_dict() if dateline else None,
    }
