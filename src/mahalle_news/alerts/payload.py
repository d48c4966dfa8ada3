"""What a notification says: its JSON payload (what a webhook receives, the Atom feed and the event stream show)
and its title in Persian.

A payload is a snapshot taken when the alert fires: the fact in its public shape
(:func:`mahalle_news.exports.fact_record`), where to read it (``fact_path``: ``/v1/facts/{id}``) and the evidence
sentence; a *changed* notification adds the metric, the old and new values and the previous fact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mahalle_news.exports import fact_record

KINDS = ("new", "changed")
LABELS = {
    "neighbourhood_count": "شمار محله‌ها",
    "budget": "بودجه",
    "program": "برنامه",
    "official": "مسئول",
    "population": "جمعیت",
    "percentage": "درصد",
    "quantity": "مقدار",
}
_PERSIAN_DIGITS = str.maketrans("0123456789,.", "۰۱۲۳۴۵۶۷۸۹٬٫")


@dataclass(frozen=True)
class Metric:
    """What a figure measures: a fact type in a province for a program (and a unit, for quantities)."""

    type: str
    province: str
    program: str | None
    unit: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "province": self.province, "program": self.program, "unit": self.unit}


def persian_number(value: float | int) -> str:
    """``2500000`` → «۲٬۵۰۰٬۰۰۰», ``12.5`` → «۱۲٫۵»."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.3f}".rstrip("0").rstrip(".")
    return text.translate(_PERSIAN_DIGITS)


def figure(fact: Mapping[str, Any]) -> float | int | None:
    """The number a fact reports: rials for a budget, else its value."""
    value = fact.get("rials") if fact.get("type") == "budget" else fact.get("value")
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def figure_text(fact: Mapping[str, Any], value: float | int | None = None) -> str:
    """A fact's figure with its unit, in Persian."""
    value = figure(fact) if value is None else value
    if value is None:
        return "—"
    number = persian_number(value)
    kind = fact.get("type")
    if kind == "budget":
        return f"{number} ریال"
    if kind == "percentage":
        return f"{number}٪"
    if kind == "neighbourhood_count":
        return f"{number} محله"
    if kind == "population":
        return f"{number} نفر"
    unit = fact.get("unit")
    return f"{number} {unit}" if unit else number


def _where(fact: Mapping[str, Any]) -> str:
    program, province = fact.get("program"), fact.get("province")
    out = f" «{program}»" if program and fact.get("type") != "program" else ""
    return out + (f" در {province}" if province else "")


def new_title(fact: Mapping[str, Any]) -> str:
    """«بودجه در کرمان: ۲٬۵۰۰ ریال», «برنامه «طرح ملی ۲۰۲۰ محله» در یزد», «مسئول: … (…)»."""
    kind = str(fact.get("type"))
    label = LABELS.get(kind, kind)
    if kind == "program":
        return f"{label} «{fact.get('name') or fact.get('program') or '—'}»{_where(fact)}"
    if kind == "official":
        role = fact.get("role")
        return f"{label}: {fact.get('name') or '—'}" + (f" ({role})" if role else "")
    return f"{label}{_where(fact)}: {figure_text(fact)}"


def changed_title(fact: Mapping[str, Any], old: float | int, new: float | int) -> str:
    """«تغییر بودجه در کرمان: از ۱۰۰ ریال به ۲۰۰ ریال»."""
    kind = str(fact.get("type"))
    return f"تغییر {LABELS.get(kind, kind)}{_where(fact)}: از {figure_text(fact, old)} به {figure_text(fact, new)}"


def fact_path(fact_id: int) -> str:
    return f"/v1/facts/{fact_id}"


def _base(notification_id: str, kind: str, alert_id: int, alert_name: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": notification_id,
        "kind": kind,
        "alert": {"id": alert_id, "name": alert_name},
        "created_at": now.isoformat(),
    }


def new_payload(
    notification_id: str, alert_id: int, alert_name: str, row: Mapping[str, Any], now: dt.datetime
) -> dict[str, Any]:
    """The payload of a new matching fact (``row``: a fact row with its article's url, source_id and title)."""
    fact = fact_record(row)
    return {
        **_base(notification_id, "new", alert_id, alert_name, now),
        "title": new_title(fact),
        "fact_path": fact_path(int(row["id"])),
        "evidence": fact.get("sentence"),
        "article_title": row.get("title"),
        "fact": fact,
    }


def changed_payload(
    notification_id: str,
    alert_id: int,
    alert_name: str,
    metric: Metric,
    previous: Mapping[str, Any],
    current: Mapping[str, Any],
    now: dt.datetime,
) -> dict[str, Any]:
    """The payload of a changed figure: ``previous`` and ``current`` are fact rows of the same metric."""
    old, new = fact_record(previous), fact_record(current)
    old_value, new_value = figure(previous), figure(current)
    assert old_value is not None and new_value is not None
    return {
        **_base(notification_id, "changed", alert_id, alert_name, now),
        "title": changed_title(new, old_value, new_value),
        "fact_path": fact_path(int(current["id"])),
        "evidence": new.get("sentence"),
        "article_title": current.get("title"),
        "metric": metric.to_dict(),
        "old_value": old_value,
        "new_value": new_value,
        "fact": new,
        "previous_fact_path": fact_path(int(previous["id"])),
        "previous_fact": old,
    }
