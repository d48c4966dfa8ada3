"""One settings object: every setting with its default, its environment variable and its help text."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from mahalle_news.errors import ConfigError

ENV_PREFIX = "MAHALLE_"


@dataclass(frozen=True)
class Settings:
    """Settings for every part of mahalle-news. Each one can be set by ``MAHALLE_<NAME>`` in the environment."""

    db: str = field(
        default="sqlite:///var/mahalle.sqlite3",
        metadata={"help": "Database URL: sqlite:///PATH (default, embedded) or postgresql://USER@HOST:PORT/DB."},
    )
    data_dir: Path = field(
        default=Path("var"), metadata={"help": "Folder for the embedded database, raw HTML and other run-time files."}
    )
    models_dir: Path = field(
        default=Path("models"),
        metadata={"help": "Folder the spaCy pipeline and classifier are saved to and loaded from."},
    )
    corpus_dir: Path = field(
        default=Path("corpus"), metadata={"help": "Folder holding our own written corpora (gold, classifier, feeds)."}
    )
    sources: Path = field(
        default=Path("corpus/sources.toml"), metadata={"help": "Registry of the feeds the crawler polls (TOML)."}
    )
    fetch_concurrency: int = field(
        default=32, metadata={"help": "Most requests the crawler has in flight at once, over all hosts."}
    )
    host_concurrency: int = field(default=4, metadata={"help": "Most requests in flight to one host."})
    host_delay: float = field(
        default=0.25, metadata={"help": "Seconds between the starts of two requests to one host (politeness)."}
    )
    max_page_bytes: int = field(
        default=8 * 1024 * 1024,
        metadata={"help": "Largest response body (after decompression) the crawler reads; larger ones are refused."},
    )
    host: str = field(default="127.0.0.1", metadata={"help": "Address `mahalle-news serve` listens on."})
    port: int = field(default=8000, metadata={"help": "Port `mahalle-news serve` listens on."})
    anonymous_read: bool = field(
        default=False,
        metadata={
            "help": "Let requests without an API key search and export (the reader role); alerts and admin "
            "still need a key."
        },
    )
    rate_limit: int = field(
        default=600,
        metadata={"help": "Requests per minute allowed to one API key (or one address when anonymous); 0: no limit."},
    )
    max_page_size: int = field(default=200, metadata={"help": "Largest page of results one API request returns."})
    warm_cache: bool = field(
        default=True,
        metadata={
            "help": "serve: compute the slow summaries (stats, programs, officials, dashboard) in the background at "
            "start-up, so their first request is answered from the cache."
        },
    )
    webhook_allow_private: bool = field(
        default=False,
        metadata={"help": "Allow alert webhooks to private, loopback and link-local addresses (off: SSRF guard)."},
    )
    webhook_max_attempts: int = field(
        default=8, metadata={"help": "Delivery attempts of one webhook notification before it goes to dead letters."}
    )
    max_text_chars: int = field(
        default=20_000_000,
        metadata={"help": "Longest article text (characters) the text core accepts; longer input is an error."},
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then ``MAHALLE_*`` variables, then explicit keyword overrides."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = _coerce(f.name, f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @classmethod
    def describe(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every setting: used by ``--help`` texts and the docs."""
        return [(ENV_PREFIX + f.name.upper(), str(f.default), f.metadata["help"]) for f in fields(cls)]


#: The checkout this package runs from, when it runs from one (an editable install); None in a wheel install.
_CHECKOUT = Path(__file__).resolve().parents[2]


def project_dir(configured: Path) -> Path:
    """A folder named by a setting (``models``, ``corpus``): as configured when it exists (relative to the working
    directory), else the same folder in the checkout this package runs from."""
    if configured.exists() or configured.is_absolute():
        return configured
    in_checkout = _CHECKOUT / configured
    return in_checkout if in_checkout.exists() else configured


def _coerce(name: str, kind: Any, raw: str) -> Any:
    kind_name = kind if isinstance(kind, str) else getattr(kind, "__name__", str(kind))
    if kind_name == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be a whole number, got {raw!r}") from None
    if kind_name == "bool":
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be true or false, got {raw!r}")
    if kind_name == "float":
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name.upper()} must be a number, got {raw!r}") from None
    if kind_name == "Path":
        return Path(raw)
    return raw
