"""Crawler: the source registry, polite fetching, feed and page parsing, dedup, and the crawl pipeline."""
