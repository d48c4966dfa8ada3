"""robots.txt rules for the fetcher: text parsed by :mod:`urllib.robotparser`, HTTP status mapped to a policy.

Status conventions: 2xx → the parsed rules; 401/403 → everything disallowed; any other 4xx → everything allowed;
5xx, timeouts, connection failures and redirect trouble → everything allowed, with a note saying why.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal
from urllib.robotparser import RobotFileParser

import httpx

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024
"""Only this much of a robots.txt is read (RFC 9309 asks parsers to handle at least 500 KiB)."""

RobotsMode = Literal["rules", "allow-all", "disallow-all", "unavailable"]


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt says; ``unavailable`` behaves like ``allow-all`` but is worth reporting."""

    robots_url: str
    mode: RobotsMode
    parser: RobotFileParser | None = None
    note: str | None = None

    @classmethod
    def from_response(cls, robots_url: str, status: int, body: bytes) -> RobotsRules:
        """Rules for a robots.txt answered with ``status`` and (decoded) ``body``."""
        if 200 <= status < 300:
            parser = RobotFileParser(robots_url)
            parser.parse(body.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines())
            return cls(robots_url, "rules", parser)
        if status in (401, 403):
            return cls(robots_url, "disallow-all", note=f"robots.txt answered HTTP {status}, so the site is off limits")
        if 400 <= status < 500:
            return cls(robots_url, "allow-all")
        return cls.unavailable_because(robots_url, f"HTTP {status}")

    @classmethod
    def unavailable_because(cls, robots_url: str, reason: str) -> RobotsRules:
        """Allow-all rules for a robots.txt that could not be read (server error, timeout, ...)."""
        return cls(robots_url, "unavailable", note=f"{robots_url} unavailable ({reason}); crawling allowed")

    def allows(self, url: str, user_agent: str) -> bool:
        """Whether ``user_agent`` may fetch ``url`` (the agent's product token before ``/`` is what is matched)."""
        if self.mode == "disallow-all":
            return False
        if self.parser is None:
            return True
        return self.parser.can_fetch(user_agent, url)

    def crawl_delay(self, user_agent: str) -> float | None:
        """The Crawl-delay for ``user_agent`` in seconds, if the file sets a usable one."""
        if self.parser is None:
            return None
        value = self.parser.crawl_delay(user_agent)
        try:
            delay = float(value) if value is not None else None
        except (TypeError, ValueError):
            return None
        return delay if delay is not None and delay > 0 else None


class RobotsUnavailable(Exception):
    """Raised by a :data:`RobotsGet` when an answer came but its body was unusable (e.g. bad encoding)."""


RobotsGet = Callable[[httpx.URL], Awaitable[tuple[int, str | None, bytes]]]
"""One GET of a robots.txt URL → ``(status, Location header, body)``; may raise httpx errors."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class RobotsCache:
    """robots.txt rules per origin (scheme, host, port), fetched once through ``get`` and kept for ``ttl`` seconds.

    Concurrent callers for one origin share a single download; redirects are followed up to five hops.
    """

    def __init__(self, get: RobotsGet, *, ttl: float = 24 * 3600.0, max_hops: int = 5) -> None:
        self._get = get
        self._ttl = ttl
        self._max_hops = max_hops
        self._rules: dict[str, tuple[float, RobotsRules]] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.unavailable = 0  # robots.txt files that could not be read and were taken as allow-all

    async def rules_for(self, url: httpx.URL) -> RobotsRules:
        """The rules governing ``url``, downloading its origin's robots.txt when not cached."""
        robots_url = str(url.copy_with(path="/robots.txt", query=None, fragment=None, userinfo=b""))
        async with self._locks.setdefault(robots_url, asyncio.Lock()):
            cached = self._rules.get(robots_url)
            if cached is None or time.monotonic() - cached[0] > self._ttl:
                rules = await self._load(robots_url)
                if rules.mode == "unavailable":
                    self.unavailable += 1
                    log.warning("%s", rules.note)
                cached = self._rules[robots_url] = (time.monotonic(), rules)
        return cached[1]

    async def _load(self, robots_url: str) -> RobotsRules:
        target = httpx.URL(robots_url)
        seen = {robots_url}
        for _ in range(self._max_hops + 1):
            try:
                status, location, body = await self._get(target)
            except (httpx.HTTPError, RobotsUnavailable) as exc:
                return RobotsRules.unavailable_because(robots_url, str(exc) or type(exc).__name__)
            if status not in _REDIRECTS or not location:
                return RobotsRules.from_response(robots_url, status, body)
            try:
                target = target.join(location)
            except httpx.InvalidURL:
                return RobotsRules.unavailable_because(robots_url, f"redirect to invalid URL {location!r}")
            if target.scheme not in ("http", "https") or str(target) in seen:
                return RobotsRules.unavailable_because(robots_url, f"bad redirect to {location!r}")
            seen.add(str(target))
        return RobotsRules.unavailable_because(robots_url, "too many redirects")
