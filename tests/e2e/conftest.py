"""End-to-end fixtures: the app served by uvicorn on 127.0.0.1 (a background thread) over the crawled demo store,
and Debian's Chromium driven by Playwright. Everything is skipped, with the reason, when Chromium or Playwright
is missing. Screenshots go to test-artifacts/screenshots/ (kept by CI as artefacts)."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mahalle_news.config import Settings
from mahalle_news.store import Store
from mahalle_news.store.keys import create_key
from mahalle_news.web.app import create_app
from tests.e2e.demo_store import REPO, demo_store_url

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update"]  # fmt: skip


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is missing: pip install playwright (no browser download needed)"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class Live:
    url: str
    store: Store
    editor_key: str


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The service on a free port of 127.0.0.1 (anonymous read on, as in the demo), with an editor key."""
    import uvicorn

    store = Store.open(demo_store_url(tmp_path_factory))
    _, key = create_key(store, "کارشناس پایش", "editor")
    app = create_app(Settings(db=store.url, anonymous_read=True, rate_limit=0), store=store)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", http="h11", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="ui-e2e-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", store, key)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        store.close()


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(live: Live, browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page, in Persian, on a laptop-sized screen."""
    context = browser.new_context(
        base_url=live.url, locale="fa-IR", timezone_id="Asia/Tehran", accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )  # fmt: skip
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []  # script errors, CSP violations, resources that failed to load
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: problems.append(str(err)))
    try:
        yield page
    finally:
        context.close()
    expected = [p for p in problems if "404 (Not Found)" in p or "the server responded with a status of 4" in p]
    assert [p for p in problems if p not in expected] == [], problems


def shot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot as test-artifacts/screenshots/NAME.png."""
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
