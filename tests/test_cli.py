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


def test_cli_extract_txt_and_jsonl_with_bad_lines(tmp_path: Path) -> None:
    article = tmp_path / "kerman-01.txt"
    article.write_text("کرمان- استاندار کرمان گفت: طرح کرامت در ۶۵ محله اجرا می‌شود.", encoding="utf-8")
    lines = tmp_path / "batch.jsonl"
    lines.write_text(
        '{"id": "a", "text": "یزد- ۱۲ محله کم‌برخوردار در یزد شناسایی شد.", "published": "2025-05-01"}\n'
        "{broken\n"
        '{"id": "b"}\n'
        '{"id": "c", "text": "ساری- ۲۰ میلیارد ریال برای محله‌های ساری تخصیص یافت.", "published": "not a date"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["extract", str(article), str(lines)])
    assert result.exit_code == 1
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["kerman-01", "a"]
    assert {"id", "province", "relevant", "relevance", "topics", "facts"} <= set(out[0])
    counts = [f for f in out[0]["facts"] if f["type"] == "neighbourhood_count"]
    assert counts[0]["value"] == 65 and counts[0]["province"] == "کرمان"
    text = article.read_text(encoding="utf-8")
    assert text[counts[0]["span"][0] : counts[0]["span"][1]] == "۶۵"
    assert f"{lines}, line 2: invalid JSON" in result.stderr
    assert f"{lines}, line 3, field 'text'" in result.stderr
    assert f"{lines}, line 4, field 'published'" in result.stderr
    assert "Traceback" not in result.output


def test_cli_extract_rejects_unknown_file_kinds(tmp_path: Path) -> None:
    other = tmp_path / "a.csv"
    other.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(other)])
    assert result.exit_code == 1 and "expected a .txt or .jsonl" in result.stderr


def test_cli_eval_scores_predictions_and_enforces_floors(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "g1.txt").write_text("یزد- ۱۲ محله در یزد شناسایی شد.", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "id": "g1",
                "file": "articles/g1.txt",
                "relevant": True,
                "province": "یزد",
                "facts": [
                    {"type": "neighbourhood_count", "value": 12, "province": "یزد", "approx": None},
                    {"type": "percentage", "value": 40, "province": "یزد", "approx": None},
                ],
                "acceptable": [],
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    preds = tmp_path / "preds.jsonl"
    preds.write_text(
        json.dumps(
            {"id": "g1", "relevant": True, "facts": [{"type": "neighbourhood_count", "value": 12, "province": "يزد"}]},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    floors = tmp_path / "floors.json"
    floors.write_text('{"recall": {"percentage": 0.5}}', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(gold), str(preds), "--errors", "--floors", str(floors)])
    assert result.exit_code == 1
    assert "neighbourhood_count" in result.stdout and '"kind": "fn"' in result.stdout
    assert "floor crossed: percentage: recall 0.000" in result.stderr


def test_cli_eval_bad_gold_names_file_and_line(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "x", "file": "nope.txt", "facts": []}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["eval", str(gold)])
    assert result.exit_code == 2 and str(gold) in result.stderr and "Traceback" not in result.output


def test_cli_extract_spans_index_a_crlf_file(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes("یزد- خبر اول.\r\n۱۲ محله در یزد شناسایی شد.\r\n".encode())
    result = runner.invoke(app, ["extract", str(path)])
    assert result.exit_code == 0, result.stderr
    raw = path.read_bytes().decode("utf-8")
    (count,) = [f for f in json.loads(result.stdout)["facts"] if f["type"] == "neighbourhood_count"]
    assert raw[count["span"][0] : count["span"][1]] == "۱۲"


def test_cli_extract_title_does_not_hide_the_dateline(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(
        json.dumps({"id": "x", "title": "خبر محله‌ها", "text": "اهواز- ایرنا- ۵ محله شناسایی شد."}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["extract", str(path)])
    assert json.loads(result.stdout)["province"] == "خوزستان"


def test_cli_extract_unknown_model_folder_is_an_error(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("۱۲ محله", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(article), "--model", str(tmp_path / "none")])
    assert result.exit_code == 2 and "no saved pipeline" in result.stderr
