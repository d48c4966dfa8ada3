"""A synthetic local news web for the crawl benchmark, and the HTTP server that serves it in its own process.

``build_site`` writes ``<root>/<host>/…`` folders (the layout :class:`mahalle_news.crawl.localweb.LocalWeb` serves):
``feeds`` RSS 2.0 feeds of ``items`` items each, spread round-robin over ``hosts`` hosts (``h00.bench`` …), and one
article page per item. Pages are real demo-site pages (``corpus/demo_site``, layouts A–D) whose title carries the
item number and whose main text is the template's dateline paragraph plus five paragraphs drawn (seeded by the
item number) from our own corpora, so every page is a distinct story and extraction does real work.

``LocalNewsServer`` runs the server in a child process, so its CPU time is not counted in the crawler's:

- ``asyncio`` (default): every file in memory, gzip precomputed, HTTP/1.1 keep-alive; it answers origin-form
  requests by their ``Host`` header (our fetcher's ``LocalTransport``) and absolute-form requests by the URL's host
  (urllib through an HTTP proxy: how ``feedparser.parse(url)`` reaches ``http://h07.bench/…`` without DNS).
- ``localweb``: the project's own ``LocalWeb`` (``ThreadingHTTPServer``, file read and gzip per request).

    python benchmarks/_localnews.py serve ROOT [--impl asyncio|localweb] [--latency-ms 0]
    # prints the port and the number of URLs, then serves until stdin closes
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import email.utils
import gzip
import hashlib
import html
import json
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "corpus" / "demo_site"
_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_MARK = "\x00TITLE\x00"
# the main-text container of each demo layout (manifest "layouts"): the opening tag that starts it
_CONTAINERS = {
    "A": '<div class="item-text"',
    "A-mobile": '<div class="item-text"',
    "B": '<div class="body"',
    "C": '<div class="news-text"',
    "D": '<div class="story"',
}
_PARAGRAPH = re.compile(r"<p[^>]*>.*?</p>", re.DOTALL)


def fa(number: int) -> str:
    """``number`` in Persian digits."""
    return str(number).translate(_FA_DIGITS)


@dataclass(frozen=True)
class Template:
    layout: str
    title: str
    head: str  # HTML up to the main container's first <p>, the title replaced by _MARK
    tail: str  # HTML after its last </p>
    p_open: str  # the container's own <p …> tag
    dateline: str  # first paragraph (as HTML)
    lead: str
    province: str


@dataclass(frozen=True)
class Site:
    root: Path
    hosts: list[str]
    feeds: list[str]  # feed URLs, in order
    pages: int
    page_bytes: int
    feed_bytes: int
    layouts: dict[str, int]  # pages per demo layout

    def file(self, url: str) -> Path:
        """The file on disk that serves ``url`` (``http://host/path``, no query)."""
        split = urlsplit(url)
        path = self.root / (split.hostname or "") / split.path.lstrip("/")
        return path if "." in path.name else path / "index.html"


def templates() -> list[Template]:
    """Every UTF-8 article page of the demo site whose main container holds only <p> elements."""
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    out: list[Template] = []
    for article in manifest["articles"]:
        if article["status"] != 200 or article["encoding"] != "utf-8" or article["layout"] not in _CONTAINERS:
            continue
        page = (DEMO / article["file"]).read_text(encoding="utf-8")
        start = page.find(_CONTAINERS[article["layout"]])
        if start < 0:
            continue
        start = page.index(">", start) + 1
        end = page.index("</div>", start)
        paragraphs = _PARAGRAPH.findall(page[start:end])
        if not paragraphs or _PARAGRAPH.sub("", page[start:end]).strip():
            continue
        title = article["title"]
        head, tail = page[:start] + "\n", "\n" + page[end:]
        head, tail = (part.replace(html.escape(title), _MARK).replace(title, _MARK) for part in (head, tail))
        p_open = paragraphs[0][: paragraphs[0].index(">") + 1]
        lead = article.get("lead") or article["text"].splitlines()[0]
        out.append(
            Template(article["layout"], title, head, tail, p_open, paragraphs[0], lead, article["province"] or "")
        )
    if len({t.layout.removesuffix("-mobile") for t in out}) < 4:
        raise SystemExit(f"{DEMO}: expected article pages in all four layouts A-D")
    return out


def paragraph_pool() -> list[str]:
    """Paragraphs (≥ 60 characters) of our own written articles (corpus/gold, corpus/classifier)."""
    from _corpus import corpus_articles

    pool = sorted({line.strip() for text in corpus_articles() for line in text.splitlines() if len(line.strip()) >= 60})
    if len(pool) < 100:
        raise SystemExit("too few corpus paragraphs to build distinct pages")
    return pool


def _rss_date(when: dt.datetime) -> str:
    return email.utils.format_datetime(when)


def build_site(root: Path, *, feeds: int, items: int, hosts: int, seed: int = 1405) -> Site:
    """Write the feeds, pages and robots.txt files under ``root`` (deterministic for the same arguments)."""
    tpls = templates()
    pool = paragraph_pool()
    iran = dt.timezone(dt.timedelta(hours=3, minutes=30))
    newest = dt.datetime(2025, 6, 1, 12, 0, tzinfo=iran)
    host_names = [f"h{h:02d}.bench" for h in range(hosts)]
    provinces = sorted({t.province for t in tpls if t.province})
    for host in host_names:
        (root / host / "rss").mkdir(parents=True)
        (root / host / "robots.txt").write_text("User-agent: *\nDisallow:\n", encoding="utf-8")
    feed_urls: list[str] = []
    page_bytes = feed_bytes = 0
    layouts: dict[str, int] = {}
    for f in range(feeds):
        host = host_names[f % hosts]
        feed_path = f"/rss/{f // hosts}.xml"
        feed_url = f"http://{host}{feed_path}"
        feed_title = f"خبرگزاری آزمایشی {fa(f % hosts)} - اخبار استان {provinces[f % len(provinces)]}"
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
            f"<title>{feed_title}</title>\n<link>http://{host}/</link>\n"
            f"<description>{feed_title} (benchmark)</description>\n<language>fa-IR</language>\n"
            f"<lastBuildDate>{_rss_date(newest)}</lastBuildDate>\n"
        ]
        for j in range(items):
            n = f * items + j
            tpl = tpls[n % len(tpls)]
            layouts[tpl.layout] = layouts.get(tpl.layout, 0) + 1
            rng = random.Random(seed * 1_000_003 + n)
            news_id = 8_000_000 + n
            url = f"http://{host}/news/{news_id}"
            title = html.escape(f"{tpl.title} ({fa(n)})")
            body = "\n".join(
                [tpl.dateline] + [f"{tpl.p_open}{html.escape(p, quote=False)}</p>" for p in rng.sample(pool, 5)]
            )
            page = (tpl.head + body + tpl.tail).replace(_MARK, title).encode("utf-8")
            folder = root / host / "news" / str(news_id)
            folder.mkdir(parents=True)
            (folder / "index.html").write_bytes(page)
            page_bytes += len(page)
            published = newest - dt.timedelta(minutes=60 * j + (7 * f) % 60)  # item j is j hours old
            parts.append(
                f"<item>\n<title>{title}</title>\n<link>{url}</link>\n"
                f'<description><![CDATA[<p><img src="http://{host}/img/{news_id}.jpg" alt="{title}" '
                f'align="right" width="120" /></p><p>{html.escape(tpl.lead, quote=False)}</p>]]></description>\n'
                + (f"<category>{tpl.province}</category>\n" if tpl.province else "")
                + f"<category>استان‌ها</category>\n<pubDate>{_rss_date(published)}</pubDate>\n"
                f'<guid isPermaLink="true">{url}</guid>\n<dc:creator>{host}</dc:creator>\n</item>\n'
            )
        parts.append("</channel>\n</rss>\n")
        data = "".join(parts).encode("utf-8")
        (root / host / feed_path.lstrip("/")).write_bytes(data)
        feed_bytes += len(data)
        feed_urls.append(feed_url)
    return Site(root, host_names, feed_urls, feeds * items, page_bytes, feed_bytes, layouts)


# ---------------------------------------------------------------- server (runs in its own process)
@dataclass(frozen=True)
class _Entry:
    body: bytes
    gz: bytes | None
    content_type: str
    etag: str


_MODIFIED = email.utils.formatdate(dt.datetime(2025, 6, 1, tzinfo=dt.UTC).timestamp(), usegmt=True)
_NOT_FOUND = b"<html><body><h1>404</h1></body></html>"


def _content_type(path: Path, body: bytes) -> str:
    if path.suffix == ".xml":
        return "application/rss+xml" if b"<rss" in body[:400] else "application/xml"
    if path.suffix == ".html":
        return "text/html; charset=utf-8"
    return "text/plain; charset=utf-8"


def load_site(root: Path) -> dict[tuple[str, str], _Entry]:
    """Every file of ``root``, keyed by (host, URL path); ``…/index.html`` also answers ``…/`` and ``…``."""
    files: dict[tuple[str, str], _Entry] = {}
    for host_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in host_dir.rglob("*"):
            if not path.is_file():
                continue
            body = path.read_bytes()
            kind = _content_type(path, body)
            gz = (
                gzip.compress(body, compresslevel=1, mtime=0) if path.suffix in (".html", ".xml") else None
            )  # nginx default
            entry = _Entry(body, gz, kind, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
            url_path = "/" + path.relative_to(host_dir).as_posix()
            files[host_dir.name, url_path] = entry
            if path.name == "index.html":
                folder = url_path.removesuffix("index.html")
                files[host_dir.name, folder] = entry
                files[host_dir.name, folder.rstrip("/") or "/"] = entry
    return files


async def _serve_client(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, files: dict[tuple[str, str], _Entry], delay: float
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, version = lines[0].split(" ", 2)
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name:
                    headers[name.strip().lower()] = value.strip()
            if target.startswith(("http://", "https://")):  # absolute form: a request through a proxy
                split = urlsplit(target)
                host, path = (split.hostname or "").lower(), split.path or "/"
            else:
                host, path = headers.get("host", "").split(":")[0].lower(), target.split("?", 1)[0]
            keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
            entry = files.get((host, unquote(path.split("#", 1)[0])))
            extra = "" if keep else "Connection: close\r\n"
            if entry is None:
                status, body, extra = "404 Not Found", _NOT_FOUND, extra + "Content-Type: text/html; charset=utf-8\r\n"
            elif headers.get("if-none-match") == entry.etag:
                status, body, extra = "304 Not Modified", b"", extra + f"ETag: {entry.etag}\r\n"
            else:
                status, body = "200 OK", entry.body
                extra += f"Content-Type: {entry.content_type}\r\nETag: {entry.etag}\r\nLast-Modified: {_MODIFIED}\r\n"
                if entry.gz is not None and "gzip" in headers.get("accept-encoding", ""):
                    body, extra = entry.gz, extra + "Content-Encoding: gzip\r\n"
            if method == "HEAD" or status.startswith("304"):
                out = b""
                length = len(body) if method == "HEAD" else 0
            else:
                out, length = body, len(body)
            if delay:
                await asyncio.sleep(delay)  # a simulated network round trip
            writer.write(f"HTTP/1.1 {status}\r\nContent-Length: {length}\r\n{extra}\r\n".encode("latin-1") + out)
            await writer.drain()
            if not keep:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def _serve_asyncio(root: Path, delay: float) -> None:
    files = load_site(root)
    server = await asyncio.start_server(
        lambda r, w: _serve_client(r, w, files, delay), "127.0.0.1", 0, backlog=1024, reuse_address=True
    )
    port = server.sockets[0].getsockname()[1]
    print(port, len(files), flush=True)
    loop = asyncio.get_running_loop()
    closed = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: closed.set() if not os.read(sys.stdin.fileno(), 4096) else None)
    async with server:
        await closed.wait()


def _serve_localweb(root: Path) -> None:
    from mahalle_news.crawl.localweb import LocalWeb

    with LocalWeb(root) as web:
        print(web.address.rsplit(":", 1)[1], sum(1 for p in root.rglob("*") if p.is_file()), flush=True)
        sys.stdin.read()  # until the parent closes the pipe


class LocalNewsServer:
    """The site's server in a child process; ``address`` is ``http://127.0.0.1:PORT``. Use as a context manager."""

    def __init__(self, root: Path, *, impl: str = "asyncio", latency_ms: float = 0.0) -> None:
        self.root, self.impl, self.latency_ms = root, impl, latency_ms
        self.port = 0
        self.files = 0
        self._proc: subprocess.Popen[str] | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalNewsServer:
        cmd = [sys.executable, str(Path(__file__).resolve()), "serve", str(self.root), "--impl", self.impl]
        cmd += ["--latency-ms", str(self.latency_ms)]
        self._proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().split()
        if len(line) != 2:
            self.close()
            raise SystemExit(f"the {self.impl} server did not start")
        self.port, self.files = int(line[0]), int(line[1])
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()  # only the server this object started
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux /proc; 0.0 elsewhere)."""
        if self._proc is None:
            return 0.0
        try:
            stat = Path(f"/proc/{self._proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def _main() -> None:
    ap = argparse.ArgumentParser(description="Serve a benchmark site (see the module docstring).")
    ap.add_argument("command", choices=["serve"])
    ap.add_argument("root", type=Path)
    ap.add_argument("--impl", choices=["asyncio", "localweb"], default="asyncio")
    ap.add_argument("--latency-ms", type=float, default=0.0, help="delay before each response (asyncio only)")
    args = ap.parse_args()
    if args.impl == "localweb":
        if args.latency_ms:
            raise SystemExit("--latency-ms needs --impl asyncio")
        _serve_localweb(args.root)
    else:
        asyncio.run(_serve_asyncio(args.root, args.latency_ms / 1000))


if __name__ == "__main__":
    _main()
