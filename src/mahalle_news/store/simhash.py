"""SimHash storage helpers: 64-bit fingerprints kept as signed BIGINT, split into four 16-bit bands.

Two fingerprints within 3 bits of each other agree on at least one of the four bands (pigeonhole), so an index
lookup on the bands finds every near-duplicate candidate up to distance 3; larger distances are best effort.
"""

from __future__ import annotations

BITS = 64
BANDS = 4
BAND_BITS = BITS // BANDS
_MASK = (1 << BITS) - 1
_BAND_MASK = (1 << BAND_BITS) - 1
_SIGN = 1 << (BITS - 1)


def to_unsigned(value: int) -> int:
    """The unsigned 64-bit fingerprint of a signed (database) or unsigned value."""
    if not -_SIGN <= value <= _MASK:
        raise ValueError(f"simhash {value} does not fit in 64 bits")
    return value & _MASK


def to_signed(value: int) -> int:
    """The signed 64-bit integer (two's complement) a BIGINT column can hold."""
    unsigned = to_unsigned(value)
    return unsigned - (1 << BITS) if unsigned & _SIGN else unsigned


def bands(value: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands, lowest bits first; equal for the signed and unsigned spelling of a fingerprint."""
    unsigned = to_unsigned(value)
    b0, b1, b2, b3 = ((unsigned >> (BAND_BITS * i)) & _BAND_MASK for i in range(BANDS))
    return b0, b1, b2, b3


def hamming(a: int, b: int) -> int:
    """Bits that differ between two fingerprints, each given signed or unsigned."""
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()
