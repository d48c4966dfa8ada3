from __future__ import annotations

import pytest

from mahalle_news.text.offsets import ChainMap, OffsetMap, Rewriter


def test_offsets_identity_maps_every_boundary() -> None:
    m = OffsetMap.identity(10)
    assert [m.start(i) for i in range(11)] == list(range(11))
    assert m.span(2, 7) == (2, 7)


def test_offsets_deletion_and_insertion_trace_back() -> None:
    src = "ab--cd"
    rw = Rewriter(src)
    rw.replace(2, 4, "")  # delete "--"
    text, m = rw.finish()
    assert text == "abcd"
    assert src[slice(*m.span(2, 4))] == "cd"
    assert src[slice(*m.span(0, 4))] == "ab--cd"

    rw = Rewriter("abcd")
    rw.replace(2, 2, "XY")  # insert
    text2, m2 = rw.finish()
    assert text2 == "abXYcd"
    assert m2.span(4, 6) == (2, 4)
    assert m2.span(2, 4) == (2, 2)


def test_offsets_replacement_widens_to_whole_run() -> None:
    rw = Rewriter("xﷲy")
    rw.replace(1, 2, "الله")
    text, m = rw.finish()
    assert text == "xاللهy"
    assert m.span(2, 3) == (1, 2)  # a part of the expansion maps to the whole ligature


def test_offsets_chain_composes_in_order() -> None:
    rw1 = Rewriter("a  b")
    rw1.replace(1, 3, " ")
    t1, m1 = rw1.finish()
    rw2 = Rewriter(t1)
    rw2.replace(0, 0, ">")
    t2, m2 = rw2.finish()
    assert t2 == ">a b"
    chain = ChainMap([m1, m2])
    assert chain.span(3, 4) == (3, 4)


def test_offsets_rewriter_rejects_out_of_order_edits() -> None:
    rw = Rewriter("abc")
    rw.replace(2, 3, "")
    with pytest.raises(ValueError):
        rw.replace(0, 1, "")


def test_offsets_deleted_edges_stay_outside_spans() -> None:
    from mahalle_news.text.numbers import find_numbers

    text = "\ufeff  ۱۲ محله\u200f"
    (n,) = find_numbers(text)
    assert text[n.span[0] : n.span[1]] == "۱۲"
