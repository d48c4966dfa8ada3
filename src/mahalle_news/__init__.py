"""mahalle-news: structured, citable facts from Persian provincial news on neighbourhood programs."""

__version__ = "0.1.0"
