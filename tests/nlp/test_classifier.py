from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.preprocessing import FunctionTransformer

from mahalle_news.errors import DataError, InputError
from mahalle_news.nlp.classifier import (
    CARD_FILE,
    META_FILE,
    MODEL_FILE,
    TOPICS,
    ArticleClassifier,
    default_model_dir,
    load_default,
    read_corpus,
    train_classifier,
)

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus" / "classifier" / "articles.jsonl"

# Short articles written for these tests (not taken from the corpus or any website).
NEIGHBOURHOOD = (
    "با آغاز عملیات اجرایی طرح ملی ۲۰۲۰ محله در محلات کم‌برخوردار شهر، نوسازی خانه‌های فرسوده، ساخت سرای محله "
    "و بهسازی کوچه‌ها با مشارکت ساکنان در دستور کار قرار گرفت. به گفته دبیر ستاد بازآفرینی شهری استان، "
    "برای این محله‌ها ۱۲۰ میلیارد ریال اعتبار در نظر گرفته شده است."
)
FOOTBALL = (
    "در هفته دهم لیگ برتر فوتبال، تیم میزبان در ورزشگاه شهر با یک گل از سد مهمان گذشت. سرمربی تیم پس از بازی "
    "گفت بازیکنان با وجود گرمای هوا تا دقیقه پایانی جنگیدند و تشویق هواداران در این پیروزی نقش داشت."
)
ASPHALT = (
    "معاون عمرانی استانداری از آغاز روکش آسفالت ۴۵ کیلومتر از جاده بین‌شهری دو شهرستان خبر داد و گفت برای این "
    "پروژه ۸۰ میلیارد ریال از محل بودجه سفرهای استانی اختصاص یافته است. به گفته وی، با پایان کار ایمنی تردد "
    "خودروهای سنگین در این محور بیشتر می‌شود."
)
MINE = [NEIGHBOURHOOD, FOOTBALL, ASPHALT, "", "سلام"]


def _subset_lines(per_topic: int) -> list[str]:
    """Corpus lines: the first ``per_topic`` articles of every topic and of each relevance class."""
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is absent: the classifier corpus is needed to train")
    lines = [line for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [json.loads(line) for line in lines]
    chosen: set[int] = set()
    for topic in TOPICS:
        chosen.update([i for i, row in enumerate(rows) if topic in row["topics"]][:per_topic])
    for value in (True, False):
        chosen.update([i for i, row in enumerate(rows) if row["relevant"] is value][:per_topic])
    return [lines[i] for i in sorted(chosen)]


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "small.jsonl"
    path.write_text("\n".join(_subset_lines(per_topic=6)) + "\n", encoding="utf-8")
    return path


def test_classifier_save_load_roundtrip(small_corpus: Path, tmp_path: Path) -> None:
    articles = read_corpus(small_corpus)
    model = ArticleClassifier.fit(
        [a.text for a in articles], [a.relevant for a in articles], [a.topics for a in articles]
    )
    model.save(tmp_path / "model")
    assert (tmp_path / "model" / MODEL_FILE).is_file()
    meta = json.loads((tmp_path / "model" / META_FILE).read_text(encoding="utf-8"))
    assert meta["labels"] == list(TOPICS) and meta["threshold"] == model.threshold

    loaded = ArticleClassifier.load(tmp_path / "model")
    texts = [a.text for a in articles[:10]] + MINE
    assert loaded.predict_many(texts) == model.predict_many(texts)
    assert loaded.predict(NEIGHBOURHOOD) == model.predict(NEIGHBOURHOOD)
    assert loaded.labels == TOPICS and loaded.threshold == model.threshold


def test_classifier_separates_relevant_from_irrelevant() -> None:
    model = load_default()
    if model is None:
        pytest.skip(f"no committed classifier in {default_model_dir()}: run train_classifier() to create it")
    relevant, football, asphalt = model.predict_many([NEIGHBOURHOOD, FOOTBALL, ASPHALT])
    assert relevant.relevant and relevant.relevance > 0.5
    assert not football.relevant and football.relevance < 0.5
    assert not asphalt.relevant and asphalt.relevance < 0.5
    assert relevant.relevance > max(football.relevance, asphalt.relevance) + 0.3
    assert "ورزش" in football.topics
    for result in (relevant, football, asphalt):
        assert 1 <= len(result.topics) <= 3 and set(result.topics) <= set(TOPICS)


def test_classifier_training_is_reproducible(small_corpus: Path, tmp_path: Path) -> None:
    first = train_classifier(small_corpus, tmp_path / "a")
    second = train_classifier(small_corpus, tmp_path / "b")
    assert first == second
    for name in (META_FILE, CARD_FILE):
        assert (tmp_path / "a" / name).read_text(encoding="utf-8") == (tmp_path / "b" / name).read_text(
            encoding="utf-8"
        )
    a, b = ArticleClassifier.load(tmp_path / "a"), ArticleClassifier.load(tmp_path / "b")
    assert np.array_equal(a.relevance.coef_, b.relevance.coef_)
    for left, right in zip(a.topics.estimators_, b.topics.estimators_, strict=True):
        assert np.array_equal(left.coef_, right.coef_)
    texts = [NEIGHBOURHOOD, FOOTBALL, ASPHALT]
    assert a.predict_many(texts) == b.predict_many(texts)
    card = (tmp_path / "a" / CARD_FILE).read_text(encoding="utf-8")
    assert "Relevance ROC AUC" in card and "Topics macro F1" in card


@pytest.mark.parametrize(
    ("bad_line", "field"),
    [
        ('{"id": "x2", "relevant": tru', None),
        ('{"id": "x2", "province": "یزد", "relevant": "yes", "topics": ["ورزش"], "text": "متن"}', "relevant"),
        ('{"id": "x2", "province": "یزد", "relevant": true, "topics": ["سیاست"], "text": "متن"}', "topics"),
    ],
)
def test_classifier_bad_corpus_line_names_file_and_line(tmp_path: Path, bad_line: str, field: str | None) -> None:
    good = {"id": "x1", "province": "یزد", "relevant": True, "topics": ["مسکن"], "text": "نوسازی خانه‌های محله"}
    corpus = tmp_path / "broken_corpus.jsonl"
    corpus.write_text(json.dumps(good, ensure_ascii=False) + "\n" + bad_line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        train_classifier(corpus, tmp_path / "out")
    message = str(info.value)
    assert "broken_corpus.jsonl" in message and "line 2" in message
    if field is not None:
        assert repr(field) in message
    assert not (tmp_path / "out").exists()


class Intruder:
    """Not a type a classifier is made of."""

    def __init__(self) -> None:
        self.payload = "نباید بارگذاری شود"


@pytest.mark.parametrize(
    ("obj", "type_name"),
    [
        ({"features": Intruder()}, "Intruder"),
        ({"features": FunctionTransformer(func=eval)}, "builtins.eval"),
    ],
)
def test_classifier_refuses_untrusted_types(tmp_path: Path, obj: object, type_name: str) -> None:
    sio.dump(obj, tmp_path / MODEL_FILE)
    (tmp_path / META_FILE).write_text(json.dumps({"format_version": 1, "threshold": 0.4, "labels": list(TOPICS)}))
    with pytest.raises(DataError, match="allow-list") as info:
        ArticleClassifier.load(tmp_path)
    assert type_name in str(info.value) and MODEL_FILE in str(info.value)


def test_classifier_missing_files_are_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing"):
        ArticleClassifier.load(tmp_path)
