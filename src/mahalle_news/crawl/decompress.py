"""Streaming decompression with bounded output per step, so a compression bomb is caught after a few pieces.

httpx inflates each network chunk in one go (a brotli chunk without limit); the fetcher reads raw bytes and
inflates them here, at most ``PIECE`` bytes per call.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator

import brotli

PIECE = 64 * 1024  # largest decoded piece produced per decompressor call
DecodeErrors = (zlib.error, brotli.error)


class Zlib:
    """gzip or deflate ("deflate" is often sent raw, without the zlib header: detected on the first bytes)."""

    def __init__(self, gzip: bool) -> None:
        self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS)
        self._sniff = not gzip

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._sniff and data:
            self._sniff = False
            if len(data) < 2 or data[0] & 0x0F != 8 or (data[0] << 8 | data[1]) % 31:
                self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
        while True:
            out = self._obj.decompress(data, PIECE)
            data = self._obj.unconsumed_tail
            yield out
            if not data and len(out) < PIECE:
                return

    def flush(self) -> Iterator[bytes]:
        yield from self.feed(b"")
        yield self._obj.flush()


class Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        out: bytes = self._obj.process(data, output_buffer_limit=PIECE)
        yield out
        while not self._obj.is_finished() and (out or not self._obj.can_accept_more_data()):
            out = self._obj.process(b"", output_buffer_limit=PIECE)
            yield out

    def flush(self) -> Iterator[bytes]:
        return iter(())


class Identity:
    def feed(self, data: bytes) -> Iterator[bytes]:
        yield data

    def flush(self) -> Iterator[bytes]:
        return iter(())


def decoder(content_encoding: str) -> Decoder:
    """Bounded-output decoder for one coding; unknown codings pass through, stacked ones are a ValueError."""
    coding = content_encoding.strip().lower()
    if "," in coding:
        raise ValueError(f"stacked Content-Encoding {content_encoding!r} is not supported")
    if coding in ("gzip", "x-gzip", "deflate"):
        return Zlib(gzip=coding != "deflate")
    return Brotli() if coding == "br" else Identity()


Decoder = Zlib | Brotli | Identity
