"""Pure helpers of the store: SimHash bands, full-text tokens and queries, retry policy, URL handling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mahalle_news.store import StoreError
from mahalle_news.store.engine import mask_url, parse_url
from mahalle_news.store.fts import fts5_query, indexed_text, query_tokens, tokens
from mahalle_news.store.simhash import bands, hamming, to_signed, to_unsigned
from mahalle_news.store.store import FAILED_MAX_ATTEMPTS, next_retry_at
from tests.store.helpers import T0, folded

U64 = st.integers(min_value=0, max_value=2**64 - 1)


def test_store_simhash_signed_round_trip_at_the_edges() -> None:
    assert to_signed(0) == 0
    assert to_signed(2**63 - 1) == 2**63 - 1
    assert to_signed(2**63) == -(2**63)
    assert to_signed(2**64 - 1) == -1
    assert to_unsigned(-1) == 2**64 - 1
    assert to_unsigned(-(2**63)) == 2**63


def test_store_simhash_refuses_values_beyond_64_bits() -> None:
    for bad in (2**64, -(2**63) - 1):
        with pytest.raises(ValueError, match="64 bits"):
            to_unsigned(bad)


def test_store_simhash_bands_lowest_first() -> None:
    assert bands(0x0004_0003_0002_0001) == (1, 2, 3, 4)
    assert bands(2**64 - 1) == (0xFFFF,) * 4


@given(U64)
def test_store_simhash_signed_storage_keeps_value_and_bands(value: int) -> None:
    signed = to_signed(value)
    assert -(2**63) <= signed < 2**63
    assert to_unsigned(signed) == value
    assert bands(signed) == bands(value)


@given(U64, U64)
def test_store_simhash_hamming_same_for_signed_and_unsigned(a: int, b: int) -> None:
    expected = bin(a ^ b).count("1")
    assert hamming(a, b) == expected
    assert hamming(to_signed(a), b) == expected
    assert hamming(to_signed(a), to_signed(b)) == expected


@given(U64, st.sets(st.integers(min_value=0, max_value=63), max_size=3))
def test_store_simhash_within_three_bits_share_a_band(value: int, flips: set[int]) -> None:
    other = value
    for bit in flips:
        other ^= 1 << bit
    assert hamming(value, other) == len(flips)
    assert any(x == y for x, y in zip(bands(value), bands(other), strict=True))


def test_store_fts_tokens_split_like_the_index() -> None:
    assert tokens("شورایپیشرفت محلهها، ۲۰۲۰ abc-def") == ["شورایپیشرفت", "محلهها", "۲۰۲۰", "abc", "def"]
    assert tokens("محله\u200cها") == ["محله", "ها"]  # ZWNJ separates: folded text has none
    assert tokens("مُحله") == ["مُحله"]  # a diacritic the folding missed stays in its word
    assert indexed_text("  a\t\tb\n") == "a b"


def test_store_fts_folded_persian_keeps_words_whole() -> None:
    assert folded("شورای پیشرفت محله‌ها در ۱۱۰ محله") == "شورای پیشرفت محلهها در 110 محله"
    assert tokens(folded("محله ها")) == ["محلهها"]


def test_store_fts_query_quotes_every_token() -> None:
    assert fts5_query('محله NEAR(x "y") *') == '"محله" "NEAR" "x" "y"'
    assert fts5_query("a a b") == '"a" "b"'
    for empty in ("", "   ", '"', "*", "()", "\x00", "\ud800", "-- ;"):
        assert fts5_query(empty) is None
    assert len(query_tokens(" ".join(f"w{i}" for i in range(100)))) == 32


def test_store_failed_page_retry_backoff() -> None:
    assert next_retry_at(1, 500, T0) == T0 + timedelta(hours=1)
    assert next_retry_at(2, None, T0) == T0 + timedelta(hours=4)
    assert next_retry_at(4, 503, T0) == T0 + timedelta(hours=64)
    assert next_retry_at(FAILED_MAX_ATTEMPTS, 500, T0) is None
    assert next_retry_at(1, 404, T0) is None
    assert next_retry_at(1, 410, T0) is None


def test_store_url_password_masked() -> None:
    assert mask_url("postgresql://u:secret@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert "secret" not in mask_url("weird://u:secret@h:port:x/db")


def test_store_url_schemes_map_to_drivers() -> None:
    assert parse_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert parse_url("sqlite:///x.db").drivername == "sqlite+pysqlite"
    for bad in ("mysql://u@h/db", "postgresql+psycopg2://u@h/db", "not a url", ""):
        with pytest.raises(StoreError):
            parse_url(bad)
