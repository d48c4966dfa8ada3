"""Command line: a thin shell over the library. Errors are printed as one line, never as a traceback."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from mahalle_news.errors import InputError, Location, MahalleError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="mahalle-news: facts from Persian news.")


def _emit(obj: Any) -> None:
    line = json.dumps(obj, ensure_ascii=False)
    sys.stdout.write(line.encode("utf-8", "replace").decode("utf-8") + "\n")


def _fail(err: MahalleError) -> None:
    sys.stderr.write(f"mahalle-news: error: {err}\n")


def _parse_date(value: str | None, where: Location | None = None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise InputError(f"not an ISO date (YYYY-MM-DD): {value!r}", location=where) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("no such file", location=Location(str(path))) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", location=Location(str(path))) from None
    except OSError as exc:
        raise InputError(exc.strerror or "cannot be read", location=Location(str(path))) from None


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | MahalleError]]:
    """(line number, object) for each non-blank line; a bad line yields its error instead, and reading goes on."""
    name = "-" if str(path) == "-" else str(path)
    try:
        fh = sys.stdin if name == "-" else path.open(encoding="utf-8", errors="strict")
    except OSError as exc:
        yield 0, InputError(exc.strerror or "cannot be read", location=Location(name))
        return
    n = 0
    try:
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
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield (
                    n,
                    InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", location=Location(name, n)),
                )
                continue
            if not isinstance(obj, dict):
                yield n, InputError("expected a JSON object", location=Location(name, n))
                continue
            yield n, obj
    finally:
        if fh is not sys.stdin:
            fh.close()


@app.command()
def inspect(
    text: Annotated[str | None, typer.Argument(help="Text to analyse.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="A UTF-8 text file: one text.")] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option("--jsonl", help='JSON lines, each {"text": …, "published"?: "YYYY-MM-DD"}; - for stdin.'),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option("--date", help="Reference date (YYYY-MM-DD) that dates without a year are read against."),
    ] = None,
) -> None:
    """Print what the text core finds: normalised text, numbers, money, dates, places (original-text spans)."""
    from mahalle_news.text.inspect import analyse

    failed = False
    try:
        reference = _parse_date(date, Location(field="--date"))
        sources = sum(x is not None for x in (text, file, jsonl))
        if sources != 1:
            raise InputError("give exactly one of TEXT, --file or --jsonl")
        if text is not None:
            _emit(analyse(text, reference))
        elif file is not None:
            _emit(analyse(_read_text(file), reference))
        else:
            assert jsonl is not None
            for n, item in iter_jsonl(jsonl):
                if isinstance(item, MahalleError):
                    _fail(item)
                    failed = True
                    continue
                value = item.get("text")
                if not isinstance(value, str):
                    _fail(InputError("missing or not a string", location=Location(str(jsonl), n, "text")))
                    failed = True
                    continue
                try:
                    published = _parse_date(item.get("published"), Location(str(jsonl), n, "published"))
                except InputError as err:
                    _fail(err)
                    failed = True
                    continue
                _emit(analyse(value, published or reference))
    except MahalleError as err:
        _fail(err)
        raise typer.Exit(2) from None
    if failed:
        raise typer.Exit(1)


@app.command()
def demo() -> None:
    """Offline demo: run the text core over a few of our own written articles and print a summary.

    (The crawler-and-store demo replaces this once it exists.)"""
    from rich.console import Console
    from rich.table import Table

    from mahalle_news.text.inspect import analyse

    root = Path(__file__).resolve().parents[2] / "corpus" / "gold"
    files = sorted(root.glob("part_*/articles/*.txt"))[:8]
    if not files:
        _fail(InputError("no demo articles found", location=Location(str(root))))
        raise typer.Exit(2)
    table = Table(title="mahalle-news text core — demo")
    for col in ("article", "numbers", "money (rials)", "dates", "places"):
        table.add_column(col)
    for path in files:
        result = analyse(_read_text(path))
        money = ", ".join(f"{m['rials']:,}" for m in result["money"] if m["rials"])[:60]
        places = ", ".join(dict.fromkeys(p["name"] for p in result["places"]))[:60]
        table.add_row(path.stem, str(len(result["numbers"])), money, str(len(result["dates"])), places)
    Console().print(table)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
