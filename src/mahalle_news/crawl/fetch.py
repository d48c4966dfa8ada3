"""Polite async HTTP fetching for the crawler.

:class:`Fetcher` wraps one ``httpx.AsyncClient`` and adds what a well-behaved crawler needs: global and per-host
concurrency limits, a per-host pause between request starts, robots.txt (cached per origin, checked on every
redirect hop), conditional GET, retries with capped exponential backoff and full jitter, manual redirects with loop
detection, a total deadline, content-type checks, and a body limit counted on *decoded* bytes: gzip, deflate and br
are inflated here in bounded pieces, so a compression bomb stops at the limit instead of filling memory.

It never raises for network or HTTP trouble: problems come back as :attr:`FetchResult.error` (a sentence naming the
URL) and :attr:`FetchResult.error_kind` (one of :data:`ERROR_KINDS`).
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal

import httpx

from mahalle_news import __version__
from mahalle_news.crawl.decompress import DecodeErrors
from mahalle_news.crawl.decompress import decoder as make_decoder
from mahalle_news.crawl.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsUnavailable

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = (
    f"mahalle-news/{__version__} "
    "(+https://github.com/mahalle-news/mahalle-news; Persian news monitoring; polite crawler)"
)
ERROR_KINDS = (
    "robots", "timeout", "connect", "http", "too-large", "content-type",
    "redirect-loop", "too-many-redirects", "invalid-url", "decode",
)  # fmt: skip
FetchKind = Literal["feed", "page"]

_ACCEPT: dict[FetchKind, str] = {
    "feed": "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, text/html;q=0.5, */*;q=0.1",
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
}
_LANG = "fa, en;q=0.5"
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEED_JSON_TYPES = frozenset({"application/json", "application/feed+json"})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchPolicy:
    """Limits and manners of a :class:`Fetcher`; times in seconds."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # whole fetch: robots, every attempt and hop, backoff sleeps
    max_body_bytes: int = 8 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3  # extra attempts after the first
    backoff_base: float = 0.5  # retry n waits uniform(0, min(backoff_max, backoff_base * 2**n))
    backoff_max: float = 30.0  # also caps Retry-After
    global_concurrency: int = 32
    per_host_concurrency: int = 4
    per_host_delay: float = 0.0  # between request starts to one host
    obey_robots: bool = True
    max_crawl_delay: float = 10.0  # a robots.txt Crawl-delay raises per_host_delay for its host, up to this


DEFAULT_POLICY = FetchPolicy()


@dataclass
class FetchResult:
    """Outcome of one :meth:`Fetcher.fetch`; on error ``body`` is empty and ``error``/``error_kind`` say why."""

    url: str
    final_url: str
    status: int | None
    body: bytes
    headers: dict[str, str]
    content_type: str | None
    charset: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False
    error: str | None = None
    error_kind: str | None = None
    attempts: int = 0  # HTTP requests made for this URL (every hop and retry; robots.txt not counted)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """True for a 2xx body or a 304 (``not_modified``)."""
        return self.error is None


@dataclass
class FetchStats:
    """Running counters of one :class:`Fetcher`."""

    requests: int = 0  # HTTP requests sent, robots.txt included
    retries: int = 0
    not_modified: int = 0
    bytes: int = 0  # decoded body bytes received
    robots_unavailable: int = 0
    errors_by_kind: dict[str, int] = field(default_factory=dict)


class _Failure(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass
class _Reply:
    url: httpx.URL
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes = b""
    failure: _Failure | None = None  # body refused (type, size, encoding) although a response came


class _HostGate:
    def __init__(self, concurrency: int, delay: float) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.delay = delay
        self._next_start = 0.0

    def reserve(self, now: float) -> float:
        """Book the next start slot; returns how long to wait for it."""
        start = max(now, self._next_start)
        self._next_start = start + self.delay
        return start - now


class Fetcher:
    """Polite fetcher; use as ``async with Fetcher(policy) as f: result = await f.fetch(url)``."""

    def __init__(
        self,
        policy: FetchPolicy = DEFAULT_POLICY,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: str | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy
        self.stats = FetchStats()
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self._global = asyncio.Semaphore(policy.global_concurrency)
        self._gates: dict[str, _HostGate] = {}
        self._robots = RobotsCache(self._get_robots)
        self._client = httpx.AsyncClient(
            transport=transport,
            proxy=proxy,
            trust_env=False,  # no proxies or .netrc credentials picked up from the environment
            follow_redirects=False,
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout, pool=policy.connect_timeout),
            limits=httpx.Limits(max_connections=policy.global_concurrency),
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate, br", "Accept-Language": _LANG},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client and its connections."""
        await self._client.aclose()

    async def fetch(
        self, url: str, *, kind: FetchKind = "page", etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET ``url`` politely; ``etag``/``last_modified`` from an earlier fetch make it conditional."""
        started = time.monotonic()
        total = self.policy.total_timeout
        result = FetchResult(url, url, None, b"", {}, None, None, None, None)
        try:
            async with asyncio.timeout(total):
                await self._run(result, kind, etag, last_modified, started + total)
        except _Failure as failure:
            result.error, result.error_kind = failure.message, failure.kind
        except TimeoutError:
            result.error, result.error_kind = f"{url}: not done within the total deadline of {total:g}s", "timeout"
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            result.error, result.error_kind = f"{url}: unusable URL ({_describe(exc)})", "invalid-url"
        except httpx.HTTPError as exc:
            result.error, result.error_kind = f"{url}: request failed ({_describe(exc)})", "connect"
        if result.error_kind is not None:
            result.body = b""
            errors = self.stats.errors_by_kind
            errors[result.error_kind] = errors.get(result.error_kind, 0) + 1
        elif result.not_modified:
            self.stats.not_modified += 1
        result.elapsed = time.monotonic() - started
        return result

    async def _run(
        self, result: FetchResult, kind: FetchKind, etag: str | None, last_modified: str | None, deadline: float
    ) -> None:
        url = _http_url(result.url)
        headers = {"Accept": _ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = {str(url)}
        while True:
            result.final_url = str(url)
            await self._check_robots(url)
            reply = await self._attempts(url, headers, kind, result, deadline)
            _take(result, reply, etag, last_modified)
            if reply.failure is not None:
                raise reply.failure
            location = reply.headers.get("location")
            if reply.status in _REDIRECTS and location:
                target = _http_url(location, base=url, context=f"{url}: redirect to ")
                if str(target) in seen:
                    raise _Failure("redirect-loop", f"{result.url}: redirect loop ({url} leads back to {target})")
                if len(seen) > self.policy.max_redirects:
                    limit = self.policy.max_redirects
                    raise _Failure("too-many-redirects", f"{result.url}: more than {limit} redirects (last: {url})")
                seen.add(str(target))
                url = target
            elif reply.status == 304:
                result.not_modified = True
                return
            elif not 200 <= reply.status < 300:
                raise _Failure("http", f"{url}: HTTP {reply.status} {reply.reason}".rstrip())
            else:
                result.body = reply.body
                return

    async def _attempts(
        self, url: httpx.URL, headers: dict[str, str], kind: FetchKind, result: FetchResult, deadline: float
    ) -> _Reply:
        """One hop with retries on 5xx, 429, timeouts and connection errors."""
        policy = self.policy
        for retry in range(policy.retries + 1):
            result.attempts += 1
            reply: _Reply | None = None
            wait: float | None = None
            try:
                reply = await self._exchange(url, headers, kind, policy.max_body_bytes)
            except httpx.TimeoutException as exc:
                failure = _Failure("timeout", f"{url}: timed out ({_describe(exc)})")
            except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
                failure = _Failure("connect", f"{url}: connection failed ({_describe(exc)})")
            else:
                if reply.status < 500 and reply.status != 429:
                    return reply
                failure = _Failure("http", f"{url}: HTTP {reply.status} {reply.reason}".rstrip())
                wait = _retry_after(reply.headers.get("retry-after"))
            delay = min(wait, policy.backoff_max) if wait is not None else self._backoff(retry)
            if retry == policy.retries or time.monotonic() + delay > deadline:
                if retry == policy.retries and retry:
                    failure.message += f" (gave up after {retry + 1} attempts)"
                elif retry < policy.retries:
                    failure.message += f" (no time left to retry in {delay:.1f}s)"
                if reply is None:
                    raise failure
                reply.failure = failure
                return reply
            self.stats.retries += 1
            await self._sleep(delay)
        raise AssertionError("unreachable")

    def _backoff(self, retry: int) -> float:
        policy = self.policy
        return self._rng.uniform(0.0, min(policy.backoff_max, policy.backoff_base * 2**retry))

    async def _exchange(
        self, url: httpx.URL, headers: dict[str, str], kind: FetchKind | None, limit: int, truncate: bool = False
    ) -> _Reply:
        """One GET; the body is read only for 2xx, and only if type and size pass (``truncate`` cuts instead)."""
        async with self._slot(url.host):
            self.stats.requests += 1
            async with self._client.stream("GET", url, headers=headers) as response:
                reply = _Reply(url, response.status_code, response.reason_phrase, dict(response.headers.items()))
                if not 200 <= reply.status < 300:
                    return reply
                media, _ = parse_content_type(reply.headers.get("content-type"))
                if kind is not None and not content_type_allowed(kind, media):
                    reply.failure = _Failure("content-type", f"{url}: content type {media!r} is not usable as a {kind}")
                    return reply
                declared = reply.headers.get("content-length", "").strip()
                if not truncate and declared.isdigit() and int(declared) > limit:
                    reply.failure = _Failure("too-large", f"{url}: Content-Length {declared} exceeds {limit} bytes")
                    return reply
                try:
                    reply.body = await self._read_body(response, limit, truncate)
                except _Failure as failure:
                    reply.failure = failure
                return reply

    async def _read_body(self, response: httpx.Response, limit: int, truncate: bool) -> bytes:
        url = response.request.url
        parts: list[bytes] = []
        size = 0

        def take(pieces: Iterable[bytes]) -> bool:  # True once past the limit
            nonlocal size
            for piece in pieces:
                parts.append(piece)
                size += len(piece)
                if size > limit:
                    return True
            return False

        encoding = response.headers.get("content-encoding", "")
        try:
            decoder = make_decoder(encoding)
            if response.is_stream_consumed:  # built in memory (e.g. httpx.MockTransport): httpx decoded it already
                take([response.content])
            else:
                async for raw in response.aiter_raw():
                    if take(decoder.feed(raw)):
                        break
                else:
                    take(decoder.flush())
        except ValueError as exc:
            raise _Failure("decode", f"{url}: {exc}") from None
        except DecodeErrors as exc:
            raise _Failure("decode", f"{url}: cannot decode the {encoding} body ({exc})") from None
        finally:
            self.stats.bytes += size
        if size > limit and not truncate:
            raise _Failure("too-large", f"{url}: body exceeds {limit} bytes (decoded)")
        return b"".join(parts)[:limit]

    def _gate(self, host: str) -> _HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = _HostGate(self.policy.per_host_concurrency, self.policy.per_host_delay)
        return gate

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        """Per-host semaphore, then the per-host start delay, then the global semaphore."""
        gate = self._gate(host)
        async with gate.semaphore:
            wait = gate.reserve(time.monotonic())
            if wait > 0:
                await self._sleep(wait)
            async with self._global:
                yield

    async def _check_robots(self, url: httpx.URL) -> None:
        if not self.policy.obey_robots:
            return
        rules = await self._robots.rules_for(url)
        self.stats.robots_unavailable = self._robots.unavailable
        delay = rules.crawl_delay(self.policy.user_agent)
        if delay is not None:
            gate = self._gate(url.host)
            gate.delay = max(gate.delay, min(delay, self.policy.max_crawl_delay))
        if not rules.allows(str(url), self.policy.user_agent):
            note = f" ({rules.note})" if rules.note else ""
            raise _Failure("robots", f"{url}: disallowed by {rules.robots_url}{note}")

    async def _get_robots(self, url: httpx.URL) -> tuple[int, str | None, bytes]:
        reply = await self._exchange(url, {"Accept": "text/plain, */*;q=0.5"}, None, ROBOTS_MAX_BYTES, truncate=True)
        if reply.failure is not None:
            raise RobotsUnavailable(reply.failure.message)
        return reply.status, reply.headers.get("location"), reply.body


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """``(media type, charset)`` of a Content-Type header, both lower-case; ``None`` where absent."""
    if not value:
        return None, None
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = param_value.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


def content_type_allowed(kind: FetchKind, media: str | None) -> bool:
    """Pages must be (X)HTML; feeds any text/*, XML or JSON feed type; a missing type is given the benefit."""
    if media is None:
        return True
    if kind == "page":
        return media in _PAGE_TYPES
    return media.startswith("text/") or media.endswith(("/xml", "+xml")) or media in _FEED_JSON_TYPES


def _take(result: FetchResult, reply: _Reply, etag: str | None, last_modified: str | None) -> None:
    """Copy a response's metadata into the result (a 304 keeps the caller's validators if it sends none)."""
    result.status, result.headers = reply.status, reply.headers
    result.content_type, result.charset = parse_content_type(reply.headers.get("content-type"))
    result.etag = reply.headers.get("etag")
    result.last_modified = reply.headers.get("last-modified")
    if reply.status == 304:
        result.etag = result.etag or etag
        result.last_modified = result.last_modified or last_modified


def _http_url(raw: str, *, base: httpx.URL | None = None, context: str = "") -> httpx.URL:
    try:
        url = base.join(raw) if base is not None else httpx.URL(raw)
    except (httpx.InvalidURL, ValueError) as exc:
        raise _Failure("invalid-url", f"{context}{raw!r}: not a valid URL ({exc})") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise _Failure("invalid-url", f"{context}{raw!r}: not an absolute http(s) URL")
    return url.copy_with(fragment=None)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
