"""robots.txt rules and the per-origin cache, without a network."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mahalle_news.crawl.robots import RobotsCache, RobotsRules, RobotsUnavailable

UA = "mahalle-news/0.1.0 (+https://github.com/mahalle-news/mahalle-news)"
ROBOTS = "https://news.example/robots.txt"


def test_robots_rules_match_product_token() -> None:
    body = "\ufeffUser-agent: mahalle-news\nDisallow: /search\nCrawl-delay: 3\n\nUser-agent: *\nDisallow: /\n".encode()
    rules = RobotsRules.from_response(ROBOTS, 200, body)
    assert rules.mode == "rules" and rules.note is None
    assert rules.allows("https://news.example/news/1", UA)
    assert not rules.allows("https://news.example/search?q=x", UA)
    assert not rules.allows("https://news.example/news/1", "otherbot/1.0")
    assert rules.crawl_delay(UA) == 3.0


@pytest.mark.parametrize(
    ("status", "mode", "allowed"),
    [(404, "allow-all", True), (401, "disallow-all", False), (403, "disallow-all", False), (503, "unavailable", True)],
)
def test_robots_rules_from_status(status: int, mode: str, allowed: bool) -> None:
    rules = RobotsRules.from_response(ROBOTS, status, b"User-agent: *\nDisallow: /\n")
    assert rules.mode == mode and rules.allows("https://news.example/x", UA) == allowed
    assert (rules.note is not None) == (mode != "allow-all")
    assert rules.crawl_delay(UA) is None


def _cache(answers: dict[str, tuple[int, str | None, bytes] | Exception], calls: list[str]) -> RobotsCache:
    async def get(url: httpx.URL) -> tuple[int, str | None, bytes]:
        calls.append(str(url))
        await asyncio.sleep(0.01)
        answer = answers[str(url)]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return RobotsCache(get)


def test_robots_cache_one_download_per_origin() -> None:
    calls: list[str] = []
    cache = _cache({ROBOTS: (200, None, b"User-agent: *\nDisallow: /private\n")}, calls)

    async def main() -> list[RobotsRules]:
        urls = [httpx.URL(f"https://user@news.example/{n}?q=1#f") for n in range(5)]
        return list(await asyncio.gather(*(cache.rules_for(url) for url in urls)))

    rules = asyncio.run(main())
    assert calls == [ROBOTS] and all(r is rules[0] for r in rules)


def test_robots_cache_follows_redirects() -> None:
    calls: list[str] = []
    answers: dict[str, tuple[int, str | None, bytes] | Exception] = {
        ROBOTS: (301, "https://www.news.example/robots.txt", b""),
        "https://www.news.example/robots.txt": (200, None, b"User-agent: *\nDisallow: /x\n"),
    }
    rules = asyncio.run(_cache(answers, calls).rules_for(httpx.URL("https://news.example/x")))
    assert rules.mode == "rules" and not rules.allows("https://news.example/x", UA)
    assert len(calls) == 2


@pytest.mark.parametrize(
    "answer",
    [
        httpx.ConnectTimeout("timed out"),
        httpx.ConnectError("refused"),
        RobotsUnavailable("bad gzip"),
        (302, "/robots.txt", b""),  # redirect loop
        (302, "ftp://news.example/robots.txt", b""),
    ],
)
def test_robots_cache_unavailable_allows(answer: tuple[int, str | None, bytes] | Exception) -> None:
    cache = _cache({ROBOTS: answer}, [])
    rules = asyncio.run(cache.rules_for(httpx.URL("https://news.example/a")))
    assert rules.mode == "unavailable" and rules.allows("https://news.example/a", UA)
    assert rules.note is not None and ROBOTS in rules.note and cache.unavailable == 1
