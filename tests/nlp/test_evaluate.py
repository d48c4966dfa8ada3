from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mahalle_news.errors import InputError
from mahalle_news.nlp.evaluate import (
    FACT_TYPES,
    EvalReport,
    GoldArticle,
    TypeScore,
    check_floors,
    fold_key,
    load_gold,
    program_key,
    score,
    unit_head,
)

REPO = Path(__file__).resolve().parents[2]
SEED_GOLD = REPO.parent / "shared" / "seeds" / "gold.jsonl"
CORPUS_GOLD = [REPO / "corpus" / "gold" / "part_a" / "gold.jsonl", REPO / "corpus" / "gold" / "part_b" / "gold.jsonl"]

Fact = dict[str, Any]


def _article(facts: list[Fact], acceptable: list[Fact] | None = None, article_id: str = "t1") -> GoldArticle:
    return GoldArticle(
        id=article_id,
        file=Path("unused.txt"),
        published=None,
        province="البرز",
        relevant=True,
        facts=facts,
        acceptable=acceptable or [],
    )


def _counts(gold: list[GoldArticle], predictions: dict[str, list[Fact]]) -> tuple[int, int, int]:
    micro = score(gold, predictions).micro
    return micro.tp, micro.fp, micro.fn


def _count(value: object, province: str = "البرز", kind: str = "neighbourhood_count") -> Fact:
    return {"type": kind, "value": value, "province": province, "approx": None}


def _quantity(value: int, unit: str) -> Fact:
    return {"type": "quantity", "value": value, "unit": unit, "province": "البرز"}


def _budget(rials: object, province: str = "البرز") -> Fact:
    return {"type": "budget", "rials": rials, "province": province}


def _program(name: str) -> Fact:
    return {"type": "program", "name": name, "province": "کشور"}


def _official(name: str) -> Fact:
    return {"type": "official", "name": name, "role": "استاندار البرز"}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("محله\u200cمحور", "محلهمحور"),  # ZWNJ
        ("محله محور", "محلهمحور"),  # space
        ("شوراي كرامت", "شورای کرامت"),  # Arabic yeh and kaf
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("۲۰۲۰ محله", "2020 محله"),  # Persian digits
        ("٢٠٢٠ محله", "2020 محله"),  # Arabic-Indic digits
        ("«طرح کرامت»", "طرح کرامت"),  # guillemets
    ],
)
def test_evaluate_fold_key_ignores_spelling_variants(a: str, b: str) -> None:
    assert fold_key(a) == fold_key(b)


def test_evaluate_program_key_and_unit_head() -> None:
    assert program_key("طرح ملی ۲۰۲۰ محله") == fold_key("ملی 2020 محله")
    assert program_key("طرح") == "طرح"
    assert unit_head("«شورای» پیشرفت محله") == "شورای"


@pytest.mark.parametrize(
    ("gold", "pred", "match"),
    [
        (_count(67), _count(67), True),
        (_count(67), _count(67.0), True),
        (_count(67), _count("۶۷"), True),  # a numeric string with Persian digits
        (_count(67), _count(76), False),
        (_count(67, "کرمانشاه"), _count(67, "كرمانشاه"), True),  # Arabic kaf in the province
        (_count(67, "آذربایجان شرقی"), _count(67, "آذربایجان\u200cشرقی"), True),
        (_count(67, "البرز"), _count(67, "تهران"), False),
        (_count(67), {**_count(67), "province": None}, False),
        (_count(67), _count(67, kind="population"), False),
        (_count(380000, kind="population"), _count(380000, kind="population"), True),
        (_count(12.5, kind="percentage"), _count(12.5000000001, kind="percentage"), True),
        (_count(12.5, kind="percentage"), _count(12.6, kind="percentage"), False),
        (_count(30, kind="percentage"), _count(30.0, kind="percentage"), True),
    ],
)
def test_evaluate_count_rules(gold: Fact, pred: Fact, match: bool) -> None:
    expected = (1, 0, 0) if match else (0, 1, 1)
    assert _counts([_article([gold])], {"t1": [pred]}) == expected


@pytest.mark.parametrize(
    ("gold_unit", "pred_unit", "value", "match"),
    [
        ("شورای پیشرفت محله", "شورای پیشرفت محله", 85, True),
        ("شورای پیشرفت محله", "شورای محلات", 85, True),  # first word shared
        ("شورای پیشرفت محله", "شوراي اسلامی", 85, True),  # Arabic yeh folded
        ("شورای پیشرفت محله", "«شورای» پیشرفت", 85, True),  # punctuation dropped from the first word
        ("دفتر تسهیلگری", "دفاتر تسهیلگری", 85, False),  # the first words differ
        ("دفتر تسهیلگری", "تسهیلگری", 85, False),
        ("شورای پیشرفت محله", "شورای\u200cپیشرفت محله", 85, False),  # a ZWNJ keeps «شورای‌پیشرفت» one word
        ("شورای پیشرفت محله", "شورای پیشرفت محله", 58, False),
    ],
)
def test_evaluate_quantity_unit_first_word(gold_unit: str, pred_unit: str, value: int, match: bool) -> None:
    expected = (1, 0, 0) if match else (0, 1, 1)
    assert _counts([_article([_quantity(85, gold_unit)])], {"t1": [_quantity(value, pred_unit)]}) == expected


@pytest.mark.parametrize(
    ("gold_name", "pred_name", "match"),
    [
        ("طرح کرامت", "طرح کرامت", True),
        ("طرح کرامت", "کرامت", True),
        ("کرامت", "طرح کرامت", True),
        ("طرح ملی ۲۰۲۰ محله", "ملی 2020 محله", True),
        ("طرح ملی ۲۰۲۰ محله", "۲۰۲۰ محله", True),  # the prediction is contained in gold
        ("دفاتر تسهیلگری", "دفاتر تسهیلگری محلات", True),  # gold is contained in the prediction
        ("طرح اقدام مدیریت محله\u200cمحور", "اقدام مديريت محلهمحور", True),
        ("طرح کرامت", "طرح بازآفرینی شهری", False),
        ("طرح کرامت", "طرح", False),  # a bare «طرح» is not dropped, and «طرح» is not in «کرامت»
        ("طرح نهضت ملی مسکن", "طرح ملی ۲۰۲۰ محله", False),
    ],
)
def test_evaluate_program_containment(gold_name: str, pred_name: str, match: bool) -> None:
    expected = (1, 0, 0) if match else (0, 1, 1)
    assert _counts([_article([_program(gold_name)])], {"t1": [_program(pred_name)]}) == expected


@pytest.mark.parametrize(
    ("gold", "pred", "match"),
    [
        (_budget(20_000_000_000), _budget(20_000_000_000), True),
        (_budget(20_000_000_000), _budget(2e10), True),
        (_budget(20_000_000_000), _budget(2_000_000_000), False),  # toman read as rial
        (_budget(20_000_000_000), _budget(20_000_000_000, "كرمان"), False),  # another province
        (_budget(20_000_000_000, "كرمانشاه"), _budget(20_000_000_000, "کرمانشاه"), True),
        (_budget(20_000_000_000), {"type": "budget", "province": "البرز"}, False),  # no rials
    ],
)
def test_evaluate_budget_rials(gold: Fact, pred: Fact, match: bool) -> None:
    expected = (1, 0, 0) if match else (0, 1, 1)
    assert _counts([_article([gold])], {"t1": [pred]}) == expected


@pytest.mark.parametrize(
    ("gold_name", "pred_name", "match"),
    [
        ("علیرضا گودرزی", "علی\u200cرضا گودرزي", True),
        ("یوسف نیک‌پور", "يوسف نيكپور", True),
        ("علیرضا گودرزی", "گودرزی", False),
    ],
)
def test_evaluate_official_folded_name(gold_name: str, pred_name: str, match: bool) -> None:
    expected = (1, 0, 0) if match else (0, 1, 1)
    assert _counts([_article([_official(gold_name)])], {"t1": [_official(pred_name)]}) == expected


@pytest.mark.parametrize(
    ("preds", "expected"),
    [
        ([_count(10), _count(2020, "کشور")], (1, 0, 0)),  # the acceptable trap costs nothing
        ([_count(10), _count(500), _count(700)], (1, 0, 0)),  # both ends of an acceptable range
        ([_count(10), _count(2020)], (1, 1, 0)),  # 2020 for the wrong province is still wrong
        ([_count(500)], (0, 0, 1)),
    ],
)
def test_evaluate_acceptable_entries_cost_nothing(preds: list[Fact], expected: tuple[int, int, int]) -> None:
    gold = _article([_count(10)], acceptable=[_count(2020, "کشور"), _count(500), _count(700)])
    assert _counts([gold], {"t1": preds}) == expected


@pytest.mark.parametrize(
    ("gold_facts", "preds", "expected"),
    [
        ([_count(10)], [_count(10), {**_count("۱۰"), "span": [4, 11]}], (1, 0, 0)),  # «۱۰ محله» … «ده محله»
        ([_program("طرح کرامت")], [_program("طرح کرامت"), _program("كرامت")], (1, 0, 0)),
        ([_quantity(7, "موسسه تسهیلگری")], [_quantity(7, "موسسه تسهیلگری"), _quantity(7, "موسسه")], (1, 0, 0)),
        ([], [_count(99), _count(99.0)], (0, 1, 0)),  # a wrong fact stated twice is one false positive
        # not the same key: the second prediction finds the gold fact taken and is a false positive
        ([_program("طرح کرامت")], [_program("کرامت"), _program("کرامت محله")], (1, 1, 0)),
    ],
)
def test_evaluate_duplicates_counted_once(
    gold_facts: list[Fact], preds: list[Fact], expected: tuple[int, int, int]
) -> None:
    assert _counts([_article(gold_facts)], {"t1": preds}) == expected


def test_evaluate_exact_matches_are_preferred() -> None:
    gold = _article([_program("طرح ملی ۲۰۲۰ محله"), _program("محله")])
    # «محله» is contained in both gold names: it must take its exact twin and leave the long name to the other
    assert _counts([gold], {"t1": [_program("محله"), _program("ملی ۲۰۲۰ محله")]}) == (2, 0, 0)
    assert _counts([gold], {"t1": [_program("ملی ۲۰۲۰ محله"), _program("محله")]}) == (2, 0, 0)
    # no exact pair: «۲۰۲۰ محله» fits both gold names, «ملی» only the long one; a maximum matching finds both
    assert _counts([gold], {"t1": [_program("۲۰۲۰ محله"), _program("ملی")]}) == (2, 0, 0)


def test_evaluate_missing_article_predicts_nothing() -> None:
    gold = [_article([_count(10), _budget(5_000_000_000)]), _article([], article_id="t2")]
    report = score(gold, {"elsewhere": [_count(3)]})
    assert (report.micro.tp, report.micro.fp, report.micro.fn) == (0, 0, 2)
    assert (report.micro.precision, report.micro.recall, report.micro.f1) == (0.0, 0.0, 0.0)
    assert [e.kind for e in report.errors] == ["fn", "fn"]
    assert report.unknown_articles == ["elsewhere"]
    assert report.per_type["official"].to_dict() == {
        "tp": 0,
        "fp": 0,
        "fn": 0,
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
    }


@pytest.mark.parametrize(
    ("tp", "fp", "fn", "p", "r", "f1"),
    [
        (0, 0, 0, 1.0, 1.0, 1.0),
        (0, 0, 3, 0.0, 0.0, 0.0),
        (0, 2, 0, 0.0, 0.0, 0.0),
        (3, 1, 2, 0.75, 0.6, 2 * 0.75 * 0.6 / 1.35),
    ],
)
def test_evaluate_metric_definitions(tp: int, fp: int, fn: int, p: float, r: float, f1: float) -> None:
    row = TypeScore(tp, fp, fn)
    assert (row.precision, row.recall, row.f1) == pytest.approx((p, r, f1))


ARTICLE_1 = (
    "استاندار البرز گفت: در قالب طرح ملی ۲۰۲۰ محله، ۶۷ محله كم‌برخوردار استان با اعتبار ۲۰ میلیارد ریال "
    "ساماندهی می‌شود. این ۶۷ محله حدود ۳۰ درصد جمعیت شهری را در خود جای داده‌اند."
)
ARTICLE_2 = "مدیرکل امور اجتماعی استانداری کرمان از تشکیل ۱۲ شورای پیشرفت محله در این استان خبر داد."


def _write_gold(folder: Path) -> Path:
    (folder / "texts").mkdir()
    (folder / "texts" / "x1.txt").write_text(ARTICLE_1, encoding="utf-8")
    (folder / "texts" / "x2.txt").write_text(ARTICLE_2, encoding="utf-8")
    records = [
        {
            "id": "x1",
            "file": "texts/x1.txt",
            "published": "2025-04-10",
            "source": "ایرنا",
            "relevant": True,
            "province": "البرز",
            "facts": [
                _program("طرح ملی ۲۰۲۰ محله"),
                _count(67),
                _budget(20_000_000_000),
                _count(30, kind="percentage"),
            ],
            "acceptable": [_count(2020, "کشور")],
            "notes": "۶۷ محله twice = one fact",
        },
        {
            "id": "x2",
            "file": "texts/x2.txt",
            "published": None,
            "source": "مهر",
            "relevant": True,
            "province": "کرمان",
            "facts": [{"type": "quantity", "value": 12, "unit": "شورای پیشرفت محله", "province": "کرمان"}],
            "acceptable": [],
            "notes": "",
        },
    ]
    path = folder / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n", encoding="utf-8")
    return path


def test_evaluate_load_gold_resolves_files(tmp_path: Path) -> None:
    gold = load_gold(_write_gold(tmp_path))
    assert [a.id for a in gold] == ["x1", "x2"]
    assert gold[0].file == tmp_path / "texts" / "x1.txt"
    assert gold[0].text == ARTICLE_1
    assert (gold[0].published, gold[1].published) == ("2025-04-10", None)
    assert (gold[1].province, gold[1].relevant, len(gold[0].facts), len(gold[0].acceptable)) == ("کرمان", True, 4, 1)


def test_evaluate_per_type_and_micro_numbers(tmp_path: Path) -> None:
    gold = load_gold(_write_gold(tmp_path))
    predictions: dict[str, list[Fact]] = {
        "x1": [
            {**_program("طرح ملی ۲۰۲۰ محله"), "confidence": 0.9},  # tp
            {**_count(67), "span": [50, 57], "sentence": 0},  # tp
            {**_count(67), "span": [120, 127], "sentence": 1},  # the same fact again: ignored
            _count(2020, "کشور"),  # acceptable: ignored
            _budget(2_000_000_000),  # fp (toman read as rial) and the budget is a fn
            _count(31, kind="percentage"),  # fp, and 30% is a fn
            _official("مجتبی عبداللهی"),  # fp
        ],
        # x2: «شوراهای» is another first word: fp + fn
        "x2": [{"type": "quantity", "value": 12, "unit": "شوراهای پیشرفت", "province": "کرمان"}],
    }
    report = score(gold, predictions)
    rows = {t: (r.tp, r.fp, r.fn) for t, r in report.per_type.items()}
    assert rows == {
        "neighbourhood_count": (1, 0, 0),
        "budget": (0, 1, 1),
        "program": (1, 0, 0),
        "official": (0, 1, 0),
        "population": (0, 0, 0),
        "percentage": (0, 1, 1),
        "quantity": (0, 1, 1),
    }
    micro = report.row("all")
    assert (micro.tp, micro.fp, micro.fn) == (2, 4, 3)
    assert (micro.precision, micro.recall) == pytest.approx((2 / 6, 2 / 5))
    assert micro.f1 == pytest.approx(2 * (1 / 3) * 0.4 / (1 / 3 + 0.4))
    assert report.per_type["official"].precision == 0.0 and report.per_type["official"].recall == 0.0
    kinds = sorted((e.article, e.kind, e.fact["type"]) for e in report.errors)
    assert kinds == [
        ("x1", "fn", "budget"),
        ("x1", "fn", "percentage"),
        ("x1", "fp", "budget"),
        ("x1", "fp", "official"),
        ("x1", "fp", "percentage"),
        ("x2", "fn", "quantity"),
        ("x2", "fp", "quantity"),
    ]
    table = report.table().splitlines()
    assert table[0].split() == ["type", "tp", "fp", "fn", "P", "R", "F1"]
    assert table[-1].split() == ["all", "2", "4", "3", "0.333", "0.400", "0.364"]
    assert len({len(line) for line in table}) == 1  # aligned
    as_dict = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert as_dict["all"]["tp"] == 2 and set(as_dict["types"]) == set(FACT_TYPES) and len(as_dict["errors"]) == 7


def test_evaluate_unknown_predicted_type_is_a_false_positive() -> None:
    report = score([_article([])], {"t1": [{"type": "date", "value": "1404"}, {"value": 3}]})
    assert (report.per_type["date"].fp, report.per_type["?"].fp, report.micro.fp) == (1, 1, 2)


GOOD: dict[str, Any] = {
    "id": "g1",
    "file": "a.txt",
    "published": None,
    "province": "البرز",
    "relevant": True,
    "facts": [],
}


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ('{"id": "g2", "facts": [', None, "invalid JSON"),
        ("[1, 2]", None, "JSON object"),
        (json.dumps({**GOOD, "id": None}), "id", "'id'"),
        (json.dumps({k: v for k, v in {**GOOD, "id": "g2"}.items() if k != "facts"}), "facts", "missing 'facts'"),
        (json.dumps({**GOOD, "id": "g2", "facts": [{"value": 3}]}), "facts[0].type", "no 'type'"),
        (json.dumps({**GOOD, "id": "g2", "facts": [{"type": "date"}]}), "facts[0].type", "unknown fact type"),
        (json.dumps({**GOOD, "id": "g2", "facts": [_count(3), _count("3")]}), "facts[1].value", "number"),
        (json.dumps({**GOOD, "id": "g2", "acceptable": [{"type": "program"}]}), "acceptable[0].name", "string"),
        (json.dumps({**GOOD, "id": "g2", "file": "missing.txt"}), "file", "does not exist"),
        (json.dumps(GOOD), "id", "duplicate id"),
    ],
)
def test_evaluate_bad_gold_line_raises_input_error(tmp_path: Path, line: str, field: str | None, message: str) -> None:
    (tmp_path / "a.txt").write_text("متن", encoding="utf-8")
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=message) as info:
        load_gold(path)
    assert info.value.location is not None
    assert (info.value.location.file, info.value.location.line, info.value.location.field) == (str(path), 2, field)
    assert str(info.value).startswith(f"{path}, line 2")


def test_evaluate_missing_gold_file_raises_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read gold file"):
        load_gold(tmp_path / "nope.jsonl")


def _report_with_counts() -> EvalReport:
    gold = _article([_count(10), _count(20), _program("طرح کرامت")])
    return score([gold], {"t1": [_count(10), _count(30), _program("کرامت")]})  # count P=R=0.5, program 1.0


@pytest.mark.parametrize(
    ("floors", "violations"),
    [
        ({"f1": {"program": 0.9, "neighbourhood_count": 0.5}}, []),
        ({"f1": {"neighbourhood_count": 0.9}}, ["neighbourhood_count: f1 0.500 is below the floor 0.900"]),
        (
            {"precision": {"all": 0.7}, "recall": {"program": 1.0, "all": 0.6}},
            ["all: precision 0.667 is below the floor 0.700"],
        ),
        ({}, []),
    ],
)
def test_evaluate_check_floors_messages(floors: dict[str, dict[str, float]], violations: list[str]) -> None:
    assert check_floors(_report_with_counts(), floors) == violations


@pytest.mark.parametrize(
    ("floors", "field"),
    [
        ({"accuracy": {"all": 0.5}}, "accuracy"),
        ({"f1": 0.9}, "f1"),
        ({"f1": {"dates": 0.9}}, "f1.dates"),
        ({"f1": {"all": 1.5}}, "f1.all"),
        ({"f1": {"all": "high"}}, "f1.all"),
    ],
)
def test_evaluate_check_floors_rejects_malformed_floors(floors: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as info:
        check_floors(_report_with_counts(), floors)
    assert info.value.location is not None and info.value.location.field == field


def _assert_perfect_self_score(path: Path) -> None:
    gold = load_gold(path)
    assert gold, f"{path} holds no articles"
    report = score(gold, {a.id: [*a.facts, *a.acceptable] for a in gold})
    for name in (*FACT_TYPES, "all"):
        row = report.row(name)
        assert (row.precision, row.recall, row.f1) == (1.0, 1.0, 1.0), (name, row, report.errors[:3])
    assert report.errors == []


def test_evaluate_seed_gold_scores_perfectly_against_itself() -> None:
    if not SEED_GOLD.exists():
        pytest.skip(f"{SEED_GOLD} is absent: the seeds live in ../shared beside the checkout")
    _assert_perfect_self_score(SEED_GOLD)


@pytest.mark.parametrize("path", CORPUS_GOLD, ids=["part_a", "part_b"])
def test_evaluate_corpus_gold_scores_perfectly_against_itself(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is absent from this checkout")
    _assert_perfect_self_score(path)
