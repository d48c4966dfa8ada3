from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from mahalle_news.crawl.localweb import LocalWeb, path_on_disk

DEMO = Path(__file__).resolve().parents[2] / "corpus/demo_site"


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("mehr.demo", "/news/6200101?utm_source=rss", "mehr.demo/news/6200101/index.html"),
        ("irna.demo", "/rss/latest.xml", "irna.demo/rss/latest.xml"),
        ("isna.demo", "/", "isna.demo/index.html"),
        ("isna.demo", "/../../pyproject.toml", None),
        ("nowhere.demo", "/", None),
    ],
)
def test_localweb_path_on_disk(host: str, path: str, expected: str | None) -> None:
    found = path_on_disk(DEMO, host, path)
    assert (found.relative_to(DEMO.resolve()).as_posix() if found else None) == expected


def test_localweb_serves_hosts_with_conditional_get() -> None:
    async def run(web: LocalWeb) -> list[int]:
        async with httpx.AsyncClient(transport=web.transport()) as client:
            first = await client.get("https://irna.demo/rss/latest.xml")
            assert first.headers["content-type"] == "application/rss+xml"
            again = await client.get(
                "https://irna.demo/rss/latest.xml", headers={"If-None-Match": first.headers["etag"]}
            )
            page = await client.get("https://farsnews.demo/news/14031004000104")
            missing = await client.get("https://yjc.demo/news/9200101")
            with pytest.raises(httpx.ConnectError):
                await client.get("https://example.com/")
            assert "windows-1256" in page.headers["content-type"]
            return [first.status_code, again.status_code, page.status_code, missing.status_code]

    with LocalWeb(DEMO) as web:
        assert asyncio.run(run(web)) == [200, 304, 200, 404]
