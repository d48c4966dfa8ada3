from __future__ import annotations

from pathlib import Path

import pytest

from mahalle_news.crawl.sources import Source, add_source, load_sources, set_enabled
from mahalle_news.errors import InputError

REPO = Path(__file__).resolve().parents[2]

GOOD = """# our registry
[[source]]
id = "irna-kerman"
name = "ایرنا کرمان"
agency = "IRNA"
province = "کرمان"
url = "https://kerman.example/rss"
kind = "rss"
poll_minutes = 30
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("registry", ["corpus/sources.toml", "corpus/demo_site/sources.toml"])
def test_sources_shipped_registries_are_valid(registry: str) -> None:
    sources = load_sources(REPO / registry)
    assert len(sources) >= 16
    assert len({s.id for s in sources}) == len(sources)


def test_sources_real_registry_marks_every_feed_unverified() -> None:
    sources = load_sources(REPO / "corpus/sources.toml")
    agencies = {s.agency for s in sources}
    assert {"IRNA", "Mehr", "ISNA", "Tasnim", "IKNA", "IRIB", "Fars", "YJC", "Hamshahri"} <= agencies
    assert not any(s.verified for s in sources)


def test_sources_load_defaults(tmp_path: Path) -> None:
    (source,) = load_sources(_write(tmp_path, GOOD))
    assert source == Source("irna-kerman", "ایرنا کرمان", "IRNA", "کرمان", "https://kerman.example/rss", "rss", 30)
    assert source.enabled and not source.verified


@pytest.mark.parametrize(
    ("replace", "by", "field", "says"),
    [
        ('agency = "IRNA"', 'agency = "BBC"', "agency", "not one of"),
        ('province = "کرمان"', 'province = "کرمانشاهان"', "province", "not a province"),
        ('kind = "rss"', 'kind = "json"', "kind", "not one of"),
        ("poll_minutes = 30", "poll_minutes = 1", "poll_minutes", "outside"),
        ("poll_minutes = 30", 'poll_minutes = "30"', "poll_minutes", "must be int"),
        ('url = "https://kerman.example/rss"', 'url = "kerman.example/rss"', "url", "not an http"),
        ('id = "irna-kerman"', 'id = "IRNA Kerman"', "id", "lowercase"),
        ('name = "ایرنا کرمان"\n', "", "name", "missing"),
        ("poll_minutes = 30", "poll_minutes = 30\ncolour = 1", "colour", "unknown field"),
    ],
)
def test_sources_bad_entry_names_file_line_field(tmp_path: Path, replace: str, by: str, field: str, says: str) -> None:
    path = _write(tmp_path, GOOD.replace(replace, by))
    with pytest.raises(InputError) as err:
        load_sources(path)
    loc = err.value.location
    assert loc is not None and loc.file == str(path) and loc.line == 2 and loc.field == field
    assert says in err.value.message


def test_sources_toml_syntax_error_has_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        load_sources(_write(tmp_path, GOOD + "\n[[source]\n"))
    assert err.value.location is not None and err.value.location.line == 11


def test_sources_duplicate_id(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="duplicate id"):
        load_sources(_write(tmp_path, GOOD + "\n" + GOOD))


def test_sources_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such registry"):
        load_sources(tmp_path / "nope.toml")


def test_sources_add_keeps_comments_and_validates(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    new = Source("mehr-yazd", "مهر یزد", "Mehr", "یزد", "https://yazd.example/feed", "atom", 45)
    add_source(path, new)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# our registry")
    assert [s.id for s in load_sources(path)] == ["irna-kerman", "mehr-yazd"]
    with pytest.raises(InputError, match="already exists"):
        add_source(path, new)
    with pytest.raises(InputError, match="not one of"):
        add_source(path, Source("x-1", "x", "Nope", "یزد", "https://x.example/"))
    assert len(load_sources(path)) == 2


def test_sources_disable_and_enable(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    set_enabled(path, ["irna-kerman"], False)
    assert not load_sources(path)[0].enabled
    set_enabled(path, ["irna-kerman"], True)
    assert load_sources(path)[0].enabled
    before = path.read_text(encoding="utf-8")
    with pytest.raises(InputError, match="no source with id 'nope'"):
        set_enabled(path, ["irna-kerman", "nope"], False)
    assert path.read_text(encoding="utf-8") == before
