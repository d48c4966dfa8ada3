"""The source registry: a TOML file of ``[[source]]`` tables (see the header of ``corpus/sources.toml``).

Loading validates every entry and names the file, line and field of the first problem of each bad entry.
Adding and disabling rewrite the file with tomlkit, so comments and layout survive.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import tomlkit

from mahalle_news.errors import InputError, Location
from mahalle_news.text.places import PROVINCE, gazetteer

AGENCIES = ("IRNA", "Mehr", "ISNA", "Tasnim", "IKNA", "IRIB", "Fars", "YJC", "Hamshahri")
KINDS = ("rss", "atom", "sitemap", "html-list")
NATIONAL = "کشور"
MIN_POLL, MAX_POLL = 5, 24 * 60
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Source:
    """One feed or list page the crawler polls."""

    id: str
    name: str
    agency: str
    province: str
    url: str
    kind: str = "rss"
    poll_minutes: int = 60
    language: str = "fa"
    verified: bool = False
    enabled: bool = True
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


_REQUIRED = ("id", "name", "agency", "province", "url")
_TYPES: dict[str, type] = {
    "id": str,
    "name": str,
    "agency": str,
    "province": str,
    "url": str,
    "kind": str,
    "poll_minutes": int,
    "language": str,
    "verified": bool,
    "enabled": bool,
    "note": str,
}


@functools.cache
def provinces() -> frozenset[str]:
    """Official province names, as the gazetteer spells them."""
    return frozenset(p.name for p in gazetteer().places if p.kind == PROVINCE)


def validate(entry: dict[str, Any], where: Location) -> Source:
    """A Source from one registry table, or an :class:`InputError` naming the bad field."""

    def bad(field: str, message: str) -> InputError:
        return InputError(message, location=Location(where.file, where.line, field))

    for name in entry:
        if name not in _TYPES:
            raise bad(name, f"unknown field (known: {', '.join(_TYPES)})")
    for name in _REQUIRED:
        if name not in entry or entry[name] in ("", None):
            raise bad(name, "missing")
    for name, value in entry.items():
        kind = _TYPES[name]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise bad(name, f"must be {kind.__name__}, got {type(value).__name__} {value!r}")
    source = Source(**entry)
    if not _ID.match(source.id):
        raise bad("id", f"{source.id!r} is not a lowercase ASCII id (letters, digits, . _ -)")
    if source.agency not in AGENCIES:
        raise bad("agency", f"{source.agency!r} is not one of {', '.join(AGENCIES)}")
    if source.province != NATIONAL and source.province not in provinces():
        raise bad("province", f"{source.province!r} is not a province name of the gazetteer (or {NATIONAL!r})")
    if not _URL.match(source.url):
        raise bad("url", f"{source.url!r} is not an http(s) URL")
    if source.kind not in KINDS:
        raise bad("kind", f"{source.kind!r} is not one of {', '.join(KINDS)}")
    if not MIN_POLL <= source.poll_minutes <= MAX_POLL:
        raise bad("poll_minutes", f"{source.poll_minutes} is outside {MIN_POLL}–{MAX_POLL}")
    return source


def _table_lines(text: str) -> list[int]:
    """1-based line number of each ``[[source]]`` header, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[source]]"]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such registry file", location=Location(str(path))) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", location=Location(str(path))) from None
    except OSError as exc:
        raise InputError(exc.strerror or "cannot be read", location=Location(str(path))) from None


def load_sources(path: Path) -> list[Source]:
    """Every source of a registry file, validated; the first problem raises with file, line and field."""
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        message = str(exc)[: m.start()].rstrip() if m else str(exc)
        raise InputError(f"not valid TOML: {message}", location=Location(str(path), int(m[1]) if m else None)) from None
    unknown = set(data) - {"source"}
    if unknown:
        raise InputError(f"unknown top-level key {sorted(unknown)[0]!r}", location=Location(str(path)))
    tables = data.get("source", [])
    if not isinstance(tables, list):
        raise InputError("'source' must be an array of tables ([[source]])", location=Location(str(path)))
    lines = _table_lines(text)
    out: list[Source] = []
    seen: dict[str, int | None] = {}
    for n, entry in enumerate(tables):
        line = lines[n] if n < len(lines) else None
        where = Location(str(path), line)
        source = validate(entry, where)
        if source.id in seen:
            raise InputError(
                f"duplicate id {source.id!r} (first at line {seen[source.id]})",
                location=Location(str(path), line, "id"),
            )
        seen[source.id] = line
        out.append(source)
    return out


def add_source(path: Path, source: Source) -> None:
    """Append a validated source to the registry; an existing id is an error. Comments are kept."""
    validate(source.to_dict(), Location(str(path)))
    existing = load_sources(path) if path.exists() else []
    if any(s.id == source.id for s in existing):
        raise InputError(f"a source with id {source.id!r} already exists", location=Location(str(path), field="id"))
    doc = tomlkit.parse(_read(path)) if path.exists() else tomlkit.document()
    tables = doc.get("source")
    if tables is None:
        tables = tomlkit.aot()
        doc.append("source", tables)
    table = tomlkit.table()
    for key, value in source.to_dict().items():
        table.add(key, value)
    tables.append(table)
    _write(path, tomlkit.dumps(doc))


def set_enabled(path: Path, source_ids: Iterable[str], enabled: bool) -> list[str]:
    """Switch sources on or off in the registry file; unknown ids are an error (nothing is written then)."""
    load_sources(path)  # validate first: never rewrite a broken file
    doc = tomlkit.parse(_read(path))
    wanted = list(dict.fromkeys(source_ids))
    by_id = {str(t["id"]): t for t in doc.get("source", [])}
    missing = [i for i in wanted if i not in by_id]
    if missing:
        raise InputError(f"no source with id {', '.join(map(repr, missing))}", location=Location(str(path), field="id"))
    for source_id in wanted:
        by_id[source_id]["enabled"] = enabled
    _write(path, tomlkit.dumps(doc))
    return wanted


def _write(path: Path, text: str) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a registry."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise InputError(exc.strerror or "cannot be written", location=Location(str(path))) from None
