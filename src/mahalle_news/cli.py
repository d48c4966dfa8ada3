"""Command line: a thin shell over the library. Errors are printed as one line, never as a traceback."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from mahalle_news.cli_crawl import register as register_crawl
from mahalle_news.cli_service import register as register_service
from mahalle_news.config import Settings
from mahalle_news.errors import InputError, Location, MahalleError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="mahalle-news: facts from Persian news.")


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="URL", help="Database URL (sqlite:///PATH or postgresql://…); env MAHALLE_DB."),
    ] = None,
) -> None:
    """mahalle-news: facts from Persian news."""
    try:
        ctx.obj = Settings.from_env(db=db)
    except MahalleError as err:
        _fail(err)
        raise typer.Exit(2) from None


def _emit(obj: Any) -> None:
    line = json.dumps(obj, ensure_ascii=False)
    sys.stdout.write(line.encode("utf-8", "replace").decode("utf-8") + "\n")


def _fail(err: MahalleError) -> None:
    sys.stderr.write(f"mahalle-news: error: {err}\n")


def _parse_date(value: str | None, where: Location | None = None) -> dt.date | None:
    from mahalle_news.nlp.inputs import parse_date

    return parse_date(value, where or Location())


def _limited(text: str, limit: int, where: Location) -> str:
    if len(text) > limit:
        raise InputError(
            f"text of {len(text):,} characters is over the limit of {limit:,} (MAHALLE_MAX_TEXT_CHARS)", location=where
        )
    return text


def _read_text(path: Path) -> str:
    from mahalle_news.nlp.inputs import read_article_file

    return read_article_file(path)


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
    from mahalle_news.nlp.inputs import iter_jsonl
    from mahalle_news.text.inspect import analyse

    failed = False
    try:
        reference = _parse_date(date, Location(field="--date"))
        limit = Settings.from_env().max_text_chars
        sources = sum(x is not None for x in (text, file, jsonl))
        if sources != 1:
            raise InputError("give exactly one of TEXT, --file or --jsonl")
        if text is not None:
            _emit(analyse(_limited(text, limit, Location(field="TEXT")), reference))
        elif file is not None:
            _emit(analyse(_limited(_read_text(file), limit, Location(str(file))), reference))
        else:
            assert jsonl is not None
            for n, item in iter_jsonl(jsonl):
                if isinstance(item, MahalleError):
                    _fail(item)
                    failed = True
                    continue
                if not isinstance(item, dict):
                    _fail(InputError("expected a JSON object", location=Location(str(jsonl), n)))
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
                try:
                    value = _limited(value, limit, Location(str(jsonl), n, "text"))
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
def extract(
    paths: Annotated[list[str], typer.Argument(help=".txt articles, .jsonl files of {id, text, …}, or - for stdin.")],
    model: Annotated[Path | None, typer.Option(help="Saved pipeline folder (default models/pipeline).")] = None,
) -> None:
    """Extract typed facts with evidence: one JSON line per article."""
    from mahalle_news.nlp.classifier import load_default
    from mahalle_news.nlp.inputs import iter_articles
    from mahalle_news.nlp.pipeline import extract_many, load_pipeline

    try:
        nlp = load_pipeline(model)
        classifier = load_default()
    except MahalleError as err:
        _fail(err)
        raise typer.Exit(2) from None
    failed = False

    def good_articles() -> Iterator[tuple[str, str, dt.date | None]]:
        nonlocal failed
        for item in iter_articles(paths):
            if isinstance(item, MahalleError):
                _fail(item)
                failed = True
            else:
                yield item.id, item.full_text, item.published

    for result in extract_many(nlp, good_articles(), classifier=classifier):
        if result.error is not None:
            _fail(InputError(result.error, location=Location(field=f"article {result.id}")))
            failed = True
            continue
        _emit(result.to_dict())
    if failed:
        raise typer.Exit(1)


@app.command(name="eval")
def evaluate(
    gold: Annotated[Path, typer.Argument(help="A gold JSONL file, or a folder: every gold.jsonl below it.")],
    predictions: Annotated[
        list[Path] | None, typer.Argument(help="`extract` output to score; without it the gold texts are extracted.")
    ] = None,
    errors: Annotated[bool, typer.Option("--errors", help="List every miss and false positive.")] = False,
    floors: Annotated[Path | None, typer.Option(help="Baseline JSON of floors: exit 1 when one is crossed.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Precision, recall and F1 per fact type, under the scoring rules of the seeds README."""
    from mahalle_news.nlp.evaluate import check_floors
    from mahalle_news.nlp.gold_run import load_floors, predictions_from_files, run_gold

    if not predictions:
        from mahalle_news.nlp.classifier import load_default

        if load_default() is None:
            sys.stderr.write(
                "mahalle-news: warning: no trained classifier (run `mahalle-news train`); "
                "every article's facts are scored as if relevant\n"
            )
    try:
        report = run_gold(gold, predictions_from_files(predictions) if predictions else None)
        if as_json:
            _emit(report.to_dict())
        else:
            sys.stdout.write(report.table() + "\n")
        if errors:
            for e in report.errors:
                _emit(e.to_dict())
        violations = check_floors(report, load_floors(floors)) if floors else []
    except MahalleError as err:
        _fail(err)
        raise typer.Exit(2) from None
    for v in violations:
        sys.stderr.write(f"mahalle-news: floor crossed: {v}\n")
    if violations:
        raise typer.Exit(1)


@app.command()
def train(
    corpus: Annotated[Path, typer.Option(help="Our written corpora.")] = Path("corpus"),
    models: Annotated[Path, typer.Option(help="Where the pipeline and classifier are written.")] = Path("models"),
) -> None:
    """Rebuild everything under models/ from corpus/, reproducibly: the spaCy pipeline and the classifier."""
    from mahalle_news.nlp.classifier import train_classifier
    from mahalle_news.nlp.pipeline import build_pipeline

    try:
        nlp = build_pipeline()
        nlp.to_disk(models / "pipeline")
        metrics = train_classifier(corpus / "classifier" / "articles.jsonl", models / "classifier")
    except MahalleError as err:
        _fail(err)
        raise typer.Exit(2) from None
    _emit({"pipeline": str(models / "pipeline"), "classifier": str(models / "classifier"), "metrics": metrics})


@app.command()
def settings() -> None:
    """List every setting: its environment variable, default and meaning."""
    from rich.console import Console
    from rich.table import Table

    from mahalle_news.config import Settings

    table = Table(title="mahalle-news settings (environment variables)")
    for col in ("variable", "default", "meaning"):
        table.add_column(col)
    for row in Settings.describe():
        table.add_row(*row)
    Console().print(table)


register_crawl(app)
register_service(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
