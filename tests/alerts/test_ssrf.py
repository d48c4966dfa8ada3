"""The SSRF guard: refused targets in every spelling, names that resolve to them, the check at send time, and the
request pinned to the checked address."""

from __future__ import annotations

import asyncio
import ipaddress
import random

import httpx
import pytest

from mahalle_news.alerts import AlertService
from mahalle_news.alerts.ssrf import Pinned, ResolveFailed, TargetRefused, parse_target, pin, refusal_reason
from mahalle_news.config import Settings
from mahalle_news.errors import InputError
from mahalle_news.store import Store
from mahalle_news.store.alerts import list_deliveries
from tests.alerts.helpers import FakeClock, budget_fact, make_alert, save

NAMES = {
    "hooks.example.org": ["93.184.215.14"],
    "loopback.example.org": ["127.0.0.1"],
    "mixed.example.org": ["93.184.215.14", "10.0.0.7"],
    "metadata.example.org": ["169.254.169.254"],
    "v6.example.org": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
}


async def fake_resolver(host: str, port: int) -> list[str]:
    try:
        return NAMES[host]
    except KeyError:
        raise OSError(f"unknown host {host}") from None


def _pin(url: str, *, allow_private: bool = False) -> Pinned:
    names = {"hooks.example.org", "loopback.example.org", "mixed.example.org", "metadata.example.org"}
    resolver = fake_resolver if any(n in url for n in names) else None  # else the system's (literals, localhost)
    return asyncio.run(pin(url, allow_private=allow_private, resolver=resolver))


REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8080/hook",
    "http://10.0.0.1/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/hook",  # shared address space (carrier-grade NAT)
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://255.255.255.255/hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:a9fe:a9fe]/hook",  # mapped 169.254.169.254, in hex
    "http://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of the metadata address
    "http://[2002:7f00:1::1]/hook",  # 6to4 of loopback
    "http://[fe80::1]/hook",
    "http://[fc00::1]/hook",
    "http://[ff02::1]/hook",
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://0177.0.0.1/hook",
    "http://127.1/hook",
    "http://0x7f.1/hook",
    "http://localhost/hook",
    "http://LOCALHOST./hook",
    "http://api.localhost/hook",
    "http://loopback.example.org/hook",  # a name that resolves to loopback
    "http://metadata.example.org/hook",
    "http://mixed.example.org/hook",  # one public and one private address: refused
    "ftp://hooks.example.org/hook",
    "file:///etc/passwd",
    "gopher://hooks.example.org/",
    "http:///no-host",
    "http://[::1/broken",
    "not a url",
    "",
]


@pytest.mark.parametrize("url", REFUSED)
def test_ssrf_refuses(url: str) -> None:
    with pytest.raises(TargetRefused) as caught:
        _pin(url)
    assert isinstance(caught.value, InputError)  # a 422 from the API
    assert caught.value.location is not None and caught.value.location.field == "webhook_url"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8080/hook", "127.0.0.1"),
        ("http://10.0.0.1/hook", "10.0.0.1"),
        ("http://169.254.169.254/", "169.254.169.254"),
        ("http://[::1]/hook", "::1"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1"),
        ("http://0x7f000001/hook", "127.0.0.1"),
        ("http://2130706433/hook", "127.0.0.1"),
        ("http://0177.0.0.1/hook", "127.0.0.1"),
        ("http://localhost/hook", "127.0.0.1"),
        ("http://loopback.example.org/hook", "127.0.0.1"),
        ("http://mixed.example.org/hook", "93.184.215.14"),
    ],
)
def test_ssrf_private_targets_allowed_by_the_setting(url: str, address: str) -> None:
    pinned = _pin(url, allow_private=True)
    assert pinned.address == ipaddress.ip_address(address) or (
        url.startswith("http://localhost") and pinned.address.is_loopback
    )


def test_ssrf_schemes_are_checked_even_when_private_is_allowed() -> None:
    with pytest.raises(TargetRefused, match="scheme"):
        _pin("file:///etc/passwd", allow_private=True)


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://hooks.example.org/mahalle?x=1", "93.184.215.14"),
        ("http://93.184.215.14:8080/", "93.184.215.14"),
        ("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/h", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
    ],
)
def test_ssrf_public_targets_are_pinned(url: str, address: str) -> None:
    pinned = _pin(url)
    assert pinned.address == ipaddress.ip_address(address)


def test_ssrf_pinned_request_keeps_host_and_sni() -> None:
    pinned = _pin("https://hooks.example.org:8443/mahalle/hook?ref=alerts#frag")
    assert pinned.connect_url == "https://93.184.215.14:8443/mahalle/hook?ref=alerts"
    assert pinned.target.host_header == "hooks.example.org:8443" and pinned.sni_hostname == "hooks.example.org"
    literal = _pin("http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/h")
    assert literal.connect_url == "http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:80/h"
    assert literal.sni_hostname is None and literal.target.host_header == "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]"


def test_ssrf_unresolvable_host() -> None:
    with pytest.raises(ResolveFailed, match="cannot resolve"):
        _pin("https://hooks.example.org.invalid/")


def test_ssrf_names_and_reasons() -> None:
    assert parse_target("https://Hooks.Example.ORG./x").host == "hooks.example.org"
    assert parse_target("https://اخبار.example/x").host == "اخبار".encode("idna").decode() + ".example"
    assert refusal_reason(ipaddress.ip_address("8.8.8.8")) is None
    assert refusal_reason(ipaddress.ip_address("::ffff:10.1.1.1")) == "private address (embedded in ::ffff:a01:101)"


def test_ssrf_checked_again_at_send_time(store: Store, clock: FakeClock) -> None:
    """A name that was public when the alert was made and resolves to the metadata address when it is sent
    (DNS rebinding): the delivery is refused, dead at once, and nothing is sent."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    answers = iter([["93.184.215.14"], ["169.254.169.254"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    async def main() -> None:
        url = "https://rebind.example.org/hook"
        await pin(url, allow_private=False, resolver=rebinding)  # the check at creation passes
        alert = make_alert(store, {"type": "budget"}, webhook_url=url)
        save(store, 1, [budget_fact(9_000_000_000)])
        settings = Settings(db=store.url, webhook_allow_private=False)
        service = AlertService(store, settings, httpx.MockTransport(handler), resolver=rebinding, clock=clock)
        try:
            assert await service.run_once() == 1
        finally:
            await service.stop()
        (delivery,) = list_deliveries(store, alert.id)
        assert delivery.status == "dead" and delivery.attempts == 1
        assert delivery.last_error is not None and "169.254.169.254" in delivery.last_error

    asyncio.run(main())
    assert sent == []


def test_ssrf_sends_to_the_checked_address(store: Store, clock: FakeClock) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    async def main() -> None:
        make_alert(store, {"type": "budget"}, webhook_url="https://hooks.example.org/mahalle")
        save(store, 1, [budget_fact(9_000_000_000)])
        settings = Settings(db=store.url, webhook_allow_private=False)
        service = AlertService(
            store, settings, httpx.MockTransport(handler), resolver=fake_resolver, clock=clock, rng=random.Random(3)
        )
        try:
            assert await service.run_once() == 1
        finally:
            await service.stop()

    asyncio.run(main())
    (request,) = seen
    assert request.url.host == "93.184.215.14" and request.url.path == "/mahalle"
    assert request.headers["host"] == "hooks.example.org"
    assert request.extensions["sni_hostname"] == "hooks.example.org"
