"""Who is using the UI, and protection of its POST forms against cross-site requests.

**Key cookie.** A person enters an API key once (``/login``); it is checked with
:func:`~mahalle_news.store.keys.verify_key` and kept in the ``mn_key`` cookie: ``HttpOnly`` (page scripts cannot
read it), ``SameSite=Strict`` (no other site's page sends it), ``Secure`` behind HTTPS, ``Path=/``, for 12 hours.
Every request re-checks the key, so revoking it ends the UI session at once. Without a key, the read pages work
when the service allows anonymous reading (the ``anonymous_read`` setting); alerts always need a key (editor role
to create one). The rate limit of the API applies to the UI too, per key or per address.

**CSRF.** Each browser gets a random ``mn_csrf`` cookie (``HttpOnly``, ``SameSite=Strict``). A form carries a
token in a hidden field: ``HMAC-SHA256(key=mn_csrf, message=SHA-256(API key or ""))``. A POST is accepted only
when the token matches the cookies it arrives with (constant-time) and, when the browser sends an ``Origin``
header, it is this site. A cross-site page can neither read the cookies nor compute the token, and a cookie
planted by a neighbouring subdomain does not help it: the token also depends on the API key, which it does not
know. Logging in or out changes the token, so forms rendered before that must be reloaded (the page says so).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs, urlsplit

from fastapi import Request, Response

from mahalle_news.errors import AuthError, InputError, Location, RateLimited
from mahalle_news.store import Store
from mahalle_news.store.keys import verify_key
from mahalle_news.web.auth import Principal, RateLimiter

KEY_COOKIE = "mn_key"
CSRF_COOKIE = "mn_csrf"
CSRF_FIELD = "csrf_token"
KEY_MAX_AGE = 12 * 3600
_MAX_FORM_BYTES = 64 * 1024


def principal(request: Request) -> Principal | None:
    """The principal of a UI request: its key cookie, else an anonymous reader when the service allows that,
    else None. An invalid or revoked key cookie counts as none (and is cleared by :func:`finish`)."""
    if hasattr(request.state, "ui_principal"):
        cached: Principal | None = request.state.ui_principal
        return cached
    found: Principal | None = None
    key = request.cookies.get(KEY_COOKIE)
    if key:
        store: Store = request.app.state.store
        api_key = verify_key(store, key)
        if api_key is None:
            request.state.ui_clear_key = True
        else:
            found = Principal(api_key.id, api_key.name, api_key.role)
    if found is None and request.app.state.settings.anonymous_read:
        found = Principal(None, "anonymous", "reader")
    if found is not None:
        _rate_limit(request, found)
    request.state.ui_principal = found
    return found


def _rate_limit(request: Request, who: Principal) -> None:
    limiter: RateLimiter = request.app.state.rate_limiter
    caller = who.key_id or f"ip:{request.client.host if request.client else 'unknown'}"
    wait = limiter.take(caller)
    if wait > 0:
        raise RateLimited("rate limit exceeded", retry_after=wait)


def require(request: Request, role: str) -> Principal:
    """The principal when it has ``role``; else AuthError (the error page then offers the key form)."""
    who = principal(request)
    if who is None or (who.key_id is None and not who.can(role)):
        raise AuthError(f"an API key with the {role} role is required")
    if not who.can(role):
        raise AuthError(f"this needs the {role} role; the key has {who.role}", forbidden=True)
    return who


def _nonce(request: Request) -> str:
    nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "ui_new_nonce", None)
    if not nonce:
        nonce = secrets.token_urlsafe(32)
        request.state.ui_new_nonce = nonce
    return str(nonce)


def _token(nonce: str, key: str | None) -> str:
    bound = hashlib.sha256((key or "").encode("utf-8")).hexdigest()
    return hmac.new(nonce.encode("utf-8"), bound.encode("ascii"), hashlib.sha256).hexdigest()


def csrf_token(request: Request, key: str | None = None) -> str:
    """The token for the forms of this page (for the key in the request's cookie, or ``key`` just set)."""
    if key is None and not getattr(request.state, "ui_clear_key", False):
        key = request.cookies.get(KEY_COOKIE)
    return _token(_nonce(request), key)


def check_csrf(request: Request, form: dict[str, list[str]]) -> None:
    """Raise AuthError (403) unless the form's token matches this browser's cookies and the origin is ours."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        ours = urlsplit(str(request.base_url))
        theirs = urlsplit(origin)
        if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise AuthError("csrf: cross-site form", forbidden=True)
    nonce = request.cookies.get(CSRF_COOKIE)
    sent = one(form, CSRF_FIELD)
    if not nonce or not sent:
        raise AuthError("csrf: missing token", forbidden=True)
    expected = _token(nonce, request.cookies.get(KEY_COOKIE))
    if not hmac.compare_digest(expected, sent):
        raise AuthError("csrf: token does not match", forbidden=True)


async def read_form(request: Request) -> dict[str, list[str]]:
    """The fields of an ``application/x-www-form-urlencoded`` body, every value of each (a form is at most
    64 KiB; anything else is an InputError)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise InputError("the form must be sent url-encoded", location=Location(field="content-type"))
    body = await request.body()
    if len(body) > _MAX_FORM_BYTES:
        raise InputError("the form is too large", location=Location(field="body"))
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        raise InputError("the form is not UTF-8", location=Location(field="body")) from None


def one(form: dict[str, list[str]], name: str) -> str:
    """The last value of a form field, or ""."""
    values = form.get(name)
    return values[-1] if values else ""


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_key(request: Request, response: Response, key: str) -> None:
    response.set_cookie(
        KEY_COOKIE, key, max_age=KEY_MAX_AGE, httponly=True, samesite="strict", secure=_secure(request), path="/"
    )


def clear_key(response: Response) -> None:
    response.delete_cookie(KEY_COOKIE, path="/", httponly=True, samesite="strict")


def finish(request: Request, response: Response) -> Response:
    """Set the cookies this request decided on: a new CSRF nonce, the clearing of a dead key cookie."""
    nonce = getattr(request.state, "ui_new_nonce", None)
    if nonce:
        response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", secure=_secure(request), path="/")
    if getattr(request.state, "ui_clear_key", False):
        clear_key(response)
    return response
