"""hazm's tables and word lists read without importing hazm: equal to hazm's own, and cheap to load."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mahalle_news.errors import DataError
from mahalle_news.text import hazm_data
from mahalle_news.text.normalize import _char_class_chars, hazm_normalizer


def _hazm_table_chars() -> list[str]:
    t = hazm_data.tables()
    chars = set(t.translation_src) | set(t.numbers_src)
    for pattern, _ in t.diacritics_patterns + t.special_chars_patterns:
        chars |= set(_char_class_chars(pattern))
    for old, _ in t.unicode_replacements:
        chars |= set(old)
    return sorted(chars)


def test_hazm_data_normalize_chars_equals_hazm_on_every_table_character() -> None:
    chars = _hazm_table_chars()
    assert len(chars) > 100
    reference = hazm_normalizer()
    differing = [(c, hazm_data.normalize_chars(c), reference.normalize(c)) for c in chars]
    assert [d for d in differing if d[1] != d[2]] == []


@pytest.mark.parametrize(
    "text",
    [
        "اِعلام كرد: ۱۲ و 34 و ٥٦ درصد ﷲ ﷼ كتابخانهٔ يزد",
        "ﻻزم است «طرح كرامت» در ۲۰۲۰ محله اجرا شود؛ بودجه: ۳٫۵ همت!",
        "مُحَلّه‌های كم‌برخوردار ـــ ﷺ ۱۴۰۳/۰۱/۲۱",
    ],
)
def test_hazm_data_normalize_chars_equals_hazm_on_sentences(text: str) -> None:
    assert hazm_data.normalize_chars(text) == hazm_normalizer().normalize(text)


def test_hazm_data_word_lists_equal_hazm_utils() -> None:
    from hazm.utils import verbs_list, words_list

    assert list(hazm_data.words()) == words_list()
    assert list(hazm_data.verb_roots()) == verbs_list()


def test_hazm_data_tables_equal_hazm_constants() -> None:
    from hazm import constants

    t = hazm_data.tables()
    assert t.translation_src == constants.TRANSLATION_SRC
    assert t.numbers_dst == constants.NUMBERS_DST
    assert list(t.diacritics_patterns) == list(constants.DIACRITICS_PATTERNS)
    assert list(t.unicode_replacements) == list(constants.UNICODE_REPLACEMENTS)


def test_hazm_data_normalising_imports_no_heavy_package() -> None:
    """The point of the module: normalising text (and starting the API) must not pull in hazm's package, nltk,
    SciPy, scikit-learn or spaCy. Checked in a fresh interpreter, since this one has imported them."""
    code = (
        "import json, sys\n"
        "from mahalle_news.text.normalize import normalize, fold\n"
        "import mahalle_news.web.app\n"
        "normalize('اِعلام كرد ﷲ ﻻزم محلهمحور ۱۲ 34')\n"
        "fold('كم برخوردار')\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out))
    assert loaded.isdisjoint({"hazm", "nltk", "scipy", "sklearn", "spacy", "thinc"}), sorted(
        loaded & {"hazm", "nltk", "scipy", "sklearn", "spacy", "thinc"}
    )


def test_hazm_data_missing_file_is_a_data_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    monkeypatch.setattr(hazm_data, "hazm_dir", lambda: tmp_path)
    with pytest.raises(DataError, match=r"words\.dat: cannot read hazm's word list"):
        list(hazm_data.words())
    (tmp_path / "data" / "words.dat").write_text("آب\tبسیار\tN\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"words\.dat line 1: frequency 'بسیار' is not a number"):
        list(hazm_data.words())
