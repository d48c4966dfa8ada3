"""The crawler's command line: sources, crawl, export, reprocess; Ctrl-C and SIGKILL in the middle of a crawl."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mahalle_news.cli import app

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "corpus/demo_site"
runner = CliRunner()
ONE_FEED = ["--sources", str(DEMO / "sources.toml"), "--only", "irna-rss-latest", "--local-web", str(DEMO)]


def _db(tmp_path: Path) -> list[str]:
    return ["--db", f"sqlite:///{tmp_path}/m.sqlite3"]


def test_cli_crawl_sources_list_add_disable(tmp_path: Path) -> None:
    registry = tmp_path / "s.toml"
    registry.write_text("# mine\n", encoding="utf-8")
    add = ["sources", "add", "--sources", str(registry), "--id", "irna-yazd", "--name", "ایرنا یزد"]
    add += ["--agency", "IRNA", "--province", "یزد", "--url", "https://yazd.example/rss"]
    assert runner.invoke(app, add).exit_code == 0
    again = runner.invoke(app, add)
    assert again.exit_code == 2 and "already exists" in again.stderr and "Traceback" not in again.output
    assert runner.invoke(app, ["sources", "disable", "irna-yazd", "--sources", str(registry)]).exit_code == 0
    listed = runner.invoke(app, ["sources", "list", "--sources", str(registry)])
    assert listed.exit_code == 0 and "irna-yazd" in listed.stdout and "no" in listed.stdout
    bad = runner.invoke(app, ["sources", "disable", "nope", "--sources", str(registry)])
    assert bad.exit_code == 2 and "no source with id 'nope'" in bad.stderr


def test_cli_crawl_bad_registry_names_line_and_field(tmp_path: Path) -> None:
    registry = tmp_path / "s.toml"
    registry.write_text(
        '[[source]]\nid = "x"\nname = "x"\nagency = "BBC"\nprovince = "یزد"\nurl = "https://x.example"\n'
    )
    result = runner.invoke(app, [*_db(tmp_path), "crawl", "--once", "--sources", str(registry)])
    assert result.exit_code == 2
    assert f"{registry}, line 1, field 'agency'" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("args", [["crawl"], ["crawl", "--once", "--forever"]])
def test_cli_crawl_needs_once_or_forever(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--once or --forever" in result.stderr


def test_cli_crawl_bad_db_url_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["--db", "mysql://nobody@nowhere/x", "export", "facts"])
    assert result.exit_code == 2 and "error:" in result.stderr and "Traceback" not in result.output


def test_cli_crawl_once_then_export_and_health(tmp_path: Path) -> None:
    db = _db(tmp_path)
    result = runner.invoke(app, [*db, "crawl", "--once", *ONE_FEED])
    assert result.exit_code == 0, result.output
    assert "new articles" in result.stderr
    out = tmp_path / "facts.csv"
    exported = runner.invoke(app, [*db, "export", "facts", "--format", "csv", "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows and all(r["url"].startswith("https://irna.demo/") and r["source"] == "irna-rss-latest" for r in rows)
    jsonl = runner.invoke(app, [*db, "export", "articles", "--format", "jsonl", "--all"])
    articles = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(articles) == 15 and all(a["text"] and a["story_id"] for a in articles)
    health = runner.invoke(app, [*db, "sources", "list", "--health", "--json", "--sources", str(DEMO / "sources.toml")])
    states = {r["id"]: r["health"] for r in map(json.loads, health.stdout.splitlines())}
    assert states["irna-rss-latest"]["consecutive_failures"] == 0 and states["irna-rss-latest"]["polls"] == 1
    assert states["irna-rss-latest"]["articles_per_day"] == pytest.approx(15 / 7, abs=0.01)
    assert states["mehr-rss-latest"] is None  # never polled
    assert runner.invoke(app, [*db, "reprocess"]).exit_code == 0


def _count(path: Path, table: str) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=5) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def _crawl_process(db: Path, *extra: str, delay: str = "0.4") -> subprocess.Popen[bytes]:
    env = {**os.environ, "MAHALLE_HOST_DELAY": delay, "MAHALLE_HOST_CONCURRENCY": "1", "HF_HUB_OFFLINE": "1"}
    args = [sys.executable, "-m", "mahalle_news.cli", "--db", f"sqlite:///{db}", "crawl", "--once", *extra]
    args += ["--sources", str(DEMO / "sources.toml"), "--local-web", str(DEMO)]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)


def _wait_for_articles(db: Path, proc: subprocess.Popen[bytes], at_least: int) -> None:
    deadline = time.monotonic() + 120
    while _count(db, "articles") < at_least:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the crawl stored nothing in two minutes"
        time.sleep(0.2)


def _invariants(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        (dupes,) = conn.execute("SELECT count(*) - count(DISTINCT url_canonical) FROM articles").fetchone()
        (orphans,) = conn.execute(
            "SELECT count(*) FROM facts f LEFT JOIN articles a ON a.id = f.article_id WHERE a.id IS NULL"
        ).fetchone()
        (unindexed,) = conn.execute(
            "SELECT count(*) FROM articles a LEFT JOIN articles_fts f ON f.rowid = a.id WHERE f.rowid IS NULL"
        ).fetchone()
    assert dupes == 0 and orphans == 0 and unindexed == 0


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_cli_crawl_killed_midway_then_rerun_loses_nothing(tmp_path: Path, sig: signal.Signals) -> None:
    db = tmp_path / "m.sqlite3"
    proc = _crawl_process(db)
    _wait_for_articles(db, proc, 10)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    stored = _count(db, "articles")
    assert stored < 129, "the crawl finished before it was stopped: slow it down"
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and b"Traceback" not in err, err.decode()
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT status FROM crawl_runs ORDER BY id DESC").fetchone()[0] == "interrupted"
    _invariants(db)
    rerun = _crawl_process(db, delay="0")
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    _invariants(db)
    assert _count(db, "articles") == 129 and _count(db, "stories") == 118
    with sqlite3.connect(db) as conn:
        (dup,) = conn.execute("SELECT count(*) FROM articles WHERE duplicate_kind IS NOT NULL").fetchone()
    assert dup == 11


def test_cli_crawl_demo_crawls_the_local_news_web_twice(tmp_path: Path) -> None:
    result = runner.invoke(app, [*_db(tmp_path), "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "16 of 16 feeds unchanged (304), 0 new articles" in result.stderr
    assert _count(tmp_path / "m.sqlite3", "articles") == 129
