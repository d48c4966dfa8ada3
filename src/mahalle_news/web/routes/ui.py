"""Routes: the Persian web UI (server-rendered pages).

A thin shell over the library functions the API routes call: search (``/``), a fact (``/facts/{id}``), an
article (``/articles/{id}``), the province dashboard (``/dashboard``), alerts (``/alerts``), export links
(``/export``), the sources' health (``/sources``), and signing in with an API key (``/login``). The pages live in
:mod:`mahalle_news.web.ui`; errors in them are Persian pages (see :mod:`mahalle_news.web.ui.render`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mahalle_news.web.ui import pages_alerts, pages_dashboard, pages_detail, pages_misc, pages_search
from mahalle_news.web.ui.render import HtmlNotFoundRoute, UIRoute, not_found

router = APIRouter(tags=["ui"], include_in_schema=False, route_class=UIRoute)
for _pages in (pages_search, pages_detail, pages_dashboard, pages_alerts, pages_misc):
    router.include_router(_pages.router)


def _not_found(request: Request, path: str) -> HTMLResponse:
    return not_found(request)


# last: a browser asking for a page that does not exist gets a Persian 404 (API clients keep the JSON one)
router.add_api_route("/{path:path}", _not_found, methods=["GET"], route_class_override=HtmlNotFoundRoute)
