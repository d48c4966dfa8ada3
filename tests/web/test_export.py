"""The export API over real data (three demo feeds crawled into SQLite and PostgreSQL): the three formats and their
headers, filters, the dictionary, errors in the envelope, the reader role, and streaming before the rows end."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from mahalle_news.config import Settings
from mahalle_news.crawl.crawler import Crawler, CrawlStats
from mahalle_news.crawl.fetch import Fetcher, FetchPolicy
from mahalle_news.crawl.localweb import LocalWeb
from mahalle_news.crawl.sources import load_sources
from mahalle_news.export import ARTICLE_COLUMNS, FACT_COLUMNS
from mahalle_news.exports.encode import FORMULA_START
from mahalle_news.nlp.facts import EXTRACTOR_VERSION
from mahalle_news.store import Store
from mahalle_news.store.errors import StoreError
from mahalle_news.web.app import create_app
from mahalle_news.web.routes import export as export_routes
from tests.db import BACKENDS
from tests.test_export import backend_url, synthetic_rows

DEMO = Path(__file__).resolve().parents[2] / "corpus/demo_site"
#: Three feeds whose articles include syndicated copies of each other (stories g2, g3 of the demo manifest).
FEEDS = ("irna-rss-latest", "mehr-rss-latest", "isna-rss-latest")
FAST = FetchPolicy(per_host_delay=0.0, retries=1, backoff_base=0.01, read_timeout=5, total_timeout=20)


def crawl_demo(store: Store) -> CrawlStats:
    from mahalle_news.nlp.classifier import load_default
    from mahalle_news.nlp.pipeline import load_pipeline

    sources = [s for s in load_sources(DEMO / "sources.toml") if s.id in FEEDS]
    nlp, classifier = load_pipeline(), load_default()

    async def run(transport: Any) -> CrawlStats:
        async with Fetcher(FAST, transport=transport) as fetcher:
            crawler = Crawler(store, fetcher, nlp, classifier)
            try:
                return await crawler.run_once(sources)
            finally:
                crawler.close()

    with LocalWeb(DEMO) as web:
        return asyncio.run(run(web.transport()))


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with backend_url(request.param, tmp_path_factory) as url, Store.open(url) as store:
        stats = crawl_demo(store)
        assert stats.new_articles >= 40 and stats.duplicates >= 2, stats
        yield store


def make_app(store: Store, **settings: Any) -> FastAPI:
    return create_app(Settings(db=store.url, **{"anonymous_read": True, "rate_limit": 0, **settings}), store=store)


@pytest.fixture(scope="module")
def client(demo: Store) -> Iterator[TestClient]:
    with TestClient(make_app(demo)) as c:
        yield c


def get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def as_csv_text(text: str) -> str:
    """How CSV writes a text cell (a would-be spreadsheet formula gets a leading apostrophe)."""
    return "'" + text if text[:1] in FORMULA_START else text


def jsonl(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def test_export_facts_in_three_formats_agree(client: TestClient) -> None:
    today = dt.datetime.now(dt.UTC).date().isoformat()
    as_csv = get(client, "/v1/export/facts.csv", relevant="any", counted="any")
    as_jsonl = get(client, "/v1/export/facts.jsonl", relevant="any", counted="any")
    as_parquet = get(client, "/v1/export/facts.parquet", relevant="any", counted="any")
    for response, fmt in ((as_csv, "csv"), (as_jsonl, "jsonl"), (as_parquet, "parquet")):
        assert response.headers["x-mahalle-extractor-version"] == EXTRACTOR_VERSION
        name = f"mahalle-news-facts-{today}.{fmt}"
        assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_jsonl.headers["content-type"].startswith("application/x-ndjson")
    assert as_parquet.headers["content-type"] == "application/vnd.apache.parquet"

    rows, records = csv_rows(as_csv.content), jsonl(as_jsonl.content)
    table = pq.read_table(io.BytesIO(as_parquet.content))
    assert len(rows) == len(records) == table.num_rows > 50 and list(rows[0]) == list(FACT_COLUMNS)
    assert [int(r["fact_id"]) for r in rows] == [r["fact_id"] for r in records] == table.column("fact_id").to_pylist()
    assert [r["sentence"] for r in records] == table.column("sentence").to_pylist()
    assert [r["sentence"] for r in rows] == [as_csv_text(r["sentence"]) for r in records]
    assert table.schema.field("rials").type == pa.int64() and table.schema.field("value").type == pa.float64()
    assert table.schema.field("published").type == pa.timestamp("us", tz="UTC")
    published = [None if r["published"] is None else dt.datetime.fromisoformat(r["published"]) for r in records]
    assert table.column("published").to_pylist() == published
    budgets = [r for r in records if r["type"] == "budget"]
    assert budgets and all(isinstance(r["rials"], int) and r["rials"] > 0 for r in budgets)
    assert table.schema.metadata[b"mahalle.extractor_version"] == EXTRACTOR_VERSION.encode()
    assert any(not r["counted"] for r in records) and all(r["extractor"] == EXTRACTOR_VERSION for r in records)


def test_spans_point_into_the_exported_article_text(client: TestClient) -> None:
    texts = {
        a["article_id"]: a["text"] for a in jsonl(get(client, "/v1/export/articles.jsonl", relevant="any").content)
    }
    facts = jsonl(get(client, "/v1/export/facts.jsonl", relevant="any", counted="any").content)
    assert facts
    for fact in facts:
        text = texts[fact["article_id"]]
        start, end = fact["sentence_span"]
        assert text[start:end].strip() == fact["sentence"]
        assert start <= fact["span"][0] < fact["span"][1] <= end


def test_export_articles_in_three_formats(client: TestClient) -> None:
    records = jsonl(get(client, "/v1/export/articles.jsonl", relevant="any").content)
    rows = csv_rows(get(client, "/v1/export/articles.csv", relevant="any").content)
    table = pq.read_table(io.BytesIO(get(client, "/v1/export/articles.parquet", relevant="any").content))
    assert len(records) == len(rows) == table.num_rows >= 40 and list(rows[0]) == list(ARTICLE_COLUMNS)
    assert [r["text"] for r in records] == table.column("text").to_pylist()
    assert [r["text"] for r in rows] == [as_csv_text(r["text"]) for r in records]
    assert table.column("topics").to_pylist() == [r["topics"] for r in records]
    assert None in {r["duplicate_kind"] for r in records} and {r["duplicate_kind"] for r in records} - {None}
    assert any("محله" in r["text"] for r in rows)


def test_filters_narrow_the_export(client: TestClient) -> None:
    def facts(**params: Any) -> list[dict[str, Any]]:
        return jsonl(get(client, "/v1/export/facts.jsonl", **params).content)

    everything, default = facts(relevant="any", counted="any"), facts()
    budgets = facts(type="budget")
    assert 0 < len(budgets) < len(default) < len(everything)
    assert all(r["type"] == "budget" and r["counted"] for r in budgets)
    province = budgets[0]["province"]
    assert {r["province"] for r in facts(type="budget", province=province)} == {province}
    assert {r["source"] for r in facts(source="mehr-rss-latest")} == {"mehr-rss-latest"}
    days = sorted({r["published"][:10] for r in default if r["published"]})
    ranged = facts(date_from=days[1], date_to=days[-2])
    assert ranged and all(days[1] <= r["published"][:10] <= days[-2] for r in ranged) and len(ranged) < len(default)
    found = facts(q="محله")
    assert 0 < len(found) <= len(default)
    articles = jsonl(get(client, "/v1/export/articles.jsonl", type="budget").content)
    assert {a["article_id"] for a in articles} == {r["article_id"] for r in budgets}
    csv_budgets = csv_rows(get(client, "/v1/export/facts.csv", type="budget").content)
    assert [int(r["fact_id"]) for r in csv_budgets] == [r["fact_id"] for r in budgets]


def test_dictionary_endpoint(client: TestClient) -> None:
    data = get(client, "/v1/export/dictionary").json()
    assert [c["name"] for c in data["facts"]] == list(FACT_COLUMNS)
    assert [c["name"] for c in data["articles"]] == list(ARTICLE_COLUMNS)
    assert data["extractor_version"] == EXTRACTOR_VERSION and "rial" in data["notes"]["rials"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"type": "budjet"}, "type"),
        ({"date_from": "1404-13-01"}, "date_from"),
        ({"province": "آتلانتیس"}, "province"),
        ({"rials_min": "زیاد"}, "rials_min"),
        ({"counted": "perhaps"}, "counted"),
        ({"sort": "value_desc"}, "sort"),
        ({"limit": "10"}, "limit"),
    ],
)
def test_bad_filter_is_a_422_envelope(client: TestClient, query: dict[str, str], field: str) -> None:
    response = client.get("/v1/export/facts.csv", params=query)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["location"] == {"field": field} and error["request_id"]


def test_unknown_format_is_a_404_listing_the_exports(client: TestClient) -> None:
    response = client.get("/v1/export/facts.xlsx")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "not_found" and "facts.parquet" in error["message"]


def test_export_needs_the_reader_role(demo: Store) -> None:
    with TestClient(make_app(demo, anonymous_read=False)) as c:
        for path in ("/v1/export/facts.csv", "/v1/export/articles.parquet", "/v1/export/dictionary"):
            response = c.get(path)
            assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_store_failure_before_the_first_byte_is_an_envelope(demo: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(store: Store, kind: str, filt: Any) -> Iterator[dict[str, Any]]:
        raise StoreError("exporting facts failed on the test store: gone")
        yield {}

    monkeypatch.setattr(export_routes, "_filtered_rows", broken)
    with TestClient(make_app(demo)) as c:
        response = c.get("/v1/export/facts.jsonl")
    assert response.status_code == 503 and response.json()["error"]["code"] == "store_error"


# ---------------------------------------------------------------------- streaming, seen at the ASGI level


async def _asgi_get(app: FastAPI, path: str) -> list[tuple[dict[str, Any], int]]:
    """Each message the app sends, with how many rows had been produced when it was sent."""
    sent: list[tuple[dict[str, Any], int]] = []
    asked = False
    never = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await never.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append((message, PRODUCED[0]))

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": [],
             "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "app": app}  # fmt: skip
    await app(scope, receive, send)
    return sent


PRODUCED = [0]
ROWS = 30_000


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_streams_before_the_rows_end(fmt: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """30,000 rows: the first bytes leave while most rows are still to come, in many chunks."""

    def rows(store: Store, kind: str, filt: Any) -> Iterator[dict[str, Any]]:
        PRODUCED[0] = 0
        for row in synthetic_rows(ROWS):
            PRODUCED[0] += 1
            yield row

    monkeypatch.setattr(export_routes, "_filtered_rows", rows)
    with Store.open(f"sqlite:///{tmp_path}/m.sqlite3") as store:
        sent = asyncio.run(_asgi_get(make_app(store), f"/v1/export/facts.{fmt}"))
    start = sent[0][0]
    assert start["type"] == "http.response.start" and start["status"] == 200
    bodies = [(m, n) for m, n in sent if m["type"] == "http.response.body" and m.get("body")]
    assert len(bodies) >= 3 and bodies[0][1] < ROWS // 2 and PRODUCED[0] == ROWS
    data = b"".join(m["body"] for m, _ in bodies)
    if fmt == "parquet":
        assert pq.read_metadata(io.BytesIO(data)).num_rows == ROWS
    else:
        assert data.count(b"\r\n") == ROWS + 1
