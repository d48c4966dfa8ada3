"""Command line for the crawler and the store: crawl, sources, reprocess, export, demo. A thin shell over
:mod:`mahalle_news.crawl` and :mod:`mahalle_news.store`; errors print as one line, never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mahalle_news.config import Settings, project_dir
from mahalle_news.errors import InputError, MahalleError

sources_app = typer.Typer(no_args_is_help=True, help="The feed registry: list, add, disable, enable.")
console = Console(stderr=True)


def settings(ctx: typer.Context) -> Settings:
    """The settings of this invocation: environment, then the global ``--db`` option."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings.from_env()


def fail(err: MahalleError, code: int = 2) -> typer.Exit:
    sys.stderr.write(f"mahalle-news: error: {err}\n")
    return typer.Exit(code)


def _registry(ctx: typer.Context, path: Path | None) -> Path:
    return path if path is not None else project_dir(settings(ctx).sources)


@contextlib.contextmanager
def open_store(ctx: typer.Context) -> Iterator[Any]:
    from mahalle_news.store.store import Store

    store = Store.open(settings(ctx).db)
    try:
        yield store
    finally:
        store.close()


def _fetcher(cfg: Settings, transport: Any = None) -> Any:
    from mahalle_news.crawl.fetch import Fetcher, FetchPolicy

    policy = FetchPolicy(
        global_concurrency=cfg.fetch_concurrency,
        per_host_concurrency=cfg.host_concurrency,
        per_host_delay=cfg.host_delay,
        max_body_bytes=cfg.max_page_bytes,
    )
    return Fetcher(policy, transport=transport)


class _Display:
    """Rich progress for a crawl pass: feeds polled of due, and running counts of pages, articles and facts."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task = self.progress.add_task("feeds", total=None, counts="")
        self.counts = {"pages": 0, "articles": 0, "facts": 0, "errors": 0}

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        if event == "start":
            self.progress.update(self.task, total=data["sources"], completed=0)
        elif event == "source":
            self.progress.advance(self.task)
            self.counts["errors"] += data.get("outcome") == "error"
        elif event == "page":
            self.counts["errors"] += not data.get("ok", True)
        elif event == "article":
            self.counts["pages"] += 1
            self.counts["articles"] += data.get("status") in ("new", "exact", "near")
            self.counts["facts"] += data.get("facts", 0)
        text = "  ".join(f"{k} {v}" for k, v in self.counts.items())
        self.progress.update(self.task, counts=text)


def summary_table(stats: Any, title: str) -> Table:
    table = Table(title=title)
    table.add_column("")
    table.add_column("count", justify="right")
    rows = [
        ("feeds polled", stats.feeds_polled),
        ("feeds unchanged (304)", stats.feeds_not_modified),
        ("feeds failed", stats.feeds_failed),
        ("feed items", stats.entries),
        ("items already stored", stats.known),
        ("pages fetched", stats.pages_fetched),
        ("pages failed", stats.pages_failed),
        ("new articles", stats.new_articles),
        ("duplicates (syndicated copies)", stats.duplicates),
        ("new stories", stats.stories),
        ("relevant articles", stats.relevant),
        ("facts stored", stats.facts),
        ("facts counted once per story", stats.facts_counted),
        ("errors", len(stats.errors)),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    return table


def run_crawl(cfg: Settings, store: Any, sources: list[Any], *, forever: bool, transport: Any = None) -> Any:
    """One pass (or passes until Ctrl-C) with a progress display; returns the last pass's stats."""
    from mahalle_news.alerts import AlertService
    from mahalle_news.alerts import install as install_alerts
    from mahalle_news.crawl.crawler import Crawler
    from mahalle_news.nlp.classifier import load_default
    from mahalle_news.nlp.pipeline import load_pipeline

    nlp, classifier = load_pipeline(), load_default()
    display = _Display()
    last: list[Any] = []

    install_alerts(store, cfg)  # new facts notify matching alerts, in the same transaction as the article

    async def main() -> None:
        async with _fetcher(cfg, transport) as fetcher, AlertService(store, cfg):
            crawler = Crawler(store, fetcher, nlp, classifier, progress=display)
            try:
                if forever:
                    stop = asyncio.Event()
                    loop = asyncio.get_running_loop()
                    for sig in (signal.SIGINT, signal.SIGTERM):
                        loop.add_signal_handler(sig, stop.set)
                    await crawler.run_forever(sources, stop, on_pass=last.append)
                else:
                    last.append(await crawler.run_once(sources))
            finally:
                crawler.close()

    with display.progress:
        asyncio.run(main())
    return last[-1] if last else None


def register(app: typer.Typer) -> None:
    """Add the crawler and store commands to the main CLI."""
    app.add_typer(sources_app, name="sources")

    @app.command()
    def crawl(
        ctx: typer.Context,
        once: Annotated[bool, typer.Option("--once", help="Poll every enabled source once, then stop.")] = False,
        forever: Annotated[
            bool, typer.Option("--forever", help="Keep polling sources as they fall due, until Ctrl-C.")
        ] = False,
        sources: Annotated[Path | None, typer.Option("--sources", help="Another registry file.")] = None,
        only: Annotated[list[str] | None, typer.Option("--only", help="Poll only these source ids.")] = None,
        local_web: Annotated[
            Path | None,
            typer.Option(
                "--local-web",
                help="Serve this folder of <host>/ sites on 127.0.0.1 and send requests for its hosts there "
                "(demos and tests; e.g. corpus/demo_site).",
            ),
        ] = None,
    ) -> None:
        """Poll the feeds, fetch new articles, extract facts and store everything (the --db store)."""
        from mahalle_news.crawl.localweb import LocalWeb
        from mahalle_news.crawl.sources import load_sources

        if once == forever:
            raise fail(InputError("give exactly one of --once or --forever"))
        cfg = settings(ctx)
        try:
            registry = load_sources(_registry(ctx, sources))
            if only:
                unknown = sorted(set(only) - {s.id for s in registry})
                if unknown:
                    raise InputError(f"no source with id {', '.join(map(repr, unknown))}")
                registry = [s for s in registry if s.id in only]
            with contextlib.ExitStack() as stack:
                store = stack.enter_context(open_store(ctx))
                transport = None
                if local_web is not None:
                    transport = stack.enter_context(LocalWeb(local_web)).transport()
                stats = run_crawl(cfg, store, registry, forever=forever, transport=transport)
        except MahalleError as err:
            raise fail(err) from None
        except KeyboardInterrupt:
            console.print("interrupted: every article stored so far is complete; rerun to go on")
            raise typer.Exit(130) from None
        if stats is not None:
            console.print(summary_table(stats, "crawl summary"))
            for line in stats.errors[:20]:
                console.print(f"  [yellow]{line}[/]", highlight=False)

    @app.command()
    def reprocess(
        ctx: typer.Context,
        everything: Annotated[
            bool, typer.Option("--all", help="Re-extract every article, not only those of older extractor versions.")
        ] = False,
    ) -> None:
        """Re-extract stored articles from their stored text (no network) when the extractor version changed."""
        from mahalle_news.crawl.ingest import reprocess as run
        from mahalle_news.nlp.classifier import load_default
        from mahalle_news.nlp.pipeline import load_pipeline

        try:
            nlp, classifier = load_pipeline(), load_default()
            with open_store(ctx) as store, Progress(console=console) as progress:
                task = progress.add_task("articles", total=None)
                stats = run(store, nlp, classifier, everything=everything, progress=lambda n: progress.advance(task, n))
        except MahalleError as err:
            raise fail(err) from None
        console.print(f"re-extracted {stats.articles} articles: {stats.facts} facts; {len(stats.errors)} errors")
        for line in stats.errors[:20]:
            console.print(f"  [yellow]{line}[/]", highlight=False)

    @app.command()
    def export(
        ctx: typer.Context,
        what: Annotated[str, typer.Argument(help="facts or articles")],
        fmt: Annotated[str, typer.Option("--format", help="jsonl, csv (UTF-8 with BOM) or parquet")] = "jsonl",
        out: Annotated[
            Path | None, typer.Option("--out", help="File to write (default: standard output; parquet needs one).")
        ] = None,
        kind: Annotated[list[str] | None, typer.Option("--type", help="Fact type (repeatable).")] = None,
        province: Annotated[list[str] | None, typer.Option("--province", help="Province (repeatable).")] = None,
        program: Annotated[list[str] | None, typer.Option("--program", help="Program (repeatable).")] = None,
        source: Annotated[list[str] | None, typer.Option("--source", help="Source id (repeatable).")] = None,
        official: Annotated[str | None, typer.Option("--official", help="Part of an official's name or role.")] = None,
        value_min: Annotated[str | None, typer.Option("--value-min")] = None,
        value_max: Annotated[str | None, typer.Option("--value-max")] = None,
        rials_min: Annotated[str | None, typer.Option("--rials-min")] = None,
        rials_max: Annotated[str | None, typer.Option("--rials-max")] = None,
        date_from: Annotated[str | None, typer.Option("--date-from", help="Published on or after (UTC date).")] = None,
        date_to: Annotated[str | None, typer.Option("--date-to", help="Published on or before (UTC date).")] = None,
        story: Annotated[str | None, typer.Option("--story", help="Story id.")] = None,
        article: Annotated[str | None, typer.Option("--article", help="Article id.")] = None,
        relevant: Annotated[str | None, typer.Option("--relevant", help="true (default), false or any.")] = None,
        counted: Annotated[str | None, typer.Option("--counted", help="true (default), false or any.")] = None,
        q: Annotated[str | None, typer.Option("--q", help="Words that must all occur in the article.")] = None,
        everything: Annotated[
            bool, typer.Option("--all", help="Every copy of every fact, relevant or not (relevant=any counted=any).")
        ] = False,
    ) -> None:
        """Export the stored facts or articles a filter selects (the API's filters; streamed: constant memory)."""
        from mahalle_news.exports.cli import check_request, parse_options, run_export

        default = "any" if everything else None
        params = {
            **{"type": kind, "province": province, "program": program, "source": source, "official": official},
            **{"value_min": value_min, "value_max": value_max, "rials_min": rials_min, "rials_max": rials_max},
            **{"date_from": date_from, "date_to": date_to, "story": story, "article": article, "q": q},
            **{"relevant": relevant or default, "counted": counted or default},
        }
        try:
            check_request(what, fmt, out)
            filt = parse_options(params)
            with open_store(ctx) as store:
                n = run_export(store, what, fmt, filt, out, console)
        except MahalleError as err:
            raise fail(err) from None
        console.print(f"exported {n} {what}")

    @app.command()
    def demo(
        ctx: typer.Context,
        serve: Annotated[
            bool, typer.Option("--serve/--no-serve", help="Then serve the API and web UI until Ctrl-C.")
        ] = True,
    ) -> None:
        """Offline demo: serve the news web in corpus/demo_site on 127.0.0.1, crawl it into the store, crawl it
        again (its feeds now answer 304), show what was stored, then serve the API and the web UI over it
        (anonymous read access on, for the demo)."""
        from mahalle_news.crawl.localweb import LocalWeb
        from mahalle_news.crawl.sources import load_sources

        cfg = settings(ctx)
        root = project_dir(cfg.corpus_dir) / "demo_site"
        try:
            registry = load_sources(root / "sources.toml")
            with LocalWeb(root) as web, open_store(ctx) as store:
                console.print(f"demo news web: {len(web.hosts)} sites served from {root} at {web.address}")
                console.print(f"store: {store.url}")
                first = run_crawl(cfg, store, registry, forever=False, transport=web.transport())
                console.print(summary_table(first, "first pass"))
                for line in first.errors[:20]:
                    console.print(f"  [yellow]{line}[/]", highlight=False)
                second = run_crawl(cfg, store, registry, forever=False, transport=web.transport())
                console.print(
                    f"second pass: {second.feeds_not_modified} of {second.feeds_polled} feeds unchanged (304), "
                    f"{second.new_articles} new articles"
                )
                Console().print(demo_report(store))
        except MahalleError as err:
            raise fail(err) from None
        except KeyboardInterrupt:
            console.print("interrupted: every article stored so far is complete")
            raise typer.Exit(130) from None
        if serve:
            from mahalle_news.cli_service import run_server

            demo_cfg = dataclasses.replace(cfg, anonymous_read=True)
            console.print(
                f"serving the API and web UI: http://{cfg.host}:{cfg.port}/ (API docs at /docs); Ctrl-C stops"
            )
            run_server(demo_cfg)


def demo_report(store: Any, limit: int = 12) -> Table:
    """The store's totals and a sample of counted facts with their evidence."""
    counts = store.counts()
    table = Table(title="in the store: " + ", ".join(f"{k} {v}" for k, v in counts.items()), show_lines=True)
    for col in ("type", "figure", "province", "program", "source", "evidence"):
        table.add_column(col)
    shown = 0
    for row in store.iter_fact_rows():
        if not row["counted"] or row["type"] not in ("neighbourhood_count", "budget") or shown >= limit:
            continue
        figure = f"{row['rials']:,} ریال" if row["rials"] is not None else f"{row['value']:g}"
        table.add_row(
            row["type"], figure, row["province"] or "-", row["program"] or "-", row["source_id"], row["sentence"]
        )
        shown += 1
    return table


# ---------------------------------------------------------------------- sources


@sources_app.command("list")
def sources_list(
    ctx: typer.Context,
    sources: Annotated[Path | None, typer.Option("--sources", help="Another registry file.")] = None,
    health: Annotated[bool, typer.Option("--health", help="Add each source's health from the store.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line instead of a table.")] = False,
) -> None:
    """List the registry (and, with --health, last success, failures, share of 304s, items per day)."""
    from mahalle_news.crawl.sources import load_sources

    try:
        registry = load_sources(_registry(ctx, sources))
        states: dict[str, Any] = {}
        per_day: dict[str, float] = {}
        if health:
            with open_store(ctx) as store:
                states = {s.id: s for s in store.list_sources()}
                per_day = store.articles_per_day()
    except MahalleError as err:
        raise fail(err) from None
    if as_json:
        for s in registry:
            record: dict[str, Any] = s.to_dict()
            if health:
                record["health"] = _health_record(states.get(s.id), per_day.get(s.id, 0.0))
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    table = Table(title=f"{len(registry)} sources")
    columns = ["id", "agency", "province", "kind", "every", "on", "verified"]
    if health:
        columns += ["last success", "failures", "304s", "items/day"]
    for col in columns:
        table.add_column(col)
    for s in registry:
        row = [s.id, s.agency, s.province, s.kind, f"{s.poll_minutes} min", "yes" if s.enabled else "no"]
        row.append("yes" if s.verified else "no")
        if health:
            row += _health_cells(states.get(s.id), per_day.get(s.id, 0.0))
        table.add_row(*row)
    Console().print(table)


def _health_record(state: Any, per_day: float) -> dict[str, Any] | None:
    if state is None:
        return None
    return {
        "last_attempt": state.last_attempt_at.isoformat() if state.last_attempt_at else None,
        "last_success": state.last_success_at.isoformat() if state.last_success_at else None,
        "consecutive_failures": state.consecutive_failures,
        "polls": state.polls,
        "not_modified_share": round(state.polls_not_modified / state.polls, 3) if state.polls else None,
        "articles_per_day": round(per_day, 2),
        "next_poll": state.next_poll_at.isoformat() if state.next_poll_at else None,
        "last_error": state.last_error,
    }


def _health_cells(state: Any, per_day: float) -> list[str]:
    if state is None or not state.polls:
        return ["never polled", "", "", ""]
    last = state.last_success_at.strftime("%Y-%m-%d %H:%M") if state.last_success_at else "never"
    share = f"{state.polls_not_modified / state.polls:.0%}"
    return [last, str(state.consecutive_failures), share, f"{per_day:.1f}"]


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    id: Annotated[str, typer.Option(help="Unique id, e.g. irna-kerman.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    agency: Annotated[str, typer.Option(help="IRNA, Mehr, ISNA, Tasnim, IKNA, IRIB, Fars, YJC or Hamshahri.")],
    province: Annotated[str, typer.Option(help="Province name (as in the gazetteer) or کشور.")],
    url: Annotated[str, typer.Option(help="Feed or list page URL.")],
    kind: Annotated[str, typer.Option(help="rss, atom, sitemap or html-list.")] = "rss",
    poll_minutes: Annotated[int, typer.Option(help="Polling interval in minutes.")] = 60,
    verified: Annotated[bool, typer.Option(help="The URL was fetched and checked.")] = False,
    note: Annotated[str | None, typer.Option(help="Free note.")] = None,
    sources: Annotated[Path | None, typer.Option("--sources", help="Another registry file.")] = None,
) -> None:
    """Add a source to the registry file (comments and layout are kept)."""
    from mahalle_news.crawl.sources import Source, add_source

    source = Source(id, name, agency, province, url, kind, poll_minutes, "fa", verified, True, note)
    try:
        add_source(_registry(ctx, sources), source)
    except MahalleError as err:
        raise fail(err) from None
    console.print(f"added {id}")


def _switch(ctx: typer.Context, ids: list[str], sources: Path | None, enabled: bool) -> None:
    from mahalle_news.crawl.sources import set_enabled

    try:
        done = set_enabled(_registry(ctx, sources), ids, enabled)
    except MahalleError as err:
        raise fail(err) from None
    console.print(("enabled " if enabled else "disabled ") + ", ".join(done))


@sources_app.command("disable")
def sources_disable(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="Source ids.")],
    sources: Annotated[Path | None, typer.Option("--sources", help="Another registry file.")] = None,
) -> None:
    """Stop polling these sources (the registry keeps them)."""
    _switch(ctx, ids, sources, False)


@sources_app.command("enable")
def sources_enable(
    ctx: typer.Context,
    ids: Annotated[list[str], typer.Argument(help="Source ids.")],
    sources: Annotated[Path | None, typer.Option("--sources", help="Another registry file.")] = None,
) -> None:
    """Poll these sources again."""
    _switch(ctx, ids, sources, True)
