"""Bulk export: records, the three encoders, streaming in constant memory, the data dictionary (code and doc),
the filtered queries (SQL against :meth:`FactFilter.matches`, both backends) and ``mahalle-news export``."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import re
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from mahalle_news.cli import app
from mahalle_news.export import (
    ARTICLE_COLUMNS,
    FACT_COLUMNS,
    FACT_JSON_FIELDS,
    ExportMeta,
    encode,
    fact_record,
    write_articles,
    write_facts,
)
from mahalle_news.exports.cli import atomic_output
from mahalle_news.exports.dictionary import FIELDS, PARQUET_TYPES, dictionary
from mahalle_news.filters import FactFilter, parse_fact_filter
from mahalle_news.store import Store, fts
from mahalle_news.store import export_query as eq
from mahalle_news.text.search import index_text
from tests.db import BACKENDS, pg_base_url, pg_schema_url
from tests.store.helpers import SOURCES, make_article

REPO = Path(__file__).resolve().parents[1]
BOM = b"\xef\xbb\xbf"
SENTENCE = "اعتباری به میزان ۲ هزار و ۵۰۰ میلیارد تومان برای محله‌های کم‌برخوردار کرمان پیش‌بینی شد."
FACT = {
    "type": "budget",
    "rials": 25_000_000_000_000,
    "approx": None,
    "province": "کرمان",
    "period": "1 year",
    "span": [10, 30],
    "sentence": SENTENCE,
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
ARTICLE = {
    "id": 1,
    "story_id": 1,
    "topics": '["مسکن"]',
    "title": "بازآفرینی محله‌های کرمان",
    "text": "بازآفرینی محله‌های کرمان\nاستاندار کرمان از آغاز بازآفرینی ۱۲ محله خبر داد.",
    "relevant": True,
    "relevance": 0.87,
    "source_id": "irna-kerman",
    "url": "https://kerman.example/news/1",
    "published_at": dt.datetime(2025, 4, 12, 9, 30, tzinfo=dt.UTC),
    "fetched_at": dt.datetime(2025, 4, 12, 10, 0, tzinfo=dt.UTC),
    "extractor_version": "0.1.0",
}
META = ExportMeta("facts", "parquet", "0.1.0", {"type": ["budget"]}, dt.datetime(2025, 4, 13, 1, 2, tzinfo=dt.UTC))


def synthetic_rows(n: int | None) -> Iterator[dict[str, Any]]:
    """``n`` fact rows (None: without end), each a little different."""
    for i in itertools.count() if n is None else range(n):
        data = {**FACT, "rials": FACT["rials"] + i, "span": [i % 50, i % 50 + 20]}
        if i % 3 == 0:
            data = {**data, "type": "neighbourhood_count", "value": i, "rials": None, "program": "طرح ملی ۲۰۲۰ محله"}
        yield {**ROW, "id": i + 1, "article_id": i // 3 + 1, "data": data, "counted": i % 4 != 0}


# ---------------------------------------------------------------------- records and text writers


def test_export_facts_jsonl_has_extract_fields_and_provenance() -> None:
    out = io.StringIO()
    assert write_facts([ROW], out, "jsonl") == 1
    record = json.loads(out.getvalue())
    assert {k: record[k] for k in FACT} == FACT
    assert record["article_id"] == 3 and record["story_id"] == 2 and record["source"] == "irna-kerman"
    assert record["published"] == "2025-04-12T09:30:00+00:00" and record["counted"] is True
    assert tuple(record) == FACT_JSON_FIELDS and record["value"] is None and record["status"] is None


def test_export_facts_csv_flattens_spans() -> None:
    out = io.StringIO()
    write_facts([ROW, {**ROW, "id": 8, "counted": False}], out, "csv")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == list(FACT_COLUMNS)
    assert rows[0]["span_start"] == "10" and rows[0]["sentence_end"] == "60"
    assert rows[0]["rials"] == "25000000000000" and rows[1]["counted"] == "false"
    assert rows[0]["sentence"] == FACT["sentence"] and rows[0]["value"] == "" and rows[0]["fact_id"] == "7"


def test_export_articles_topics_are_lists() -> None:
    out = io.StringIO()
    write_articles([ARTICLE], out, "jsonl")
    record = json.loads(out.getvalue())
    assert record["topics"] == ["مسکن"] and tuple(record) == ARTICLE_COLUMNS
    assert record["fetched"] == "2025-04-12T10:00:00+00:00" and record["duplicate_kind"] is None


def test_export_rejects_unknown_format() -> None:
    with pytest.raises(ValueError, match="format"):
        write_facts([ROW], io.StringIO(), "xml")
    with pytest.raises(ValueError, match="format"):
        write_facts([ROW], io.StringIO(), "parquet")  # binary: only through encode()
    with pytest.raises(ValueError, match="format"):
        b"".join(encode("facts", "xlsx", [ROW]))


def test_fact_record_types_values() -> None:
    record = fact_record({**ROW, "data": {**FACT, "type": "neighbourhood_count", "value": 67, "status": "current"}})
    assert record["value"] == 67.0 and isinstance(record["value"], float) and record["status"] == "current"


# ---------------------------------------------------------------------- the three encodings


def test_csv_starts_with_bom_and_round_trips_persian() -> None:
    data = b"".join(encode("facts", "csv", synthetic_rows(5)))
    assert data.startswith(BOM) and data.count(BOM) == 1
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 5 and list(rows[0]) == list(FACT_COLUMNS)
    assert {r["sentence"] for r in rows} == {SENTENCE} and rows[0]["program"] == "طرح ملی ۲۰۲۰ محله"
    assert rows[0]["province"] == "کرمان" and b"\r\n" in data


def test_articles_csv_round_trips_lines_and_lists() -> None:
    data = b"".join(encode("articles", "csv", [ARTICLE]))
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert row["text"] == ARTICLE["text"] and json.loads(row["topics"]) == ["مسکن"] and row["relevant"] == "true"


def test_csv_defuses_spreadsheet_formulas_only_in_csv() -> None:
    title = '=HYPERLINK("https://example.invalid", "بازآفرینی")'
    row = {**ARTICLE, "title": title, "text": "-۱۲ محله", "relevance": -0.5}
    (cells,) = csv.DictReader(io.StringIO(b"".join(encode("articles", "csv", [row])).decode("utf-8-sig")))
    assert cells["title"] == "'" + title and cells["text"] == "'-۱۲ محله" and cells["relevance"] == "-0.5"
    (record,) = jsonl_records(b"".join(encode("articles", "jsonl", [row])))
    assert record["title"] == title


def jsonl_records(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def test_jsonl_lines_parse() -> None:
    data = b"".join(encode("facts", "jsonl", synthetic_rows(30)))
    assert not data.startswith(BOM)
    records = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    assert len(records) == 30 and all(tuple(r) == FACT_JSON_FIELDS for r in records)
    assert records[0]["type"] == "neighbourhood_count" and records[1]["rials"] == FACT["rials"] + 1


def test_parquet_round_trips_with_types_and_metadata() -> None:
    data = b"".join(encode("facts", "parquet", synthetic_rows(25_001), meta=META))
    file = pq.ParquetFile(io.BytesIO(data))
    assert file.metadata.num_rows == 25_001 and file.metadata.num_row_groups == 3  # 10,000 rows a group
    schema = file.schema_arrow
    assert schema.field("rials").type == pa.int64() and schema.field("value").type == pa.float64()
    assert schema.field("published").type == pa.timestamp("us", tz="UTC") and schema.field("counted").type == pa.bool_()
    assert schema.names == list(FACT_COLUMNS)
    assert schema.field("rials").metadata[b"unit"] == b"IRR (rial)"
    meta = {k.decode(): v.decode() for k, v in file.metadata.metadata.items() if k.startswith(b"mahalle.")}
    assert meta["mahalle.extractor_version"] == "0.1.0" and meta["mahalle.kind"] == "facts"
    assert json.loads(meta["mahalle.filter"]) == {"type": ["budget"]} and meta["mahalle.rows"] == "25001"
    assert json.loads(meta["mahalle.extractor_versions"]) == ["0.1.0"]
    assert meta["mahalle.exported_at"] == "2025-04-13T01:02:00+00:00"
    first = file.read_row_group(0).slice(0, 2).to_pylist()
    assert first[0]["value"] == 0.0 and first[0]["rials"] is None and first[1]["rials"] == FACT["rials"] + 1
    assert first[0]["published"] == ROW["published_at"] and first[0]["sentence"] == SENTENCE
    assert first[0]["counted"] is False and first[1]["counted"] is True


def test_parquet_articles_and_empty_export() -> None:
    table = pq.read_table(io.BytesIO(b"".join(encode("articles", "parquet", [ARTICLE, {**ARTICLE, "id": 2}]))))
    assert table.schema.field("topics").type == pa.list_(pa.string()) and table.num_rows == 2
    assert (
        table.column("topics").to_pylist() == [["مسکن"], ["مسکن"]]
        and table.column("text")[0].as_py() == ARTICLE["text"]
    )
    empty = pq.read_table(io.BytesIO(b"".join(encode("facts", "parquet", []))))
    assert empty.num_rows == 0 and empty.schema.names == list(FACT_COLUMNS)


def test_metadata_names_the_date_and_version() -> None:
    assert META.filename == "mahalle-news-facts-2025-04-13.parquet"
    headers = META.headers()
    assert headers["X-Mahalle-Extractor-Version"] == "0.1.0"
    assert headers["Content-Disposition"] == 'attachment; filename="mahalle-news-facts-2025-04-13.parquet"'


# ---------------------------------------------------------------------- streaming


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_encode_streams_from_an_endless_generator(fmt: str) -> None:
    """Chunks come while rows are still coming: nothing collects the rows first (the source never ends)."""
    chunks = list(itertools.islice(encode("facts", fmt, synthetic_rows(None)), 3))
    assert len(chunks) == 3 and all(chunks)


@pytest.mark.parametrize(("fmt", "rows"), [("csv", 10_000), ("jsonl", 10_000), ("parquet", 50_000)])
def test_export_memory_stays_bounded(fmt: str, rows: int) -> None:
    """Rows stream through with a peak of a few MB (Python allocations, and Arrow's for Parquet: one row group),
    where collecting them would take tens of MB (10,000 rows are ~6 MB of JSON lines alone)."""
    total = 0
    pool = pa.proxy_memory_pool(pa.default_memory_pool())
    default = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    tracemalloc.start()
    try:
        for chunk in encode("facts", fmt, synthetic_rows(rows)):
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        pa.set_memory_pool(default)
    assert total > 500_000
    limit = 24 if fmt == "parquet" else 4
    assert peak < limit * 2**20, f"{fmt}: Python peak {peak / 2**20:.1f} MiB for {total} bytes"
    assert pool.max_memory() < 16 * 2**20, f"{fmt}: Arrow peak {pool.max_memory() / 2**20:.1f} MiB"


# ---------------------------------------------------------------------- the data dictionary


def test_dictionary_describes_exactly_the_exported_columns() -> None:
    assert tuple(f.name for f in FIELDS["facts"]) == FACT_COLUMNS
    assert tuple(f.name for f in FIELDS["articles"]) == ARTICLE_COLUMNS
    data = dictionary("0.1.0")
    assert data["extractor_version"] == "0.1.0" and set(data["formats"]) == {"csv", "jsonl", "parquet"}
    rials = next(c for c in data["facts"] if c["name"] == "rials")
    assert rials["type"] == "integer" and rials["parquet_type"] == "int64" and "rial" in rials["unit"]
    assert set(data["value_units"]) == {"neighbourhood_count", "budget", "program", "official", "population",
                                        "percentage", "quantity"}  # fmt: skip
    assert {"rials", "spans", "dates", "counted"} <= set(data["notes"])


def _doc_tables(text: str) -> dict[str, list[tuple[str, str]]]:
    """Per ``## Facts`` / ``## Articles`` section of the doc: (column, type) of each table row."""
    out: dict[str, list[tuple[str, str]]] = {}
    section = None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
            continue
        m = re.match(r"\|\s*`([a-z_]+)`\s*\|\s*([a-z ]+?)\s*\|", line)
        if m and section in ("facts", "articles"):
            out.setdefault(section, []).append((m.group(1), m.group(2)))
    return out


def test_doc_lists_exactly_the_columns_the_code_exports() -> None:
    tables = _doc_tables((REPO / "docs/data-dictionary.md").read_text(encoding="utf-8"))
    for kind in ("facts", "articles"):
        assert tables[kind] == [(f.name, f.type) for f in FIELDS[kind]], kind
    assert set(PARQUET_TYPES) >= {t for rows in tables.values() for _, t in rows}


# ---------------------------------------------------------------------- filtered queries, both backends

OFFICIALS = [("یوسف نیک‌پور", "معاون استاندار کرمان"), ("مریم احمدی", "شهردار منطقه ۲ تبریز")]
PROVINCES = ["آذربایجان شرقی", "کرمان"]


def _facts_of(n: int) -> list[dict[str, Any]]:
    base = {"span": [0, 5], "sentence": f"جمله شماره {n}", "sentence_span": [0, 12], "confidence": 0.9}
    base["extractor"] = "0.1.0"
    province = PROVINCES[n % 2]
    out = [
        {**base, "type": "neighbourhood_count", "value": 10 * n + 5, "approx": None, "province": province}
        | ({"program": "طرح ملی ۲۰۲۰ محله"} if n % 2 == 0 else {}),
        {**base, "type": "budget", "rials": (n + 1) * 10**12, "approx": "about", "province": province},
    ]
    if n % 4 == 0:
        name, role = OFFICIALS[n // 4 % 2]
        out.append({**base, "type": "official", "name": name, "role": role})
    if n % 3 == 1:
        out.append({**base, "type": "program", "name": "طرح کرامت", "province": province})
    return out


def _text_of(n: int) -> str:
    place = "محله‌های کم‌برخوردار" if n % 3 == 0 else "بافت فرسوده"
    return f"گزارش {n}: بازآفرینی {place} در {PROVINCES[n % 2]} با حضور مسئولان آغاز شد."


def fill(store: Store, n: int = 12) -> Store:
    """``n`` articles with facts, an exact copy of article 2 (its facts uncounted), mixed relevance and dates."""
    store.sync_sources(SOURCES)
    for number, i in [(i, i) for i in range(n)] + [(100 + 2, 2)]:
        copy = number != i
        text = _text_of(i)
        article = make_article(
            number,
            text=text,
            title=f"خبر {i}",
            content_hash=f"hash-{i}",
            source_id="mehr-tabriz" if i % 2 or copy else "irna-east-azarbaijan",
            published_at=None if i == 11 else dt.datetime(2025, 3, 1, 22, tzinfo=dt.UTC) + dt.timedelta(days=i),
            relevant=None if i == 7 else i % 5 != 3,
            search_text=index_text(f"خبر {i} {text}"),
        )
        facts = _facts_of(i)
        keys = [json.dumps([f["type"], f.get("value"), f.get("rials"), f.get("name")]) for f in facts]
        store.save_article(article, facts, keys)
    return store


@contextlib.contextmanager
def backend_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty database on ``backend`` for a module-scoped fixture (PostgreSQL: a fresh schema, dropped after;
    skipped without ``MAHALLE_TEST_PG_URL``)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('export')}/mahalle.sqlite3"
        return
    base = pg_base_url()
    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"t_export_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield pg_schema_url(base, schema)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="module", params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with backend_url(request.param, tmp_path_factory) as url, Store.open(url) as store:
        yield fill(store)


def _expected(store: Store, filt: FactFilter) -> tuple[list[int], list[int]]:
    """Fact and article ids the filter selects, by :meth:`FactFilter.matches` over every row."""
    arts = {}
    for a in store.iter_article_rows():
        words = fts.tokens(index_text(f"{a['title']} {a['text']}"))
        arts[a["id"]] = {**a, "search_words": words}
    facts = []
    for row in store.iter_fact_rows():
        fact = {**row["data"], "counted": row["counted"], "story_id": row["story_id"], "article_id": row["article_id"]}
        if filt.matches(fact, arts[row["article_id"]]):
            facts.append(row)
    if eq.has_fact_conditions(filt):
        article_ids = sorted({f["article_id"] for f in facts})
    else:
        loose = replace(filt, counted=None)
        article_ids = [
            a["id"] for a in arts.values() if loose.matches({"story_id": a["story_id"], "article_id": a["id"]}, a)
        ]
    return [f["id"] for f in facts], article_ids


FILTERS: list[dict[str, Any]] = [
    {},
    {"relevant": "any", "counted": "any"},
    {"counted": "false"},
    {"relevant": "false", "counted": "any"},
    {"type": "budget", "counted": "any"},
    {"type": ["neighbourhood_count", "official"]},
    {"province": "استان كرمان"},
    {"program": "۲۰۲۰ محله"},
    {"program": "طرح کرامت", "relevant": "any"},
    {"source": "mehr-tabriz", "counted": "any"},
    {"official": "نيك پور", "relevant": "any"},
    {"official": "شهردار"},
    {"value_min": "۲۰", "value_max": "60"},
    {"rials_min": "3000000000000", "rials_max": "7000000000000"},
    {"date_from": "2025-03-04", "date_to": "2025-03-07"},
    {"date_from": "1403-12-15"},
    {"story": "3"},
    {"article": "5", "relevant": "any"},
    {"q": "کم‌برخوردار"},
    {"q": "كم برخوردار", "type": "budget", "counted": "any"},
    {"q": "!!!"},
    {"q": "کمبرخوردار"},
    {"q": "بافت فرسوده", "relevant": "any"},
    {"type": "budget", "q": "فرسوده", "source": "irna-east-azarbaijan", "relevant": "any"},
]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: json.dumps(p, ensure_ascii=False))
def test_filtered_export_selects_what_matches_selects(filled: Store, params: dict[str, Any]) -> None:
    filt = parse_fact_filter(params)
    want_facts, want_articles = _expected(filled, filt)
    got_facts = [r["id"] for r in eq.iter_facts(filled, filt, batch_size=2)]
    got_articles = [r["id"] for r in eq.iter_articles(filled, filt, batch_size=2)]
    assert got_facts == want_facts and got_articles == want_articles
    assert eq.count(filled, "facts", filt) >= len(got_facts) and eq.count(filled, "articles", filt) >= len(got_articles)
    if filt.official is None:
        assert eq.count(filled, "facts", filt) == len(got_facts)


def test_filtered_export_narrows_and_all_is_everything(filled: Store) -> None:
    everything = list(eq.iter_facts(filled, parse_fact_filter({"relevant": "any", "counted": "any"})))
    assert len(everything) == len(list(filled.iter_fact_rows()))
    default = list(eq.iter_facts(filled, FactFilter()))
    budgets = list(eq.iter_facts(filled, parse_fact_filter({"type": "budget"})))
    assert 0 < len(budgets) < len(default) < len(everything)
    assert all(r["type"] == "budget" and r["counted"] for r in budgets)
    copies = list(eq.iter_facts(filled, parse_fact_filter({"counted": "false", "relevant": "any"})))
    assert copies and {r["source_id"] for r in copies} == {"mehr-tabriz"}
    assert eq.iter_rows(filled, "articles", FactFilter()) is not None


@pytest.mark.parametrize("kind", ["facts", "articles"])
def test_sqlite_pages_are_read_by_id_not_sorted(kind: str, tmp_path: Path) -> None:
    """Every page walks the table by id (one pass over the export), never an index whose matches are sorted
    again for each page (quadratic): indexes added for search must not capture the export's queries."""
    key = eq.facts.c.id if kind == "facts" else eq.articles.c.id
    with Store.open(f"sqlite:///{tmp_path}/plan.sqlite3") as store:
        for params in FILTERS:
            filt = parse_fact_filter(params)
            if filt.story is not None or filt.article is not None:
                continue  # a story or an article: its index is the way, its rows are few
            query = eq.facts_query(filt, "sqlite") if kind == "facts" else eq.articles_query(filt, "sqlite")
            page = query.where(key > 10).order_by(key).limit(1000)
            with store.transaction("planning") as conn:
                sql = page.compile(conn, compile_kwargs={"render_postcompile": True})
                values = (sql.params[k] for k in sql.positiontup or ())  # the plan does not depend on them
                args = tuple(v.isoformat() if isinstance(v, dt.datetime) else v for v in values)
                plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(sql), args)]
            assert "TEMP B-TREE" not in " ".join(plan) and f"SEARCH {kind} USING INTEGER PRIMARY KEY" in plan[0], (
                params,
                plan,
            )


# ---------------------------------------------------------------------- the command line

runner = CliRunner()


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli')}/export.sqlite3"
    with Store.open(url) as store:
        fill(store)
    return ["--db", url]


def test_cli_export_csv_with_filters_and_progress(cli_db: list[str], tmp_path: Path) -> None:
    out = tmp_path / "budgets.csv"
    result = runner.invoke(
        app,
        [*cli_db, "export", "facts", "--format", "csv", "--out", str(out), "--type", "budget", "--province", "کرمان"],
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(BOM) and not (tmp_path / "budgets.csv.part").exists()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows and {(r["type"], r["province"], r["counted"]) for r in rows} == {("budget", "کرمان", "true")}
    assert f"{len(rows)}/{len(rows)}" in result.stderr and f"exported {len(rows)} facts" in result.stderr


def test_cli_export_all_jsonl_to_stdout(cli_db: list[str]) -> None:
    default = runner.invoke(app, [*cli_db, "export", "facts"])
    everything = runner.invoke(app, [*cli_db, "export", "facts", "--all", "--format", "jsonl"])
    assert default.exit_code == 0 and everything.exit_code == 0, everything.output
    some = [json.loads(line) for line in default.stdout.splitlines()]
    every = [json.loads(line) for line in everything.stdout.splitlines()]
    assert 0 < len(some) < len(every) and any(not r["counted"] for r in every)
    narrow = runner.invoke(app, [*cli_db, "export", "articles", "--q", "کم‌برخوردار", "--date-from", "1403-12-12"])
    titles = [json.loads(line)["title"] for line in narrow.stdout.splitlines()]
    assert titles == ["خبر 6", "خبر 9"]  # 0: before the date, 3: not relevant


def test_cli_export_parquet_needs_out_and_writes_file(cli_db: list[str], tmp_path: Path) -> None:
    result = runner.invoke(app, [*cli_db, "export", "articles", "--format", "parquet"])
    assert result.exit_code == 2 and "--out" in result.stderr and result.stdout == ""
    out = tmp_path / "a.parquet"
    result = runner.invoke(app, [*cli_db, "export", "articles", "--format", "parquet", "--out", str(out), "--all"])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table.num_rows == 13 and table.schema.metadata[b"mahalle.kind"] == b"articles"


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--date-from", "2025-13-40"], "--date-from"),
        (["--type", "budjet"], "--type"),
        (["--province", "آتلانتیس"], "--province"),
        (["--rials-min", "بسیار"], "--rials-min"),
        (["--relevant", "maybe"], "--relevant"),
        (["--value-min", "9", "--value-max", "3"], "--value-min"),
        (["--format", "xlsx"], "--format"),
    ],
)
def test_cli_export_bad_filter_names_the_option(cli_db: list[str], args: list[str], option: str) -> None:
    result = runner.invoke(app, [*cli_db, "export", "facts", *args])
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"mahalle-news: error: {option}"), result.stderr


def test_cli_export_replaces_the_file_only_when_complete(tmp_path: Path) -> None:
    out = tmp_path / "facts.jsonl"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_output(out) as fh:
        fh.write(b"half a line")
        raise KeyboardInterrupt
    assert out.read_text(encoding="utf-8") == "old\n" and not (tmp_path / "facts.jsonl.part").exists()
    with atomic_output(out) as fh:
        fh.write(b"new\n")
    assert out.read_text(encoding="utf-8") == "new\n" and not (tmp_path / "facts.jsonl.part").exists()
