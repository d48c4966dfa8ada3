from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import spacy

from mahalle_news.errors import DataError
from mahalle_news.nlp.pipeline import COMPONENTS, build_pipeline, extract, load_pipeline

TEXT = "کرمان- محمدعلی طالبی استاندار کرمان گفت: طرح کرامت در ۶۵ محله با ۲۰ میلیارد ریال اجرا می‌شود."


def test_pipeline_has_our_components_in_order() -> None:
    assert build_pipeline().pipe_names == list(COMPONENTS)


def test_pipeline_roundtrips_through_disk(tmp_path: Path) -> None:
    nlp = build_pipeline()
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.pipe_names == nlp.pipe_names
    a = [f.to_dict() for f in extract(nlp, TEXT, published=dt.date(2025, 1, 1)).facts]
    b = [f.to_dict() for f in extract(loaded, TEXT, published=dt.date(2025, 1, 1)).facts]
    assert a == b and a


def test_pipeline_patterns_are_data_that_travels_with_it(tmp_path: Path) -> None:
    nlp = build_pipeline()
    nlp.to_disk(tmp_path / "p")
    programs = tmp_path / "p" / "mahalle_programs" / "programs.tsv"
    programs.write_text(programs.read_text(encoding="utf-8") + "طرح آزمایشی ما\tپویش آزمایشی\n", encoding="utf-8")
    loaded = load_pipeline(tmp_path / "p")
    facts = extract(loaded, "در پویش آزمایشی ۵ محله شرکت کردند.").facts
    assert "طرح آزمایشی ما" in [f.fields.get("name") for f in facts]


def test_pipeline_missing_data_file_is_a_clear_error(tmp_path: Path) -> None:
    nlp = build_pipeline()
    nlp.to_disk(tmp_path / "p")
    (tmp_path / "p" / "mahalle_officials" / "roles.txt").unlink()
    with pytest.raises(DataError, match=r"roles\.txt"):
        load_pipeline(tmp_path / "p")


def test_pipeline_spans_are_exposed_on_the_doc() -> None:
    from mahalle_news.nlp.pipeline import make_doc

    nlp = build_pipeline()
    doc = make_doc(nlp, TEXT)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    assert [s.text for s in doc.spans["programs"]] == ["طرح کرامت"]
    assert "کرمان" in [s.text for s in doc.spans["places"]]
    assert doc._.facts


def test_pipeline_loads_with_plain_spacy_in_a_fresh_process(tmp_path: Path) -> None:
    import subprocess
    import sys

    build_pipeline().to_disk(tmp_path / "p")
    code = (
        "import spacy, sys; nlp = spacy.load(sys.argv[1]); doc = nlp('یزد- ۱۲ محلهمحور در یزد شناسایی شد.');"
        "f = [x for x in doc._.facts if x.type == 'neighbourhood_count'][0];"
        "print(doc.text[f.span[0]:f.span[1]], f.fields['province'])"
    )
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "p")], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["۱۲", "یزد"]


def test_pipeline_missing_model_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no saved pipeline"):
        load_pipeline(tmp_path / "nowhere")


def test_pipeline_committed_model_matches_the_package_data() -> None:
    """models/pipeline must be what `mahalle-news train` builds from today's data files."""
    from mahalle_news.nlp.pipeline import default_model_dir
    from mahalle_news.nlp.registry import read_data_dir

    saved = default_model_dir()
    if not (saved / "config.cfg").exists():
        pytest.skip("no saved pipeline under models/")
    package = read_data_dir()
    for folder in ("mahalle_programs", "mahalle_officials", "mahalle_quantities"):
        for file in (saved / folder).iterdir():
            assert file.read_text(encoding="utf-8") == package[file.name], f"{file} is stale: run `mahalle-news train`"
