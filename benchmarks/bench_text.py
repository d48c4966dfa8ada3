"""Throughput of the whole text core vs hazm's Normalizer alone, on the same ≥ 20 MB of article-like text.

Articles come from our own corpora (corpus/gold, corpus/classifier), cycled until the target size is reached,
and are processed one article at a time, as the pipeline does. Prints MB/s for both and their ratio.

    python benchmarks/bench_text.py [--mb 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _corpus import corpus_articles
from hazm import Normalizer

from mahalle_news.text.dates import find_dates
from mahalle_news.text.inspect import analyse
from mahalle_news.text.lexicon import lexicon
from mahalle_news.text.money import find_money
from mahalle_news.text.normalize import normalize
from mahalle_news.text.numbers import find_numbers
from mahalle_news.text.places import find_dateline, find_places, gazetteer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=20.0, help="megabytes of UTF-8 text to process (default 20)")
    args = ap.parse_args()
    base = corpus_articles()
    articles: list[str] = []
    size = 0
    while size < args.mb * 1e6:
        for text in base:
            articles.append(text)
            size += len(text.encode("utf-8"))
            if size >= args.mb * 1e6:
                break
    mb = size / 1e6
    print(f"text: {len(articles):,} articles, {mb:.1f} MB (from {len(base)} distinct articles of ours)")

    t0 = time.perf_counter()
    lexicon(), gazetteer()
    hazm = Normalizer()  # hazm's defaults: the baseline
    print(f"start-up: {time.perf_counter() - t0:.2f} s (lexicon, gazetteer, hazm Normalizer)")

    t0 = time.perf_counter()
    for text in articles:
        hazm.normalize(text)
    hazm_s = time.perf_counter() - t0

    reference = dt.date(2025, 6, 1)
    counts = {"numbers": 0, "money": 0, "dates": 0, "places": 0}
    t0 = time.perf_counter()
    for text in articles:
        norm = normalize(text)
        numbers = find_numbers(norm)
        counts["numbers"] += len(numbers)
        counts["money"] += len(find_money(norm, numbers))
        counts["dates"] += len(find_dates(norm, reference))
        counts["places"] += len(find_places(norm))
        find_dateline(norm)
    core_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    for text in articles[: len(articles) // 4]:
        analyse(text, reference)
    json_s = (time.perf_counter() - t0) * len(articles) / (len(articles) // 4)

    print(f"hazm Normalizer alone:        {mb / hazm_s:6.2f} MB/s  ({hazm_s:.1f} s)")
    print(f"mahalle-news text core (all): {mb / core_s:6.2f} MB/s  ({core_s:.1f} s)")
    print(f"ratio core/hazm speed: {hazm_s / core_s:.2f}  (>= 1.00 means the whole core is no slower)")
    print(f"inspect's analyse() incl. JSON-ready dicts: {mb / json_s:6.2f} MB/s (on a quarter of the text)")
    print("found: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
