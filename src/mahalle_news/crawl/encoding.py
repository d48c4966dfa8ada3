"""Bytes from the web → text, robust to the encoding mistakes common on Iranian news sites.

:func:`decode_document` chooses the encoding in this order and says which step decided (``Decoded.source``):

1. ``"bom"`` – a UTF-8 / UTF-16 / UTF-32 byte-order mark;
2. ``"http"`` – the charset of the HTTP ``Content-Type`` header (``declared``);
3. ``"meta"`` (HTML: ``<meta charset>`` or ``http-equiv``) or ``"xml-declaration"`` (XML: ``<?xml … encoding=…?>``),
   looked for in the first 8 KB;
4. ``"sniffed"`` – valid UTF-8 → utf-8; else windows-1256 when that decoding gives (almost only) Arabic-script words;
   else charset-normalizer's best guess;
5. ``"fallback"`` – utf-8 with U+FFFD replacement characters; never an exception.

A declaration is only believed when the bytes decode with it: a page that *says* utf-8 but is windows-1256 fails to
decode and falls through to the next step. A declared single-byte encoding always decodes, so two usual lies are
caught explicitly: bytes that are valid multi-byte UTF-8 are UTF-8 whatever single-byte charset was declared (the
reverse accident is practically impossible), and a declared Western charset (iso-8859-1 / windows-1252 / ascii
family) whose bytes read as Persian in windows-1256 is windows-1256 — otherwise the text would be «ÇíÑÇä»-style
mojibake. Such corrections report ``source="sniffed"``. Encoding names come back normalised (``cp1256`` and
``Windows-1256`` are both ``"windows-1256"``).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Literal

import charset_normalizer

__all__ = ["Decoded", "charset_from_content_type", "decode_document", "normalize_encoding"]

_PRESCAN = 8192  # bytes searched for a <meta charset> or an XML declaration
_SNIFF = 65536  # bytes the statistical checks look at
_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_WESTERN = frozenset({"iso-8859-1", "windows-1252", "ascii", "iso-8859-15"})
_MULTIBYTE_ASCII_INCOMPATIBLE = ("utf-16", "utf-32")
_FORBIDDEN = frozenset({"utf-7"})  # never honoured (browsers refuse it too: a script-injection vector)

_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_META = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_XML_DECL = re.compile(rb"^\s*<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._\-]*)[\"']")
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
# a "word": letters, Arabic combining marks and joiners; a word is Arabic-script when all of it is
_WORD = re.compile(r"(?:[^\W\d_]|[\u064b-\u065f\u0670\u200c\u200d])+")
_ARABIC_WORD = re.compile(r"[\u0600-\u06ff\u200c\u200d\ufb50-\ufdff\ufe70-\ufeff]+")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # normalised name, e.g. "utf-8", "windows-1256"
    source: str  # "bom" | "http" | "meta" | "xml-declaration" | "sniffed" | "fallback"


def normalize_encoding(label: str | None) -> str | None:
    """A canonical name for an encoding label, or None for an unknown, non-text or refused one.

    ``"CP1256"``, ``"windows-1256"`` and ``"x-cp1256"`` → ``"windows-1256"``; ``"latin1"`` → ``"iso-8859-1"``;
    ``"UTF8"`` → ``"utf-8"``.
    """
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key.startswith("x-"):
        key = key[2:]
    try:
        info = codecs.lookup(key)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True):
        return None  # rot13, base64, zlib …: codecs, but not character encodings
    name = info.name
    if m := re.fullmatch(r"cp(125\d)", name):
        name = f"windows-{m.group(1)}"
    elif m := re.fullmatch(r"iso8859-(\d+)", name):
        name = f"iso-8859-{m.group(1)}"
    elif name == "utf-8-sig":
        name = "utf-8"
    return None if name in _FORBIDDEN else name


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header value, as written (not normalised)."""
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return m.group(1) if m else None


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _arabic_share(text: str) -> tuple[float, int]:
    """Among the words with a non-ASCII letter: the share written wholly in Arabic script, and their number."""
    total = arabic = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        total += 1
        if _ARABIC_WORD.fullmatch(word):
            arabic += 1
    return (arabic / total if total else 0.0), arabic


def _reads_as_persian(body: bytes) -> bool:
    """Whether windows-1256 turns ``body`` into Arabic-script words (the usual legacy Persian encoding)."""
    sample = body[:_SNIFF].decode("cp1256", errors="replace")
    share, count = _arabic_share(sample)
    return count >= 1 and share >= 0.8


def _is_multibyte_utf8(body: bytes) -> bool:
    sample = body[:_SNIFF]
    if sample.isascii():
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut by the sample's end is still valid UTF-8
        return len(sample) == _SNIFF and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"
    return True


def _declared(body: bytes, label: str | None, source: str) -> Decoded | None:
    """``body`` decoded with a declared encoding, corrected for the common lies, or None when it does not fit."""
    name = normalize_encoding(label)
    if name is None:
        return None
    if name.startswith(_MULTIBYTE_ASCII_INCOMPATIBLE) and source in ("meta", "xml-declaration"):
        return None  # read in an ASCII-compatible prescan, so it cannot be right
    if name not in ("utf-8", "ascii") and not name.startswith(_MULTIBYTE_ASCII_INCOMPATIBLE):
        if _is_multibyte_utf8(body):
            return Decoded(body.decode("utf-8", errors="replace"), "utf-8", "sniffed")
        if name in _WESTERN and not body.isascii() and _reads_as_persian(body):
            return Decoded(body.decode("cp1256", errors="replace"), "windows-1256", "sniffed")
    text = _strict(body, name)
    if text is None:
        return None
    if name.startswith(_MULTIBYTE_ASCII_INCOMPATIBLE) and not text.lstrip().startswith("<"):
        return None  # a BOM-less "utf-16" label on a document that does not read as markup in it
    return Decoded(text.removeprefix("\ufeff"), name, source)


def _prescan(body: bytes, kind: str) -> tuple[str | None, str]:
    head = body[:_PRESCAN]
    if kind == "xml":
        m = _XML_DECL.match(head)
        return (m.group(1).decode("ascii") if m else None), "xml-declaration"
    m = _META.search(_COMMENT.sub(b"", head))
    return (m.group(1).decode("ascii") if m else None), "meta"


def _sniff_utf16(body: bytes) -> str | None:
    """BOM-less UTF-16 XML: ``<?`` as ``3C 00 3F 00`` or ``00 3C 00 3F``."""
    if body.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    if body.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    return None


def _guess(body: bytes) -> Decoded | None:
    try:
        best = charset_normalizer.from_bytes(body[:_SNIFF]).best()
    except Exception:  # a third-party heuristic: its failure must not become ours
        return None
    name = normalize_encoding(best.encoding) if best is not None else None
    if name is None:
        return None
    try:
        return Decoded(body.decode(name, errors="replace"), name, "sniffed")
    except LookupError:
        return None


def decode_document(body: bytes, *, declared: str | None = None, kind: Literal["html", "xml"] = "html") -> Decoded:
    """Decode an HTML or XML document; see the module docstring for the order. Never raises on any bytes."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return Decoded(
                body[len(bom) :].decode(name, errors="replace"), name.removesuffix("-le").removesuffix("-be"), "bom"
            )
    if (found := _declared(body, declared, "http")) is not None:
        return found
    label, source = _prescan(body, kind)
    if (found := _declared(body, label, source)) is not None:
        return found
    if kind == "xml" and (utf16 := _sniff_utf16(body)) is not None:
        return Decoded(body.decode(utf16, errors="replace"), "utf-16", "sniffed")
    if (text := _strict(body, "utf-8")) is not None:
        return Decoded(text, "utf-8", "sniffed")
    if _reads_as_persian(body):
        return Decoded(body.decode("cp1256", errors="replace"), "windows-1256", "sniffed")
    if (guessed := _guess(body)) is not None:
        return guessed
    return Decoded(body.decode("utf-8", errors="replace"), "utf-8", "fallback")
