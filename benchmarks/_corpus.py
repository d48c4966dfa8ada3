"""Article-like text for the benchmarks: our own written articles (corpus/gold, corpus/classifier)."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def corpus_articles() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus" / "gold").glob("part_*/articles/*.txt"))]
    classifier = REPO / "corpus" / "classifier" / "articles.jsonl"
    if classifier.exists():
        texts += [json.loads(line)["text"] for line in classifier.read_text(encoding="utf-8").splitlines() if line]
    if not texts:
        raise SystemExit("no articles under corpus/: nothing to measure")
    return texts
