from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from mahalle_news.export import FACT_COLUMNS, write_articles, write_facts

FACT = {
    "type": "budget",
    "rials": 25_000_000_000_000,
    "approx": None,
    "province": "کرمان",
    "period": "1 year",
    "span": [10, 30],
    "sentence": "اعتباری به میزان ۲ هزار و ۵۰۰ میلیارد تومان پیش‌بینی شد.",
    "sentence_span": [0, 60],
    "confidence": 0.9,
    "extractor": "0.1.0",
}
ROW = {
    "id": 7,
    "article_id": 3,
    "story_id": 2,
    "counted": True,
    "data": json.dumps(FACT, ensure_ascii=False),
    "url": "https://kerman.example/news/1",
    "source_id": "irna-kerman",
    "published_at": dt.datetime(2025, 4, 12, 9, 30, tzinfo=dt.UTC),
}


def test_export_facts_jsonl_has_extract_fields_and_provenance() -> None:
    out = io.StringIO()
    assert write_facts([ROW], out, "jsonl") == 1
    record = json.loads(out.getvalue())
    assert {k: record[k] for k in FACT} == FACT
    assert record["article_id"] == 3 and record["story_id"] == 2 and record["source"] == "irna-kerman"
    assert record["published"] == "2025-04-12T09:30:00+00:00" and record["counted"] is True


def test_export_facts_csv_flattens_spans() -> None:
    out = io.StringIO()
    write_facts([ROW, {**ROW, "id": 8, "counted": False}], out, "csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(FACT_COLUMNS)
    assert rows[0]["span_start"] == "10" and rows[0]["sentence_end"] == "60"
    assert rows[0]["rials"] == "25000000000000" and rows[1]["counted"] == "false"
    assert rows[0]["sentence"] == FACT["sentence"]


def test_export_articles_topics_are_lists() -> None:
    out = io.StringIO()
    row = {"id": 1, "story_id": 1, "topics": '["مسکن"]', "text": "متن", "relevant": True}
    write_articles([row], out, "jsonl")
    assert json.loads(out.getvalue())["topics"] == ["مسکن"]


def test_export_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="format"):
        write_facts([ROW], io.StringIO(), "xml")
