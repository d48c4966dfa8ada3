"""Marking spans of an article's text: the evidence of one fact, or every extracted fact by type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Segment:
    """A run of text, marked with the fact it is the evidence of (or plain: ``fact`` None)."""

    text: str
    fact: Mapping[str, Any] | None = None


def segments(text: str, facts: Iterable[Mapping[str, Any]], *, start: int = 0, end: int | None = None) -> list[Segment]:
    """``text[start:end]`` cut into plain and marked runs. Facts are marked by their ``span_start``/``span_end``
    (offsets in ``text``); where two spans overlap, the one starting first (the longer, at a tie) is marked and
    the other is left to the fact table. Spans outside the text or the window are skipped."""
    end = len(text) if end is None else min(end, len(text))
    spans = []
    for fact in facts:
        a, b = fact.get("span_start"), fact.get("span_end")
        if isinstance(a, int) and isinstance(b, int) and start <= a < b <= end:
            spans.append((a, b, fact))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out: list[Segment] = []
    at = start
    for a, b, fact in spans:
        if a < at:
            continue  # overlaps a span already marked
        if a > at:
            out.append(Segment(text[at:a]))
        out.append(Segment(text[a:b], fact))
        at = b
    if at < end:
        out.append(Segment(text[at:end]))
    return out


def marked_ids(parts: Iterable[Segment]) -> set[int]:
    """The ids of the facts marked in ``parts``."""
    return {int(p.fact["id"]) for p in parts if p.fact is not None and "id" in p.fact}
