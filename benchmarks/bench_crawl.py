"""Crawl throughput: feeds/s, pages/s and CPU time over a local news web, ours against a naive sequential loop.

A synthetic web (default 500 RSS feeds × 20 items = 10,000 article pages over 50 hosts ``hNN.bench``, pages built
from the demo site's four CMS layouts, see ``_localnews.py``) is written to a temporary folder and served on
127.0.0.1 by a server in its own process (its CPU is reported apart). Every phase runs in a fresh (spawned) process,
so its CPU time (``time.process_time``) and peak RSS are its own. In the same run, over the same feeds and pages:

1. naive: ``for url in feeds: d = feedparser.parse(url)`` then ``urllib.request.urlopen(e.link).read()`` for each
   entry, one request at a time, no extraction (urllib reaches the ``*.bench`` hosts through ``http_proxy``);
2. ours, fetch only (with ``--fetch-only``): ``Fetcher`` (default policy, ``per_host_delay=0``) + ``parse_feed``,
   every feed and its pages concurrently as the crawler does, at most 8 × the global concurrency ``fetch()`` calls
   outstanding (the policy's total deadline counts time queued behind the limits; ``--unbounded`` starts all at
   once, like the crawler) — the same work as the naive loop;
3. ours, fetch layer: as 2, plus ``decode_document`` + ``extract_page`` on every page;
4. ours, full pipeline: ``Crawler.run_once`` (NLP + classifier + SQLite store) on the first ``--pipeline-feeds``
   feeds; articles/s end to end, CPU-bound, not comparable with 1.

Prints a table, the ours/naive ratios of feeds/s and pages/s, and per-stage CPU of our fetch layer. Figures only.

    python benchmarks/bench_crawl.py [--feeds 500] [--items 20] [--hosts 50] [--pipeline-feeds 100]
                                     [--skip-naive] [--fetch-only] [--unbounded] [--quick]
                                     [--server asyncio|localweb] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import multiprocessing as mp
import os
import resource
import tempfile
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import feedparser
from _localnews import LocalNewsServer, Site, build_site

from mahalle_news.crawl.encoding import decode_document
from mahalle_news.crawl.feeds import FeedError, parse_feed
from mahalle_news.crawl.fetch import Fetcher, FetchKind, FetchPolicy, FetchResult
from mahalle_news.crawl.html import PageError, extract_page
from mahalle_news.crawl.localweb import LocalTransport

DEFAULT_SIZES = {"feeds": 500, "items": 20, "hosts": 50, "pipeline_feeds": 100}
POLICY = FetchPolicy(per_host_delay=0.0)  # the default policy; the CLI's default host delay is 0.25 s


@dataclass
class Phase:
    """What one measured phase did and cost (wall/CPU in seconds, memory in MB)."""

    name: str
    feeds: int = 0
    pages: int = 0
    failed: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    peak_mb: float = 0.0
    server_cpu: float = 0.0
    notes: list[str] = field(default_factory=list)
    error: str | None = None


# ---------------------------------------------------------------- 1. naive
def naive(site: Site, address: str) -> Phase:
    """Sequential feedparser + urllib, as a first script would do it."""
    os.environ["http_proxy"] = os.environ["HTTP_PROXY"] = address  # the *.bench hosts have no DNS
    os.environ["no_proxy"] = os.environ["NO_PROXY"] = ""
    phase = Phase("naive: feedparser.parse + urlopen, sequential")
    t0 = time.perf_counter()
    feedparser.parse(site.file(site.feeds[0]).read_bytes())  # lazy imports, outside the figures
    phase.notes.append(f"warm-up {time.perf_counter() - t0:.1f} s (not in the figures)")
    size = 0
    feeds_cpu = 0.0
    cpu0, t0 = time.process_time(), time.perf_counter()
    for feed_url in site.feeds:
        c = time.process_time()
        d = feedparser.parse(feed_url)
        feeds_cpu += time.process_time() - c
        if not d.entries:
            phase.failed += 1
            continue
        phase.feeds += 1
        for e in d.entries:
            try:
                body = urllib.request.urlopen(e.link, timeout=60).read()
            except (urllib.error.URLError, OSError):
                phase.failed += 1
                continue
            phase.pages += 1
            size += len(body)
    phase.wall, phase.cpu = time.perf_counter() - t0, time.process_time() - cpu0
    phase.notes.append(f"{size / 1e6:.0f} MB of page bodies (identity: urllib does not ask for gzip)")
    phase.notes.append(
        f"CPU: feedparser.parse(url) {feeds_cpu:.1f} s = {1000 * feeds_cpu / max(phase.feeds, 1):.2f} ms per feed "
        f"(fetch included); urlopen(link).read() {phase.cpu - feeds_cpu:.1f} s = "
        f"{1000 * (phase.cpu - feeds_cpu) / max(phase.pages, 1):.2f} ms per page"
    )
    return phase


# ---------------------------------------------------------------- 2./3. our fetch layer
async def _ours(site: Site, address: str, extract: bool, pending: int, phase: Phase) -> dict[str, float]:
    spent = {"parse_feed": 0.0, "decode_document": 0.0, "extract_page": 0.0}  # CPU of this thread
    transport = LocalTransport(address, frozenset(site.hosts))
    # FetchPolicy.total_timeout runs from the fetch() call, so time queued behind the concurrency limits counts:
    # with all 10,000 fetches started at once, thousands time out unsent. Keep at most ``pending`` outstanding.
    gate = asyncio.Semaphore(pending) if pending else None

    async with Fetcher(POLICY, transport=transport) as fetcher:

        async def fetch(url: str, kind: FetchKind) -> FetchResult:
            if gate is None:
                return await fetcher.fetch(url, kind=kind)
            async with gate:
                return await fetcher.fetch(url, kind=kind)

        async def page(url: str) -> None:
            result = await fetch(url, "page")
            if not result.ok:
                phase.failed += 1
                return
            phase.pages += 1
            if extract:
                t = time.thread_time()
                decoded = decode_document(result.body, declared=result.charset, kind="html")
                t1 = time.thread_time()
                try:
                    extract_page(decoded.text, url=result.final_url)
                except PageError:
                    phase.failed += 1
                spent["decode_document"] += t1 - t
                spent["extract_page"] += time.thread_time() - t1

        async def feed(url: str) -> None:
            result = await fetch(url, "feed")
            if not result.ok:
                phase.failed += 1
                return
            t = time.thread_time()
            try:
                parsed = parse_feed(
                    result.body, url=result.final_url, content_type=result.content_type, charset=result.charset
                )
            except FeedError:
                phase.failed += 1
                return
            finally:
                spent["parse_feed"] += time.thread_time() - t
            phase.feeds += 1
            await asyncio.gather(*(page(entry.url) for entry in parsed.entries))

        await asyncio.gather(*(feed(url) for url in site.feeds))
        stats = fetcher.stats
    phase.notes.append(
        f"{stats.requests:,} requests (robots.txt included), {stats.bytes / 1e6:.0f} MB decoded (gzip on the wire)"
        + (f", errors {stats.errors_by_kind}" if stats.errors_by_kind else "")
    )
    return spent


def ours(site: Site, address: str, extract: bool, pending: int) -> Phase:
    """Our Fetcher and parse_feed, every feed and then its pages at once as the crawler does, at most ``pending``
    fetch() calls outstanding (0: no bound, exactly like the crawler), optionally extracting every page."""
    name = (
        "ours: Fetcher + parse_feed + decode + extract_page" if extract else "ours: Fetcher + parse_feed (fetch only)"
    )
    phase = Phase(name)
    phase.notes.append(f"warm-up {warm_up(site):.1f} s (gazetteer, lexicon, parsers; not in the figures)")
    phase.notes.append(f"outstanding fetch() calls: {f'at most {pending}' if pending else 'all at once (unbounded)'}")
    cpu0, t0 = time.process_time(), time.perf_counter()
    spent = asyncio.run(_ours(site, address, extract, pending, phase))
    phase.wall, phase.cpu = time.perf_counter() - t0, time.process_time() - cpu0
    stages = {k: v for k, v in spent.items() if v}
    rest = phase.cpu - sum(stages.values())
    parts = [
        f"{k} {v:.1f} s = {1000 * v / max(phase.feeds if k == 'parse_feed' else phase.pages, 1):.2f} ms per "
        + ("feed" if k == "parse_feed" else "page")
        for k, v in stages.items()
    ]
    phase.notes.append("CPU by stage: " + ", ".join(parts) + f"; HTTP, event loop and the rest {rest:.1f} s")
    return phase


# ---------------------------------------------------------------- 4. full pipeline
def pipeline(site: Site, address: str, feeds: int, db: Path) -> Phase:
    """Crawler.run_once into a fresh SQLite store with the real NLP models."""
    from mahalle_news.crawl.crawler import Crawler
    from mahalle_news.crawl.sources import Source
    from mahalle_news.nlp.classifier import load_default
    from mahalle_news.nlp.pipeline import load_pipeline
    from mahalle_news.store.store import Store

    phase = Phase("ours: Crawler.run_once (NLP + store), end to end")  # its pages: new articles stored
    t0 = time.perf_counter()
    warm_up(site)
    nlp, classifier = load_pipeline(), load_default()
    store = Store.open(f"sqlite:///{db}")
    phase.notes.append(
        f"start-up {time.perf_counter() - t0:.1f} s (warm-up, models, store; not in the figures); "
        f"classifier: {'yes' if classifier else 'no'}"
    )
    sources = [
        Source(id=f"bench-{n:04d}", name=f"bench feed {n}", agency="IRNA", province="کشور", url=url)
        for n, url in enumerate(site.feeds[:feeds])
    ]

    stored: list[float] = []  # when each article left the NLP + store stage

    def progress(event: str, data: dict[str, Any]) -> None:
        if event == "article":
            stored.append(time.perf_counter())

    async def run() -> Any:
        async with Fetcher(POLICY, transport=LocalTransport(address, frozenset(site.hosts))) as fetcher:
            crawler = Crawler(store, fetcher, nlp, classifier, progress=progress)
            try:
                return await crawler.run_once(sources)
            finally:
                crawler.close()

    cpu0, t0 = time.process_time(), time.perf_counter()
    try:
        stats = asyncio.run(run())
    finally:
        store.close()
    phase.wall, phase.cpu = time.perf_counter() - t0, time.process_time() - cpu0
    phase.feeds = stats.feeds_polled - stats.feeds_failed
    phase.pages = stats.new_articles
    phase.failed = stats.feeds_failed + stats.pages_failed
    phase.notes.append(
        f"pages fetched {stats.pages_fetched:,}, new articles {stats.new_articles:,} (stories {stats.stories:,}, "
        f"duplicates {stats.duplicates:,}), relevant {stats.relevant:,}, facts {stats.facts:,}, "
        f"errors {len(stats.errors)}; database {db.stat().st_size / 1e6:.0f} MB"
    )
    quarter = len(stored) // 4
    if quarter >= 64:  # batches of 32 leave the stage together: a quarter must span several
        bounds = [stored[min(q * quarter, len(stored) - 1)] for q in range(5)]
        rates = [quarter / max(bounds[q + 1] - bounds[q], 1e-9) for q in range(4)]
        phase.notes.append(
            "articles/s out of the NLP + store stage per quarter of the run's articles: "
            + ", ".join(f"{r:.1f}" for r in rates)
        )
    late = sum("total deadline" in error for error in stats.errors)
    if late:
        phase.notes.append(
            f"{late:,} fetches failed on FetchPolicy.total_timeout ({POLICY.total_timeout:g} s), which counts the time "
            "a fetch waits behind the concurrency limits: Crawler.run_once starts every page of every feed at once"
        )
    if stats.errors:
        phase.notes.append(f"first error: {stats.errors[0]}")
    return phase


# ---------------------------------------------------------------- harness
def warm_up(site: Site) -> float:
    """One-time loads (gazetteer, lexicon, parsers), done in a phase's process before its clock starts."""
    t0 = time.perf_counter()
    feed = site.file(site.feeds[0]).read_bytes()
    feedparser.parse(feed)
    entries = parse_feed(feed, url=site.feeds[0]).entries
    page = site.file(entries[0].url).read_bytes()
    extract_page(decode_document(page, kind="html").text, url=entries[0].url)
    return time.perf_counter() - t0


def _child(conn: Connection, fn: Callable[..., Phase], args: tuple[Any, ...]) -> None:
    try:
        phase = fn(*args)
    except BaseException as exc:  # report it to the parent rather than dying silently
        phase = Phase(getattr(fn, "__name__", "phase"), error=f"{type(exc).__name__}: {exc}")
        traceback.print_exc()
    phase.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send(phase)
    conn.close()


def measure(server: LocalNewsServer, fn: Callable[..., Phase], *args: Any) -> Phase:
    """Run ``fn(*args)`` in a fresh process; add the server's CPU time over the same span."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    cpu0 = server.cpu_seconds()
    proc = ctx.Process(target=_child, args=(child, fn, args))
    proc.start()
    child.close()
    try:
        phase: Phase = parent.recv()
    except EOFError:  # the process died without a word (killed, out of memory)
        phase = Phase(getattr(fn, "__name__", "phase"))
    proc.join()
    if phase.error is None and proc.exitcode:
        phase.error = f"the phase's process exited with code {proc.exitcode}"
    phase.server_cpu = server.cpu_seconds() - cpu0
    print(f"  done: {phase.name} ({phase.wall:.1f} s)", flush=True)
    return phase


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.1f}" if seconds > 0 else "-"


def report(phases: list[Phase]) -> None:
    cols = f"{'phase':<53} {'feeds':>6} {'pages':>7} {'fail':>5} {'wall s':>7} {'CPU s':>7} {'feeds/s':>8}"
    cols += f" {'pages/s':>8} {'pages/CPU-s':>11} {'peak RSS MB':>11} {'server CPU s':>12}"
    print()
    print(cols)
    print("-" * len(cols))
    for p in phases:
        if p.error:
            print(f"{p.name:<53} failed: {p.error}")
            continue
        print(
            f"{p.name:<53} {p.feeds:>6,} {p.pages:>7,} {p.failed:>5,} {p.wall:>7.1f} {p.cpu:>7.1f} "
            f"{_rate(p.feeds, p.wall):>8} {_rate(p.pages, p.wall):>8} {_rate(p.pages, p.cpu):>11} {p.peak_mb:>11.0f} "
            f"{p.server_cpu:>12.1f}"
        )
    print(
        "(feeds/s and pages/s: over the phase's wall time; pages/CPU-s: over its CPU time, steadier when the machine"
        " is busy; for the full pipeline, pages = new articles stored)"
    )
    for p in phases:
        if p.notes:
            print(f"{p.name}:")
            for note in p.notes:
                print(f"    {note}")


def compare(phases: list[Phase]) -> None:
    naive_p = next((p for p in phases if p.name.startswith("naive") and not p.error), None)
    if naive_p is None or not naive_p.wall:
        return
    print()
    for p in phases:
        if p.error or p is naive_p or "run_once" in p.name or not p.wall:
            continue
        feeds = (p.feeds / p.wall) / (naive_p.feeds / naive_p.wall) if naive_p.feeds else float("nan")
        pages = (p.pages / p.wall) / (naive_p.pages / naive_p.wall) if naive_p.pages else float("nan")
        per_cpu = (p.pages / p.cpu) / (naive_p.pages / naive_p.cpu) if naive_p.pages and p.cpu else float("nan")
        print(
            f"ratio ours/naive [{p.name.removeprefix('ours: ')}]: feeds/s ×{feeds:.2f}, pages/s ×{pages:.2f}, "
            f"pages per CPU-second ×{per_cpu:.2f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--feeds", type=int, help="RSS feeds in the local web (default 500)")
    ap.add_argument("--items", type=int, help="items (article pages) per feed (default 20)")
    ap.add_argument("--hosts", type=int, help="hosts the feeds are spread over (default 50)")
    ap.add_argument("--pipeline-feeds", type=int, help="feeds for the full pipeline (default 100; 0 skips it)")
    ap.add_argument("--skip-naive", action="store_true", help="do not run the naive feedparser + urllib loop")
    ap.add_argument(
        "--fetch-only", action="store_true",
        help="also run our fetch layer without decode + extract_page (the naive loop's work; adds a few minutes)",
    )  # fmt: skip
    ap.add_argument(
        "--unbounded", action="store_true",
        help="start every fetch at once, as Crawler.run_once does (default: at most 8 × global concurrency pending)",
    )  # fmt: skip
    ap.add_argument("--quick", action="store_true", help="smoke run: 50 feeds × 20 items, 10 hosts, 10 pipeline feeds")
    ap.add_argument(
        "--server", choices=["asyncio", "localweb"], default="asyncio",
        help="asyncio: in-memory keep-alive server (default); localweb: the project's LocalWeb (ThreadingHTTPServer)",
    )  # fmt: skip
    ap.add_argument(
        "--latency-ms", type=float, default=0.0,
        help="asyncio server only: wait this long before each response, like a network round trip (default 0)",
    )  # fmt: skip
    args = ap.parse_args()
    sizes = {"feeds": 50, "items": 20, "hosts": 10, "pipeline_feeds": 10} if args.quick else DEFAULT_SIZES
    for name, value in sizes.items():
        if getattr(args, name) is None:  # an explicit option wins over --quick
            setattr(args, name, value)
    hosts = max(1, min(args.hosts, args.feeds))
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if importlib.util.find_spec("sniffio") is None:
        print("note: sniffio is not installed: httpcore retries `import sniffio` (a failed sys.path search) per lock")
    print(
        f"fetch policy: global concurrency {POLICY.global_concurrency}, per host {POLICY.per_host_concurrency}, "
        f"per-host delay {POLICY.per_host_delay:g} s, robots.txt {'on' if POLICY.obey_robots else 'off'}, "
        f"retries {POLICY.retries}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as tmp:
        t0 = time.perf_counter()
        site = build_site(Path(tmp) / "web", feeds=args.feeds, items=args.items, hosts=hosts)
        layouts = ", ".join(f"{k} {v:,}" for k, v in sorted(site.layouts.items()))
        print(
            f"site: {len(site.feeds):,} feeds × {args.items} items = {site.pages:,} pages over {hosts} hosts; "
            f"pages {site.page_bytes / 1e6:.0f} MB ({site.page_bytes / site.pages / 1e3:.1f} kB each; layouts "
            f"{layouts}), feeds {site.feed_bytes / 1e6:.1f} MB; built in {time.perf_counter() - t0:.1f} s"
        )
        t0 = time.perf_counter()
        with LocalNewsServer(site.root, impl=args.server, latency_ms=args.latency_ms) as server:
            print(
                f"server: {args.server} at {server.address} in its own process, {server.files:,} URLs, "
                f"{args.latency_ms:g} ms added latency, "
                f"ready in {time.perf_counter() - t0:.1f} s",
                flush=True,
            )
            phases: list[Phase] = []
            pending = 0 if args.unbounded else 8 * POLICY.global_concurrency
            if not args.skip_naive:
                phases.append(measure(server, naive, site, server.address))
            if args.fetch_only:
                phases.append(measure(server, ours, site, server.address, False, pending))
            phases.append(measure(server, ours, site, server.address, True, pending))
            if args.pipeline_feeds > 0:
                db = Path(tmp) / "bench.db"
                phases.append(measure(server, pipeline, site, server.address, args.pipeline_feeds, db))
        report(phases)
        compare(phases)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
