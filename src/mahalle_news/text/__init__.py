"""The Persian text core: pure functions from raw article text to clean text plus typed, located values.

Every span any function here returns is ``(start, end)`` in the coordinates of the text it was given (the
*original* article text); the normalised text is a working copy whose :class:`~.offsets.OffsetMap` leads back.
"""

from mahalle_news.text.normalize import Normalized, fold, normalize

__all__ = ["Normalized", "fold", "normalize"]
