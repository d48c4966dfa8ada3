"""API search latency, throughput and CSV export over 1,000,000 facts in SQLite, against Datasette on the same file.

A seeded synthetic store (``_facts_gen.py``: 100,000 articles of 10 facts, 31 sources, Jalali years 1402–1404,
syndicated copies, full-text rows) is generated once into a temporary folder keyed by size, seed, generator version
and a digest of the migrations, and reused while it is there (``--keep`` leaves a store this run generated for the
next runs; generation time is reported apart). In the same run two servers read that one file, each in its own
process on 127.0.0.1, measured one request at a time in turn:

* ours: ``create_app(Settings(db=…, anonymous_read=True, rate_limit=0), deliver_alerts=False)`` under uvicorn,
  one worker, JSON access logs as ``mahalle-news serve`` writes them (to a file);
* Datasette: ``datasette serve -i FILE`` (immutable: its fast path, no locking or change checks) with
  ``sql_time_limit_ms 10000``, ``max_returned_rows 1000``, ``facet_time_limit_ms 10000`` (so facets are counted,
  not skipped), ``suggest_facets off`` (an HTML nicety that costs queries) and ``max_csv_mb 0`` (no cap on a CSV).

The searches (:func:`make_queries`; every request is printed at the start of a run), each asked of both as the same
selection of 50 facts: q1 budgets of one program in one province since 1404-01-01, newest first; q2 neighbourhood
counts of one province by value, largest first; q3 full text «کم‌برخوردار»; q4 officials in a Jalali date range;
q5 one province with facet counts; q5c the same for each other province, each asked once (our facet counts are
cached per filter for a minute: q5 repeats one filter, q5c shows a first request); p2 the second page of q4 (our
cursor, Datasette's ``_next``). Our defaults ``counted=true`` and ``relevant=true`` become ``counted__exact=1`` and
a ``_where`` EXISTS on ``articles.relevant`` for Datasette, which has no filter across a join (``--relevant any``
drops the relevance condition on both sides). Datasette cannot reach our FTS5 table from the facts table, so q3 is
a ``_where`` MATCH sub-query with the folded terms our search builds. Ours asks ``facets=false`` and Datasette
``_nocount=1``, except q5/q5c: ours counts type/province/program over the 5,000 newest matches, Datasette counts
every match (``_facet=type&_facet=province&_facet=program`` and its row count).

1. latency: ``--requests`` sequential keep-alive requests (httpx) per query and system after ``--warmup``, the two
   systems alternating request by request so both see the same background load: client-side p50/p95/p99. A system
   stops a query after ``--budget`` seconds (with at least 20 requests measured);
2. throughput: ``--concurrency`` asyncio clients (httpx, keep-alive) for ``--duration`` s per system on q1–q5 and
   p2 in turn: requests/s, p50/p95 under load, server CPU per request;
3. export: ``/v1/export/facts.csv?type=budget&counted=any`` (about one fact in five) against Datasette's streamed
   ``facts.csv?_stream=on&_size=max&type__exact=budget`` (``--full-export``: also every fact): rows/s and the
   server's peak RSS during the export (VmHWM after resetting it through ``/proc/PID/clear_refs``).

Goal: p95 under 50 ms and faster than Datasette (p50 and p95) on every query. For a query that misses it, or every
query with ``--explain``, it then shows where our time goes, in this process: the request through the ASGI app
without a socket, ``search_facts``, and each SQL statement it runs with its time and ``EXPLAIN QUERY PLAN``.
Offline: everything is generated here and served on 127.0.0.1. The load generator runs in this process on the same
cores as the servers (2 on the reference machine): read the figures with the load averages printed beside them.

    python benchmarks/bench_api.py [--facts 1000000] [--quick] [--seed 1] [--keep] [--regenerate]
                                   [--requests 200] [--warmup 20] [--budget 90] [--concurrency 16] [--duration 10]
                                   [--relevant true|any] [--full-export] [--explain] [--no-datasette]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
GOAL_P95_MS = 50.0
DB_NAME = "mahalle"  # the file is mahalle.db: Datasette serves it as /mahalle
RELEVANT_SQL = "exists (select 1 from articles a where a.id = facts.article_id and a.relevant = 1)"


# ---------------------------------------------------------------------------------------------- the store


def schema_digest() -> str:
    """A digest of the migrations: a store cached under another schema is not reused."""
    import mahalle_news.store

    versions = Path(mahalle_news.store.__file__).parent / "migrations" / "versions"
    digest = hashlib.sha256()
    for path in sorted(versions.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def db_path(n_facts: int, seed: int) -> Path:
    from _facts_gen import GEN_VERSION

    key = f"n{n_facts}-s{seed}-v{GEN_VERSION}-m{schema_digest()}"
    return Path(tempfile.gettempdir()) / "mahalle-bench-api" / key / f"{DB_NAME}.db"


def ensure_db(n_facts: int, seed: int, regenerate: bool) -> tuple[Path, float | None]:
    """The store file, generated unless a complete one is cached; (path, generation seconds or None if reused)."""
    import _facts_gen

    path = db_path(n_facts, seed)
    done = path.with_suffix(".done")
    if done.exists() and path.exists() and not regenerate:
        return path, None
    path.parent.mkdir(parents=True, exist_ok=True)
    done.unlink(missing_ok=True)
    print(f"generating {n_facts:,} facts (seed {seed}) into {path} …", flush=True)
    t0 = time.perf_counter()
    stats = _facts_gen.generate(path, n_facts, seed, log=lambda m: print(m, flush=True))
    seconds = time.perf_counter() - t0
    print(
        f"  {stats.articles:,} articles ({stats.copies:,} syndicated copies), {stats.stories:,} stories, "
        f"{stats.facts:,} facts; «کم‌برخوردار» in {stats.kam_articles:,} originals; full-text rows checked against "
        f"index_text: {stats.fts_checked - stats.fts_mismatches}/{stats.fts_checked} equal"
        + (f" (e.g. {stats.mismatch_example})" if stats.fts_mismatches else ""),
        flush=True,
    )
    done.write_text(f"{stats}\n", encoding="utf-8")
    return path, seconds


# ---------------------------------------------------------------------------------------------- queries


@dataclass
class Query:
    """One search as both systems are asked it."""

    key: str
    title: str
    ours: dict[str, Any]
    datasette: list[tuple[str, str]]
    facets: bool = False
    ours_url: str = ""
    ds_url: str = ""
    variants: list[tuple[str, str]] = field(default_factory=list)  # asked once each instead of one URL repeated


def fts_where(q: str) -> str:
    """The Datasette ``_where`` for our full-text condition: the MATCH expression search.py builds."""
    from mahalle_news.filters import text_terms

    expression = " AND ".join(
        "(" + " OR ".join('"' + " ".join(p).replace('"', '""') + '"' for p in alternatives) + ")"
        for alternatives in text_terms(q)
    )
    literal = expression.replace("'", "''")
    return f"article_id in (select rowid from articles_fts where articles_fts match '{literal}')"


def make_queries(relevant: str) -> list[Query]:
    from _facts_gen import jalali_start

    y1403, y1403_q2, y1404 = jalali_start(1403), jalali_start(1403, 4, 1), jalali_start(1404)
    base_ours: dict[str, Any] = {"limit": 50, "facets": "false"}
    base_ds: list[tuple[str, str]] = [("counted__exact", "1"), ("_size", "50"), ("_nocount", "1")]
    if relevant == "any":
        base_ours["relevant"] = "any"
    else:
        base_ds.append(("_where", RELEVANT_SQL))
    program, q = "طرح ملی ۲۰۲۰ محله", "کم‌برخوردار"
    queries = [
        Query(
            "q1",
            "budgets · one program · one province · 1404, newest",
            {"type": "budget", "province": "اصفهان", "program": program, "date_from": "1404-01-01"},
            [
                ("type__exact", "budget"),
                ("province__exact", "اصفهان"),
                ("program__exact", program),
                ("published_at__gte", y1404.isoformat()),
                ("_sort_desc", "published_at"),
            ],
        ),
        Query(
            "q2",
            "neighbourhood counts · one province, by value desc",
            {"type": "neighbourhood_count", "province": "خراسان رضوی", "sort": "value_desc"},
            [("type__exact", "neighbourhood_count"), ("province__exact", "خراسان رضوی"), ("_sort_desc", "value")],
        ),
        Query(
            "q3",
            f"full text «{q}», newest",
            {"q": q},
            [("_where", fts_where(q)), ("_sort_desc", "published_at")],
        ),
        Query(
            "q4",
            "officials · Jalali spring 1403 (date range), newest",
            {"type": "official", "date_from": "1403-01-01", "date_to": "1403-03-31"},
            [
                ("type__exact", "official"),
                ("published_at__gte", y1403.isoformat()),
                ("published_at__lt", y1403_q2.isoformat()),
                ("_sort_desc", "published_at"),
            ],
        ),
        Query(
            "q5",
            "facets (type, province, program) · one province",
            {"province": "فارس", "facets": "true"},
            [
                ("province__exact", "فارس"),
                ("_facet", "type"),
                ("_facet", "province"),
                ("_facet", "program"),
                ("_sort_desc", "published_at"),
            ],
            facets=True,
        ),
    ]
    from mahalle_news.text.places import PROVINCE, gazetteer

    cold = Query("q5c", "facets · first request of a filter (another province each)", {}, [], facets=True)
    for province in sorted(p.name for p in gazetteer().places if p.kind == PROVINCE and p.name != "فارس"):
        variant = Query("", "", {"province": province, "facets": "true"}, [*queries[4].datasette], facets=True)
        variant.datasette[0] = ("province__exact", province)
        cold.variants.append((variant.ours_url, variant.ds_url))
        queries.append(variant)
    for query in queries:
        query.ours = {**base_ours, **query.ours}
        ds = [p for p in base_ds if not (query.facets and p[0] == "_nocount")]
        query.datasette = ds + query.datasette
        query.ours_url = "/v1/facts?" + urlencode(query.ours)
        query.ds_url = f"/{DB_NAME}/facts.json?" + urlencode(query.datasette)
    variants = queries[5:]
    cold.variants = [(v.ours_url, v.ds_url) for v in variants]
    cold.ours, cold.datasette = variants[0].ours, variants[0].datasette
    cold.ours_url, cold.ds_url = cold.variants[0]
    return [*queries[:5], cold]


# ---------------------------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_ours(db: str, port: int) -> None:
    """The child process of our server (as ``mahalle-news serve`` runs it, without the alert delivery worker)."""
    import uvicorn

    from mahalle_news.config import Settings
    from mahalle_news.web.app import create_app
    from mahalle_news.web.observability import log_config

    settings = Settings(db=f"sqlite:///{db}", anonymous_read=True, rate_limit=0)
    app = create_app(settings, deliver_alerts=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=log_config(), access_log=False)


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    base: str
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def status(self, field_name: str) -> float:
        """A /proc/PID/status memory field, in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu(self) -> float:
        """CPU seconds (user + system) the server has used."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def reset_peak(self) -> bool:
        """Reset VmHWM to the current RSS (Linux ≥ 4.0); False when not allowed."""
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def datasette_exe() -> str:
    """Datasette beside this Python, else on PATH; a one-line exit when neither has it."""
    exe = shutil.which("datasette", path=str(Path(sys.executable).parent)) or shutil.which("datasette")
    if exe is None:
        raise SystemExit(
            "datasette is not installed: `make bench` installs it (the bench extra), or pass --no-datasette"
        )
    return exe


def start_server(
    name: str, cmd: list[str], ready_path: str, port: int, log_dir: Path, env: dict[str, str] | None = None
) -> Server:
    """Start ``cmd`` (its output to ``log_dir/NAME.log``) and return once ``ready_path`` answers 200."""
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(name, proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{name} exited with {proc.returncode}; see {log}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(server.base + ready_path, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    server.stop()
    raise SystemExit(f"{name} did not answer {ready_path} within 120 s; see {log}")


# ---------------------------------------------------------------------------------------------- measuring


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class Timings:
    ms: list[float] = field(default_factory=list)
    bytes: int = 0
    errors: int = 0


def fetch(client: httpx.Client, url: str) -> tuple[float, httpx.Response]:
    t0 = time.perf_counter()
    response = client.get(url)
    return (time.perf_counter() - t0) * 1000, response


def check(name: str, url: str, response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise SystemExit(f"{name} {url} → {response.status_code}: {response.text[:500]}")
    return response.json()


def setup_page_two(queries: list[Query], ours: httpx.Client, ds: httpx.Client | None, of: str = "q4") -> Query:
    """The second page of query ``of``: our next_cursor, Datasette's ``_next``."""
    base = next(q for q in queries if q.key == of)
    first = check("ours", base.ours_url, ours.get(base.ours_url))
    page = Query("p2", f"page 2 of {of} (ours: cursor; Datasette: _next)", dict(base.ours), list(base.datasette))
    page.ours["cursor"] = first["next_cursor"]
    page.ours_url = "/v1/facts?" + urlencode(page.ours)
    if ds is not None:
        ds_first = check("datasette", base.ds_url, ds.get(base.ds_url))
        page.datasette = [*base.datasette, ("_next", str(ds_first["next"]))]
        page.ds_url = f"/{DB_NAME}/facts.json?" + urlencode(page.datasette)
    return page


def ids_ours(body: Any) -> list[int]:
    return [int(item["fact_id"]) for item in body["items"]]


def ids_ds(body: Any) -> list[int]:
    column = body["columns"].index("id")
    return [int(row[column]) for row in body["rows"]]


def compare(query: Query, ours: httpx.Client, ds: httpx.Client) -> str:
    """How alike the two answers are: the ids of the page, and for facets the totals."""
    a = check("ours", query.ours_url, ours.get(query.ours_url))
    b = check("datasette", query.ds_url, ds.get(query.ds_url))
    mine, theirs = ids_ours(a), ids_ds(b)
    note = f"{len(set(mine) & set(theirs))}/{len(mine)} same ids"
    if mine == theirs:
        note += ", same order"
    if query.facets:
        exact = "exact" if a.get("total_exact") else "newest 5,000"
        note += f"; total ours {a.get('total'):,} ({exact}), Datasette {b.get('filtered_table_rows_count'):,}"
    return note


def latency(
    queries: list[Query], ours: httpx.Client, ds: httpx.Client | None, n: int, warmup: int, budget: float
) -> dict[str, dict[str, Timings]]:
    """Sequential requests, the systems alternating (and which goes first alternating too). A system that has
    spent ``budget`` seconds on a query stops there once it has 20 measured requests (and so do its warm-ups)."""
    out: dict[str, dict[str, Timings]] = {}
    for query in queries:
        systems: list[tuple[str, httpx.Client, str]] = [("ours", ours, query.ours_url)]
        if ds is not None:
            systems.append(("datasette", ds, query.ds_url))
        times = {name: Timings() for name, _, _ in systems}
        for name, client, url in systems if not query.variants else ():
            t0 = time.perf_counter()
            for _ in range(warmup):
                check(name, url, client.get(url))
                if time.perf_counter() - t0 > budget / 4:
                    break
        spent = dict.fromkeys(times, 0.0)
        for i in range(min(n, len(query.variants)) if query.variants else n):
            order = systems if i % 2 == 0 else systems[::-1]
            for name, client, url in order:
                if query.variants:
                    url = query.variants[i][0 if name == "ours" else 1]
                if spent[name] > budget and len(times[name].ms) >= min(n, 20):
                    continue
                ms, response = fetch(client, url)
                if response.status_code != 200:
                    times[name].errors += 1
                times[name].ms.append(ms)
                times[name].bytes += len(response.content)
                spent[name] += ms / 1000
        out[query.key] = times
        line = "  ".join(
            f"{name} p50 {pct(t.ms, 50):.1f} p95 {pct(t.ms, 95):.1f} ms (n={len(t.ms)})" for name, t in times.items()
        )
        print(f"  {query.key}: {line}", flush=True)
    return out


@dataclass
class Load:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    ms: list[float] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    load: str = ""


async def _load(base: str, urls: list[str], concurrency: int, duration: float) -> Load:
    result = Load()
    counter = iter(range(1 << 62))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        deadline = time.perf_counter() + duration

        async def worker() -> None:
            while time.perf_counter() < deadline:
                url = urls[next(counter) % len(urls)]
                t0 = time.perf_counter()
                try:
                    response = await client.get(url)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                result.ms.append((time.perf_counter() - t0) * 1000)
                result.requests += 1
                result.errors += not ok

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - t0
    return result


def throughput(server: Server, urls: list[str], concurrency: int, duration: float) -> Load:
    cpu0, client0 = server.cpu(), time.process_time()
    result = asyncio.run(_load(server.base, urls, concurrency, duration))
    result.server_cpu = server.cpu() - cpu0
    result.client_cpu = time.process_time() - client0
    result.load = loadavg()
    return result


@dataclass
class Export:
    label: str
    rows: int = 0
    expected: int = 0
    megabytes: float = 0.0
    seconds: float = 0.0
    rss_before: float = 0.0
    peak: float = 0.0
    peak_reset: bool = False
    server_cpu: float = 0.0
    note: str = ""

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def export(server: Server, label: str, url: str, expected: int, timeout: float) -> Export:
    """Stream a CSV export and count its lines (no field holds a line break in this data)."""
    result = Export(label, expected=expected)
    result.peak_reset = server.reset_peak()
    result.rss_before = server.status("VmRSS")
    cpu0 = server.cpu()
    lines = size = 0
    t0 = time.perf_counter()
    with httpx.Client(base_url=server.base, timeout=120) as client, client.stream("GET", url) as response:
        if response.status_code != 200:
            response.read()
            raise SystemExit(f"{server.name} {url} → {response.status_code}: {response.text[:500]}")
        for chunk in response.iter_raw(1 << 16):
            lines += chunk.count(b"\n")
            size += len(chunk)
            if time.perf_counter() - t0 > timeout:
                result.note = f"stopped after {timeout:.0f} s"
                break
    result.seconds = time.perf_counter() - t0
    result.rows = max(0, lines - 1)
    result.megabytes = size / 1e6
    result.peak = server.status("VmHWM")
    result.server_cpu = server.cpu() - cpu0
    return result


def count_rows(db: Path, where: str) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(con.execute(f"SELECT count(*) FROM facts WHERE {where}").fetchone()[0])
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------- explain


def median_ms(fn: Any, n: int = 20) -> float:
    """Median wall time of ``fn()`` over ``n`` calls after 3 warm-up calls, in ms."""
    for _ in range(3):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return pct(times, 50)


def explain(db: Path, queries: list[Query], p50: dict[str, float]) -> None:
    """Where our time goes, in this process: every SQL statement a search runs (time to fetch all its rows, and
    ``EXPLAIN QUERY PLAN``), ``search_facts`` as a whole, and the whole request through the ASGI app without
    a socket; ``p50`` is the HTTP median measured before."""
    import sqlalchemy as sa

    from mahalle_news.config import Settings
    from mahalle_news.filters import parse_fact_filter
    from mahalle_news.store import Store
    from mahalle_news.store.cache import forget
    from mahalle_news.store.search import key_from_json, search_facts
    from mahalle_news.web.app import create_app
    from mahalle_news.web.deps import decode_cursor

    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        captured.append((statement, parameters))

    settings = Settings(db=f"sqlite:///{db}", anonymous_read=True, rate_limit=0)
    store = Store.open(settings.db)
    app = create_app(settings, store=store, deliver_alerts=False)
    print("\nwhere our time goes (in this process; HTTP p50 from the latency run):")
    try:
        for query in queries:
            params = {k: v for k, v in query.ours.items() if k not in ("limit", "facets", "cursor")}
            filt = parse_fact_filter(params)
            after_key = None
            if "cursor" in query.ours:
                after_key = key_from_json(filt.sort, decode_cursor(query.ours["cursor"], 3))
            facets = query.ours.get("facets") == "true"

            def search(filt: Any = filt, after_key: Any = after_key, facets: bool = facets) -> Any:
                return search_facts(store, filt, limit=50, after=after_key, facets=facets)

            search_ms = median_ms(search)
            cold = ""
            if facets:  # the facet counts are cached per filter: time them uncached too
                cold_ms = median_ms(lambda search=search: (forget(), search()))
                cold = f" ({cold_ms:.1f} ms with the facet counts not cached)"
            app_ms = asyncio.run(_asgi_ms(app, query.ours_url))
            captured.clear()
            forget()
            sa.event.listen(sa.engine.Engine, "before_cursor_execute", capture)
            try:
                search()
            finally:
                sa.event.remove(sa.engine.Engine, "before_cursor_execute", capture)
            lines, sql_ms = [], 0.0
            with store.transaction("explaining") as conn:
                raw = conn.connection.dbapi_connection
                assert raw is not None
                selects = [(s, p) for s, p in captured if s.lstrip().upper().startswith(("SELECT", "WITH"))]
                for statement, parameters in selects:
                    cursor = raw.cursor()
                    ms = median_ms(lambda c=cursor, s=statement, p=parameters: c.execute(s, p).fetchall(), 5)
                    sql_ms += ms
                    plan = [row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)]
                    cursor.close()
                    lines.append(f"  {ms:7.2f} ms  {' '.join(statement.split())[:400]}")
                    lines += [f"             plan: {step}" for step in plan]
            http = p50.get(query.key, float("nan"))
            print(
                f"\n[{query.key}] {query.title}: HTTP p50 {http:.1f} ms; the request in the ASGI app {app_ms:.1f} ms; "
                f"search_facts {search_ms:.1f} ms{cold}, of which SQL {sql_ms:.1f} ms in {len(selects)} statements"
            )
            print("\n".join(lines))
    finally:
        store.close()


async def _asgi_ms(app: Any, url: str) -> float:
    """Median time of a request through the app in this process (no socket, no server)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for _ in range(3):
            check("ours (ASGI)", url, await client.get(url))
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            await client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
    return pct(times, 50)


# ---------------------------------------------------------------------------------------------- report


def report_latency(queries: list[Query], results: dict[str, dict[str, Timings]], notes: dict[str, str]) -> list[str]:
    """Print the latency table; return the goal's failures."""
    failures: list[str] = []
    print(f"\n{'query':<58} {'ours p50/p95/p99 ms':>22} {'Datasette p50/p95/p99':>24} {'p50 ×':>6} {'p95 ×':>6}")
    for query in queries:
        times = results[query.key]
        o = times["ours"]
        ours_cols = f"{pct(o.ms, 50):.1f}/{pct(o.ms, 95):.1f}/{pct(o.ms, 99):.1f}"
        line = f"{query.key} {query.title:<55} {ours_cols:>22}"
        if pct(o.ms, 95) >= GOAL_P95_MS:
            failures.append(f"{query.key}: our p95 {pct(o.ms, 95):.1f} ms ≥ {GOAL_P95_MS:.0f} ms")
        if o.errors:
            failures.append(f"{query.key}: {o.errors} errors from ours")
        d = times.get("datasette")
        if d is not None:
            ds_cols = f"{pct(d.ms, 50):.1f}/{pct(d.ms, 95):.1f}/{pct(d.ms, 99):.1f}"
            r50, r95 = pct(d.ms, 50) / pct(o.ms, 50), pct(d.ms, 95) / pct(o.ms, 95)
            line += f" {ds_cols:>24} {r50:>6.2f} {r95:>6.2f}"
            if r50 <= 1 or r95 <= 1:
                failures.append(f"{query.key}: not faster than Datasette (Datasette/ours p50 {r50:.2f}, p95 {r95:.2f})")
        print(line)
        size = f"response {o.bytes / max(1, len(o.ms)) / 1024:.0f} KB ours"
        if d is not None:
            size += f", {d.bytes / max(1, len(d.ms)) / 1024:.0f} KB Datasette"
        counts = f"n={len(o.ms)}" + (f"/{len(d.ms)}" if d is not None else "")
        print(f"   {counts}, {size}" + (f"; {notes[query.key]}" if query.key in notes else ""))
    print("   (× = Datasette time / our time: above 1 means ours is faster)")
    return failures


def uvicorn_stack() -> str:
    """The uvicorn both servers run on, with the HTTP parser and event loop its ``auto`` settings pick here."""
    import importlib.metadata
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"uvicorn {importlib.metadata.version('uvicorn')} (http {http}, loop {loop})"


def run(args: argparse.Namespace) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if not args.no_datasette:
        datasette_exe()  # before a store is generated: say at once when Datasette is missing
    print(f"machine: {os.cpu_count()} cores, load average {loadavg()}; python {sys.version.split()[0]}")
    print(f"both servers: one process each under {uvicorn_stack()}")
    db, gen_seconds = ensure_db(args.facts, args.seed, args.regenerate)
    size_gb = sum(p.stat().st_size for p in db.parent.glob(f"{DB_NAME}.db*")) / 1e9
    generated = "reused from cache" if gen_seconds is None else f"generated in {gen_seconds:.0f} s"
    print(f"store: {db} ({size_gb:.2f} GB, {generated})")
    queries = make_queries(args.relevant)
    servers: list[Server] = []
    log_dir = Path(tempfile.mkdtemp(prefix="bench-api-logs-"))
    try:
        port = free_port()
        ours = start_server(
            "ours", [sys.executable, __file__, "--serve-ours", str(db), str(port)], "/healthz", port, log_dir
        )
        servers.append(ours)
        ds: Server | None = None
        if not args.no_datasette:
            port = free_port()
            exe = datasette_exe()
            settings = {
                "sql_time_limit_ms": 10000,
                "max_returned_rows": 1000,
                "facet_time_limit_ms": 10000,
                "suggest_facets": "off",
                "max_csv_mb": 0,
            }
            cmd = [exe, "serve", "-i", str(db), "--host", "127.0.0.1", "--port", str(port)]
            for name, value in settings.items():
                cmd += ["--setting", name, str(value)]
            ds = start_server("datasette", cmd, "/-/versions.json", port, log_dir)
            servers.append(ds)
            version = httpx.get(ds.base + "/-/versions.json").json()
            print(f"Datasette {version['datasette']['version']} (immutable -i), SQLite {version['sqlite']['version']}")
        print(f"servers: ours pid {ours.pid}, Datasette pid {ds.pid if ds else '-'}; logs in {log_dir}")
        ours_client = httpx.Client(base_url=ours.base, timeout=120)
        ds_client = httpx.Client(base_url=ds.base, timeout=120) if ds else None
        queries.append(setup_page_two(queries, ours_client, ds_client))
        print("\nrequests (ours | Datasette):")
        for query in queries:
            print(f"  {query.key} {query.ours_url}\n     {query.ds_url or '-'}")
        compared = [q for q in queries if not q.variants]  # a variant asked now would be warm when measured
        notes = {q.key: compare(q, ours_client, ds_client) for q in compared} if ds_client else {}

        print(f"\nlatency: {args.requests} sequential requests per query and system after {args.warmup} warm-up "
              f"(load average {loadavg()})")  # fmt: skip
        results = latency(queries, ours_client, ds_client, args.requests, args.warmup, args.budget)
        print(f"  (load average after: {loadavg()})")

        mix = [q for q in queries if not q.variants]
        loads = {"ours": throughput(ours, [q.ours_url for q in mix], args.concurrency, args.duration)}
        if ds is not None:
            loads["datasette"] = throughput(ds, [q.ds_url for q in mix], args.concurrency, args.duration)

        relevant_where = "" if args.relevant == "any" else f" AND {RELEVANT_SQL}"
        exports: list[Export] = []
        cases = [("budget", "type = 'budget'", {"type": "budget"}, [("type__exact", "budget")])]
        if args.full_export:
            cases.append(("all", "1", {}, []))
        for label, where, ours_params, ds_params in cases:
            expected = count_rows(db, where + relevant_where)
            our_params = {**ours_params, "counted": "any"} | ({"relevant": "any"} if args.relevant == "any" else {})
            url = "/v1/export/facts.csv?" + urlencode(our_params)
            exports.append(export(ours, f"ours {label}", url, expected, args.export_timeout))
            if ds is not None:
                extra = [] if args.relevant == "any" else [("_where", RELEVANT_SQL)]
                url = f"/{DB_NAME}/facts.csv?" + urlencode([("_stream", "on"), ("_size", "max"), *ds_params, *extra])
                exports.append(export(ds, f"Datasette {label}", url, expected, args.export_timeout))
        final_peaks = {s.name: s.status("VmHWM") for s in servers}
        ours_client.close()
        if ds_client is not None:
            ds_client.close()
    finally:
        for server in servers:
            server.stop()

    print("\n" + "=" * 118)
    print(f"{args.facts:,} facts; relevance mapping: {args.relevant}; load average now {loadavg()}")
    failures = report_latency(queries, results, notes)
    print(f"\nthroughput: {args.concurrency} concurrent clients, {args.duration:.0f} s, q1–q5 and p2 in turn")
    for name, load in loads.items():
        rate = load.requests / load.seconds
        cpu_ms = load.server_cpu / max(1, load.requests) * 1000
        print(
            f"  {name:<10} {rate:7.1f} req/s  p50 {pct(load.ms, 50):6.1f} ms  p95 {pct(load.ms, 95):6.1f} ms  "
            f"errors {load.errors}  server CPU {load.server_cpu:.1f} s ({cpu_ms:.1f} ms/request)  "
            f"client CPU {load.client_cpu:.1f} s  load {load.load}"
        )
    if "datasette" in loads:
        ratio = (loads["ours"].requests / loads["ours"].seconds) / (
            loads["datasette"].requests / loads["datasette"].seconds
        )
        print(f"  ours / Datasette requests/s: {ratio:.2f}")
    print("\nexport (CSV, streamed; peak = server VmHWM during the export"
          f"{'' if all(e.peak_reset for e in exports) else ', NOT reset: peak since start'})")  # fmt: skip
    for e in exports:
        ok = "" if e.rows == e.expected else f" (expected {e.expected:,})"
        print(
            f"  {e.label:<16} {e.rows:>9,} rows{ok} {e.megabytes:7.1f} MB {e.seconds:7.1f} s {e.rate:9,.0f} rows/s  "
            f"RSS before {e.rss_before:5.0f} MB, peak {e.peak:5.0f} MB  server CPU {e.server_cpu:.1f} s {e.note}"
        )
    print("  peak RSS over the whole run: " + ", ".join(f"{k} {v:.0f} MB" for k, v in final_peaks.items()))
    print("\nverdict (p95 < 50 ms and faster than Datasette at p50 and p95 on every query):")
    if failures:
        for failure in failures:
            print(f"  MISSED {failure}")
    else:
        print("  met on every query")
    if args.explain or failures:
        missed = {f.split(":")[0] for f in failures}
        chosen = [q for q in queries if args.explain or q.key in missed]
        explain(db, chosen, {q.key: pct(results[q.key]["ours"].ms, 50) for q in chosen})
    if not args.keep and gen_seconds is not None:
        shutil.rmtree(db.parent, ignore_errors=True)
        print(f"\nremoved {db.parent} (use --keep to reuse it)")


def _on_term(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--facts", type=int, default=1_000_000, help="facts in the store (default 1,000,000)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 100,000 facts, 50 requests, 5 s of load")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--keep", action="store_true", help="keep a store generated by this run for the next runs")
    ap.add_argument("--regenerate", action="store_true", help="generate the store even if a cached one exists")
    ap.add_argument("--requests", type=int, default=200, help="measured requests per query and system")
    ap.add_argument("--warmup", type=int, default=20, help="warm-up requests per query and system")
    ap.add_argument("--budget", type=float, default=90.0, help="seconds per query and system before stopping early")
    ap.add_argument("--concurrency", type=int, default=16, help="concurrent clients of the load phase")
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of load per system")
    ap.add_argument("--relevant", choices=("true", "any"), default="true", help="our relevant filter (default true)")
    ap.add_argument("--full-export", action="store_true", help="also export every fact (slow on Datasette)")
    ap.add_argument("--export-timeout", type=float, default=600.0, help="stop an export after this many seconds")
    ap.add_argument("--explain", action="store_true", help="print our SQL and query plans for every query")
    ap.add_argument("--no-datasette", action="store_true", help="measure ours only")
    ap.add_argument("--serve-ours", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_ours:
        serve_ours(args.serve_ours[0], int(args.serve_ours[1]))
        return
    if args.quick:
        args.facts = 100_000 if args.facts == 1_000_000 else args.facts
        args.requests, args.warmup, args.duration = min(args.requests, 50), min(args.warmup, 5), min(args.duration, 5)
    signal.signal(signal.SIGTERM, _on_term)
    try:
        run(args)
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
