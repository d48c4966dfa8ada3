"""Matching new facts against saved alerts, inside the transaction that stores the article.

:func:`install` registers a :class:`Matcher` as a ``Store.on_saved`` hook. For every new article (status
``new``, ``exact`` or ``near``; a URL stored before does not call hooks) it reads the article's facts and checks
each against every alert's filter with :meth:`FactFilter.matches` in Python: one query for the alerts and one for
the facts per article, then alerts × facts comparisons, which is fine for a moderate number of alerts (thousands);
beyond that, index the alerts by fact type and province.

Once-only, by construction:

* a notification is written in the article's own transaction: it exists if and only if the article does, so a
  crash or restart can neither lose nor repeat it, and re-crawling a stored URL changes nothing;
* filters count a syndicated story's repeated facts once (``counted``, the default): a copy does not match;
* whatever the filter, the UNIQUE constraint (alert, kind, story, fact key) refuses a second notification for a
  fact already notified for the story (``INSERT … ON CONFLICT DO NOTHING``), so an exact or near copy of a story
  never notifies again for its facts.

*Changed figures*: for each counted fact with a figure (counts, budgets, populations, percentages, quantities)
and a province, the latest earlier value of the same metric (type × province × program, × unit for quantities)
in another story is looked up; a different value published no earlier fires a ``changed`` notification for
alerts with ``on_changed`` whose filter the new fact matches (once per alert, story and metric).

A failure here is logged and rolled back to a savepoint: it never costs the article.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from mahalle_news.alerts.payload import Metric, changed_payload, figure, new_payload
from mahalle_news.config import Settings
from mahalle_news.errors import InputError
from mahalle_news.filters import FactFilter, parse_fact_filter
from mahalle_news.store.alerts import AlertRule, add_notification, alert_rules
from mahalle_news.store.records import SavedArticle
from mahalle_news.store.rows import fact_export_query
from mahalle_news.store.schema import articles, facts
from mahalle_news.store.store import Store
from mahalle_news.text.search import search_words

log = logging.getLogger("mahalle_news.alerts")

_CACHE_LIMIT = 10_000
#: Fact types whose figure can change.
METRIC_TYPES = ("neighbourhood_count", "budget", "population", "percentage", "quantity")


@dataclass(frozen=True)
class Change:
    """A new value of a metric: the previous latest fact and the new one (fact rows)."""

    metric: Metric
    previous: dict[str, Any]
    current: dict[str, Any]

    @property
    def key(self) -> str:
        m = self.metric
        return json.dumps(["changed", m.type, m.province, m.program, m.unit], ensure_ascii=False)


def metric_of(fact: Mapping[str, Any]) -> Metric | None:
    kind, province = fact.get("type"), fact.get("province")
    if kind not in METRIC_TYPES or not province or figure(fact) is None:
        return None
    unit = fact.get("unit") if kind == "quantity" else None
    return Metric(str(kind), str(province), fact.get("program"), unit)


def _same_metric(metric: Metric) -> list[sa.ColumnElement[bool]]:
    f = facts.c
    value = f.rials if metric.type == "budget" else f.value
    where = [f.type == metric.type, f.province == metric.province, f.counted.is_(True), value.is_not(None)]
    where.append(f.program.is_(None) if metric.program is None else f.program == metric.program)
    if metric.type == "quantity":
        where.append(f.unit.is_(None) if metric.unit is None else f.unit == metric.unit)
    return where


def changed_figures(conn: sa.Connection, story_id: int, rows: list[dict[str, Any]]) -> list[Change]:
    """The metrics whose value the new article's counted facts change (see the module)."""
    out: list[Change] = []
    seen: set[Metric] = set()
    for row in rows:
        metric = metric_of(row)
        if metric is None or metric in seen or not row.get("counted"):
            continue
        seen.add(metric)
        f = facts.c
        query = (
            fact_export_query()
            .where(*_same_metric(metric), f.story_id != story_id)
            .order_by(f.published_at.desc().nulls_last(), f.id.desc())
            .limit(1)
        )
        found = conn.execute(query).first()
        if found is None:
            continue
        previous = dict(found._mapping)
        if figure(previous) == figure(row):
            continue
        before, now = previous.get("published_at"), row.get("published_at")
        if before is not None and now is not None and now < before:
            continue  # an older report stored late: not a new value
        out.append(Change(metric, previous, row))
    return out


class Matcher:
    """The ``on_saved`` hook: writes the notifications (and outbox rows) of a newly stored article."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._filters: dict[tuple[int, str], FactFilter | None] = {}

    def __call__(self, conn: sa.Connection, saved: SavedArticle) -> None:
        if saved.status == "exists":
            return
        try:
            with conn.begin_nested():
                self.match(conn, saved)
        except Exception:
            log.exception("alerts: matching article %s failed; it is stored without notifications", saved.article_id)

    def _filter(self, rule: AlertRule) -> FactFilter | None:
        key = (rule.id, json.dumps(rule.filter, sort_keys=True, ensure_ascii=False))
        if key not in self._filters:
            if len(self._filters) >= _CACHE_LIMIT:  # deleted alerts' filters: start again
                self._filters.clear()
            try:
                self._filters[key] = parse_fact_filter(rule.filter)
            except InputError as err:
                log.warning("alerts: alert %s has a filter that no longer parses (%s); skipped", rule.id, err)
                self._filters[key] = None
        return self._filters[key]

    def match(self, conn: sa.Connection, saved: SavedArticle) -> int:
        """Write the notifications for one stored article; how many were written."""
        rules = alert_rules(conn)
        if not rules:
            return 0
        query = fact_export_query().where(facts.c.article_id == saved.article_id).order_by(facts.c.seq)
        rows = [dict(r._mapping) for r in conn.execute(query)]
        if not rows:
            return 0
        filters = {rule.id: self._filter(rule) for rule in rules}
        article = self._article(conn, saved.article_id, any(f is not None and f.q for f in filters.values()))
        changes = changed_figures(conn, saved.story_id, rows) if any(r.on_changed for r in rules) else []
        now = self._clock()
        written = 0
        for rule in rules:
            filt = filters[rule.id]
            if filt is None:
                continue
            if rule.on_new:
                for row in rows:
                    if filt.matches(row, article):
                        payload = new_payload(str(uuid.uuid4()), rule.id, rule.name, row, now)
                        written += self._add(conn, rule, "new", row, str(row["fact_key"]), payload, now)
            if rule.on_changed:
                for change in changes:
                    if filt.matches(change.current, article):
                        payload = changed_payload(
                            str(uuid.uuid4()), rule.id, rule.name, change.metric, change.previous, change.current, now
                        )
                        written += self._add(conn, rule, "changed", change.current, change.key, payload, now)
        return written

    @staticmethod
    def _article(conn: sa.Connection, article_id: int, with_words: bool) -> dict[str, Any]:
        a = articles.c
        row = conn.execute(
            sa.select(a.published_at, a.source_id, a.relevant, a.title, a.text).where(a.id == article_id)
        ).one()
        info = dict(row._mapping)
        if with_words:
            info["search_words"] = search_words(f"{row.title or ''}\n{row.text}")
        return info

    @staticmethod
    def _add(
        conn: sa.Connection, rule: AlertRule, kind: str, row: Mapping[str, Any], key: str, payload: dict[str, Any],
        now: datetime,
    ) -> int:  # fmt: skip
        notification_id = add_notification(
            conn,
            alert_id=rule.id,
            kind=kind,
            story_id=int(row["story_id"]),
            dedup_key=key,
            fact_id=int(row["id"]),
            article_id=int(row["article_id"]),
            payload=payload,
            webhook_url=rule.webhook_url,
            now=now,
        )
        return 0 if notification_id is None else 1


def install(store: Store, settings: Settings | None = None, *, clock: Callable[[], datetime] | None = None) -> None:
    """Make ``store`` notify alerts for every new article it stores (idempotent: one matcher per store)."""
    del settings  # matching needs no setting; the signature matches the other services'
    if not any(isinstance(hook, Matcher) for hook in store.on_saved):
        store.on_saved.append(Matcher(clock))
