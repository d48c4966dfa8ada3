"""The SSRF guard of alert webhooks: which URLs the service may POST to.

Rules (unless the ``webhook_allow_private`` setting is on):

* only ``http`` and ``https`` URLs with a host;
* no host named ``localhost`` (or ``*.localhost``, ``ip6-localhost``…);
* no address that is not globally routable: private, loopback, link-local, multicast, reserved, unspecified,
  shared (CGNAT), documentation… on IPv4 and IPv6, also when an IPv4 address is embedded in IPv6
  (IPv4-mapped ``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``, 6to4, Teredo);
* IPv4 literals in every spelling resolvers accept (``2130706433``, ``0x7f000001``, ``0177.0.0.1``, ``127.1``)
  are read as the address they mean;
* a host name is resolved and refused when *any* of its addresses is refused.

The check runs when an alert is created and again right before every delivery; the request then goes to the
address that was checked (the URL's host is kept in the ``Host`` header and for TLS: SNI and the certificate),
so a DNS answer that changes between check and connect (DNS rebinding) cannot redirect it. Redirects are not
followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from mahalle_news.errors import InputError, Location

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Resolves (host, port) to addresses; injectable for tests.
Resolver = Callable[[str, int], Awaitable[list[str]]]

SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_INET_ATON = re.compile(r"[0-9a-fx.]+")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_FIELD = Location(field="webhook_url")


class TargetRefused(InputError):
    """A webhook URL the guard refuses (a 422 naming ``webhook_url`` when it comes from a request)."""


class ResolveFailed(InputError):
    """A webhook host name that does not resolve (now: it may later)."""


@dataclass(frozen=True)
class Target:
    """A webhook URL taken apart: ``host`` is lower-case ASCII without a trailing dot."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    literal: IPAddress | None

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"


@dataclass(frozen=True)
class Pinned:
    """A checked target and the address to connect to."""

    target: Target
    address: IPAddress

    @property
    def connect_url(self) -> str:
        """The URL with its host replaced by the checked address."""
        host = f"[{self.address.compressed}]" if self.address.version == 6 else str(self.address)
        return f"{self.target.scheme}://{host}:{self.target.port}{self.target.path}"

    @property
    def sni_hostname(self) -> str | None:
        """The name TLS must present and verify (None for an address literal)."""
        return None if self.target.literal is not None else self.target.host


def refusal_reason(ip: IPAddress) -> str | None:
    """Why an address is not a webhook target (None: it is globally routable unicast)."""
    if isinstance(ip, ipaddress.IPv6Address):
        teredo = ip.teredo
        embedded: list[ipaddress.IPv4Address | None] = [ip.ipv4_mapped, ip.sixtofour, teredo[1] if teredo else None]
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF))
        for inner in embedded:
            reason = refusal_reason(inner) if inner is not None else None
            if reason is not None:
                return f"{reason} (embedded in {ip.compressed})"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not globally routable", not ip.is_global),
    )
    for reason, hit in checks:
        if hit:
            return f"{reason} address"
    return None


def _literal(host: str) -> IPAddress | None:
    """The address a host denotes when resolvers read it as an address literal."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _INET_ATON.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def parse_target(url: str) -> Target:
    """Take a webhook URL apart; :class:`TargetRefused` for a URL that is not an http(s) URL with a host."""
    if not isinstance(url, str) or not url.strip() or any(c.isspace() for c in url.strip()):
        raise TargetRefused("must be an http:// or https:// URL without spaces", location=_FIELD)
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError as err:
        raise TargetRefused(f"not a URL: {err}", location=_FIELD) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise TargetRefused(f"the scheme must be http or https, not {scheme or 'none'!r}", location=_FIELD)
    host = (hostname or "").rstrip(".")
    if not host:
        raise TargetRefused("the URL has no host", location=_FIELD)
    literal = _literal(host.split("%", 1)[0] if ":" in host else host)
    if literal is None:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise TargetRefused(f"not a valid host name: {host!r}", location=_FIELD) from None
    else:
        host = literal.compressed
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(url, scheme, host, port or _DEFAULT_PORTS[scheme], path, literal)


def check_static(target: Target) -> None:
    """The checks that need no DNS: loopback names and address literals."""
    if target.host in _LOOPBACK_NAMES or target.host.endswith(".localhost"):
        raise TargetRefused(f"{target.host!r} names this machine (loopback)", location=_FIELD)
    if target.literal is not None:
        reason = refusal_reason(target.literal)
        if reason is not None:
            raise TargetRefused(f"{target.host} is a {reason}", location=_FIELD)


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver (without blocking the event loop)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def pin(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> Pinned:
    """Check a webhook URL and choose the address to send to: :class:`TargetRefused` for a refused target,
    :class:`ResolveFailed` for a host without addresses. With ``allow_private`` only the scheme is checked."""
    target = parse_target(url)
    if not allow_private:
        check_static(target)
    if target.literal is not None:
        return Pinned(target, target.literal)
    try:
        found = await (resolver or system_resolve)(target.host, target.port)
    except (OSError, UnicodeError) as err:
        raise ResolveFailed(f"cannot resolve {target.host!r}: {err}", location=_FIELD) from None
    addresses: list[IPAddress] = []
    for text in found:
        try:
            addresses.append(ipaddress.ip_address(text.split("%", 1)[0]))
        except ValueError:
            continue
    if not addresses:
        raise ResolveFailed(f"{target.host!r} has no address", location=_FIELD)
    if not allow_private:
        for address in addresses:
            reason = refusal_reason(address)
            if reason is not None:
                raise TargetRefused(f"{target.host} resolves to {address.compressed}, a {reason}", location=_FIELD)
    return Pinned(target, addresses[0])
