"""Offset maps: positions in a derived text traced back to the text it was derived from.

A derivation is described as an ordered list of segments, each either *kept* (the derived characters are the
source characters one for one, maybe translated: offsets move together) or *replaced* (a run of derived
characters stands for a run of source characters as a whole, either side may be empty). Only changed places
cost memory: a text with three edits has at most seven segments whatever its length.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence


class OffsetMap:
    """Maps boundaries of a derived text to boundaries of its source.

    ``span(start, end)`` widens to whole replaced runs, so a derived span always maps to source text that
    contains everything it was made from.
    """

    __slots__ = ("_d", "_ident", "_s", "derived_len", "source_len")

    def __init__(
        self, d_starts: list[int], s_starts: list[int], ident: list[bool], derived_len: int, source_len: int
    ) -> None:
        self._d = d_starts
        self._s = s_starts
        self._ident = ident
        self.derived_len = derived_len
        self.source_len = source_len

    @classmethod
    def identity(cls, length: int) -> OffsetMap:
        return cls([0], [0], [True], length, length)

    def _seg_s_end(self, k: int) -> int:
        return self._s[k + 1] if k + 1 < len(self._s) else self.source_len

    def start(self, i: int) -> int:
        """Source boundary for a derived boundary used as the start of a span."""
        # no shortcut at the edges: characters deleted before the first or after the last kept one stay outside
        k = max(0, bisect_right(self._d, max(i, 0)) - 1)
        if self._ident[k]:
            return min(self._s[k] + (max(i, 0) - self._d[k]), self.source_len)
        return self._s[k]

    def end(self, i: int) -> int:
        """Source boundary for a derived boundary used as the end of a span."""
        if i <= 0:
            return self.start(0)
        i = min(i, self.derived_len)
        k = bisect_right(self._d, i - 1) - 1
        if self._ident[k]:
            return self._s[k] + (i - self._d[k])
        return self._seg_s_end(k)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Source ``[start, end)`` of the derived ``[start, end)``."""
        if end <= start:
            s = self.start(start)
            return s, s
        return self.start(start), self.end(end)

    @property
    def is_identity(self) -> bool:
        return len(self._d) == 1 and self._ident[0] and self.derived_len == self.source_len


class ChainMap:
    """Several derivations one after the other: ``maps[0]`` is closest to the original text."""

    __slots__ = ("maps",)

    def __init__(self, maps: Sequence[OffsetMap]) -> None:
        self.maps = [m for m in maps if not m.is_identity] or list(maps[:1])

    def span(self, start: int, end: int) -> tuple[int, int]:
        for m in reversed(self.maps):
            start, end = m.span(start, end)
        return start, end


class Rewriter:
    """Builds a derived text and its :class:`OffsetMap` from ordered edits over a source text.

    Call :meth:`replace` for each changed run in increasing order; unchanged text between edits is kept.
    """

    __slots__ = ("_d", "_dlen", "_ident", "_parts", "_pos", "_s", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._parts: list[str] = []
        self._d: list[int] = []
        self._s: list[int] = []
        self._ident: list[bool] = []
        self._pos = 0  # next source index not yet emitted
        self._dlen = 0

    def _emit(self, text: str, s_len: int, ident: bool) -> None:
        if not (ident and self._ident and self._ident[-1]):  # adjacent kept runs merge
            self._d.append(self._dlen)
            self._s.append(self._pos)
            self._ident.append(ident)
        self._parts.append(text)
        self._dlen += len(text)
        self._pos += s_len

    def replace(self, start: int, end: int, new: str) -> None:
        """Replace ``source[start:end]`` by ``new``; ``start`` must not precede the previous edit's end."""
        if start < self._pos:
            raise ValueError("edits must be given in order and must not overlap")
        if start > self._pos:
            self._emit(self.source[self._pos : start], start - self._pos, True)
        # same length (a space that became a ZWNJ, a translated letter): offsets still move together
        if end > start or new:
            self._emit(new, end - start, len(new) == end - start)

    def finish(self) -> tuple[str, OffsetMap]:
        if self._pos < len(self.source):
            self._emit(self.source[self._pos :], len(self.source) - self._pos, True)
        if not self._d:
            return self.source, OffsetMap.identity(len(self.source))
        return "".join(self._parts), OffsetMap(self._d, self._s, self._ident, self._dlen, len(self.source))
