"""Matching stored articles against alerts: once per fact of a story, across re-crawls, restarts and syndicated
copies; changed figures; the outbox row written with the notification; a failing matcher never costs an article."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mahalle_news.alerts import Matcher, install
from mahalle_news.store import Store
from mahalle_news.store.alerts import list_deliveries, list_notifications
from mahalle_news.store.schema import alert_notifications
from tests.alerts.helpers import PROGRAM, T0, FakeClock, article, budget_fact, count_fact, make_alert, save


def _count(store: Store) -> int:
    with store.transaction("count") as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(alert_notifications)).scalar_one())


def test_alerts_new_matching_fact_notifies_with_its_evidence(store: Store, clock: FakeClock) -> None:
    alert = make_alert(store, {"type": "budget", "province": "كرمان"})  # Arabic kaf: the filter resolves it
    other = make_alert(store, {"type": "budget", "province": "یزد"}, name="بودجه یزد")
    saved = save(store, 1, [budget_fact(12_000_000_000), count_fact(45)])
    assert saved.status == "new"
    (note,) = list_notifications(store, alert.id)
    assert list_notifications(store, other.id) == []
    payload = note.payload
    assert note.kind == "new" and note.story_id == saved.story_id and note.created_at == clock.now
    assert payload["alert"] == {"id": alert.id, "name": alert.name}
    assert payload["fact"]["rials"] == 12_000_000_000 and payload["fact"]["counted"] is True
    assert payload["fact_path"] == f"/v1/facts/{note.fact_id}"
    assert payload["evidence"] == budget_fact(1)["sentence"]
    assert payload["title"] == f"بودجه «{PROGRAM}» در کرمان: ۱۲٬۰۰۰٬۰۰۰٬۰۰۰ ریال"
    assert list_deliveries(store, alert.id) == []  # no webhook: the log only (Atom, SSE)


def test_alerts_fire_once_across_recrawl_restart_and_syndicated_copies(store: Store, store_url: str) -> None:
    counted = make_alert(store, {"type": "neighbourhood_count"}, name="شمار محله‌ها")
    every_copy = make_alert(store, {"type": "neighbourhood_count", "counted": "any"}, name="همه نسخه‌ها")
    facts = [count_fact(120)]
    first = save(store, 1, facts)
    assert _count(store) == 2
    assert save(store, 1, facts).status == "exists"  # the same URL crawled again
    store.close()
    with Store.open(store_url) as reopened:  # a restart: a new process installs the matcher again
        install(reopened)
        install(reopened)  # twice is once
        assert sum(isinstance(h, Matcher) for h in reopened.on_saved) == 1
        exact = save(reopened, 2, facts, content_hash="content-1", source_id="isna-kerman")
        near = save(reopened, 3, facts, simhash=article(1).simhash ^ 0b101)
        assert (exact.status, near.status) == ("exact", "near")
        assert exact.story_id == near.story_id == first.story_id
        # a copy's repeated fact is not counted, and even a filter on every copy is refused by the constraint
        assert len(list_notifications(reopened, counted.id)) == 1
        assert len(list_notifications(reopened, every_copy.id)) == 1
        # a new figure in a copy of the story is a new fact of that story: it notifies once
        save(reopened, 4, [count_fact(120), count_fact(135)], content_hash="content-1")
        assert [n.payload["fact"]["value"] for n in list_notifications(reopened, counted.id)] == [135, 120]


def test_alerts_unique_constraint_refuses_a_second_notification(store: Store) -> None:
    alert = make_alert(store, {"type": "budget"})
    saved = save(store, 1, [budget_fact(5_000_000_000)])
    matcher = next(h for h in store.on_saved if isinstance(h, Matcher))
    with store.transaction("match again", write=True) as conn:
        assert matcher.match(conn, saved) == 0  # e.g. a hook run twice
    assert len(list_notifications(store, alert.id)) == 1


def test_alerts_filters_on_words_source_and_relevance(store: Store) -> None:
    words = make_alert(store, {"q": "حاشیه شهر"}, name="حاشیه")
    isna = make_alert(store, {"source": "isna-kerman"}, name="ایسنا")
    irrelevant = make_alert(store, {"relevant": "false"}, name="نامربوط")
    save(store, 1, [budget_fact(7_000_000_000)])
    save(store, 2, [count_fact(30)], text="گزارش دوم درباره بافت فرسوده شهر کرمان", source_id="isna-kerman")
    save(store, 3, [count_fact(31)], relevant=False)
    # article 2 lacks «حاشیه»; article 3 has both words but is not relevant (the default filter)
    assert [n.payload["fact"]["type"] for n in list_notifications(store, words.id)] == ["budget"]
    assert [n.payload["fact"]["value"] for n in list_notifications(store, isna.id)] == [30]
    assert [n.payload["fact"]["value"] for n in list_notifications(store, irrelevant.id)] == [31]


def test_alerts_changed_figure_carries_old_and_new(store: Store) -> None:
    alert = make_alert(store, {"type": "neighbourhood_count"}, name="تغییر شمار", on_new=False, on_changed=True)
    save(store, 1, [count_fact(110)])
    assert list_notifications(store, alert.id) == []  # a first value changes nothing
    second = save(store, 2, [count_fact(150)])
    save(store, 3, [count_fact(150)], text="گزارش سوم با همان رقم از خبرگزاری دیگر")  # same value: no change
    save(store, 4, [count_fact(150, province="یزد")], text="گزارش چهارم درباره یزد")  # another province
    save(store, 0, [count_fact(90)], text="گزارش قدیمی که دیر رسید")  # published before the latest: no change
    (note,) = list_notifications(store, alert.id)
    payload = note.payload
    assert note.kind == "changed" and note.story_id == second.story_id
    assert (payload["old_value"], payload["new_value"]) == (110, 150)
    assert payload["metric"] == {"type": "neighbourhood_count", "province": "کرمان", "program": PROGRAM, "unit": None}
    assert payload["previous_fact"]["value"] == 110 and payload["fact"]["value"] == 150
    assert payload["title"] == f"تغییر شمار محله‌ها «{PROGRAM}» در کرمان: از ۱۱۰ محله به ۱۵۰ محله"
    # a syndicated copy of the changing story does not notify the change again
    save(store, 5, [count_fact(150)], content_hash="content-2")
    assert len(list_notifications(store, alert.id)) == 1


def test_alerts_changed_budget_and_both_kinds(store: Store) -> None:
    alert = make_alert(store, {"type": "budget", "province": "کرمان"}, on_changed=True)
    save(store, 1, [budget_fact(10_000_000_000)])
    save(store, 2, [budget_fact(14_000_000_000)])
    kinds = [(n.kind, n.payload["fact"]["rials"]) for n in list_notifications(store, alert.id, newest_first=False)]
    assert kinds == [("new", 10_000_000_000), ("new", 14_000_000_000), ("changed", 14_000_000_000)]


def test_alerts_webhook_alert_queues_an_outbox_row(store: Store, clock: FakeClock) -> None:
    alert = make_alert(store, {"type": "budget"}, webhook_url="https://hooks.example.org/mahalle")
    save(store, 1, [budget_fact(3_000_000_000), budget_fact(4_000_000_000)])
    deliveries = list_deliveries(store, alert.id)
    assert [d.status for d in deliveries] == ["pending", "pending"]
    assert {d.next_attempt_at for d in deliveries} == {clock.now} and deliveries[0].attempts == 0
    notes = list_notifications(store, alert.id)
    assert {d.notification_uuid for d in deliveries} == {n.uuid for n in notes}


def test_alerts_failing_matcher_keeps_the_article(
    store: Store, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alert = make_alert(store, {"type": "budget"})

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("شبیه‌سازی خرابی")

    monkeypatch.setattr("mahalle_news.alerts.matcher.new_payload", broken)
    with caplog.at_level(logging.ERROR, logger="mahalle_news.alerts"):
        saved = save(store, 1, [budget_fact(1_000_000_000)])
    assert store.get_article(saved.article_id) is not None
    assert list_notifications(store, alert.id) == []
    assert "stored without notifications" in caplog.text


def test_alerts_article_without_alerts_or_facts_is_cheap(store: Store) -> None:
    assert save(store, 1, [budget_fact(1_000_000_000)]).status == "new"  # no alert yet
    make_alert(store, {})
    assert save(store, 2, []).facts_stored == 0
    assert _count(store) == 0


def test_alerts_matching_uses_publication_dates(store: Store) -> None:
    day = (T0 + timedelta(hours=30)).date().isoformat()
    alert = make_alert(store, {"date_from": day}, name="از این روز")
    save(store, 1, [budget_fact(2_000_000_000)])
    save(store, 40, [budget_fact(2_500_000_000)])
    assert [n.payload["fact"]["rials"] for n in list_notifications(store, alert.id)] == [2_500_000_000]
