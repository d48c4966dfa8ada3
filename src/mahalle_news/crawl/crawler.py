"""The crawl: poll due sources, fetch new article pages, and hand them to the ingest stage.

Network work is async (the :class:`~mahalle_news.crawl.fetch.Fetcher` limits concurrency per host and overall).
Everything that touches the store or the CPU-heavy NLP runs in ONE worker thread, so the event loop never blocks
and the store has a single writer.

Crash safety: each article is stored in its own transaction, and a feed's ``ETag`` / ``Last-Modified`` are saved
only after all of its new items were handled. After a SIGKILL the rerun fetches the feed in full again, skips the
URLs already stored, and stores the rest: nothing lost, nothing stored twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mahalle_news.crawl.dedup import canonical_url
from mahalle_news.crawl.encoding import decode_document
from mahalle_news.crawl.feeds import FeedEntry, FeedError, parse_feed
from mahalle_news.crawl.fetch import Fetcher, FetchResult
from mahalle_news.crawl.html import PageError, extract_page
from mahalle_news.crawl.ingest import Ingested, PageItem, ingest
from mahalle_news.crawl.schedule import is_due, next_poll
from mahalle_news.crawl.sources import NATIONAL, Source
from mahalle_news.errors import MahalleError
from mahalle_news.store.store import Store

T = TypeVar("T")

#: ``progress(event, data)``: events "source" (a feed was polled), "page" (a page was fetched), "article" (stored).
Progress = Callable[[str, dict[str, Any]], None]


@dataclass
class CrawlStats:
    sources_due: int = 0
    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    entries: int = 0
    known: int = 0
    pages_fetched: int = 0
    pages_failed: int = 0
    new_articles: int = 0
    duplicates: int = 0
    stories: int = 0
    relevant: int = 0
    facts: int = 0
    facts_counted: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["errors"] = list(self.errors)
        return out


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Crawler:
    """One crawler over one store. ``nlp`` and ``classifier`` are the loaded pipeline and classifier."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        nlp: Any,
        classifier: Any,
        *,
        progress: Progress | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        batch_size: int = 32,
        rng: random.Random | None = None,
    ) -> None:
        self.store, self.fetcher, self.nlp, self.classifier = store, fetcher, nlp, classifier
        self._progress = progress
        self._clock = clock
        self._batch_size = batch_size
        self._rng = rng or random.Random()
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mahalle-db")
        self._queue: asyncio.Queue[tuple[PageItem, asyncio.Future[Ingested]]] | None = None
        self._claimed: set[str] = set()
        # pages waiting for the fetcher are bounded: the fetch deadline starts when fetch() is called, so an
        # unbounded queue of page fetches would time out fetches that were never sent
        self._page_slots = asyncio.Semaphore(max(8, 2 * fetcher.policy.global_concurrency))

    def close(self) -> None:
        """Wait for the database thread to finish what it started (a transaction is never cut in half)."""
        self._db.shutdown(wait=True, cancel_futures=True)

    async def _in_db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    def _emit(self, event: str, **data: Any) -> None:
        if self._progress is not None:
            self._progress(event, data)

    # ------------------------------------------------------------------ passes

    async def due_sources(self, sources: Sequence[Source], *, respect_interval: bool) -> list[Source]:
        await self._in_db(self.store.sync_sources, [s.to_dict() for s in sources])
        states = {s.id: s for s in await self._in_db(self.store.list_sources)}
        now = self._clock()
        due = []
        for source in sources:
            state = states.get(source.id)
            if not source.enabled:
                continue
            if state is None or is_due(
                now, state.next_poll_at, state.consecutive_failures, respect_interval=respect_interval
            ):
                due.append(source)
        return due

    async def run_once(self, sources: Sequence[Source], *, respect_interval: bool = False) -> CrawlStats:
        """Poll every enabled, due source once and store what is new."""
        stats = CrawlStats()
        run_id = await self._in_db(self.store.start_run)
        status = "interrupted"
        try:
            due = await self.due_sources(sources, respect_interval=respect_interval)
            stats.sources_due = len(due)
            self._emit("start", sources=len(due))
            self._queue = asyncio.Queue()
            self._claimed = set()
            consumer = asyncio.create_task(self._consume(stats))
            try:
                await asyncio.gather(*(self._poll(source, stats) for source in due))
            finally:
                await self._queue.put(_STOP)
                await consumer
            status = "done"
        except MahalleError as err:
            status = "failed"
            stats.errors.append(str(err))
            raise
        finally:
            await asyncio.shield(self._in_db(self.store.finish_run, run_id, status, stats.to_dict()))
        return stats

    async def run_forever(
        self, sources: Sequence[Source], stop: asyncio.Event, on_pass: Callable[[CrawlStats], None] | None = None
    ) -> None:
        """Poll sources as they fall due until ``stop`` is set."""
        while not stop.is_set():
            stats = await self.run_once(sources, respect_interval=True)
            if on_pass is not None:
                on_pass(stats)
            states = await self._in_db(self.store.list_sources)
            times = [s.next_poll_at for s in states if s.enabled and s.next_poll_at is not None]
            wait = (min(times) - self._clock()).total_seconds() if times else 60.0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=max(1.0, min(wait, 3600.0)))

    # ------------------------------------------------------------------ one source

    async def _poll(self, source: Source, stats: CrawlStats) -> None:
        state = await self._in_db(self.store.get_source, source.id)
        etag = state.etag if state else None
        modified = state.last_modified if state else None
        failures = state.consecutive_failures if state else 0
        result = await self.fetcher.fetch(source.url, kind="feed", etag=etag, last_modified=modified)
        stats.feeds_polled += 1
        if result.not_modified:
            stats.feeds_not_modified += 1
            await self._record(source, "not_modified", result, 0, None, 0)
            self._emit("source", id=source.id, outcome="not_modified", items=0)
            return
        if not result.ok:
            await self._fail_source(source, stats, result.error or "fetch failed", result, failures)
            return
        try:
            feed = parse_feed(
                result.body,
                url=result.final_url,
                content_type=result.content_type,
                charset=result.charset,
                kind=source.kind,
            )
        except FeedError as err:
            await self._fail_source(source, stats, str(err), result, failures)
            return
        if feed.problem:
            stats.errors.append(f"{source.id}: {feed.problem} (kept {len(feed.entries)} entries)")
        new = await self._new_entries(source, feed.entries, stats)
        outcomes = await asyncio.gather(*(self._page(source, entry, stats) for entry in new))
        await self._record(source, "ok", result, len(feed.entries), feed.problem, 0)
        self._emit("source", id=source.id, outcome="ok", items=len(feed.entries), new=sum(o for o in outcomes))

    async def _fail_source(
        self, source: Source, stats: CrawlStats, error: str, result: FetchResult, failures: int
    ) -> None:
        stats.feeds_failed += 1
        stats.errors.append(f"{source.id}: {error}")
        await self._record(source, "error", result, 0, error, failures + 1)
        self._emit("source", id=source.id, outcome="error", error=error)

    async def _record(
        self, source: Source, outcome: str, result: FetchResult, items: int, error: str | None, failures: int
    ) -> None:
        now = self._clock()
        await self._in_db(
            lambda: self.store.record_poll(
                source.id,
                at=now,
                outcome=outcome,  # type: ignore[arg-type]
                etag=result.etag,
                last_modified=result.last_modified,
                items=items,
                error=error,
                next_poll_at=next_poll(now, source.poll_minutes, failures, self._rng),
            )
        )

    async def _new_entries(self, source: Source, entries: Sequence[FeedEntry], stats: CrawlStats) -> list[FeedEntry]:
        stats.entries += len(entries)
        by_url: dict[str, FeedEntry] = {}
        for entry in entries:
            by_url.setdefault(canonical_url(entry.url), entry)
        known = await self._in_db(self.store.known_urls, list(by_url))
        new = []
        for url, entry in by_url.items():
            if url in known or url in self._claimed:  # stored before, or another feed of this pass has it
                stats.known += 1
                continue
            self._claimed.add(url)
            new.append(entry)
        stats.known += len(entries) - len(by_url)
        return new

    # ------------------------------------------------------------------ one page

    async def _page(self, source: Source, entry: FeedEntry, stats: CrawlStats) -> int:
        url = canonical_url(entry.url)
        async with self._page_slots:
            result = await self.fetcher.fetch(entry.url, kind="page")
        if not result.ok or result.not_modified:
            await self._page_failed(source, entry, url, result.status, result.error or "no content", stats)
            return 0
        stats.pages_fetched += 1
        decoded = decode_document(result.body, declared=result.charset, kind="html")
        try:
            page = extract_page(decoded.text, url=result.final_url)
        except PageError as err:
            await self._page_failed(source, entry, url, result.status, str(err), stats)
            return 0
        hint = entry.province_hint or (source.province if source.province != NATIONAL else None)
        item = PageItem(
            source_id=source.id,
            url=entry.url,
            url_canonical=url,
            title=page.title or entry.title,
            body=page.text,
            published=entry.published or page.published,
            fetched_at=self._clock(),
            raw_html=result.body,
            encoding=decoded.encoding,
            http_status=result.status,
            method=page.method,
            province_hint=hint,
        )
        assert self._queue is not None
        done: asyncio.Future[Ingested] = asyncio.get_running_loop().create_future()
        await self._queue.put((item, done))
        outcome = await done
        return 1 if outcome.saved is not None and outcome.saved.status != "exists" else 0

    async def _page_failed(
        self, source: Source, entry: FeedEntry, url: str, status: int | None, error: str, stats: CrawlStats
    ) -> None:
        stats.pages_failed += 1
        stats.errors.append(f"{source.id}: {error}")
        await self._in_db(self.store.record_failed_page, url, entry.url, source.id, status, error)
        self._emit("page", url=entry.url, ok=False, error=error)

    # ------------------------------------------------------------------ NLP + store stage

    async def _consume(self, stats: CrawlStats) -> None:
        """Take fetched pages in batches, run extraction and storage in the database thread."""
        assert self._queue is not None
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is _STOP:
                return
            batch = [first]
            while len(batch) < self._batch_size and not self._queue.empty():
                nxt = self._queue.get_nowait()
                if nxt is _STOP:
                    stopping = True
                    break
                batch.append(nxt)
            items = [item for item, _ in batch]
            try:
                outcomes = await self._in_db(ingest, self.store, items, self.nlp, self.classifier)
            except Exception as exc:  # a store or pipeline failure loses this batch, never the crawl
                reason = str(exc) if isinstance(exc, MahalleError) else f"{exc.__class__.__name__}: {exc}"
                outcomes = [Ingested(item, error=f"{item.url}: not stored: {reason}") for item in items]
            for (_, done), outcome in zip(batch, outcomes, strict=True):
                self._count(outcome, stats)
                if not done.done():
                    done.set_result(outcome)

    def _count(self, outcome: Ingested, stats: CrawlStats) -> None:
        saved = outcome.saved
        if saved is None:
            stats.errors.append(outcome.error or f"{outcome.item.url}: not stored")
            self._emit("article", url=outcome.item.url, status="error")
            return
        if saved.status == "exists":
            stats.known += 1
        else:
            stats.new_articles += 1
            stats.duplicates += saved.status in ("exact", "near")
            stats.stories += saved.status == "new"
            stats.relevant += bool(outcome.relevant)
            stats.facts += saved.facts_stored
            stats.facts_counted += saved.facts_counted
        self._emit("article", url=outcome.item.url, status=saved.status, facts=saved.facts_stored)


_STOP: Any = object()
