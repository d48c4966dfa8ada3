"""Extraction throughput: articles/s and peak memory for ≥ 5,000 articles in one process.

Articles are our own (corpus/gold, corpus/classifier), cycled to the requested count; each goes through the
whole pipeline (normalise, text core, places, programs, officials, quantities, fact assembly) and, when the
trained model is present, the relevance/topic classifier. Goal: ≥ 300 articles/s per core.

    python benchmarks/bench_extract.py [--articles 5000] [--no-classifier]
"""

from __future__ import annotations

import argparse
import os
import resource
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from _corpus import corpus_articles

from mahalle_news.nlp.classifier import load_default
from mahalle_news.nlp.pipeline import extract_many, load_pipeline


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--articles", type=int, default=5000, help="how many articles to extract (default 5000)")
    ap.add_argument("--no-classifier", action="store_true", help="facts only, without the relevance classifier")
    args = ap.parse_args()
    base = corpus_articles()
    t0 = time.perf_counter()
    nlp = load_pipeline()
    classifier = None if args.no_classifier else load_default()
    print(f"start-up: {time.perf_counter() - t0:.2f} s; classifier: {'yes' if classifier else 'no'}")
    facts = 0
    size = 0
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    items = [(str(i), base[i % len(base)], None) for i in range(args.articles)]
    size = sum(len(text.encode("utf-8")) for _, text, _ in items)
    for result in extract_many(nlp, items, classifier=classifier):
        facts += len(result.facts)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles: {args.articles:,} ({size / 1e6:.1f} MB, {len(base)} distinct), facts: {facts:,}")
    print(
        f"throughput: {args.articles / wall:.0f} articles/s wall, {args.articles / cpu:.0f} articles/s per CPU-second"
    )
    print(f"peak memory (max RSS): {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
