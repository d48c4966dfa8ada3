from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mahalle_news.cli import app

runner = CliRunner()


def test_cli_inspect_text_prints_original_spans() -> None:
    text = "در ۱۰ محلهمحور كرمان"
    result = runner.invoke(app, ["inspect", text])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    (num,) = out["numbers"]
    assert text[num["span"][0] : num["span"][1]] == "۱۰"
    (place,) = out["places"]
    assert text[place["span"][0] : place["span"][1]] == "كرمان" and place["province"] == "کرمان"
    assert "محله\u200cمحور" in out["normalized"]


def test_cli_inspect_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("۲۰ میلیارد ریال", encoding="utf-8")
    result = runner.invoke(app, ["inspect", "--file", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["money"][0]["rials"] == 20_000_000_000


def test_cli_inspect_jsonl_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        '{"text": "ده محله", "published": "2025-04-12"}\nnot json\n{"title": "x"}\n'
        '{"text": "۲۱ فروردین", "published": "yesterday"}\n{"text": "۲۱ فروردین", "published": "2025-04-12"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["inspect", "--jsonl", str(path)])
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(lines) == 2
    assert lines[1]["dates"][0]["gregorian"] == "2025-04-10"
    assert f"{path}, line 2: invalid JSON" in result.stderr
    assert f"{path}, line 3, field 'text'" in result.stderr
    assert f"{path}, line 4, field 'published'" in result.stderr
    assert "Traceback" not in result.output


def test_cli_inspect_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["inspect", "--file", str(tmp_path / "nope.txt")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr and "Traceback" not in result.output


def test_cli_inspect_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "cp1256.txt"
    path.write_bytes("سلام".encode("cp1256"))
    result = runner.invoke(app, ["inspect", "--file", str(path)])
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_cli_inspect_needs_exactly_one_source() -> None:
    result = runner.invoke(app, ["inspect"])
    assert result.exit_code == 2 and "exactly one" in result.stderr
