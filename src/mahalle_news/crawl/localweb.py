"""A local news web: a static HTTP server over ``<root>/<host>/<path>`` folders (such as ``corpus/demo_site``)
and an httpx transport that sends requests for its hosts to it.

The crawler keeps the real URLs (``https://irna.demo/rss/latest.xml``); only the connection goes to 127.0.0.1.
The server answers like a real site: content types, ``ETag`` / ``Last-Modified`` and 304s, gzip when asked,
``robots.txt``, 404 for anything else. It is for demos, tests and benchmarks, never for the internet.
"""

from __future__ import annotations

import email.utils
import gzip
import hashlib
import json
import sys
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from mahalle_news.errors import InputError, Location

_TYPES = {
    ".xml": "application/xml",
    ".rdf": "application/rdf+xml",
    ".txt": "text/plain; charset=utf-8",
    ".html": "text/html",
    ".htm": "text/html",
}


def path_on_disk(root: Path, host: str, url_path: str) -> Path | None:
    """The file a URL path maps to (query ignored, percent-decoded, ``index.html`` for folders), or None."""
    path = unquote(url_path.split("?", 1)[0].split("#", 1)[0]) or "/"
    if path.endswith("/"):
        path += "index.html"
    elif "." not in path.rsplit("/", 1)[-1]:
        path += "/index.html"
    base = (root / host).resolve()
    target = (base / path.lstrip("/")).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


def _content_type(path: Path, head: bytes, encodings: Mapping[str, str], root: Path) -> str:
    kind = _TYPES.get(path.suffix.lower(), "application/octet-stream")
    if path.suffix == ".xml" and b"<feed" in head:
        kind = "application/atom+xml"
    elif path.suffix == ".xml" and b"<rss" in head:
        kind = "application/rss+xml"
    if kind == "text/html":
        kind += "; charset=" + encodings.get(path.relative_to(root.resolve()).as_posix(), "utf-8")
    return kind


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the crawler reports what happened
        self.server.hits += 1

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        split = urlsplit(self.path)
        target = path_on_disk(self.server.root, host, split.path)
        if target is None:
            self._send(404, b"<html><body><h1>404</h1></body></html>", "text/html; charset=utf-8")
            return
        body = target.read_bytes()
        stat = target.stat()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = email.utils.formatdate(stat.st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag or (
            not self.headers.get("If-None-Match") and self.headers.get("If-Modified-Since") == modified
        ):
            self._send(304, b"", None, {"ETag": etag, "Last-Modified": modified})
            return
        headers = {"ETag": etag, "Last-Modified": modified}
        kind = _content_type(target, body[:400], self.server.encodings, self.server.root)
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, kind, headers)

    def _send(self, status: int, body: bytes, kind: str | None, headers: Mapping[str, str] | None = None) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    root: Path
    encodings: dict[str, str]
    hits: int = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a cancelled crawl) is normal here: no traceback on stderr."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalWeb:
    """Serve ``root`` on 127.0.0.1 (a free port) in a background thread; use as a context manager."""

    def __init__(self, root: Path, *, port: int = 0) -> None:
        if not root.is_dir():
            raise InputError("not a folder of <host>/ sites", location=Location(str(root)))
        self.root = root
        self.hosts = frozenset(p.name for p in root.iterdir() if p.is_dir() and "." in p.name)
        if not self.hosts:
            raise InputError(
                "holds no <host>/ folder (a name with a dot, e.g. irna.demo)", location=Location(str(root))
            )
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.root = root
        self._server.encodings = _manifest_encodings(root)
        self._thread = threading.Thread(target=self._server.serve_forever, name="localweb", daemon=True)

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def hits(self) -> int:
        return self._server.hits

    def __enter__(self) -> LocalWeb:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def transport(self) -> LocalTransport:
        return LocalTransport(self.address, self.hosts)


def _manifest_encodings(root: Path) -> dict[str, str]:
    """Declared charset per HTML file, from ``manifest.json`` when the folder has one (UTF-8 otherwise)."""
    manifest = root / "manifest.json"
    if not manifest.is_file():
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    return {a["file"]: a.get("encoding", "utf-8") for a in data.get("articles", []) if a.get("file")}


class LocalTransport(httpx.AsyncBaseTransport):
    """Send requests for ``hosts`` to the local server (keeping their Host header); refuse every other host."""

    def __init__(self, address: str, hosts: frozenset[str]) -> None:
        self._address = httpx.URL(address)
        self._hosts = hosts
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host not in self._hosts:
            raise httpx.ConnectError(f"{host} is not a host of the local news web", request=request)
        local = request.url.copy_with(scheme=self._address.scheme, host=self._address.host, port=self._address.port)
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"host"]
        headers.insert(0, (b"Host", host.encode("ascii")))
        forwarded = httpx.Request(request.method, local, headers=headers, stream=request.stream)
        response = await self._inner.handle_async_request(forwarded)
        response.request = request
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()
