"""decode_document: BOM > HTTP charset > <meta> / XML declaration > sniffing, mislabeled windows-1256, never raises."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mahalle_news.crawl.encoding import charset_from_content_type, decode_document, normalize_encoding

DEMO = Path(__file__).resolve().parents[2] / "corpus" / "demo_site"

# our own test sentence; windows-1256 has no Persian yeh or digits, so the cp1256 copy uses Arabic yeh and 0-9
PERSIAN = "شورای محله‌ی نارمک برای نوسازی ۱۲ کوچه و ساخت یک پارک کوچک بودجه گرفت."
PERSIAN_CP1256 = "شوراي محله‌ي نارمک براي نوسازي 12 کوچه و ساخت يک پارک کوچک بودجه گرفت."
CP1256 = PERSIAN_CP1256.encode("cp1256")


def html_page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("bom", "codec", "expected"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    ],
)
def test_encoding_bom_wins(bom: bytes, codec: str, expected: str) -> None:
    page = html_page(PERSIAN, '<meta charset="windows-1256">')
    decoded = decode_document(bom + page.encode(codec), declared="iso-8859-1", kind="html")
    assert (decoded.encoding, decoded.source) == (expected, "bom")
    assert decoded.text == page  # the BOM itself is not part of the text


def test_encoding_http_charset_beats_meta() -> None:
    body = html_page(PERSIAN, '<meta charset="windows-1256">').encode("utf-8")
    decoded = decode_document(body, declared="UTF-8", kind="html")
    assert (decoded.encoding, decoded.source) == ("utf-8", "http")
    assert PERSIAN in decoded.text


def test_encoding_undecodable_http_charset_falls_back_to_meta() -> None:
    body = html_page("", '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">').encode()
    body = body.replace(b"<p>", b"<p>" + CP1256)
    decoded = decode_document(body, declared="utf-8", kind="html")
    assert (decoded.encoding, decoded.source) == ("windows-1256", "meta")
    assert PERSIAN_CP1256 in decoded.text


@pytest.mark.parametrize(
    "head",
    [
        '<meta charset="utf-8">',
        "<meta charset=utf-8>",
        '<meta http-equiv="content-type" content="text/html; charset=UTF-8">',
    ],
)
def test_encoding_meta_forms(head: str) -> None:
    decoded = decode_document(html_page(PERSIAN, head).encode("utf-8"), kind="html")
    assert (decoded.encoding, decoded.source) == ("utf-8", "meta")


def test_encoding_meta_in_a_comment_is_ignored() -> None:
    body = html_page(PERSIAN, '<!-- <meta charset="iso-8859-1"> -->').encode("utf-8")
    decoded = decode_document(body, kind="html")
    assert (decoded.encoding, decoded.source) == ("utf-8", "sniffed")


def test_encoding_xml_declaration() -> None:
    body = (
        b'<?xml version="1.0" encoding="windows-1256"?>\n<rss><channel><title>' + CP1256 + b"</title></channel></rss>"
    )
    decoded = decode_document(body, kind="xml")
    assert (decoded.encoding, decoded.source) == ("windows-1256", "xml-declaration")
    assert PERSIAN_CP1256 in decoded.text


@pytest.mark.parametrize("declared", [None, "utf-8", "iso-8859-1", "latin1", "windows-1252", "us-ascii"])
def test_encoding_mislabeled_cp1256(declared: str | None) -> None:
    """Undeclared, or declared utf-8 / a Western charset, while the bytes are windows-1256 Persian."""
    body = html_page("", f'<meta charset="{declared}">' if declared else "").encode().replace(b"<p>", b"<p>" + CP1256)
    for http in (declared, None):
        decoded = decode_document(body, declared=http, kind="html")
        assert (decoded.encoding, decoded.source) == ("windows-1256", "sniffed")
        assert PERSIAN_CP1256 in decoded.text


def test_encoding_utf8_declared_as_cp1256_is_utf8() -> None:
    decoded = decode_document(html_page(PERSIAN).encode("utf-8"), declared="windows-1256", kind="html")
    assert (decoded.encoding, decoded.source) == ("utf-8", "sniffed")
    assert PERSIAN in decoded.text


def test_encoding_real_latin1_is_kept() -> None:
    text = "Le garçon a mangé une crème brûlée à l'école."
    decoded = decode_document(html_page(text).encode("latin-1"), declared="iso-8859-1", kind="html")
    assert (decoded.encoding, decoded.source) == ("iso-8859-1", "http")
    assert text in decoded.text


def test_encoding_sniffed_utf8_and_ascii() -> None:
    assert decode_document(PERSIAN.encode(), kind="html") == decode_document(PERSIAN.encode(), kind="xml")
    decoded = decode_document(b"plain ascii", kind="html")
    assert (decoded.text, decoded.encoding, decoded.source) == ("plain ascii", "utf-8", "sniffed")


def test_encoding_wrong_utf16_label_is_ignored() -> None:
    decoded = decode_document(html_page(PERSIAN).encode("utf-8") + b" ", declared="utf-16", kind="html")
    assert (decoded.encoding, decoded.source) == ("utf-8", "sniffed")
    decoded = decode_document(html_page(PERSIAN).encode("utf-16-le"), declared="utf-16le", kind="html")
    assert (decoded.encoding, decoded.source) == ("utf-16-le", "http")


def test_encoding_bomless_utf16_xml() -> None:
    decoded = decode_document('<?xml version="1.0"?><a>محله</a>'.encode("utf-16-le"), kind="xml")
    assert decoded.text == '<?xml version="1.0"?><a>محله</a>'


def test_encoding_demo_cp1256_page() -> None:
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    key = manifest["edge_cases"]["cp1256_page"]
    article = next(a for a in manifest["articles"] if a["key"] == key)
    body = (DEMO / article["file"]).read_bytes()
    for declared in (None, "windows-1256", "utf-8"):  # a server that lies about it changes nothing
        decoded = decode_document(body, declared=declared, kind="html")
        assert decoded.encoding == "windows-1256"
        assert article["text"].splitlines()[0] in decoded.text


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("cp1256", "windows-1256"),
        ("Windows-1256", "windows-1256"),
        ("x-cp1256", "windows-1256"),
        (" 'UTF8' ", "utf-8"),
        ("utf-8-sig", "utf-8"),
        ("latin1", "iso-8859-1"),
        ("ISO_8859-6", "iso-8859-6"),
        ("no-such-charset", None),
        ("rot13", None),
        ("utf-7", None),
        ("", None),
        (None, None),
    ],
)
def test_encoding_normalize_names(label: str | None, expected: str | None) -> None:
    assert normalize_encoding(label) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/html; charset=windows-1256", "windows-1256"),
        ('application/rss+xml; Charset="UTF-8"', "UTF-8"),
        ("text/html", None),
        (None, None),
    ],
)
def test_encoding_charset_from_content_type(header: str | None, expected: str | None) -> None:
    assert charset_from_content_type(header) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.one_of(
        st.binary(max_size=2048),
        st.builds(lambda b, t: b + t.encode("utf-8", "surrogatepass"), st.binary(max_size=64), st.text(max_size=200)),
        st.builds(
            lambda head, b: head + b,
            st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"<?xml ", b"<meta charset=x>"]),
            st.binary(max_size=256),
        ),
    ),
    declared=st.one_of(
        st.none(),
        st.sampled_from(["utf-8", "windows-1256", "iso-8859-1", "utf-16", "rot13", "bogus"]),
        st.text(max_size=12),
    ),
    kind=st.sampled_from(["html", "xml"]),
)
def test_encoding_decode_never_raises(body: bytes, declared: str | None, kind: str) -> None:
    decoded = decode_document(body, declared=declared, kind="xml" if kind == "xml" else "html")
    assert isinstance(decoded.text, str)
    assert normalize_encoding(decoded.encoding) == decoded.encoding
    assert decoded.source in {"bom", "http", "meta", "xml-declaration", "sniffed", "fallback"}
