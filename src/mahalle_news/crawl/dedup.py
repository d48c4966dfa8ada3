"""Dedup keys: canonical URLs, exact content hashes and 64-bit SimHash fingerprints for near-duplicates.

Syndicated copies of one story differ in their dateline («تبریز- ایرنا-» vs «به گزارش خبرگزاری مهر از تبریز»),
a sentence or two, joiners and letter variants. Hashing the *folded* words removes the spelling noise; SimHash
over word 3-shingles keeps the fingerprints of edited copies within a few bits of each other.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import numpy as np

from mahalle_news.store.simhash import hamming
from mahalle_news.text.normalize import fold_word

__all__ = [
    "canonical_url",
    "content_hash",
    "hamming",
    "is_near_duplicate",
    "overlap",
    "shingle_overlap",
    "shingles",
    "simhash",
    "words",
]

#: Query parameters that only track the click, never select content.
TRACKING_PARAMS = frozenset(
    "fbclid gclid dclid msclkid yclid igshid mc_cid mc_eid ref ref_src referrer source from share "
    "_ga _gl spm cmpid campaign".split()
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
#: Host prefixes of mobile and www mirrors: ``m.mehr.ir`` and ``www.mehr.ir`` are ``mehr.ir``.
MIRROR_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WORD = re.compile(r"\w+", re.UNICODE)
#: SimHash distance (of 64 bits) up to which an earlier article is a *candidate* near-duplicate. On the demo
#: site, syndicated copies lie 1–10 bits from their original and unrelated articles 19 or more.
NEAR_DISTANCE = 16
#: Share of the shorter text's word 3-shingles that the longer one must contain for a candidate to be the same
#: story (copies with a new dateline, a dropped paragraph or a sign-off: 0.94–0.99; unrelated: at most 0.16).
NEAR_OVERLAP = 0.6


def canonical_url(url: str) -> str:
    """One spelling per page: https, lower-case host without www/m. mirror prefixes or default port, no fragment,
    no tracking parameters, sorted query, no trailing slash, path percent-encoding normalised."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    scheme = "https"
    host = (parts.hostname or "").lower().rstrip(".")
    for prefix in MIRROR_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, *_DEFAULT_PORTS.values()) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/-._~!$&'()*+,;=:@%")
    path = re.sub(r"/{2,}", "/", path)
    if path.endswith("/"):
        path = path.rstrip("/")
    if path.lower().endswith(("/index.html", "/index.htm", "/index.php")):
        path = path.rsplit("/", 1)[0]
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def words(text: str) -> list[str]:
    """Folded words: the same for spellings that differ in letters, joiners, digits or diacritics."""
    return [w for w in (fold_word(m.group()) for m in _WORD.finditer(text)) if w]


def content_hash(text: str) -> str:
    """SHA-256 of the folded words: equal for copies that differ only in spelling noise and whitespace."""
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


_BIT_SHIFTS = np.arange(64, dtype=np.uint64)


def shingles(text: str, size: int = 3) -> set[str]:
    """Word ``size``-grams of the folded text (one gram for shorter texts)."""
    ws = words(text)
    return {" ".join(ws[i : i + size]) for i in range(max(1, len(ws) - size + 1))} if ws else set()


def shingle_overlap(sa: set[str], sb: set[str]) -> float:
    """Overlap coefficient of two shingle sets: |A∩B| / min(|A|, |B|), 0 when either is empty."""
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / min(len(sa), len(sb))


def overlap(a: str, b: str) -> float:
    """:func:`shingle_overlap` of two texts."""
    return shingle_overlap(shingles(a), shingles(b))


def is_near_duplicate(a: str, b: str, *, distance: int | None = None) -> bool:
    """Whether ``b`` is a copy of ``a`` (edited dateline, dropped paragraph…): fingerprints close, shingles shared."""
    if distance is None:
        distance = hamming(simhash(a), simhash(b))
    return distance <= NEAR_DISTANCE and overlap(a, b) >= NEAR_OVERLAP


def _feature_hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(text: str, *, shingle: int = 3) -> int:
    """64-bit SimHash (unsigned) over word ``shingle``-grams of the folded text."""
    ws = words(text)
    if not ws:
        return 0
    grams = [" ".join(ws[i : i + shingle]) for i in range(max(1, len(ws) - shingle + 1))]
    hashes = np.fromiter((_feature_hash(g) for g in grams), dtype=np.uint64, count=len(grams))
    bits = (hashes[:, None] >> _BIT_SHIFTS) & np.uint64(1)
    ones = bits.sum(axis=0, dtype=np.int64)
    return sum(1 << bit for bit in range(64) if 2 * int(ones[bit]) > len(grams))
