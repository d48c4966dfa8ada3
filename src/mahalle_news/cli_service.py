"""Command line for the service: ``serve`` (the API and web UI with uvicorn) and ``keys create|list|revoke``."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mahalle_news.cli_crawl import fail, open_store, settings
from mahalle_news.config import Settings
from mahalle_news.errors import MahalleError

keys_app = typer.Typer(no_args_is_help=True, help="API keys: create, list, revoke.")


def register(app: typer.Typer) -> None:
    """Add the service commands to the main CLI."""
    app.add_typer(keys_app, name="keys")

    @app.command()
    def openapi(
        out: Annotated[Path | None, typer.Option(help="Write here (e.g. api/openapi.json) instead of stdout.")] = None,
    ) -> None:
        """Print the API's OpenAPI document (the committed copy lives in api/openapi.json)."""
        text = openapi_document()
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")

    @app.command()
    def serve(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(help="Address to listen on (default: MAHALLE_HOST).")] = None,
        port: Annotated[int | None, typer.Option(help="Port to listen on (default: MAHALLE_PORT).")] = None,
    ) -> None:
        """Serve the API (/v1, /docs) and the web UI on HOST:PORT until Ctrl-C."""
        from mahalle_news.store import Store

        cfg = settings(ctx)
        try:
            Store.open(cfg.db).close()  # migrate and check before listening: errors as one line
        except MahalleError as err:
            raise fail(err) from None
        run_server(dataclasses.replace(cfg, host=host or cfg.host, port=port or cfg.port))


def openapi_document() -> str:
    """The app's OpenAPI document as committed in ``api/openapi.json`` (sorted keys, 2-space indent)."""
    import json

    from mahalle_news.web.app import create_app

    document = create_app(Settings()).openapi()
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def run_server(cfg: Settings) -> None:
    """Serve the app of these settings with uvicorn (JSON logs) until Ctrl-C."""
    import uvicorn

    from mahalle_news.web.app import create_app
    from mahalle_news.web.observability import log_config

    uvicorn.run(
        create_app(cfg, warm_cache=True), host=cfg.host, port=cfg.port, log_config=log_config(), access_log=False
    )


@keys_app.command("create")
def keys_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="Who or what the key is for.")],
    role: Annotated[str, typer.Option(help="reader (search, export), editor (+ alerts) or admin (+ sources, keys).")],
) -> None:
    """Create an API key; the key is printed once and cannot be shown again."""
    from mahalle_news.store.keys import create_key

    try:
        with open_store(ctx) as store:
            key, secret = create_key(store, name, role)
    except MahalleError as err:
        raise fail(err) from None
    Console(stderr=True).print(f"created key {key.id} ({key.role}) for {key.name}; keep it, it is not shown again:")
    typer.echo(secret)


@keys_app.command("list")
def keys_list(ctx: typer.Context) -> None:
    """List API keys (never their secrets)."""
    from mahalle_news.store.keys import list_keys

    try:
        with open_store(ctx) as store:
            keys = list_keys(store)
    except MahalleError as err:
        raise fail(err) from None
    table = Table(title=f"{len(keys)} API keys")
    for col in ("id", "name", "role", "created", "last used", "state"):
        table.add_column(col)
    for k in keys:
        used = k.last_used_at.strftime("%Y-%m-%d %H:%M") if k.last_used_at else "never"
        table.add_row(
            k.id, k.name, k.role, k.created_at.strftime("%Y-%m-%d"), used, "active" if k.active else "revoked"
        )
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's id.")]) -> None:
    """Revoke an API key: requests with it are refused from now on."""
    from mahalle_news.store.keys import revoke_key

    try:
        with open_store(ctx) as store:
            revoke_key(store, key_id)
    except MahalleError as err:
        raise fail(err) from None
    Console(stderr=True).print(f"revoked {key_id}")
