"""Articles to extract from: ``.txt`` files (one article, id = file stem), ``.jsonl`` files or ``-`` (stdin)
holding ``{"id", "text", "title"?, "published"?, "source"?, "url"?}`` objects. A bad line is yielded as an
:class:`~mahalle_news.errors.InputError` naming file, line and field, and reading goes on."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mahalle_news.errors import InputError, Location


@dataclass
class ArticleInput:
    id: str
    text: str
    title: str | None = None
    published: dt.date | None = None
    source: str | None = None
    url: str | None = None

    @property
    def full_text(self) -> str:
        return f"{self.title}\n{self.text}" if self.title else self.text


def parse_date(value: Any, where: Location) -> dt.date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError("must be an ISO date string (YYYY-MM-DD)", location=where)
    try:
        return dt.date.fromisoformat(value) if len(value) <= 10 else dt.datetime.fromisoformat(value).date()
    except ValueError:
        raise InputError(f"not an ISO date (YYYY-MM-DD): {value!r}", location=where) from None


def read_article_file(path: Path) -> str:
    """A text file as it is on disk: UTF-8, line endings kept (offsets must index the file itself)."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        raise InputError("no such file", location=Location(str(path))) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", location=Location(str(path))) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", location=Location(str(path))) from None
    except OSError as exc:
        raise InputError(exc.strerror or "cannot be read", location=Location(str(path))) from None


def _from_object(obj: Any, name: str, n: int) -> ArticleInput:
    if not isinstance(obj, dict):
        raise InputError("expected a JSON object", location=Location(name, n))
    for key in ("id", "text"):
        if not isinstance(obj.get(key), str) or not obj[key]:
            raise InputError("missing or not a non-empty string", location=Location(name, n, key))
    for key in ("title", "source", "url"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InputError("must be a string", location=Location(name, n, key))
    return ArticleInput(
        obj["id"],
        obj["text"],
        obj.get("title"),
        parse_date(obj.get("published"), Location(name, n, "published")),
        obj.get("source"),
        obj.get("url"),
    )


def iter_jsonl(path: Path | str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed JSON value or InputError) for each non-blank line of a file or ``-``."""
    name = str(path)
    try:
        fh = sys.stdin if name == "-" else open(name, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        yield 0, InputError(exc.strerror or "cannot be read", location=Location(name))
        return
    try:
        n = 0
        while True:
            n += 1
            try:
                line = fh.readline()
            except UnicodeDecodeError as exc:
                yield n, InputError(f"not UTF-8 text (byte {exc.start})", location=Location(name, n))
                return
            if not line:
                return
            if not line.strip():
                continue
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", location=Location(name, n))
    finally:
        if fh is not sys.stdin:
            fh.close()


def iter_articles(paths: list[str]) -> Iterator[ArticleInput | InputError]:
    for raw in paths:
        path = Path(raw)
        if raw != "-" and path.suffix == ".txt":
            try:
                yield ArticleInput(path.stem, read_article_file(path))
            except InputError as err:
                yield err
            continue
        if raw != "-" and path.suffix != ".jsonl":
            yield InputError("expected a .txt or .jsonl file, or - for JSON lines on stdin", location=Location(raw))
            continue
        for n, obj in iter_jsonl(raw):
            if isinstance(obj, InputError):
                yield obj
                continue
            try:
                yield _from_object(obj, raw, n)
            except InputError as err:
                yield err
