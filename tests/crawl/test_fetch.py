"""The polite fetcher against a real local HTTP server (pytest-httpserver) and, for pure logic, httpx.MockTransport."""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator
from functools import cache
from typing import Any

import brotli
import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from mahalle_news import __version__
from mahalle_news.crawl.fetch import (
    DEFAULT_USER_AGENT,
    ERROR_KINDS,
    Fetcher,
    FetchKind,
    FetchPolicy,
    FetchResult,
    FetchStats,
    content_type_allowed,
    parse_content_type,
)

POLICY = FetchPolicy(connect_timeout=2.0, read_timeout=2.0, total_timeout=15.0)
PAGE = "<html><head><title>خبر</title></head><body><p>نوسازی محله‌های هدف بازآفرینی شهری</p></body></html>"
LIMIT = POLICY.max_body_bytes


class Sleeps:
    """Stand-in for asyncio.sleep that records the requested delays and does not wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(0)


def run_fetch(
    url: str,
    policy: FetchPolicy = POLICY,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    proxy: str | None = None,
    **kwargs: Any,
) -> tuple[FetchResult, FetchStats, list[float]]:
    """One fetch with a fresh Fetcher; returns the result, the fetcher's stats and the (fake) sleeps."""
    sleeps = Sleeps()

    async def main() -> tuple[FetchResult, FetchStats]:
        async with Fetcher(policy, transport=transport, proxy=proxy, sleep=sleeps, rng=random.Random(1)) as fetcher:
            return await fetcher.fetch(url, **kwargs), fetcher.stats

    result, stats = asyncio.run(main())
    assert result.error_kind in (None, *ERROR_KINDS)
    assert result.ok == (result.error is None)
    return result, stats, sleeps.calls


def run_many(
    urls: list[str], policy: FetchPolicy, *, transport: httpx.AsyncBaseTransport | None = None
) -> list[FetchResult]:
    async def main() -> list[FetchResult]:
        async with Fetcher(policy, transport=transport) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(url) for url in urls)))

    return asyncio.run(main())


def paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def mock_site(handler: Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]) -> httpx.MockTransport:
    """A MockTransport whose robots.txt is 404 and every other request goes to ``handler``."""

    async def route(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        answer = handler(request)
        return await answer if isinstance(answer, Awaitable) else answer

    return httpx.MockTransport(route)


@pytest.fixture
def site(httpserver: HTTPServer) -> HTTPServer:
    """The local server with no robots.txt (404): everything may be crawled."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver


@cache
def gzip_bomb(megabytes: int = 128) -> bytes:
    """A valid gzip stream of ``megabytes`` MiB of zeros in ~130 KB, built fast from identical full-flush blocks."""
    block = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(block, crc)
    final_empty_block = b"\x03\x00"
    return first + again * (megabytes - 1) + final_empty_block + struct.pack("<II", crc, (megabytes << 20) % 2**32)


@cache
def brotli_bomb(megabytes: int = 128) -> bytes:
    compressor = brotli.Compressor(quality=5)
    block = bytes(1 << 20)
    pieces: list[bytes] = [compressor.process(block) for _ in range(megabytes)]
    return b"".join(pieces) + bytes(compressor.finish())


# ---------------------------------------------------------------------------------------------- plain responses


def test_fetch_html_page(site: HTTPServer) -> None:
    site.expect_request("/news/1").respond_with_data(
        PAGE, content_type="text/html; charset=UTF-8", headers={"ETag": '"abc"', "X-Custom": "1"}
    )
    result, stats, _ = run_fetch(site.url_for("/news/1"))
    assert result.ok and result.error_kind is None
    assert result.status == 200 and result.attempts == 1
    assert result.body.decode() == PAGE
    assert (result.content_type, result.charset, result.etag) == ("text/html", "utf-8", '"abc"')
    assert result.final_url == result.url == site.url_for("/news/1")
    assert result.headers["x-custom"] == "1" and all(name == name.lower() for name in result.headers)
    assert stats.requests == 2 and stats.bytes == len(PAGE.encode())  # robots.txt + the page


def test_fetch_user_agent_and_encodings_sent(site: HTTPServer) -> None:
    site.expect_request("/ua").respond_with_data(PAGE, content_type="text/html")
    run_fetch(site.url_for("/ua"))
    request = next(request for request, _ in site.log if request.path == "/ua")
    assert request.headers["User-Agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith(f"mahalle-news/{__version__} (+https://github.com/mahalle-news/")
    assert request.headers["Accept-Encoding"] == "gzip, deflate, br"
    assert "text/html" in request.headers["Accept"]


@pytest.mark.parametrize("status", [400, 404, 410])
def test_fetch_4xx_not_retried(site: HTTPServer, status: int) -> None:
    site.expect_request("/missing").respond_with_data("nope", status=status, content_type="text/html")
    result, stats, sleeps = run_fetch(site.url_for("/missing"))
    assert (result.ok, result.error_kind, result.status, result.attempts) == (False, "http", status, 1)
    assert site.url_for("/missing") in (result.error or "") and str(status) in (result.error or "")
    assert result.body == b"" and sleeps == [] and stats.retries == 0
    assert paths(site).count("/missing") == 1
    assert stats.errors_by_kind == {"http": 1}


def test_fetch_500_then_200_is_retried(site: HTTPServer) -> None:
    site.expect_oneshot_request("/flaky").respond_with_data("down", status=500)
    site.expect_request("/flaky").respond_with_data(PAGE, content_type="text/html")
    result, stats, sleeps = run_fetch(site.url_for("/flaky"))
    assert result.ok and result.status == 200 and result.attempts == 2
    assert len(sleeps) == 1 and stats.retries == 1
    assert paths(site).count("/flaky") == 2


def test_fetch_500_forever_gives_up(site: HTTPServer) -> None:
    site.expect_request("/down").respond_with_data("down", status=503)
    result, stats, sleeps = run_fetch(site.url_for("/down"))
    assert (result.error_kind, result.status, result.attempts) == ("http", 503, POLICY.retries + 1)
    assert "gave up after 4 attempts" in (result.error or "")
    assert len(sleeps) == POLICY.retries and stats.retries == POLICY.retries
    assert paths(site).count("/down") == POLICY.retries + 1


@pytest.mark.parametrize(("retry_after", "expected_sleep"), [("7", 7.0), ("3600", POLICY.backoff_max)])
def test_fetch_429_honours_retry_after(site: HTTPServer, retry_after: str, expected_sleep: float) -> None:
    site.expect_oneshot_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": retry_after}
    )
    site.expect_request("/busy").respond_with_data(PAGE, content_type="text/html")
    policy = FetchPolicy(total_timeout=3600.0 * 2)
    result, _, sleeps = run_fetch(site.url_for("/busy"), policy)
    assert result.ok and result.attempts == 2
    assert sleeps == [expected_sleep]


def test_fetch_read_timeout(site: HTTPServer) -> None:
    release = threading.Event()
    done = threading.Semaphore(0)

    def slow(_: Request) -> Response:
        release.wait(timeout=5.0)  # far longer than the read timeout
        done.release()
        return Response(PAGE, content_type="text/html")

    site.expect_request("/slow").respond_with_handler(slow)
    policy = FetchPolicy(read_timeout=0.1, retries=1)
    started = time.monotonic()
    result, stats, sleeps = run_fetch(site.url_for("/slow"), policy)
    elapsed = time.monotonic() - started
    release.set()  # let the abandoned handlers finish now, inside this test
    assert all(done.acquire(timeout=5.0) for _ in range(2))
    assert (result.error_kind, result.status, result.attempts) == ("timeout", None, 2)
    assert "timed out" in (result.error or "") and len(sleeps) == 1
    assert elapsed < 2.0
    assert stats.errors_by_kind == {"timeout": 1}


def test_fetch_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/news"
    result, stats, sleeps = run_fetch(url)
    assert (result.error_kind, result.status, result.attempts) == ("connect", None, POLICY.retries + 1)
    assert url in (result.error or "") and len(sleeps) == POLICY.retries
    assert stats.robots_unavailable == 1  # robots.txt could not be read: allowed, but counted


# ------------------------------------------------------------------------------------------------- redirects


def test_fetch_redirect_chain(site: HTTPServer) -> None:
    site.expect_request("/a").respond_with_data("", status=301, headers={"Location": "/b"})
    site.expect_request("/b").respond_with_data("", status=302, headers={"Location": site.url_for("/c")})
    site.expect_request("/c").respond_with_data("", status=307, headers={"Location": "d#fragment"})
    site.expect_request("/d").respond_with_data(PAGE, content_type="text/html")
    result, _, _ = run_fetch(site.url_for("/a"))
    assert result.ok and result.status == 200 and result.body.decode() == PAGE
    assert result.url == site.url_for("/a") and result.final_url == site.url_for("/d")
    assert result.attempts == 4
    assert [p for p in paths(site) if p in ("/a", "/b", "/c", "/d")] == ["/a", "/b", "/c", "/d"]


def test_fetch_redirect_loop(site: HTTPServer) -> None:
    site.expect_request("/loop1").respond_with_data("", status=302, headers={"Location": "/loop2"})
    site.expect_request("/loop2").respond_with_data("", status=302, headers={"Location": "/loop1"})
    result, _, _ = run_fetch(site.url_for("/loop1"))
    assert (result.error_kind, result.status) == ("redirect-loop", 302)
    assert "loop" in (result.error or "") and paths(site).count("/loop1") == 1


@pytest.mark.parametrize(("hops", "expected_kind"), [(5, None), (6, "too-many-redirects")])
def test_fetch_too_many_redirects(site: HTTPServer, hops: int, expected_kind: str | None) -> None:
    for n in range(hops):
        site.expect_request(f"/hop{n}").respond_with_data("", status=301, headers={"Location": f"/hop{n + 1}"})
    site.expect_request(f"/hop{hops}").respond_with_data(PAGE, content_type="text/html")
    result, _, _ = run_fetch(site.url_for("/hop0"))
    assert result.error_kind == expected_kind
    assert len([p for p in paths(site) if p.startswith("/hop")]) == min(hops, POLICY.max_redirects) + 1


def test_fetch_redirect_to_non_http_url(site: HTTPServer) -> None:
    site.expect_request("/ftp").respond_with_data("", status=302, headers={"Location": "ftp://example.org/x"})
    result, _, _ = run_fetch(site.url_for("/ftp"))
    assert result.error_kind == "invalid-url" and "ftp://example.org/x" in (result.error or "")


# ------------------------------------------------------------------------------------------ sizes and codings


def _endless_zeros(megabytes: int) -> Iterator[bytes]:
    chunk = bytes(64 * 1024)
    for _ in range(megabytes * 16):
        yield chunk


@pytest.mark.parametrize("declared", [False, True], ids=["streamed", "content-length"])
def test_fetch_50mb_body_too_large(site: HTTPServer, declared: bool) -> None:
    size = 50 * 1024 * 1024
    headers = {"Content-Length": str(size)} if declared else {}
    site.expect_request("/big").respond_with_response(
        Response(_endless_zeros(50), content_type="text/html", headers=headers, direct_passthrough=True)
    )
    started = time.monotonic()
    result, stats, _ = run_fetch(site.url_for("/big"))
    assert (result.error_kind, result.status, result.body) == ("too-large", 200, b"")
    assert time.monotonic() - started < 5.0
    assert stats.bytes <= LIMIT + 64 * 1024  # stopped at the limit, not after 50 MB
    assert (stats.bytes == 0) == declared


@pytest.mark.parametrize(("encoding", "bomb"), [("gzip", gzip_bomb), ("br", brotli_bomb)])
def test_fetch_compression_bomb_too_large(site: HTTPServer, encoding: str, bomb: Callable[[], bytes]) -> None:
    payload = bomb()
    assert len(payload) < 200_000  # 128 MiB once decoded
    site.expect_request("/bomb").respond_with_data(
        payload, content_type="text/html", headers={"Content-Encoding": encoding}
    )
    started = time.monotonic()
    result, stats, _ = run_fetch(site.url_for("/bomb"))
    assert result.error_kind == "too-large" and "decoded" in (result.error or "")
    assert stats.bytes <= LIMIT + 128 * 1024
    assert time.monotonic() - started < 5.0


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", lambda data: zlib.compress(data, wbits=31)),
        ("deflate", zlib.compress),
        ("deflate", _raw_deflate),
        ("br", brotli.compress),
        ("identity", lambda data: data),
    ],
    ids=["gzip", "deflate", "raw-deflate", "br", "identity"],
)
def test_fetch_compressed_body_decoded(site: HTTPServer, encoding: str, encode: Callable[[bytes], bytes]) -> None:
    body = (PAGE * 200).encode()
    site.expect_request("/coded").respond_with_data(
        encode(body), content_type="text/html; charset=utf-8", headers={"Content-Encoding": encoding}
    )
    result, stats, _ = run_fetch(site.url_for("/coded"))
    assert result.ok and result.body == body and stats.bytes == len(body)


def test_fetch_corrupt_gzip_is_decode_error(site: HTTPServer) -> None:
    site.expect_request("/bad").respond_with_data(
        b"not gzip at all", content_type="text/html", headers={"Content-Encoding": "gzip"}
    )
    result, _, _ = run_fetch(site.url_for("/bad"))
    assert result.error_kind == "decode" and result.body == b""


# --------------------------------------------------------------------------------------- conditional requests


LAST_MODIFIED = "Sat, 01 Mar 2025 08:00:00 GMT"


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_fetch_conditional_get_not_modified(site: HTTPServer, validator: str) -> None:
    def feed(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"' or request.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(
            "<rss/>", content_type="application/rss+xml", headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED}
        )

    site.expect_request("/feed.xml").respond_with_handler(feed)
    first, _, _ = run_fetch(site.url_for("/feed.xml"), kind="feed")
    assert first.ok and not first.not_modified and first.body == b"<rss/>"
    assert (first.etag, first.last_modified) == ('"v1"', LAST_MODIFIED)
    validators: dict[str, Any] = {"etag": first.etag} if validator == "etag" else {"last_modified": first.last_modified}
    second, stats, _ = run_fetch(site.url_for("/feed.xml"), kind="feed", **validators)
    assert second.ok and second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == '"v1"' and stats.not_modified == 1
    if validator == "last_modified":
        assert second.last_modified == LAST_MODIFIED  # kept from the request when the 304 does not repeat it


# --------------------------------------------------------------------------------------------------- robots.txt


@pytest.mark.parametrize(
    ("robots", "path", "allowed"),
    [
        ("User-agent: *\nDisallow: /private\n", "/private/news", False),
        ("User-agent: *\nDisallow: /private\n", "/public/news", True),
        ("User-agent: mahalle-news\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "/public/news", False),
        ("User-agent: googlebot\nDisallow: /\n", "/public/news", True),
        ("User-agent: *\nDisallow: /خبر\n", "/خبر/۱", False),
    ],
)
def test_fetch_robots_rules(httpserver: HTTPServer, robots: str, path: str, allowed: bool) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data(robots, content_type="text/plain")
    httpserver.expect_request(path).respond_with_data(PAGE, content_type="text/html")
    result, _, _ = run_fetch(httpserver.url_for(path))
    assert result.ok == allowed
    if not allowed:
        assert result.error_kind == "robots" and "robots.txt" in (result.error or "")
        assert result.attempts == 0 and path not in paths(httpserver)  # the page was never requested


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (410, True), (401, False), (403, False), (500, True)])
def test_fetch_robots_status(httpserver: HTTPServer, status: int, allowed: bool) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /\n", status=status)
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    result, stats, _ = run_fetch(httpserver.url_for("/page"))
    assert result.ok == allowed and result.error_kind == (None if allowed else "robots")
    assert stats.robots_unavailable == (1 if status >= 500 else 0)


def test_fetch_robots_fetched_once_per_origin(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private\n")
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    urls = [httpserver.url_for(f"/page?n={n}") for n in range(6)] + [httpserver.url_for("/private/x")]
    results = run_many(urls, POLICY)
    assert [r.ok for r in results] == [True] * 6 + [False]
    assert paths(httpserver).count("/robots.txt") == 1


def test_fetch_robots_checked_on_redirect_hop(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private\n")
    httpserver.expect_request("/go").respond_with_data("", status=302, headers={"Location": "/private/x"})
    result, _, _ = run_fetch(httpserver.url_for("/go"))
    assert result.error_kind == "robots" and result.final_url == httpserver.url_for("/private/x")
    assert "/private/x" not in paths(httpserver)


def test_fetch_robots_crawl_delay_spaces_requests() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nCrawl-delay: 2\n")
        return httpx.Response(200, html=PAGE)

    sleeps = Sleeps()

    async def main() -> None:
        async with Fetcher(POLICY, transport=httpx.MockTransport(handler), sleep=sleeps) as fetcher:
            await fetcher.fetch("http://news.example/1")
            await fetcher.fetch("http://news.example/2")

    asyncio.run(main())
    assert len(sleeps.calls) == 1 and 1.5 < sleeps.calls[0] <= 2.0


# ----------------------------------------------------------------------------------------------- content types


def test_fetch_wrong_content_type(site: HTTPServer) -> None:
    site.expect_request("/logo").respond_with_data(b"\x89PNG\r\n\x1a\n", content_type="image/png")
    result, stats, _ = run_fetch(site.url_for("/logo"))
    assert (result.error_kind, result.status, result.content_type) == ("content-type", 200, "image/png")
    assert "image/png" in (result.error or "") and result.body == b"" and stats.bytes == 0


@pytest.mark.parametrize(
    ("kind", "content_type", "allowed"),
    [
        ("page", "text/html; charset=windows-1256", True),
        ("page", "application/xhtml+xml", True),
        ("page", None, True),
        ("page", "application/rss+xml", False),
        ("page", "application/pdf", False),
        ("feed", "application/rss+xml; charset=utf-8", True),
        ("feed", "application/atom+xml", True),
        ("feed", "application/rdf+xml", True),
        ("feed", "text/xml", True),
        ("feed", "application/xml", True),
        ("feed", "text/html", True),
        ("feed", "text/plain", True),
        ("feed", None, True),
        ("feed", "image/jpeg", False),
        ("feed", "video/mp4", False),
        ("feed", "application/pdf", False),
        ("feed", "application/octet-stream", False),
    ],
)
def test_fetch_content_type_rules(kind: FetchKind, content_type: str | None, allowed: bool) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    transport = mock_site(lambda _: httpx.Response(200, content=b"<x/>", headers=headers))
    result, _, _ = run_fetch("http://news.example/x", transport=transport, kind=kind)
    assert result.ok == allowed and result.error_kind == (None if allowed else "content-type")
    assert content_type_allowed(kind, parse_content_type(content_type)[0]) == allowed


def test_fetch_parse_content_type() -> None:
    assert parse_content_type('Text/HTML; Charset="Windows-1256"') == ("text/html", "windows-1256")
    assert parse_content_type("application/rss+xml") == ("application/rss+xml", None)
    assert parse_content_type("") == (None, None) and parse_content_type(None) == (None, None)


# -------------------------------------------------------------------------------------------------- politeness


def test_fetch_per_host_concurrency(site: HTTPServer) -> None:
    lock = threading.Lock()
    in_flight = {"now": 0, "max": 0}

    def slow(_: Request) -> Response:
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        time.sleep(0.1)
        with lock:
            in_flight["now"] -= 1
        return Response(PAGE, content_type="text/html")

    site.expect_request("/slow").respond_with_handler(slow)
    results = run_many([site.url_for(f"/slow?n={n}") for n in range(8)], FetchPolicy(per_host_concurrency=2))
    assert all(r.ok for r in results)
    assert in_flight["max"] == 2


def test_fetch_global_concurrency() -> None:
    in_flight = {"now": 0, "max": 0}

    async def slow(_: httpx.Request) -> httpx.Response:
        in_flight["now"] += 1
        in_flight["max"] = max(in_flight["max"], in_flight["now"])
        await asyncio.sleep(0.02)
        in_flight["now"] -= 1
        return httpx.Response(200, html=PAGE)

    urls = [f"http://host{h}.example/{n}" for h in range(4) for n in range(3)]
    policy = FetchPolicy(global_concurrency=3, per_host_concurrency=2, obey_robots=False)
    results = run_many(urls, policy, transport=httpx.MockTransport(slow))
    assert all(r.ok for r in results) and in_flight["max"] == 3


def test_fetch_per_host_delay() -> None:
    """Simultaneous fetches: each host's starts are booked 0.05 s apart, and hosts do not wait for each other."""
    booked: list[tuple[float, float]] = []  # (wait asked, the start time it leads to)

    async def sleep(seconds: float) -> None:
        booked.append((seconds, time.monotonic() + seconds))

    async def main() -> None:
        policy = FetchPolicy(per_host_delay=0.05, obey_robots=False)
        transport = httpx.MockTransport(lambda _: httpx.Response(200, html=PAGE))
        async with Fetcher(policy, transport=transport, sleep=sleep) as fetcher:
            urls = [f"http://{host}/{n}" for host in ("a.example", "b.example") for n in range(3)]
            results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
        assert all(result.ok for result in results)

    asyncio.run(main())
    # tasks reach the gate in order: a2, a3, b2, b3 wait; a1 and b1 go at once
    assert len(booked) == 4 and all(wait <= 0.05 for wait, _ in (booked[0], booked[2]))
    for second, third in ((booked[0], booked[1]), (booked[2], booked[3])):
        assert third[0] <= 0.1 and third[1] - second[1] == pytest.approx(0.05, abs=0.005)


# ------------------------------------------------------------------------------------- backoff, deadline, URLs


def test_fetch_backoff_schedule_full_jitter() -> None:
    policy = FetchPolicy(retries=5, backoff_base=1.0, backoff_max=6.0)
    transport = mock_site(lambda _: httpx.Response(503))
    sleeps = Sleeps()

    async def main() -> FetchResult:
        async with Fetcher(policy, transport=transport, sleep=sleeps, rng=random.Random(42)) as fetcher:
            return await fetcher.fetch("http://news.example/x")

    result = asyncio.run(main())
    assert result.error_kind == "http" and result.attempts == 6
    caps = [1.0, 2.0, 4.0, 6.0, 6.0]  # base * 2**n, capped at backoff_max
    reference = random.Random(42)
    assert sleeps.calls == [reference.uniform(0.0, cap) for cap in caps]
    assert all(0.0 <= wait <= cap for wait, cap in zip(sleeps.calls, caps, strict=True))


def test_fetch_retry_given_up_when_deadline_would_pass() -> None:
    transport = mock_site(lambda _: httpx.Response(503, headers={"Retry-After": "20"}))
    result, _, sleeps = run_fetch("http://news.example/x", FetchPolicy(total_timeout=5.0), transport=transport)
    assert (result.error_kind, result.attempts, sleeps) == ("http", 1, [])
    assert "no time left" in (result.error or "")


def test_fetch_total_deadline() -> None:
    async def hang(_: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, html=PAGE)

    started = time.monotonic()
    result, _, _ = run_fetch("http://news.example/x", FetchPolicy(total_timeout=0.2), transport=mock_site(hang))
    assert result.error_kind == "timeout" and "total deadline" in (result.error or "")
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    "url", ["example.com/news", "ftp://example.com/feed", "", "http://", "javascript:alert(1)", "mailto:a@b.ir"]
)
def test_fetch_invalid_url(url: str) -> None:
    transport = mock_site(lambda _: httpx.Response(200, html=PAGE))
    result, stats, _ = run_fetch(url, transport=transport)
    assert (result.error_kind, result.attempts, stats.requests) == ("invalid-url", 0, 0)
    assert repr(url) in (result.error or "")


def test_fetch_through_proxy(site: HTTPServer) -> None:
    site.expect_request("/feed.xml").respond_with_data("<rss/>", content_type="application/rss+xml")
    result, _, _ = run_fetch("http://news.demo/feed.xml", proxy=site.url_for("/"), kind="feed")
    assert result.ok and result.body == b"<rss/>" and result.final_url == "http://news.demo/feed.xml"
    assert {request.host for request, _ in site.log if request.path in ("/feed.xml", "/robots.txt")} == {"news.demo"}
