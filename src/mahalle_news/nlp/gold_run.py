"""Running the extractor over gold files and scoring it: what ``mahalle-news eval`` and the CI gate share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mahalle_news.errors import InputError, Location
from mahalle_news.nlp.classifier import load_default
from mahalle_news.nlp.evaluate import EvalReport, GoldArticle, load_gold, score
from mahalle_news.nlp.inputs import iter_jsonl, parse_date
from mahalle_news.nlp.pipeline import extract_many, load_pipeline


def gold_files(path: Path) -> list[Path]:
    """A gold file, or every ``gold.jsonl`` below a folder."""
    if path.is_dir():
        files = sorted(path.rglob("gold.jsonl"))
        if not files:
            raise InputError("no gold.jsonl below this folder", location=Location(str(path)))
        return files
    if not path.exists():
        raise InputError("no such file", location=Location(str(path)))
    return [path]


def load_all_gold(path: Path) -> list[GoldArticle]:
    articles: list[GoldArticle] = []
    for file in gold_files(path):
        articles.extend(load_gold(file))
    return articles


def claimed_facts(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The facts an ``extract`` line claims as domain facts: none when the classifier judged the article
    irrelevant (its facts are still in the output, with ``relevant: false``, for whoever wants them)."""
    return [] if result.get("relevant") is False else list(result.get("facts") or [])


def extract_gold(articles: list[GoldArticle], model: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    nlp = load_pipeline(model)
    classifier = load_default()
    items = ((a.id, a.text, parse_date(a.published, Location(str(a.file), field="published"))) for a in articles)
    return {r.id: claimed_facts(r.to_dict()) for r in extract_many(nlp, items, classifier=classifier)}


def predictions_from_files(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """``extract`` output lines: id → facts. A bad line is an error naming file and line."""
    out: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        for n, obj in iter_jsonl(path):
            if isinstance(obj, InputError):
                raise obj
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                raise InputError("expected an object with a string id", location=Location(str(path), n, "id"))
            if not isinstance(obj.get("facts"), list):
                raise InputError("missing or not a list", location=Location(str(path), n, "facts"))
            if obj["id"] in out:
                raise InputError(f"article {obj['id']!r} is predicted twice", location=Location(str(path), n, "id"))
            out[obj["id"]] = claimed_facts(obj)
    return out


def run_gold(
    gold: Path, predictions: dict[str, list[dict[str, Any]]] | None = None, model: Path | None = None
) -> EvalReport:
    articles = load_all_gold(gold)
    return score(articles, predictions if predictions is not None else extract_gold(articles, model))


def load_floors(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such file", location=Location(str(path))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot be read as UTF-8 JSON ({exc.__class__.__name__})", location=Location(str(path))
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", location=Location(str(path), exc.lineno)) from None
    if not isinstance(data, dict):
        raise InputError("expected an object", location=Location(str(path)))
    return data
