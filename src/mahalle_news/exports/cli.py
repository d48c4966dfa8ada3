"""``mahalle-news export``: a filtered export written to a file (atomically, through ``FILE.part``) or to standard
output, with a progress bar on standard error. The command's options live in :mod:`mahalle_news.cli_crawl`."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from mahalle_news.errors import InputError, Location
from mahalle_news.exports.encode import FORMATS, KINDS, current_meta, encode
from mahalle_news.filters import FactFilter, parse_fact_filter

#: Rows between two progress-bar updates.
PROGRESS_STEP = 500


def option_name(param: str) -> str:
    """The command-line option of a filter parameter: ``date_from`` → ``--date-from``."""
    return "--" + param.replace("_", "-")


def parse_options(params: Mapping[str, Any]) -> FactFilter:
    """The filter of the command's options; a bad one is an InputError whose message starts with its option."""
    try:
        return parse_fact_filter({k: v for k, v in params.items() if v not in (None, [], ())})
    except InputError as err:
        field = err.location.field if err.location is not None else None
        if field is None:
            raise
        raise InputError(f"{option_name(field)}: {err.message}") from None


def check_request(what: str, fmt: str, out: Path | None) -> None:
    if what not in KINDS:
        raise InputError(f"export what? {what!r}: give facts or articles")
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: give one of {', '.join(FORMATS)}")
    if FORMATS[fmt].binary and out is None:
        raise InputError(f"--format {fmt} writes a binary file: give --out FILE")


@contextlib.contextmanager
def atomic_output(path: Path | None) -> Iterator[IO[bytes]]:
    """Standard output, or ``path`` written as ``path.part`` and renamed when complete: an interrupted export never
    replaces a good file."""
    if path is None:
        sys.stdout.flush()
        stdout = sys.stdout.buffer
        yield stdout
        stdout.flush()
        return
    tmp = path.with_name(path.name + ".part")
    try:
        fh = tmp.open("wb")
    except OSError as exc:
        raise InputError(exc.strerror or "cannot be written", location=Location(file=str(tmp))) from None
    try:
        with fh:
            yield fh
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def progress_bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def run_export(store: Any, what: str, fmt: str, filt: FactFilter, out: Path | None, console: Console) -> int:
    """Write the export of ``what`` (facts or articles) selected by ``filt``; the number of rows."""
    from mahalle_news.store.export_query import count, iter_rows

    total = count(store, what, filt)
    meta = current_meta(what, fmt, filt.to_params())
    n = 0
    with progress_bar(console) as progress:
        task = progress.add_task(what, total=total)

        def on_row() -> None:
            nonlocal n
            n += 1
            if n % PROGRESS_STEP == 0:
                progress.update(task, completed=n)

        with atomic_output(out) as fh:
            for chunk in encode(what, fmt, iter_rows(store, what, filt), meta=meta, on_row=on_row):
                fh.write(chunk)
        progress.update(task, completed=n, total=n)
    return n
